package rest

import (
	"fmt"
	"net/url"
	"strings"
)

// Route is one REST route: an HTTP method (or ANY), a resource path with
// {param} segments and an optional trailing greedy {name+} segment, and
// the logical id of the function it invokes. It converts to and from
// template.Route.
type Route struct {
	// Method is an upper-case HTTP method or ANY.
	Method string
	// Path is the resource path, such as /v1/sites/{site}/status.
	Path string
	// Function is the logical id of the function, such as StatusFunction.
	Function string
}

// segment kinds, ordered by precedence: a literal beats a parameter,
// which beats a greedy parameter.
const (
	kindGreedy = iota
	kindParam
	kindLiteral
)

type segment struct {
	kind  int
	value string // the literal, or the parameter name
}

// resource is one resource path with its methods.
type resource struct {
	path     string
	segments []segment
	methods  map[string]string // method or ANY -> function
}

var methods = map[string]bool{
	"ANY": true, "GET": true, "POST": true, "PUT": true, "DELETE": true,
	"PATCH": true, "HEAD": true, "OPTIONS": true,
}

// compile groups routes by resource path and validates them.
func compile(routes []Route) ([]*resource, error) {
	byPath := map[string]*resource{}
	var out []*resource
	for _, rt := range routes {
		method := strings.ToUpper(rt.Method)
		if !methods[method] {
			return nil, fmt.Errorf("rest: route %s %s: unknown method", rt.Method, rt.Path)
		}
		res, ok := byPath[rt.Path]
		if !ok {
			segs, err := parsePath(rt.Path)
			if err != nil {
				return nil, err
			}
			res = &resource{path: rt.Path, segments: segs, methods: map[string]string{}}
			byPath[rt.Path] = res
			out = append(out, res)
		}
		if _, dup := res.methods[method]; dup {
			return nil, fmt.Errorf("rest: route %s %s defined twice", method, rt.Path)
		}
		res.methods[method] = rt.Function
	}
	return out, nil
}

func parsePath(path string) ([]segment, error) {
	if !strings.HasPrefix(path, "/") {
		return nil, fmt.Errorf("rest: route path %q does not start with /", path)
	}
	if path == "/" {
		return nil, nil
	}
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	segs := make([]segment, len(parts))
	for i, p := range parts {
		switch {
		case p == "":
			return nil, fmt.Errorf("rest: route path %q has an empty segment", path)
		case strings.HasPrefix(p, "{") && strings.HasSuffix(p, "+}"):
			if i != len(parts)-1 {
				return nil, fmt.Errorf("rest: route path %q: greedy %s must be last", path, p)
			}
			segs[i] = segment{kind: kindGreedy, value: p[1 : len(p)-2]}
		case strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}"):
			segs[i] = segment{kind: kindParam, value: p[1 : len(p)-1]}
		case strings.ContainsAny(p, "{}"):
			return nil, fmt.Errorf("rest: route path %q: segment %q mixes text and a parameter", path, p)
		default:
			segs[i] = segment{kind: kindLiteral, value: p}
		}
	}
	return segs, nil
}

// match returns the path parameters if the request segments (decoded)
// fit the resource.
func (res *resource) match(parts []string) (map[string]string, bool) {
	params := map[string]string{}
	for i, s := range res.segments {
		if s.kind == kindGreedy {
			if i >= len(parts) {
				return nil, false
			}
			params[s.value] = strings.Join(parts[i:], "/")
			return params, true
		}
		if i >= len(parts) {
			return nil, false
		}
		switch s.kind {
		case kindLiteral:
			if parts[i] != s.value {
				return nil, false
			}
		case kindParam:
			if parts[i] == "" {
				return nil, false
			}
			params[s.value] = parts[i]
		}
	}
	return params, len(parts) == len(res.segments)
}

// moreSpecific reports whether a should win over b when both match.
func moreSpecific(a, b *resource) bool {
	for i := 0; i < len(a.segments) && i < len(b.segments); i++ {
		if a.segments[i].kind != b.segments[i].kind {
			return a.segments[i].kind > b.segments[i].kind
		}
	}
	return len(a.segments) > len(b.segments)
}

// find returns the most specific resource matching the path (relative to
// the stage) and its parameters.
func find(resources []*resource, rel string) (*resource, map[string]string, bool) {
	parts, ok := splitPath(rel)
	if !ok {
		return nil, nil, false
	}
	var best *resource
	var bestParams map[string]string
	for _, res := range resources {
		params, ok := res.match(parts)
		if ok && (best == nil || moreSpecific(res, best)) {
			best, bestParams = res, params
		}
	}
	return best, bestParams, best != nil
}

// splitPath splits an escaped path into decoded segments; a trailing
// slash is ignored.
func splitPath(escaped string) ([]string, bool) {
	trimmed := strings.TrimSuffix(strings.TrimPrefix(escaped, "/"), "/")
	if trimmed == "" {
		return nil, true
	}
	raw := strings.Split(trimmed, "/")
	parts := make([]string, len(raw))
	for i, r := range raw {
		p, err := url.PathUnescape(r)
		if err != nil {
			return nil, false
		}
		parts[i] = p
	}
	return parts, true
}
