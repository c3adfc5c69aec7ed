package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/livehelp/livehelp/infra/devstack/template"
)

// fakeInvoker records invocations and answers with a canned result.
type fakeInvoker struct {
	mu       sync.Mutex
	function string
	event    events.APIGatewayProxyRequest
	out      []byte
	err      error
	block    bool // wait for the context to end
}

func (f *fakeInvoker) Invoke(ctx context.Context, function string, payload []byte) ([]byte, error) {
	f.mu.Lock()
	f.function = function
	f.event = events.APIGatewayProxyRequest{}
	err := json.Unmarshal(payload, &f.event)
	f.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if f.block {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return f.out, f.err
}

var testRoutes = []Route{
	{Method: "GET", Path: "/v1/sites/{site}/status", Function: "StatusFunction"},
	{Method: "POST", Path: "/v1/sites/{site}/visitors", Function: "OfflineFunction"},
	{Method: "OPTIONS", Path: "/v1/sites/{site}/visitors", Function: "OfflineFunction"},
	{Method: "GET", Path: "/v1/sites/{site}/captcha/{file}", Function: "OfflineFunction"},
	{Method: "ANY", Path: "/v1/console/{proxy+}", Function: "ConsoleFunction"},
	{Method: "GET", Path: "/v1/console/special", Function: "SpecialFunction"},
	{Method: "GET", Path: "/console", Function: "ConsoleFunction"},
	{Method: "GET", Path: "/", Function: "RootFunction"},
}

var fixedNow = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

func newHandler(t *testing.T, inv Invoker, mutate func(*Config)) *Handler {
	t.Helper()
	cfg := Config{
		APIID: "abc123defg", Stage: "live", Routes: testRoutes, Invoker: inv,
		Now:    func() time.Time { return fixedNow },
		Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)),
	}
	if mutate != nil {
		mutate(&cfg)
	}
	h, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return h
}

const okResponse = `{"statusCode":200,"body":"ok"}`

func TestEvent(t *testing.T) {
	inv := &fakeInvoker{out: []byte(okResponse)}
	h := newHandler(t, inv, func(c *Config) { c.StageVariables = map[string]string{"v": "1"} })
	req := httptest.NewRequest("POST", "http://127.0.0.1:9000/live/v1/sites/demo/visitors?a=1&a=2&b=x", strings.NewReader(`{"name":"Ann"}`))
	req.Header.Add("X-Test", "one")
	req.Header.Add("X-Test", "two")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "tester/1")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 || rec.Body.String() != "ok" {
		t.Fatalf("response %d %q", rec.Code, rec.Body)
	}
	want := events.APIGatewayProxyRequest{
		Resource:   "/v1/sites/{site}/visitors",
		Path:       "/v1/sites/demo/visitors",
		HTTPMethod: "POST",
		Headers: map[string]string{
			"X-Test": "two", "Content-Type": "application/json", "User-Agent": "tester/1",
			"Host": "127.0.0.1:9000", "X-Forwarded-For": "192.0.2.1", "X-Forwarded-Port": "9000", "X-Forwarded-Proto": "http",
		},
		MultiValueHeaders: map[string][]string{
			"X-Test": {"one", "two"}, "Content-Type": {"application/json"}, "User-Agent": {"tester/1"},
			"Host": {"127.0.0.1:9000"}, "X-Forwarded-For": {"192.0.2.1"}, "X-Forwarded-Port": {"9000"}, "X-Forwarded-Proto": {"http"},
		},
		QueryStringParameters:           map[string]string{"a": "2", "b": "x"},
		MultiValueQueryStringParameters: map[string][]string{"a": {"1", "2"}, "b": {"x"}},
		PathParameters:                  map[string]string{"site": "demo"},
		StageVariables:                  map[string]string{"v": "1"},
		RequestContext: events.APIGatewayProxyRequestContext{
			AccountID:        "123456789012",
			ResourceID:       resourceID("/v1/sites/{site}/visitors"),
			Stage:            "live",
			Identity:         events.APIGatewayRequestIdentity{SourceIP: "192.0.2.1", UserAgent: "tester/1"},
			ResourcePath:     "/v1/sites/{site}/visitors",
			HTTPMethod:       "POST",
			APIID:            "abc123defg",
			Path:             "/live/v1/sites/demo/visitors",
			RequestTime:      "04/Mar/2026:05:06:07 +0000",
			RequestTimeEpoch: fixedNow.UnixMilli(),
			Protocol:         "HTTP/1.1",
			DomainName:       "127.0.0.1:9000",
			DomainPrefix:     "127",
		},
		Body: `{"name":"Ann"}`,
	}
	ignore := cmpopts.IgnoreFields(events.APIGatewayProxyRequestContext{}, "RequestID", "ExtendedRequestID")
	if diff := cmp.Diff(want, inv.event, ignore); diff != "" {
		t.Errorf("event (-want +got):\n%s", diff)
	}
	if inv.function != "OfflineFunction" {
		t.Errorf("function %q, want OfflineFunction", inv.function)
	}
	if id := rec.Header().Get("x-amzn-RequestId"); id == "" || id != inv.event.RequestContext.RequestID {
		t.Errorf("x-amzn-RequestId %q, event request id %q", id, inv.event.RequestContext.RequestID)
	}
}

func TestRouting(t *testing.T) {
	tests := []struct {
		method, path string
		wantFunction string // "" means 403
		wantResource string
		wantParams   map[string]string
	}{
		{"GET", "/live/v1/sites/demo/status", "StatusFunction", "/v1/sites/{site}/status", map[string]string{"site": "demo"}},
		{"GET", "/live/v1/sites/a%20b%2Fc/status", "StatusFunction", "/v1/sites/{site}/status", map[string]string{"site": "a b/c"}},
		{"POST", "/live/v1/sites/demo/status", "", "", nil},
		{"OPTIONS", "/live/v1/sites/demo/visitors", "OfflineFunction", "/v1/sites/{site}/visitors", map[string]string{"site": "demo"}},
		{"GET", "/live/v1/sites/demo/captcha/x1.png", "OfflineFunction", "/v1/sites/{site}/captcha/{file}", map[string]string{"site": "demo", "file": "x1.png"}},
		{"GET", "/live/v1/console/a/b/c", "ConsoleFunction", "/v1/console/{proxy+}", map[string]string{"proxy": "a/b/c"}},
		{"DELETE", "/live/v1/console/x", "ConsoleFunction", "/v1/console/{proxy+}", map[string]string{"proxy": "x"}},
		{"GET", "/live/v1/console/special", "SpecialFunction", "/v1/console/special", nil},
		{"POST", "/live/v1/console/special", "", "", nil},
		{"GET", "/live/v1/console", "", "", nil},
		{"GET", "/live/console", "ConsoleFunction", "/console", nil},
		{"GET", "/live/console/", "ConsoleFunction", "/console", nil},
		{"GET", "/live", "RootFunction", "/", nil},
		{"GET", "/live/", "RootFunction", "/", nil},
		{"GET", "/live/nope", "", "", nil},
		{"GET", "/liver/console", "", "", nil},
		{"GET", "/console", "", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			inv := &fakeInvoker{out: []byte(okResponse)}
			h := newHandler(t, inv, nil)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
			if tt.wantFunction == "" {
				if rec.Code != 403 || rec.Body.String() != `{"message":"Missing Authentication Token"}` || inv.function != "" {
					t.Errorf("got %d %q (invoked %q), want 403 Missing Authentication Token", rec.Code, rec.Body, inv.function)
				}
				return
			}
			if rec.Code != 200 || inv.function != tt.wantFunction {
				t.Fatalf("got %d, invoked %q; want 200 from %s", rec.Code, inv.function, tt.wantFunction)
			}
			if inv.event.Resource != tt.wantResource {
				t.Errorf("resource %q, want %q", inv.event.Resource, tt.wantResource)
			}
			if diff := cmp.Diff(tt.wantParams, inv.event.PathParameters); diff != "" {
				t.Errorf("path parameters (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRequestBody(t *testing.T) {
	png := []byte{0x89, 'P', 'N', 'G', 0, 1, 2}
	tests := []struct {
		name, contentType string
		body              []byte
		binaryTypes       []string
		wantBody          string
		wantBase64        bool
	}{
		{"json", "application/json; charset=utf-8", []byte(`{"a":1}`), nil, `{"a":1}`, false},
		{"form", "application/x-www-form-urlencoded", []byte("a=1&b=2"), nil, "a=1&b=2", false},
		{"no type", "", []byte("plain"), nil, "plain", false},
		{"png", "image/png", png, nil, "iVBORwABAg==", true},
		{"invalid utf-8 text", "text/plain", []byte{0xff, 0xfe}, nil, "//4=", true},
		{"configured binary", "application/json", []byte(`{}`), []string{"application/*"}, "e30=", true},
		{"empty", "application/json", nil, nil, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := &fakeInvoker{out: []byte(okResponse)}
			h := newHandler(t, inv, func(c *Config) { c.BinaryMediaTypes = tt.binaryTypes })
			req := httptest.NewRequest("POST", "/live/v1/sites/s/visitors", bytes.NewReader(tt.body))
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			h.ServeHTTP(httptest.NewRecorder(), req)
			if inv.event.Body != tt.wantBody || inv.event.IsBase64Encoded != tt.wantBase64 {
				t.Errorf("body %q base64 %v, want %q %v", inv.event.Body, inv.event.IsBase64Encoded, tt.wantBody, tt.wantBase64)
			}
		})
	}
}

func TestResponses(t *testing.T) {
	tests := []struct {
		name       string
		out        string
		err        error
		wantStatus int
		wantBody   string
		wantHeader http.Header
	}{
		{"full", `{"statusCode":201,"headers":{"X-One":"1","Set-Cookie":"a=1"},"multiValueHeaders":{"Set-Cookie":["a=1","b=2"]},"body":"aGVsbG8=","isBase64Encoded":true}`,
			nil, 201, "hello", http.Header{"X-One": {"1"}, "Set-Cookie": {"a=1", "b=2"}, "Content-Type": {"application/json"}}},
		{"content type kept", `{"statusCode":404,"headers":{"Content-Type":"text/plain"},"body":"missing"}`,
			nil, 404, "missing", http.Header{"Content-Type": {"text/plain"}}},
		{"function error", ``, errors.New("runtime: function error Unhandled: boom"), 502, `{"message": "Internal server error"}`, nil},
		{"not json", `oops`, nil, 502, `{"message": "Internal server error"}`, nil},
		{"no status", `{"body":"x"}`, nil, 502, `{"message": "Internal server error"}`, nil},
		{"bad base64", `{"statusCode":200,"body":"%%%","isBase64Encoded":true}`, nil, 502, `{"message": "Internal server error"}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHandler(t, &fakeInvoker{out: []byte(tt.out), err: tt.err}, nil)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", "/live/console", nil))
			if rec.Code != tt.wantStatus || rec.Body.String() != tt.wantBody {
				t.Errorf("got %d %q, want %d %q", rec.Code, rec.Body, tt.wantStatus, tt.wantBody)
			}
			for k, want := range tt.wantHeader {
				if diff := cmp.Diff(want, rec.Header().Values(k)); diff != "" {
					t.Errorf("header %s (-want +got):\n%s", k, diff)
				}
			}
		})
	}
}

func TestLimits(t *testing.T) {
	h := newHandler(t, &fakeInvoker{out: []byte(okResponse)}, nil)
	rec := httptest.NewRecorder()
	big := bytes.NewReader(make([]byte, MaxBody+1))
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/live/v1/sites/s/visitors", big))
	if rec.Code != 413 {
		t.Errorf("body over 10 MB: %d, want 413", rec.Code)
	}
	req := httptest.NewRequest("POST", "/live/v1/sites/s/visitors", io.MultiReader(bytes.NewReader(make([]byte, MaxBody)), strings.NewReader("x")))
	req.ContentLength = -1
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 413 {
		t.Errorf("chunked body over 10 MB: %d, want 413", rec.Code)
	}

	slow := newHandler(t, &fakeInvoker{block: true}, func(c *Config) { c.Timeout = 50 * time.Millisecond })
	rec = httptest.NewRecorder()
	slow.ServeHTTP(rec, httptest.NewRequest("GET", "/live/console", nil))
	if rec.Code != 504 || rec.Body.String() != `{"message": "Endpoint request timed out"}` {
		t.Errorf("integration timeout: %d %q, want 504", rec.Code, rec.Body)
	}
}

func TestNewRejectsBadRoutes(t *testing.T) {
	tests := []struct {
		routes []Route
		want   string
	}{
		{[]Route{{Method: "GET", Path: "x"}}, "does not start with /"},
		{[]Route{{Method: "GET", Path: "/{proxy+}/x"}}, "must be last"},
		{[]Route{{Method: "GET", Path: "/a/x{id}"}}, "mixes text"},
		{[]Route{{Method: "FETCH", Path: "/a"}}, "unknown method"},
		{[]Route{{Method: "GET", Path: "/a"}, {Method: "get", Path: "/a"}}, "defined twice"},
	}
	for _, tt := range tests {
		_, err := New(Config{Stage: "live", Invoker: &fakeInvoker{}, Routes: tt.routes})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("New(%v) = %v, want error containing %q", tt.routes, err, tt.want)
		}
	}
}

func TestConfigFromTemplateAPI(t *testing.T) {
	inv := &fakeInvoker{out: []byte(okResponse)}
	h, err := New(Config{
		API: &template.RestAPI{
			LogicalID: "RestApi", ID: "tpl0000001", StageName: "v2",
			BinaryMediaTypes: []string{"image/png"}, Variables: map[string]string{"k": "v"},
			Routes: []template.Route{{Method: "GET", Path: "/widget.js", Function: "ConsoleFunction"}},
		},
		Invoker: inv, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	req := httptest.NewRequest("GET", "/v2/widget.js", bytes.NewReader([]byte("png?")))
	req.Header.Set("Content-Type", "image/png")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 || inv.function != "ConsoleFunction" {
		t.Fatalf("got %d from %q, want 200 from ConsoleFunction", rec.Code, inv.function)
	}
	got := []string{inv.event.RequestContext.APIID, inv.event.RequestContext.Stage, inv.event.StageVariables["k"], inv.event.Body}
	if diff := cmp.Diff([]string{"tpl0000001", "v2", "v", "cG5nPw=="}, got); diff != "" {
		t.Errorf("api id, stage, stage variable, body (-want +got):\n%s", diff)
	}
}
