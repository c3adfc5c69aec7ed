package security_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/livehelp/livehelp/infra/bench/chatclient"
	"github.com/livehelp/livehelp/infra/devstack/stack"
	"github.com/livehelp/livehelp/infra/dynamolocal"
	"github.com/livehelp/livehelp/infra/faults"
	"github.com/livehelp/livehelp/shared/auth"
	"github.com/livehelp/livehelp/shared/livehelp"
)

// leaks are what an answer must never carry: AWS error text, request ids,
// internal addresses, Go errors and stack traces.
var leaks = []string{"DynamoDB", "dynamodb", "operation error", "InternalServerError", "ProvisionedThroughput", "Throttling",
	"StatusCode", "RequestID", "request send failed", "exceeded maximum number of attempts", "api error", "https response error",
	"amazonaws", "127.0.0.1", "localhost", "dial tcp", "connection reset", "EOF", "goroutine", "panic", ".go:", "runtime error",
	"store:", "x-amzn", "faults-injected"}

// checkNoLeak fails the test if s carries any of leaks.
func checkNoLeak(t *testing.T, what, s string) {
	t.Helper()
	for _, l := range leaks {
		if strings.Contains(s, l) {
			t.Errorf("%s reveals %q: %s", what, l, s)
		}
	}
}

// TestInternalErrorsLeakNothing makes DynamoDB fail every request (500s,
// throttling, dropped and hung connections) under a running stack and
// sends every kind of request: each answers internal (500, or an error
// frame with code internal) with a message for people and nothing of the
// cause.
func TestInternalErrorsLeakNothing(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts the local stack")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dynamolocal.NewTestTable(t)
	proxy, err := faults.Start(faults.Config{Target: os.Getenv(dynamolocal.EnvEndpoint), Service: faults.DynamoDB, Delay: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	log := &logBuffer{}
	// The functions reach DynamoDB through the proxy; "localhost" sorts
	// after the stack's own 127.0.0.1 endpoint, so it is the one a
	// function's environment keeps (see infra/faults).
	s, err := stack.Start(ctx, stack.Options{Log: log, Env: map[string]string{dynamolocal.EnvEndpoint: fmt.Sprintf("http://localhost:%d", proxy.Port())}})
	if err != nil {
		t.Fatalf("stack: %v\n%s", err, log.tail())
	}
	defer s.Close()
	ts := newSite(ctx, t, s, "sec-leak", false, livehelp.RoleOperator)
	vtok, _ := ts.visitorToken(ctx, t)
	visitor, err := chatclient.DialVisitor(ctx, s.WebSocketURL, ts.id, vtok, chatclient.Options{Origin: s.DemoOrigin})
	if err != nil {
		t.Fatal(err)
	}
	defer visitor.CloseNow()
	conv, err := visitor.Start(ctx, "V")
	if err != nil {
		t.Fatal(err)
	}
	if proxy.Stats().TotalRequests() == 0 {
		t.Fatal("no DynamoDB request went through the proxy: the functions bypass it")
	}

	proxy.SetRate(1)
	const rounds = 1
	for round := range rounds {
		site := fmt.Sprintf("sec-leak-%d", round) // not in any status cache
		rest := []struct{ method, path, bearer string }{
			{http.MethodGet, "/v1/sites/" + site + "/status", ""},
			{http.MethodPost, "/v1/sites/" + ts.id + "/visitors", ""},
			{http.MethodGet, "/v1/sites/" + ts.id + "/captcha", ""},
			{http.MethodPost, "/v1/console/login", ""},
			{http.MethodGet, "/v1/console/me", ts.tokens[0]},
			{http.MethodGet, "/v1/console/queue", ts.tokens[0]},
		}
		for _, r := range rest {
			var body any
			if r.method == http.MethodPost {
				body = map[string]string{"email": ts.creds[0].Email, "password": ts.creds[0].Password}
				if strings.HasSuffix(r.path, "/visitors") {
					body = map[string]string{}
				}
			}
			status, data, err := chatclient.Do(ctx, r.method, s.RestURL+r.path, s.DemoOrigin, r.bearer, body)
			if err != nil {
				t.Fatal(err)
			}
			what := fmt.Sprintf("%s %s", r.method, r.path)
			code, _ := apiError(data)
			switch {
			case status == http.StatusInternalServerError && code == "internal":
			default: // a 401 here would log operators out on a DynamoDB hiccup
				t.Errorf("%s with DynamoDB down: %d %s, want 500 internal", what, status, data)
			}
			checkNoLeak(t, what, string(data))
		}
		checkHandshake(ctx, t, s, ts)
		for _, f := range []chatclient.Frame{{"action": "ping"}, {"action": "history", "conversation": conv.ID},
			{"action": "send", "conversation": conv.ID, "client_id": fmt.Sprint("leak-", round), "text": "hi"}} {
			got, err := visitor.Request(ctx, f)
			var fe *chatclient.FrameError
			switch {
			case err == nil:
				t.Errorf("%s with DynamoDB down answered %v", f["action"], got)
			case !errors.As(err, &fe) || fe.Code != "internal" || fe.Message == "":
				t.Errorf("%s with DynamoDB down: %v, want an internal error frame", f["action"], err)
			default:
				checkNoLeak(t, fmt.Sprintf("the %s error frame", f["action"]), frameText(fe.Frame))
			}
		}
	}
	t.Logf("faults injected: %v", proxy.Stats().Injected)
}

// checkHandshake opens a WebSocket with a valid token while DynamoDB is
// down: the handshake fails with 500 and says nothing of why.
func checkHandshake(ctx context.Context, t *testing.T, s *stack.Stack, ts *testSite) {
	t.Helper()
	tok := ts.signer.Sign(auth.KindVisitor, auth.Claims{Subject: auth.NewID(), Site: ts.id}, time.Hour)
	c, resp, err := chatclient.Dial(ctx, s.WebSocketURL, url.Values{"site": {ts.id}, "token": {tok}}, chatclient.Options{Origin: s.DemoOrigin})
	if err == nil {
		c.CloseNow()
		t.Error("a handshake succeeded with DynamoDB down")
		return
	}
	if resp == nil {
		t.Fatalf("handshake: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("handshake with DynamoDB down: %d %s, want 500", resp.StatusCode, body)
	}
	checkNoLeak(t, "the refused handshake", string(body))
}
