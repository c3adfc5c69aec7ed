package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

// load returns each operator's load in the site's presence summary.
func load(t *testing.T, st *store.Store) map[string]int {
	t.Helper()
	site, err := st.Site(context.Background(), "s1", true)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for id, p := range site.Presence {
		out[id] = p.Load
	}
	return out
}

func TestRoute(t *testing.T) {
	t.Parallel()
	type op struct {
		id    string
		slots int
		state string
		busy  int // conversations assigned before the test one
	}
	tests := []struct {
		name       string
		ops        []op
		online     bool // the visitor is on the site
		wantPhase  string
		wantOp     string
		wantEvents []string
	}{
		{"least loaded", []op{{"a", 3, "online", 1}, {"b", 3, "online", 0}}, true, "assigned", "b", []string{"assigned"}},
		{"full operator skipped", []op{{"a", 1, "online", 1}, {"b", 3, "online", 2}}, true, "assigned", "b", []string{"assigned"}},
		{"away operator skipped", []op{{"a", 3, "away", 0}, {"b", 3, "online", 2}}, true, "assigned", "b", []string{"assigned"}},
		{"all full: waiting", []op{{"a", 1, "online", 1}}, true, "waiting", "", nil},
		{"all full, visitor gone: offline", []op{{"a", 1, "online", 1}}, false, "offline", "", nil},
		{"nobody online: offline", []op{{"a", 3, "away", 0}}, true, "offline", "", nil},
		{"no operators: offline", nil, true, "offline", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st, clk := newChatStore(t)
			ctx := context.Background()
			for _, o := range tt.ops {
				operatorOnline(t, st, clk, o.id, o.slots)
				for i := range o.busy {
					c := newConversation(t, st, clk, fmt.Sprintf("busy-%s-%d", o.id, i), true)
					if _, err := st.Take(ctx, c, o.id, "Op "+o.id, nil); err != nil {
						t.Fatal(err)
					}
				}
				setPresence(t, st, clk, o.id, o.slots, o.state)
			}
			before := load(t, st)
			c := newConversation(t, st, clk, "v", tt.online)
			tr, err := st.Route(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			got := reload(t, st, c.ID)
			if got.Phase() != tt.wantPhase || got.Operator != tt.wantOp {
				t.Errorf("stored: phase %q operator %q, want %q %q", got.Phase(), got.Operator, tt.wantPhase, tt.wantOp)
			}
			if diff := cmp.Diff(got, tr.Conversation); diff != "" {
				t.Errorf("returned conversation differs from the stored one (-stored +returned):\n%s", diff)
			}
			var events []string
			for _, m := range tr.Messages {
				events = append(events, m.Event)
			}
			if diff := cmp.Diff(tt.wantEvents, events); diff != "" {
				t.Errorf("system lines (-want +got):\n%s", diff)
			}
			if tt.wantOp != "" {
				before[tt.wantOp]++
			}
			if diff := cmp.Diff(before, load(t, st)); diff != "" {
				t.Errorf("loads (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRouteLongestIdle: with equal loads, the operator idle longest wins.
func TestRouteLongestIdle(t *testing.T) {
	t.Parallel()
	st, clk := newChatStore(t)
	ctx := context.Background()
	operatorOnline(t, st, clk, "a", 2)
	operatorOnline(t, st, clk, "b", 2)
	first, err := st.Route(ctx, newConversation(t, st, clk, "v1", true))
	if err != nil {
		t.Fatal(err)
	}
	clk.Add(time.Second)
	second, err := st.Route(ctx, newConversation(t, st, clk, "v2", true))
	if err != nil {
		t.Fatal(err)
	}
	// a and b tie at load 0 and idle since t0: a by id. Then b is less loaded.
	if first.Conversation.Operator != "a" || second.Conversation.Operator != "b" {
		t.Fatalf("operators %q, %q; want a, b", first.Conversation.Operator, second.Conversation.Operator)
	}
	clk.Add(time.Second)
	if _, err := st.Close(ctx, first.Conversation, "a", "Op a", nil); err != nil {
		t.Fatal(err)
	}
	clk.Add(time.Second)
	if _, err := st.Close(ctx, second.Conversation, "b", "Op b", nil); err != nil {
		t.Fatal(err)
	}
	// Both at load 0 again; a freed its slot first, so a has been idle longer.
	third, err := st.Route(ctx, newConversation(t, st, clk, "v3", true))
	if err != nil {
		t.Fatal(err)
	}
	if third.Conversation.Operator != "a" {
		t.Errorf("third went to %q, want a (idle longest)", third.Conversation.Operator)
	}
}

// TestRouteConcurrent starts many chats at once against few slots: the
// slots fill exactly, never beyond, and everyone else waits.
func TestRouteConcurrent(t *testing.T) {
	t.Parallel()
	st, clk := newChatStore(t)
	ctx := context.Background()
	slots := map[string]int{"a": 1, "b": 1, "c": 2}
	for op, k := range slots {
		operatorOnline(t, st, clk, op, k)
	}
	const n = 16
	convs := make([]*livehelp.Conversation, n)
	for i := range convs {
		convs[i] = newConversation(t, st, clk, fmt.Sprint("v", i), true)
	}
	var wg sync.WaitGroup
	for _, c := range convs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := st.Route(ctx, c); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	perOp := map[string]int{}
	phases := map[string]int{}
	for _, c := range convs {
		got := reload(t, st, c.ID)
		phases[got.Phase()]++
		if got.Operator != "" {
			perOp[got.Operator]++
		}
	}
	if diff := cmp.Diff(slots, perOp); diff != "" {
		t.Errorf("assigned per operator (-slots +got):\n%s", diff)
	}
	if diff := cmp.Diff(slots, load(t, st)); diff != "" {
		t.Errorf("loads (-slots +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{"assigned": 4, "waiting": n - 4}, phases); diff != "" {
		t.Errorf("phases (-want +got):\n%s", diff)
	}
}

func TestCloseAndReopen(t *testing.T) {
	t.Parallel()
	st, clk := newChatStore(t)
	ctx := context.Background()
	operatorOnline(t, st, clk, "a", 1)
	c := newConversation(t, st, clk, "v1", true)
	tr, err := st.Route(ctx, c)
	if err != nil || !tr.Assigned() {
		t.Fatalf("route: %v, assigned %v", err, tr != nil && tr.Assigned())
	}
	// An operator message the visitor has not read: closing schedules the email now.
	if _, _, err := st.AppendMessage(ctx, tr.Conversation, operatorMsg("m1", "bye")); err != nil {
		t.Fatal(err)
	}
	if err := st.ClearMailDue(ctx, c.ID, reload(t, st, c.ID).MailDue); err != nil {
		t.Fatal(err)
	}
	clk.Add(time.Minute)
	closed, err := st.Close(ctx, reload(t, st, c.ID), "a", "Op a", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := reload(t, st, c.ID); got.Status != livehelp.StatusClosed || !got.MailDue.Equal(clk.Now()) {
		t.Errorf("after close: status %q mail due %v, want closed and now", got.Status, got.MailDue)
	}
	if diff := cmp.Diff(map[string]int{"a": 0}, load(t, st)); diff != "" {
		t.Errorf("load after close (-want +got):\n%s", diff)
	}
	if len(closed.Messages) != 1 || closed.Messages[0].Text != "Op a closed the conversation." || closed.Messages[0].Seq != 3 {
		t.Errorf("close lines = %+v", closed.Messages)
	}
	if _, err := st.Close(ctx, reload(t, st, c.ID), "a", "Op a", nil); !livehelp.IsCode(err, livehelp.ECONFLICT) {
		t.Errorf("second close: err = %v, want conflict", err)
	}
	if list, _ := st.OperatorConversations(ctx, "a"); len(list) != 0 {
		t.Errorf("closed conversation still listed for its operator: %v", list)
	}

	// The visitor writes again: reopened and routed in one transaction.
	operatorOnline(t, st, clk, "a", 1) // a heartbeat keeps a fresh
	re, err := st.Route(ctx, reload(t, st, c.ID))
	if err != nil {
		t.Fatal(err)
	}
	var events []string
	for _, m := range re.Messages {
		events = append(events, fmt.Sprint(m.Seq, m.Event))
	}
	if diff := cmp.Diff([]string{"4reopened", "5assigned"}, events); diff != "" {
		t.Errorf("reopen lines (-want +got):\n%s", diff)
	}
	if re.Conversation.Operator != "a" || load(t, st)["a"] != 1 {
		t.Errorf("reopened to %q with load %d, want a with 1", re.Conversation.Operator, load(t, st)["a"])
	}
}

func TestTakeAndUnclose(t *testing.T) {
	t.Parallel()
	st, clk := newChatStore(t)
	ctx := context.Background()
	setPresence(t, st, clk, "a", 1, livehelp.PresenceAway) // by hand, away is fine
	c1 := newConversation(t, st, clk, "v1", false)
	c2 := newConversation(t, st, clk, "v2", false)
	if _, err := st.Take(ctx, c1, "a", "Op a", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Take(ctx, c2, "a", "Op a", nil); !livehelp.IsCode(err, livehelp.ECONFLICT) {
		t.Errorf("take beyond the slots: err = %v, want conflict", err)
	}
	if _, err := st.Take(ctx, reload(t, st, c1.ID), "a", "Op a", nil); !livehelp.IsCode(err, livehelp.ECONFLICT) {
		t.Errorf("take of an assigned conversation: err = %v, want conflict", err)
	}
	if _, err := st.Close(ctx, reload(t, st, c1.ID), "a", "Op a", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Take(ctx, reload(t, st, c2.ID), "a", "Op a", nil); err != nil {
		t.Fatalf("take after a close freed the slot: %v", err)
	}
	if _, err := st.Unclose(ctx, reload(t, st, c1.ID), "a", "Op a", nil); !livehelp.IsCode(err, livehelp.ECONFLICT) {
		t.Errorf("unclose without a free slot: err = %v, want conflict", err)
	}
	if _, err := st.Close(ctx, reload(t, st, c2.ID), "a", "Op a", nil); err != nil {
		t.Fatal(err)
	}
	tr, err := st.Unclose(ctx, reload(t, st, c1.ID), "a", "Op a", nil)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Conversation.Status != livehelp.StatusAssigned || tr.Messages[0].Text != "Op a reopened the conversation." {
		t.Errorf("unclosed: %+v, lines %+v", tr.Conversation, tr.Messages)
	}
	if diff := cmp.Diff(map[string]int{"a": 1}, load(t, st)); diff != "" {
		t.Errorf("load (-want +got):\n%s", diff)
	}
}
