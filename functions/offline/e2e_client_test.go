package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/livehelp/livehelp/infra/devstack/stack"
)

// lockedBuffer collects the stack's log from many goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) tail(n int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.b.String()
	return s[max(0, len(s)-n):]
}

// startStack starts the local runner for one test and stops it after; the
// end of its log is shown when the test failed.
func startStack(ctx context.Context, t *testing.T, opts stack.Options) *stack.Stack {
	t.Helper()
	log := &lockedBuffer{}
	opts.Log = log
	s, err := stack.Start(ctx, opts)
	if err != nil {
		t.Fatalf("stack: %v\n%s", err, log.tail(8<<10))
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("stack close: %v", err)
		}
		if t.Failed() {
			t.Logf("stack log (end):\n%s", log.tail(16<<10))
		}
	})
	return s
}

// call sends a JSON request to the REST API (to the visitor routes as the
// demo page would, with its Origin) and decodes the JSON answer, whatever
// its status.
func call(ctx context.Context, t *testing.T, s *stack.Stack, method, path, bearer string, body any) (int, map[string]any) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.RestURL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(path, "/v1/sites/") {
		req.Header.Set("Origin", s.DemoOrigin) // the widget on the demo page
	}
	if body != nil {
		req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	data, _ := io.ReadAll(resp.Body)
	if len(data) > 0 && json.Unmarshal(data, &out) != nil {
		t.Fatalf("%s %s: %d, not JSON: %.200s", method, path, resp.StatusCode, data)
	}
	return resp.StatusCode, out
}

// wsClient is a WebSocket participant of the local runner that keeps every
// frame it gets.
type wsClient struct {
	t      *testing.T
	conn   *websocket.Conn
	mu     sync.Mutex
	frames []map[string]any
	notify chan struct{}
}

func dialWS(ctx context.Context, t *testing.T, s *stack.Stack, q url.Values) *wsClient {
	t.Helper()
	h := http.Header{}
	if q.Get("role") == "" {
		h.Set("Origin", s.DemoOrigin)
	}
	conn, _, err := websocket.Dial(ctx, s.WebSocketURL+"?"+q.Encode(), &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	c := &wsClient{t: t, conn: conn, notify: make(chan struct{}, 1)}
	go func() {
		for {
			_, data, err := conn.Read(context.Background())
			if err != nil {
				return
			}
			var f map[string]any
			if json.Unmarshal(data, &f) == nil {
				c.mu.Lock()
				c.frames = append(c.frames, f)
				c.mu.Unlock()
				select {
				case c.notify <- struct{}{}:
				default:
				}
			}
		}
	}()
	t.Cleanup(func() { conn.CloseNow() })
	return c
}

// reply sends frame f with request id re and returns the frame answering
// it (an error frame included), waiting up to 10 s.
func (c *wsClient) reply(ctx context.Context, re string, f map[string]any) map[string]any {
	c.t.Helper()
	f["id"] = re
	c.send(ctx, f)
	deadline := time.After(10 * time.Second)
	for {
		c.mu.Lock()
		for _, g := range c.frames {
			if g["re"] == re {
				c.mu.Unlock()
				return g
			}
		}
		c.mu.Unlock()
		select {
		case <-c.notify:
		case <-deadline:
			c.t.Fatalf("no answer to %s", re)
		}
	}
}

// send writes one frame.
func (c *wsClient) send(ctx context.Context, f map[string]any) {
	c.t.Helper()
	data, _ := json.Marshal(f)
	if err := c.conn.Write(ctx, websocket.MessageText, data); err != nil {
		c.t.Fatal(err)
	}
}

// operator logs the demo operator in and opens their console connection,
// online.
func operator(ctx context.Context, t *testing.T, s *stack.Stack) *wsClient {
	t.Helper()
	code, out := call(ctx, t, s, http.MethodPost, "/v1/console/login", "", map[string]string{"email": s.Demo.Email, "password": s.Demo.Password})
	if code != 200 {
		t.Fatalf("login: %d %v", code, out)
	}
	c := dialWS(ctx, t, s, url.Values{"role": {"operator"}, "token": {out["token"].(string)}})
	if f := c.reply(ctx, "beat", map[string]any{"action": "heartbeat", "state": "online"}); f["type"] != "presence" {
		t.Fatalf("heartbeat: %v", f)
	}
	return c
}

// answer takes a conversation and writes text in it as the operator.
func (c *wsClient) answer(ctx context.Context, conv, text string) {
	c.t.Helper()
	if f := c.reply(ctx, "take-"+conv, map[string]any{"action": "take", "conversation": conv}); f["type"] == "error" && f["code"] != "conflict" {
		c.t.Fatalf("take: %v", f)
	}
	cid := "r" + strings.ReplaceAll(time.Now().Format("150405.000000000"), ".", "")
	if f := c.reply(ctx, "send-"+cid, map[string]any{"action": "send", "conversation": conv, "client_id": cid, "text": text}); f["type"] != "ack" {
		c.t.Fatalf("send: %v", f)
	}
}
