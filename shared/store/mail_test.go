package store_test

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

const mailDelay = 5 * time.Minute

// replied returns visitor v's conversation on s1 after the visitor wrote
// once and an operator answered (unread, an email due in mailDelay).
func replied(t *testing.T, st *store.Store, v string) *livehelp.Conversation {
	t.Helper()
	ctx := context.Background()
	c, err := st.CreateConversation(ctx, &livehelp.Conversation{ID: livehelp.ConversationID("s1", v), Site: "s1", Visitor: v})
	if err != nil {
		t.Fatal(err)
	}
	c = appendAs(t, st, c, livehelp.AuthorVisitor, "Where is my parcel?")
	return appendAs(t, st, c, livehelp.AuthorOperator, "On its way.")
}

// appendAs appends a message and returns the conversation read after.
func appendAs(t *testing.T, st *store.Store, c *livehelp.Conversation, author, text string) *livehelp.Conversation {
	t.Helper()
	ctx := context.Background()
	a := store.Append{Sender: c.Visitor, Message: livehelp.Message{Author: author, ClientID: fmt.Sprintf("m%d", c.Seq+1), Text: text}}
	if author == livehelp.AuthorOperator {
		a.Sender, a.Message.Operator, a.Message.OperatorName, a.MailDelay = "op1", "op1", "Ann", mailDelay
	}
	if _, _, err := st.AppendMessage(ctx, c, a); err != nil {
		t.Fatal(err)
	}
	c, err := st.Conversation(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// dueMail returns the mail timers due at the store's now.
func dueMail(t *testing.T, st *store.Store, now time.Time) []store.MailTimer {
	t.Helper()
	ts, err := st.DueTimers(context.Background(), store.TimerMail, now, 10)
	if err != nil {
		t.Fatal(err)
	}
	var out []store.MailTimer
	for _, tm := range ts {
		mt, ok := store.ParseMailTimer(tm)
		if !ok {
			t.Fatalf("unreadable mail timer %+v", tm)
		}
		out = append(out, mt)
	}
	return out
}

func TestMailClaimIsExclusive(t *testing.T) {
	ctx := context.Background()
	st, clk := newOfflineStore(t)
	c := replied(t, st, "v1")
	claim := store.MailClaim{Conversation: c.ID, Site: "s1", FirstDue: c.MailDue, Reason: store.MailUnread, Lease: 2 * time.Minute}

	var wg sync.WaitGroup
	won := make([]bool, 6)
	for i := range won {
		wg.Go(func() {
			cl := claim
			cl.Owner = fmt.Sprintf("run%d", i)
			_, ok, err := st.ClaimMail(ctx, cl)
			if err != nil {
				t.Error(err)
			}
			won[i] = ok
		})
	}
	wg.Wait()
	owner := ""
	for i, ok := range won {
		if ok {
			if owner != "" {
				t.Fatalf("two runs claimed one email: %s and run%d", owner, i)
			}
			owner = fmt.Sprintf("run%d", i)
		}
	}
	if owner == "" {
		t.Fatal("no run claimed the email")
	}
	if err := st.RecordMail(ctx, c.ID, c.MailDue, store.MailOutcome{Owner: "intruder", Status: store.MailSent}); !livehelp.IsCode(err, livehelp.ECONFLICT) {
		t.Errorf("recording without the claim: %v, want conflict", err)
	}
	out := store.MailOutcome{Owner: owner, Status: store.MailSent, FirstSeq: 2, LastSeq: 2, Recipients: 1, MessageID: "ses-1"}
	if err := st.RecordMail(ctx, c.ID, c.MailDue, out); err != nil {
		t.Fatal(err)
	}
	clk.Add(time.Hour) // long after any lease: a sent email is never claimed again
	cl := claim
	cl.Owner = "late"
	rec, ok, err := st.ClaimMail(ctx, cl)
	if err != nil || ok {
		t.Fatalf("claim of a sent email: claimed %v, err %v", ok, err)
	}
	want := &store.MailRecord{Conversation: c.ID, FirstDue: c.MailDue, Reason: store.MailUnread, Status: store.MailSent,
		Attempts: 1, FirstSeq: 2, LastSeq: 2, Recipients: 1, MessageID: "ses-1", Sent: rec.Sent, Updated: rec.Updated}
	if diff := cmp.Diff(want, rec); diff != "" {
		t.Errorf("record (-want +got):\n%s", diff)
	}
	recs, err := st.MailRecords(ctx, c.ID)
	if err != nil || len(recs) != 1 {
		t.Fatalf("MailRecords = %v, %v", recs, err)
	}
	if got := store.MailStatusOf(recs, 2); got != store.MailSent {
		t.Errorf("MailStatusOf(2) = %q, want sent", got)
	}
	if got := store.LastMailedSeq(recs); got != 2 {
		t.Errorf("LastMailedSeq = %d, want 2", got)
	}
}

func TestMailClaimAfterLeaseRunsOut(t *testing.T) {
	ctx := context.Background()
	st, clk := newOfflineStore(t)
	c := replied(t, st, "v1")
	claim := store.MailClaim{Conversation: c.ID, Site: "s1", FirstDue: c.MailDue, Owner: "a", Lease: 2 * time.Minute}
	if _, ok, err := st.ClaimMail(ctx, claim); !ok || err != nil {
		t.Fatalf("first claim: %v, %v", ok, err)
	}
	claim.Owner = "b"
	if rec, ok, _ := st.ClaimMail(ctx, claim); ok || rec.Status != store.MailSending {
		t.Fatalf("claim within the lease: claimed %v, record %+v", ok, rec)
	}
	clk.Add(2*time.Minute + time.Millisecond)
	rec, ok, err := st.ClaimMail(ctx, claim)
	if !ok || err != nil || rec.Attempts != 2 {
		t.Fatalf("claim after the lease: claimed %v, err %v, record %+v", ok, err, rec)
	}
	if err := st.RecordMail(ctx, c.ID, c.MailDue, store.MailOutcome{Owner: "a", Status: store.MailSent}); !livehelp.IsCode(err, livehelp.ECONFLICT) {
		t.Errorf("the run whose lease ran out recorded: %v, want conflict", err)
	}
}

func TestFinishMail(t *testing.T) {
	ctx := context.Background()
	st, clk := newOfflineStore(t)
	c := replied(t, st, "v1")
	if !c.MailDue.Equal(clk.Now().Add(mailDelay)) {
		t.Fatalf("MailDue = %v, want now + delay", c.MailDue)
	}
	if got := dueMail(t, st, clk.Now()); len(got) != 0 {
		t.Fatalf("due before the delay: %v", got)
	}
	clk.Add(mailDelay)
	due := dueMail(t, st, clk.Now())
	if len(due) != 1 || due[0].Conversation != c.ID || !due[0].FirstDue.Equal(c.MailDue) {
		t.Fatalf("due timers = %+v", due)
	}
	if err := st.FinishMail(ctx, c, due[0].Timer, mailDelay); err != nil {
		t.Fatal(err)
	}
	if got := dueMail(t, st, clk.Now()); len(got) != 0 {
		t.Errorf("timer left after FinishMail: %v", got)
	}
	if c2, _ := st.Conversation(ctx, c.ID); !c2.MailDue.IsZero() {
		t.Errorf("MailDue = %v after FinishMail, want zero", c2.MailDue)
	}
	// Finishing again (a retried run) changes nothing and fails nothing.
	if err := st.FinishMail(ctx, c, due[0].Timer, mailDelay); err != nil {
		t.Errorf("second FinishMail: %v", err)
	}
	// The next reply starts a new burst with its own timer.
	fresh, err := st.Conversation(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	c3 := appendAs(t, st, fresh, livehelp.AuthorOperator, "Anything else?")
	if !c3.MailDue.Equal(clk.Now().Add(mailDelay)) {
		t.Errorf("new burst MailDue = %v, want %v", c3.MailDue, clk.Now().Add(mailDelay))
	}
}

func TestFinishMailReschedulesNewerReplies(t *testing.T) {
	ctx := context.Background()
	st, clk := newOfflineStore(t)
	c := replied(t, st, "v1")
	clk.Add(mailDelay)
	due := dueMail(t, st, clk.Now())
	// While the mailer works from c, the operator writes again: no timer of
	// its own, since an email is pending.
	later := appendAs(t, st, c, livehelp.AuthorOperator, "Also: it ships tomorrow.")
	if !later.MailDue.Equal(c.MailDue) {
		t.Fatalf("MailDue moved to %v", later.MailDue)
	}
	if err := st.FinishMail(ctx, c, due[0].Timer, mailDelay); err != nil {
		t.Fatal(err)
	}
	c2, _ := st.Conversation(ctx, c.ID)
	if want := clk.Now().Add(mailDelay); !c2.MailDue.Equal(want) {
		t.Fatalf("MailDue = %v, want the newer reply's email at %v", c2.MailDue, want)
	}
	clk.Add(mailDelay)
	if got := dueMail(t, st, clk.Now()); len(got) != 1 || !got[0].Due.Equal(c2.MailDue) {
		t.Errorf("due timers = %+v, want the new burst's", got)
	}
}

func TestRetryMailMovesTheTimer(t *testing.T) {
	ctx := context.Background()
	st, clk := newOfflineStore(t)
	c := replied(t, st, "v1")
	clk.Add(mailDelay)
	due := dueMail(t, st, clk.Now())[0]
	claim := store.MailClaim{Conversation: c.ID, Site: "s1", FirstDue: due.FirstDue, Owner: "a", Lease: time.Minute}
	if _, ok, err := st.ClaimMail(ctx, claim); !ok || err != nil {
		t.Fatalf("claim: %v %v", ok, err)
	}
	next := clk.Now().Add(time.Minute)
	err := st.RetryMail(ctx, c, due, store.MailOutcome{Owner: "a", Status: store.MailRetry, Error: "throttled", Next: next})
	if err != nil {
		t.Fatal(err)
	}
	if got := dueMail(t, st, clk.Now()); len(got) != 0 {
		t.Errorf("due before the retry time: %v", got)
	}
	clk.Add(time.Minute)
	again := dueMail(t, st, clk.Now())
	if len(again) != 1 || !again[0].Due.Equal(next) || !again[0].FirstDue.Equal(due.FirstDue) {
		t.Fatalf("retry timers = %+v, want due %v first %v", again, next, due.FirstDue)
	}
	c2, _ := st.Conversation(ctx, c.ID)
	if !c2.MailDue.Equal(next) {
		t.Errorf("MailDue = %v, want %v", c2.MailDue, next)
	}
	claim.Owner = "b"
	rec, ok, err := st.ClaimMail(ctx, claim)
	if !ok || err != nil || rec.Attempts != 2 || rec.Error != "throttled" {
		t.Fatalf("claim of the retry: %v %v %+v", ok, err, rec)
	}
}

func TestScheduleMail(t *testing.T) {
	ctx := context.Background()
	st, clk := newOfflineStore(t)
	c := replied(t, st, "v1")
	ok, err := st.ScheduleMail(ctx, c, store.MailClosed)
	if err != nil || !ok {
		t.Fatalf("ScheduleMail = %v, %v", ok, err)
	}
	due := dueMail(t, st, clk.Now())
	if len(due) != 1 || due[0].Reason != store.MailClosed {
		t.Fatalf("due now = %+v, want one closed notice", due)
	}
	clk.Add(mailDelay)
	if got := dueMail(t, st, clk.Now()); len(got) != 1 {
		t.Errorf("the later unread timer was not removed: %+v", got)
	}
	c2, _ := st.Conversation(ctx, c.ID)
	if ok, err := st.ScheduleMail(ctx, c2, store.MailSnoozed); ok || err != nil {
		t.Errorf("an email already due: ScheduleMail = %v, %v; want nothing", ok, err)
	}
	if err := st.SetVisitorRead(ctx, c2, c2.Seq); err != nil {
		t.Fatal(err)
	}
	c3, _ := st.Conversation(ctx, c.ID)
	if err := st.FinishMail(ctx, c3, due[0].Timer, mailDelay); err != nil {
		t.Fatal(err)
	}
	c4, _ := st.Conversation(ctx, c.ID)
	if ok, err := st.ScheduleMail(ctx, c4, store.MailTransferred); ok || err != nil {
		t.Errorf("nothing unread: ScheduleMail = %v, %v; want nothing", ok, err)
	}
}

func TestResumeConversation(t *testing.T) {
	ctx := context.Background()
	st, _ := newOfflineStore(t)
	c := replied(t, st, "v1")
	if _, err := st.ResumeConversation(ctx, "s1", "v2", c.ID); !livehelp.IsCode(err, livehelp.ENOTFOUND) {
		t.Errorf("another visitor's link: %v, want not_found", err)
	}
	if _, _, err := st.ClaimMail(ctx, store.MailClaim{Conversation: c.ID, Site: "s1", FirstDue: c.MailDue, Owner: "a", Lease: time.Minute}); err != nil {
		t.Fatal(err)
	}
	err := st.RecordMail(ctx, c.ID, c.MailDue, store.MailOutcome{Owner: "a", Status: store.MailSent, FirstSeq: 2, LastSeq: 2})
	if err != nil {
		t.Fatal(err)
	}
	later := appendAs(t, st, c, livehelp.AuthorOperator, "Not emailed yet.")
	got, err := st.ResumeConversation(ctx, "s1", "v1", c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.VisitorRead != 2 || !got.Unread() || later.Seq != 3 {
		t.Errorf("after resume: read %d (want 2, the emailed reply), unread %v (want the newer one)", got.VisitorRead, got.Unread())
	}
}
