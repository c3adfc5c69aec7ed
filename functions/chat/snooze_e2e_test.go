package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/livehelp/livehelp/infra/devstack/stack"
	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/metrics"
	"github.com/livehelp/livehelp/shared/store"
)

// TestSnoozeTransferEndToEnd runs snooze, transfer and the sweep on the
// local runner with real WebSocket clients, a reassign delay of 2 s and
// an operators list expiration of 3 s (operators count as online for 3 s
// after a heartbeat, so each test beats right before it needs them).
func TestSnoozeTransferEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the local stack")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	s, log := startSnoozeStack(ctx, t)
	t.Run("idle sweep", func(t *testing.T) { e2eIdleSweep(ctx, t, s, log) })
	t.Run("wake-up chain", func(t *testing.T) { e2eWakeChain(ctx, t, s) })
	t.Run("transfers and reassignment", func(t *testing.T) { e2eTransfers(ctx, t, s) })
	t.Run("concurrent sweeps", func(t *testing.T) { e2eConcurrentSweeps(ctx, t, s) })
	t.Run("stale presence", func(t *testing.T) { e2eStalePresence(ctx, t, s) })
}

// TestSnoozeReplyEndToEnd: a visitor who writes in a snoozed conversation
// wakes it. It needs sendMessage to call wakeForReply for visitors (see
// PROTOCOL.md, "Snooze and transfer").
func TestSnoozeReplyEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the local stack")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, _ := startSnoozeStack(ctx, t)
	e2eReplyWakes(ctx, t, s)
}

// startSnoozeStack starts the local runner for one test with a reassign
// delay of 2 s and an operators list expiration of 3 s, and stops it after;
// the end of its log is shown when the test failed.
func startSnoozeStack(ctx context.Context, t *testing.T) (*stack.Stack, *lockedBuffer) {
	t.Helper()
	log := &lockedBuffer{}
	s, err := stack.Start(ctx, stack.Options{Log: log, Params: map[string]string{"ReassignAfterSeconds": "2", "OperatorsListExpiration": "3"}})
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
	return s, log
}

var beats sync.Map // client → beat count, for unique request ids

// beat sends a heartbeat in state and waits for its answer.
func beat(ctx context.Context, c *wsClient, state string) {
	c.t.Helper()
	n, _ := beats.LoadOrStore(c, new(int))
	*n.(*int)++
	c.reply(ctx, fmt.Sprint("beat", *n.(*int)), map[string]any{"action": "heartbeat", "state": state})
}

// assignedOf waits for an assigned frame of conversation id on c.
func assignedOf(ctx context.Context, c *wsClient, from int, id string) map[string]any {
	c.t.Helper()
	f, _ := c.wait(ctx, from, func(f map[string]any) bool {
		got, _, _, _ := conv(f)
		return f["type"] == "assigned" && got == id
	})
	return f
}

// statusOn waits for a conversation frame of id on c and returns its
// status and operator.
func statusOn(ctx context.Context, c *wsClient, from int, id string) (string, string) {
	c.t.Helper()
	f, _ := c.wait(ctx, from, func(f map[string]any) bool {
		got, _, _, _ := conv(f)
		return f["type"] == "conversation" && got == id
	})
	_, st, op, _ := conv(f)
	return st, op
}

// sweepRuns returns the EMF lines the sweep wrote so far.
func sweepRuns(t *testing.T, log *lockedBuffer) []metrics.Record {
	t.Helper()
	log.mu.Lock()
	text := log.b.String()
	log.mu.Unlock()
	var out []metrics.Record
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if rec, err := metrics.Decode(sc.Bytes()); err == nil && rec.Function == "sweep" {
			out = append(out, rec)
		}
	}
	return out
}

// e2eIdleSweep: a sweep with nothing due makes two DynamoDB requests, as
// its EMF line reports.
func e2eIdleSweep(ctx context.Context, t *testing.T, s *stack.Stack, log *lockedBuffer) {
	before := len(sweepRuns(t, log))
	if err := s.Fire(ctx, "SweepFunction"); err != nil {
		t.Fatal(err)
	}
	runs := sweepRuns(t, log)
	for deadline := time.Now().Add(5 * time.Second); len(runs) == before && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond) // the process's output reaches the log a moment after it answers
		runs = sweepRuns(t, log)
	}
	if len(runs) != before+1 {
		t.Fatalf("%d sweep lines, want %d", len(runs), before+1)
	}
	v := runs[len(runs)-1].Values
	t.Logf("idle sweep on the runner: %v", v)
	if v["DynamoDBRequests"] > 2 || v["Query"] != 2 || v["SweepsDue"] != 0 {
		t.Errorf("idle sweep: %v, want 2 Queries and nothing else", v)
	}
}

// snoozeNow snoozes c for its operator until a second from now, as the
// snooze action does (the action's shortest snooze is a minute).
func snoozeNow(ctx context.Context, t *testing.T, s *stack.Stack, id string, keep bool) time.Time {
	t.Helper()
	c, err := s.Store.Conversation(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	until := time.Now().Add(time.Second)
	if _, err := s.Store.Snooze(ctx, c, store.SnoozeRequest{Operator: c.Operator, Name: c.OperatorName, Until: until, Keep: keep}); err != nil {
		t.Fatal(err)
	}
	return until
}

// e2eWakeChain: the snooze ends and the sweep wakes the conversation to
// the keeper, to another operator when the keeper is away, or to the
// queue when nobody is available.
func e2eWakeChain(ctx context.Context, t *testing.T, s *stack.Stack) {
	tokens, ops := e2eSite(ctx, t, s, "e2e-wake", 3, 3)
	a, b := console(ctx, t, s, "op1", tokens[0]), console(ctx, t, s, "op2", tokens[1])
	v := visitorTab(ctx, t, s, "visitor", "e2e-wake", visitorToken(ctx, t, s, "e2e-wake"))
	id, st, op, _ := conv(v.reply(ctx, "start", map[string]any{"action": "start"}))
	if st != "assigned" || op != ops[0] {
		t.Fatalf("start: %s to %s, want op1", st, op)
	}
	branches := []struct {
		name           string
		stateA, stateB string
		want, wantOp   string
	}{
		{"keeper available", "online", "online", "assigned", ops[0]},
		{"keeper away with keep", "away", "online", "assigned", ops[1]},
		{"nobody available: the queue", "away", "away", "offline", ""},
	}
	for _, br := range branches {
		c, _ := s.Store.Conversation(ctx, id)
		if c.Status != livehelp.StatusAssigned {
			tr, err := s.Store.Take(ctx, c, ops[0], "Operator 1", nil) // back to op1 for the next branch
			if err != nil {
				t.Fatal(err)
			}
			id = tr.Conversation.ID
		}
		until := snoozeNow(ctx, t, s, id, true)
		time.Sleep(time.Until(until))
		beat(ctx, a, br.stateA)
		beat(ctx, b, br.stateB)
		fromA, fromB, fromV := a.count(), b.count(), v.count()
		if err := s.Fire(ctx, "SweepFunction"); err != nil {
			t.Fatal(err)
		}
		gotSt, gotOp := statusOn(ctx, v, fromV, id)
		if gotSt != br.want || gotOp != br.wantOp {
			t.Errorf("%s: the visitor sees %s with %q, want %s with %q", br.name, gotSt, gotOp, br.want, br.wantOp)
		}
		switch br.wantOp {
		case ops[0]:
			assignedOf(ctx, a, fromA, id)
		case ops[1]:
			assignedOf(ctx, b, fromB, id)
		}
		if c, _ := s.Store.Conversation(ctx, id); c.Operator != "" && c.Operator != br.wantOp {
			t.Errorf("%s: stored operator %s", br.name, c.Operator)
		}
		if br.wantOp == ops[1] { // hand it back to op1 for the next branch
			c, _ := s.Store.Conversation(ctx, id)
			if _, err := s.Store.Close(ctx, c, ops[1], "Operator 2", nil); err != nil {
				t.Fatal(err)
			}
			c, _ = s.Store.Conversation(ctx, id)
			if _, err := s.Store.Unclose(ctx, c, ops[0], "Operator 1", nil); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// e2eReplyWakes: op1 snoozes through the chat; the visitor writes; the
// conversation wakes to op1, the keeper, who gets the message.
func e2eReplyWakes(ctx context.Context, t *testing.T, s *stack.Stack) {
	tokens, ops := e2eSite(ctx, t, s, "e2e-reply", 3, 3)
	a, b := console(ctx, t, s, "op1", tokens[0]), console(ctx, t, s, "op2", tokens[1])
	v := visitorTab(ctx, t, s, "visitor", "e2e-reply", visitorToken(ctx, t, s, "e2e-reply"))
	id, _, _, _ := conv(v.reply(ctx, "start", map[string]any{"action": "start"}))
	fromV := v.count()
	r := a.reply(ctx, "z", map[string]any{"action": "snooze", "conversation": id, "for": "1d", "zone": "Europe/Paris", "keep": true})
	if _, st, _, _ := conv(r); st != "snoozed" {
		t.Fatalf("snooze answered %v", r)
	}
	if st, _ := statusOn(ctx, v, fromV, id); st != "offline" {
		t.Errorf("the visitor sees %q, want offline", st)
	}
	beat(ctx, a, "online")
	beat(ctx, b, "online")
	fromA := a.count()
	v.reply(ctx, "m1", map[string]any{"action": "send", "conversation": id, "client_id": "m1", "text": "I am back!"})
	assignedOf(ctx, a, fromA, id)
	f, _ := a.wait(ctx, fromA, func(f map[string]any) bool {
		m, _ := f["message"].(map[string]any)
		return f["type"] == "message" && m["text"] == "I am back!"
	})
	if f == nil {
		t.Error("the keeper did not get the reply")
	}
	if c, _ := s.Store.Conversation(ctx, id); c.Operator != ops[0] {
		t.Errorf("woke to %q, want the keeper", c.Operator)
	}
}
