package store

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/livehelp/livehelp/infra/templatecheck"
)

// TestTableMatchesTemplate fails when the keys and indexes this package uses
// drift from the table template.yaml defines.
func TestTableMatchesTemplate(t *testing.T) {
	path, err := templatecheck.RepoTemplate()
	if err != nil {
		t.Fatal(err)
	}
	got, err := templatecheck.TableSchema(path)
	if err != nil {
		t.Fatal(err)
	}
	want := templatecheck.Table{
		LogicalID:    "Table",
		BillingMode:  "PAY_PER_REQUEST",
		PartitionKey: templatecheck.Key{Name: attrPK, Type: "S"},
		SortKey:      templatecheck.Key{Name: attrSK, Type: "S"},
		TTLAttribute: attrTTL,
		GSIs: []templatecheck.Index{
			{Name: indexGSI1, PartitionKey: templatecheck.Key{Name: attrGSI1PK, Type: "S"}, SortKey: templatecheck.Key{Name: attrGSI1SK, Type: "S"}, Projection: "ALL"},
			{Name: indexGSI2, PartitionKey: templatecheck.Key{Name: attrGSI2PK, Type: "S"}, SortKey: templatecheck.Key{Name: attrGSI2SK, Type: "S"}, Projection: "ALL"},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("template table differs from the store's (-store +template):\n%s", diff)
	}
}
