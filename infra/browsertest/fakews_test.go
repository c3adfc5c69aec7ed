package browsertest

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/coder/websocket"
)

// The fake's WebSocket side: the visitor half of functions/chat/PROTOCOL.md.

// fakeConv is the visitor's one conversation.
type fakeConv struct {
	ID, Status, Operator string
	Position             int
	Read                 int // the visitor's read mark
	Msgs                 []map[string]any
	CIDs                 map[string]int // client id → seq: a resend is acked, not stored again
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
