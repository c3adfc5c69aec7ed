package main

import (
	"bytes"
	"io"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/livehelp/livehelp/shared/metrics"
)

// emfLine returns one EMF line of function fn with values.
func emfLine(t *testing.T, fn string, values map[string]float64) []byte {
	t.Helper()
	line, err := metrics.Record{Function: fn, Time: time.Unix(0, 0), Values: values}.MarshalLine()
	if err != nil {
		t.Fatal(err)
	}
	return line
}

func TestCollectorSumsEMFLines(t *testing.T) {
	var out bytes.Buffer
	c := newCollector(&out)
	a := emfLine(t, "chat", map[string]float64{"DynamoDBRequests": 4, "GetItem": 2, "Query": 1, "TransactWriteItems": 1})
	b := emfLine(t, "status", map[string]float64{"DynamoDBRequests": 1, "GetItem": 1})
	before := c.snapshot()
	// A line split over two writes, log lines between, a line that is
	// not EMF, and a broken EMF line.
	writes := [][]byte{a[:10], a[10:], []byte(`{"level":"INFO","msg":"x"}` + "\n"), b, b,
		[]byte(`{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"LiveHelp"` + "\n"), []byte("plain text\n")}
	for _, w := range writes {
		if n, err := c.Write(w); err != nil || n != len(w) {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	u := c.snapshot().since(before)
	want := map[string]map[string]float64{
		"chat":   {"DynamoDBRequests": 4, "GetItem": 2, "Query": 1, "TransactWriteItems": 1},
		"status": {"DynamoDBRequests": 2, "GetItem": 2},
	}
	if diff := cmp.Diff(want, u.sums); diff != "" {
		t.Errorf("sums (-want +got):\n%s", diff)
	}
	if u.invocations("chat") != 1 || u.invocations("status") != 2 || u.writes("chat") != 1 || u.total("GetItem") != 4 {
		t.Errorf("invocations %v, chat writes %v, GetItem total %v", u.lines, u.writes("chat"), u.total("GetItem"))
	}
	if c.Malformed() != 1 {
		t.Errorf("Malformed = %d, want 1", c.Malformed())
	}
	if got := out.Len(); got != totalLen(writes) {
		t.Errorf("passed on %d bytes, want %d", got, totalLen(writes))
	}
}

func totalLen(bs [][]byte) int {
	n := 0
	for _, b := range bs {
		n += len(b)
	}
	return n
}

func TestFigureLines(t *testing.T) {
	tests := []struct {
		f    figure
		want string
	}{
		{figure{"status_dynamodb_requests_cold", 1, "requests", 2}, "BENCH status_dynamodb_requests_cold 1 requests"},
		{figure{"status_p99_ms", 24.1349, "ms", 1}, "BENCH status_p99_ms 24.1 ms"},
		{figure{"chat_dynamodb_writes_per_message", 1.0749, "requests", 2}, "BENCH chat_dynamodb_writes_per_message 1.07 requests"},
		{figure{"ws_connections_held", 2000, "connections", 0}, "BENCH ws_connections_held 2000 connections"},
		{figure{"binary_mb_max", 16.4449, "MB", 2}, "BENCH binary_mb_max 16.44 MB"},
	}
	for _, tt := range tests {
		if got := tt.f.String(); got != tt.want {
			t.Errorf("%+v = %q, want %q", tt.f, got, tt.want)
		}
	}
}

func TestReportMissing(t *testing.T) {
	var out, log bytes.Buffer
	r := newReport(&out, &log)
	r.miss("a", "not measured")
	r.add("b", 1, "x", 0)
	r.miss("c", "later")
	r.add("c", 2, "x", 0)
	var nan float64
	r.add("d", nan/nan, "x", 0)
	if diff := cmp.Diff([]string{"a", "d"}, r.missed()); diff != "" {
		t.Errorf("missed (-want +got):\n%s", diff)
	}
	if got := out.String(); got != "BENCH b 1 x\nBENCH c 2 x\n" {
		t.Errorf("stdout %q", got)
	}
	if !r.has("c") || r.has("a") {
		t.Error("has is wrong")
	}
}

func TestPercentile(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	got := []time.Duration{percentile(ds, 50), percentile(ds, 99), percentile(ds, 100), percentile(ds[:1], 99), percentile(nil, 50)}
	want := []time.Duration{50 * time.Millisecond, 99 * time.Millisecond, 100 * time.Millisecond, 100 * time.Millisecond, 0}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("percentiles (-want +got):\n%s", diff)
	}
	if ds[0] != 100*time.Millisecond {
		t.Error("percentile sorted its input")
	}
}

func TestCollectorDropsRunawayPartialLine(t *testing.T) {
	c := newCollector(io.Discard)
	big := bytes.Repeat([]byte("x"), 2<<20)
	_, _ = c.Write(big)
	_, _ = c.Write(append([]byte("\n"), emfLine(t, "sweep", map[string]float64{"DynamoDBRequests": 2, "Query": 2})...))
	if got := c.snapshot().get("sweep", "Query"); got != 2 {
		t.Errorf("Query after a 2 MB partial line = %v, want 2", got)
	}
}
