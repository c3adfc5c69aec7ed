package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/livehelp/livehelp/infra/dynamolocal"
	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

// clock is a settable time source for the store under test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

var t0 = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

// newChatStore returns a store on a fresh table with a pinned clock and the
// site "s1".
func newChatStore(t *testing.T) (*store.Store, *clock) {
	t.Helper()
	client, table := dynamolocal.NewTestTable(t)
	clk := &clock{t: t0}
	st := store.New(client, table, clk.Now)
	if err := st.CreateSite(context.Background(), &livehelp.Site{ID: "s1", Name: "Site one"}); err != nil {
		t.Fatal(err)
	}
	return st, clk
}

// operatorOnline records op as online with slots on site s1 for a minute.
func operatorOnline(t *testing.T, st *store.Store, clk *clock, op string, slots int) {
	t.Helper()
	setPresence(t, st, clk, op, slots, livehelp.PresenceOnline)
}

func setPresence(t *testing.T, st *store.Store, clk *clock, op string, slots int, state string) {
	t.Helper()
	err := st.SetPresence(context.Background(), store.PresenceUpdate{Site: "s1", Operator: op, Name: "Op " + op,
		Slots: slots, State: state, SeenUntil: clk.Now().Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
}

// connect records a live connection of a visitor or operator on site s1.
func connect(t *testing.T, st *store.Store, clk *clock, id, role, subject string) *livehelp.Connection {
	t.Helper()
	c := &livehelp.Connection{ID: id, Site: "s1", Role: role, Subject: subject, Connected: clk.Now()}
	if err := st.PutConnection(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return c
}

// newConversation creates visitor's conversation on s1; online joins a
// visitor connection so the visitor is on the site.
func newConversation(t *testing.T, st *store.Store, clk *clock, visitor string, online bool) *livehelp.Conversation {
	t.Helper()
	ctx := context.Background()
	c, err := st.CreateConversation(ctx, &livehelp.Conversation{ID: livehelp.ConversationID("s1", visitor), Site: "s1", Visitor: visitor})
	if err != nil {
		t.Fatal(err)
	}
	if online {
		conn := connect(t, st, clk, "vc-"+visitor, livehelp.ParticipantVisitor, visitor)
		if _, err := st.Join(ctx, c.ID, []*livehelp.Connection{conn}); err != nil {
			t.Fatal(err)
		}
	}
	return reload(t, st, c.ID)
}

func reload(t *testing.T, st *store.Store, id string) *livehelp.Conversation {
	t.Helper()
	c, err := st.Conversation(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCreateConversation(t *testing.T) {
	t.Parallel()
	st, _ := newChatStore(t)
	ctx := context.Background()
	in := &livehelp.Conversation{ID: livehelp.ConversationID("s1", "v1"), Site: "s1", Visitor: "v1", VisitorName: "Ann"}
	got, err := st.CreateConversation(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	want := &livehelp.Conversation{ID: in.ID, Site: "s1", Visitor: "v1", VisitorName: "Ann", Status: livehelp.StatusQueued,
		Queue: livehelp.QueueOffline, Created: t0, Queued: t0, Updated: t0}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("created (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, reload(t, st, in.ID)); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}
	if _, err := st.CreateConversation(ctx, in); !livehelp.IsCode(err, livehelp.ECONFLICT) {
		t.Errorf("second create: err = %v, want conflict", err)
	}
	for _, id := range []string{"nope", "", string(make([]byte, 65))} {
		if _, err := st.Conversation(ctx, id); !livehelp.IsCode(err, livehelp.ENOTFOUND) {
			t.Errorf("Conversation(%q): err = %v, want not_found", id, err)
		}
	}
	if err := st.SetVisitorName(ctx, in.ID, "Bob"); err != nil || reload(t, st, in.ID).VisitorName != "Bob" {
		t.Errorf("SetVisitorName: err = %v, name = %q", err, reload(t, st, in.ID).VisitorName)
	}
	if err := st.SetVisitorName(ctx, "nope", "Bob"); !livehelp.IsCode(err, livehelp.ENOTFOUND) {
		t.Errorf("SetVisitorName of unknown: err = %v", err)
	}
}

func TestQueuePositions(t *testing.T) {
	t.Parallel()
	st, clk := newChatStore(t)
	ctx := context.Background()
	operatorOnline(t, st, clk, "op1", 0) // online, no slot: arrivals wait
	var ids []string
	for i := range 4 {
		c := newConversation(t, st, clk, fmt.Sprintf("v%d", i), true)
		tr, err := st.Route(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		if got := tr.Conversation.Phase(); got != livehelp.QueueWaiting {
			t.Fatalf("visitor %d: phase %q, want waiting", i, got)
		}
		ids = append(ids, c.ID)
		clk.Add(time.Second)
	}
	for i, id := range ids {
		pos, err := st.QueuePosition(ctx, reload(t, st, id))
		if err != nil || pos != i+1 {
			t.Errorf("position of #%d = %d, %v; want %d", i, pos, err, i+1)
		}
	}
	queue, err := st.Queue(ctx, "s1", livehelp.QueueWaiting, 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range queue {
		got = append(got, c.ID)
	}
	if diff := cmp.Diff(ids, got); diff != "" {
		t.Errorf("queue order (-want +got):\n%s", diff)
	}
	// The second leaves for the offline queue: the ones behind move up.
	if _, err := st.Enqueue(ctx, reload(t, st, ids[1]), livehelp.QueueOffline); err != nil {
		t.Fatal(err)
	}
	for i, want := range map[int]int{0: 1, 2: 2, 3: 3} {
		if pos, _ := st.QueuePosition(ctx, reload(t, st, ids[i])); pos != want {
			t.Errorf("after one left: position of #%d = %d, want %d", i, pos, want)
		}
	}
	if offline, _ := st.Queue(ctx, "s1", livehelp.QueueOffline, 10); len(offline) != 1 || offline[0].ID != ids[1] {
		t.Errorf("offline queue = %v, want just #1", offline)
	}
	// Enqueue from a stale read is refused.
	stale := reload(t, st, ids[2])
	if _, err := st.Enqueue(ctx, stale, livehelp.QueueOffline); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Enqueue(ctx, stale, livehelp.QueueOffline); !livehelp.IsCode(err, livehelp.ECONFLICT) {
		t.Errorf("Enqueue from a stale read: err = %v, want conflict", err)
	}
}

func TestSetVisitorRead(t *testing.T) {
	t.Parallel()
	st, clk := newChatStore(t)
	ctx := context.Background()
	c := newConversation(t, st, clk, "v1", false)
	for i := range 3 {
		if _, _, err := st.AppendMessage(ctx, reload(t, st, c.ID), store.Append{Sender: "v1",
			Message: livehelp.Message{Author: livehelp.AuthorVisitor, ClientID: fmt.Sprint(i), Text: "hi"}}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		seq  int64
		code string
		want int64
	}{
		{2, "", 2},
		{1, livehelp.ECONFLICT, 2}, // never backwards
		{2, livehelp.ECONFLICT, 2},
		{4, livehelp.EINVALID, 2}, // no such message
		{3, "", 3},
	}
	for _, tt := range tests {
		err := st.SetVisitorRead(ctx, reload(t, st, c.ID), tt.seq)
		if got := livehelp.ErrorCode(err); got != tt.code {
			t.Errorf("SetVisitorRead(%d): code %q, want %q", tt.seq, got, tt.code)
		}
		if got := reload(t, st, c.ID).VisitorRead; got != tt.want {
			t.Errorf("after SetVisitorRead(%d): read = %d, want %d", tt.seq, got, tt.want)
		}
	}
}

func TestOperatorConversations(t *testing.T) {
	t.Parallel()
	st, clk := newChatStore(t)
	ctx := context.Background()
	operatorOnline(t, st, clk, "op1", 3)
	var want []string
	for i := range 2 {
		c := newConversation(t, st, clk, fmt.Sprintf("v%d", i), true)
		if _, err := st.Route(ctx, c); err != nil {
			t.Fatal(err)
		}
		want = append(want, c.ID)
		clk.Add(time.Second)
	}
	convs, err := st.OperatorConversations(ctx, "op1")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range convs {
		got = append(got, c.ID)
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("operator conversations (-want +got):\n%s", diff)
	}
}
