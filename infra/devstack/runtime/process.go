package runtime

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// errNotDelivered means a warm process died before taking the invocation,
// which can then go to another process.
var errNotDelivered = errors.New("runtime: process exited before taking the invocation")

// invocation is one request waiting for, or being served by, a process.
type invocation struct {
	id      string
	payload []byte
	result  chan invokeResult // buffered: one result
}

type invokeResult struct {
	out []byte
	err error
}

// process is one function process with its own Runtime API listener.
type process struct {
	cfg     Config
	id      int
	ln      net.Listener
	srv     *http.Server
	cmd     *exec.Cmd
	started time.Time

	queue      chan *invocation // unbuffered: a send completes when "next" takes it
	ready      chan struct{}    // closed at the first "next"
	readyOnce  sync.Once
	initFailed chan struct{} // closed when init/error is posted
	exited     chan struct{} // closed when the process has exited

	mu          sync.Mutex
	current     *invocation
	initDur     time.Duration
	invocations int
	initErr     *FunctionError
	exitErr     error
	killed      bool
}

// startProcess starts the function binary against a fresh listener.
func startProcess(cfg Config, id int) (*process, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("runtime: %s: listen: %w", cfg.Name, err)
	}
	p := &process{
		cfg:        cfg,
		id:         id,
		ln:         ln,
		queue:      make(chan *invocation),
		ready:      make(chan struct{}),
		initFailed: make(chan struct{}),
		exited:     make(chan struct{}),
	}
	p.srv = &http.Server{Handler: p.routes(), ReadHeaderTimeout: 10 * time.Second}
	go p.srv.Serve(ln)

	dir := filepath.Dir(cfg.Binary)
	p.cmd = exec.Command(cfg.Binary)
	p.cmd.Dir = dir
	p.cmd.Env = p.environ(dir, ln.Addr().String())
	p.cmd.Stdout = cfg.Stdout
	p.cmd.Stderr = cfg.Stderr
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	p.cmd.WaitDelay = 2 * time.Second
	p.mu.Lock()
	p.started = time.Now()
	p.mu.Unlock()
	if err := p.cmd.Start(); err != nil {
		p.srv.Close()
		return nil, fmt.Errorf("runtime: %s: start %s: %w", cfg.Name, cfg.Binary, err)
	}
	go p.waitExit()
	return p, nil
}

// environ builds the standard Lambda environment, then cfg.Env, then the
// Runtime API address, which cannot be overridden.
func (p *process) environ(dir, addr string) []string {
	c := p.cfg
	env := []string{
		"PATH=/usr/local/bin:/usr/bin:/bin:/opt/bin",
		"LANG=en_US.UTF-8",
		"TZ=:UTC",
		"AWS_REGION=us-east-1",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_LAMBDA_FUNCTION_NAME=" + c.Name,
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=" + strconv.Itoa(c.MemoryMB),
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/" + c.Name,
		"AWS_LAMBDA_LOG_STREAM_NAME=" + time.Now().UTC().Format("2006/01/02") + "/[$LATEST]" + randomHex(16),
		"AWS_LAMBDA_LOG_FORMAT=JSON",
		"AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
		"_HANDLER=" + c.Handler,
		"LAMBDA_TASK_ROOT=" + dir,
		"LAMBDA_RUNTIME_DIR=" + dir,
	}
	env = append(env, c.Env...)
	return append(env, "AWS_LAMBDA_RUNTIME_API="+addr)
}

// waitExit records the process's exit and stops its listener.
func (p *process) waitExit() {
	err := p.cmd.Wait()
	p.mu.Lock()
	p.exitErr = err
	killed := p.killed
	p.mu.Unlock()
	close(p.exited)
	p.srv.Close()
	if !killed {
		p.cfg.Logger.Warn("runtime: function process exited",
			"function", p.cfg.Name, "pid", p.cmd.Process.Pid, "err", fmt.Sprint(err))
	}
}

// kill kills the process group. It is safe to call more than once.
func (p *process) kill() {
	p.mu.Lock()
	p.killed = true
	p.mu.Unlock()
	select {
	case <-p.exited:
		return
	default:
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
}

// wait waits up to d for the process to have exited.
func (p *process) wait(d time.Duration) error {
	select {
	case <-p.exited:
		return nil
	case <-time.After(d):
		return fmt.Errorf("runtime: %s: process %d did not exit", p.cfg.Name, p.cmd.Process.Pid)
	}
}

func (p *process) isDead() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.killed || p.exitErr != nil || isClosed(p.exited)
}

func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// invoke hands one invocation to the process and waits for its outcome.
func (p *process) invoke(payload []byte) ([]byte, error) {
	inv := &invocation{id: newRequestID(), payload: payload, result: make(chan invokeResult, 1)}
	wasReady := isClosed(p.ready)
	initTimer := time.NewTimer(p.cfg.InitTimeout)
	defer initTimer.Stop()
	select {
	case p.queue <- inv:
	case <-p.exited:
		if wasReady {
			return nil, errNotDelivered
		}
		return nil, p.exitError(inv.id)
	case <-p.initFailed:
		p.kill()
		return nil, p.initError()
	case <-initTimer.C:
		p.kill()
		p.cfg.Logger.Warn("runtime: function init timed out", "function", p.cfg.Name, "timeout", p.cfg.InitTimeout)
		return nil, &TimeoutError{Function: p.cfg.Name, Timeout: p.cfg.InitTimeout, Init: true}
	}
	timer := time.NewTimer(p.cfg.Timeout)
	defer timer.Stop()
	select {
	case r := <-inv.result:
		return r.out, r.err
	case <-p.exited:
		select {
		case r := <-inv.result:
			return r.out, r.err
		default:
		}
		return nil, p.exitError(inv.id)
	case <-timer.C:
		p.kill()
		p.cfg.Logger.Warn("runtime: function timed out", "function", p.cfg.Name, "request_id", inv.id, "timeout", p.cfg.Timeout)
		return nil, &TimeoutError{Function: p.cfg.Name, Timeout: p.cfg.Timeout}
	}
}

func (p *process) exitError(requestID string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.initErr != nil {
		return p.initErr
	}
	return &FunctionError{
		Type:    "Runtime.ExitError",
		Message: fmt.Sprintf("RequestId: %s Error: Runtime exited with error: %v", requestID, p.exitErr),
	}
}

func (p *process) initError() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.initErr
}

func (p *process) stats() ProcessStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	pid := 0
	if p.cmd != nil && p.cmd.Process != nil {
		pid = p.cmd.Process.Pid
	}
	return ProcessStats{
		ID:          p.id,
		PID:         pid,
		Init:        p.initDur,
		Invocations: p.invocations,
		Alive:       !isClosed(p.exited),
	}
}
