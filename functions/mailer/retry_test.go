package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/livehelp/livehelp/shared/store"
)

// TestSESFailureRetriedWithBackoff: SES fails twice; later runs retry at
// 1 and 2 minutes (not before), and the third attempt sends it once.
func TestSESFailureRetriedWithBackoff(t *testing.T) {
	e := newEnv(t)
	c := e.visitorWrites(t, "v1", "Dana", "dana@example.org")
	e.operatorSays(t, c.ID, "On its way.")
	e.ses.failNext = 2
	e.clk.add(e.set.Delay)
	e.run(t, nil)
	checkRecord(t, e, c.ID, store.MailRetry, 1)
	if got := store.MailStatusOf(e.records(t, c.ID), 2); got != store.MailRetry {
		t.Errorf("status on the reply = %q, want retry", got)
	}
	e.clk.add(59 * time.Second)
	e.run(t, nil)
	checkRecord(t, e, c.ID, store.MailRetry, 1) // not yet: the backoff holds
	e.clk.add(time.Second)
	e.run(t, nil)
	checkRecord(t, e, c.ID, store.MailRetry, 2)
	e.clk.add(2 * time.Minute)
	e.run(t, nil)
	checkRecord(t, e, c.ID, store.MailSent, 3)
	e.clk.add(time.Hour)
	e.run(t, nil)
	if n := len(e.ses.messages()); n != 1 {
		t.Errorf("%d emails, want 1", n)
	}
	if ts := e.pending(t); len(ts) != 0 {
		t.Errorf("timers left: %+v", ts)
	}
}

// TestSESFailureGivesUp: after MaxAttempts failures the email is marked
// failed (what the console shows on the reply) and no longer retried; the
// next reply gets its own email.
func TestSESFailureGivesUp(t *testing.T) {
	e := newEnv(t)
	c := e.visitorWrites(t, "v1", "Dana", "dana@example.org")
	e.operatorSays(t, c.ID, "On its way.")
	e.ses.failNext = 100
	e.clk.add(e.set.Delay)
	for range e.set.MaxAttempts + 2 {
		e.run(t, nil)
		e.clk.add(30 * time.Minute)
	}
	rec := checkRecord(t, e, c.ID, store.MailFailed, e.set.MaxAttempts)
	if rec.Error != "SES: TooManyRequestsException" {
		t.Errorf("error = %q, want the SES code and no address", rec.Error)
	}
	if got := store.MailStatusOf(e.records(t, c.ID), 2); got != store.MailFailed {
		t.Errorf("status on the reply = %q, want failed", got)
	}
	if ts := e.pending(t); len(ts) != 0 {
		t.Errorf("a failed email left timers: %+v", ts)
	}
	e.ses.failNext = 0
	e.operatorSays(t, c.ID, "Trying again.")
	e.clk.add(e.set.Delay)
	e.run(t, nil)
	if n := len(e.ses.messages()); n != 1 {
		t.Errorf("%d emails for the next reply, want 1", n)
	}
}

// TestVisitorReadsDuringRetry: a retried email is cancelled when the
// visitor reads before the next attempt.
func TestVisitorReadsDuringRetry(t *testing.T) {
	e := newEnv(t)
	c := e.visitorWrites(t, "v1", "Dana", "dana@example.org")
	c = e.operatorSays(t, c.ID, "On its way.")
	e.ses.failNext = 1
	e.clk.add(e.set.Delay)
	e.run(t, nil)
	c, _ = e.st.Conversation(context.Background(), c.ID)
	if err := e.st.SetVisitorRead(context.Background(), c, c.Seq); err != nil {
		t.Fatal(err)
	}
	e.clk.add(time.Minute)
	e.run(t, nil)
	checkRecord(t, e, c.ID, store.MailCancelled, 1)
	if n := len(e.ses.messages()); n != 0 {
		t.Errorf("%d emails after the visitor read, want 0", n)
	}
}

// TestNoticeAfterClose: closing a conversation with a reply unread emails
// it, worded for the close: at once when the closing code schedules the
// notice (store.ScheduleMail, or store.MailNotice in its transaction), by
// the unread delay at the latest otherwise. A transfer notice goes at once.
func TestNoticeAfterClose(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for i, schedule := range []bool{true, false} {
		v := []string{"v1", "v2"}[i]
		c := e.visitorWrites(t, v, "Dana", v+"@example.org")
		c = e.operatorSays(t, c.ID, "Solved, I think.")
		tr, err := e.st.Close(ctx, c, "op1", "Ann", nil)
		if err != nil {
			t.Fatal(err)
		}
		if schedule {
			if _, err := e.st.ScheduleMail(ctx, tr.Conversation, store.MailClosed); err != nil {
				t.Fatal(err)
			}
		}
		before := len(e.ses.messages())
		e.run(t, nil)
		if schedule && len(e.ses.messages()) != before+1 {
			t.Fatalf("scheduled close notice: not sent at once")
		}
		e.clk.add(e.set.Delay)
		e.run(t, nil)
		sent := e.ses.messages()
		if len(sent) != before+1 || !contains(sent[before], "was closed") {
			t.Fatalf("close (scheduled %v): %d emails, want 1 about the close", schedule, len(sent)-before)
		}
	}
	c := e.visitorWrites(t, "v3", "Eve", "eve@example.org")
	c = e.operatorSays(t, c.ID, "Transferring you.")
	if ok, err := e.st.ScheduleMail(ctx, c, store.MailTransferred); !ok || err != nil {
		t.Fatalf("ScheduleMail = %v, %v", ok, err)
	}
	e.run(t, nil)
	if sent := e.ses.messages(); len(sent) != 3 || !contains(sent[2], "passed to a colleague") {
		t.Errorf("%d emails after transfer, want a third one about the transfer", len(sent))
	}
}

// TestIdleRunRequests holds an idle run to two Queries and no write, and
// reports what a sent email costs.
func TestIdleRunRequests(t *testing.T) {
	e := newEnv(t)
	e.counter.Reset()
	e.run(t, nil)
	idle := e.counter.Reset()
	t.Logf("idle mailer run: %d reads, %d writes %v", idle.Reads(), idle.Writes(), idle.Calls)
	if idle.Count("Query") != 2 || idle.Reads() != 2 || idle.Writes() != 0 || idle.Scans() != 0 {
		t.Errorf("idle run: %v, want exactly 2 Queries", idle.Calls)
	}
	c := e.visitorWrites(t, "v1", "Dana", "dana@example.org")
	e.operatorSays(t, c.ID, "On its way.")
	e.clk.add(e.set.Delay)
	e.run(t, nil) // warm: the signing key is read once per process
	c = e.visitorWrites(t, "v2", "Eve", "eve@example.org")
	e.operatorSays(t, c.ID, "On its way.")
	e.clk.add(e.set.Delay)
	e.counter.Reset()
	e.run(t, nil)
	one := e.counter.Report()
	t.Logf("run sending one email: %d reads, %d writes %v", one.Reads(), one.Writes(), one.Calls)
	if one.Scans() != 0 || one.Writes() != 3 {
		t.Errorf("one email: %v, want 3 writes (claim, sent, finish)", one.Calls)
	}
}

func checkRecord(t *testing.T, e *env, conv, status string, attempts int) *store.MailRecord {
	t.Helper()
	recs := e.records(t, conv)
	if len(recs) != 1 || recs[0].Status != status || recs[0].Attempts != attempts {
		for _, r := range recs {
			t.Logf("record %+v", r)
		}
		t.Fatalf("want one record %s after %d attempts", status, attempts)
	}
	return recs[0]
}

// contains reports whether both parts of an email hold s.
func contains(m *sesv2.SendEmailInput, s string) bool {
	b := m.Content.Simple.Body
	return strings.Contains(aws.ToString(b.Text.Data), s) && strings.Contains(aws.ToString(b.Html.Data), s)
}
