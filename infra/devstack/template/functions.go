package template

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

var (
	// functionActed are the function properties the runner uses.
	functionActed = set("CodeUri", "Handler", "Runtime", "Architectures", "Timeout", "MemorySize",
		"Environment", "Events", "FunctionName", "ReservedConcurrentExecutions", "PackageType")
	// functionIgnored are function properties that only matter in AWS.
	functionIgnored = set("Description", "Role", "Policies", "PermissionsBoundary",
		"AssumeRolePolicyDocument", "RolePath", "Tags", "PropagateTags", "Tracing", "KmsKeyArn",
		"VpcConfig", "DeadLetterQueue", "EventInvokeConfig", "AutoPublishAlias",
		"AutoPublishAliasAllProperties", "AutoPublishCodeSha256", "VersionDescription",
		"DeploymentPreference", "ProvisionedConcurrencyConfig", "CodeSigningConfigArn",
		"LoggingConfig", "RuntimeManagementConfig", "SnapStart", "EphemeralStorage",
		"RecursiveLoop", "SourceKMSKeyArn")
	apiEventProps      = set("Path", "Method", "RestApiId", "Auth", "RequestParameters", "TimeoutInMillis")
	scheduleEventProps = set("Schedule", "Enabled", "State", "Input", "Name", "Description",
		"RetryPolicy", "DeadLetterConfig")
	// runtimes are the Lambda runtimes that run a Go bootstrap binary.
	runtimes = set("provided.al2023", "provided.al2", "provided")
)

// checkProps reports the first property of props that is neither acted on
// nor known to be safe to ignore.
func checkProps(props map[string]any, acted, ignored map[string]bool, what string) error {
	for _, k := range sortedKeys(props) {
		if !acted[k] && !ignored[k] {
			return fmt.Errorf("%s: property %s is not supported by the local runner", what, k)
		}
	}
	return nil
}

// buildFunction resolves one AWS::Serverless::Function.
func (r *resolver) buildFunction(res *resource, rewrites []Rewriter) (*Function, error) {
	where := "template: resource " + res.logicalID
	p := res.props
	if err := checkProps(p, functionActed, functionIgnored, where); err != nil {
		return nil, err
	}
	f := &Function{LogicalID: res.logicalID, Timeout: 3 * time.Second, MemorySize: 128}
	var err error
	if f.Name, err = r.physicalID(res); err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	f.ARN = r.arn("lambda", "function:"+f.Name)
	str := func(key string) (string, error) {
		s, err := r.resolveString(p[key], key)
		if err != nil {
			return "", fmt.Errorf("%s: %w", where, err)
		}
		return s, nil
	}
	if pt, err := str("PackageType"); err != nil {
		return nil, err
	} else if pt != "" && pt != "Zip" {
		return nil, fmt.Errorf("%s: PackageType %s is not supported by the local runner", where, pt)
	}
	if _, ok := p["CodeUri"].(map[string]any); ok {
		return nil, fmt.Errorf("%s: an S3 CodeUri is not supported by the local runner; use a package directory", where)
	}
	if f.CodeURI, err = str("CodeUri"); err != nil {
		return nil, err
	}
	if f.CodeURI == "" {
		return nil, fmt.Errorf("%s: no CodeUri", where)
	}
	if f.Handler, err = str("Handler"); err != nil {
		return nil, err
	}
	if f.Runtime, err = str("Runtime"); err != nil {
		return nil, err
	}
	if !runtimes[f.Runtime] {
		return nil, fmt.Errorf("%s: runtime %q is not supported by the local runner (it runs Go bootstrap binaries on provided.al2023 or provided.al2)", where, f.Runtime)
	}
	archs, err := r.resolve(p["Architectures"], "Architectures")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	if f.Architectures, err = asStrings(archs, "Architectures"); err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	if len(f.Architectures) == 0 {
		f.Architectures = []string{"x86_64"}
	}
	timeout := 3
	ints := []struct {
		key      string
		into     *int
		min, max int
	}{
		{"Timeout", &timeout, 1, 900},
		{"MemorySize", &f.MemorySize, 128, 10240},
		{"ReservedConcurrentExecutions", &f.ReservedConcurrency, 0, 1000},
	}
	for _, it := range ints {
		s, err := str(it.key)
		if err != nil {
			return nil, err
		}
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < it.min || n > it.max {
			return nil, fmt.Errorf("%s: %s %q is not a whole number in [%d, %d]", where, it.key, s, it.min, it.max)
		}
		*it.into = n
	}
	f.Timeout = time.Duration(timeout) * time.Second
	if f.Environment, err = r.environment(p["Environment"], rewrites); err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	if err := r.events(f, p["Events"]); err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	return f, nil
}

// environment resolves Environment.Variables and applies the rewrites.
func (r *resolver) environment(v any, rewrites []Rewriter) (map[string]string, error) {
	env := map[string]string{}
	m, err := asMap(v, "Environment")
	if err != nil {
		return nil, err
	}
	for _, k := range sortedKeys(m) {
		if k != "Variables" {
			return nil, fmt.Errorf("Environment: property %s is not supported by the local runner", k)
		}
	}
	vars, err := asMap(m["Variables"], "Environment.Variables")
	if err != nil {
		return nil, err
	}
	for _, name := range sortedKeys(vars) {
		path := "Environment.Variables." + name
		rv, err := r.resolve(vars[name], path)
		if err != nil {
			return nil, err
		}
		if _, ok := rv.(noValue); ok {
			continue
		}
		s, err := asString(rv, path)
		if err != nil {
			return nil, err
		}
		for _, rw := range rewrites {
			s = rw(s)
		}
		env[name] = s
	}
	return env, nil
}

// events reads the function's Api and Schedule events.
func (r *resolver) events(f *Function, v any) error {
	events, err := asMap(v, "Events")
	if err != nil {
		return err
	}
	for _, name := range sortedKeys(events) {
		where := "event " + name
		ev, err := asMap(events[name], where)
		if err != nil {
			return err
		}
		typ, _ := ev["Type"].(string)
		props, err := asMap(ev["Properties"], where+" Properties")
		if err != nil {
			return err
		}
		switch typ {
		case "Api":
			e, err := r.apiEvent(name, props)
			if err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
			f.APIEvents = append(f.APIEvents, e)
		case "Schedule":
			e, err := r.scheduleEvent(f.LogicalID, name, props)
			if err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
			f.Schedules = append(f.Schedules, e)
		default:
			return fmt.Errorf("%s: event type %q is not supported by the local runner (only Api and Schedule)", where, typ)
		}
	}
	return nil
}

func (r *resolver) apiEvent(name string, p map[string]any) (APIEvent, error) {
	e := APIEvent{Name: name, RestAPI: implicitAPI}
	if err := checkProps(p, apiEventProps, nil, "Api"); err != nil {
		return e, err
	}
	if auth, ok := p["Auth"]; ok {
		m, _ := auth.(map[string]any)
		if len(m) != 1 || m["Authorizer"] != "NONE" {
			return e, fmt.Errorf("Auth is not supported by the local runner (only Authorizer: NONE)")
		}
	}
	var err error
	if e.Path, err = r.resolveString(p["Path"], "Path"); err != nil {
		return e, err
	}
	method, err := r.resolveString(p["Method"], "Method")
	if err != nil {
		return e, err
	}
	e.Method = strings.ToUpper(method)
	if !strings.HasPrefix(e.Path, "/") || e.Method == "" {
		return e, fmt.Errorf("needs a Path starting with / and a Method")
	}
	if id, ok := p["RestApiId"]; ok {
		ref, ok := id.(fn)
		name, _ := ref.arg.(string)
		if !ok || ref.name != "Ref" || name == "" {
			return e, fmt.Errorf("RestApiId must be !Ref to an AWS::Serverless::Api in the template")
		}
		e.RestAPI = name
	}
	return e, nil
}

func (r *resolver) scheduleEvent(fnID, name string, p map[string]any) (ScheduleEvent, error) {
	e := ScheduleEvent{Name: name, Enabled: true}
	if err := checkProps(p, scheduleEventProps, nil, "Schedule"); err != nil {
		return e, err
	}
	rp, err := r.resolve(p, "")
	if err != nil {
		return e, err
	}
	get := func(k string) (string, error) { return asString(rp.(map[string]any)[k], k) }
	if e.Expression, err = get("Schedule"); err != nil || e.Expression == "" {
		return e, fmt.Errorf("needs a Schedule expression")
	}
	if e.Input, err = get("Input"); err != nil {
		return e, err
	}
	if e.RuleName, err = get("Name"); err != nil {
		return e, err
	}
	if e.RuleName == "" {
		e.RuleName = r.stack + "-" + fnID + name
	}
	enabled, err := get("Enabled")
	if err != nil {
		return e, err
	}
	state, err := get("State")
	if err != nil {
		return e, err
	}
	e.Enabled = enabled != "false" && state != "DISABLED"
	return e, nil
}

// sortRoutes orders routes by path, then method.
func sortRoutes(routes []Route) {
	sort.Slice(routes, func(i, j int) bool {
		if routes[i].Path != routes[j].Path {
			return routes[i].Path < routes[j].Path
		}
		return routes[i].Method < routes[j].Method
	})
}
