package faults_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/livehelp/livehelp/infra/devstack/stack"
	"github.com/livehelp/livehelp/infra/dynamolocal"
	"github.com/livehelp/livehelp/infra/faults"
)

// faultEnv is the local stack with a fault proxy in front of each of the
// three services the functions call. The test's own reads (s.Store, s.DB)
// go straight to DynamoDB Local.
type faultEnv struct {
	s                *stack.Stack
	ddb, conns, mail *faults.Proxy
	log              *tailBuffer
}

// proxies returns the three proxies.
func (e *faultEnv) proxies() []*faults.Proxy { return []*faults.Proxy{e.ddb, e.conns, e.mail} }

// setRate sets the fault rate of every proxy.
func (e *faultEnv) setRate(rate float64) {
	for _, p := range e.proxies() {
		p.SetRate(rate)
	}
}

// injected returns the faults injected by every proxy.
func (e *faultEnv) injected() int64 {
	var n int64
	for _, p := range e.proxies() {
		n += p.Stats().TotalInjected()
	}
	return n
}

// localhost is a proxy's URL as the functions get it. stack.Start sorts a
// function's environment and the process keeps the value of a duplicated
// key that sorts last, not the one Options.Env added; "http://localhost:"
// sorts after the stack's "http://127.0.0.1:", so the override wins. The
// proxies listen on 127.0.0.1 only.
func localhost(p *faults.Proxy) string { return fmt.Sprintf("http://localhost:%d", p.Port()) }

// startFaultEnv starts DynamoDB Local (shared by the test binary), the
// proxies (rate 0) and the stack. The WebSocket and mail ports are chosen
// first so the proxies know their targets before the stack starts.
func startFaultEnv(ctx context.Context, t *testing.T, params map[string]string) *faultEnv {
	t.Helper()
	dynamolocal.NewTestTable(t) // starts DynamoDB Local and points AWS_ENDPOINT_URL_DYNAMODB at it
	direct := os.Getenv(dynamolocal.EnvEndpoint)
	wsPort, mailPort := freePort(t), freePort(t)
	e := &faultEnv{log: &tailBuffer{max: 64 << 10}}
	var err error
	opts := []struct {
		p   **faults.Proxy
		cfg faults.Config
	}{
		{&e.ddb, faults.Config{Target: direct, Service: faults.DynamoDB}},
		{&e.conns, faults.Config{Target: fmt.Sprintf("http://127.0.0.1:%d", wsPort), Service: faults.Connections}},
		{&e.mail, faults.Config{Target: fmt.Sprintf("http://127.0.0.1:%d", mailPort), Service: faults.SES,
			Match: func(op string) bool { return op == "SendEmail" }}},
	}
	for _, o := range opts {
		o.cfg.Delay = 400 * time.Millisecond
		if *o.p, err = faults.Start(o.cfg); err != nil {
			t.Fatal(err)
		}
		p := *o.p
		t.Cleanup(func() { p.Close() })
	}
	e.s, err = stack.Start(ctx, stack.Options{
		Log: e.log, Params: params, WebSocketPort: wsPort, MailPort: mailPort,
		Env: map[string]string{
			dynamolocal.EnvEndpoint:  localhost(e.ddb),
			"WEBSOCKET_ENDPOINT":     localhost(e.conns) + "/live",
			"AWS_ENDPOINT_URL_SESV2": localhost(e.mail),
		},
	})
	if err != nil {
		t.Fatalf("stack: %v\n%s", err, e.log)
	}
	t.Cleanup(func() {
		if err := e.s.Close(); err != nil {
			t.Logf("stack close: %v", err)
		}
		if t.Failed() {
			t.Logf("stack log (end):\n%s", e.log)
		}
	})
	return e
}

// checkWired fails the test unless each proxy saw the functions' requests:
// an override that did not take would make the test pass without faults.
func (e *faultEnv) checkWired(t *testing.T) {
	t.Helper()
	for _, p := range []*faults.Proxy{e.ddb, e.conns} {
		if p.Stats().TotalRequests() == 0 {
			t.Fatalf("no request went through the %s proxy: the functions bypass it", p.Stats().Operations())
		}
	}
}

// freePort returns a port of 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// tailBuffer keeps the last max bytes written to it, from many goroutines.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   bytes.Buffer
}

// Write implements io.Writer.
func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b.Write(p)
	if over := t.b.Len() - 2*t.max; over > 0 {
		rest := append([]byte(nil), t.b.Bytes()[t.b.Len()-t.max:]...)
		t.b.Reset()
		t.b.Write(rest)
	}
	return len(p), nil
}

// String returns the last max bytes.
func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.b.String()
	return s[max(0, len(s)-t.max):]
}

// count returns how many lines of the kept log contain sub.
func (t *tailBuffer) count(sub string) int { return strings.Count(t.String(), sub) }
