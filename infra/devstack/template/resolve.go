package template

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// resolver evaluates intrinsic functions against parameters, pseudo
// parameters, mappings, conditions and the resources' physical ids.
type resolver struct {
	region, account, partition, stack, suffix string

	params     map[string]any // string or []string
	mappings   map[string]any
	conditions map[string]any
	condCache  map[string]bool
	condBusy   map[string]bool

	resources map[string]*resource
	physical  map[string]string // caller overrides and computed ids
	physBusy  map[string]bool
}

// resource is one entry of Resources (or a SAM implicit resource).
type resource struct {
	logicalID string
	typ       string
	props     map[string]any
	condition string
	excluded  bool // its Condition is false
}

// resolve evaluates every intrinsic in v. path names v in errors.
func (r *resolver) resolve(v any, path string) (any, error) {
	switch t := v.(type) {
	case []any:
		out := make([]any, 0, len(t))
		for i, e := range t {
			rv, err := r.resolve(e, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			if _, drop := rv.(noValue); !drop {
				out = append(out, rv)
			}
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(t))
		for _, k := range sortedKeys(t) {
			rv, err := r.resolve(t[k], joinPath(path, k))
			if err != nil {
				return nil, err
			}
			if _, drop := rv.(noValue); !drop {
				out[k] = rv
			}
		}
		return out, nil
	case fn:
		rv, err := r.call(t)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return rv, nil
	}
	return v, nil
}

// resolveString resolves v and requires a string result.
func (r *resolver) resolveString(v any, path string) (string, error) {
	rv, err := r.resolve(v, path)
	if err != nil {
		return "", err
	}
	if _, ok := rv.(noValue); ok {
		return "", nil
	}
	return asString(rv, path)
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// call evaluates one intrinsic function.
func (r *resolver) call(f fn) (any, error) {
	switch f.name {
	case "Ref":
		name, ok := f.arg.(string)
		if !ok {
			return nil, fmt.Errorf("Ref needs a name")
		}
		return r.ref(name)
	case "Fn::Sub":
		return r.sub(f.arg)
	case "Fn::GetAtt":
		args, err := r.args(f, 2)
		if err != nil {
			return nil, err
		}
		return r.getAtt(args[0], args[1])
	case "Fn::Join":
		return r.join(f)
	case "Fn::If":
		return r.ifFn(f)
	case "Fn::Select":
		return r.selectFn(f)
	case "Fn::Split":
		args, err := r.args(f, 2)
		if err != nil {
			return nil, err
		}
		return toAny(strings.Split(args[1], args[0])), nil
	case "Fn::FindInMap":
		return r.findInMap(f)
	case "Fn::Base64":
		s, err := r.resolveString(f.arg, "Fn::Base64")
		if err != nil {
			return nil, err
		}
		return base64.StdEncoding.EncodeToString([]byte(s)), nil
	case "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or":
		return nil, fmt.Errorf("intrinsic %s is only allowed in Conditions", f.name)
	}
	return nil, fmt.Errorf("intrinsic %s is not supported by the local runner", f.name)
}

// args resolves a list argument of exactly n strings.
func (r *resolver) args(f fn, n int) ([]string, error) {
	list, ok := f.arg.([]any)
	if !ok || len(list) != n {
		return nil, fmt.Errorf("%s needs a list of %d arguments", f.name, n)
	}
	out := make([]string, n)
	for i, a := range list {
		s, err := r.resolveString(a, fmt.Sprintf("%s[%d]", f.name, i))
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

func (r *resolver) join(f fn) (any, error) {
	list, ok := f.arg.([]any)
	if !ok || len(list) != 2 {
		return nil, fmt.Errorf("Fn::Join needs [delimiter, list]")
	}
	delim, err := r.resolveString(list[0], "Fn::Join delimiter")
	if err != nil {
		return nil, err
	}
	items, err := r.resolve(list[1], "Fn::Join list")
	if err != nil {
		return nil, err
	}
	parts, err := asStrings(items, "Fn::Join list")
	if err != nil {
		return nil, err
	}
	return strings.Join(parts, delim), nil
}

func (r *resolver) ifFn(f fn) (any, error) {
	list, ok := f.arg.([]any)
	if !ok || len(list) != 3 {
		return nil, fmt.Errorf("Fn::If needs [condition, then, else]")
	}
	name, ok := list[0].(string)
	if !ok {
		return nil, fmt.Errorf("Fn::If needs a condition name")
	}
	yes, err := r.cond(name)
	if err != nil {
		return nil, err
	}
	if yes {
		return r.resolve(list[1], "Fn::If")
	}
	return r.resolve(list[2], "Fn::If")
}

func (r *resolver) selectFn(f fn) (any, error) {
	list, ok := f.arg.([]any)
	if !ok || len(list) != 2 {
		return nil, fmt.Errorf("Fn::Select needs [index, list]")
	}
	idx, err := r.resolveString(list[0], "Fn::Select index")
	if err != nil {
		return nil, err
	}
	i, err := strconv.Atoi(idx)
	if err != nil {
		return nil, fmt.Errorf("Fn::Select index %q is not a number", idx)
	}
	items, err := r.resolve(list[1], "Fn::Select list")
	if err != nil {
		return nil, err
	}
	elems, ok := items.([]any)
	if !ok || i < 0 || i >= len(elems) {
		return nil, fmt.Errorf("Fn::Select index %d out of range", i)
	}
	return elems[i], nil
}

func (r *resolver) findInMap(f fn) (any, error) {
	args, err := r.args(f, 3)
	if err != nil {
		return nil, err
	}
	top, ok := r.mappings[args[0]].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("Fn::FindInMap: no mapping %s", args[0])
	}
	second, ok := top[args[1]].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("Fn::FindInMap: mapping %s has no key %s", args[0], args[1])
	}
	v, ok := second[args[2]]
	if !ok {
		return nil, fmt.Errorf("Fn::FindInMap: mapping %s.%s has no key %s", args[0], args[1], args[2])
	}
	return r.resolve(v, "Fn::FindInMap")
}

// sub evaluates Fn::Sub in its string and [string, variables] forms.
func (r *resolver) sub(arg any) (any, error) {
	var tmpl any
	vars := map[string]any{}
	switch a := arg.(type) {
	case string:
		tmpl = a
	case []any:
		if len(a) != 2 {
			return nil, fmt.Errorf("Fn::Sub needs a string or [string, variables]")
		}
		tmpl = a[0]
		m, err := asMap(a[1], "Fn::Sub variables")
		if err != nil {
			return nil, err
		}
		for _, k := range sortedKeys(m) {
			v, err := r.resolveString(m[k], "Fn::Sub variable "+k)
			if err != nil {
				return nil, err
			}
			vars[k] = v
		}
	default:
		return nil, fmt.Errorf("Fn::Sub needs a string or [string, variables]")
	}
	s, ok := tmpl.(string)
	if !ok {
		return nil, fmt.Errorf("Fn::Sub template is not a string")
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		end := strings.Index(s[i:], "}")
		if end < 0 {
			return nil, fmt.Errorf("Fn::Sub: unterminated ${ in %q", s)
		}
		b.WriteString(s[:i])
		name := s[i+2 : i+end]
		s = s[i+end+1:]
		if strings.HasPrefix(name, "!") {
			b.WriteString("${" + name[1:] + "}")
			continue
		}
		v, err := r.subVar(strings.TrimSpace(name), vars)
		if err != nil {
			return nil, err
		}
		b.WriteString(v)
	}
}

func (r *resolver) subVar(name string, vars map[string]any) (string, error) {
	if v, ok := vars[name]; ok {
		return v.(string), nil
	}
	var v any
	var err error
	if res, attr, ok := strings.Cut(name, "."); ok {
		v, err = r.getAtt(res, attr)
	} else {
		v, err = r.ref(name)
	}
	if err != nil {
		return "", err
	}
	return asString(v, "Fn::Sub variable "+name)
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
