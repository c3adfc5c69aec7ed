package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// status reads the button status as the widget does.
func status(t *testing.T, api *API, site, query string) (*Response, statusBody) {
	t.Helper()
	var b statusBody
	r, err := api.Do(within(t, 30*time.Second), http.MethodGet, "/v1/sites/"+url.PathEscape(site)+"/status"+query, "", nil, &b)
	if err != nil {
		t.Fatal(err)
	}
	return r, b
}

type statusBody struct {
	Site   string            `json:"site"`
	State  string            `json:"state"`
	Label  string            `json:"label"`
	Labels map[string]string `json:"labels"`
}

// statusWait bounds how long the button may lag: the status cache (5 s by
// default, at most 60) plus delivery.
const statusWait = 90 * time.Second

func TestButtonStatus(t *testing.T) {
	tg := need(t)
	api := NewAPI(tg.RestURL)

	r, _ := status(t, api, "no-such-site-"+randomID(), "")
	if r.Status != http.StatusNotFound || r.Err.Code != "not_found" {
		t.Errorf("status of an unknown site: HTTP %d %q, want 404 not_found", r.Status, r.Err.Code)
	}
	r, _ = status(t, api, tg.Site, "?lang=%3Cscript%3E")
	if r.Status != http.StatusBadRequest || r.Err.Code != "invalid" {
		t.Errorf("status with a bad lang: HTTP %d %q, want 400 invalid", r.Status, r.Err.Code)
	}
	r, b := status(t, api, tg.Site, "")
	if r.Status != http.StatusOK || b.Site != tg.Site || !slices.Contains([]string{"online", "busy", "offline"}, b.State) {
		t.Fatalf("status: HTTP %d %+v", r.Status, b)
	}
	if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=") {
		t.Errorf("Cache-Control = %q, want a max-age", cc)
	}

	op := onlineOperator(t)
	eventually(t, statusWait, func() string {
		_, b := status(t, api, tg.Site, "?lang=en")
		if b.State != "online" || b.Label == "" || b.Label != b.Labels["online"] {
			return fmt.Sprintf("status with an operator online = %+v, want online with its label", b)
		}
		return ""
	})
	op.heartbeat(t, within(t, 30*time.Second), "offline")
	eventually(t, statusWait, func() string {
		if _, b := status(t, api, tg.Site, ""); b.State != "offline" {
			return fmt.Sprintf("status after the operator went offline = %q, want offline (unless another operator of the test site is online)", b.State)
		}
		return ""
	})
}

// chat is a visitor's conversation with the test operator.
type chat struct {
	op      *operatorConn
	visitor *Visitor
	ws      *Socket
	conv    string
}

// startChat brings the operator online, connects a new visitor and starts
// a conversation, which must be assigned to the operator. It skips the
// test when the deployment's chat has no routing yet.
func startChat(t *testing.T) *chat {
	t.Helper()
	tg := need(t)
	op := onlineOperator(t)
	api := NewAPI(tg.RestURL)
	ctx := within(t, time.Minute)
	v, err := api.NewVisitor(ctx, tg.Site)
	if err != nil {
		t.Fatal(err)
	}
	if _, status, err := Dial(ctx, tg.WebSocketURL, url.Values{"site": {tg.Site}, "token": {v.Token + "x"}}); err == nil || status != http.StatusUnauthorized {
		t.Errorf("visitor connect with a tampered token: HTTP %d, %v; want 401", status, err)
	}
	ws, status, err := Dial(ctx, tg.WebSocketURL, url.Values{"site": {tg.Site}, "token": {v.Token}})
	if err != nil {
		t.Fatalf("visitor connect: HTTP %d: %v", status, err)
	}
	t.Cleanup(ws.Close)
	f, err := ws.Reply(ctx, "start", map[string]any{"action": "start", "name": "E2E Visitor"})
	if err != nil {
		t.Fatal(err)
	}
	if f.Str("type") == "error" && f.Str("code") == "invalid" && strings.HasPrefix(f.Str("message"), "Unknown action") {
		pending(t, "chat routing (the chat answers Unknown action \"start\")")
	}
	conv := f.Obj("conversation")
	if f.Str("type") != "conversation" || conv.Str("status") != "assigned" || conv.Obj("operator").Str("id") != op.session.Operator.ID {
		t.Fatalf("start answered %v; want the conversation assigned to the test operator %s", f, op.session.Operator.ID)
	}
	c := &chat{op: op, visitor: v, ws: ws, conv: conv.Str("id")}
	t.Cleanup(func() {
		f, err := op.ws.Reply(within(t, 30*time.Second), "close-"+randomID(), map[string]any{"action": "close", "conversation": c.conv})
		if err != nil || f.Str("type") == "error" {
			t.Errorf("cleanup: close %s: %v %v", c.conv, f, err)
		}
	})
	a, err := op.ws.Next(ctx, func(f Frame) bool { return f.Str("type") == "assigned" && f.Obj("conversation").Str("id") == c.conv })
	if err != nil {
		t.Fatalf("the operator was not told of the assignment: %v", err)
	}
	if a.Obj("conversation").Obj("visitor").Str("id") != v.ID {
		t.Errorf("assigned frame names visitor %v, want %s", a.Obj("conversation").Obj("visitor"), v.ID)
	}
	return c
}

// say sends a message from ws and checks the ack; it returns the seq.
func say(t *testing.T, ws *Socket, conv, clientID, text string) (seq float64, dup bool) {
	t.Helper()
	f, err := ws.Reply(within(t, 30*time.Second), "say-"+randomID(), map[string]any{"action": "send", "conversation": conv, "client_id": clientID, "text": text})
	if err != nil {
		t.Fatal(err)
	}
	if f.Str("type") != "ack" || f.Str("client_id") != clientID || f.Num("seq") <= 0 {
		t.Fatalf("send answered %v, want an ack of %s", f, clientID)
	}
	d, _ := f["duplicate"].(bool)
	return f.Num("seq"), d
}

// heard waits for the message frame of text on ws and returns its message.
func heard(t *testing.T, ws *Socket, conv, text string) Frame {
	t.Helper()
	f, err := ws.Next(within(t, 30*time.Second), func(f Frame) bool {
		return f.Str("type") == "message" && f.Str("conversation") == conv && f.Obj("message").Str("text") == text
	})
	if err != nil {
		t.Fatalf("message %q not delivered: %v", text, err)
	}
	return f.Obj("message")
}

func TestVisitorChat(t *testing.T) {
	c := startChat(t)
	hello := "Hello from the e2e suite " + randomID()
	cid := "e2e-" + randomID()
	seq, _ := say(t, c.ws, c.conv, cid, hello)
	if m := heard(t, c.op.ws, c.conv, hello); m.Str("author") != "visitor" || m.Num("seq") != seq || m.Str("client_id") != cid {
		t.Errorf("the operator got %v, want the visitor's message seq %v", m, seq)
	}
	// A retry of the same client id is acknowledged with the same seq and
	// stored once.
	if again, dup := say(t, c.ws, c.conv, cid, hello); again != seq || !dup {
		t.Errorf("retry acked seq %v duplicate %v, want seq %v duplicate true", again, dup, seq)
	}
	answer := "Hi, this is the operator " + randomID()
	opSeq, _ := say(t, c.op.ws, c.conv, "e2e-"+randomID(), answer)
	if opSeq <= seq {
		t.Errorf("the operator's message has seq %v, not after %v", opSeq, seq)
	}
	m := heard(t, c.ws, c.conv, answer)
	if m.Str("author") != "operator" || m.Obj("operator").Str("id") != c.op.session.Operator.ID {
		t.Errorf("the visitor got %v, want the operator's message", m)
	}
	// History holds both, once each, in order.
	f, err := c.ws.Reply(within(t, 30*time.Second), "hist", map[string]any{"action": "history", "conversation": c.conv})
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, x := range asList(f["messages"]) {
		if x.Str("author") != "system" {
			texts = append(texts, x.Str("text"))
		}
	}
	if !slices.Equal(texts, []string{hello, answer}) {
		t.Errorf("history texts = %q, want %q then %q", texts, hello, answer)
	}
}

func asList(v any) []Frame {
	list, _ := v.([]any)
	out := make([]Frame, 0, len(list))
	for _, x := range list {
		if m, ok := x.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}
