package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// seqs returns the sequence numbers a device saw, in arrival order: message
// frames and the acks of its own messages.
func seqs(frames []map[string]any) []int {
	var out []int
	for _, f := range frames {
		switch f["type"] {
		case "message":
			m, _ := f["message"].(map[string]any)
			out = append(out, int(m["seq"].(float64)))
		case "ack":
			if f["duplicate"] != true {
				out = append(out, int(f["seq"].(float64)))
			}
		}
	}
	return out
}

func sendText(conv, cid, text string) string {
	return fmt.Sprintf(`{"action":"send","id":"%s","conversation":"%s","client_id":"%s","text":"%s"}`, cid, conv, cid, text)
}

// TestEveryDeviceInOrder: two tabs of a visitor and two devices of an
// operator write in turn; every device sees every message once, in order,
// and operator messages name their operator.
func TestEveryDeviceInOrder(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	token := h.newOperator("op1", 3)
	h.operator("oa", token)
	h.operator("ob", token)
	h.visitor("va", "v1")
	h.visitor("vb", "v1")
	h.start("va")
	conv := h.conversation("v1").ID
	devices := []string{"va", "oa", "vb", "ob"}
	for _, dev := range devices {
		if got := seqs(h.take(dev)); dev != "va" && !cmp.Equal(got, []int{1}) { // va's went with start's reply
			t.Errorf("%s saw %v of the start, want the joined line", dev, got)
		}
	}
	for i := range 8 {
		dev := devices[i%len(devices)]
		h.send(dev, sendText(conv, fmt.Sprint("m", i), fmt.Sprint("text ", i)))
	}
	want := []int{2, 3, 4, 5, 6, 7, 8, 9}
	for _, dev := range devices {
		frames := h.take(dev)
		if diff := cmp.Diff(want, seqs(frames)); diff != "" {
			t.Errorf("%s saw (-want +got):\n%s\nframes %s", dev, diff, brief(frames))
		}
		for _, f := range frames {
			m, ok := f["message"].(map[string]any)
			if !ok || m["author"] != "operator" {
				continue
			}
			if diff := cmp.Diff(map[string]any{"id": "op1", "name": "Op op1"}, m["operator"]); diff != "" {
				t.Errorf("%s: operator message without its author (-want +got):\n%s", dev, diff)
			}
		}
	}
	// The report counts the chat once and the first operator answer once.
	now := h.clock.Now()
	days, err := h.store.Stats(context.Background(), "s1", now.Add(-24*time.Hour), now)
	if err != nil {
		t.Fatal(err)
	}
	chats, answers := 0, 0
	for _, d := range days {
		chats += d.Chats
		answers += len(d.FirstResponses)
	}
	if chats != 1 || answers != 1 {
		t.Errorf("report: %d chats, %d first responses; want 1 and 1", chats, answers)
	}
}

// TestClientIDIdempotent: the same client id three times is stored and
// shown once and acknowledged three times with the same sequence.
func TestClientIDIdempotent(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.operator("o1", h.newOperator("op1", 3))
	h.visitor("v1", "v1")
	h.start("v1")
	h.take("o1")
	conv := h.conversation("v1").ID
	var acks []string
	for range 3 {
		h.send("v1", sendText(conv, "same", "only once"))
		ack := h.expect("v1", "ack")
		acks = append(acks, fmt.Sprint(ack["seq"], ack["duplicate"]))
	}
	if diff := cmp.Diff([]string{"2 false", "2 true", "2 true"}, acks); diff != "" {
		t.Errorf("acks (-want +got):\n%s", diff)
	}
	if got := seqs(h.take("o1")); !cmp.Equal(got, []int{2}) {
		t.Errorf("operator saw %v, want the message once", got)
	}
	h.send("v1", `{"action":"history","id":"h","conversation":"`+conv+`"}`)
	msgs, _ := h.expect("v1", "history")["messages"].([]any)
	if len(msgs) != 2 {
		t.Errorf("history holds %d messages, want 2 (joined, the message)", len(msgs))
	}
}

// TestReconnectGetsMissed: a tab that reconnects with the last sequence it
// saw gets exactly the messages it missed.
func TestReconnectGetsMissed(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.operator("o1", h.newOperator("op1", 3))
	h.visitor("v1", "v1")
	h.start("v1")
	conv := h.conversation("v1").ID
	h.send("v1", sendText(conv, "a", "hello"))
	last := seqs(h.take("v1"))
	h.disconnect("v1")
	for i := range 3 {
		h.send("o1", sendText(conv, fmt.Sprint("r", i), "reply"))
	}
	h.visitor("v1again", "v1")
	h.send("v1again", fmt.Sprintf(`{"action":"hello","id":"h","after":%d}`, last[len(last)-1]))
	hello := h.expect("v1again", "hello")
	var got []int
	msgs, _ := hello["messages"].([]any)
	for _, m := range msgs {
		got = append(got, int(m.(map[string]any)["seq"].(float64)))
	}
	if diff := cmp.Diff([]int{3, 4, 5}, got); diff != "" || hello["more"] != false {
		t.Errorf("missed messages (more=%v) (-want +got):\n%s", hello["more"], diff)
	}
}

// TestGoneConnection: a device API Gateway reports gone is removed from the
// conversation and forgotten; the sender and the others are untouched.
func TestGoneConnection(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	token := h.newOperator("op1", 3)
	h.operator("oa", token)
	h.operator("ob", token)
	h.visitor("v1", "v1")
	h.start("v1")
	conv := h.conversation("v1").ID
	h.gw.mu.Lock()
	h.gw.gone["ob"] = true
	h.gw.mu.Unlock()
	h.send("v1", sendText(conv, "a", "hello"))
	h.expect("v1", "ack")
	if got := seqs(h.take("oa")); len(got) == 0 || got[len(got)-1] != 2 {
		t.Errorf("live device saw %v", got)
	}
	members, err := h.store.Members(ctx, conv)
	if err != nil {
		t.Fatal(err)
	}
	var conns []string
	for _, m := range members {
		conns = append(conns, m.Conn)
	}
	if diff := cmp.Diff([]string{"oa", "v1"}, conns); diff != "" {
		t.Errorf("members (-want +got):\n%s", diff)
	}
	if _, err := h.store.Connection(ctx, "ob"); err == nil {
		t.Error("gone connection still recorded")
	}
	if _, err := h.store.Connection(ctx, "v1"); err != nil {
		t.Errorf("sender's connection: %v", err)
	}
}

// TestTypingAndRead: typing reaches the other side only; the visitor's
// read mark is stored (it drives the unread-reply email) and relayed.
func TestTypingAndRead(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.operator("o1", h.newOperator("op1", 3))
	h.visitor("va", "v1")
	h.visitor("vb", "v1")
	h.start("va")
	conv := h.conversation("v1").ID
	h.take("o1")
	h.take("vb")
	h.send("va", `{"action":"typing","conversation":"`+conv+`","typing":true}`)
	if f := h.expect("o1", "typing"); f["author"] != "visitor" || f["typing"] != true {
		t.Errorf("typing frame %v", f)
	}
	if got := h.take("vb"); len(got) != 0 {
		t.Errorf("the visitor's other tab got %s", brief(got))
	}
	h.send("o1", sendText(conv, "r1", "hello"))
	h.take("va")
	c := h.conversation("v1")
	if c.MailDue.IsZero() || !c.Unread() {
		t.Fatalf("operator message: mail due %v unread %v, want a pending email", c.MailDue, c.Unread())
	}
	h.send("va", `{"action":"read","conversation":"`+conv+`","seq":2}`)
	if f := h.expect("o1", "read"); f["seq"] != float64(2) {
		t.Errorf("read frame %v", f)
	}
	if c := h.conversation("v1"); c.VisitorRead != 2 || c.Unread() {
		t.Errorf("read mark %d unread %v", c.VisitorRead, c.Unread())
	}
	h.send("va", `{"action":"read","conversation":"`+conv+`","seq":1}`) // older: ignored
	if got := h.take("va"); len(got) != 0 {
		t.Errorf("an old read mark answered %s", brief(got))
	}
}

// TestMessageBudget counts the DynamoDB requests of one message through the
// SDK middleware: at most 2 writes, exactly 1 Query, no Scan.
func TestMessageBudget(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	token := h.newOperator("op1", 3)
	h.operator("oa", token)
	h.operator("ob", token)
	h.visitor("va", "v1")
	h.visitor("vb", "v1")
	h.start("va")
	conv := h.conversation("v1").ID
	for i, dev := range []string{"va", "oa", "va", "ob"} {
		h.counter.Reset()
		h.send(dev, sendText(conv, fmt.Sprint("m", i), "counted"))
		rep := h.counter.Report()
		if w, q, s := rep.Writes(), rep.Count("Query"), rep.Scans(); w > 2 || q != 1 || s != 0 {
			t.Errorf("message %d from %s: %d writes, %d queries, %d scans; budget ≤2, 1, 0 (calls %v)", i, dev, w, q, s, rep.Calls)
		}
		if got := seqs(h.take(dev)); len(got) == 0 {
			t.Errorf("message %d from %s not acknowledged", i, dev)
		}
		t.Logf("message %d from %s: calls %v", i, dev, rep.Calls)
	}
}
