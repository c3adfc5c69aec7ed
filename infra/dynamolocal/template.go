package dynamolocal

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// ignoredProperties are table properties with no effect on a local copy of
// the table (naming is the caller's; backups, encryption, tags, deletion
// protection and table class do not change how it is used).
var ignoredProperties = []string{
	"TableName", "PointInTimeRecoverySpecification", "SSESpecification", "Tags",
	"DeletionProtectionEnabled", "ContributorInsightsSpecification", "TableClass",
	"ResourcePolicy", "WarmThroughput", "OnDemandThroughput",
}

// ignoredIndexProperties are the index properties ignored for the same reason.
var ignoredIndexProperties = []string{"ContributorInsightsSpecification", "OnDemandThroughput", "WarmThroughput"}

// convertTable maps the Properties node of a table.
func convertTable(props node) (*Table, error) {
	pairs, err := props.mapping()
	if err != nil {
		return nil, err
	}
	in := &dynamodb.CreateTableInput{BillingMode: types.BillingModePayPerRequest}
	t := &Table{Input: in}
	for _, p := range pairs {
		switch p.key {
		case "AttributeDefinitions":
			in.AttributeDefinitions, err = attributeDefinitions(p.value)
		case "KeySchema":
			in.KeySchema, err = keySchema(p.value)
		case "GlobalSecondaryIndexes":
			err = p.value.each(func(n node) error {
				name, keys, proj, err := index(n)
				in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes,
					types.GlobalSecondaryIndex{IndexName: &name, KeySchema: keys, Projection: proj})
				return err
			})
		case "LocalSecondaryIndexes":
			err = p.value.each(func(n node) error {
				name, keys, proj, err := index(n)
				in.LocalSecondaryIndexes = append(in.LocalSecondaryIndexes,
					types.LocalSecondaryIndex{IndexName: &name, KeySchema: keys, Projection: proj})
				return err
			})
		case "BillingMode":
			var mode string
			if mode, err = p.value.scalar(); err == nil && mode != string(types.BillingModePayPerRequest) {
				err = fmt.Errorf("%s: %q is not supported, only PAY_PER_REQUEST", p.value.where(), mode)
			}
		case "StreamSpecification":
			in.StreamSpecification, err = streamSpecification(p.value)
		case "TimeToLiveSpecification":
			t.TTLAttribute, err = ttlAttribute(p.value)
		default:
			if !slices.Contains(ignoredProperties, p.key) {
				err = fmt.Errorf("%s: unsupported table property", p.value.where())
			}
		}
		if err != nil {
			return nil, err
		}
	}
	if err := checkKeys(props, in); err != nil {
		return nil, err
	}
	return t, nil
}

// attributeDefinitions maps a list of {AttributeName, AttributeType}.
func attributeDefinitions(n node) ([]types.AttributeDefinition, error) {
	var defs []types.AttributeDefinition
	err := n.each(func(item node) error {
		name, err := item.str("AttributeName")
		if err != nil {
			return err
		}
		typ, err := item.enum("AttributeType", names(types.ScalarAttributeType("").Values()))
		if err != nil {
			return err
		}
		defs = append(defs, types.AttributeDefinition{AttributeName: &name, AttributeType: types.ScalarAttributeType(typ)})
		return item.only("AttributeName", "AttributeType")
	})
	return defs, err
}

// keySchema maps a list of {AttributeName, KeyType}.
func keySchema(n node) ([]types.KeySchemaElement, error) {
	var keys []types.KeySchemaElement
	err := n.each(func(item node) error {
		name, err := item.str("AttributeName")
		if err != nil {
			return err
		}
		typ, err := item.enum("KeyType", names(types.KeyType("").Values()))
		if err != nil {
			return err
		}
		keys = append(keys, types.KeySchemaElement{AttributeName: &name, KeyType: types.KeyType(typ)})
		return item.only("AttributeName", "KeyType")
	})
	if err == nil && (len(keys) == 0 || len(keys) > 2 || keys[0].KeyType != types.KeyTypeHash ||
		(len(keys) == 2 && keys[1].KeyType != types.KeyTypeRange)) {
		err = fmt.Errorf("%s: want a HASH key optionally followed by a RANGE key", n.path)
	}
	return keys, err
}

// index maps one secondary index: IndexName, KeySchema and Projection.
func index(n node) (string, []types.KeySchemaElement, *types.Projection, error) {
	name, err := n.str("IndexName")
	if err != nil {
		return "", nil, nil, err
	}
	ks, err := n.field("KeySchema", true)
	if err != nil {
		return "", nil, nil, err
	}
	keys, err := keySchema(ks)
	if err != nil {
		return "", nil, nil, err
	}
	pn, err := n.field("Projection", true)
	if err != nil {
		return "", nil, nil, err
	}
	typ, err := pn.enum("ProjectionType", names(types.ProjectionType("").Values()))
	if err != nil {
		return "", nil, nil, err
	}
	proj := &types.Projection{ProjectionType: types.ProjectionType(typ)}
	if nk, err := pn.field("NonKeyAttributes", false); err != nil {
		return "", nil, nil, err
	} else if nk.n != nil {
		err = nk.each(func(a node) error {
			s, err := a.scalar()
			proj.NonKeyAttributes = append(proj.NonKeyAttributes, s)
			return err
		})
		if err != nil {
			return "", nil, nil, err
		}
	}
	if err := pn.only("ProjectionType", "NonKeyAttributes"); err != nil {
		return "", nil, nil, err
	}
	allowed := append([]string{"IndexName", "KeySchema", "Projection"}, ignoredIndexProperties...)
	return name, keys, proj, n.only(allowed...)
}

// streamSpecification maps {StreamViewType} to an enabled stream.
func streamSpecification(n node) (*types.StreamSpecification, error) {
	view, err := n.enum("StreamViewType", names(types.StreamViewType("").Values()))
	if err != nil {
		return nil, err
	}
	enabled := true
	return &types.StreamSpecification{StreamEnabled: &enabled, StreamViewType: types.StreamViewType(view)},
		n.only("StreamViewType")
}

// ttlAttribute returns AttributeName when Enabled is true, else "".
func ttlAttribute(n node) (string, error) {
	name, err := n.str("AttributeName")
	if err != nil {
		return "", err
	}
	enabled, err := n.bool("Enabled")
	if err != nil {
		return "", err
	}
	if err := n.only("AttributeName", "Enabled"); err != nil || !enabled {
		return "", err
	}
	return name, nil
}

// checkKeys reports key attributes missing from AttributeDefinitions.
func checkKeys(props node, in *dynamodb.CreateTableInput) error {
	if len(in.KeySchema) == 0 {
		return fmt.Errorf("%s.KeySchema: missing", props.path)
	}
	defined := map[string]bool{}
	for _, d := range in.AttributeDefinitions {
		defined[*d.AttributeName] = true
	}
	keys := slices.Clone(in.KeySchema)
	for _, g := range in.GlobalSecondaryIndexes {
		keys = append(keys, g.KeySchema...)
	}
	for _, l := range in.LocalSecondaryIndexes {
		keys = append(keys, l.KeySchema...)
	}
	var missing []string
	for _, k := range keys {
		if !defined[*k.AttributeName] && !slices.Contains(missing, *k.AttributeName) {
			missing = append(missing, *k.AttributeName)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s.AttributeDefinitions: no definition for key attribute(s) %s",
			props.path, strings.Join(missing, ", "))
	}
	return nil
}

// names converts SDK enum values to strings.
func names[E ~string](values []E) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}
