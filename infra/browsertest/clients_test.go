package browsertest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// postJSON posts v as JSON and decodes a 2xx answer into out.
func postJSON(ctx context.Context, u, bearer string, v, out any) error {
	body, _ := json.Marshal(v)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("POST %s: %s: %s", u, resp.Status, data)
	}
	return json.Unmarshal(data, out)
}

// wsClient is a test participant on the WebSocket API: it keeps every frame
// it receives and can heartbeat like the console.
type wsClient struct {
	t    *testing.T
	conn *websocket.Conn
	ctx  context.Context
	stop context.CancelFunc

	mu     sync.Mutex
	frames []map[string]any
	seq    int
	beat   context.CancelFunc
}

// dialWS connects to the WebSocket API with the query q (role, site, token).
func dialWS(t *testing.T, wsURL string, q url.Values) *wsClient {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(dctx, wsURL+"?"+q.Encode(), nil)
	if err != nil {
		stop()
		t.Fatalf("dial %s: %v", wsURL, err)
	}
	c := &wsClient{t: t, conn: conn, ctx: ctx, stop: stop}
	go func() {
		for {
			_, data, err := conn.Read(ctx)
			if err != nil {
				return
			}
			var f map[string]any
			if json.Unmarshal(data, &f) == nil {
				c.mu.Lock()
				c.frames = append(c.frames, f)
				c.mu.Unlock()
			}
		}
	}()
	t.Cleanup(c.close)
	return c
}

// send writes a frame with a fresh request id and returns the id.
func (c *wsClient) send(f map[string]any) string {
	c.t.Helper()
	c.mu.Lock()
	c.seq++
	id := fmt.Sprintf("t%d", c.seq)
	c.mu.Unlock()
	f["id"] = id
	data, _ := json.Marshal(f)
	ctx, cancel := context.WithTimeout(c.ctx, 5*time.Second)
	defer cancel()
	if err := c.conn.Write(ctx, websocket.MessageText, data); err != nil {
		c.t.Fatalf("send %v: %v", f, err)
	}
	return id
}

// await returns the first frame received that matches, waiting up to timeout.
func (c *wsClient) await(what string, timeout time.Duration, match func(map[string]any) bool) map[string]any {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		c.mu.Lock()
		for _, f := range c.frames {
			if match(f) {
				c.mu.Unlock()
				return f
			}
		}
		c.mu.Unlock()
		if time.Now().After(deadline) {
			c.mu.Lock()
			got := fmt.Sprint(c.frames)
			c.mu.Unlock()
			c.t.Fatalf("waited %v for %s; frames: %s", timeout, what, got)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// reply sends a frame and waits for the frame answering it.
func (c *wsClient) reply(f map[string]any) map[string]any {
	c.t.Helper()
	id := c.send(f)
	return c.await(fmt.Sprintf("the reply to %v", f["action"]), 10*time.Second, func(g map[string]any) bool { return g["re"] == id })
}

// heartbeat sends the console's heartbeat every interval until stopBeats.
func (c *wsClient) heartbeat(interval time.Duration) {
	ctx, cancel := context.WithCancel(c.ctx)
	c.mu.Lock()
	c.beat = cancel
	c.mu.Unlock()
	go func() {
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			data, _ := json.Marshal(map[string]any{"action": "heartbeat", "state": "online"})
			wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			err := c.conn.Write(wctx, websocket.MessageText, data)
			cancel()
			if err != nil {
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
}

// stopBeats stops the heartbeats but keeps the connection: an operator
// whose browser froze.
func (c *wsClient) stopBeats() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.beat != nil {
		c.beat()
	}
}

// close closes the connection normally.
func (c *wsClient) close() {
	c.stopBeats()
	_ = c.conn.Close(websocket.StatusNormalClosure, "bye")
	c.stop()
}

// isError reports an error frame whose message says the action is unknown:
// a protocol feature not built yet.
func isUnknownAction(f map[string]any) bool {
	msg, _ := f["message"].(string)
	return f["type"] == "error" && strings.Contains(msg, "Unknown action")
}
