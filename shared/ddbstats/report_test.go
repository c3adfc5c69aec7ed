package ddbstats_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/livehelp/livehelp/shared/ddbstats"
)

// sample is a report of two processes' worth of work.
var sample = ddbstats.Report{
	Calls:    map[string]int64{"GetItem": 2, "Query": 3, "Scan": 1, "PutItem": 1, "TransactWriteItems": 2, "DescribeTable": 4},
	Attempts: map[string]int64{"GetItem": 3, "Query": 3, "Scan": 1, "PutItem": 1, "TransactWriteItems": 4, "DescribeTable": 4},
	Errors:   map[string]int64{"TransactWriteItems": 1},
	Items:    map[string]int64{"GetItem": 2, "Query": 10, "Scan": 7, "PutItem": 1, "TransactWriteItems": 5},
}

func TestReportTotals(t *testing.T) {
	tests := []struct {
		name string
		fn   func(ddbstats.Report) int64
		want int64
	}{
		{"Count(Query)", func(r ddbstats.Report) int64 { return r.Count("Query") }, 3},
		{"Count(absent)", func(r ddbstats.Report) int64 { return r.Count("BatchGetItem") }, 0},
		{"Reads", ddbstats.Report.Reads, 6}, // DescribeTable is neither a read nor a write
		{"Writes", ddbstats.Report.Writes, 3},
		{"Scans", ddbstats.Report.Scans, 1},
		{"Retries", ddbstats.Report.Retries, 3},
		{"ItemsRead", ddbstats.Report.ItemsRead, 19},
		{"ItemsWritten", ddbstats.Report.ItemsWritten, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.fn(sample); got != tt.want {
				t.Errorf("%s = %d, want %d", tt.name, got, tt.want)
			}
		})
	}
}

func TestReportAddSub(t *testing.T) {
	other := ddbstats.Report{
		Calls:    map[string]int64{"GetItem": 1, "BatchGetItem": 1},
		Attempts: map[string]int64{"GetItem": 1, "BatchGetItem": 1},
		Items:    map[string]int64{"GetItem": 1, "BatchGetItem": 4},
	}
	sum := sample.Add(other)
	want := ddbstats.Report{
		Calls:    map[string]int64{"GetItem": 3, "BatchGetItem": 1, "Query": 3, "Scan": 1, "PutItem": 1, "TransactWriteItems": 2, "DescribeTable": 4},
		Attempts: map[string]int64{"GetItem": 4, "BatchGetItem": 1, "Query": 3, "Scan": 1, "PutItem": 1, "TransactWriteItems": 4, "DescribeTable": 4},
		Errors:   map[string]int64{"TransactWriteItems": 1},
		Items:    map[string]int64{"GetItem": 3, "BatchGetItem": 4, "Query": 10, "Scan": 7, "PutItem": 1, "TransactWriteItems": 5},
	}
	if diff := cmp.Diff(want, sum); diff != "" {
		t.Errorf("Add (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(sample, sum.Sub(other)); diff != "" {
		t.Errorf("Add then Sub (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(ddbstats.Report{}, sample.Sub(sample)); diff != "" {
		t.Errorf("r.Sub(r) is not empty (-want +got):\n%s", diff)
	}
	if sample.Calls["GetItem"] != 2 || other.Calls["GetItem"] != 1 {
		t.Error("Add or Sub modified an operand")
	}
	if diff := cmp.Diff([]string{"DescribeTable", "GetItem", "PutItem", "Query", "Scan", "TransactWriteItems"}, sample.Operations()); diff != "" {
		t.Errorf("Operations (-want +got):\n%s", diff)
	}
}

func TestReportJSON(t *testing.T) {
	r := ddbstats.Report{
		Calls:    map[string]int64{"GetItem": 1},
		Attempts: map[string]int64{"GetItem": 2},
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"calls":{"GetItem":1},"attempts":{"GetItem":2}}`; got != want {
		t.Errorf("JSON = %s, want %s", got, want)
	}
	var back ddbstats.Report
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r, back); diff != "" {
		t.Errorf("JSON round trip (-want +got):\n%s", diff)
	}
}

func TestCounterReportIsACopy(t *testing.T) {
	counter := countedCounter(t)
	r := counter.Report()
	r.Calls["GetItem"] = 100
	r.Items["Scan"] = 7
	snap := counter.Snapshot()
	snap["GetItem"] = 50
	if diff := cmp.Diff(oneGet, counter.Report()); diff != "" {
		t.Errorf("changing a returned Report changed the counter (-want +got):\n%s", diff)
	}
	if empty := new(ddbstats.Counter).Snapshot(); empty == nil || len(empty) != 0 {
		t.Errorf("Snapshot of a new Counter = %#v, want an empty, non-nil map", empty)
	}
}
