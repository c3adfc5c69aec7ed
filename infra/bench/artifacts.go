package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/livehelp/livehelp/infra/faults"
)

// functions are the function folders under functions/.
var functions = []string{"status", "chat", "offline", "sweep", "mailer", "console"}

// widget measures functions/console/web/widget.js gzipped at the best
// compression (widget_gzip_kb, KB of 1024 bytes).
func (b *bench) widget() {
	data, err := os.ReadFile(filepath.Join(b.root, "functions", "console", "web", "widget.js"))
	if err != nil {
		b.rep.miss("widget_gzip_kb", err.Error())
		return
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(data)
	_ = zw.Close()
	b.rep.add("widget_gzip_kb", float64(buf.Len())/1024, "KB", 1)
	b.rep.note("widget.js: %d bytes, %d gzipped", len(data), buf.Len())
}

// binaries builds every function as SAM deploys it (linux/arm64, stripped,
// lambda.norpc) into a temporary folder and reports the largest
// (binary_mb_max, MB of 2^20 bytes).
func (b *bench) binaries(ctx context.Context) {
	dir, err := os.MkdirTemp("", "livehelp-bench-bin-")
	if err != nil {
		b.rep.miss("binary_mb_max", err.Error())
		return
	}
	defer os.RemoveAll(dir)
	t := time.Now()
	sizes := map[string]int64{}
	for _, fn := range functions {
		out := filepath.Join(dir, fn, "bootstrap")
		cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", out, "./functions/"+fn)
		cmd.Dir = b.root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm64")
		if msg, err := cmd.CombinedOutput(); err != nil {
			b.rep.miss("binary_mb_max", fmt.Sprintf("build %s: %v: %s", fn, err, strings.TrimSpace(string(msg))))
			return
		}
		st, err := os.Stat(out)
		if err != nil {
			b.rep.miss("binary_mb_max", err.Error())
			return
		}
		sizes[fn] = st.Size()
	}
	largest := slices.MaxFunc(functions, func(a, c string) int { return int(sizes[a] - sizes[c]) })
	b.rep.add("binary_mb_max", float64(sizes[largest])/(1<<20), "MB", 2)
	var parts []string
	for _, fn := range functions {
		parts = append(parts, fmt.Sprintf("%s %.2f", fn, float64(sizes[fn])/(1<<20)))
	}
	b.rep.note("arm64 binaries (MB): %s; built in %s", strings.Join(parts, ", "), time.Since(t).Round(time.Millisecond))
}

// totals reports what the whole run shows: the slowest cold start of any
// function (init_ms_max) and every Scan any function made
// (dynamodb_scans_total).
//
// A function's cold start is its first process's: the runner starts it on
// the function's first invocation, on a quiet machine, as Lambda starts an
// execution environment with its own CPU share. Processes started later,
// while a load test keeps both cores busy, wait for CPU; their slowest is
// shown on standard error.
func (b *bench) totals() {
	if b.s == nil {
		b.rep.miss("init_ms_max", "the stack did not start")
		b.rep.miss("dynamodb_scans_total", "the stack did not start")
		return
	}
	var worst time.Duration
	var worstFn string
	var parts []string
	for id, p := range b.s.Pools() {
		st := p.Stats()
		if len(st.Processes) == 0 || st.Processes[0].Init == 0 {
			parts = append(parts, id+" never started")
			continue
		}
		first := st.Processes[0].Init
		parts = append(parts, fmt.Sprintf("%s first %.1f ms (%d procs, max %.1f ms)", id, ms(first), len(st.Processes), ms(st.InitMax())))
		if first > worst {
			worst, worstFn = first, id
		}
	}
	slices.Sort(parts)
	switch {
	case worstFn == "":
		b.rep.miss("init_ms_max", "no function process started")
	case len(parts) < len(functions) || slices.ContainsFunc(parts, func(p string) bool { return strings.HasSuffix(p, "never started") }):
		b.rep.add("init_ms_max", ms(worst), "ms", 1)
		b.rep.note("init: %s (slowest %s; some functions never ran)", strings.Join(parts, "; "), worstFn)
	default:
		b.rep.add("init_ms_max", ms(worst), "ms", 1)
		b.rep.note("init: %s (slowest %s)", strings.Join(parts, "; "), worstFn)
	}

	u := b.meter.emf.snapshot()
	var wire faults.Stats
	if b.meter.wire != nil {
		wire = b.meter.wire.Stats()
	}
	var emfRequests float64
	for fn := range u.sums {
		emfRequests += u.get(fn, "DynamoDBRequests")
	}
	fns := 0
	for _, fn := range functions {
		if u.invocations(fn) > 0 {
			fns++
		}
	}
	scans := u.total("Scan")
	source := "emf"
	if fns < len(functions) && b.meter.wire != nil {
		// Some functions write no EMF yet: the wire sees everything.
		scans, source = float64(wire.Requests["Scan"]), "wire"
	}
	b.rep.add("dynamodb_scans_total", scans, "requests", 0)
	b.rep.note("run totals: %.0f DynamoDB requests in EMF lines of %d/%d functions, %d on the wire (%v); scans counted from %s",
		emfRequests, fns, len(functions), wire.TotalRequests(), wire.Requests, source)
}
