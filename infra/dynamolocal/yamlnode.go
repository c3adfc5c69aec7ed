package dynamolocal

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// node is a YAML node with its dotted path in the template, for errors.
type node struct {
	n    *yaml.Node // nil for an absent optional field
	path string
}

// pair is one key and value of a mapping.
type pair struct {
	key   string
	value node
}

// at wraps n, unwrapping a document node and following aliases.
func at(n *yaml.Node, path string) node {
	for n != nil && (n.Kind == yaml.DocumentNode || n.Kind == yaml.AliasNode) {
		if n.Kind == yaml.AliasNode {
			n = n.Alias
		} else if len(n.Content) > 0 {
			n = n.Content[0]
		} else {
			n = nil
		}
	}
	return node{n: n, path: path}
}

// join appends key to the path.
func (n node) join(key string) string {
	if n.path == "" {
		return key
	}
	return n.path + "." + key
}

// where names the node for an error message.
func (n node) where() string {
	if n.n == nil {
		return n.path
	}
	return fmt.Sprintf("%s (line %d)", n.path, n.n.Line)
}

// intrinsic reports the CloudFormation function a node calls, in short
// form (!Ref x) or long form ({"Fn::If": ...}), or "" for a literal.
func (n node) intrinsic() string {
	if strings.HasPrefix(n.n.Tag, "!") && !strings.HasPrefix(n.n.Tag, "!!") {
		return n.n.Tag
	}
	if n.n.Kind == yaml.MappingNode && len(n.n.Content) == 2 {
		if k := n.n.Content[0].Value; k == "Ref" || strings.HasPrefix(k, "Fn::") {
			return k
		}
	}
	return ""
}

// unsupported is the error for an intrinsic function where a literal is
// needed: a local table cannot evaluate parameters or conditions.
func (n node) unsupported(fn string) error {
	return fmt.Errorf("%s: intrinsic function %s is not supported here; use a literal value", n.where(), fn)
}

// mapping returns the key/value pairs of a mapping node.
func (n node) mapping() ([]pair, error) {
	if fn := n.intrinsic(); fn != "" {
		return nil, n.unsupported(fn)
	}
	if n.n.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: want a mapping", n.where())
	}
	pairs := make([]pair, 0, len(n.n.Content)/2)
	for i := 0; i+1 < len(n.n.Content); i += 2 {
		key := n.n.Content[i].Value
		pairs = append(pairs, pair{key: key, value: at(n.n.Content[i+1], n.join(key))})
	}
	return pairs, nil
}

// field returns the value of key in a mapping node. A missing key is an
// error when required, else a node with a nil n.
func (n node) field(key string, required bool) (node, error) {
	pairs, err := n.mapping()
	if err != nil {
		return node{}, err
	}
	for _, p := range pairs {
		if p.key == key {
			return p.value, nil
		}
	}
	if required {
		return node{}, fmt.Errorf("%s: missing", n.join(key))
	}
	return node{path: n.join(key)}, nil
}

// scalar returns the literal value of a scalar node.
func (n node) scalar() (string, error) {
	if fn := n.intrinsic(); fn != "" {
		return "", n.unsupported(fn)
	}
	if n.n.Kind != yaml.ScalarNode {
		return "", fmt.Errorf("%s: want a literal value", n.where())
	}
	return n.n.Value, nil
}

// str returns the literal value of the required field key.
func (n node) str(key string) (string, error) {
	f, err := n.field(key, true)
	if err != nil {
		return "", err
	}
	return f.scalar()
}

// enum returns the required field key, which must be one of allowed.
func (n node) enum(key string, allowed []string) (string, error) {
	f, err := n.field(key, true)
	if err != nil {
		return "", err
	}
	s, err := f.scalar()
	if err != nil {
		return "", err
	}
	if !slices.Contains(allowed, s) {
		return "", fmt.Errorf("%s: %q is not one of %s", f.where(), s, strings.Join(allowed, ", "))
	}
	return s, nil
}

// bool returns the required boolean field key.
func (n node) bool(key string) (bool, error) {
	f, err := n.field(key, true)
	if err != nil {
		return false, err
	}
	s, err := f.scalar()
	if err != nil {
		return false, err
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, fmt.Errorf("%s: %q is not a boolean", f.where(), s)
	}
	return b, nil
}

// each calls fn for every item of a sequence node.
func (n node) each(fn func(node) error) error {
	if fn := n.intrinsic(); fn != "" {
		return n.unsupported(fn)
	}
	if n.n.Kind != yaml.SequenceNode {
		return fmt.Errorf("%s: want a list", n.where())
	}
	for i, item := range n.n.Content {
		if err := fn(at(item, n.path+"["+strconv.Itoa(i)+"]")); err != nil {
			return err
		}
	}
	return nil
}

// only reports the first key of a mapping node that is not in keys.
func (n node) only(keys ...string) error {
	pairs, err := n.mapping()
	if err != nil {
		return err
	}
	for _, p := range pairs {
		if !slices.Contains(keys, p.key) {
			return fmt.Errorf("%s: unsupported property", p.value.where())
		}
	}
	return nil
}
