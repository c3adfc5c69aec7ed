package browsertest

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/livehelp/livehelp/infra/dynamolocal"
)

// fakeAPI is a stand-in for the REST and WebSocket APIs that serves the
// real widget.js and the real demo page, each on its own origin, so the
// widget meets CORS as on a customer site. Tests set its answers and read
// what the widget sent.
type fakeAPI struct {
	t      *testing.T
	api    *httptest.Server // REST base at /live, WebSocket at /ws
	demo   *httptest.Server // the demo page, another origin
	widget []byte
	page   []byte

	mu      sync.Mutex
	status  map[string]any // the status answer
	down    bool           // /live/v1/* and /ws drop the connection
	offline func(body map[string]any) (int, any)
	posts   []map[string]any // offline form bodies
	tokens  int              // visitor tokens issued
	frames  []map[string]any // WebSocket frames received
	conns   map[*websocket.Conn]bool
	conv    *fakeConv
	// startStatus and startPosition are what start answers ("" = assigned).
	startStatus   string
	startPosition int
	loseNext      bool // close the connection on the next send, storing nothing
	loseAck       bool // store the next send, then close the connection before the ack
}

// fakeConv is the visitor's one conversation.
type fakeConv struct {
	ID, Status, Operator string
	Position             int
	Read                 int // the visitor's read mark
	Msgs                 []map[string]any
	CIDs                 map[string]int // client id → seq: a resend is acked, not stored again
}

// newFakeAPI starts the fake; the status answer starts as offline.
func newFakeAPI(t *testing.T) *fakeAPI {
	t.Helper()
	root, err := dynamolocal.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeAPI{t: t, conns: map[*websocket.Conn]bool{}}
	if f.widget, err = os.ReadFile(filepath.Join(root, "functions", "console", "web", "widget.js")); err != nil {
		t.Fatal(err)
	}
	if f.page, err = os.ReadFile(filepath.Join(root, "infra", "devstack", "demo", "index.html")); err != nil {
		t.Fatal(err)
	}
	f.api = httptest.NewServer(http.HandlerFunc(f.serveAPI))
	f.demo = httptest.NewServer(http.HandlerFunc(f.serveDemo))
	t.Cleanup(func() {
		f.mu.Lock()
		for c := range f.conns {
			_ = c.CloseNow()
		}
		f.mu.Unlock()
		f.api.Close()
		f.demo.Close()
	})
	f.setStatus("offline", nil)
	return f
}

// rest is the REST base the page's script tag uses.
func (f *fakeAPI) rest() string { return f.api.URL + "/live" }

// hosts are the only hosts the browser may talk to.
func (f *fakeAPI) hosts() []string {
	return []string{strings.TrimPrefix(f.api.URL, "http://"), strings.TrimPrefix(f.demo.URL, "http://")}
}

// pageURL is the demo page; the query's lang adds data-lang to the script
// tag, site changes data-site, nowidget leaves the widget out, and csp
// sends a Content-Security-Policy that forbids inline styles.
func (f *fakeAPI) pageURL(query string) string { return f.demo.URL + "/?" + query }

// setStatus sets the button state; labels override the English defaults.
func (f *fakeAPI) setStatus(state string, labels map[string]string) {
	l := map[string]string{"online": "Click for Live Help", "busy": "Click for Live Help", "offline": "Leave a message"}
	for k, v := range labels {
		l[k] = v
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status = map[string]any{"site": "demo", "state": state, "label": l[state], "labels": l,
		"websocket": "ws" + strings.TrimPrefix(f.api.URL, "http") + "/ws", "spam_protection": false}
}

func (f *fakeAPI) setDown(down bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down = down
	if down {
		for c := range f.conns {
			_ = c.CloseNow()
		}
	}
}

func (f *fakeAPI) serveDemo(w http.ResponseWriter, r *http.Request) {
	page := bytes.ReplaceAll(f.page, []byte("{{REST}}"), []byte(f.rest()))
	if lang := r.URL.Query().Get("lang"); lang != "" {
		page = bytes.Replace(page, []byte(`data-site="demo"`), []byte(`data-site="demo" data-lang="`+lang+`"`), 1)
	}
	if site := r.URL.Query().Get("site"); site != "" {
		page = bytes.Replace(page, []byte(`data-site="demo"`), []byte(`data-site="`+site+`"`), 1)
	}
	if r.URL.Query().Get("nowidget") != "" {
		i := bytes.Index(page, []byte("<script async"))
		page = append(page[:i:i], "</body></html>"...)
	}
	if r.URL.Query().Get("csp") != "" { // a strict policy: no inline style at all
		api := f.api.URL
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; script-src 'unsafe-inline' "+api+
			"; connect-src "+api+" ws"+strings.TrimPrefix(api, "http")+"; img-src "+api)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(page)
}

func (f *fakeAPI) serveAPI(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/live/widget.js" {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		_, _ = w.Write(f.widget)
		return
	}
	f.mu.Lock()
	down := f.down
	f.mu.Unlock()
	if down { // unreachable: the connection drops without an answer
		if hj, ok := w.(http.Hijacker); ok {
			if c, _, err := hj.Hijack(); err == nil {
				_ = c.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	if r.URL.Path == "/ws" {
		f.serveWS(w, r)
		return
	}
	w.Header().Set("Access-Control-Allow-Origin", f.demo.URL)
	w.Header().Set("Vary", "Origin")
	if r.Method == http.MethodOptions {
		w.Header().Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
		w.Header().Set("Access-Control-Allow-Headers", "Content-Type, Authorization")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch r.Method + " " + r.URL.Path {
	case "GET /live/v1/sites/demo/status":
		writeJSON(w, 200, f.status)
	case "POST /live/v1/sites/demo/visitors":
		f.tokens++
		writeJSON(w, 201, map[string]any{"visitor": "v1", "token": "visitor-token-1"})
	case "POST /live/v1/sites/demo/messages":
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			writeJSON(w, 400, map[string]any{"error": map[string]any{"code": "invalid", "message": "not JSON"}})
			return
		}
		body["authorization"] = r.Header.Get("Authorization")
		f.posts = append(f.posts, body)
		if f.offline == nil {
			writeJSON(w, 201, map[string]any{"conversation": "c1"})
			return
		}
		code, resp := f.offline(body)
		writeJSON(w, code, resp)
	default:
		writeJSON(w, 404, map[string]any{"error": map[string]any{"code": "not_found", "message": "No such route."}})
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// serveWS runs one visitor connection with the chat protocol's visitor side.
func (f *fakeAPI) serveWS(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("token") != "visitor-token-1" || r.URL.Query().Get("site") != "demo" {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{OriginPatterns: []string{"127.0.0.1:*"}})
	if err != nil {
		return
	}
	f.mu.Lock()
	f.conns[c] = true
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		delete(f.conns, c)
		f.mu.Unlock()
		_ = c.CloseNow()
	}()
	ctx := r.Context()
	for {
		_, data, err := c.Read(ctx)
		if err != nil {
			return
		}
		var in map[string]any
		if json.Unmarshal(data, &in) != nil {
			continue
		}
		f.mu.Lock()
		f.frames = append(f.frames, in)
		replies, drop := f.handle(in)
		f.mu.Unlock()
		if drop {
			_ = c.CloseNow()
			return
		}
		for _, out := range replies {
			f.write(ctx, c, out)
		}
	}
}

// handle answers one frame; the caller holds f.mu. drop closes the socket.
func (f *fakeAPI) handle(in map[string]any) (out []map[string]any, drop bool) {
	re := in["id"]
	switch in["action"] {
	case "hello":
		hello := map[string]any{"type": "hello", "re": re, "role": "visitor", "conversation": nil, "messages": []any{}, "more": false}
		if f.conv != nil {
			after, _ := in["after"].(float64)
			hello["conversation"] = f.conv.view()
			hello["messages"] = f.conv.after(int(after))
		}
		return []map[string]any{hello}, false
	case "start":
		if f.conv == nil {
			f.conv = &fakeConv{ID: "c1", Status: f.startStatus, Operator: "Ann", Position: f.startPosition, CIDs: map[string]int{}}
			if f.conv.Status == "" {
				f.conv.Status = "assigned"
			}
		} else if f.conv.Status == "closed" {
			f.conv.Status = "assigned"
		}
		return []map[string]any{{"type": "conversation", "re": re, "conversation": f.conv.view()}}, false
	case "send":
		if f.loseNext {
			f.loseNext = false
			return nil, true
		}
		if f.conv == nil || in["conversation"] != f.conv.ID {
			return []map[string]any{{"type": "error", "re": re, "code": "not_found", "message": "No such conversation."}}, false
		}
		cid, _ := in["client_id"].(string)
		if seq, ok := f.conv.CIDs[cid]; ok {
			return []map[string]any{{"type": "ack", "re": re, "conversation": f.conv.ID, "client_id": cid, "seq": seq, "duplicate": true}}, false
		}
		m := f.conv.add("visitor", in["text"], cid)
		f.conv.CIDs[cid] = m["seq"].(int)
		if f.loseAck {
			f.loseAck = false
			return nil, true
		}
		return []map[string]any{{"type": "ack", "re": re, "conversation": f.conv.ID, "client_id": cid, "seq": m["seq"], "duplicate": false},
			{"type": "message", "conversation": f.conv.ID, "message": m}}, false
	case "history":
		after, _ := in["after"].(float64)
		var msgs []map[string]any
		if f.conv != nil {
			msgs = f.conv.after(int(after))
		}
		return []map[string]any{{"type": "history", "re": re, "messages": msgs, "more": false}}, false
	case "ping":
		return []map[string]any{{"type": "pong", "re": re}}, false
	case "read":
		if seq, _ := in["seq"].(float64); f.conv != nil && int(seq) > f.conv.Read {
			f.conv.Read = int(seq)
		}
	}
	return nil, false // typing: recorded only
}

func (c *fakeConv) view() map[string]any {
	v := map[string]any{"id": c.ID, "status": c.Status, "position": c.Position, "seq": len(c.Msgs), "read": c.Read}
	if c.Operator != "" && c.Status == "assigned" {
		v["operator"] = map[string]any{"name": c.Operator}
	}
	return v
}

// after returns the messages after seq (all of them for 0, as the fake
// has no pages).
func (c *fakeConv) after(seq int) []map[string]any {
	out := []map[string]any{}
	for _, m := range c.Msgs {
		if m["seq"].(int) > seq {
			out = append(out, m)
		}
	}
	return out
}

// add stores a message and returns it.
func (c *fakeConv) add(author string, text any, cid string) map[string]any {
	m := map[string]any{"seq": len(c.Msgs) + 1, "author": author, "text": text, "ts": time.Now().UnixMilli()}
	if cid != "" {
		m["client_id"] = cid
	}
	if author == "operator" {
		m["operator"] = map[string]any{"id": "op1", "name": c.Operator}
	}
	c.Msgs = append(c.Msgs, m)
	return m
}

func (f *fakeAPI) write(ctx context.Context, c *websocket.Conn, v any) {
	data, _ := json.Marshal(v)
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_ = c.Write(ctx, websocket.MessageText, data)
}

// push sends a frame to every open connection.
func (f *fakeAPI) push(v map[string]any) {
	f.mu.Lock()
	conns := make([]*websocket.Conn, 0, len(f.conns))
	for c := range f.conns {
		conns = append(conns, c)
	}
	f.mu.Unlock()
	for _, c := range conns {
		f.write(context.Background(), c, v)
	}
}

// operatorSays stores an operator message and pushes it unless silent.
func (f *fakeAPI) operatorSays(text string, silent bool) map[string]any {
	f.mu.Lock()
	m := f.conv.add("operator", text, "")
	id := f.conv.ID
	f.mu.Unlock()
	if !silent {
		f.push(map[string]any{"type": "message", "conversation": id, "message": m})
	}
	return m
}

// waitFrames waits until the widget sent at least n frames of an action
// and returns them all.
func (f *fakeAPI) waitFrames(action string, n int, timeout time.Duration) []map[string]any {
	f.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var got []map[string]any
		f.mu.Lock()
		for _, fr := range f.frames {
			if fr["action"] == action {
				got = append(got, fr)
			}
		}
		f.mu.Unlock()
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("waited %v for %d %q frames, got %d", timeout, n, action, len(got))
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// stored returns how many stored messages have this text.
func (f *fakeAPI) stored(text string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	if f.conv != nil {
		for _, m := range f.conv.Msgs {
			if m["text"] == text {
				n++
			}
		}
	}
	return n
}

// set runs fn with the fake locked, to change its answers.
func (f *fakeAPI) set(fn func(f *fakeAPI)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

// connCount returns the number of open WebSocket connections.
func (f *fakeAPI) connCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.conns)
}

// closedPort returns a 127.0.0.1 address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}
