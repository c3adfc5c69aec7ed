package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/livehelp/livehelp/infra/dynamolocal"
	"github.com/livehelp/livehelp/shared/auth"
	"github.com/livehelp/livehelp/shared/captcha"
	"github.com/livehelp/livehelp/shared/ddbstats"
	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/push"
	"github.com/livehelp/livehelp/shared/store"
)

// TestMain runs the handler tests on DynamoDB Local (see dynamolocal).
func TestMain(m *testing.M) { os.Exit(dynamolocal.RunTests(m)) }

// clock is a settable time source shared by the handler and the store.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

// env is a handler on a fresh table with the site "demo".
type env struct {
	h       *handler
	st      *store.Store
	clk     *clock
	signer  *auth.Signer
	counter *ddbstats.Counter
	lambda  *httpadapter.HandlerAdapter
	pushed  *fakePusher
}

// fakePusher records the frames pushed to connections.
type fakePusher struct {
	mu     sync.Mutex
	frames map[string][]string // by connection
}

func (f *fakePusher) Fanout(_ context.Context, ids []string, data []byte) push.Result {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.frames == nil {
		f.frames = map[string][]string{}
	}
	for _, id := range ids {
		f.frames[id] = append(f.frames[id], string(data))
	}
	return push.Result{Delivered: len(ids)}
}

func (f *fakePusher) to(conn string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.frames[conn]...)
}

func newEnv(t *testing.T, spam bool) *env {
	t.Helper()
	client, table, counter := dynamolocal.NewTestTableWithStats(t)
	clk := &clock{t: time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)}
	st := store.New(client, table, clk.now)
	ctx := context.Background()
	err := st.CreateSite(ctx, &livehelp.Site{ID: "demo", Name: "Demo", URL: "https://www.example.com/help",
		AllowedOrigins: []string{"https://www.example.com"}, AutoReply: "Thanks! We answer within a day.", SpamProtection: spam})
	if err != nil {
		t.Fatal(err)
	}
	keys := auth.NewKeyring(func(ctx context.Context) ([]byte, error) { return st.SigningKey(ctx, "tokens", auth.NewKey) }, clk.now)
	signer, err := keys.Signer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pushed := &fakePusher{}
	h := newHandler(st, pushed, captcha.New(st, clk.now), keys, defaultRules, slog.New(slog.NewJSONHandler(io.Discard, nil)), clk.now)
	return &env{h: h, st: st, clk: clk, signer: signer, counter: counter, lambda: httpadapter.New(h), pushed: pushed}
}

// visitorToken returns a visitor token of site demo.
func (e *env) visitorToken(visitor string) string {
	return e.signer.Sign(auth.KindVisitor, auth.Claims{Subject: visitor, Site: "demo"}, visitorTokenLife)
}

// event loads a captured API Gateway event from testdata.
func event(t *testing.T, file string) events.APIGatewayProxyRequest {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	var ev events.APIGatewayProxyRequest
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

// setHeader sets a header in both header maps of an event.
func setHeader(ev *events.APIGatewayProxyRequest, k, v string) {
	ev.Headers[k] = v
	ev.MultiValueHeaders[k] = []string{v}
}

// serve runs an event through the Lambda adapter and decodes the JSON
// answer (nil for a non-JSON body).
func (e *env) serve(t *testing.T, ev events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, map[string]any) {
	t.Helper()
	resp, err := e.lambda.ProxyWithContext(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	if strings.HasPrefix(resp.MultiValueHeaders["Content-Type"][0], "application/json") {
		if err := json.Unmarshal([]byte(resp.Body), &body); err != nil {
			t.Fatalf("body %q: %v", resp.Body, err)
		}
	}
	return resp, body
}

// openForm asks for a form (and a CAPTCHA) from address ip.
func (e *env) openForm(t *testing.T, ip string) formResponse {
	t.Helper()
	ev := event(t, "get-captcha.json")
	ev.RequestContext.Identity.SourceIP = ip
	resp, _ := e.serve(t, ev)
	if resp.StatusCode != 200 {
		t.Fatalf("open form: %d %s", resp.StatusCode, resp.Body)
	}
	var f formResponse
	if err := json.Unmarshal([]byte(resp.Body), &f); err != nil {
		t.Fatal(err)
	}
	return f
}

// post sends an offline message from address ip with a visitor token.
func (e *env) post(t *testing.T, ip, token string, form map[string]string) (int, map[string]any) {
	t.Helper()
	ev := event(t, "post-message.json")
	ev.RequestContext.Identity.SourceIP = ip
	setHeader(&ev, "Authorization", "Bearer "+token)
	if token == "" {
		delete(ev.Headers, "Authorization")
		delete(ev.MultiValueHeaders, "Authorization")
	}
	body, _ := json.Marshal(form)
	ev.Body = string(body)
	resp, out := e.serve(t, ev)
	return resp.StatusCode, out
}

// validForm returns a form that passes every field check.
func validForm(cid, formToken string) map[string]string {
	return map[string]string{"name": "Dana", "email": "dana@example.org", "subject": "Parcel",
		"message": "Where is my parcel?", "client_id": cid, "form_token": formToken}
}

// solution reads a CAPTCHA's answer the way a person reads the image.
func (e *env) solution(t *testing.T, id string) string {
	t.Helper()
	d, err := e.st.CaptchaDigits(context.Background(), "demo", id)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, len(d))
	for i, v := range d {
		b[i] = '0' + v
	}
	return string(b)
}

// errorOf returns the code and fields of an error answer.
func errorOf(body map[string]any) (code string, fields map[string]any) {
	e, _ := body["error"].(map[string]any)
	code, _ = e["code"].(string)
	fields, _ = e["fields"].(map[string]any)
	return code, fields
}
