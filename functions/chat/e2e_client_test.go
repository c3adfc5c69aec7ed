package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/livehelp/livehelp/infra/devstack/stack"
	"github.com/livehelp/livehelp/shared/livehelp"
)

// wsClient is a real WebSocket client of the local runner: a browser tab of
// a visitor or a console of an operator. It records every frame it gets.
type wsClient struct {
	t    testing.TB
	name string
	conn *websocket.Conn

	mu      sync.Mutex
	frames  []map[string]any
	arrived []time.Time
	notify  chan struct{}
	closed  chan struct{}
}

// dial connects to the runner's WebSocket API with query and Origin.
func dial(ctx context.Context, t testing.TB, s *stack.Stack, name string, query url.Values, origin string) (*wsClient, *http.Response, error) {
	t.Helper()
	header := http.Header{}
	if origin != "" {
		header.Set("Origin", origin)
	}
	conn, resp, err := websocket.Dial(ctx, s.WebSocketURL+"?"+query.Encode(), &websocket.DialOptions{HTTPHeader: header})
	if err != nil {
		return nil, resp, err
	}
	conn.SetReadLimit(256 << 10)
	c := &wsClient{t: t, name: name, conn: conn, notify: make(chan struct{}, 1), closed: make(chan struct{})}
	go c.read()
	t.Cleanup(func() { c.conn.CloseNow() })
	return c, resp, nil
}

func (c *wsClient) read() {
	defer close(c.closed)
	for {
		_, data, err := c.conn.Read(context.Background())
		if err != nil {
			return
		}
		var f map[string]any
		if err := json.Unmarshal(data, &f); err != nil {
			c.t.Errorf("%s: frame is not JSON: %s", c.name, data)
			continue
		}
		c.mu.Lock()
		c.frames = append(c.frames, f)
		c.arrived = append(c.arrived, time.Now())
		c.mu.Unlock()
		select {
		case c.notify <- struct{}{}:
		default:
		}
	}
}

// send writes one frame.
func (c *wsClient) send(ctx context.Context, f map[string]any) {
	c.t.Helper()
	data, _ := json.Marshal(f)
	if err := c.conn.Write(ctx, websocket.MessageText, data); err != nil {
		c.t.Fatalf("%s: write: %v", c.name, err)
	}
}

// wait returns the first frame from index from on that matches, waiting up
// to 10 s, and its index.
func (c *wsClient) wait(ctx context.Context, from int, match func(map[string]any) bool) (map[string]any, int) {
	c.t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for {
		c.mu.Lock()
		for i := from; i < len(c.frames); i++ {
			if match(c.frames[i]) {
				f := c.frames[i]
				c.mu.Unlock()
				return f, i
			}
		}
		c.mu.Unlock()
		select {
		case <-c.notify:
		case <-deadline.C:
			c.t.Fatalf("%s: no matching frame within 10 s; got %s", c.name, brief(c.all()))
		case <-ctx.Done():
			c.t.Fatalf("%s: %v", c.name, ctx.Err())
		}
	}
}

// reply sends f with request id re and waits for the frame answering it.
func (c *wsClient) reply(ctx context.Context, re string, f map[string]any) map[string]any {
	c.t.Helper()
	f["id"] = re
	c.send(ctx, f)
	got, _ := c.wait(ctx, 0, func(g map[string]any) bool { return g["re"] == re })
	return got
}

// typed returns a matcher for frames of type typ.
func typed(typ string) func(map[string]any) bool {
	return func(f map[string]any) bool { return f["type"] == typ }
}

// all returns a copy of every frame received so far.
func (c *wsClient) all() []map[string]any {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]map[string]any(nil), c.frames...)
}

// count returns how many frames have been received.
func (c *wsClient) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.frames)
}

// e2eSite creates a site allowing the demo page's origin, with operators
// of the given slots logged in through the console API; it returns their
// session tokens and ids.
func e2eSite(ctx context.Context, t *testing.T, s *stack.Stack, id string, slots ...int) (tokens, ops []string) {
	t.Helper()
	if err := s.Store.CreateSite(ctx, &livehelp.Site{ID: id, Name: id, AllowedOrigins: []string{s.DemoOrigin}, Slots: 3}); err != nil {
		t.Fatal(err)
	}
	for i, k := range slots {
		email := fmt.Sprintf("op%d@%s.example", i+1, id)
		cred, err := s.CreateOperator(ctx, id, email, fmt.Sprintf("Operator %d", i+1), livehelp.RoleOperator, k, "correct horse battery")
		if err != nil {
			t.Fatal(err)
		}
		var out struct{ Token string }
		postJSON(ctx, t, s.RestURL+"/v1/console/login", "", fmt.Sprintf(`{"email":%q,"password":"correct horse battery"}`, email), &out)
		tokens = append(tokens, out.Token)
		ops = append(ops, cred.OperatorID)
	}
	return tokens, ops
}

// visitorToken asks the offline function for a visitor token, as the widget does.
func visitorToken(ctx context.Context, t testing.TB, s *stack.Stack, site string) string {
	t.Helper()
	var out struct{ Token string }
	postJSON(ctx, t, s.RestURL+"/v1/sites/"+site+"/visitors", s.DemoOrigin, "{}", &out)
	return out.Token
}

func postJSON(ctx context.Context, t testing.TB, url, origin, body string, v any) {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("POST %s: %d", url, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// visitorTab connects a tab of the visitor holding token and says hello.
func visitorTab(ctx context.Context, t *testing.T, s *stack.Stack, name, site, token string) *wsClient {
	t.Helper()
	c, _, err := dial(ctx, t, s, name, url.Values{"site": {site}, "token": {token}}, s.DemoOrigin)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	c.reply(ctx, "hello", map[string]any{"action": "hello"})
	return c
}

// console connects an operator's console (a program: no Origin), goes
// online and says hello.
func console(ctx context.Context, t *testing.T, s *stack.Stack, name, token string) *wsClient {
	t.Helper()
	c, _, err := dial(ctx, t, s, name, url.Values{"role": {"operator"}, "token": {token}}, "")
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	c.reply(ctx, "hb", map[string]any{"action": "heartbeat", "state": "online"})
	c.reply(ctx, "hello", map[string]any{"action": "hello"})
	return c
}
