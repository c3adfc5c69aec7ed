package store_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

// takenBy creates visitor's conversation and gives it to op by hand (op
// must have a presence entry with a free slot).
func takenBy(t *testing.T, st *store.Store, clk *clock, visitor, op string, online bool) *livehelp.Conversation {
	t.Helper()
	c := newConversation(t, st, clk, visitor, online)
	tr, err := st.Take(context.Background(), c, op, "Op "+op, nil)
	if err != nil {
		t.Fatal(err)
	}
	return tr.Conversation
}

// events lists the events of a transition's system lines.
func events(tr *store.Transition) []string {
	var out []string
	for _, m := range tr.Messages {
		out = append(out, m.Event)
	}
	return out
}

// sweepTimers returns the refs of the snooze and transfer timers due by at
// (presence checks left out).
func sweepTimers(t *testing.T, st *store.Store, at time.Time) []string {
	t.Helper()
	due, err := st.DueTimers(context.Background(), store.TimerSweep, at, 100)
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, d := range due {
		if !strings.HasPrefix(d.Ref, store.SweepPresence+"#") {
			out = append(out, d.Ref)
		}
	}
	return out
}

func TestSnooze(t *testing.T) {
	t.Parallel()
	st, clk := newChatStore(t)
	ctx := context.Background()
	operatorOnline(t, st, clk, "a", 2)
	c := takenBy(t, st, clk, "v1", "a", false)
	c = appendAs(t, st, c, livehelp.AuthorOperator, "Here is the answer.") // unread by the visitor
	if got := load(t, st)["a"]; got != 1 {
		t.Fatalf("load before = %d", got)
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	until := t0.Add(3 * time.Hour)
	tr, err := st.Snooze(ctx, c, store.SnoozeRequest{Operator: "a", Name: "Ada", Until: until, Zone: paris, Keep: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := load(t, st)["a"]; got != 0 {
		t.Errorf("load after snooze = %d, want 0 (the slot is freed at once)", got)
	}
	want := []livehelp.Message{{Seq: c.Seq + 1, Author: livehelp.AuthorSystem, Event: livehelp.EventSnoozed, Operator: "a",
		OperatorName: "Ada", Text: "Ada snoozed this conversation until Sat 21 Nov 2026 16:00 Europe/Paris (15:00 UTC). Ada keeps it.", Time: t0}}
	if diff := cmp.Diff(want, tr.Messages); diff != "" {
		t.Errorf("line (-want +got):\n%s", diff)
	}
	d, err := st.Detail(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&livehelp.Snooze{Until: until, Keep: true, By: "a", ByName: "Ada", At: t0}, d.Snooze); diff != "" {
		t.Errorf("snooze (-want +got):\n%s", diff)
	}
	if got := d.Conversation; got.Status != livehelp.StatusSnoozed || got.Operator != "" || !got.MailDue.Equal(t0) {
		t.Errorf("conversation: status %q, operator %q, mail due %v; want snoozed, none, now", got.Status, got.Operator, got.MailDue)
	}
	if mine, _ := st.OperatorConversations(ctx, "a"); len(mine) != 0 {
		t.Errorf("still in the operator's list: %d", len(mine))
	}
	list, err := st.Snoozed(ctx, "s1", 10)
	if err != nil || len(list) != 1 || list[0].Conversation.ID != c.ID || !list[0].Snooze.Until.Equal(until) {
		t.Errorf("snoozed list = %+v, %v", list, err)
	}
	if diff := cmp.Diff([]string{"snooze#" + c.ID}, sweepTimers(t, st, until)); diff != "" {
		t.Errorf("sweep timers at the end (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{}, sweepTimers(t, st, until.Add(-time.Second))); diff != "" {
		t.Errorf("sweep timers before the end (-want +got):\n%s", diff)
	}
	if mt := dueMail(t, st, t0); len(mt) != 1 || mt[0].Reason != store.MailSnoozed {
		t.Errorf("mail timers = %+v, want one snoozed notice due now", mt)
	}
}

func TestSnoozeRefused(t *testing.T) {
	t.Parallel()
	st, clk := newChatStore(t)
	ctx := context.Background()
	operatorOnline(t, st, clk, "a", 2)
	mine := takenBy(t, st, clk, "v1", "a", false)
	queued := newConversation(t, st, clk, "v2", false)
	tests := []struct {
		name string
		c    *livehelp.Conversation
		r    store.SnoozeRequest
		want string
	}{
		{"someone else's", mine, store.SnoozeRequest{Operator: "b", Until: t0.Add(time.Hour)}, livehelp.EFORBIDDEN},
		{"not assigned", queued, store.SnoozeRequest{Operator: "a", Until: t0.Add(time.Hour)}, livehelp.ECONFLICT},
		{"in the past", mine, store.SnoozeRequest{Operator: "a", Until: t0.Add(-time.Minute)}, livehelp.EINVALID},
	}
	for _, tt := range tests {
		if _, err := st.Snooze(ctx, tt.c, tt.r); !livehelp.IsCode(err, tt.want) {
			t.Errorf("%s: err = %v, want %s", tt.name, err, tt.want)
		}
	}
	if got := reload(t, st, mine.ID); got.Status != livehelp.StatusAssigned || load(t, st)["a"] != 1 {
		t.Errorf("after refusals: %s, load %d", got.Status, load(t, st)["a"])
	}
}

// TestWakeChain wakes a snoozed conversation at its end, down each branch
// of the chain: keeper, first available, queue.
func TestWakeChain(t *testing.T) {
	t.Parallel()
	type op struct {
		id, state string
		slots     int
	}
	tests := []struct {
		name      string
		keep      bool
		ops       []op // after the snooze; "a" snoozed it
		online    bool // the visitor is on the site
		wantPhase string
		wantOp    string
		wantLines []string
	}{
		{"keeper available", true, []op{{"a", "online", 3}, {"b", "online", 3}}, false, "assigned", "a", []string{"woke", "assigned"}},
		{"keeper away with keep", true, []op{{"a", "away", 3}, {"b", "online", 3}}, false, "assigned", "b", []string{"woke", "assigned"}},
		{"keeper full with keep", true, []op{{"a", "online", 1}, {"b", "online", 3}}, false, "assigned", "b", []string{"woke", "assigned"}},
		{"no keep: least loaded", false, []op{{"a", "online", 3}, {"b", "online", 3}}, false, "assigned", "b", []string{"woke", "assigned"}},
		{"nobody available: offline queue", true, []op{{"a", "away", 3}, {"b", "offline", 3}}, false, "offline", "", []string{"woke"}},
		{"all full, visitor here: waiting", true, []op{{"a", "online", 1}}, true, "waiting", "", []string{"woke"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st, clk := newChatStore(t)
			ctx := context.Background()
			operatorOnline(t, st, clk, "a", 3)
			operatorOnline(t, st, clk, "b", 3)
			takenBy(t, st, clk, "busy-a", "a", false) // a is the more loaded
			c := takenBy(t, st, clk, "v1", "a", tt.online)
			until := t0.Add(time.Hour)
			if _, err := st.Snooze(ctx, c, store.SnoozeRequest{Operator: "a", Name: "Op a", Until: until, Keep: tt.keep}); err != nil {
				t.Fatal(err)
			}
			clk.Add(time.Hour + time.Second)
			for _, o := range tt.ops {
				setPresence(t, st, clk, o.id, o.slots, o.state)
			}
			before := load(t, st)
			tr, err := st.Wake(ctx, c.ID, store.WakeRequest{Reason: livehelp.WakeEnd, Due: until})
			if err != nil {
				t.Fatal(err)
			}
			got := reload(t, st, c.ID)
			if got.Phase() != tt.wantPhase || got.Operator != tt.wantOp {
				t.Errorf("woke to %s %q, want %s %q", got.Phase(), got.Operator, tt.wantPhase, tt.wantOp)
			}
			if diff := cmp.Diff(tt.wantLines, events(tr)); diff != "" {
				t.Errorf("lines (-want +got):\n%s", diff)
			}
			if tr.Messages[0].Text != "The snooze ended." {
				t.Errorf("line %q", tr.Messages[0].Text)
			}
			after := load(t, st)
			if tt.wantOp != "" && after[tt.wantOp] != before[tt.wantOp]+1 {
				t.Errorf("load of %s: %d → %d, want +1", tt.wantOp, before[tt.wantOp], after[tt.wantOp])
			}
			if diff := cmp.Diff([]string{}, sweepTimers(t, st, clk.Now().Add(time.Hour))); diff != "" {
				t.Errorf("the snooze timer is left (-want +got):\n%s", diff)
			}
			// Waking again, or for another time, changes nothing.
			if again, err := st.Wake(ctx, c.ID, store.WakeRequest{Reason: livehelp.WakeEnd, Due: until}); err != nil || again.Changed() {
				t.Errorf("second wake: changed %v, err %v", again != nil && again.Changed(), err)
			}
		})
	}
}

func TestWakeOnlyTheSnoozeItWasFor(t *testing.T) {
	t.Parallel()
	st, clk := newChatStore(t)
	ctx := context.Background()
	operatorOnline(t, st, clk, "a", 3)
	c := takenBy(t, st, clk, "v1", "a", false)
	until := t0.Add(time.Hour)
	if _, err := st.Snooze(ctx, c, store.SnoozeRequest{Operator: "a", Until: until}); err != nil {
		t.Fatal(err)
	}
	tr, err := st.Wake(ctx, c.ID, store.WakeRequest{Reason: livehelp.WakeEnd, Due: until.Add(-time.Hour)})
	if err != nil || tr.Changed() {
		t.Fatalf("wake for another time: changed %v, err %v", tr != nil && tr.Changed(), err)
	}
	if got := reload(t, st, c.ID).Status; got != livehelp.StatusSnoozed {
		t.Errorf("status %q, want still snoozed", got)
	}
	// The visitor's reply wakes it whatever the time.
	tr, err = st.Wake(ctx, c.ID, store.WakeRequest{Reason: livehelp.WakeReply})
	if err != nil || !tr.Changed() || tr.Messages[0].Text != "The visitor replied, which ended the snooze." {
		t.Fatalf("reply wake: %+v, %v", tr, err)
	}
}

// TestWakeConcurrent: many wakers of one snooze (sweeps, a reply) act once.
func TestWakeConcurrent(t *testing.T) {
	t.Parallel()
	st, clk := newChatStore(t)
	ctx := context.Background()
	operatorOnline(t, st, clk, "a", 3)
	operatorOnline(t, st, clk, "b", 3)
	c := takenBy(t, st, clk, "v1", "a", false)
	until := t0.Add(time.Minute)
	if _, err := st.Snooze(ctx, c, store.SnoozeRequest{Operator: "a", Until: until}); err != nil {
		t.Fatal(err)
	}
	clk.Add(time.Minute)
	operatorOnline(t, st, clk, "a", 3) // fresh again
	operatorOnline(t, st, clk, "b", 3)
	before := load(t, st)
	var wg sync.WaitGroup
	changed := make(chan string, 8)
	for i := range 8 {
		wg.Go(func() {
			reason := livehelp.WakeEnd
			if i%4 == 3 {
				reason = livehelp.WakeReply
			}
			tr, err := st.Wake(ctx, c.ID, store.WakeRequest{Reason: reason, Due: until})
			if err != nil {
				t.Errorf("wake %d: %v", i, err)
				return
			}
			if tr.Changed() {
				changed <- fmt.Sprint(tr.Conversation.Operator)
			}
		})
	}
	wg.Wait()
	close(changed)
	if n := len(changed); n != 1 {
		t.Fatalf("%d wakers changed it, want 1", n)
	}
	after := load(t, st)
	if after["a"]+after["b"] != before["a"]+before["b"]+1 {
		t.Errorf("loads %v → %v, want one more in all", before, after)
	}
	msgs, _, err := st.Messages(ctx, c.ID, livehelp.Page{})
	if err != nil {
		t.Fatal(err)
	}
	woke := 0
	for _, m := range msgs {
		if m.Event == livehelp.EventWoke {
			woke++
		}
	}
	if woke != 1 {
		t.Errorf("%d woke lines, want 1", woke)
	}
}

func TestUnsnooze(t *testing.T) {
	t.Parallel()
	st, clk := newChatStore(t)
	ctx := context.Background()
	operatorOnline(t, st, clk, "a", 3)
	setPresence(t, st, clk, "b", 1, livehelp.PresenceAway) // away still may take by hand
	c := takenBy(t, st, clk, "v1", "a", false)
	if _, err := st.Snooze(ctx, c, store.SnoozeRequest{Operator: "a", Until: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	tr, err := st.Wake(ctx, c.ID, store.WakeRequest{Reason: livehelp.WakeManual, Operator: "b", Name: "Bea"})
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, m := range tr.Messages {
		texts = append(texts, m.Text)
	}
	if diff := cmp.Diff([]string{"Bea ended the snooze.", "Bea joined the conversation."}, texts); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
	if got := reload(t, st, c.ID); got.Operator != "b" || load(t, st)["b"] != 1 {
		t.Errorf("operator %q, load of b %d", got.Operator, load(t, st)["b"])
	}
	// Not snoozed any more, and b is full: both refused.
	if _, err := st.Wake(ctx, c.ID, store.WakeRequest{Reason: livehelp.WakeManual, Operator: "a", Name: "A"}); !livehelp.IsCode(err, livehelp.ECONFLICT) {
		t.Errorf("unsnooze of an awake one: %v", err)
	}
	c2 := takenBy(t, st, clk, "v2", "a", false)
	if _, err := st.Snooze(ctx, c2, store.SnoozeRequest{Operator: "a", Until: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Wake(ctx, c2.ID, store.WakeRequest{Reason: livehelp.WakeManual, Operator: "b", Name: "Bea"}); !livehelp.IsCode(err, livehelp.ECONFLICT) {
		t.Errorf("unsnooze without a slot: %v", err)
	}
}
