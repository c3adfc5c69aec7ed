package main

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// texts lists the texts of the message frames among frames.
func texts(frames []map[string]any) []string {
	var out []string
	for _, f := range frames {
		if m, ok := f["message"].(map[string]any); ok && f["type"] == "message" {
			out = append(out, m["text"].(string))
		}
	}
	return out
}

// loadOf returns an operator's load in s1's presence summary.
func (h *harness) loadOf(op string) int {
	h.t.Helper()
	site, err := h.store.Site(context.Background(), "s1", true)
	if err != nil {
		h.t.Fatal(err)
	}
	return site.Presence[op].Load
}

// chatting starts v1's chat, assigned to op1 (the only operator online),
// and clears every frame so far.
func (h *harness) chatting(ops ...string) string {
	h.t.Helper()
	for _, op := range ops {
		h.clock.Add(time.Millisecond)
		h.operator("c-"+op, h.newOperator(op, 2))
	}
	h.visitor("v1", "v1")
	if st, op, _ := status(h.start("v1")); st != "assigned" || op != ops[0] {
		h.t.Fatalf("start: %s to %s, want assigned to %s", st, op, ops[0])
	}
	for _, op := range ops {
		h.take("c-" + op)
	}
	h.take("v1")
	return h.conversation("v1").ID
}

func TestSnoozeAction(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	id := h.chatting("op1")
	h.sendf("c-op1", map[string]any{"action": "snooze", "id": "z", "conversation": id, "for": "3h", "zone": "Europe/Paris", "keep": true})
	reply := h.expect("c-op1", "conversation")
	st, op, _ := status(reply)
	snooze, _ := reply["snooze"].(map[string]any)
	if st != "snoozed" || op != "" || reply["re"] != "z" || snooze["keep"] != true ||
		int64(snooze["until"].(float64)) != h.clock.Now().Add(3*time.Hour).UnixMilli() {
		t.Errorf("reply: %v", reply)
	}
	want := []string{"Op op1 snoozed this conversation until Sat 21 Nov 2026 16:00 Europe/Paris (15:00 UTC). Op op1 keeps it."}
	frames := h.take("v1")
	if diff := cmp.Diff(want, texts(frames)); diff != "" {
		t.Errorf("visitor's lines (-want +got):\n%s", diff)
	}
	if st, _, _ := status(frames[len(frames)-1]); st != "offline" {
		t.Errorf("the visitor sees %q, want offline (an operator will reply by email)", st)
	}
	if got := h.loadOf("op1"); got != 0 {
		t.Errorf("op1's load = %d, want the slot freed", got)
	}
	members, _ := h.store.Members(context.Background(), id)
	for _, m := range members {
		if m.Role == livehelp.ParticipantOperator {
			t.Errorf("operator connection %s still follows the snoozed conversation", m.Conn)
		}
	}

	// The visitor writes again: the conversation wakes to its keeper.
	woke, err := h.app.wakeForReply(context.Background(), h.conversation("v1"))
	if err != nil {
		t.Fatal(err)
	}
	if woke.Status != livehelp.StatusAssigned || woke.Operator != "op1" {
		t.Errorf("after the reply: %s to %q, want assigned to op1", woke.Phase(), woke.Operator)
	}
	h.expect("c-op1", "assigned")
	if diff := cmp.Diff([]string{"The visitor replied, which ended the snooze.", "Op op1 joined the conversation."}, texts(h.take("v1"))); diff != "" {
		t.Errorf("visitor's lines after the reply (-want +got):\n%s", diff)
	}
}

func TestSnoozeRefused(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	id := h.chatting("op1", "op2")
	tests := []struct {
		name  string
		conn  string
		frame map[string]any
		code  string
		field string
	}{
		{"unknown zone", "c-op1", map[string]any{"for": "3h", "zone": "Mars/Olympus"}, "invalid", "zone"},
		{"unknown preset", "c-op1", map[string]any{"for": "2w"}, "invalid", "for"},
		{"past date", "c-op1", map[string]any{"until": "2026-11-20T09:00", "zone": "UTC"}, "invalid", "until"},
		{"nothing chosen", "c-op1", map[string]any{}, "invalid", "until"},
		{"someone else's", "c-op2", map[string]any{"for": "1d"}, "forbidden", ""},
	}
	for _, tt := range tests {
		f := map[string]any{"action": "snooze", "id": "z", "conversation": id}
		for k, v := range tt.frame {
			f[k] = v
		}
		h.sendf(tt.conn, f)
		e := h.expect(tt.conn, "error")
		fields, _ := e["fields"].(map[string]any)
		if e["code"] != tt.code || (tt.field != "" && fields[tt.field] == nil) {
			t.Errorf("%s: %v, want %s on %q", tt.name, e, tt.code, tt.field)
		}
	}
	if c := h.conversation("v1"); c.Status != livehelp.StatusAssigned {
		t.Errorf("status %q after refusals", c.Status)
	}
}

func TestUnsnoozeAction(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	id := h.chatting("op1", "op2")
	h.sendf("c-op1", map[string]any{"action": "snooze", "id": "z", "conversation": id, "until": "2026-11-23T09:00", "zone": "America/New_York"})
	h.expect("c-op1", "conversation")
	h.take("v1")
	h.sendf("c-op2", map[string]any{"action": "unsnooze", "id": "u", "conversation": id})
	if st, op, _ := status(h.expect("c-op2", "conversation")); st != "assigned" || op != "op2" {
		t.Errorf("unsnooze answered %s to %s", st, op)
	}
	frames := h.take("v1")
	if diff := cmp.Diff([]string{"Op op2 ended the snooze.", "Op op2 joined the conversation."}, texts(frames)); diff != "" {
		t.Errorf("visitor's lines (-want +got):\n%s", diff)
	}
	if st, op, _ := status(frames[len(frames)-1]); st != "assigned" || op != "op2" {
		t.Errorf("visitor sees %s with %s", st, op)
	}
	h.sendf("c-op2", map[string]any{"action": "unsnooze", "id": "u2", "conversation": id})
	if e := h.expect("c-op2", "error"); e["code"] != "conflict" {
		t.Errorf("second unsnooze: %v", e)
	}
}
