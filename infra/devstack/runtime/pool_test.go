package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// testBinary is the test function, built once by TestMain.
var testBinary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "runtime-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	testBinary = filepath.Join(dir, "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", testBinary, "./testdata/lambda")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build test lambda: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type reply struct {
	Text     string            `json:"text"`
	PID      int               `json:"pid"`
	Child    int               `json:"child"`
	Env      map[string]string `json:"env"`
	Deadline int64             `json:"deadline_ms"`
	ARN      string            `json:"arn"`
	Request  string            `json:"request_id"`
}

// newPool returns a pool of the test function, closed at test end.
func newPool(t *testing.T, cfg Config) *Pool {
	t.Helper()
	cfg.Name = "test-fn"
	cfg.Binary = testBinary
	var out bytes.Buffer
	cfg.Stdout, cfg.Stderr = &out, &out
	cfg.Logger = slog.New(slog.NewJSONHandler(io.Discard, nil))
	p := NewPool(cfg)
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return p
}

// call invokes mode on p and decodes the reply.
func call(t *testing.T, p *Pool, payload string) (reply, error) {
	t.Helper()
	out, err := p.Invoke(context.Background(), []byte(payload))
	var r reply
	if err == nil {
		if jerr := json.Unmarshal(out, &r); jerr != nil {
			t.Fatalf("reply %q: %v", out, jerr)
		}
	}
	return r, err
}

func mustCall(t *testing.T, p *Pool, payload string) reply {
	t.Helper()
	r, err := call(t, p, payload)
	if err != nil {
		t.Fatalf("Invoke(%s): %v", payload, err)
	}
	return r
}

func TestWarmReuse(t *testing.T) {
	p := newPool(t, Config{})
	first := mustCall(t, p, `{"mode":"echo","text":"hello"}`)
	second := mustCall(t, p, `{"mode":"echo","text":"again"}`)
	if first.Text != "hello" || second.Text != "again" {
		t.Errorf("echo = %q, %q; want hello, again", first.Text, second.Text)
	}
	if first.PID != second.PID {
		t.Errorf("second invocation ran in pid %d, want the warm pid %d", second.PID, first.PID)
	}
	s := p.Stats()
	if len(s.Processes) != 1 || s.Processes[0].Invocations != 2 || !s.Processes[0].Alive {
		t.Fatalf("Stats = %+v, want one live process with 2 invocations", s)
	}
	if s.InitMax() <= 0 || s.InitMax() > 5*time.Second {
		t.Errorf("InitMax = %v, want a positive init duration", s.InitMax())
	}
}

func TestEnvironment(t *testing.T) {
	p := newPool(t, Config{
		MemoryMB: 256,
		Timeout:  2 * time.Second,
		Env:      []string{"AWS_REGION=eu-west-1", "TABLE_NAME=chat", "AWS_LAMBDA_RUNTIME_API=1.2.3.4:1"},
	})
	before := time.Now()
	r := mustCall(t, p, `{"mode":"env"}`)
	want := map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":        "test-fn",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_LOG_FORMAT":           "JSON",
		"_HANDLER":                        "bootstrap",
		"LAMBDA_TASK_ROOT":                filepath.Dir(testBinary),
		"AWS_REGION":                      "eu-west-1",
		"TABLE_NAME":                      "chat",
	}
	got := map[string]string{}
	for k := range want {
		got[k] = r.Env[k]
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("environment (-want +got):\n%s", diff)
	}
	if api := r.Env["AWS_LAMBDA_RUNTIME_API"]; !strings.HasPrefix(api, "127.0.0.1:") {
		t.Errorf("AWS_LAMBDA_RUNTIME_API = %q, want 127.0.0.1:<port>", api)
	}
	if r.ARN != "arn:aws:lambda:us-east-1:123456789012:function:test-fn" || len(r.Request) != 36 {
		t.Errorf("context ARN %q request id %q", r.ARN, r.Request)
	}
	deadline := time.UnixMilli(r.Deadline)
	if deadline.Before(before.Add(time.Second)) || deadline.After(time.Now().Add(2*time.Second)) {
		t.Errorf("deadline %v is not about 2s after %v", deadline, before)
	}
}

func TestFailures(t *testing.T) {
	tests := []struct {
		name     string
		cfg      Config
		payload  string
		want     error
		replaced bool // the process is gone afterwards
	}{
		{"handler error", Config{}, `{"mode":"error"}`,
			&FunctionError{Type: "errorString", Message: "told to fail"}, false},
		{"panic", Config{}, `{"mode":"panic"}`,
			&FunctionError{Type: "string", Message: "told to panic"}, true},
		{"exit", Config{}, `{"mode":"exit"}`,
			&FunctionError{Type: "Runtime.ExitError"}, true},
		{"timeout", Config{Timeout: 300 * time.Millisecond}, `{"mode":"sleep","sleep_ms":5000}`,
			&TimeoutError{Function: "test-fn", Timeout: 300 * time.Millisecond}, true},
		{"init error", Config{Env: []string{"LH_INIT_ERROR=1"}}, `{"mode":"echo"}`,
			&FunctionError{Type: "Runtime.ConfigError", Message: "missing config"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPool(t, tt.cfg)
			var warm int
			if tt.cfg.Env == nil {
				warm = mustCall(t, p, `{"mode":"echo"}`).PID
			}
			start := time.Now()
			_, err := call(t, p, tt.payload)
			if elapsed := time.Since(start); elapsed > 3*time.Second {
				t.Errorf("failure took %v", elapsed)
			}
			opts := cmp.Options{cmp.Comparer(func(a, b string) bool {
				// An empty wanted message matches Lambda's "RequestId: ..." text.
				return a == b || a == "" && strings.HasPrefix(b, "RequestId: ") || b == "" && strings.HasPrefix(a, "RequestId: ")
			})}
			if diff := cmp.Diff(tt.want, err, opts); diff != "" {
				t.Fatalf("error (-want +got):\n%s", diff)
			}
			if warm == 0 {
				return
			}
			alive := processAlive(warm)
			for wait := time.Now().Add(time.Second); alive && tt.replaced && time.Now().Before(wait); {
				time.Sleep(10 * time.Millisecond) // a panicking process exits just after reporting
				alive = processAlive(warm)
			}
			if alive == tt.replaced {
				t.Errorf("process %d alive = %v after %s, want %v", warm, alive, tt.name, !tt.replaced)
			}
			next := mustCall(t, p, `{"mode":"echo","text":"ok"}`)
			if (next.PID != warm) != tt.replaced {
				t.Errorf("next invocation pid %d, warm pid %d; replaced want %v", next.PID, warm, tt.replaced)
			}
		})
	}
}

func TestOverlapStartsProcesses(t *testing.T) {
	tests := []struct {
		maxProcs  int
		wantProcs int
		minTime   time.Duration
	}{
		{maxProcs: 10, wantProcs: 2},
		{maxProcs: 1, wantProcs: 1, minTime: 600 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("max%d", tt.maxProcs), func(t *testing.T) {
			p := newPool(t, Config{MaxProcs: tt.maxProcs})
			start := time.Now()
			pids := make([]int, 2)
			var wg sync.WaitGroup
			for i := range pids {
				wg.Add(1)
				go func() {
					defer wg.Done()
					out, err := p.Invoke(context.Background(), []byte(`{"mode":"sleep","sleep_ms":300}`))
					var r reply
					if err == nil {
						err = json.Unmarshal(out, &r)
					}
					if err != nil {
						t.Errorf("Invoke: %v", err)
					}
					pids[i] = r.PID
				}()
			}
			wg.Wait()
			distinct := map[int]bool{pids[0]: true, pids[1]: true}
			if len(distinct) != tt.wantProcs || len(p.Stats().Processes) != tt.wantProcs {
				t.Errorf("pids %v, stats %+v; want %d processes", pids, p.Stats(), tt.wantProcs)
			}
			if elapsed := time.Since(start); elapsed < tt.minTime {
				t.Errorf("took %v, want at least %v (serialized)", elapsed, tt.minTime)
			}
		})
	}
}

func TestContextCancel(t *testing.T) {
	p := newPool(t, Config{Timeout: 5 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := p.Invoke(ctx, []byte(`{"mode":"sleep","sleep_ms":400}`))
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 300*time.Millisecond {
		t.Fatalf("Invoke = %v after %v, want context.DeadlineExceeded promptly", err, time.Since(start))
	}
	if r := mustCall(t, p, `{"mode":"echo","text":"after"}`); r.Text != "after" {
		t.Errorf("echo after cancel = %q", r.Text)
	}
	if _, err := p.Invoke(context.Background(), make([]byte, MaxPayload+1)); !errors.Is(err, ErrRequestTooLarge) {
		t.Errorf("oversized payload: %v, want ErrRequestTooLarge", err)
	}
}

func TestCloseKillsProcessGroups(t *testing.T) {
	p := NewPool(Config{Name: "test-fn", Binary: testBinary, Stdout: io.Discard, Stderr: io.Discard,
		Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	r, err := call(t, p, `{"mode":"spawn"}`)
	if err != nil {
		p.Close()
		t.Fatalf("spawn: %v", err)
	}
	if !processAlive(r.PID) || !processAlive(r.Child) {
		t.Fatalf("function %d or its child %d not running before Close", r.PID, r.Child)
	}
	if err := p.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for processAlive(r.Child) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if processAlive(r.PID) || processAlive(r.Child) {
		t.Errorf("after Close: function %d alive %v, child %d alive %v", r.PID, processAlive(r.PID), r.Child, processAlive(r.Child))
	}
	if _, err := p.Invoke(context.Background(), []byte(`{}`)); !errors.Is(err, ErrClosed) {
		t.Errorf("Invoke after Close = %v, want ErrClosed", err)
	}
}

// processAlive reports whether pid is running (not gone, not a zombie).
func processAlive(pid int) bool {
	if stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		return len(fields) > 0 && fields[0] != "Z" && fields[0] != "X"
	} else if _, statErr := os.Stat("/proc/self"); statErr == nil {
		return false
	}
	return syscall.Kill(pid, 0) == nil
}

// TestPanicThenInvoke checks that an invocation arriving while a panicked
// process is still exiting goes to a fresh process instead of failing.
func TestPanicThenInvoke(t *testing.T) {
	p := newPool(t, Config{MaxProcs: 1})
	for i := 0; i < 5; i++ {
		if _, err := call(t, p, `{"mode":"panic"}`); err == nil {
			t.Fatal("panic invocation succeeded")
		}
		if r, err := call(t, p, `{"mode":"echo","text":"ok"}`); err != nil || r.Text != "ok" {
			t.Fatalf("invocation after a panic: %q, %v", r.Text, err)
		}
	}
}

func TestInitTimeoutAndStartError(t *testing.T) {
	script := filepath.Join(t.TempDir(), "bootstrap")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nexec sleep 30\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	p := NewPool(Config{Name: "slow", Binary: script, InitTimeout: 200 * time.Millisecond,
		Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	defer p.Close()
	_, err := p.Invoke(context.Background(), []byte(`{}`))
	want := &TimeoutError{Function: "slow", Timeout: 200 * time.Millisecond, Init: true}
	if diff := cmp.Diff(error(want), err); diff != "" {
		t.Errorf("init timeout error (-want +got):\n%s", diff)
	}
	if s := p.Stats(); len(s.Processes) != 1 || s.Processes[0].Init != 0 {
		t.Errorf("stats %+v, want one process that never became ready", s)
	}

	missing := NewPool(Config{Name: "missing", Binary: filepath.Join(t.TempDir(), "nope")})
	defer missing.Close()
	if _, err := missing.Invoke(context.Background(), []byte(`{}`)); err == nil || !strings.Contains(err.Error(), "runtime: missing: start") {
		t.Errorf("missing binary: %v, want a start error", err)
	}
}
