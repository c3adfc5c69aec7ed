package templatecheck

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// Helpers over the plain values of a decoded template. They never panic on an
// unexpected shape; they report "not found" instead, and the checks turn that
// into a problem.

// asMap returns v as a mapping, or nil.
func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// asList returns v as a list; a single non-list value becomes a one-element
// list (IAM Action and Resource accept both forms); nil stays empty.
func asList(v any) []any {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		return x
	default:
		return []any{x}
	}
}

// number returns v as a float64 when it is a YAML number or a numeric string.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	}
	return 0, false
}

// scalar renders a scalar as CloudFormation would pass it on: numbers and
// booleans as their text. It reports false for maps and lists.
func scalar(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case int, int64, bool:
		return fmt.Sprint(x), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	}
	return "", false
}

// single returns the only key and value of an intrinsic-function mapping.
func single(v any) (string, any, bool) {
	m := asMap(v)
	if len(m) != 1 {
		return "", nil, false
	}
	for k, x := range m {
		return k, x, true
	}
	return "", nil, false
}

// refName returns X for {"Ref": "X"}.
func refName(v any) (string, bool) {
	k, x, ok := single(v)
	if !ok || k != "Ref" {
		return "", false
	}
	s, ok := x.(string)
	return s, ok
}

// isRef reports whether v is {"Ref": name}.
func isRef(v any, name string) bool {
	got, ok := refName(v)
	return ok && got == name
}

// getAtt returns resource and attribute for {"Fn::GetAtt": [resource, attr]}
// (or the "resource.attr" string form).
func getAtt(v any) (string, string, bool) {
	k, x, ok := single(v)
	if !ok || k != "Fn::GetAtt" {
		return "", "", false
	}
	if s, ok := x.(string); ok {
		res, attr, found := strings.Cut(s, ".")
		return res, attr, found
	}
	l := asList(x)
	if len(l) != 2 {
		return "", "", false
	}
	res, ok1 := l[0].(string)
	attr, ok2 := l[1].(string)
	return res, attr, ok1 && ok2
}

// subString returns the template string of {"Fn::Sub": "..."} (the
// one-argument form only).
func subString(v any) (string, bool) {
	k, x, ok := single(v)
	if !ok || k != "Fn::Sub" {
		return "", false
	}
	s, ok := x.(string)
	return s, ok
}

// subVariables returns the names used as ${Name} or ${Name.Attr} in a
// Fn::Sub template string, without ${!Literal} escapes, sorted and unique.
func subVariables(s string) []string {
	seen := map[string]bool{}
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			break
		}
		s = s[i+2:]
		j := strings.Index(s, "}")
		if j < 0 {
			break
		}
		name := strings.TrimSpace(s[:j])
		s = s[j+1:]
		if name != "" && !strings.HasPrefix(name, "!") {
			seen[name] = true
		}
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// references returns every resource or parameter name v refers to: Ref
// targets, GetAtt resources, the root of each ${Name.Attr} in Fn::Sub
// strings (minus the Fn::Sub variable map's own names), recursively, sorted
// and unique. Pseudo parameters (AWS::Region, ...) are left out.
func references(v any) []string {
	seen := map[string]bool{}
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			if name, ok := refName(x); ok {
				if !strings.HasPrefix(name, "AWS::") {
					seen[name] = true
				}
				return
			}
			if res, _, ok := getAtt(x); ok {
				seen[res] = true
				return
			}
			if k, arg, ok := single(x); ok && k == "Fn::Sub" {
				tmpl, vars := arg, map[string]any(nil)
				if l, isList := arg.([]any); isList && len(l) == 2 {
					tmpl, vars = l[0], asMap(l[1])
				}
				inner := map[string]bool{}
				for name, val := range vars {
					inner[name] = true
					walk(val)
				}
				if s, ok := tmpl.(string); ok {
					for _, name := range subVariables(s) {
						root, _, _ := strings.Cut(name, ".")
						if !inner[name] && !strings.HasPrefix(name, "AWS::") {
							seen[root] = true
						}
					}
				}
				return
			}
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// same reports whether two decoded values are equal.
func same(a, b any) bool { return reflect.DeepEqual(a, b) }

// show renders a decoded value compactly for problem messages.
func show(v any) string {
	if s, ok := scalar(v); ok {
		return strconv.Quote(s)
	}
	if name, ok := refName(v); ok {
		return "!Ref " + name
	}
	if res, attr, ok := getAtt(v); ok {
		return "!GetAtt " + res + "." + attr
	}
	if s, ok := subString(v); ok {
		return "!Sub " + strconv.Quote(s)
	}
	return fmt.Sprint(v)
}
