package templatecheck

import (
	"fmt"
	"regexp"
	"strings"
)

// contractDefaults are the parameter defaults the build contract fixes.
var contractDefaults = map[string]string{
	"OperatorsListExpiration": "60",
	"HeartbeatSeconds":        "20",
	"UnreadEmailDelaySeconds": "300",
	"ReassignAfterSeconds":    "86400",
	"AllowedOrigins":          "",
	"DefaultSlots":            "3",
	"StatusCacheSeconds":      "5",
	"LogLevel":                "INFO",
	"LogRetentionDays":        "30",
}

// envParameters maps each contract environment variable that comes from a
// parameter to that parameter.
var envParameters = map[string]string{
	"LOG_LEVEL":                  "LogLevel",
	"OPERATORS_LIST_EXPIRATION":  "OperatorsListExpiration",
	"HEARTBEAT_SECONDS":          "HeartbeatSeconds",
	"UNREAD_EMAIL_DELAY_SECONDS": "UnreadEmailDelaySeconds",
	"REASSIGN_AFTER_SECONDS":     "ReassignAfterSeconds",
	"SENDER_EMAIL":               "SenderEmail",
	"ALLOWED_ORIGINS":            "AllowedOrigins",
	"DEFAULT_SLOTS":              "DefaultSlots",
	"STATUS_CACHE_SECONDS":       "StatusCacheSeconds",
}

// envValues are the contract's environment variables with a fixed value
// (Fn::Sub strings are compared as their template string).
var envValues = map[string]any{
	"TABLE_NAME":         map[string]any{"Ref": "Table"},
	"WEBSOCKET_ENDPOINT": map[string]any{"Fn::Sub": "https://${WebSocketApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/live"},
	"WEBSOCKET_URL":      map[string]any{"Fn::Sub": "wss://${WebSocketApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/live"},
}

// envRequired lists, per function, the variables it must have beyond
// TABLE_NAME and LOG_LEVEL, which all have.
var envRequired = map[string][]string{
	"StatusFunction":  {"STATUS_CACHE_SECONDS", "OPERATORS_LIST_EXPIRATION", "WEBSOCKET_URL"},
	"ChatFunction":    {"WEBSOCKET_ENDPOINT", "CONSOLE_ORIGIN"},
	"OfflineFunction": {"WEBSOCKET_ENDPOINT", "WEBSOCKET_URL"},
	"SweepFunction":   {"WEBSOCKET_ENDPOINT"},
	"MailerFunction":  {"SENDER_EMAIL", "UNREAD_EMAIL_DELAY_SECONDS"},
	"ConsoleFunction": {"WEBSOCKET_ENDPOINT", "WEBSOCKET_URL", "SENDER_EMAIL"},
}

// envOnly lists variables only some functions may have.
var envOnly = map[string]string{"STATUS_CACHE_SECONDS": "StatusFunction"}

// CheckParameters checks every parameter: a Description, a Default that
// meets its own constraints, constraints (MinValue and MaxValue or
// AllowedValues for numbers, AllowedPattern or AllowedValues for strings),
// and the defaults the contract fixes.
func CheckParameters(t *Template) []error {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("parameters: %s: "+format, append([]any{name}, args...)...))
	}
	for _, name := range sortedKeys(t.Parameters) {
		p := t.Parameters[name]
		if strings.TrimSpace(p.Description) == "" {
			bad(name, "has no Description")
		}
		if !p.HasDefault {
			bad(name, "has no Default")
			continue
		}
		def, ok := scalar(p.Default)
		if !ok {
			bad(name, "Default %v is not a scalar", p.Default)
			continue
		}
		if want, fixed := contractDefaults[name]; fixed && def != want {
			bad(name, "Default is %q, the contract says %q", def, want)
		}
		if len(p.AllowedValues) > 0 {
			found := false
			for _, v := range p.AllowedValues {
				s, _ := scalar(v)
				found = found || s == def
			}
			if !found {
				bad(name, "Default %q is not one of AllowedValues", def)
			}
		}
		switch p.Type {
		case "Number":
			n, isNum := number(def)
			switch {
			case !isNum:
				bad(name, "Default %q is not a number", def)
			case len(p.AllowedValues) == 0 && (p.MinValue == nil || p.MaxValue == nil):
				bad(name, "a Number needs MinValue and MaxValue (or AllowedValues)")
			case p.MinValue != nil && n < *p.MinValue, p.MaxValue != nil && n > *p.MaxValue:
				bad(name, "Default %s is outside MinValue..MaxValue", def)
			}
		case "String":
			if len(p.AllowedValues) == 0 && p.AllowedPattern == "" {
				bad(name, "a String needs AllowedPattern or AllowedValues")
			}
			if p.AllowedPattern != "" {
				// CloudFormation matches the whole value (Java regex); these
				// patterns stay within what RE2 also understands.
				re, err := regexp.Compile(`^(?:` + p.AllowedPattern + `)$`)
				if err != nil {
					bad(name, "AllowedPattern does not compile: %v", err)
				} else if !re.MatchString(def) {
					bad(name, "Default %q does not match AllowedPattern", def)
				}
			}
		default:
			bad(name, "has Type %q; only String and Number are used", p.Type)
		}
	}
	for _, name := range sortedKeys(contractDefaults) {
		if _, ok := t.Parameters[name]; !ok {
			bad(name, "is missing")
		}
	}
	return errs
}

// CheckEnvironment checks each function's environment (Globals included):
// every name it refers to is a resource, a pseudo parameter or a parameter
// with a Default (so the local runner can resolve it); contract variables
// come from their parameter or have their fixed value; each function has the
// variables it needs and none reserved for another.
func CheckEnvironment(t *Template) []error {
	var errs []error
	for _, id := range t.Functions() {
		env := t.FunctionEnv(id)
		for _, name := range sortedKeys(env) {
			v := env[name]
			for _, ref := range references(v) {
				if _, isRes := t.Resources[ref]; isRes || strings.HasPrefix(ref, "AWS::") {
					continue
				}
				p, isParam := t.Parameters[ref]
				switch {
				case !isParam:
					errs = append(errs, fmt.Errorf("environment: %s %s refers to %s, which is neither a parameter nor a resource", id, name, ref))
				case !p.HasDefault:
					errs = append(errs, fmt.Errorf("environment: %s %s refers to parameter %s, which has no Default", id, name, ref))
				}
			}
			if param, ok := envParameters[name]; ok && !isRef(v, param) {
				errs = append(errs, fmt.Errorf("environment: %s %s is %s, want !Ref %s", id, name, show(v), param))
			}
			if want, ok := envValues[name]; ok && !same(v, want) {
				errs = append(errs, fmt.Errorf("environment: %s %s is %s, want %s", id, name, show(v), show(want)))
			}
			if owner, ok := envOnly[name]; ok && owner != id {
				errs = append(errs, fmt.Errorf("environment: %s has %s, which only %s may have", id, name, owner))
			}
		}
		for _, name := range append([]string{"TABLE_NAME", "LOG_LEVEL"}, envRequired[id]...) {
			if _, ok := env[name]; !ok {
				errs = append(errs, fmt.Errorf("environment: %s lacks %s", id, name))
			}
		}
	}
	return errs
}
