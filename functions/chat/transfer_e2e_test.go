package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/livehelp/livehelp/infra/devstack/stack"
	"github.com/livehelp/livehelp/shared/livehelp"
)

// e2eTransfers: op1 → op2 (available, with a comment), op2 → the group
// Sales (op3 gets it), op3 → op1 away (refused, then transfer anyway), and
// op1 does not handle it within the 2 s delay: the sweep reassigns it. The
// thread shows each step with names.
func e2eTransfers(ctx context.Context, t *testing.T, s *stack.Stack) {
	tokens, ops := e2eSite(ctx, t, s, "e2e-xfer", 3, 3, 3)
	g := &livehelp.Group{Site: "e2e-xfer", Name: "Sales", Members: []string{ops[1], ops[2]}}
	if err := s.Store.CreateGroup(ctx, g); err != nil {
		t.Fatal(err)
	}
	cons := []*wsClient{console(ctx, t, s, "op1", tokens[0]), console(ctx, t, s, "op2", tokens[1]), console(ctx, t, s, "op3", tokens[2])}
	v := visitorTab(ctx, t, s, "visitor", "e2e-xfer", visitorToken(ctx, t, s, "e2e-xfer"))
	id, st, op, _ := conv(v.reply(ctx, "start", map[string]any{"action": "start"}))
	if st != "assigned" || op != ops[0] {
		t.Fatalf("start: %s to %s", st, op)
	}
	steps := []struct {
		name   string
		by     int
		frame  map[string]any
		states [3]string
		want   int // receiver
	}{
		{"to an available operator", 0, map[string]any{"operator": ops[1], "comment": "Wants a refund, order 42"}, [3]string{"online", "online", "online"}, 1},
		{"to a group", 1, map[string]any{"group": g.ID}, [3]string{"online", "online", "online"}, 2},
		{"transfer anyway to an away operator", 2, map[string]any{"operator": ops[0], "force": true}, [3]string{"away", "online", "online"}, 0},
	}
	for i, step := range steps {
		for k, state := range step.states {
			beat(ctx, cons[k], state)
		}
		from := cons[step.want].count()
		f := map[string]any{"action": "transfer", "conversation": id}
		for k, v := range step.frame {
			f[k] = v
		}
		if step.frame["force"] == true { // refused first, with the reason
			delete(f, "force")
			e := cons[step.by].reply(ctx, fmt.Sprint("t", i, "a"), f)
			if fields, _ := e["fields"].(map[string]any); e["code"] != "conflict" || fields["target"] != "away" {
				t.Errorf("%s without force: %v", step.name, e)
			}
			f["force"] = true
		}
		r := cons[step.by].reply(ctx, fmt.Sprint("t", i), f)
		if _, st, op, _ := conv(r); st != "assigned" || op != ops[step.want] {
			t.Fatalf("%s: answered %v", step.name, r)
		}
		a := assignedOf(ctx, cons[step.want], from, id)
		x, _ := a["transfer"].(map[string]any)
		if c, _ := step.frame["comment"].(string); x == nil || x["comment"] != c {
			t.Errorf("%s: the receiver's assigned frame %v", step.name, a)
		}
	}

	// op1 (away) does not handle it: after 2 s the sweep hands it on.
	time.Sleep(2100 * time.Millisecond)
	beat(ctx, cons[0], "away")
	beat(ctx, cons[1], "online")
	beat(ctx, cons[2], "online")
	fromV := v.count()
	if err := s.Fire(ctx, "SweepFunction"); err != nil {
		t.Fatal(err)
	}
	if st, op := statusOn(ctx, v, fromV, id); st != "assigned" || op == ops[0] || op == "" {
		t.Errorf("after the delay the visitor sees %s with %q, want another operator", st, op)
	}

	h := v.reply(ctx, "hist", map[string]any{"action": "history", "conversation": id})
	var lines []string
	for _, m := range h["messages"].([]any) {
		m := m.(map[string]any)
		if m["author"] == "system" && m["ts"].(float64) > 0 {
			lines = append(lines, m["text"].(string))
		}
	}
	reassigned := lines[len(lines)-1]
	lines = lines[:len(lines)-1]
	want := []string{
		"Operator 1 joined the conversation.",
		"Operator 1 transferred this conversation to Operator 2.",
		"Operator 2 transferred this conversation to the group Sales; Operator 3 has it now.",
		"Operator 3 transferred this conversation to Operator 1.",
	}
	if diff := cmp.Diff(want, lines); diff != "" {
		t.Errorf("thread (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(reassigned, "Operator 1 did not handle this conversation within 2 seconds; it was reassigned to Operator ") {
		t.Errorf("last line %q", reassigned)
	}
}

// e2eConcurrentSweeps: two sweeps fired at once over the same due snoozes
// wake each conversation once.
func e2eConcurrentSweeps(ctx context.Context, t *testing.T, s *stack.Stack) {
	tokens, _ := e2eSite(ctx, t, s, "e2e-race", 10)
	a := console(ctx, t, s, "op1", tokens[0])
	var ids []string
	var last time.Time
	for i := range 4 {
		v := visitorTab(ctx, t, s, fmt.Sprint("v", i), "e2e-race", visitorToken(ctx, t, s, "e2e-race"))
		id, _, _, _ := conv(v.reply(ctx, "start", map[string]any{"action": "start"}))
		ids = append(ids, id)
		last = snoozeNow(ctx, t, s, id, false)
	}
	time.Sleep(time.Until(last))
	beat(ctx, a, "online")
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			if err := s.Fire(ctx, "SweepFunction"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for _, id := range ids {
		msgs, _, err := s.Store.Messages(ctx, id, livehelp.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		woke := 0
		for _, m := range msgs {
			if m.Event == livehelp.EventWoke {
				woke++
			}
		}
		if c, _ := s.Store.Conversation(ctx, id); woke != 1 || c.Status != livehelp.StatusAssigned {
			t.Errorf("%s: %d woke lines, %s; want 1, assigned", id, woke, c.Status)
		}
	}
	site, err := s.Store.Site(ctx, "e2e-race", true)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range site.Presence {
		if p.Load != 4 {
			t.Errorf("load %d, want 4 (each conversation counted once)", p.Load)
		}
	}
}

// e2eStalePresence: the only operator stops sending heartbeats; the sweep
// shows them offline (keeping their load) and tells the waiting visitor
// that nobody is online now.
func e2eStalePresence(ctx context.Context, t *testing.T, s *stack.Stack) {
	tokens, ops := e2eSite(ctx, t, s, "e2e-stale", 1)
	a := console(ctx, t, s, "op1", tokens[0])
	v1 := visitorTab(ctx, t, s, "v1", "e2e-stale", visitorToken(ctx, t, s, "e2e-stale"))
	v2 := visitorTab(ctx, t, s, "v2", "e2e-stale", visitorToken(ctx, t, s, "e2e-stale"))
	beat(ctx, a, "online")
	v1.reply(ctx, "start", map[string]any{"action": "start"})
	id, st, _, _ := conv(v2.reply(ctx, "start", map[string]any{"action": "start"}))
	if st != "waiting" {
		t.Fatalf("second visitor: %s, want waiting", st)
	}
	if err := s.Store.WatchPresence(ctx, "e2e-stale", time.Now().Add(3*time.Second)); err != nil {
		t.Fatal(err)
	}
	// The heartbeat armed the check at its expiry + 1 s (the call above is then
	// a no-op); wait past both, with no heartbeat: stale.
	time.Sleep(4500 * time.Millisecond)
	from := v2.count()
	if err := s.Fire(ctx, "SweepFunction"); err != nil {
		t.Fatal(err)
	}
	if st, _ := statusOn(ctx, v2, from, id); st != "offline" {
		t.Errorf("the waiting visitor sees %q, want offline", st)
	}
	site, err := s.Store.Site(ctx, "e2e-stale", true)
	if err != nil {
		t.Fatal(err)
	}
	if p := site.Presence[ops[0]]; p.State != livehelp.PresenceOffline || p.Load != 1 {
		t.Errorf("the stale operator: %s with load %d, want offline with 1", p.State, p.Load)
	}
}
