package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/livehelp/livehelp/infra/dynamolocal"
	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

func offlineMessage(visitor, cid string) store.OfflineMessage {
	return store.OfflineMessage{Site: "s1", Visitor: visitor, Name: "Dana", Email: "Dana@Example.org",
		Subject: "Parcel", Text: "Where is my parcel?", ClientID: cid}
}

func TestLeaveMessage(t *testing.T) {
	ctx := context.Background()
	st, _ := newOfflineStore(t)
	left, err := st.LeaveMessage(ctx, offlineMessage("v1", "form-1"))
	if err != nil {
		t.Fatal(err)
	}
	id := livehelp.ConversationID("s1", "v1")
	if left.Conversation.ID != id || left.Conversation.Phase() != livehelp.QueueOffline || left.Duplicate {
		t.Fatalf("left = %+v, want a new offline conversation %s", left.Conversation, id)
	}
	if left.Message.Seq != 1 || left.Message.Text != "Parcel\n\nWhere is my parcel?" {
		t.Errorf("message = %+v", left.Message)
	}
	if !left.Item.Unanswered() || left.Item.Conversation != id || left.Item.Email != "dana@example.org" {
		t.Errorf("board item = %+v", left.Item)
	}

	queue, err := st.Queue(ctx, "s1", livehelp.QueueOffline, 10)
	if err != nil || len(queue) != 1 || queue[0].ID != id || queue[0].VisitorName != "Dana" {
		t.Fatalf("offline queue = %v, %v", queue, err)
	}
	checkMessageQueue(t, st, 1)
	p, err := st.Profile(ctx, "s1", "v1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"dana@example.org"}, p.Emails); diff != "" {
		t.Errorf("profile emails (-want +got):\n%s", diff)
	}

	// A resubmit of the same form stores nothing new.
	again, err := st.LeaveMessage(ctx, offlineMessage("v1", "form-1"))
	if err != nil {
		t.Fatal(err)
	}
	if !again.Duplicate || again.Message.Seq != 1 || again.Item.ID != left.Item.ID {
		t.Errorf("resubmit = dup %v seq %d item %s; want the first message", again.Duplicate, again.Message.Seq, again.Item.ID)
	}
	checkMessageQueue(t, st, 1)
	msgs, _, err := st.Messages(ctx, id, livehelp.Page{})
	if err != nil || len(msgs) != 1 {
		t.Errorf("conversation holds %d messages (%v), want 1", len(msgs), err)
	}

	// A second message continues the same conversation.
	second := offlineMessage("v1", "form-2")
	second.Subject = ""
	next, err := st.LeaveMessage(ctx, second)
	if err != nil {
		t.Fatal(err)
	}
	if next.Conversation.ID != id || next.Message.Seq != 2 || next.Message.Text != second.Text {
		t.Errorf("second message: conv %s seq %d text %q", next.Conversation.ID, next.Message.Seq, next.Message.Text)
	}
	checkMessageQueue(t, st, 2)
}

func TestLeaveMessageReopensClosed(t *testing.T) {
	ctx := context.Background()
	st, _ := newOfflineStore(t)
	left, err := st.LeaveMessage(ctx, offlineMessage("v1", "form-1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Close(ctx, left.Conversation, "op1", "Ann", nil); err != nil {
		t.Fatal(err)
	}
	again, err := st.LeaveMessage(ctx, offlineMessage("v1", "form-2"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := st.Conversation(ctx, again.Conversation.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Phase() != livehelp.QueueOffline || c.Seq != again.Message.Seq || again.Message.Seq < 3 {
		t.Errorf("after a message to a closed conversation: phase %s seq %d message %d", c.Phase(), c.Seq, again.Message.Seq)
	}
}

func TestLeaveMessageLongSubject(t *testing.T) {
	st, _ := newOfflineStore(t)
	m := offlineMessage("v1", "form-1")
	m.Text = strings.Repeat("x", livehelp.MaxMessageText)
	left, err := st.LeaveMessage(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	if left.Message.Text != m.Text {
		t.Errorf("a full-length message got its subject prefixed: %d bytes", len(left.Message.Text))
	}
}

// TestLeaveMessageRequests holds an offline message of a new visitor to
// three writes and no read, and reports the figure.
func TestLeaveMessageRequests(t *testing.T) {
	client, table, counter := dynamolocal.NewTestTableWithStats(t)
	st := store.New(client, table, func() time.Time { return time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC) })
	ctx := context.Background()
	if err := st.CreateSite(ctx, &livehelp.Site{ID: "s1"}); err != nil {
		t.Fatal(err)
	}
	counter.Reset()
	if _, err := st.LeaveMessage(ctx, offlineMessage("v1", "form-1")); err != nil {
		t.Fatal(err)
	}
	r := counter.Report()
	t.Logf("LeaveMessage, new visitor: %d reads, %d writes (%v)", r.Reads(), r.Writes(), r.Calls)
	if r.Reads() != 0 || r.Writes() != 3 || r.Scans() != 0 {
		t.Errorf("LeaveMessage made %d reads and %d writes, want 0 and 3", r.Reads(), r.Writes())
	}
}

func checkMessageQueue(t *testing.T, st *store.Store, want int) {
	t.Helper()
	n, err := st.UnansweredCount(context.Background(), "s1")
	if err != nil || n != want {
		t.Errorf("MSG count = %d, %v; want %d", n, err, want)
	}
	page, err := st.MessageQueue(context.Background(), "s1", true, "", 10)
	if err != nil || len(page.Items) != want {
		t.Errorf("Message Queue holds %d items (%v), want %d", len(page.Items), err, want)
	}
}
