package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/livehelp/livehelp/infra/dynamolocal"
	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

// consoleStore returns a store on a fresh table whose clock the test moves
// with the returned pointer, and the sites "s1" and "s2".
func consoleStore(t *testing.T) (*store.Store, *time.Time) {
	t.Helper()
	client, table := dynamolocal.NewTestTable(t)
	now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	st := store.New(client, table, func() time.Time { return now })
	for _, id := range []string{"s1", "s2"} {
		if err := st.CreateSite(context.Background(), &livehelp.Site{ID: id, Name: id}); err != nil {
			t.Fatal(err)
		}
	}
	return st, &now
}

func offline(t *testing.T, st *store.Store, site, visitor, cid, subject, text string) *livehelp.BoardItem {
	t.Helper()
	b, err := st.AddOfflineMessage(context.Background(), store.OfflineMessage{Site: site, Visitor: visitor, Name: "Ann " + visitor,
		Email: visitor + "@example.com", Subject: subject, Text: text, ClientID: cid, Conversation: "conv-" + visitor})
	if err != nil {
		t.Fatalf("AddOfflineMessage: %v", err)
	}
	return b
}

func unanswered(t *testing.T, st *store.Store, site string) int {
	t.Helper()
	n, err := st.UnansweredCount(context.Background(), site)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestOfflineMessageAndMSGCount(t *testing.T) {
	t.Parallel()
	st, now := consoleStore(t)
	ctx := context.Background()
	first := offline(t, st, "s1", "v1", "c1", "Order 12", "Where is my order?")
	*now = now.Add(time.Minute)
	offline(t, st, "s1", "v2", "c2", "Refund", "I want a refund")
	offline(t, st, "s2", "v3", "c3", "Other site", "hello")
	// A retry with the same client id stores nothing and returns the first item.
	again := offline(t, st, "s1", "v1", "c1", "Order 12", "Where is my order?")
	if diff := cmp.Diff(first, again); diff != "" {
		t.Errorf("retry returned another item (-first +retry):\n%s", diff)
	}
	if got := unanswered(t, st, "s1"); got != 2 {
		t.Fatalf("MSG count s1 = %d, want 2", got)
	}
	if got := unanswered(t, st, "s2"); got != 1 {
		t.Fatalf("MSG count s2 = %d, want 1", got)
	}
	p, err := st.Profile(ctx, "s1", "v1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"v1@example.com"}, p.Emails); diff != "" || p.Name != "Ann v1" {
		t.Errorf("profile = %+v (emails diff %s)", p, diff)
	}
	if _, err := st.Profile(ctx, "s2", "v1"); !livehelp.IsCode(err, livehelp.ENOTFOUND) {
		t.Errorf("profile of another site: err = %v, want not_found", err)
	}
	// The visitor of s1 cannot be written to from s2.
	_, err = st.AddOfflineMessage(ctx, store.OfflineMessage{Site: "s2", Visitor: "v1", Name: "x", Email: "x@example.com", Subject: "s", Text: "t", ClientID: "c9"})
	if !livehelp.IsCode(err, livehelp.ENOTFOUND) {
		t.Errorf("cross-site message: err = %v, want not_found", err)
	}
	if id, err := st.VisitorByEmail(ctx, "s1", "V2@Example.com"); err != nil || id != "v2" {
		t.Errorf("VisitorByEmail = %q, %v", id, err)
	}

	q, err := st.MessageQueue(ctx, "s1", false, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if got := subjects(q.Items); !cmp.Equal(got, []string{"Refund", "Order 12"}) {
		t.Errorf("message queue = %v, want newest first", got)
	}

	// Closing takes the message out of the MSG count; unclosing puts it back.
	closed, err := st.SetBoardItemClosed(ctx, "s1", "v1", first.ID, true, "op1")
	if err != nil || !closed.Closed || closed.ClosedBy != "op1" {
		t.Fatalf("close = %+v, %v", closed, err)
	}
	if got := unanswered(t, st, "s1"); got != 1 {
		t.Errorf("MSG after close = %d, want 1", got)
	}
	q, _ = st.MessageQueue(ctx, "s1", true, "", 10)
	if got := subjects(q.Items); !cmp.Equal(got, []string{"Refund"}) {
		t.Errorf("unanswered queue = %v", got)
	}
	if _, err := st.SetBoardItemClosed(ctx, "s2", "v1", first.ID, false, "op1"); !livehelp.IsCode(err, livehelp.ENOTFOUND) {
		t.Errorf("unclose from another site: %v", err)
	}
	if _, err := st.SetBoardItemClosed(ctx, "s1", "v1", first.ID, false, "op1"); err != nil {
		t.Fatal(err)
	}
	if got := unanswered(t, st, "s1"); got != 2 {
		t.Errorf("MSG after unclose = %d, want 2", got)
	}
}

func subjects(items []*livehelp.BoardItem) []string {
	out := []string{}
	for _, b := range items {
		out = append(out, b.Subject+b.Text[:0])
	}
	return out
}

func TestBoardFiltersAndSearch(t *testing.T) {
	t.Parallel()
	st, now := consoleStore(t)
	ctx := context.Background()
	add := func(b *livehelp.BoardItem) *livehelp.BoardItem {
		t.Helper()
		*now = now.Add(time.Minute)
		b.Site, b.Visitor = "s1", "v1"
		got, created, err := st.AddBoardItem(ctx, b)
		if err != nil || !created {
			t.Fatalf("AddBoardItem(%s): %v", b.Kind, err)
		}
		return got
	}
	offline(t, st, "s1", "v1", "m1", "Shipping question", "Do you ship to NORWAY?")
	add(&livehelp.BoardItem{Kind: livehelp.BoardReply, Subject: "Re: Shipping question", Text: "Yes, we ship to Norway.", Closed: true, ClientID: "r1"})
	add(&livehelp.BoardItem{Kind: livehelp.BoardNote, Subject: "note", Text: "Customer is a reseller", Closed: true})
	add(&livehelp.BoardItem{Kind: livehelp.BoardCall, Text: "Called about invoices", Closed: true,
		Call: &livehelp.Call{At: *now, Duration: 90 * time.Second, Direction: livehelp.CallInbound, Phone: "+47 123", Source: "console"}})
	add(&livehelp.BoardItem{Kind: livehelp.BoardCall, Text: "Missed call, call back", Closed: false,
		Call: &livehelp.Call{At: *now, Direction: livehelp.CallInbound, Source: "console"}})

	tests := []struct {
		name     string
		filters  []string
		unclosed bool
		search   string
		want     []string // kinds, newest first
	}{
		{"everything", nil, false, "", []string{"call", "call", "note", "reply", "message"}},
		{"all three buttons", []string{"messages", "chat", "calls"}, false, "", []string{"call", "call", "note", "reply", "message"}},
		{"messages", []string{"messages"}, false, "", []string{"note", "reply", "message"}},
		{"calls", []string{"calls"}, false, "", []string{"call", "call"}},
		{"chat", []string{"chat"}, false, "", []string{}},
		{"only unclosed", nil, true, "", []string{"call", "message"}},
		{"unclosed messages", []string{"messages"}, true, "", []string{"message"}},
		{"word, any case", nil, false, "norway", []string{"reply", "message"}},
		{"phrase", nil, false, "ship to  Norway", []string{"reply", "message"}},
		{"phrase not found", nil, false, "ship to sweden", []string{}},
		{"search and filter", []string{"calls"}, false, "CALL", []string{"call", "call"}},
	}
	for _, tt := range tests {
		q, err := livehelp.NormalizeSearch(tt.search)
		if err != nil {
			t.Fatal(err)
		}
		page, err := st.Board(ctx, store.BoardQuery{Site: "s1", Visitor: "v1", Kinds: livehelp.KindsOf(tt.filters), Unclosed: tt.unclosed, Search: q})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		got := []string{}
		for _, b := range page.Items {
			got = append(got, b.Kind)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
	// Another site sees nothing of this visitor's board.
	page, err := st.Board(ctx, store.BoardQuery{Site: "s2", Visitor: "v1"})
	if err != nil || len(page.Items) != 0 {
		t.Errorf("board from another site = %d items, %v", len(page.Items), err)
	}
}

func TestBoardPagingAndReplyRetry(t *testing.T) {
	t.Parallel()
	st, now := consoleStore(t)
	ctx := context.Background()
	offline(t, st, "s1", "v1", "m0", "first", "first")
	for i := 1; i <= 7; i++ {
		*now = now.Add(time.Second)
		_, _, err := st.AddBoardItem(ctx, &livehelp.BoardItem{Site: "s1", Visitor: "v1", Kind: livehelp.BoardNote, Subject: fmt.Sprint(i), Text: "n", Closed: true})
		if err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	after := ""
	for pages := 0; pages < 10; pages++ {
		p, err := st.Board(ctx, store.BoardQuery{Site: "s1", Visitor: "v1", After: after, Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, subjects(p.Items)...)
		if after = p.Next; after == "" {
			break
		}
	}
	if diff := cmp.Diff([]string{"7", "6", "5", "4", "3", "2", "1", "first"}, got); diff != "" {
		t.Errorf("pages (-want +got):\n%s", diff)
	}
	if _, err := st.Board(ctx, store.BoardQuery{Site: "s1", Visitor: "v1", After: "bogus"}); !livehelp.IsCode(err, livehelp.EINVALID) {
		t.Errorf("bad cursor: %v", err)
	}

	reply := &livehelp.BoardItem{Site: "s1", Visitor: "v1", Kind: livehelp.BoardReply, Subject: "Re", Text: "t", ClientID: "rx", Status: livehelp.ReplySending, To: []string{"a@example.com"}}
	first, created, err := st.AddBoardItem(ctx, reply)
	if err != nil || !created {
		t.Fatal(err)
	}
	dup, created, err := st.AddBoardItem(ctx, &livehelp.BoardItem{Site: "s1", Visitor: "v1", Kind: livehelp.BoardReply, Subject: "Re", Text: "t", ClientID: "rx"})
	if err != nil || created || dup.ID != first.ID {
		t.Fatalf("retry: created=%v id=%s want %s err=%v", created, dup.ID, first.ID, err)
	}
	if err := st.SetReplyStatus(ctx, "v1", first.ID, livehelp.ReplySent); err != nil {
		t.Fatal(err)
	}
	b, err := st.BoardItem(ctx, "s1", "v1", first.ID)
	if err != nil || b.Status != livehelp.ReplySent || !cmp.Equal(b.To, []string{"a@example.com"}) {
		t.Errorf("reply after send = %+v, %v", b, err)
	}
	if _, _, err := st.AddBoardItem(ctx, &livehelp.BoardItem{Site: "s1", Visitor: "nobody", Kind: livehelp.BoardNote, Text: "x"}); !livehelp.IsCode(err, livehelp.ENOTFOUND) {
		t.Errorf("note for unknown visitor: %v", err)
	}
	if _, _, err := st.AddBoardItem(ctx, &livehelp.BoardItem{Site: "s1", Visitor: "v1", Kind: livehelp.BoardMessage, Text: "x"}); !livehelp.IsCode(err, livehelp.EINVALID) {
		t.Errorf("operator filing a visitor message: %v", err)
	}
}
