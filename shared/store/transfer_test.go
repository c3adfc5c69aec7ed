package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

const reassignAfter = 24 * time.Hour

// team creates operators a, b, c and z (z never comes online) on site s1,
// the group "Sales" of b and c, and site s2 with operator x; a has v1's
// conversation, and unread replies in it.
func team(t *testing.T) (*store.Store, *clock, *livehelp.Conversation, string) {
	t.Helper()
	st, clk := newChatStore(t)
	ctx := context.Background()
	if err := st.CreateSite(ctx, &livehelp.Site{ID: "s2", Name: "Site two"}); err != nil {
		t.Fatal(err)
	}
	for _, o := range []livehelp.Operator{{ID: "a", Site: "s1"}, {ID: "b", Site: "s1"}, {ID: "c", Site: "s1"},
		{ID: "z", Site: "s1", Slots: 2}, {ID: "x", Site: "s2"}} {
		o.Name, o.Email, o.Role = "Op "+o.ID, o.ID+"@example.com", livehelp.RoleOperator
		if err := st.CreateOperator(ctx, &o); err != nil {
			t.Fatal(err)
		}
	}
	g := &livehelp.Group{Site: "s1", Name: "Sales", Members: []string{"a", "b", "c"}}
	if err := st.CreateGroup(ctx, g); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"a", "b", "c"} {
		operatorOnline(t, st, clk, id, 2)
	}
	c := takenBy(t, st, clk, "v1", "a", false)
	return st, clk, appendAs(t, st, c, livehelp.AuthorOperator, "Let me check."), g.ID
}

func TestTransfer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		states    map[string]string // presence changes before the transfer
		req       store.TransferRequest
		wantOp    string
		wantCode  string
		wantField string
		wantText  string
		wantLoads map[string]int
	}{
		{name: "to an available operator", req: store.TransferRequest{To: "b", Comment: "VIP, wants a refund"}, wantOp: "b",
			wantText: "Op a transferred this conversation to Op b.", wantLoads: map[string]int{"a": 0, "b": 1, "c": 0}},
		{name: "to a group", states: map[string]string{"b": livehelp.PresenceAway}, req: store.TransferRequest{Group: "sales"}, wantOp: "c",
			wantText: "Op a transferred this conversation to the group Sales; Op c has it now.", wantLoads: map[string]int{"a": 0, "b": 0, "c": 1}},
		{name: "away operator refused", states: map[string]string{"b": livehelp.PresenceAway}, req: store.TransferRequest{To: "b"},
			wantCode: livehelp.ECONFLICT, wantField: "away", wantLoads: map[string]int{"a": 1, "b": 0, "c": 0}},
		{name: "transfer anyway to an away operator", states: map[string]string{"b": livehelp.PresenceAway},
			req: store.TransferRequest{To: "b", Force: true}, wantOp: "b",
			wantText: "Op a transferred this conversation to Op b.", wantLoads: map[string]int{"a": 0, "b": 1, "c": 0}},
		{name: "nobody of the group available", states: map[string]string{"b": livehelp.PresenceAway, "c": livehelp.PresenceOffline},
			req: store.TransferRequest{Group: "sales"}, wantCode: livehelp.ECONFLICT, wantField: "nobody", wantLoads: map[string]int{"a": 1, "b": 0, "c": 0}},
		{name: "never online, refused", req: store.TransferRequest{To: "z"}, wantCode: livehelp.ECONFLICT, wantField: "offline",
			wantLoads: map[string]int{"a": 1, "b": 0, "c": 0}},
		{name: "transfer anyway to one never online", req: store.TransferRequest{To: "z", Force: true}, wantOp: "z",
			wantText: "Op a transferred this conversation to Op z.", wantLoads: map[string]int{"a": 0, "b": 0, "c": 0, "z": 1}},
		{name: "to oneself", req: store.TransferRequest{To: "a"}, wantCode: livehelp.EINVALID, wantLoads: map[string]int{"a": 1, "b": 0, "c": 0}},
		{name: "another site's operator", req: store.TransferRequest{To: "x"}, wantCode: livehelp.ENOTFOUND, wantLoads: map[string]int{"a": 1, "b": 0, "c": 0}},
		{name: "unknown group", req: store.TransferRequest{Group: "nope"}, wantCode: livehelp.ENOTFOUND, wantLoads: map[string]int{"a": 1, "b": 0, "c": 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st, clk, c, group := team(t)
			ctx := context.Background()
			for id, state := range tt.states {
				setPresence(t, st, clk, id, 2, state)
			}
			r := tt.req
			r.From, r.FromName, r.ReassignAfter = "a", "Op a", reassignAfter
			if r.Group == "sales" {
				r.Group = group
			}
			tr, x, err := st.Transfer(ctx, c, r)
			if diff := cmp.Diff(tt.wantLoads, load(t, st)); diff != "" {
				t.Errorf("loads (-want +got):\n%s", diff)
			}
			if tt.wantCode != "" {
				if !livehelp.IsCode(err, tt.wantCode) || livehelp.ErrorFields(err)["target"] != tt.wantField {
					t.Fatalf("err = %v (fields %v), want %s with target %q", err, livehelp.ErrorFields(err), tt.wantCode, tt.wantField)
				}
				if got := reload(t, st, c.ID); got.Operator != "a" || got.Seq != c.Seq {
					t.Errorf("refused transfer changed the conversation: %q, seq %d", got.Operator, got.Seq)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(tr.Messages) != 1 || tr.Messages[0].Text != tt.wantText || tr.Messages[0].Event != livehelp.EventTransferred {
				t.Errorf("lines = %+v, want %q", tr.Messages, tt.wantText)
			}
			d, err := st.Detail(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if d.Conversation.Operator != tt.wantOp || d.Transfer == nil {
				t.Fatalf("operator %q, transfer %+v; want %s with a pending transfer", d.Conversation.Operator, d.Transfer, tt.wantOp)
			}
			if diff := cmp.Diff(x, d.Transfer); diff != "" {
				t.Errorf("pending transfer differs from the returned one (-returned +stored):\n%s", diff)
			}
			if x.Comment != tt.req.Comment || !x.Deadline.Equal(t0.Add(reassignAfter)) || x.From != "a" {
				t.Errorf("transfer %+v", x)
			}
			if mine, _ := st.OperatorConversations(ctx, tt.wantOp); len(mine) != 1 {
				t.Errorf("receiver's list has %d conversations", len(mine))
			}
			if diff := cmp.Diff([]string{"transfer#" + c.ID}, sweepTimers(t, st, x.Deadline)); diff != "" {
				t.Errorf("deadline timer (-want +got):\n%s", diff)
			}
			if mt := dueMail(t, st, t0); len(mt) != 1 || mt[0].Reason != store.MailTransferred {
				t.Errorf("mail timers = %+v, want one transferred notice", mt)
			}
		})
	}
}

// transferred returns team's conversation transferred from a to b.
func transferred(t *testing.T) (*store.Store, *clock, *livehelp.Conversation, *livehelp.Transfer) {
	t.Helper()
	st, clk, c, _ := team(t)
	tr, x, err := st.Transfer(context.Background(), c, store.TransferRequest{From: "a", FromName: "Op a", To: "b", ReassignAfter: reassignAfter})
	if err != nil {
		t.Fatal(err)
	}
	return st, clk, tr.Conversation, x
}

func TestReassign(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		handle   func(t *testing.T, st *store.Store, clk *clock, c *livehelp.Conversation)
		online   []string // fresh at the deadline
		wantOp   string   // "" with wantText empty: nothing happens
		wantText string
	}{
		{"not handled: to another operator", nil, []string{"a", "b", "c"}, "a",
			"Op b did not handle this conversation within 24 hours; it was reassigned to Op a."},
		{"not handled, nobody else: the queue", nil, []string{"b"}, "",
			"Op b did not handle this conversation within 24 hours; it went back to the queue."},
		{"accepted", func(t *testing.T, st *store.Store, clk *clock, c *livehelp.Conversation) {
			if _, err := st.AcceptTransfer(context.Background(), c.ID, "b"); err != nil {
				t.Fatal(err)
			}
		}, []string{"a", "b", "c"}, "b", ""},
		{"closed, then unclosed by someone", func(t *testing.T, st *store.Store, clk *clock, c *livehelp.Conversation) {
			ctx := context.Background()
			clk.Add(time.Minute)
			if _, err := st.Close(ctx, c, "b", "Op b", nil); err != nil {
				t.Fatal(err)
			}
			if _, err := st.Unclose(ctx, reload(t, st, c.ID), "b", "Op b", nil); err != nil {
				t.Fatal(err)
			}
		}, []string{"a", "b", "c"}, "b", ""},
		{"replied", func(t *testing.T, st *store.Store, clk *clock, c *livehelp.Conversation) {
			a := store.Append{Sender: "b", Message: livehelp.Message{Author: livehelp.AuthorOperator, Operator: "b", ClientID: "r1", Text: "Hi"}}
			if _, _, err := st.AppendMessage(context.Background(), c, a); err != nil {
				t.Fatal(err)
			}
		}, []string{"a", "b", "c"}, "b", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st, clk, c, x := transferred(t)
			ctx := context.Background()
			if tt.handle != nil {
				tt.handle(t, st, clk, c)
			}
			clk.Add(reassignAfter)
			for _, id := range tt.online {
				operatorOnline(t, st, clk, id, 2)
			}
			before := load(t, st)
			tr, err := st.Reassign(ctx, store.ReassignRequest{Conversation: c.ID, Due: x.Deadline, Seq: x.Seq, After: reassignAfter})
			if err != nil {
				t.Fatal(err)
			}
			got := reload(t, st, c.ID)
			if tt.wantText == "" {
				if tr.Changed() || got.Operator != "b" {
					t.Errorf("handled transfer: changed %v, operator %q", tr.Changed(), got.Operator)
				}
				return
			}
			if len(tr.Messages) != 1 || tr.Messages[0].Text != tt.wantText || tr.Messages[0].Event != livehelp.EventReassigned {
				t.Errorf("lines = %+v, want %q", tr.Messages, tt.wantText)
			}
			if got.Operator != tt.wantOp || (tt.wantOp == "" && got.Status != livehelp.StatusQueued) {
				t.Errorf("now %s with %q, want %q", got.Phase(), got.Operator, tt.wantOp)
			}
			after := load(t, st)
			if after["b"] != before["b"]-1 || (tt.wantOp != "" && after[tt.wantOp] != before[tt.wantOp]+1) {
				t.Errorf("loads %v → %v", before, after)
			}
			if d, _ := st.Detail(ctx, c.ID); d.Transfer != nil {
				t.Errorf("a transfer still waits: %+v", d.Transfer)
			}
			if diff := cmp.Diff([]string{}, sweepTimers(t, st, clk.Now())); diff != "" {
				t.Errorf("timers left (-want +got):\n%s", diff)
			}
		})
	}
}

// TestReassignConcurrent: sweeps racing on one deadline reassign it once.
func TestReassignConcurrent(t *testing.T) {
	t.Parallel()
	st, clk, c, x := transferred(t)
	ctx := context.Background()
	clk.Add(reassignAfter)
	for _, id := range []string{"a", "b", "c"} {
		operatorOnline(t, st, clk, id, 2)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	changed := 0
	for range 6 {
		wg.Go(func() {
			tr, err := st.Reassign(ctx, store.ReassignRequest{Conversation: c.ID, Due: x.Deadline, Seq: x.Seq, After: reassignAfter})
			if err != nil {
				t.Error(err)
				return
			}
			if tr.Changed() {
				mu.Lock()
				changed++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if changed != 1 {
		t.Errorf("%d reassignments, want 1", changed)
	}
	if got := load(t, st); got["a"]+got["b"]+got["c"] != 1 || got["b"] != 0 {
		t.Errorf("loads %v: want the conversation counted once, not on b", got)
	}
}

func TestAcceptTransfer(t *testing.T) {
	t.Parallel()
	st, _, c, x := transferred(t)
	ctx := context.Background()
	if _, err := st.AcceptTransfer(ctx, c.ID, "c"); !livehelp.IsCode(err, livehelp.ECONFLICT) {
		t.Errorf("accept by someone else: %v", err)
	}
	if _, err := st.AcceptTransfer(ctx, c.ID, "b"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AcceptTransfer(ctx, c.ID, "b"); !livehelp.IsCode(err, livehelp.ECONFLICT) {
		t.Errorf("second accept: %v", err)
	}
	if diff := cmp.Diff([]string{}, sweepTimers(t, st, x.Deadline)); diff != "" {
		t.Errorf("the deadline timer is left (-want +got):\n%s", diff)
	}
}
