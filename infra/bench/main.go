// Command bench measures the figures of DESIGN.md §4 on the local runner
// and prints one line per figure, exactly `BENCH <name> <value> <unit>`, on
// standard output; remarks, progress and missing figures go to standard
// error. `make bench` runs it; README.md explains every figure.
//
// It starts DynamoDB Local itself, puts a counting proxy (infra/faults,
// no faults) between the functions and it, starts the whole stack
// (infra/devstack/stack) with the functions' output going to a collector
// of their EMF lines (shared/metrics), and drives the stack over HTTP and
// WebSocket from 127.0.0.1 only. Every phase is bounded; the whole run
// stops at -budget.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/livehelp/livehelp/infra/devstack/stack"
	"github.com/livehelp/livehelp/infra/dynamolocal"
	"github.com/livehelp/livehelp/infra/faults"
)

// config holds the command-line settings.
type config struct {
	budget      time.Duration
	load        time.Duration
	workers     int
	messages    int
	convs       int
	perVisitor  int
	interval    time.Duration
	held        int
	verbose     bool
	skipBinary  bool
	skipConns   bool
	wire        bool
	keepLogPath string
}

func main() {
	var c config
	flag.DurationVar(&c.budget, "budget", 290*time.Second, "stop everything after this long")
	flag.DurationVar(&c.load, "load", 8*time.Second, "duration of each steady status load")
	flag.IntVar(&c.workers, "workers", 8, "concurrent clients of the status loads")
	flag.IntVar(&c.messages, "messages", 40, "messages of each per-message cost measurement")
	flag.IntVar(&c.convs, "convs", 50, "concurrent conversations of the latency measurement")
	flag.IntVar(&c.perVisitor, "per-visitor", 20, "messages each visitor sends in the latency measurement")
	flag.DurationVar(&c.interval, "interval", time.Second, "mean pause between a visitor's messages")
	flag.IntVar(&c.held, "held", 2000, "WebSocket clients to hold open at once")
	flag.BoolVar(&c.verbose, "v", false, "copy the stack's log to standard error")
	flag.BoolVar(&c.skipBinary, "skip-binary", false, "skip the arm64 builds (binary_mb_max)")
	flag.BoolVar(&c.skipConns, "skip-conns", false, "skip the 1000-connection and held-connection phases")
	flag.BoolVar(&c.wire, "wire", true, "count DynamoDB requests on the wire too, through a proxy (a cross-check of the EMF counts)")
	flag.StringVar(&c.keepLogPath, "log", "", "also write the stack's log to this file")
	flag.Parse()
	start := time.Now()
	rep := newReport(os.Stdout, os.Stderr)
	err := run(c, rep)
	if missed := rep.missed(); len(missed) > 0 {
		fmt.Fprintf(os.Stderr, "bench: missing figures: %s\n", strings.Join(missed, ", "))
		if err == nil {
			err = fmt.Errorf("%d figures missing", len(missed))
		}
	}
	fmt.Fprintf(os.Stderr, "bench: done in %s\n", time.Since(start).Round(100*time.Millisecond))
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// bench is one run: the stack and what measures it.
type bench struct {
	cfg   config
	rep   *report
	s     *stack.Stack
	meter *meter
	root  string
}

// run sets everything up, runs the phases in order and tears down.
func run(c config, rep *report) error {
	ctx, cancel := context.WithTimeout(context.Background(), c.budget)
	defer cancel()
	root, err := dynamolocal.ModuleRoot()
	if err != nil {
		return err
	}
	b := &bench{cfg: c, rep: rep, root: root}

	// Static figures, built while the stack starts.
	artifacts := make(chan struct{})
	go func() {
		defer close(artifacts)
		b.widget()
		if !c.skipBinary {
			b.binaries(ctx)
		} else {
			rep.miss("binary_mb_max", "skipped (-skip-binary)")
		}
	}()

	stop, err := b.start(ctx)
	if err != nil {
		<-artifacts
		return err
	}
	defer stop()
	// Nothing is timed while the compiler keeps both cores busy.
	<-artifacts

	phases := []struct {
		name string
		run  func(context.Context) error
	}{
		{"cold", b.cold},
		{"idle", b.idle},
		{"status", b.status},
		{"chat", b.chat},
	}
	for _, p := range phases {
		t := time.Now()
		if err := p.run(ctx); err != nil {
			rep.note("phase %s failed after %s: %v", p.name, time.Since(t).Round(time.Millisecond), err)
		} else {
			rep.note("phase %s done in %s", p.name, time.Since(t).Round(time.Millisecond))
		}
		if ctx.Err() != nil {
			break
		}
	}
	b.totals()
	return ctx.Err()
}

// start starts DynamoDB Local, the counting proxy and the stack, and
// returns what stops them.
func (b *bench) start(ctx context.Context) (func(), error) {
	t := time.Now()
	cache, err := dynamolocal.CacheDir()
	if err != nil {
		return nil, err
	}
	ddb, err := dynamolocal.Start(ctx, dynamolocal.Options{CacheDir: cache})
	if err != nil {
		return nil, err
	}
	var wire *faults.Proxy
	env := map[string]string{}
	if b.cfg.wire {
		if wire, err = faults.Start(faults.Config{Target: ddb.Endpoint(), Service: faults.DynamoDB}); err != nil {
			ddb.Stop()
			return nil, err
		}
		env[dynamolocal.EnvEndpoint] = wireEndpoint(wire)
	}
	// The stack reuses this DynamoDB Local (its own setup goes straight
	// to it); the functions reach it through the proxy. See wireEndpoint.
	os.Setenv(dynamolocal.EnvEndpoint, ddb.Endpoint())
	var logw io.Writer = io.Discard
	var logFile *os.File
	if b.cfg.keepLogPath != "" {
		if logFile, err = os.Create(b.cfg.keepLogPath); err != nil {
			return nil, err
		}
		logw = logFile
	}
	if b.cfg.verbose {
		logw = io.MultiWriter(logw, os.Stderr)
	}
	col := newCollector(logw)
	b.meter = &meter{emf: col, wire: wire, rep: b.rep}
	b.s, err = stack.Start(ctx, stack.Options{
		Log: col,
		// Operators stay online through the run without heartbeats, which
		// would add chat invocations to the measured spans.
		Params: map[string]string{"OperatorsListExpiration": "900"},
		Env:    env,
	})
	if err != nil {
		if wire != nil {
			wire.Close()
		}
		ddb.Stop()
		return nil, err
	}
	b.rep.note("stack up in %s (DynamoDB Local %s, functions through %q)", time.Since(t).Round(time.Millisecond), ddb.Endpoint(), env[dynamolocal.EnvEndpoint])
	return func() {
		if n := col.Malformed(); n > 0 {
			b.rep.note("%d EMF lines could not be decoded (interleaved output); counts may be low", n)
		}
		if err := b.s.Close(); err != nil {
			b.rep.note("stack close: %v", err)
		}
		if wire != nil {
			wire.Close()
		}
		if err := ddb.Stop(); err != nil {
			b.rep.note("DynamoDB Local stop: %v", err)
		}
		if logFile != nil {
			logFile.Close()
		}
	}, nil
}

// wireEndpoint is the proxy's URL as the functions get it. stack.Start
// sorts each function's environment, and with duplicate keys the process
// keeps the value that sorts last, not the one Options.Env added; a
// "localhost" URL sorts after the stack's "127.0.0.1" one, so it wins. The
// proxy still listens on 127.0.0.1 only.
func wireEndpoint(p *faults.Proxy) string {
	return fmt.Sprintf("http://localhost:%d", p.Port())
}
