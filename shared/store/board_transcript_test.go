package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

func TestSyncTranscripts(t *testing.T) {
	t.Parallel()
	st, now := consoleStore(t)
	ctx := context.Background()
	if err := st.TouchProfile(ctx, store.ProfileUpdate{Site: "s1", Visitor: "v1", Name: "Ann"}); err != nil {
		t.Fatal(err)
	}
	c, err := st.CreateConversation(ctx, &livehelp.Conversation{ID: livehelp.ConversationID("s1", "v1"), Site: "s1", Visitor: "v1", VisitorName: "Ann"})
	if err != nil {
		t.Fatal(err)
	}
	say := func(author, cid, text string) {
		t.Helper()
		*now = now.Add(time.Second)
		cur, err := st.Conversation(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		m := livehelp.Message{Author: author, ClientID: cid, Text: text}
		sender := "v1"
		if author == livehelp.AuthorOperator {
			m.Operator, m.OperatorName, sender = "op1", "Bob", "op1"
		}
		if _, _, err := st.AppendMessage(ctx, cur, store.Append{Message: m, Sender: sender}); err != nil {
			t.Fatal(err)
		}
	}
	sync := func() []*livehelp.BoardItem {
		t.Helper()
		cur, err := st.Conversation(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.SyncTranscripts(ctx, cur); err != nil {
			t.Fatal(err)
		}
		page, err := st.Board(ctx, store.BoardQuery{Site: "s1", Visitor: "v1", Kinds: []string{livehelp.BoardChat}})
		if err != nil {
			t.Fatal(err)
		}
		return page.Items
	}
	say(livehelp.AuthorVisitor, "a", "Hello, I need HELP with my Invoice")
	say(livehelp.AuthorOperator, "b", "Sure, which one?")
	items := sync()
	if len(items) != 1 || items[0].Closed || len(items[0].Lines) != 2 {
		t.Fatalf("after two lines: %+v", items)
	}
	// New lines extend the open transcript; a second sync with nothing new changes nothing.
	say(livehelp.AuthorVisitor, "c", "Number 42")
	items = sync()
	sync()
	got := []string{}
	for _, l := range items[0].Lines {
		got = append(got, l.Name+": "+l.Text)
	}
	want := []string{"Ann: Hello, I need HELP with my Invoice", "Bob: Sure, which one?", "Ann: Number 42"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
	// Closing the conversation closes the transcript; the next chat is a new one.
	cur, _ := st.Conversation(ctx, c.ID)
	if _, err := st.Close(ctx, cur, "op1", "Bob", nil); err != nil {
		t.Fatal(err)
	}
	*now = now.Add(time.Hour)
	say(livehelp.AuthorVisitor, "d", "Back again")
	items = sync()
	if len(items) != 2 || items[0].Closed || !items[1].Closed || items[0].Lines[0].Text != "Back again" {
		t.Fatalf("after close and a new line: %d items, newest closed=%v", len(items), items[0].Closed)
	}
	page, err := st.Board(ctx, store.BoardQuery{Site: "s1", Visitor: "v1", Search: "invoice"})
	if err != nil || len(page.Items) != 1 || !strings.Contains(page.Items[0].Lines[0].Text, "Invoice") {
		t.Errorf("search in transcripts: %d items, %v", len(page.Items), err)
	}
	page, _ = st.Board(ctx, store.BoardQuery{Site: "s1", Visitor: "v1", Unclosed: true})
	if len(page.Items) != 1 || page.Items[0].Lines[0].Text != "Back again" {
		t.Errorf("unfinished chats: %+v", page.Items)
	}
}

func TestVisitorsOnline(t *testing.T) {
	t.Parallel()
	st, now := consoleStore(t)
	ctx := context.Background()
	c, err := st.CreateConversation(ctx, &livehelp.Conversation{ID: livehelp.ConversationID("s1", "v1"), Site: "s1", Visitor: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	conn := &livehelp.Connection{ID: "conn-v1", Site: "s1", Role: livehelp.ParticipantVisitor, Subject: "v1", Connected: *now}
	if err := st.PutConnection(ctx, conn); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Join(ctx, c.ID, []*livehelp.Connection{conn}); err != nil {
		t.Fatal(err)
	}
	got, err := st.VisitorsOnline(ctx, "s1", []string{"v1", "v2", "v1"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]bool{"v1": true, "v2": false}, got); diff != "" {
		t.Errorf("online (-want +got):\n%s", diff)
	}
	// Another site's visitor of the same id is not this one.
	if got, _ := st.VisitorsOnline(ctx, "s2", []string{"v1"}); got["v1"] {
		t.Errorf("visitor of s1 shows online on s2")
	}
}
