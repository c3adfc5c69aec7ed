package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/livehelp/livehelp/infra/faults"
)

// figure is one BENCH line.
type figure struct {
	Name  string
	Value float64
	Unit  string
	Prec  int // decimals printed
}

// String formats the line exactly as `BENCH <name> <value> <unit>`.
func (f figure) String() string {
	return fmt.Sprintf("BENCH %s %s %s", f.Name, strconv.FormatFloat(round(f.Value, f.Prec), 'f', -1, 64), f.Unit)
}

// round rounds v to prec decimals.
func round(v float64, prec int) float64 {
	p := math.Pow(10, float64(prec))
	return math.Round(v*p) / p
}

// report prints figures as they are measured and remembers the missing
// ones. Its methods are safe for concurrent use.
type report struct {
	out, log io.Writer

	mu      sync.Mutex
	figures []figure
	missing map[string]string // name → why
}

func newReport(out, log io.Writer) *report {
	return &report{out: out, log: log, missing: map[string]string{}}
}

// add prints one figure.
func (r *report) add(name string, value float64, unit string, prec int) {
	f := figure{Name: name, Value: value, Unit: unit, Prec: prec}
	r.mu.Lock()
	defer r.mu.Unlock()
	if math.IsNaN(value) || math.IsInf(value, 0) {
		r.missing[name] = "not a number"
		fmt.Fprintf(r.log, "bench: %s missing: not a number\n", name)
		return
	}
	r.figures = append(r.figures, f)
	delete(r.missing, name)
	fmt.Fprintln(r.out, f)
}

// miss records a figure that could not be measured.
func (r *report) miss(name, why string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.missing[name] = why
	fmt.Fprintf(r.log, "bench: %s missing: %s\n", name, why)
}

// note writes a remark to the log.
func (r *report) note(format string, args ...any) {
	fmt.Fprintf(r.log, "bench: "+format+"\n", args...)
}

// missed returns the names of the missing figures, sorted.
func (r *report) missed() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var names []string
	for n := range r.missing {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// percentile returns the p-th percentile (0 to 100) of ds, nearest rank.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// ms returns d in milliseconds.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// meter measures the DynamoDB requests of spans of the run: from the EMF
// lines the functions write (SDK middleware, the source of truth) and, as a
// cross-check and a fallback for functions that do not write EMF yet, on
// the wire through a counting proxy.
type meter struct {
	emf  *collector
	wire *faults.Proxy
	rep  *report
}

// mark is a point of the run.
type mark struct {
	emf  usage
	wire faults.Stats
}

// mark returns the counts now.
func (m *meter) mark() mark {
	mk := mark{emf: m.emf.snapshot()}
	if m.wire != nil {
		mk.wire = m.wire.Stats()
	}
	return mk
}

// cost is what one function did during a span.
type cost struct {
	ops         map[string]float64 // by DynamoDB operation
	requests    float64            // all operations
	invocations int64              // EMF lines (0 when counted on the wire)
	source      string             // "emf" or "wire"
}

// writes returns the write calls.
func (c cost) writes() float64 {
	var n float64
	for _, op := range writeOps {
		n += c.ops[op]
	}
	return n
}

// since returns function fn's cost since from. It waits up to 3 s for fn's
// EMF lines to reach want invocations (a line is written just after the
// invocation answers); when fn wrote none, it falls back to the wire count
// of the span, which is only fn's if fn was the only function called.
func (m *meter) since(ctx context.Context, from mark, fn string, want int64) cost {
	deadline := time.Now().Add(3 * time.Second)
	for {
		u := m.emf.snapshot().since(from.emf)
		if n := u.invocations(fn); n >= want || time.Now().After(deadline) || ctx.Err() != nil {
			if n > 0 {
				c := cost{ops: map[string]float64{}, invocations: n, source: "emf"}
				for k, v := range u.sums[fn] {
					if isOperation(k) {
						c.ops[k] = v
					}
				}
				c.requests = u.get(fn, "DynamoDBRequests")
				if n < want {
					m.rep.note("%s: %d EMF lines, expected %d", fn, n, want)
				}
				return c
			}
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	c := cost{ops: map[string]float64{}, source: "wire"}
	if m.wire == nil {
		m.rep.note("%s wrote no EMF line and -wire=false: no count", fn)
		c.source = "none"
		return c
	}
	now := m.wire.Stats()
	for op, n := range now.Requests {
		if d := float64(n - from.wire.Requests[op]); d > 0 {
			c.ops[op] = d
			c.requests += d
		}
	}
	m.rep.note("%s wrote no EMF line: its DynamoDB requests are counted on the wire (apply the metrics wiring to functions/%s/main.go)", fn, fn)
	return c
}

// operations are the DynamoDB operation names an EMF line may carry.
var operations = []string{"GetItem", "BatchGetItem", "TransactGetItems", "Query", "Scan",
	"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems",
	"ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction", "DescribeTable", "CreateTable", "ListTables"}

func isOperation(name string) bool { return slices.Contains(operations, name) }

// has reports whether figure name was measured.
func (r *report) has(name string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.ContainsFunc(r.figures, func(f figure) bool { return f.Name == name })
}
