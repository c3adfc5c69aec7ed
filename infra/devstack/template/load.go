package template

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// samTransform is the only transform the runner understands.
const samTransform = "AWS::Serverless-2016-10-31"

// implicitAPI is the logical id SAM gives the API of Api events that have
// no RestApiId, and implicitStage its stage name.
const (
	implicitAPI   = "ServerlessRestApi"
	implicitStage = "Prod"
)

var (
	topLevelKeys = set("AWSTemplateFormatVersion", "Description", "Metadata", "Transform",
		"Globals", "Parameters", "Mappings", "Conditions", "Rules", "Resources", "Outputs")
	resourceKeys = set("Type", "Properties", "Condition", "DependsOn", "Metadata",
		"DeletionPolicy", "UpdateReplacePolicy", "UpdatePolicy", "CreationPolicy")
	globalSections = set("Function", "Api", "HttpApi", "SimpleTable", "LayerVersion", "StateMachine")
)

func set(keys ...string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

// Load reads and resolves the SAM template at path.
func Load(path string, cfg Config) (*Template, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
	return Parse(data, cfg)
}

// Parse resolves a SAM template given as YAML (JSON is YAML too).
func Parse(data []byte, cfg Config) (*Template, error) {
	doc, err := decodeYAML(data)
	if err != nil {
		return nil, err
	}
	for _, k := range sortedKeys(doc) {
		if !topLevelKeys[k] {
			return nil, fmt.Errorf("template: unknown top-level section %s", k)
		}
	}
	if err := checkTransform(doc["Transform"]); err != nil {
		return nil, err
	}
	r := newResolver(cfg)
	t := &Template{
		Region: r.region, AccountID: r.account, Partition: r.partition,
		StackName: r.stack, URLSuffix: r.suffix,
		Functions: map[string]*Function{},
		Ignored:   map[string]string{},
	}
	if t.Parameters, err = r.loadParameters(doc["Parameters"], cfg.Parameters); err != nil {
		return nil, err
	}
	if r.mappings, err = asMap(doc["Mappings"], "template: Mappings"); err != nil {
		return nil, err
	}
	if r.conditions, err = asMap(doc["Conditions"], "template: Conditions"); err != nil {
		return nil, err
	}
	if err := r.loadResources(doc); err != nil {
		return nil, err
	}
	if err := r.classify(t); err != nil {
		return nil, err
	}
	rewrites, err := r.rewrites(cfg)
	if err != nil {
		return nil, err
	}
	if err := r.build(t, rewrites); err != nil {
		return nil, err
	}
	return t, nil
}

func checkTransform(v any) error {
	if v == nil {
		return fmt.Errorf("template: no Transform %s: not a SAM template", samTransform)
	}
	list, err := asStrings(v, "template: Transform")
	if err != nil {
		return err
	}
	for _, tr := range list {
		if tr != samTransform {
			return fmt.Errorf("template: transform %s is not supported by the local runner", tr)
		}
	}
	return nil
}

func newResolver(cfg Config) *resolver {
	or := func(v, def string) string {
		if v == "" {
			return def
		}
		return v
	}
	r := &resolver{
		region:    or(cfg.Region, "us-east-1"),
		account:   or(cfg.AccountID, "123456789012"),
		partition: or(cfg.Partition, "aws"),
		stack:     or(cfg.StackName, "devstack"),
		suffix:    or(cfg.URLSuffix, "amazonaws.com"),
		params:    map[string]any{},
		condCache: map[string]bool{},
		condBusy:  map[string]bool{},
		resources: map[string]*resource{},
		physical:  map[string]string{},
		physBusy:  map[string]bool{},
	}
	for k, v := range cfg.PhysicalIDs {
		r.physical[k] = v
	}
	return r
}

// loadParameters applies defaults and overrides and validates them.
func (r *resolver) loadParameters(section any, overrides map[string]string) (map[string]string, error) {
	params, err := asMap(section, "template: Parameters")
	if err != nil {
		return nil, err
	}
	for _, name := range sortedKeys(overrides) {
		if _, ok := params[name]; !ok {
			return nil, fmt.Errorf("template: parameter %s given but not declared", name)
		}
	}
	out := map[string]string{}
	for _, name := range sortedKeys(params) {
		def, err := asMap(params[name], "template: parameter "+name)
		if err != nil {
			return nil, err
		}
		value, given := overrides[name]
		if !given {
			d, ok := def["Default"]
			if !ok {
				return nil, fmt.Errorf("template: parameter %s has no Default and no value was given", name)
			}
			if value, err = asString(d, "template: parameter "+name+" Default"); err != nil {
				return nil, err
			}
		}
		if err := checkParameter(name, def, value); err != nil {
			return nil, err
		}
		typ, _ := def["Type"].(string)
		if strings.HasPrefix(typ, "List<") || typ == "CommaDelimitedList" {
			parts := []string{}
			if value != "" {
				parts = strings.Split(value, ",")
			}
			for i := range parts {
				parts[i] = strings.TrimSpace(parts[i])
			}
			r.params[name] = toAny(parts)
		} else {
			r.params[name] = value
		}
		out[name] = value
	}
	return out, nil
}

func checkParameter(name string, def map[string]any, value string) error {
	typ, _ := def["Type"].(string)
	switch typ {
	case "String", "CommaDelimitedList", "List<String>":
	case "Number":
		if _, err := strconv.ParseFloat(value, 64); err != nil {
			return fmt.Errorf("template: parameter %s: %q is not a Number", name, value)
		}
	default:
		return fmt.Errorf("template: parameter %s: type %s is not supported by the local runner", name, typ)
	}
	if allowed, ok := def["AllowedValues"]; ok {
		list, err := asStrings(allowed, "template: parameter "+name+" AllowedValues")
		if err != nil {
			return err
		}
		found := false
		for _, a := range list {
			found = found || a == value
		}
		if !found {
			return fmt.Errorf("template: parameter %s: %q is not one of %s", name, value, strings.Join(list, ", "))
		}
	}
	if pattern, ok := def["AllowedPattern"].(string); ok {
		re, err := regexp.Compile("^(?:" + pattern + ")$")
		if err != nil {
			return fmt.Errorf("template: parameter %s: AllowedPattern: %w", name, err)
		}
		if !re.MatchString(value) {
			return fmt.Errorf("template: parameter %s: %q does not match %s", name, value, pattern)
		}
	}
	return nil
}

// loadResources reads Resources, merges Globals, adds SAM's implicit
// resources and evaluates resource conditions.
func (r *resolver) loadResources(doc map[string]any) error {
	globals, err := asMap(doc["Globals"], "template: Globals")
	if err != nil {
		return err
	}
	for _, k := range sortedKeys(globals) {
		if !globalSections[k] {
			return fmt.Errorf("template: Globals: unknown section %s", k)
		}
	}
	resources, err := asMap(doc["Resources"], "template: Resources")
	if err != nil {
		return err
	}
	for _, id := range sortedKeys(resources) {
		raw, err := asMap(resources[id], "template: resource "+id)
		if err != nil {
			return err
		}
		for _, k := range sortedKeys(raw) {
			if !resourceKeys[k] {
				return fmt.Errorf("template: resource %s: attribute %s is not supported by the local runner", id, k)
			}
		}
		res := &resource{logicalID: id}
		if res.typ, err = asString(raw["Type"], "template: resource "+id+" Type"); err != nil || res.typ == "" {
			return fmt.Errorf("template: resource %s has no Type", id)
		}
		if res.props, err = asMap(raw["Properties"], "template: resource "+id+" Properties"); err != nil {
			return err
		}
		switch res.typ {
		case "AWS::Serverless::Function":
			res.props = mergeGlobals(globals["Function"], res.props).(map[string]any)
		case "AWS::Serverless::Api":
			res.props = mergeGlobals(globals["Api"], res.props).(map[string]any)
		}
		if c, ok := raw["Condition"]; ok {
			if res.condition, err = asString(c, "template: resource "+id+" Condition"); err != nil {
				return err
			}
		}
		r.resources[id] = res
	}
	r.addImplicit(globals)
	for _, id := range sortedKeys(r.resources) {
		res := r.resources[id]
		if res.condition == "" {
			continue
		}
		ok, err := r.cond(res.condition)
		if err != nil {
			return fmt.Errorf("template: resource %s: %w", id, err)
		}
		res.excluded = !ok
	}
	return nil
}

// addImplicit adds the resources SAM generates that templates refer to:
// a function's role, and the API of Api events without RestApiId.
func (r *resolver) addImplicit(globals map[string]any) {
	for _, id := range sortedKeys(r.resources) {
		res := r.resources[id]
		if res.typ != "AWS::Serverless::Function" {
			continue
		}
		if _, ok := res.props["Role"]; !ok {
			role := id + "Role"
			if _, exists := r.resources[role]; !exists {
				r.resources[role] = &resource{logicalID: role, typ: "AWS::IAM::Role", props: map[string]any{}, condition: res.condition}
			}
		}
		events, _ := res.props["Events"].(map[string]any)
		for _, ev := range events {
			e, _ := ev.(map[string]any)
			props, _ := e["Properties"].(map[string]any)
			if e["Type"] == "Api" && props["RestApiId"] == nil {
				if _, exists := r.resources[implicitAPI]; !exists {
					p := mergeGlobals(globals["Api"], map[string]any{"StageName": implicitStage}).(map[string]any)
					r.resources[implicitAPI] = &resource{logicalID: implicitAPI, typ: "AWS::Serverless::Api", props: p}
				}
			}
		}
	}
}
