package template

import (
	"fmt"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// fn is an intrinsic function call found in the template, such as
// {"Ref": "Table"} or !Sub "...". name is the long form ("Ref",
// "Fn::Sub", "Condition").
type fn struct {
	name string
	arg  any
}

// noValue is the result of !Ref AWS::NoValue: the enclosing key or list
// element is removed.
type noValue struct{}

// shortTags maps YAML short-form tags to intrinsic names.
var shortTags = map[string]string{
	"!Ref":          "Ref",
	"!Condition":    "Condition",
	"!Sub":          "Fn::Sub",
	"!GetAtt":       "Fn::GetAtt",
	"!Join":         "Fn::Join",
	"!If":           "Fn::If",
	"!Equals":       "Fn::Equals",
	"!Not":          "Fn::Not",
	"!And":          "Fn::And",
	"!Or":           "Fn::Or",
	"!Select":       "Fn::Select",
	"!Split":        "Fn::Split",
	"!FindInMap":    "Fn::FindInMap",
	"!Base64":       "Fn::Base64",
	"!GetAZs":       "Fn::GetAZs",
	"!ImportValue":  "Fn::ImportValue",
	"!Cidr":         "Fn::Cidr",
	"!Transform":    "Fn::Transform",
	"!ToJsonString": "Fn::ToJsonString",
	"!Length":       "Fn::Length",
}

// decodeYAML parses a template document into plain values: nil, string,
// []any, map[string]any and fn. Every scalar stays a string, as
// CloudFormation treats them.
func decodeYAML(data []byte) (map[string]any, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("template: parse YAML: %w", err)
	}
	if doc.Kind == 0 {
		return nil, fmt.Errorf("template: empty document")
	}
	v, err := convert(&doc)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("template: top level is not a mapping")
	}
	return m, nil
}

func convert(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return convert(n.Content[0])
	case yaml.AliasNode:
		return convert(n.Alias)
	}
	v, err := convertPlain(n)
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(n.Tag, "!!") || n.Tag == "" {
		return v, nil
	}
	name, ok := shortTags[n.Tag]
	if !ok {
		return nil, fmt.Errorf("template: line %d: unknown YAML tag %s", n.Line, n.Tag)
	}
	if name == "Fn::GetAtt" {
		if s, ok := v.(string); ok {
			res, attr, found := strings.Cut(s, ".")
			if !found {
				return nil, fmt.Errorf("template: line %d: !GetAtt %q is not Resource.Attribute", n.Line, s)
			}
			v = []any{res, attr}
		}
	}
	return fn{name: name, arg: v}, nil
}

// convertPlain converts a node ignoring its own custom tag.
func convertPlain(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return nil, nil
		}
		return n.Value, nil
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := convert(c)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		return convertMapping(n)
	case yaml.AliasNode:
		return convert(n.Alias)
	}
	return nil, fmt.Errorf("template: line %d: unexpected YAML node kind %d", n.Line, n.Kind)
}

func convertMapping(n *yaml.Node) (any, error) {
	out := make(map[string]any, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, vn := n.Content[i], n.Content[i+1]
		v, err := convert(vn)
		if err != nil {
			return nil, err
		}
		if k.Value == "<<" && k.Tag == "!!merge" {
			merged, ok := v.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("template: line %d: merge key needs a mapping", k.Line)
			}
			for mk, mv := range merged {
				if _, exists := out[mk]; !exists {
					out[mk] = mv
				}
			}
			continue
		}
		out[k.Value] = v
	}
	// Long-form intrinsics: a one-key mapping {Ref: x} or {Fn::Name: x}.
	if len(out) == 1 {
		for k, v := range out {
			if k == "Ref" || strings.HasPrefix(k, "Fn::") {
				return fn{name: k, arg: v}, nil
			}
		}
	}
	return out, nil
}

// sortedKeys returns the keys of m in order, for deterministic iteration
// and error messages.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// asMap returns v as a mapping, or an error naming what.
func asMap(v any, what string) (map[string]any, error) {
	if v == nil {
		return map[string]any{}, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s is not a mapping", what)
	}
	return m, nil
}

// asString returns a resolved scalar as a string, or an error naming what.
func asString(v any, what string) (string, error) {
	switch s := v.(type) {
	case string:
		return s, nil
	case nil:
		return "", nil
	}
	return "", fmt.Errorf("%s is not a string", what)
}

// asStrings returns a resolved scalar or list of scalars as strings.
func asStrings(v any, what string) ([]string, error) {
	switch s := v.(type) {
	case nil:
		return nil, nil
	case string:
		return []string{s}, nil
	case []string:
		return s, nil
	case []any:
		out := make([]string, 0, len(s))
		for i, e := range s {
			str, err := asString(e, fmt.Sprintf("%s[%d]", what, i))
			if err != nil {
				return nil, err
			}
			out = append(out, str)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s is not a list of strings", what)
}

// mergeGlobals merges a Globals section into resource properties the way
// SAM does: the resource's scalars win, mappings merge recursively, lists
// are appended after the global entries.
func mergeGlobals(global, local any) any {
	gm, gok := global.(map[string]any)
	lm, lok := local.(map[string]any)
	if gok && lok {
		out := make(map[string]any, len(gm)+len(lm))
		for k, v := range gm {
			out[k] = v
		}
		for k, v := range lm {
			if g, ok := out[k]; ok {
				out[k] = mergeGlobals(g, v)
			} else {
				out[k] = v
			}
		}
		return out
	}
	gl, gok := global.([]any)
	ll, lok := local.([]any)
	if gok && lok {
		return append(append([]any{}, gl...), ll...)
	}
	if local == nil {
		return global
	}
	return local
}
