package wsgw

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/coder/websocket"
)

// TestMain fails the package when goroutines outlive the tests.
func TestMain(m *testing.M) {
	before := runtime.NumGoroutine()
	code := m.Run()
	if code == 0 {
		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			fmt.Fprintf(os.Stderr, "goroutine leak: %d before, %d after\n", before, n)
			pprof.Lookup("goroutine").WriteTo(os.Stderr, 1)
			code = 1
		}
	}
	os.Exit(code)
}

// call is one recorded invocation.
type call struct {
	Function string
	Event    events.APIGatewayWebsocketProxyRequest
}

// handler answers an invocation in place of a function.
type handler func(ctx context.Context, fn string, ev events.APIGatewayWebsocketProxyRequest) ([]byte, error)

// fakeInvoker records every event (decoded from the wire JSON) and answers
// with handle, or with {"statusCode":200}.
type fakeInvoker struct {
	mu     sync.Mutex
	calls  []call
	handle handler
}

func (f *fakeInvoker) Invoke(ctx context.Context, fn string, payload []byte) ([]byte, error) {
	var ev events.APIGatewayWebsocketProxyRequest
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, err
	}
	f.mu.Lock()
	f.calls = append(f.calls, call{fn, ev})
	h := f.handle
	f.mu.Unlock()
	if h != nil {
		return h(ctx, fn, ev)
	}
	return []byte(`{"statusCode":200}`), nil
}

// byRoute returns the recorded events of one route key, in call order.
func (f *fakeInvoker) byRoute(route string) []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []call
	for _, c := range f.calls {
		if c.Event.RequestContext.RouteKey == route {
			out = append(out, c)
		}
	}
	return out
}

// wait polls until at least n events of route are recorded.
func (f *fakeInvoker) wait(t *testing.T, route string, n int) []call {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := f.byRoute(route)
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("got %d %s events, want %d", len(got), route, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// connectionID returns the connection ID given to the client that dialled
// with ?token=token.
func (f *fakeInvoker) connectionID(t *testing.T, token string) string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for _, c := range f.byRoute(RouteConnect) {
			if c.Event.QueryStringParameters["token"] == token {
				return c.Event.RequestContext.ConnectionID
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no $connect event for token %q", token)
	return ""
}

// chatRoutes is the template's wiring plus one named route.
var chatRoutes = map[string]string{
	RouteConnect: "ChatFunction", RouteDisconnect: "ChatFunction", RouteDefault: "ChatFunction",
	"sendMessage": "SendFunction",
}

// startGateway serves a gateway on 127.0.0.1 and closes both at cleanup.
func startGateway(t *testing.T, cfg Config) (*Gateway, *httptest.Server) {
	t.Helper()
	if cfg.Stage == "" {
		cfg.Stage = "live"
	}
	if cfg.RouteSelection == "" {
		cfg.RouteSelection = "$request.body.action"
	}
	if cfg.Routes == nil {
		cfg.Routes = chatRoutes
	}
	gw, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gw)
	t.Cleanup(func() {
		if err := gw.Close(); err != nil {
			t.Errorf("gateway close: %v", err)
		}
		srv.Close()
	})
	return gw, srv
}

// client is a test WebSocket client that keeps reading, so close frames
// from the gateway are answered.
type client struct {
	ws     *websocket.Conn
	msgs   chan string
	closed chan struct{}
	err    error // set before closed is closed
}

// dial connects to the gateway with ?token=token and starts reading.
func dial(t *testing.T, srv *httptest.Server, token string, hdr http.Header) *client {
	t.Helper()
	c, resp, err := tryDial(srv, token, hdr)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial %s: status %d: %v", token, status, err)
	}
	t.Cleanup(func() { c.ws.CloseNow() })
	return c
}

func tryDial(srv *httptest.Server, token string, hdr http.Header) (*client, *http.Response, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/live?token=" + token
	opts := &websocket.DialOptions{HTTPHeader: hdr.Clone()}
	if p := hdr.Values("Sec-WebSocket-Protocol"); len(p) > 0 {
		opts.Subprotocols = p
		opts.HTTPHeader.Del("Sec-WebSocket-Protocol")
	}
	ws, resp, err := websocket.Dial(ctx, url, opts)
	if err != nil {
		return nil, resp, err
	}
	ws.SetReadLimit(1 << 20)
	c := &client{ws: ws, msgs: make(chan string, 1024), closed: make(chan struct{})}
	go func() {
		defer close(c.closed)
		for {
			typ, data, err := ws.Read(context.Background())
			if err != nil {
				c.err = err
				return
			}
			c.msgs <- fmt.Sprintf("%s:%s", typ, data)
		}
	}()
	return c, resp, nil
}

func (c *client) send(t *testing.T, text string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.ws.Write(ctx, websocket.MessageText, []byte(text)); err != nil {
		t.Fatalf("send: %v", err)
	}
}

// next returns the next message as "MessageText:<data>".
func (c *client) next(t *testing.T) string {
	t.Helper()
	select {
	case m := <-c.msgs:
		return m
	case <-c.closed:
		t.Fatalf("connection closed while waiting for a message: %v", c.err)
	case <-time.After(5 * time.Second):
		t.Fatal("no message within 5s")
	}
	return ""
}

// waitClosed waits for the gateway to close the connection and returns the
// close status the client received.
func (c *client) waitClosed(t *testing.T, within time.Duration) websocket.StatusCode {
	t.Helper()
	select {
	case <-c.closed:
		return websocket.CloseStatus(c.err)
	case <-time.After(within):
		t.Fatalf("connection still open after %v", within)
	}
	return 0
}

// management returns a real SDK client for the gateway's @connections API.
func management(srv *httptest.Server) *apigatewaymanagementapi.Client {
	cfg := aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""),
	}
	return apigatewaymanagementapi.NewFromConfig(cfg, func(o *apigatewaymanagementapi.Options) {
		o.BaseEndpoint = aws.String(srv.URL + "/live")
	})
}
