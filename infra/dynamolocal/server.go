package dynamolocal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

const (
	// EnvEndpoint names the standard AWS SDK variable that points DynamoDB
	// clients at another endpoint. When it is set, StartOrUse and the test
	// helpers use that endpoint and start nothing.
	EnvEndpoint = "AWS_ENDPOINT_URL_DYNAMODB"

	// StartTimeout bounds how long Start waits for the server to answer.
	StartTimeout = 60 * time.Second

	// stopGrace is how long Stop waits after SIGTERM before SIGKILL, and
	// again after SIGKILL before giving up.
	stopGrace = 10 * time.Second

	// portAttempts is how many free ports Start tries when Options.Port is
	// 0, in case another process takes the chosen port first.
	portAttempts = 3
)

// Options configures Start.
type Options struct {
	// CacheDir holds the npm install and the compiled launcher; empty
	// means CacheDir().
	CacheDir string
	// Port is the TCP port on 127.0.0.1; 0 picks a free one.
	Port int
	// PersistDir, when set, keeps the data in one shared database file in
	// that directory (-dbPath dir -sharedDb); empty keeps it in memory.
	PersistDir string
	// Stdout receives the server's standard output and error; nil
	// discards them (the last lines still appear in startup errors).
	Stdout io.Writer
}

// Server is a DynamoDB Local process started by Start, or an external
// endpoint returned by StartOrUse. Its methods are safe for concurrent use.
type Server struct {
	endpoint string
	cmd      *exec.Cmd     // nil for an external endpoint
	exited   chan struct{} // closed once the process has been waited for
	waitErr  error         // valid after exited is closed
	out      *tailBuffer
	stopOnce sync.Once
	stopErr  error
}

// Start installs DynamoDB Local if needed (see Install) and runs it with
// java in its own process group, bound to 127.0.0.1. It returns once the
// server answers ListTables, or an error after StartTimeout or when ctx
// ends. ctx bounds only the startup; the server runs until Stop.
func Start(ctx context.Context, opts Options) (*Server, error) {
	java, err := exec.LookPath("java")
	if err != nil {
		return nil, fmt.Errorf("dynamolocal: java not found on PATH; install Java 17 or later to run DynamoDB Local, "+
			"or set %s to use a running DynamoDB: %w", EnvEndpoint, err)
	}
	cacheDir := opts.CacheDir
	if cacheDir == "" {
		if cacheDir, err = CacheDir(); err != nil {
			return nil, err
		}
	}
	if opts.PersistDir != "" {
		if opts.PersistDir, err = filepath.Abs(opts.PersistDir); err != nil {
			return nil, fmt.Errorf("dynamolocal: persist directory: %w", err)
		}
		if err := os.MkdirAll(opts.PersistDir, 0o755); err != nil {
			return nil, fmt.Errorf("dynamolocal: persist directory: %w", err)
		}
	}
	jarDir, err := Install(ctx, cacheDir)
	if err != nil {
		return nil, err
	}
	warn := opts.Stdout
	if warn == nil {
		warn = os.Stderr
	}
	l, err := prepareLauncher(ctx, cacheDir, jarDir, warn)
	if err != nil {
		return nil, err
	}
	attempts := 1
	if opts.Port == 0 {
		attempts = portAttempts
	}
	for i := 1; ; i++ {
		port := opts.Port
		if port == 0 {
			if port, err = freePort(); err != nil {
				return nil, err
			}
		}
		s, err := launch(ctx, java, l, port, opts)
		if err == nil || i >= attempts || !errors.Is(err, errExited) {
			return s, err
		}
	}
}

// StartOrUse returns a Server for the endpoint in AWS_ENDPOINT_URL_DYNAMODB
// when that is set, without starting or ever stopping anything; otherwise
// it calls Start.
func StartOrUse(ctx context.Context, opts Options) (*Server, error) {
	if endpoint := os.Getenv(EnvEndpoint); endpoint != "" {
		return &Server{endpoint: strings.TrimRight(endpoint, "/")}, nil
	}
	return Start(ctx, opts)
}

// Endpoint returns the server's base URL, e.g. "http://127.0.0.1:8000".
func (s *Server) Endpoint() string { return s.endpoint }

// PID returns the process id (and process group id) of the java process,
// or 0 for an external endpoint.
func (s *Server) PID() int {
	if s.cmd == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// Stop ends the process group with SIGTERM, then SIGKILL if it has not
// exited within 10 s, and waits for it. It is a no-op for an external
// endpoint, and later calls return the first call's result. It returns an
// error if the server had already died on its own.
func (s *Server) Stop() error {
	if s.cmd == nil {
		return nil
	}
	s.stopOnce.Do(func() { s.stopErr = s.stop() })
	return s.stopErr
}

func (s *Server) stop() error {
	crashed := fmt.Errorf("dynamolocal: DynamoDB Local on %s exited on its own", s.endpoint)
	select {
	case <-s.exited:
		return fmt.Errorf("%w: %v\n%s", crashed, s.waitErr, s.out)
	default:
	}
	pgid := s.cmd.Process.Pid
	escalated := false
	if err := syscall.Kill(-pgid, syscall.SIGTERM); errors.Is(err, syscall.ESRCH) {
		// Already reaped, but Wait has not returned yet: not our doing.
		_ = s.waitExited(stopGrace)
		return fmt.Errorf("%w: %v\n%s", crashed, s.waitErr, s.out)
	}
	if err := s.waitExited(stopGrace); err != nil {
		escalated = true
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		if err := s.waitExited(stopGrace); err != nil {
			return fmt.Errorf("dynamolocal: process group %d did not exit after SIGKILL", pgid)
		}
	}
	// The JVM starts no children, but make sure the group is gone.
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	if !stoppedBySignal(s.waitErr, escalated) {
		// It died (as a zombie not yet reaped) before our signal arrived.
		return fmt.Errorf("%w: %v\n%s", crashed, s.waitErr, s.out)
	}
	return nil
}

// waitExited waits at most d for the process to be waited for.
func (s *Server) waitExited(d time.Duration) error {
	select {
	case <-s.exited:
		return nil
	case <-time.After(d):
		return errors.New("timeout")
	}
}

// stoppedBySignal reports whether a wait result is what Stop's signals
// produce: the JVM's exit code 143 after SIGTERM (or 0), death by SIGTERM,
// or death by SIGKILL when Stop escalated to it.
func stoppedBySignal(waitErr error, escalated bool) bool {
	var exitErr *exec.ExitError
	if waitErr == nil {
		return true
	}
	if !errors.As(waitErr, &exitErr) {
		return false
	}
	status, ok := exitErr.Sys().(syscall.WaitStatus)
	switch {
	case !ok:
		return false
	case status.Signaled():
		return status.Signal() == syscall.SIGTERM || escalated && status.Signal() == syscall.SIGKILL
	default:
		return status.ExitStatus() == 128+int(syscall.SIGTERM)
	}
}

// launch starts one java process on port and waits until it is ready.
func launch(ctx context.Context, java string, l launcher, port int, opts Options) (*Server, error) {
	out := &tailBuffer{max: 16 << 10}
	var w io.Writer = out
	if opts.Stdout != nil {
		w = io.MultiWriter(out, opts.Stdout)
	}
	cmd := exec.Command(java, l.args(port, opts.PersistDir)...)
	cmd.Dir = os.TempDir()
	if opts.PersistDir != "" {
		cmd.Dir = opts.PersistDir
	}
	cmd.Stdout = w
	cmd.Stderr = w
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("dynamolocal: start java: %w", err)
	}
	s := &Server{
		endpoint: "http://127.0.0.1:" + strconv.Itoa(port),
		cmd:      cmd,
		exited:   make(chan struct{}),
		out:      out,
	}
	go func() {
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()
	if err := s.waitReady(ctx); err != nil {
		if stopErr := s.Stop(); stopErr != nil && !errors.Is(err, errExited) {
			err = errors.Join(err, stopErr)
		}
		return nil, err
	}
	return s, nil
}

// waitReady polls ListTables until it succeeds, the process exits, ctx ends
// or StartTimeout passes.
func (s *Server) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, StartTimeout)
	defer cancel()
	client, err := NewClient(ctx, s.endpoint, func(o *dynamodb.Options) {
		o.Retryer = aws.NopRetryer{}
		o.HTTPClient = &http.Client{Timeout: 2 * time.Second}
	})
	if err != nil {
		return err
	}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		_, err := client.ListTables(ctx, &dynamodb.ListTablesInput{Limit: aws.Int32(1)})
		if err == nil {
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("dynamolocal: %w (%v); output:\n%s", errExited, s.waitErr, s.out)
		case <-ctx.Done():
			return fmt.Errorf("dynamolocal: DynamoDB Local on %s not ready: %w (last error: %v); output:\n%s",
				s.endpoint, ctx.Err(), err, s.out)
		case <-tick.C:
		}
	}
}

// freePort asks the kernel for a free TCP port on 127.0.0.1.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("dynamolocal: free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
