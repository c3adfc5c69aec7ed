package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"
)

// MaxPayload is Lambda's limit on a synchronous request or response
// payload (6 MB).
const MaxPayload = 6 * 1024 * 1024

// ErrClosed is returned by Invoke after Close.
var ErrClosed = errors.New("runtime: pool closed")

// ErrRequestTooLarge is returned by Invoke for a payload over MaxPayload.
var ErrRequestTooLarge = errors.New("runtime: request payload exceeds 6 MB")

// FunctionError is an invocation that failed inside the function: an error
// the handler returned, a panic, an init error, a response that was too
// large, or a process that exited.
type FunctionError struct {
	// Type is the error type, such as the handler's error type,
	// Runtime.ExitError or Function.ResponseSizeTooLarge.
	Type string
	// Message is the error message.
	Message string
}

// Error implements error.
func (e *FunctionError) Error() string {
	return fmt.Sprintf("runtime: function error %s: %s", e.Type, e.Message)
}

// TimeoutError is an invocation whose process did not answer in time and
// was killed.
type TimeoutError struct {
	// Function is the function name.
	Function string
	// Timeout is the limit that was exceeded.
	Timeout time.Duration
	// Init is true when the process did not become ready (call "next")
	// within the init timeout.
	Init bool
}

// Error implements error.
func (e *TimeoutError) Error() string {
	if e.Init {
		return fmt.Sprintf("runtime: function %s did not initialize within %v", e.Function, e.Timeout)
	}
	return fmt.Sprintf("runtime: function %s timed out after %v", e.Function, e.Timeout)
}

// Config describes one function's processes.
type Config struct {
	// Name is the function name (AWS_LAMBDA_FUNCTION_NAME).
	Name string
	// Binary is the path of the bootstrap executable. Its directory is
	// the working directory and LAMBDA_TASK_ROOT.
	Binary string
	// Env holds KEY=VALUE pairs added after the standard Lambda variables
	// (so they override them), except AWS_LAMBDA_RUNTIME_API.
	Env []string
	// Timeout is the invocation timeout (default 3 s).
	Timeout time.Duration
	// InitTimeout bounds the time from process start to its first call
	// to "next" (default 10 s, as in Lambda).
	InitTimeout time.Duration
	// MemoryMB is AWS_LAMBDA_FUNCTION_MEMORY_SIZE (default 128).
	MemoryMB int
	// MaxProcs bounds the number of processes (default 10).
	MaxProcs int
	// Handler is _HANDLER (default bootstrap).
	Handler string
	// ARN is the invoked function ARN sent with each invocation (default
	// arn:aws:lambda:us-east-1:123456789012:function:<Name>).
	ARN string
	// Stdout and Stderr receive the processes' output (default os.Stdout
	// and os.Stderr). Writes are serialized.
	Stdout, Stderr io.Writer
	// Logger reports process exits, init errors and timeouts (default
	// slog.Default()).
	Logger *slog.Logger
}

// Pool runs the processes of one function. Its methods are safe for
// concurrent use.
type Pool struct {
	cfg    Config
	tokens chan struct{} // one per invocation in flight, MaxProcs at most

	mu      sync.Mutex
	idle    []*process
	history []*process
	nextID  int
	closed  bool
}

// NewPool returns a pool for cfg with defaults applied. It starts no
// process until the first Invoke.
func NewPool(cfg Config) *Pool {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 3 * time.Second
	}
	if cfg.InitTimeout <= 0 {
		cfg.InitTimeout = 10 * time.Second
	}
	if cfg.MemoryMB <= 0 {
		cfg.MemoryMB = 128
	}
	if cfg.MaxProcs <= 0 {
		cfg.MaxProcs = 10
	}
	if cfg.Handler == "" {
		cfg.Handler = "bootstrap"
	}
	if cfg.ARN == "" {
		cfg.ARN = "arn:aws:lambda:us-east-1:123456789012:function:" + cfg.Name
	}
	if cfg.Stdout == nil {
		cfg.Stdout = os.Stdout
	}
	if cfg.Stderr == nil {
		cfg.Stderr = os.Stderr
	}
	cfg.Stdout = &lockedWriter{w: cfg.Stdout}
	cfg.Stderr = &lockedWriter{w: cfg.Stderr}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Pool{cfg: cfg, tokens: make(chan struct{}, cfg.MaxProcs)}
}

// Invoke runs one invocation with payload and returns the function's
// response. It reuses an idle process, or starts one if fewer than
// MaxProcs exist, or waits for one to become idle. Errors are
// *FunctionError, *TimeoutError, ErrRequestTooLarge, ErrClosed, the
// context's error, or an error starting the process. When ctx ends first,
// Invoke returns at once while the invocation runs to completion.
func (p *Pool) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	if len(payload) > MaxPayload {
		return nil, ErrRequestTooLarge
	}
	select {
	case p.tokens <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	type result struct {
		out []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer func() { <-p.tokens }()
		out, err := p.run(payload)
		done <- result{out, err}
	}()
	select {
	case r := <-done:
		return r.out, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// run invokes on a process, moving to a fresh one if a warm process died
// before it took the invocation.
func (p *Pool) run(payload []byte) ([]byte, error) {
	for attempt := 0; ; attempt++ {
		proc, err := p.take()
		if err != nil {
			return nil, err
		}
		out, err := proc.invoke(payload)
		p.put(proc)
		if errors.Is(err, errNotDelivered) && attempt < 3 {
			continue
		}
		return out, err
	}
}

// take returns an idle live process or starts a new one.
func (p *Pool) take() (*process, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, ErrClosed
	}
	for len(p.idle) > 0 {
		proc := p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		if !proc.isDead() {
			p.mu.Unlock()
			return proc, nil
		}
	}
	p.nextID++
	id := p.nextID
	p.mu.Unlock()

	proc, err := startProcess(p.cfg, id)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		proc.kill()
		return nil, ErrClosed
	}
	p.history = append(p.history, proc)
	if len(p.history) > maxHistory {
		p.history = pruneDead(p.history)
	}
	return proc, nil
}

// put returns a process to the idle list, or forgets it if it died.
func (p *Pool) put(proc *process) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if proc.isDead() || p.closed {
		return
	}
	p.idle = append(p.idle, proc)
}

// Close kills every process (its whole process group), waits for them to
// exit and makes later Invoke calls fail with ErrClosed.
func (p *Pool) Close() error {
	p.mu.Lock()
	p.closed = true
	procs := make([]*process, 0, len(p.history))
	procs = append(procs, p.history...)
	p.idle = nil
	p.mu.Unlock()
	var errs []error
	for _, proc := range procs {
		proc.kill()
	}
	for _, proc := range procs {
		if err := proc.wait(5 * time.Second); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// ProcessStats describes one process the pool started.
type ProcessStats struct {
	// ID numbers the pool's processes from 1.
	ID int
	// PID is the operating-system process id.
	PID int
	// Init is the time from process start to its first "next" call, or 0
	// if it never got there.
	Init time.Duration
	// Invocations counts the invocations delivered to the process.
	Invocations int
	// Alive is false once the process has exited.
	Alive bool
}

// Stats describes every process a pool has started.
type Stats struct {
	// Processes lists the processes in start order.
	Processes []ProcessStats
}

// InitMax returns the longest init duration among the processes.
func (s Stats) InitMax() time.Duration {
	var max time.Duration
	for _, p := range s.Processes {
		if p.Init > max {
			max = p.Init
		}
	}
	return max
}

// Stats returns per-process init durations and invocation counts.
func (p *Pool) Stats() Stats {
	p.mu.Lock()
	procs := append([]*process(nil), p.history...)
	p.mu.Unlock()
	s := Stats{Processes: make([]ProcessStats, 0, len(procs))}
	for _, proc := range procs {
		s.Processes = append(s.Processes, proc.stats())
	}
	return s
}

// maxHistory bounds the processes kept for Stats; beyond it, exited ones
// are dropped.
const maxHistory = 1000

func pruneDead(procs []*process) []*process {
	out := procs[:0]
	for _, p := range procs {
		if !p.isDead() {
			out = append(out, p)
		}
	}
	return out
}

// lockedWriter serializes writes from several processes' output copiers.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

// Write writes b to the underlying writer, one call at a time.
func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}
