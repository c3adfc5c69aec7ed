package templatecheck

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestTableSchema(t *testing.T) {
	got, err := TableSchema(repoTemplate)
	if err != nil {
		t.Fatal(err)
	}
	want := Table{
		LogicalID:    "Table",
		BillingMode:  "PAY_PER_REQUEST",
		PartitionKey: Key{Name: "PK", Type: "S"},
		SortKey:      Key{Name: "SK", Type: "S"},
		TTLAttribute: "ttl",
		GSIs: []Index{
			{Name: "GSI1", PartitionKey: Key{Name: "GSI1PK", Type: "S"}, SortKey: Key{Name: "GSI1SK", Type: "S"}, Projection: "ALL"},
			{Name: "GSI2", PartitionKey: Key{Name: "GSI2PK", Type: "S"}, SortKey: Key{Name: "GSI2SK", Type: "S"}, Projection: "ALL"},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("TableSchema (-want +got):\n%s", diff)
	}
	if ix, ok := got.Index("GSI2"); !ok || ix.PartitionKey.Name != "GSI2PK" {
		t.Errorf("Index(GSI2) = %+v, %v", ix, ok)
	}
	if _, ok := got.Index("GSI9"); ok {
		t.Error("Index(GSI9) found an index that does not exist")
	}
}

func TestTableSchemaErrors(t *testing.T) {
	const table = `
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions: [{ AttributeName: PK, AttributeType: S }]
      KeySchema: [{ AttributeName: PK, KeyType: HASH }]
      TimeToLiveSpecification: { AttributeName: ttl, Enabled: false }
`
	tests := []struct {
		name, src, want string
	}{
		{"no table", "Resources:\n  Q: { Type: AWS::SQS::Queue }\n", "found 0"},
		{"two tables", table + "  Other:\n    Type: AWS::DynamoDB::Table\n", "found 2"},
		{"undefined key", strings.Replace(table, "KeySchema: [{ AttributeName: PK", "KeySchema: [{ AttributeName: ID", 1), `key "ID" has no AttributeDefinition`},
		{"no hash key", strings.Replace(table, "KeyType: HASH", "KeyType: RANGE", 1), "no HASH key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := writeRepo(t, tt.src)
			_, err := TableSchema(filepath.Join(root, "template.yaml"))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("TableSchema error = %v, want one containing %q", err, tt.want)
			}
		})
	}
	t.Run("defaults", func(t *testing.T) {
		root := writeRepo(t, table)
		got, err := TableSchema(filepath.Join(root, "template.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		want := Table{LogicalID: "Table", BillingMode: "PROVISIONED", PartitionKey: Key{Name: "PK", Type: "S"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("TableSchema (-want +got):\n%s", diff)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		if _, err := TableSchema(filepath.Join(t.TempDir(), "none.yaml")); err == nil {
			t.Error("TableSchema of a missing file succeeded")
		}
	})
}

// TestCFNLint runs cfn-lint (which applies the SAM transform) on the
// template when it is installed; CI installs it from
// localstack/requirements.txt. Any output is a finding.
func TestCFNLint(t *testing.T) {
	if testing.Short() {
		t.Skip("cfn-lint takes seconds")
	}
	lint, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Skip("cfn-lint is not installed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, lint, "--", repoTemplate).CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Errorf("cfn-lint %s: %v\n%s", repoTemplate, err, out)
	}
}
