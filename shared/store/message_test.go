package store_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/livehelp/livehelp/infra/dynamolocal"
	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

func visitorMsg(cid, text string) store.Append {
	return store.Append{Sender: "v1", Message: livehelp.Message{Author: livehelp.AuthorVisitor, ClientID: cid, Text: text}}
}

func operatorMsg(cid, text string) store.Append {
	return store.Append{Sender: "op1", MailDelay: 5 * time.Minute,
		Message: livehelp.Message{Author: livehelp.AuthorOperator, ClientID: cid, Text: text, Operator: "op1", OperatorName: "Ann"}}
}

func TestAppendMessage(t *testing.T) {
	t.Parallel()
	st, clk := newChatStore(t)
	ctx := context.Background()
	c := newConversation(t, st, clk, "v1", false)
	steps := []struct {
		name    string
		append  store.Append
		wantSeq int64
		dup     bool
	}{
		{"first", visitorMsg("a", "hello"), 1, false},
		{"second", visitorMsg("b", "anyone?"), 2, false},
		{"retry of the first", visitorMsg("a", "hello"), 1, true},
		{"retry again", visitorMsg("a", "hello"), 1, true},
		{"same client id from another sender", operatorMsg("a", "hi!"), 3, false},
		{"retry of the operator's", operatorMsg("a", "hi!"), 3, true},
	}
	for _, s := range steps {
		clk.Add(time.Second)
		m, dup, err := st.AppendMessage(ctx, reload(t, st, c.ID), s.append)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if m.Seq != s.wantSeq || dup != s.dup {
			t.Errorf("%s: seq %d dup %v, want %d %v", s.name, m.Seq, dup, s.wantSeq, s.dup)
		}
	}
	msgs, more, err := st.Messages(ctx, c.ID, livehelp.Page{})
	if err != nil {
		t.Fatal(err)
	}
	want := []livehelp.Message{
		{Seq: 1, ClientID: "a", Author: "visitor", Text: "hello", Time: t0.Add(1 * time.Second)},
		{Seq: 2, ClientID: "b", Author: "visitor", Text: "anyone?", Time: t0.Add(2 * time.Second)},
		{Seq: 3, ClientID: "a", Author: "operator", Operator: "op1", OperatorName: "Ann", Text: "hi!", Time: t0.Add(5 * time.Second)},
	}
	if diff := cmp.Diff(want, msgs); diff != "" || more {
		t.Errorf("history (more=%v) (-want +got):\n%s", more, diff)
	}
	got := reload(t, st, c.ID)
	if got.Seq != 3 || got.LastOperatorSeq != 3 {
		t.Errorf("conversation seq %d lastop %d, want 3 3", got.Seq, got.LastOperatorSeq)
	}
}

func TestAppendMessageCheck(t *testing.T) {
	t.Parallel()
	st, clk := newChatStore(t)
	c := newConversation(t, st, clk, "v1", false)
	refuse := errors.New("refused")
	a := visitorMsg("a", "x")
	a.Check = func(c *livehelp.Conversation) error { return refuse }
	if _, _, err := st.AppendMessage(context.Background(), c, a); !errors.Is(err, refuse) {
		t.Fatalf("err = %v, want the check's", err)
	}
	if msgs, _, _ := st.Messages(context.Background(), c.ID, livehelp.Page{}); len(msgs) != 0 {
		t.Errorf("a refused message was stored: %v", msgs)
	}
}

// TestAppendConcurrent sends from many goroutines at once, some of them
// retries: every message gets one number, numbers have no gaps.
func TestAppendConcurrent(t *testing.T) {
	t.Parallel()
	st, clk := newChatStore(t)
	ctx := context.Background()
	c := newConversation(t, st, clk, "v1", false)
	const n = 8
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		seqs = make([][]int64, n)
	)
	for i := range n {
		for range 2 { // each message sent twice, concurrently
			wg.Add(1)
			go func() {
				defer wg.Done()
				m, _, err := st.AppendMessage(ctx, c, visitorMsg(fmt.Sprint(i), fmt.Sprint("m", i)))
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				seqs[i] = append(seqs[i], m.Seq)
				mu.Unlock()
			}()
		}
	}
	wg.Wait()
	for i, s := range seqs {
		if len(s) != 2 || s[0] != s[1] {
			t.Errorf("message %d sent twice got seqs %v, want one seq twice", i, s)
		}
	}
	msgs, _, err := st.Messages(ctx, c.ID, livehelp.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != n {
		t.Fatalf("stored %d messages, want %d", len(msgs), n)
	}
	for i, m := range msgs {
		if m.Seq != int64(i+1) {
			t.Errorf("message %d has seq %d", i, m.Seq)
		}
		if want := seqs[mustAtoi(t, m.ClientID)][0]; m.Seq != want {
			t.Errorf("message %s stored as %d, acknowledged as %d", m.ClientID, m.Seq, want)
		}
	}
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestMessagesPaging(t *testing.T) {
	t.Parallel()
	st, clk := newChatStore(t)
	ctx := context.Background()
	c := newConversation(t, st, clk, "v1", false)
	for i := 1; i <= 7; i++ {
		if _, _, err := st.AppendMessage(ctx, reload(t, st, c.ID), visitorMsg(fmt.Sprint(i), fmt.Sprint("m", i))); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		page livehelp.Page
		want []int64
		more bool
	}{
		{livehelp.Page{}, []int64{1, 2, 3, 4, 5, 6, 7}, false},
		{livehelp.Page{Limit: 3}, []int64{5, 6, 7}, true},
		{livehelp.Page{Before: 5, Limit: 3}, []int64{2, 3, 4}, true},
		{livehelp.Page{Before: 4, Limit: 3}, []int64{1, 2, 3}, false},
		{livehelp.Page{Before: 1}, nil, false},
		{livehelp.Page{After: 2, Limit: 3}, []int64{3, 4, 5}, true},
		{livehelp.Page{After: 4, Limit: 3}, []int64{5, 6, 7}, false},
		{livehelp.Page{After: 7}, nil, false},
		{livehelp.Page{After: 100}, nil, false},
	}
	for _, tt := range tests {
		msgs, more, err := st.Messages(ctx, c.ID, tt.page)
		if err != nil {
			t.Fatalf("%+v: %v", tt.page, err)
		}
		var got []int64
		for _, m := range msgs {
			got = append(got, m.Seq)
		}
		if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" || more != tt.more {
			t.Errorf("page %+v: more %v, want %v (-want +got):\n%s", tt.page, more, tt.more, diff)
		}
	}
	if _, _, err := st.Messages(ctx, c.ID, livehelp.Page{After: 1, Before: 3}); !livehelp.IsCode(err, livehelp.EINVALID) {
		t.Errorf("both bounds: err = %v, want invalid", err)
	}
}

// TestOperatorMessageSchedulesMail: the first unread operator message
// schedules the mailer's timer in the same transaction; later ones do not
// while it is pending; after the mailer clears it, the next one does.
func TestOperatorMessageSchedulesMail(t *testing.T) {
	t.Parallel()
	st, clk := newChatStore(t)
	ctx := context.Background()
	c := newConversation(t, st, clk, "v1", false)
	send := func(cid string) {
		t.Helper()
		if _, _, err := st.AppendMessage(ctx, reload(t, st, c.ID), operatorMsg(cid, "reply")); err != nil {
			t.Fatal(err)
		}
	}
	due := func() []store.Timer {
		t.Helper()
		timers, err := st.DueTimers(ctx, store.TimerMail, clk.Now().Add(time.Hour), 10)
		if err != nil {
			t.Fatal(err)
		}
		return timers
	}
	send("1")
	first := t0.Add(5 * time.Minute)
	clk.Add(time.Minute)
	send("2")
	want := []store.Timer{{Kind: store.TimerMail, Due: first, Ref: "unread#" + c.ID, Data: map[string]string{"conv": c.ID, "site": "s1"}}}
	if diff := cmp.Diff(want, due()); diff != "" {
		t.Errorf("timers (-want +got):\n%s", diff)
	}
	if got := reload(t, st, c.ID).MailDue; !got.Equal(first) {
		t.Errorf("mail due = %v, want %v", got, first)
	}
	if err := st.ClearMailDue(ctx, c.ID, first.Add(time.Second)); !livehelp.IsCode(err, livehelp.ECONFLICT) {
		t.Errorf("ClearMailDue with the wrong time: err = %v, want conflict", err)
	}
	if err := st.ClearMailDue(ctx, c.ID, first); err != nil {
		t.Fatal(err)
	}
	send("3")
	if got := reload(t, st, c.ID).MailDue; !got.Equal(clk.Now().Add(5 * time.Minute)) {
		t.Errorf("after clearing, mail due = %v, want a new timer", got)
	}
	if n := len(due()); n != 2 {
		t.Errorf("%d timers, want 2", n)
	}
}

// TestAppendBudget holds a message to one write request and no other call.
func TestAppendBudget(t *testing.T) {
	t.Parallel()
	client, table, counter := dynamolocal.NewTestTableWithStats(t)
	clk := &clock{t: t0}
	st := store.New(client, table, clk.Now)
	ctx := context.Background()
	c, err := st.CreateConversation(ctx, &livehelp.Conversation{ID: "c1", Site: "s1", Visitor: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []store.Append{visitorMsg("1", "hi"), operatorMsg("2", "hello")} {
		counter.Reset()
		m, _, err := st.AppendMessage(ctx, c, a)
		if err != nil {
			t.Fatal(err)
		}
		c.Seq = m.Seq
		rep := counter.Report()
		want := map[string]int64{"TransactWriteItems": 1}
		if diff := cmp.Diff(want, rep.Calls); diff != "" {
			t.Errorf("%s message calls (-want +got):\n%s", a.Message.Author, diff)
		}
	}
}
