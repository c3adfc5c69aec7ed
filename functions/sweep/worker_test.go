package main

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

// TestIdleRunRequests holds a run with nothing due to the two Queries of
// the day buckets: no other read, no write, no Scan.
func TestIdleRunRequests(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.online("a", 3, livehelp.PresenceOnline)
	c := e.assigned("v1", "a", true)
	e.snoozed(c, "a", t0.Add(2*time.Hour), false) // due later: not today's work yet
	e.counter.Reset()
	e.run()
	idle := e.counter.Reset()
	t.Logf("idle sweep run: %v (reads %d, writes %d)", idle.Calls, idle.Reads(), idle.Writes())
	if idle.Count("Query") != 2 || idle.Reads() != 2 || idle.Writes() != 0 || idle.Scans() != 0 {
		t.Errorf("idle run: %v, want exactly 2 Queries", idle.Calls)
	}
	if got := e.conv(c.ID).Status; got != livehelp.StatusSnoozed {
		t.Errorf("status %q, want still snoozed", got)
	}
}

// TestSnoozeEndRun: the snooze ends across midnight; the run wakes the
// conversation to its keeper and tells every device.
func TestSnoozeEndRun(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.online("a", 3, livehelp.PresenceOnline)
	e.online("b", 3, livehelp.PresenceOnline)
	c := e.assigned("v1", "a", true)
	until := t0.Add(20 * time.Minute) // 23:50
	e.snoozed(c, "a", until, true)
	e.clk.Add(30*time.Minute + 20*time.Second) // the next day, 00:00:20
	e.online("a", 3, livehelp.PresenceOnline)  // heartbeats kept coming
	e.online("b", 3, livehelp.PresenceOnline)
	e.run()
	got := e.conv(c.ID)
	if got.Status != livehelp.StatusAssigned || got.Operator != "a" {
		t.Fatalf("after the run: %s with %q, want assigned to the keeper a", got.Phase(), got.Operator)
	}
	if diff := cmp.Diff([]string{"assigned", "snoozed", "woke", "assigned"}, e.lines(c.ID)); diff != "" {
		t.Errorf("thread (-want +got):\n%s", diff)
	}
	wantOp := []string{"assigned assigned Op a", "message The snooze ended.", "message Op a joined the conversation.", "conversation assigned Op a"}
	if diff := cmp.Diff(wantOp, e.gw.got("c-a")); diff != "" {
		t.Errorf("keeper's console (-want +got):\n%s", diff)
	}
	wantVisitor := []string{"message The snooze ended.", "message Op a joined the conversation.", "conversation assigned Op a"}
	if diff := cmp.Diff(wantVisitor, e.gw.got("t-v1")); diff != "" {
		t.Errorf("visitor's tab (-want +got):\n%s", diff)
	}
	if len(e.gw.got("c-b")) != 0 {
		t.Errorf("b was told %v", e.gw.got("c-b"))
	}
	e.counter.Reset()
	e.run() // nothing left: idle again
	if n := e.counter.Reset().Count("Query"); n != 2 {
		t.Errorf("the next run made %d Queries, want 2", n)
	}
}

// TestSnoozeEndToQueue: nobody available at the end, the visitor on the
// site: waiting, and online operators are alerted.
func TestSnoozeEndToQueue(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.online("a", 1, livehelp.PresenceOnline)
	c := e.assigned("v1", "a", true)
	e.snoozed(c, "a", t0.Add(time.Minute), true)
	e.assigned("v2", "a", false) // a is full again
	e.clk.Add(time.Minute)
	e.online("a", 1, livehelp.PresenceOnline)
	e.run()
	if got := e.conv(c.ID).Phase(); got != livehelp.QueueWaiting {
		t.Fatalf("phase %q, want waiting", got)
	}
	if diff := cmp.Diff([]string{"message The snooze ended.", "conversation waiting"}, e.gw.got("t-v1")); diff != "" {
		t.Errorf("visitor (-want +got):\n%s", diff)
	}
	if got := e.gw.got("c-a"); len(got) == 0 || got[len(got)-1] != "queued waiting" {
		t.Errorf("online operator not alerted: %v", got)
	}
}

// TestReassignRun: b did not handle a transfer within the delay: c gets it,
// b's console leaves it.
func TestReassignRun(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	for _, op := range []string{"a", "b", "c"} {
		e.online(op, 3, livehelp.PresenceOnline)
	}
	c := e.assigned("v1", "a", true)
	tr, x, err := e.st.Transfer(ctx, c, store.TransferRequest{From: "a", FromName: "Op a", To: "b", ReassignAfter: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	console, _ := e.st.Connection(ctx, "c-b")
	if _, err := e.st.Join(ctx, c.ID, []*livehelp.Connection{console}); err != nil {
		t.Fatal(err)
	}
	e.clk.Add(time.Hour)
	for _, op := range []string{"a", "b", "c"} {
		e.online(op, 3, livehelp.PresenceOnline)
	}
	e.assigned("v2", "a", false) // a is busier than c now
	e.run()
	got := e.conv(tr.Conversation.ID)
	if got.Operator != "c" {
		t.Fatalf("operator %q, want c", got.Operator)
	}
	want := "message Op b did not handle this conversation within 1 hour; it was reassigned to Op c."
	if diff := cmp.Diff([]string{"assigned assigned Op c", want, "conversation assigned Op c"}, e.gw.got("c-c")); diff != "" {
		t.Errorf("c's console (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{want, "conversation assigned Op c"}, e.gw.got("c-b")); diff != "" {
		t.Errorf("b's console, told before it leaves (-want +got):\n%s", diff)
	}
	members, err := e.st.Members(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range members {
		if m.Subject == "b" {
			t.Errorf("b's console is still a member")
		}
	}
	if d, _ := e.st.Detail(ctx, c.ID); d.Transfer != nil || x.Seq == 0 {
		t.Errorf("a transfer still waits: %+v", d.Transfer)
	}
}

// TestConcurrentRuns: two sweeps at once over the same due snoozes and
// deadlines act exactly once on each.
func TestConcurrentRuns(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	for _, op := range []string{"a", "b", "c"} {
		e.online(op, 10, livehelp.PresenceOnline)
	}
	var snoozed, moved []string
	for i := range 6 {
		c := e.assigned(fmt.Sprint("s", i), "a", false)
		e.snoozed(c, "a", t0.Add(time.Minute), false)
		snoozed = append(snoozed, c.ID)
	}
	for i := range 4 {
		c := e.assigned(fmt.Sprint("x", i), "a", false)
		if _, _, err := e.st.Transfer(ctx, c, store.TransferRequest{From: "a", FromName: "Op a", To: "b", ReassignAfter: time.Minute}); err != nil {
			t.Fatal(err)
		}
		moved = append(moved, c.ID)
	}
	e.clk.Add(2 * time.Minute)
	for _, op := range []string{"a", "b", "c"} {
		e.online(op, 10, livehelp.PresenceOnline)
	}
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(e.run)
	}
	wg.Wait()
	count := func(id, event string) int {
		n := 0
		for _, ev := range e.lines(id) {
			if ev == event {
				n++
			}
		}
		return n
	}
	for _, id := range snoozed {
		if n := count(id, livehelp.EventWoke); n != 1 || e.conv(id).Status != livehelp.StatusAssigned {
			t.Errorf("%s: %d woke lines, %s; want 1, assigned", id, n, e.conv(id).Status)
		}
	}
	for _, id := range moved {
		if n := count(id, livehelp.EventReassigned); n != 1 || e.conv(id).Operator == "b" {
			t.Errorf("%s: %d reassigned lines, operator %s; want 1, not b", id, n, e.conv(id).Operator)
		}
	}
	site, err := e.st.Site(ctx, "s1", true)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, p := range site.Presence {
		total += p.Load
	}
	if total != 10 || site.Presence["b"].Load != 0 {
		t.Errorf("loads %+v: want 10 conversations counted once, none on b", site.Presence)
	}
	e.counter.Reset()
	e.run()
	if calls := e.counter.Reset(); calls.Count("Query") != 2 || calls.Writes() != 0 {
		t.Errorf("after both runs, a third found work: %v", calls.Calls)
	}
}

// TestBoundedRun: a run handles at most Limit timers and stops when its
// time budget is spent; the next run continues.
func TestBoundedRun(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.online("a", 20, livehelp.PresenceOnline)
	var ids []string
	for i := range 5 {
		c := e.assigned(fmt.Sprint("v", i), "a", false)
		e.snoozed(c, "a", t0.Add(time.Minute+time.Duration(i)*time.Second), true)
		ids = append(ids, c.ID)
	}
	e.clk.Add(time.Hour)
	e.online("a", 20, livehelp.PresenceOnline)
	awake := func() int {
		n := 0
		for _, id := range ids {
			if e.conv(id).Status == livehelp.StatusAssigned {
				n++
			}
		}
		return n
	}
	e.w.set.Limit = 2
	e.run()
	if n := awake(); n != 2 {
		t.Fatalf("after a run of limit 2: %d awake", n)
	}
	e.w.set.Limit, e.w.set.Budget = 100, 0 // the budget is spent after the first
	tick := e.clk.Now()
	e.w.now = func() time.Time { tick = tick.Add(time.Second); return tick } // each look at the clock costs a second
	e.run()
	e.w.now = e.clk.Now
	if n := awake(); n != 3 {
		t.Fatalf("after a run out of time: %d awake, want 3", n)
	}
	e.w.set.Budget = time.Minute
	e.run()
	if n := awake(); n != 5 {
		t.Errorf("after the last run: %d awake, want 5", n)
	}
}

// presence returns each operator's state and load in the site's summary.
func (e *env) presence() map[string]string {
	e.t.Helper()
	site, err := e.st.Site(context.Background(), "s1", true)
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]string{}
	for id, p := range site.Presence {
		out[id] = p.State + " " + string(rune('0'+p.Load))
	}
	return out
}

// TestPresenceRun: operators vanish without a goodbye. The check drops
// their stale entries (keeping the load of one who holds a conversation),
// moves the visitor who waited for them to the offline queue and tells
// them, and stops checking once nobody is online.
func TestPresenceRun(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.online("full", 0, livehelp.PresenceOnline) // online, no slot: visitors wait
	e.online("busy", 3, livehelp.PresenceOnline)
	e.online("stays", 3, livehelp.PresenceOnline)
	e.assigned("v0", "busy", false)
	c, err := e.st.CreateConversation(ctx, &livehelp.Conversation{ID: livehelp.ConversationID("s1", "v1"), Site: "s1", Visitor: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	tab := &livehelp.Connection{ID: "t-v1", Site: "s1", Role: livehelp.ParticipantVisitor, Subject: "v1", Connected: e.clk.Now()}
	if err := e.st.PutConnection(ctx, tab); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.Join(ctx, c.ID, []*livehelp.Connection{tab}); err != nil {
		t.Fatal(err)
	}
	if err := e.st.WatchPresence(ctx, "s1", e.clk.Now().Add(time.Minute+time.Second)); err != nil {
		t.Fatal(err)
	}

	// One minute on, "stays" keeps sending heartbeats; the others stopped.
	e.clk.Add(90 * time.Second)
	e.online("stays", 3, livehelp.PresenceOnline)
	e.run()
	want := map[string]string{"busy": "offline 1", "stays": "online 0"}
	if diff := cmp.Diff(want, e.presence()); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
	due, err := e.st.DueTimers(ctx, store.TimerSweep, e.clk.Now().Add(time.Hour), 10)
	if err != nil || len(due) != 1 || !due[0].Due.Equal(e.clk.Now().Add(time.Minute+time.Second)) {
		t.Fatalf("re-armed check: %+v, %v; want one at the heartbeat's expiry", due, err)
	}

	// A visitor waits (an operator online, no free slot)...
	e.online("stays", 0, livehelp.PresenceOnline)
	tr, err := e.st.Route(ctx, e.conv(c.ID))
	if err != nil || tr.Conversation.Phase() != livehelp.QueueWaiting {
		t.Fatalf("route: %v, %v", tr, err)
	}
	// ...and then the last operator vanishes too.
	e.clk.Add(2 * time.Minute)
	e.run()
	if diff := cmp.Diff(map[string]string{"busy": "offline 1"}, e.presence()); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
	if got := e.conv(c.ID).Phase(); got != livehelp.QueueOffline {
		t.Errorf("the visitor's conversation is %s, want offline", got)
	}
	if diff := cmp.Diff([]string{"conversation offline"}, e.gw.got("t-v1")); diff != "" {
		t.Errorf("visitor told (-want +got):\n%s", diff)
	}
	e.counter.Reset()
	e.run()
	if calls := e.counter.Reset(); calls.Count("Query") != 2 || calls.Writes() != 0 {
		t.Errorf("nobody online, yet the next run worked: %v", calls.Calls)
	}
}
