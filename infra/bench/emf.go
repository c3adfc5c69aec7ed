package main

import (
	"bytes"
	"errors"
	"io"
	"maps"
	"sync"

	"github.com/livehelp/livehelp/shared/metrics"
)

// collector is the stack's log writer (stack.Options.Log): it passes the
// output on and sums the EMF lines the functions write after each
// invocation (shared/metrics), by function and metric.
//
// Several process pools write to it at once, each Write being a chunk of
// one process's output. Lines are reassembled across chunks; a line that
// another process's chunk cut in two fails to decode and is counted in
// Malformed, so a lost line never goes unnoticed.
type collector struct {
	out io.Writer // the log, or io.Discard

	mu        sync.Mutex
	partial   []byte
	sums      map[string]map[string]float64 // function → metric → sum
	lines     map[string]int64              // function → EMF lines (invocations)
	malformed int64
}

func newCollector(out io.Writer) *collector {
	return &collector{out: out, sums: map[string]map[string]float64{}, lines: map[string]int64{}}
}

// Write implements io.Writer.
func (c *collector) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, _ = c.out.Write(p)
	data := append(c.partial, p...)
	for {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			break
		}
		c.line(data[:i])
		data = data[i+1:]
	}
	c.partial = append([]byte(nil), data...)
	if len(c.partial) > 1<<20 { // not line-oriented output; give up on it
		c.partial = nil
	}
	return len(p), nil
}

// line adds one complete line; c.mu is held.
func (c *collector) line(l []byte) {
	if !bytes.Contains(l, []byte(`"_aws"`)) {
		return
	}
	rec, err := metrics.Decode(l)
	if errors.Is(err, metrics.ErrNotEMF) {
		return
	}
	if err != nil {
		c.malformed++
		return
	}
	m := c.sums[rec.Function]
	if m == nil {
		m = map[string]float64{}
		c.sums[rec.Function] = m
	}
	for k, v := range rec.Values {
		m[k] += v
	}
	c.lines[rec.Function]++
}

// usage is what the functions reported over a span of the run.
type usage struct {
	sums  map[string]map[string]float64
	lines map[string]int64
}

// snapshot returns the totals so far.
func (c *collector) snapshot() usage {
	c.mu.Lock()
	defer c.mu.Unlock()
	u := usage{sums: map[string]map[string]float64{}, lines: maps.Clone(c.lines)}
	for fn, m := range c.sums {
		u.sums[fn] = maps.Clone(m)
	}
	return u
}

// Malformed returns the number of EMF lines that could not be decoded.
func (c *collector) Malformed() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.malformed
}

// since returns what happened between an earlier snapshot and this one.
func (u usage) since(before usage) usage {
	d := usage{sums: map[string]map[string]float64{}, lines: map[string]int64{}}
	for fn, m := range u.sums {
		dm := map[string]float64{}
		for k, v := range m {
			if x := v - before.sums[fn][k]; x != 0 {
				dm[k] = x
			}
		}
		d.sums[fn] = dm
	}
	for fn, n := range u.lines {
		d.lines[fn] = n - before.lines[fn]
	}
	return d
}

// get returns function fn's metric name.
func (u usage) get(fn, name string) float64 { return u.sums[fn][name] }

// invocations returns how many EMF lines function fn wrote.
func (u usage) invocations(fn string) int64 { return u.lines[fn] }

// total returns metric name summed over every function.
func (u usage) total(name string) float64 {
	var t float64
	for _, m := range u.sums {
		t += m[name]
	}
	return t
}

// writeOps are the DynamoDB operations that write (shared/ddbstats).
var writeOps = []string{"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}

// writes returns function fn's write calls.
func (u usage) writes(fn string) float64 {
	var t float64
	for _, op := range writeOps {
		t += u.get(fn, op)
	}
	return t
}
