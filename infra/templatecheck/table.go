package templatecheck

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
)

// Table is the schema of the template's DynamoDB table in plain terms, for
// code that must agree with it (the store's key builders and its tests, the
// local runner that creates the table in DynamoDB Local).
type Table struct {
	// LogicalID is the table's logical id in the template ("Table").
	LogicalID string
	// BillingMode is PAY_PER_REQUEST or PROVISIONED.
	BillingMode string
	// PartitionKey and SortKey are the table's primary key. SortKey is the
	// zero Key when the table has none.
	PartitionKey Key
	SortKey      Key
	// TTLAttribute is the attribute DynamoDB expires items by, "" if none
	// (or if TTL is disabled).
	TTLAttribute string
	// GSIs are the global secondary indexes, sorted by name.
	GSIs []Index
}

// Key is one key attribute: its name and DynamoDB type ("S", "N" or "B").
type Key struct {
	Name string
	Type string
}

// Index is a global secondary index.
type Index struct {
	Name         string
	PartitionKey Key
	SortKey      Key
	// Projection is the ProjectionType: ALL, KEYS_ONLY or INCLUDE.
	Projection string
}

// Index returns the global secondary index called name.
func (t Table) Index(name string) (Index, bool) {
	for _, ix := range t.GSIs {
		if ix.Name == name {
			return ix, true
		}
	}
	return Index{}, false
}

// contractTable is the table the build contract specifies.
var contractTable = Table{
	LogicalID:    "Table",
	BillingMode:  "PAY_PER_REQUEST",
	PartitionKey: Key{Name: "PK", Type: "S"},
	SortKey:      Key{Name: "SK", Type: "S"},
	TTLAttribute: "ttl",
	GSIs: []Index{
		{Name: "GSI1", PartitionKey: Key{"GSI1PK", "S"}, SortKey: Key{"GSI1SK", "S"}, Projection: "ALL"},
		{Name: "GSI2", PartitionKey: Key{"GSI2PK", "S"}, SortKey: Key{"GSI2SK", "S"}, Projection: "ALL"},
	},
}

// TableSchema loads the template at path and returns the schema of its one
// DynamoDB table. It fails if the template cannot be read or has no table,
// more than one, or a key without an attribute definition.
func TableSchema(path string) (Table, error) {
	t, err := Load(path)
	if err != nil {
		return Table{}, err
	}
	return t.Table()
}

// Table returns the schema of the template's one AWS::DynamoDB::Table.
func (t *Template) Table() (Table, error) {
	ids := t.ResourcesOfType("AWS::DynamoDB::Table")
	if len(ids) != 1 {
		return Table{}, fmt.Errorf("templatecheck: want exactly one AWS::DynamoDB::Table, found %d", len(ids))
	}
	props := t.Resources[ids[0]].Properties
	types := map[string]string{}
	for _, d := range asList(props["AttributeDefinitions"]) {
		m := asMap(d)
		name, _ := m["AttributeName"].(string)
		typ, _ := m["AttributeType"].(string)
		types[name] = typ
	}
	out := Table{LogicalID: ids[0]}
	out.BillingMode, _ = props["BillingMode"].(string)
	if out.BillingMode == "" {
		out.BillingMode = "PROVISIONED" // CloudFormation's default
	}
	var err error
	if out.PartitionKey, out.SortKey, err = keySchema(props["KeySchema"], types); err != nil {
		return Table{}, fmt.Errorf("templatecheck: table %s: %w", ids[0], err)
	}
	if ttl := asMap(props["TimeToLiveSpecification"]); ttl["Enabled"] == true {
		out.TTLAttribute, _ = ttl["AttributeName"].(string)
	}
	for _, g := range asList(props["GlobalSecondaryIndexes"]) {
		m := asMap(g)
		ix := Index{}
		ix.Name, _ = m["IndexName"].(string)
		ix.Projection, _ = asMap(m["Projection"])["ProjectionType"].(string)
		if ix.PartitionKey, ix.SortKey, err = keySchema(m["KeySchema"], types); err != nil {
			return Table{}, fmt.Errorf("templatecheck: index %q: %w", ix.Name, err)
		}
		out.GSIs = append(out.GSIs, ix)
	}
	sort.Slice(out.GSIs, func(i, j int) bool { return out.GSIs[i].Name < out.GSIs[j].Name })
	return out, nil
}

// keySchema reads a KeySchema list into its HASH and RANGE keys.
func keySchema(v any, types map[string]string) (hash, rng Key, err error) {
	for _, e := range asList(v) {
		m := asMap(e)
		name, _ := m["AttributeName"].(string)
		typ, ok := types[name]
		if !ok {
			return Key{}, Key{}, fmt.Errorf("key %q has no AttributeDefinition", name)
		}
		switch m["KeyType"] {
		case "HASH":
			hash = Key{Name: name, Type: typ}
		case "RANGE":
			rng = Key{Name: name, Type: typ}
		default:
			return Key{}, Key{}, fmt.Errorf("key %q has KeyType %v", name, m["KeyType"])
		}
	}
	if hash.Name == "" {
		return Key{}, Key{}, errors.New("no HASH key")
	}
	return hash, rng, nil
}

// CheckTable reports how the table differs from the contract: its schema,
// no TableName, point-in-time recovery, encryption, Retain policies, and no
// attribute definition that no key uses (CloudFormation rejects those).
func CheckTable(t *Template) []error {
	var errs []error
	got, err := t.Table()
	if err != nil {
		return []error{fmt.Errorf("table: %w", err)}
	}
	if !reflect.DeepEqual(got, contractTable) {
		errs = append(errs, fmt.Errorf("table: schema is %+v, the contract says %+v", got, contractTable))
	}
	r := t.Resources[got.LogicalID]
	if r.DeletionPolicy != "Retain" || r.UpdateReplacePolicy != "Retain" {
		errs = append(errs, fmt.Errorf("table: DeletionPolicy %q and UpdateReplacePolicy %q must both be Retain", r.DeletionPolicy, r.UpdateReplacePolicy))
	}
	if _, named := r.Properties["TableName"]; named {
		errs = append(errs, errors.New("table: has a TableName; CloudFormation must name it (functions read TABLE_NAME)"))
	}
	if asMap(r.Properties["PointInTimeRecoverySpecification"])["PointInTimeRecoveryEnabled"] != true {
		errs = append(errs, errors.New("table: point-in-time recovery is not enabled"))
	}
	if asMap(r.Properties["SSESpecification"])["SSEEnabled"] != true {
		errs = append(errs, errors.New("table: SSESpecification.SSEEnabled is not true"))
	}
	used := map[string]bool{got.PartitionKey.Name: true, got.SortKey.Name: true}
	for _, ix := range got.GSIs {
		used[ix.PartitionKey.Name], used[ix.SortKey.Name] = true, true
	}
	for _, d := range asList(r.Properties["AttributeDefinitions"]) {
		if name, _ := asMap(d)["AttributeName"].(string); !used[name] {
			errs = append(errs, fmt.Errorf("table: AttributeDefinition %q is not a key of the table or an index", name))
		}
	}
	return errs
}
