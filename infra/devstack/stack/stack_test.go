package stack

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// TestFoundationPath proves the whole local path: a REST request reaches the
// status binary through the runner and DynamoDB Local, and a WebSocket frame
// reaches the chat binary, which answers through @connections.
func TestFoundationPath(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	var log strings.Builder
	s, err := Start(ctx, Options{Log: testLog(&log)})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if t.Failed() {
			t.Logf("stack log:\n%s", log.String())
		}
	}()

	// Button status: runner → Runtime API → status → DynamoDB Local.
	var status struct{ State, Label, Websocket string }
	getJSON(t, s.RestURL+"/v1/sites/demo/status", &status)
	if status.State != "offline" || status.Label != "Leave a message" || status.Websocket != s.WebSocketURL {
		t.Errorf("status = %+v", status)
	}
	resp, err := http.Get(s.RestURL + "/v1/sites/nope/status")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown site: %d, want 404", resp.StatusCode)
	}

	// A visitor token, then a WebSocket round trip through the chat function.
	req, _ := http.NewRequest("POST", s.RestURL+"/v1/sites/demo/visitors", strings.NewReader("{}"))
	req.Header.Set("Origin", s.DemoOrigin)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var v struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || v.Token == "" {
		t.Fatalf("visitor token: %v %d", err, resp.StatusCode)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != s.DemoOrigin {
		t.Errorf("CORS origin = %q", got)
	}

	c, _, err := websocket.Dial(ctx, s.WebSocketURL+"?site=demo&token="+v.Token, &websocket.DialOptions{
		HTTPHeader: http.Header{"Origin": {s.DemoOrigin}},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	if err := c.Write(ctx, websocket.MessageText, []byte(`{"action":"ping","id":"p1"}`)); err != nil {
		t.Fatal(err)
	}
	_, data, err := c.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var pong map[string]any
	if err := json.Unmarshal(data, &pong); err != nil || pong["type"] != "pong" || pong["re"] != "p1" {
		t.Errorf("frame = %s", data)
	}

	// A foreign origin and a forged token are refused at $connect.
	for name, url := range map[string]string{
		"foreign origin": s.WebSocketURL + "?site=demo&token=" + v.Token,
		"forged token":   s.WebSocketURL + "?site=demo&token=" + v.Token[:len(v.Token)-2] + "xx",
	} {
		origin := s.DemoOrigin
		if name == "foreign origin" {
			origin = "https://evil.example"
		}
		_, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {origin}}})
		if err == nil {
			t.Errorf("%s: connected", name)
			continue
		}
		if resp == nil || (resp.StatusCode != 401 && resp.StatusCode != 403) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

type logWriter struct{ b *strings.Builder }

func (w logWriter) Write(p []byte) (int, error) {
	if os.Getenv("STACK_LOG") != "" {
		os.Stderr.Write(p)
	}
	return w.b.Write(p)
}

func testLog(b *strings.Builder) logWriter { return logWriter{b} }
