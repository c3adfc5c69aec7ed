package main

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// status returns a conversation frame's status, operator id and position.
func status(f map[string]any) (string, string, float64) {
	c, _ := f["conversation"].(map[string]any)
	op, _ := c["operator"].(map[string]any)
	id, _ := op["id"].(string)
	pos, _ := c["position"].(float64)
	st, _ := c["status"].(string)
	return st, id, pos
}

// TestRoutingAndQueue: two operators with one slot each, four visitors:
// two are assigned (their operators alerted), the third waits at position
// 1 and gets the slot a close frees, and the fourth moves up to 1.
func TestRoutingAndQueue(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.operator("o1", h.newOperator("op1", 1))
	h.clock.Add(time.Millisecond)
	h.operator("o2", h.newOperator("op2", 1))
	type want struct {
		status, op string
		pos        float64
	}
	wants := map[string]want{"v1": {"assigned", "op1", 0}, "v2": {"assigned", "op2", 0}, "v3": {"waiting", "", 1}, "v4": {"waiting", "", 2}}
	for _, v := range []string{"v1", "v2", "v3", "v4"} {
		h.clock.Add(time.Millisecond) // the queue is in arrival order
		h.visitor(v, v)
		st, op, pos := status(h.start(v))
		if got := (want{st, op, pos}); got != wants[v] {
			t.Errorf("%s started: %+v, want %+v", v, got, wants[v])
		}
	}
	for op, v := range map[string]string{"o1": "v1", "o2": "v2"} {
		f := h.expect(op, "assigned")
		if c, _ := f["conversation"].(map[string]any); c["id"] != h.conversation(v).ID {
			t.Errorf("%s alerted of %v, want %s's conversation", op, c["id"], v)
		}
	}
	// The console's view.
	h.send("o1", `{"action":"hello","id":"h"}`)
	hello := h.expect("o1", "hello")
	queue, _ := hello["queue"].(map[string]any)
	waiting, _ := queue["waiting"].([]any)
	mine, _ := hello["conversations"].([]any)
	if len(mine) != 1 || len(waiting) != 2 {
		t.Errorf("operator hello: %d conversations and %d waiting, want 1 and 2", len(mine), len(waiting))
	}

	h.take("v1")
	h.take("v3")
	h.take("v4")
	h.send("o1", `{"action":"close","id":"c","conversation":"`+h.conversation("v1").ID+`"}`)
	if st, _, _ := status(h.expect("v1", "conversation")); st != "closed" {
		t.Errorf("v1 sees %q, want closed", st)
	}
	frames := h.take("v3")
	if diff := cmp.Diff([]string{"message:1", "conversation"}, types(frames)); diff != "" {
		t.Fatalf("v3 frames (-want +got):\n%s", diff)
	}
	if st, op, _ := status(frames[1]); st != "assigned" || op != "op1" {
		t.Errorf("v3 after the close: %s to %s, want assigned to op1", st, op)
	}
	if m, _ := frames[0]["message"].(map[string]any); m["text"] != "Op op1 joined the conversation." {
		t.Errorf("system line %v", m["text"])
	}
	h.expect("o1", "assigned")
	if diff := cmp.Diff([]map[string]any{{"type": "queue", "conversation": h.conversation("v4").ID, "position": float64(1)}}, h.take("v4")); diff != "" {
		t.Errorf("the visitor behind (-want +got):\n%s", diff)
	}
	site, err := h.store.Site(context.Background(), "s1", true)
	if err != nil {
		t.Fatal(err)
	}
	if l1, l2 := site.Presence["op1"].Load, site.Presence["op2"].Load; l1 != 1 || l2 != 1 {
		t.Errorf("loads %d, %d; want 1, 1", l1, l2)
	}
}

// TestNobodyOnline: a chat started with nobody online is an offline
// conversation in the queue; an operator takes it; when the visitor comes
// back to an offline conversation and someone is online, it is routed.
func TestNobodyOnline(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.visitor("v1", "v1")
	h.visitor("v2", "v2")
	for _, v := range []string{"v1", "v2"} {
		if st, _, _ := status(h.start(v)); st != "offline" {
			t.Fatalf("%s: %q, want offline", v, st)
		}
	}
	h.send("v1", `{"action":"send","id":"s","conversation":"`+h.conversation("v1").ID+`","client_id":"m1","text":"call me"}`)
	h.expect("v1", "ack")
	h.disconnect("v2")

	token := h.newOperator("op1", 3)
	h.operator("o1", token)
	h.send("o1", `{"action":"hello","id":"h"}`)
	queue, _ := h.expect("o1", "hello")["queue"].(map[string]any)
	if offline, _ := queue["offline"].([]any); len(offline) != 2 {
		t.Fatalf("offline queue has %d, want 2", len(offline))
	}
	h.send("o1", `{"action":"take","id":"t","conversation":"`+h.conversation("v1").ID+`"}`)
	if st, op, _ := status(h.expect("o1", "conversation")); st != "assigned" || op != "op1" {
		t.Errorf("take: %s %s", st, op)
	}
	if st, _, _ := status(h.expect("v1", "conversation")); st != "assigned" {
		t.Errorf("v1 sees %q after the take", st)
	}

	h.visitor("v2b", "v2") // v2 comes back
	h.send("v2b", `{"action":"hello","id":"h"}`)
	if st, op, _ := status(h.expect("v2b", "hello")); st != "assigned" || op != "op1" {
		t.Errorf("returning visitor: %s to %s, want assigned to op1", st, op)
	}
}

// TestCloseReopenUnclose: a closed conversation stays visible to its
// visitor; writing reopens and routes it; an operator can unclose.
func TestCloseReopenUnclose(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.operator("o1", h.newOperator("op1", 3))
	h.visitor("v1", "v1")
	h.start("v1")
	conv := h.conversation("v1").ID
	h.send("o1", `{"action":"close","id":"c","conversation":"`+conv+`"}`)
	h.take("o1")
	h.take("v1")

	h.visitor("v1b", "v1")
	h.send("v1b", `{"action":"hello","id":"h"}`)
	hello := h.expect("v1b", "hello")
	if st, _, _ := status(hello); st != "closed" {
		t.Errorf("hello after close: %q", st)
	}
	if msgs, _ := hello["messages"].([]any); len(msgs) != 2 {
		t.Errorf("hello has %d messages, want 2 (assigned, closed)", len(msgs))
	}
	h.send("v1b", `{"action":"send","id":"s","conversation":"`+conv+`","client_id":"m1","text":"one more thing"}`)
	frames := h.take("v1b")
	if diff := cmp.Diff([]string{"message:3", "message:4", "conversation", "ack"}, types(frames)); diff != "" {
		t.Errorf("writer's frames (-want +got):\n%s", diff)
	}
	if ack := frames[len(frames)-1]; ack["seq"] != float64(5) {
		t.Errorf("ack seq %v, want 5 (after reopened and assigned)", ack["seq"])
	}
	if diff := cmp.Diff([]string{"assigned", "message:3", "message:4", "conversation", "message:5"}, types(h.take("o1"))); diff != "" {
		t.Errorf("operator's frames (-want +got):\n%s", diff)
	}

	h.send("o1", `{"action":"close","id":"c","conversation":"`+conv+`"}`)
	h.take("o1")
	h.send("o1", `{"action":"unclose","id":"u","conversation":"`+conv+`"}`)
	if st, op, _ := status(h.expect("o1", "conversation")); st != "assigned" || op != "op1" {
		t.Errorf("unclose: %s %s", st, op)
	}
	if c := h.conversation("v1"); c.Status != livehelp.StatusAssigned || c.Seq != 7 {
		t.Errorf("after unclose: %s seq %d, want assigned seq 7", c.Status, c.Seq)
	}
}
