package runtime

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// bareProcess is a process without an executable, so a test can play the
// function's side of the Runtime API.
func bareProcess(t *testing.T) (*process, *httptest.Server) {
	t.Helper()
	p := &process{
		cfg: Config{Name: "fn", Timeout: 2 * time.Second, ARN: "arn:aws:lambda:us-east-1:1:function:fn",
			Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))},
		queue:      make(chan *invocation),
		ready:      make(chan struct{}),
		initFailed: make(chan struct{}),
		exited:     make(chan struct{}),
		started:    time.Now(),
	}
	srv := httptest.NewServer(p.routes())
	t.Cleanup(srv.Close)
	return p, srv
}

// deliver queues an invocation and returns it once "next" has taken it.
func deliver(t *testing.T, p *process, srv *httptest.Server, payload string) (*invocation, *http.Response) {
	t.Helper()
	inv := &invocation{id: newRequestID(), payload: []byte(payload), result: make(chan invokeResult, 1)}
	go func() { p.queue <- inv }()
	resp, err := http.Get(srv.URL + "/2018-06-01/runtime/invocation/next")
	if err != nil {
		t.Fatalf("next: %v", err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return inv, resp
}

func post(t *testing.T, url, body string, header http.Header) int {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, url, strings.NewReader(body))
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestNextHeaders(t *testing.T) {
	p, srv := bareProcess(t)
	inv, resp := deliver(t, p, srv, `{"x":1}`)
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || string(body) != `{"x":1}` {
		t.Fatalf("next = %d %q", resp.StatusCode, body)
	}
	if got := resp.Header.Get("Lambda-Runtime-Aws-Request-Id"); got != inv.id {
		t.Errorf("request id header %q, want %q", got, inv.id)
	}
	if got := resp.Header.Get("Lambda-Runtime-Invoked-Function-Arn"); got != p.cfg.ARN {
		t.Errorf("ARN header %q", got)
	}
	ms, err := strconv.ParseInt(resp.Header.Get("Lambda-Runtime-Deadline-Ms"), 10, 64)
	if err != nil || time.Until(time.UnixMilli(ms)) < time.Second || time.Until(time.UnixMilli(ms)) > 2*time.Second {
		t.Errorf("deadline header %q, want about 2s ahead", resp.Header.Get("Lambda-Runtime-Deadline-Ms"))
	}
	if got := resp.Header.Get("Lambda-Runtime-Trace-Id"); !strings.HasPrefix(got, "Root=1-") {
		t.Errorf("trace header %q", got)
	}
	if p.stats().Invocations != 1 || p.stats().Init <= 0 {
		t.Errorf("stats %+v, want 1 invocation and an init duration", p.stats())
	}
}

func TestResultPosts(t *testing.T) {
	tests := []struct {
		name       string
		path       string // after /invocation/{id}
		body       string
		header     http.Header
		wantStatus int
		want       invokeResult
	}{
		{"response", "/response", `{"ok":true}`, nil, http.StatusAccepted, invokeResult{out: []byte(`{"ok":true}`)}},
		{"error body", "/error", `{"errorMessage":"boom","errorType":"MyError"}`, nil, http.StatusAccepted,
			invokeResult{err: &FunctionError{Type: "MyError", Message: "boom"}}},
		{"error header", "/error", `not json`, http.Header{"Lambda-Runtime-Function-Error-Type": {"Custom.Type"}},
			http.StatusAccepted, invokeResult{err: &FunctionError{Type: "Custom.Type", Message: "not json"}}},
		{"too large", "/response", strings.Repeat("x", MaxPayload+1), nil, http.StatusRequestEntityTooLarge,
			invokeResult{err: &FunctionError{Type: "Function.ResponseSizeTooLarge",
				Message: "Response payload size exceeded maximum allowed payload size (6291456 bytes)."}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, srv := bareProcess(t)
			inv, _ := deliver(t, p, srv, `{}`)
			base := srv.URL + "/2018-06-01/runtime/invocation/"
			if got := post(t, base+"not-the-id"+tt.path, tt.body, tt.header); got != http.StatusBadRequest {
				t.Errorf("post for an unknown id = %d, want 400", got)
			}
			if got := post(t, base+inv.id+tt.path, tt.body, tt.header); got != tt.wantStatus {
				t.Errorf("post = %d, want %d", got, tt.wantStatus)
			}
			var got invokeResult
			select {
			case got = <-inv.result:
			default:
				t.Fatal("no result delivered")
			}
			opts := cmp.Options{cmp.AllowUnexported(invokeResult{}), cmp.Comparer(func(a, b error) bool {
				var fa, fb *FunctionError
				if errors.As(a, &fa) && errors.As(b, &fb) {
					return *fa == *fb
				}
				return a == b
			})}
			if diff := cmp.Diff(tt.want, got, opts); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
			if got := post(t, base+inv.id+tt.path, tt.body, tt.header); got != http.StatusBadRequest {
				t.Errorf("second post for the same id = %d, want 400", got)
			}
		})
	}
}

func TestInitErrorAfterReady(t *testing.T) {
	p, srv := bareProcess(t)
	url := srv.URL + "/2018-06-01/runtime/init/error"
	deliver(t, p, srv, `{}`)
	if got := post(t, url, `{"errorType":"X","errorMessage":"late"}`, nil); got != http.StatusForbidden {
		t.Errorf("init/error after next = %d, want 403", got)
	}
	p2, srv2 := bareProcess(t)
	if got := post(t, srv2.URL+"/2018-06-01/runtime/init/error", `{"errorType":"X","errorMessage":"early"}`, nil); got != http.StatusAccepted {
		t.Errorf("init/error = %d, want 202", got)
	}
	if !isClosed(p2.initFailed) || p2.initErr == nil || *p2.initErr != (FunctionError{Type: "X", Message: "early"}) {
		t.Errorf("init error not recorded: %+v", p2.initErr)
	}
}
