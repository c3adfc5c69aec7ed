package store_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

func members(t *testing.T, st *store.Store, conv string) []store.Member {
	t.Helper()
	ms, err := st.Members(context.Background(), conv)
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Conn < ms[j].Conn })
	return ms
}

func TestJoinAndLeave(t *testing.T) {
	t.Parallel()
	st, clk := newChatStore(t)
	ctx := context.Background()
	c := newConversation(t, st, clk, "v1", false)
	other := newConversation(t, st, clk, "v2", false)
	v1 := connect(t, st, clk, "v1-tab1", livehelp.ParticipantVisitor, "v1")
	v2 := connect(t, st, clk, "v1-tab2", livehelp.ParticipantVisitor, "v1")
	o1 := connect(t, st, clk, "op-dev1", livehelp.ParticipantOperator, "op1")
	gone := &livehelp.Connection{ID: "gone", Site: "s1", Role: livehelp.ParticipantOperator, Subject: "op1", Connected: clk.Now()}

	joined, err := st.Join(ctx, c.ID, []*livehelp.Connection{v1, v2, o1, gone})
	if err != nil {
		t.Fatal(err)
	}
	if len(joined) != 3 {
		t.Errorf("joined %d connections, want 3 (the gone one skipped)", len(joined))
	}
	if _, err := st.Join(ctx, other.ID, []*livehelp.Connection{o1}); err != nil {
		t.Fatal(err)
	}
	want := []store.Member{
		{Conn: "op-dev1", Role: "operator", Subject: "op1"},
		{Conn: "v1-tab1", Role: "visitor", Subject: "v1"},
		{Conn: "v1-tab2", Role: "visitor", Subject: "v1"},
	}
	if diff := cmp.Diff(want, members(t, st, c.ID)); diff != "" {
		t.Errorf("members (-want +got):\n%s", diff)
	}
	if got := reload(t, st, c.ID); !got.Online() || len(got.VisitorConns) != 2 {
		t.Errorf("visitor connections = %v, want both tabs", got.VisitorConns)
	}
	convs, err := st.ConnectionConversations(ctx, "op-dev1")
	sort.Strings(convs)
	wantConvs := []string{c.ID, other.ID}
	sort.Strings(wantConvs)
	if diff := cmp.Diff(wantConvs, convs); err != nil || diff != "" {
		t.Errorf("operator connection's conversations: %v (-want +got):\n%s", err, diff)
	}
	if convs, err := st.ConnectionConversations(ctx, "nope"); err != nil || convs != nil {
		t.Errorf("unknown connection: %v, %v", convs, err)
	}

	after, err := st.Leave(ctx, c.ID, "v1-tab1", livehelp.ParticipantVisitor)
	if err != nil || !after.Online() {
		t.Fatalf("leave of one tab: %v, online %v", err, after != nil && after.Online())
	}
	after, err = st.Leave(ctx, c.ID, "v1-tab2", livehelp.ParticipantVisitor)
	if err != nil || after.Online() {
		t.Fatalf("leave of the last tab: %v, online %v", err, after != nil && after.Online())
	}
	if after, err := st.Leave(ctx, c.ID, "op-dev1", livehelp.ParticipantOperator); err != nil || after != nil {
		t.Fatalf("operator leave: %v, %v", after, err)
	}
	if _, err := st.Leave(ctx, c.ID, "op-dev1", livehelp.ParticipantOperator); err != nil {
		t.Errorf("leaving twice: %v", err)
	}
	if got := members(t, st, c.ID); len(got) != 0 {
		t.Errorf("members after everyone left: %v", got)
	}
	if after, err := st.Leave(ctx, "nope", "v1-tab1", livehelp.ParticipantVisitor); err != nil || after != nil {
		t.Errorf("leave of an unknown conversation: %v, %v", after, err)
	}
}

// TestMembersExpire: a member whose connection outlived API Gateway's
// 2-hour cap is not listed, whatever TTL deletion has done.
func TestMembersExpire(t *testing.T) {
	t.Parallel()
	st, clk := newChatStore(t)
	ctx := context.Background()
	c := newConversation(t, st, clk, "v1", false)
	old := connect(t, st, clk, "old", livehelp.ParticipantVisitor, "v1")
	if _, err := st.Join(ctx, c.ID, []*livehelp.Connection{old}); err != nil {
		t.Fatal(err)
	}
	clk.Add(3 * time.Hour)
	young := connect(t, st, clk, "young", livehelp.ParticipantVisitor, "v1")
	if _, err := st.Join(ctx, c.ID, []*livehelp.Connection{young}); err != nil {
		t.Fatal(err)
	}
	want := []store.Member{{Conn: "young", Role: "visitor", Subject: "v1"}}
	if diff := cmp.Diff(want, members(t, st, c.ID), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("members (-want +got):\n%s", diff)
	}
}

// TestMembersQueryIgnoresMessages: the fan-out Query reads members only,
// however long the conversation.
func TestMembersQueryIgnoresMessages(t *testing.T) {
	t.Parallel()
	st, clk := newChatStore(t)
	ctx := context.Background()
	c := newConversation(t, st, clk, "v1", true)
	for i := range 5 {
		if _, _, err := st.AppendMessage(ctx, reload(t, st, c.ID), visitorMsg(string(rune('a'+i)), "x")); err != nil {
			t.Fatal(err)
		}
	}
	want := []store.Member{{Conn: "vc-v1", Role: "visitor", Subject: "v1"}}
	if diff := cmp.Diff(want, members(t, st, c.ID)); diff != "" {
		t.Errorf("members (-want +got):\n%s", diff)
	}
}
