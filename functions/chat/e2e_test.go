package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/google/go-cmp/cmp"

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

// startStack starts the local runner for one test and stops it after;
// the end of its log is shown when the test failed.
func startStack(ctx context.Context, t testing.TB, opts stack.Options) *stack.Stack {
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

// TestEndToEnd runs the chat on the local runner with real WebSocket
// clients: routing with slots and the queue, delivery to every device in
// order, idempotent retries, catching up after a reconnect, and what an
// attacker tries.
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the local stack")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	s := startStack(ctx, t, stack.Options{})
	t.Run("routing and queue", func(t *testing.T) { e2eRouting(ctx, t, s) })
	t.Run("every device in order", func(t *testing.T) { e2eDevices(ctx, t, s) })
	t.Run("isolation and forgery", func(t *testing.T) { e2eIsolation(ctx, t, s) })
}

// conv reads a conversation frame's fields.
func conv(f map[string]any) (id, status, op string, position float64) {
	c, _ := f["conversation"].(map[string]any)
	o, _ := c["operator"].(map[string]any)
	id, _ = c["id"].(string)
	status, _ = c["status"].(string)
	op, _ = o["id"].(string)
	position, _ = c["position"].(float64)
	return
}

// e2eRouting: two operators with one slot each and three visitors: two
// assigned, one waiting at position 1, assigned when a chat closes.
func e2eRouting(ctx context.Context, t *testing.T, s *stack.Stack) {
	tokens, ops := e2eSite(ctx, t, s, "e2e-route", 1, 1)
	consoles := map[string]*wsClient{ops[0]: console(ctx, t, s, "op1", tokens[0]), ops[1]: console(ctx, t, s, "op2", tokens[1])}
	var visitors []*wsClient
	var got, ids []string
	assignedTo := map[string]string{} // visitor's conversation → operator
	for i := range 3 {
		v := visitorTab(ctx, t, s, fmt.Sprint("visitor", i+1), "e2e-route", visitorToken(ctx, t, s, "e2e-route"))
		id, status, op, pos := conv(v.reply(ctx, "start", map[string]any{"action": "start", "name": fmt.Sprint("Visitor ", i+1)}))
		visitors = append(visitors, v)
		got = append(got, fmt.Sprint(status, " ", pos))
		ids = append(ids, id)
		assignedTo[id] = op
	}
	if diff := cmp.Diff([]string{"assigned 0", "assigned 0", "waiting 1"}, got); diff != "" {
		t.Fatalf("starts (-want +got):\n%s", diff)
	}
	first, second := ids[0], ids[1]
	if assignedTo[first] == assignedTo[second] {
		t.Fatalf("both chats went to %s", assignedTo[first])
	}
	for id, op := range map[string]string{first: assignedTo[first], second: assignedTo[second]} {
		f, _ := consoles[op].wait(ctx, 0, typed("assigned"))
		if got, _, _, _ := conv(f); got != id {
			t.Errorf("operator %s alerted of %s, want %s", op, got, id)
		}
	}

	freed := assignedTo[first]
	from := visitors[2].count()
	if _, status, _, _ := conv(consoles[freed].reply(ctx, "close", map[string]any{"action": "close", "conversation": first})); status != "closed" {
		t.Fatalf("close answered %q", status)
	}
	f, _ := visitors[2].wait(ctx, from, typed("conversation"))
	third, status, op, _ := conv(f)
	if status != "assigned" || op != freed {
		t.Errorf("waiting visitor after the close: %s to %s, want assigned to %s", status, op, freed)
	}
	f, _ = consoles[freed].wait(ctx, 0, func(f map[string]any) bool {
		id, _, _, _ := conv(f)
		return f["type"] == "assigned" && id == third
	})
	if f == nil {
		t.Error("the freed operator was not alerted")
	}
	if _, status, _, _ := conv(visitors[0].all()[len(visitors[0].all())-1]); status != "closed" {
		t.Errorf("first visitor's last frame shows %q, want closed", status)
	}
}

// seqsFrom returns the message sequence numbers a client saw from index
// from on: message frames and acks of its own new messages.
func seqsFrom(c *wsClient, from int) []int {
	return seqs(c.all()[from:])
}

// e2eDevices: a visitor with two tabs and an operator with two devices.
func e2eDevices(ctx context.Context, t *testing.T, s *stack.Stack) {
	tokens, _ := e2eSite(ctx, t, s, "e2e-devices", 3)
	oa, ob := console(ctx, t, s, "op-a", tokens[0]), console(ctx, t, s, "op-b", tokens[0])
	vtok := visitorToken(ctx, t, s, "e2e-devices")
	va, vb := visitorTab(ctx, t, s, "tab-a", "e2e-devices", vtok), visitorTab(ctx, t, s, "tab-b", "e2e-devices", vtok)
	id, status, _, _ := conv(va.reply(ctx, "start", map[string]any{"action": "start"}))
	if status != "assigned" {
		t.Fatalf("start: %s", status)
	}
	devices := []*wsClient{va, oa, vb, ob}
	hasSeq := func(seq int) func(map[string]any) bool {
		return func(f map[string]any) bool { return slices.Contains(seqs([]map[string]any{f}), seq) }
	}
	marks := map[*wsClient]int{}
	for _, d := range devices {
		_, i := d.wait(ctx, 0, hasSeq(1)) // the "joined" line
		marks[d] = i + 1
	}
	for i := range 8 {
		d := devices[i%len(devices)]
		d.reply(ctx, fmt.Sprint("m", i), map[string]any{"action": "send", "conversation": id, "client_id": fmt.Sprint("m", i), "text": fmt.Sprint("message ", i)})
	}
	for _, d := range devices {
		d.wait(ctx, marks[d], hasSeq(9))
		if diff := cmp.Diff([]int{2, 3, 4, 5, 6, 7, 8, 9}, seqsFrom(d, marks[d])); diff != "" {
			t.Errorf("%s saw (-want +got):\n%s", d.name, diff)
		}
	}

	// The same client id three times: stored and shown once.
	var acks []string
	for range 3 {
		ack := va.reply(ctx, fmt.Sprint("dup", len(acks)), map[string]any{"action": "send", "conversation": id, "client_id": "same", "text": "only once"})
		acks = append(acks, fmt.Sprint(ack["seq"], " ", ack["duplicate"]))
	}
	if diff := cmp.Diff([]string{"10 false", "10 true", "10 true"}, acks); diff != "" {
		t.Errorf("acks (-want +got):\n%s", diff)
	}
	va.reply(ctx, "after-dup", map[string]any{"action": "send", "conversation": id, "client_id": "after", "text": "next"})
	for _, d := range []*wsClient{oa, ob, vb} {
		d.wait(ctx, marks[d], hasSeq(11)) // frames arrive in order: any copy of 10 came before 11
		n := 0
		for _, f := range d.all() {
			if f["type"] == "message" && hasSeq(10)(f) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s got message 10 %d times, want once", d.name, n)
		}
	}
	h := vb.reply(ctx, "hist", map[string]any{"action": "history", "conversation": id})
	msgs, _ := h["messages"].([]any)
	if len(msgs) != 11 {
		t.Errorf("history holds %d messages, want 11", len(msgs))
	}

	// A tab that misses messages gets exactly those when it comes back.
	seen := seqs(vb.all())
	last := slices.Max(seen)
	vb.conn.Close(websocket.StatusNormalClosure, "")
	<-vb.closed
	for i := range 3 {
		oa.reply(ctx, fmt.Sprint("missed", i), map[string]any{"action": "send", "conversation": id, "client_id": fmt.Sprint("missed", i), "text": "while you were away"})
	}
	vc, _, err := dial(ctx, t, s, "tab-b-again", url.Values{"site": {"e2e-devices"}, "token": {vtok}}, s.DemoOrigin)
	if err != nil {
		t.Fatal(err)
	}
	hello := vc.reply(ctx, "hello", map[string]any{"action": "hello", "after": last})
	msgs, _ = hello["messages"].([]any)
	var missed []int
	for _, m := range msgs {
		missed = append(missed, int(m.(map[string]any)["seq"].(float64)))
	}
	if diff := cmp.Diff([]int{last + 1, last + 2, last + 3}, missed); diff != "" || hello["more"] != false {
		t.Errorf("after reconnect (more=%v) (-want +got):\n%s", hello["more"], diff)
	}
}

// e2eIsolation: visitor A cannot read or post to B's conversation; forged
// tokens and a foreign Origin are refused at $connect.
func e2eIsolation(ctx context.Context, t *testing.T, s *stack.Stack) {
	tokens, _ := e2eSite(ctx, t, s, "e2e-iso", 3)
	o := console(ctx, t, s, "op", tokens[0])
	tokA, tokB := visitorToken(ctx, t, s, "e2e-iso"), visitorToken(ctx, t, s, "e2e-iso")
	a, b := visitorTab(ctx, t, s, "A", "e2e-iso", tokA), visitorTab(ctx, t, s, "B", "e2e-iso", tokB)
	convB, _, _, _ := conv(b.reply(ctx, "start", map[string]any{"action": "start"}))
	c, err := s.Store.Conversation(ctx, convB)
	if err != nil {
		t.Fatal(err)
	}
	before := c.Seq
	fromB, fromO := b.count(), o.count()
	attempts := map[string]map[string]any{
		"send":    {"action": "send", "conversation": convB, "client_id": "x", "text": "I am B"},
		"history": {"action": "history", "conversation": convB},
		"before":  {"action": "history", "conversation": convB, "before": 2},
		"typing":  {"action": "typing", "conversation": convB, "typing": true},
		"read":    {"action": "read", "conversation": convB, "seq": 1},
		"close":   {"action": "close", "conversation": convB},
	}
	for name, f := range attempts {
		r := a.reply(ctx, name, f)
		want := "not_found"
		if name == "close" {
			want = "invalid" // an operator action: unknown to visitors
		}
		if r["type"] != "error" || r["code"] != want {
			t.Errorf("A's %s on B's conversation: %v, want error %s", name, r, want)
		}
	}
	if c, _ := s.Store.Conversation(ctx, convB); c.Seq != before {
		t.Errorf("B's conversation moved from seq %d to %d", before, c.Seq)
	}
	a.reply(ctx, "sync", map[string]any{"action": "ping"}) // A's frames are all handled
	if got := b.all()[fromB:]; len(got) != 0 {
		t.Errorf("B received %s", brief(got))
	}
	if got := o.all()[fromO:]; len(got) != 0 {
		t.Errorf("the operator received %s", brief(got))
	}

	// Forged tokens, as an attacker would make them.
	hello := b.all()[0]
	bID, _ := hello["visitor"].(string)
	payloadA, sigA, _ := strings.Cut(tokA, ".")
	raw, _ := base64.RawURLEncoding.DecodeString(payloadA)
	var claims map[string]any
	_ = json.Unmarshal(raw, &claims)
	claims["sub"] = bID
	forged, _ := json.Marshal(claims)
	refused := map[string]struct {
		token, origin string
		status        int
	}{
		"B's id with A's signature": {base64.RawURLEncoding.EncodeToString(forged) + "." + sigA, s.DemoOrigin, 401},
		"no signature":              {payloadA + ".", s.DemoOrigin, 401},
		"altered signature":         {payloadA + "." + strings.Repeat("A", len(sigA)), s.DemoOrigin, 401},
		"operator token as visitor": {tokens[0], s.DemoOrigin, 401},
		"no token":                  {"", s.DemoOrigin, 401},
		"foreign Origin":            {tokA, "https://evil.example", 403},
	}
	for name, r := range refused {
		_, resp, err := dial(ctx, t, s, name, url.Values{"site": {"e2e-iso"}, "token": {r.token}}, r.origin)
		if err == nil {
			t.Errorf("%s: connected", name)
			continue
		}
		if resp == nil || resp.StatusCode != r.status {
			t.Errorf("%s: %v, want HTTP %d", name, err, r.status)
		}
	}
}
