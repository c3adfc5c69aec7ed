package main

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/livehelp/livehelp/shared/livehelp"
)

func TestTransferAction(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	id := h.chatting("op1", "op2", "op3")
	h.sendf("c-op3", map[string]any{"action": "heartbeat", "state": "away"})
	h.take("c-op3")

	// op3 is away: refused, with the reason; nothing changes.
	h.sendf("c-op1", map[string]any{"action": "transfer", "id": "t1", "conversation": id, "operator": "op3", "comment": "Billing"})
	e := h.expect("c-op1", "error")
	fields, _ := e["fields"].(map[string]any)
	if e["code"] != "conflict" || fields["target"] != "away" || e["message"] != "Op op3 is away right now. Transfer anyway?" {
		t.Errorf("transfer to an away operator: %v", e)
	}
	if c := h.conversation("v1"); c.Operator != "op1" {
		t.Fatalf("refused transfer moved it to %s", c.Operator)
	}

	// To op2, available, with a comment for them.
	h.sendf("c-op1", map[string]any{"action": "transfer", "id": "t2", "conversation": id, "operator": "op2", "comment": "Wants a refund; order 42."})
	reply := h.expect("c-op1", "conversation")
	if st, op, _ := status(reply); st != "assigned" || op != "op2" || reply["re"] != "t2" {
		t.Errorf("reply %v", reply)
	}
	assigned := h.expect("c-op2", "assigned")
	x, _ := assigned["transfer"].(map[string]any)
	from, _ := x["from"].(map[string]any)
	if x["comment"] != "Wants a refund; order 42." || from["id"] != "op1" || x["deadline"] == nil {
		t.Errorf("the receiver's assigned frame: %v", assigned)
	}
	frames := h.take("v1")
	if diff := cmp.Diff([]string{"Op op1 transferred this conversation to Op op2."}, texts(frames)); diff != "" {
		t.Errorf("visitor's lines (-want +got):\n%s", diff)
	}
	if st, op, _ := status(frames[len(frames)-1]); st != "assigned" || op != "op2" {
		t.Errorf("visitor sees %s with %s", st, op)
	}
	for _, f := range frames {
		if m, ok := f["message"].(map[string]any); ok && m["text"] == "Wants a refund; order 42." {
			t.Errorf("the comment reached the visitor")
		}
	}
	if h.loadOf("op1") != 0 || h.loadOf("op2") != 1 {
		t.Errorf("loads op1 %d op2 %d, want 0 and 1", h.loadOf("op1"), h.loadOf("op2"))
	}
	members, _ := h.store.Members(context.Background(), id)
	var ops []string
	for _, m := range members {
		if m.Role == livehelp.ParticipantOperator {
			ops = append(ops, m.Subject)
		}
	}
	if diff := cmp.Diff([]string{"op2"}, ops); diff != "" {
		t.Errorf("operator members (-want +got):\n%s", diff)
	}

	// op2 transfers it anyway to op3, who is away; op3 accepts it.
	h.sendf("c-op2", map[string]any{"action": "transfer", "id": "t3", "conversation": id, "operator": "op3", "force": true})
	if st, op, _ := status(h.expect("c-op2", "conversation")); st != "assigned" || op != "op3" {
		t.Errorf("transfer anyway answered %s to %s", st, op)
	}
	h.expect("c-op3", "assigned")
	h.sendf("c-op3", map[string]any{"action": "accept", "id": "a", "conversation": id})
	h.expect("c-op3", "conversation")
	if d, _ := h.store.Detail(context.Background(), id); d.Transfer != nil {
		t.Errorf("still waiting after accept: %+v", d.Transfer)
	}
	h.sendf("c-op3", map[string]any{"action": "accept", "id": "a2", "conversation": id})
	if e := h.expect("c-op3", "error"); e["code"] != "conflict" {
		t.Errorf("second accept: %v", e)
	}
}

func TestTransferRefused(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	id := h.chatting("op1", "op2")
	tests := []struct {
		name  string
		conn  string
		frame map[string]any
		code  string
	}{
		{"nobody named", "c-op1", map[string]any{}, "invalid"},
		{"both named", "c-op1", map[string]any{"operator": "op2", "group": "g"}, "invalid"},
		{"oneself", "c-op1", map[string]any{"operator": "op1"}, "invalid"},
		{"unknown operator", "c-op1", map[string]any{"operator": "nobody"}, "not_found"},
		{"unknown group", "c-op1", map[string]any{"group": "nope"}, "not_found"},
		{"control characters", "c-op1", map[string]any{"operator": "op2", "comment": "a\x00b"}, "invalid"},
		{"not theirs", "c-op2", map[string]any{"operator": "op1"}, "forbidden"},
	}
	for _, tt := range tests {
		f := map[string]any{"action": "transfer", "id": "t", "conversation": id}
		for k, v := range tt.frame {
			f[k] = v
		}
		h.sendf(tt.conn, f)
		if e := h.expect(tt.conn, "error"); e["code"] != tt.code {
			t.Errorf("%s: %v, want %s", tt.name, e, tt.code)
		}
	}
	if c := h.conversation("v1"); c.Operator != "op1" {
		t.Errorf("operator %q after refusals", c.Operator)
	}
}
