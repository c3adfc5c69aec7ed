package templatecheck

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Template is a SAM template decoded into plain Go values: maps are
// map[string]any, lists are []any, scalars are string, int, float64 or bool.
// Short-form intrinsic tags are expanded: !Ref X becomes map{"Ref": "X"},
// !GetAtt A.B becomes map{"Fn::GetAtt": []any{"A", "B"}}, and any other !Fn
// becomes map{"Fn::Fn": value}.
type Template struct {
	Globals    map[string]any
	Parameters map[string]Parameter
	Conditions map[string]any
	Resources  map[string]Resource
	Outputs    map[string]any
}

// Parameter is one entry of the template's Parameters section.
type Parameter struct {
	Type           string
	Description    string
	Default        any // meaningful only when HasDefault is true
	HasDefault     bool
	AllowedValues  []any
	AllowedPattern string
	MinValue       *float64
	MaxValue       *float64
}

// Resource is one entry of the template's Resources section.
type Resource struct {
	Type                string
	Condition           string
	DeletionPolicy      string
	UpdateReplacePolicy string
	Metadata            map[string]any
	Properties          map[string]any
}

// serverlessFunction is the SAM resource type of a Lambda function.
const serverlessFunction = "AWS::Serverless::Function"

// Load reads and parses the template at path.
func Load(path string) (*Template, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("templatecheck: %w", err)
	}
	t, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("templatecheck: %s: %w", path, err)
	}
	return t, nil
}

// Parse parses a template from YAML (JSON is YAML too).
func Parse(data []byte) (*Template, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	v, err := decode(&doc)
	if err != nil {
		return nil, err
	}
	top, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("template is not a mapping")
	}
	t := &Template{
		Globals:    asMap(top["Globals"]),
		Conditions: asMap(top["Conditions"]),
		Outputs:    asMap(top["Outputs"]),
		Parameters: map[string]Parameter{},
		Resources:  map[string]Resource{},
	}
	for name, raw := range asMap(top["Parameters"]) {
		t.Parameters[name] = parameter(asMap(raw))
	}
	for id, raw := range asMap(top["Resources"]) {
		m := asMap(raw)
		typ, _ := m["Type"].(string)
		if typ == "" {
			return nil, fmt.Errorf("resource %s has no Type", id)
		}
		cond, _ := m["Condition"].(string)
		del, _ := m["DeletionPolicy"].(string)
		upd, _ := m["UpdateReplacePolicy"].(string)
		t.Resources[id] = Resource{
			Type:                typ,
			Condition:           cond,
			DeletionPolicy:      del,
			UpdateReplacePolicy: upd,
			Metadata:            asMap(m["Metadata"]),
			Properties:          asMap(m["Properties"]),
		}
	}
	return t, nil
}

// Check runs every check on t. root is the repository root, the folder that
// holds functions/. It returns all problems found, nil when there are none.
func Check(t *Template, root string) []error {
	var errs []error
	errs = append(errs, CheckFunctionFolders(t, root)...)
	errs = append(errs, CheckEvents(t)...)
	errs = append(errs, CheckWebSocket(t)...)
	errs = append(errs, CheckPolicies(t)...)
	errs = append(errs, CheckParameters(t)...)
	errs = append(errs, CheckEnvironment(t)...)
	errs = append(errs, CheckTable(t)...)
	return errs
}

func parameter(m map[string]any) Parameter {
	p := Parameter{AllowedValues: asList(m["AllowedValues"])}
	p.Type, _ = m["Type"].(string)
	p.Description, _ = m["Description"].(string)
	p.AllowedPattern, _ = m["AllowedPattern"].(string)
	p.Default, p.HasDefault = m["Default"]
	if f, ok := number(m["MinValue"]); ok {
		p.MinValue = &f
	}
	if f, ok := number(m["MaxValue"]); ok {
		p.MaxValue = &f
	}
	return p
}

// ResourcesOfType returns the sorted logical ids of the resources of type typ.
func (t *Template) ResourcesOfType(typ string) []string {
	var ids []string
	for id, r := range t.Resources {
		if r.Type == typ {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// Functions returns the sorted logical ids of the AWS::Serverless::Function
// resources.
func (t *Template) Functions() []string {
	return t.ResourcesOfType(serverlessFunction)
}

// FunctionEnv returns the environment variables of function id as the
// deployed function sees them: Globals.Function.Environment.Variables
// overridden by the function's own.
func (t *Template) FunctionEnv(id string) map[string]any {
	env := map[string]any{}
	global := asMap(asMap(asMap(t.Globals["Function"])["Environment"])["Variables"])
	for k, v := range global {
		env[k] = v
	}
	own := asMap(asMap(t.Resources[id].Properties["Environment"])["Variables"])
	for k, v := range own {
		env[k] = v
	}
	return env
}

// RepoTemplate returns the path of template.yaml in the repository that
// contains the working directory: the nearest parent holding go.mod. Tests in
// any package can use it to find the template.
func RepoTemplate() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("templatecheck: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "template.yaml"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("templatecheck: no go.mod above the working directory")
		}
		dir = parent
	}
}

// intrinsics maps each short-form tag to the key of its long form.
var intrinsics = map[string]string{
	"!Ref": "Ref", "!Condition": "Condition",
	"!Base64": "Fn::Base64", "!Cidr": "Fn::Cidr", "!FindInMap": "Fn::FindInMap",
	"!GetAtt": "Fn::GetAtt", "!GetAZs": "Fn::GetAZs", "!ImportValue": "Fn::ImportValue",
	"!Join": "Fn::Join", "!Select": "Fn::Select", "!Split": "Fn::Split", "!Sub": "Fn::Sub",
	"!Transform": "Fn::Transform", "!And": "Fn::And", "!Equals": "Fn::Equals",
	"!If": "Fn::If", "!Not": "Fn::Not", "!Or": "Fn::Or", "!Length": "Fn::Length",
	"!ToJsonString": "Fn::ToJsonString",
}

// decode turns a yaml.v3 node into plain values, expanding short-form tags.
func decode(n *yaml.Node) (any, error) {
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		return decodeIntrinsic(n)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, errors.New("empty document")
		}
		return decode(n.Content[0])
	case yaml.AliasNode:
		return decode(n.Alias)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := decode(c)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode || k.Tag == "!!merge" {
				return nil, fmt.Errorf("line %d: unsupported mapping key", k.Line)
			}
			if _, dup := out[k.Value]; dup {
				return nil, fmt.Errorf("line %d: duplicate key %q", k.Line, k.Value)
			}
			v, err := decode(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			out[k.Value] = v
		}
		return out, nil
	default:
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, fmt.Errorf("line %d: %w", n.Line, err)
		}
		return v, nil
	}
}

func decodeIntrinsic(n *yaml.Node) (any, error) {
	key, ok := intrinsics[n.Tag]
	if !ok {
		return nil, fmt.Errorf("line %d: unknown tag %s", n.Line, n.Tag)
	}
	if n.Kind == yaml.ScalarNode {
		if key == "Fn::GetAtt" {
			res, attr, found := strings.Cut(n.Value, ".")
			if !found || res == "" || attr == "" {
				return nil, fmt.Errorf("line %d: !GetAtt %q is not Resource.Attribute", n.Line, n.Value)
			}
			return map[string]any{key: []any{res, attr}}, nil
		}
		return map[string]any{key: n.Value}, nil
	}
	plain := *n
	plain.Tag = ""
	v, err := decode(&plain)
	if err != nil {
		return nil, err
	}
	return map[string]any{key: v}, nil
}
