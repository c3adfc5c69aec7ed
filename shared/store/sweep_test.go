package store_test

import (
	"context"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

func TestParseSweepTimer(t *testing.T) {
	t.Parallel()
	due := t0
	tests := []struct {
		ref  string
		data map[string]string
		want store.SweepTimer
		ok   bool
	}{
		{"snooze#c1", map[string]string{"site": "s1"}, store.SweepTimer{Kind: "snooze", Conversation: "c1", Site: "s1"}, true},
		{"transfer#c1", map[string]string{"site": "s1", "seq": "7"}, store.SweepTimer{Kind: "transfer", Conversation: "c1", Site: "s1", Seq: 7}, true},
		{"presence#s1", map[string]string{"site": "s1"}, store.SweepTimer{Kind: "presence", Site: "s1"}, true},
		{"transfer#c1", map[string]string{"seq": "x"}, store.SweepTimer{}, false},
		{"nap#c1", nil, store.SweepTimer{}, false},
		{"snooze#", nil, store.SweepTimer{}, false},
		{"snooze#a#b", nil, store.SweepTimer{}, false},
	}
	for _, tt := range tests {
		tm := store.Timer{Kind: store.TimerSweep, Due: due, Ref: tt.ref, Data: tt.data}
		got, ok := store.ParseSweepTimer(tm)
		if ok != tt.ok {
			t.Errorf("%s: ok = %v", tt.ref, ok)
			continue
		}
		if ok {
			tt.want.Timer = tm
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.ref, diff)
			}
		}
	}
}

func TestSweepPresence(t *testing.T) {
	t.Parallel()
	st, clk := newChatStore(t)
	ctx := context.Background()
	for _, id := range []string{"fresh", "gone", "busy"} {
		operatorOnline(t, st, clk, id, 2)
	}
	setPresence(t, st, clk, "away", 2, livehelp.PresenceAway)
	takenBy(t, st, clk, "v1", "busy", false)
	clk.Add(2 * time.Minute)               // every entry is stale now...
	operatorOnline(t, st, clk, "fresh", 2) // ...but this one's heartbeat came
	ps, err := st.SweepPresence(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	got := struct {
		Offline, Removed []string
		Online           bool
		Next             time.Time
	}{ps.Offline, ps.Removed, ps.Online, ps.Next}
	want := got
	want.Offline, want.Removed, want.Online, want.Next = []string{"busy"}, []string{"gone"}, true, clk.Now().Add(time.Minute)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sweep (-want +got):\n%s", diff)
	}
	site, err := st.Site(ctx, "s1", true)
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]string{}
	for id, p := range site.Presence {
		states[id] = p.State
	}
	if diff := cmp.Diff(map[string]string{"fresh": "online", "busy": "offline", "away": "away"}, states); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
	if l := site.Presence["busy"].Load; l != 1 {
		t.Errorf("busy's load = %d, want 1 kept", l)
	}
	// A second pass finds nothing more to do.
	if ps, err := st.SweepPresence(ctx, "s1"); err != nil || len(ps.Offline)+len(ps.Removed) != 0 {
		t.Errorf("second pass: %+v, %v", ps, err)
	}
}

func TestExpireWaiting(t *testing.T) {
	t.Parallel()
	st, clk := newChatStore(t)
	ctx := context.Background()
	operatorOnline(t, st, clk, "full", 0) // online, no slot: visitors wait
	var ids []string
	for _, v := range []string{"v1", "v2"} {
		tr, err := st.Route(ctx, newConversation(t, st, clk, v, true))
		if err != nil || tr.Conversation.Phase() != livehelp.QueueWaiting {
			t.Fatalf("route %s: %v", v, err)
		}
		ids = append(ids, tr.Conversation.ID)
	}
	site, err := st.Site(ctx, "s1", true)
	if err != nil {
		t.Fatal(err)
	}
	if moved, err := st.ExpireWaiting(ctx, site, 10); err != nil || len(moved) != 0 {
		t.Fatalf("with the operator online: moved %d, %v", len(moved), err)
	}
	clk.Add(2 * time.Minute) // the operator went stale
	moved, err := st.ExpireWaiting(ctx, site, 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tr := range moved {
		got = append(got, tr.Conversation.ID+" "+tr.Conversation.Phase())
	}
	sort.Strings(got)
	sort.Strings(ids)
	if diff := cmp.Diff([]string{ids[0] + " offline", ids[1] + " offline"}, got); diff != "" {
		t.Errorf("moved (-want +got):\n%s", diff)
	}
}

// presenceTimers returns the due times of a site's presence checks due by at.
func presenceTimers(t *testing.T, st *store.Store, at time.Time) []time.Time {
	t.Helper()
	due, err := st.DueTimers(context.Background(), store.TimerSweep, at, 100)
	if err != nil {
		t.Fatal(err)
	}
	out := []time.Time{}
	for _, d := range due {
		if d.Ref == "presence#s1" {
			out = append(out, d.Due)
		}
	}
	return out
}

func TestPresenceWatch(t *testing.T) {
	t.Parallel()
	st, _ := newChatStore(t)
	ctx := context.Background()
	first, later := t0.Add(time.Minute), t0.Add(2*time.Minute)
	for _, at := range []time.Time{first, later} { // the second is refused: one watch per site
		if err := st.WatchPresence(ctx, "s1", at); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff([]time.Time{first}, presenceTimers(t, st, t0.Add(time.Hour))); diff != "" {
		t.Fatalf("armed (-want +got):\n%s", diff)
	}
	fired := store.Timer{Kind: store.TimerSweep, Due: first, Ref: "presence#s1", Data: map[string]string{"site": "s1"}}
	// Two runs re-arm the fired check at once: one wins, the other only drops it.
	var wg sync.WaitGroup
	for _, next := range []time.Time{later, later.Add(time.Second)} {
		wg.Go(func() {
			if err := st.RearmPresence(ctx, fired, "s1", next); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got := presenceTimers(t, st, t0.Add(time.Hour))
	if len(got) != 1 || got[0].Sub(later) > time.Second || got[0].Before(later) {
		t.Fatalf("after two re-arms: %v, want one at %v or a second later", got, later)
	}
	rearmed := fired
	rearmed.Due = got[0]
	if err := st.RearmPresence(ctx, rearmed, "s1", time.Time{}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]time.Time{}, presenceTimers(t, st, t0.Add(time.Hour))); diff != "" {
		t.Errorf("after disarming (-want +got):\n%s", diff)
	}
	if err := st.WatchPresence(ctx, "s1", later); err != nil { // disarmed: may be armed again
		t.Fatal(err)
	}
	if diff := cmp.Diff([]time.Time{later}, presenceTimers(t, st, t0.Add(time.Hour))); diff != "" {
		t.Errorf("armed again (-want +got):\n%s", diff)
	}
}
