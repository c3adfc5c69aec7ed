package main

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/google/go-cmp/cmp"

	"github.com/livehelp/livehelp/shared/auth"
	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

// TestUnreadReplyEmailedOnce: a reply unread for the delay is emailed once,
// with both parts and a resume link into the conversation; later runs send
// nothing more.
func TestUnreadReplyEmailedOnce(t *testing.T) {
	e := newEnv(t)
	c := e.visitorWrites(t, "v1", "Dana", "dana@example.org")
	e.operatorSays(t, c.ID, "On its way.")
	e.operatorSays(t, c.ID, "It ships tomorrow.")

	e.clk.add(e.set.Delay - time.Second)
	e.run(t, nil)
	if n := len(e.ses.messages()); n != 0 {
		t.Fatalf("%d emails before the delay", n)
	}
	e.clk.add(time.Second)
	e.run(t, nil)
	e.run(t, nil)
	e.clk.add(time.Hour)
	e.run(t, nil)
	sent := e.ses.messages()
	if len(sent) != 1 {
		t.Fatalf("%d emails, want exactly 1", len(sent))
	}
	m := sent[0]
	if diff := cmp.Diff([]string{"dana@example.org"}, m.Destination.ToAddresses); diff != "" {
		t.Errorf("recipients (-want +got):\n%s", diff)
	}
	subject := aws.ToString(m.Content.Simple.Subject.Data)
	text, html := aws.ToString(m.Content.Simple.Body.Text.Data), aws.ToString(m.Content.Simple.Body.Html.Data)
	if subject != "2 new replies from Shop" || !strings.Contains(text, "On its way.") || !strings.Contains(html, "It ships tomorrow.") {
		t.Errorf("email: subject %q\n%s", subject, text)
	}
	if strings.Contains(text, "Where is my parcel?") {
		t.Error("the visitor's own message was emailed")
	}
	checkResumeLink(t, e, text, c, e.clk.now().Add(-time.Hour).Add(e.set.LinkLife))

	recs := e.records(t, c.ID)
	if len(recs) != 1 || recs[0].Status != store.MailSent || recs[0].MessageID != "ses-a" || recs[0].FirstSeq != 2 || recs[0].LastSeq != 3 {
		t.Errorf("records = %+v", recs)
	}
	if ts := e.pending(t); len(ts) != 0 {
		t.Errorf("timers left: %+v", ts)
	}

	// A new burst is emailed on its own, without the earlier replies.
	e.operatorSays(t, c.ID, "Any news?")
	e.clk.add(e.set.Delay)
	e.run(t, nil)
	sent = e.ses.messages()
	if len(sent) != 2 {
		t.Fatalf("%d emails after a second burst, want 2", len(sent))
	}
	text = aws.ToString(sent[1].Content.Simple.Body.Text.Data)
	if !strings.Contains(text, "Any news?") || strings.Contains(text, "On its way.") {
		t.Errorf("the second email repeats the first burst or misses its reply:\n%s", text)
	}
}

// checkResumeLink finds the link in the text part: the site's page (its
// fragment replaced) with a resume token for c's visitor and conversation.
func checkResumeLink(t *testing.T, e *env, text string, c *livehelp.Conversation, expires time.Time) {
	t.Helper()
	i := strings.Index(text, "https://shop.example/help?x=1#livehelp=")
	if i < 0 {
		t.Fatalf("no resume link in:\n%s", text)
	}
	link := strings.Fields(text[i:])[0]
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := e.keys.Signer(context.Background())
	claims, err := signer.Verify(auth.KindResume, strings.TrimPrefix(u.Fragment, "livehelp="))
	if err != nil || claims.Subject != c.Visitor || claims.Site != "s1" || claims.Conversation != c.ID {
		t.Errorf("resume token claims %+v, %v", claims, err)
	}
	if exp := time.Unix(claims.Expires, 0); !exp.Equal(expires) {
		t.Errorf("link expires %v, want %v", exp, expires)
	}
}

func TestReadBeforeDelayNoEmail(t *testing.T) {
	e := newEnv(t)
	c := e.visitorWrites(t, "v1", "Dana", "dana@example.org")
	c = e.operatorSays(t, c.ID, "On its way.")
	if err := e.st.SetVisitorRead(context.Background(), c, c.Seq); err != nil {
		t.Fatal(err)
	}
	e.clk.add(e.set.Delay)
	e.run(t, nil)
	if n := len(e.ses.messages()); n != 0 {
		t.Errorf("%d emails for a reply read in time", n)
	}
	if ts := e.pending(t); len(ts) != 0 {
		t.Errorf("timers left: %+v", ts)
	}
	if recs := e.records(t, c.ID); len(recs) != 0 {
		t.Errorf("records for a reply read in time: %+v", recs)
	}
}

func TestNoAddressNoEmail(t *testing.T) {
	e := newEnv(t)
	c := e.visitorWrites(t, "v1", "", "")
	e.operatorSays(t, c.ID, "Hello?")
	e.clk.add(e.set.Delay)
	e.run(t, nil)
	if n := len(e.ses.messages()); n != 0 || len(e.pending(t)) != 0 {
		t.Errorf("visitor without address: %d emails, timers %v", n, e.pending(t))
	}
}

// TestConcurrentRunsSendOnce runs two mailers at once over many due
// emails, SES slowed down to widen every race: each email goes out once.
func TestConcurrentRunsSendOnce(t *testing.T) {
	e := newEnv(t)
	e.ses.slow = 20 * time.Millisecond
	const convs = 6
	for i := range convs {
		v := "v" + string(rune('a'+i))
		c := e.visitorWrites(t, v, "V", v+"@example.org")
		e.operatorSays(t, c.ID, "Reply to "+v)
	}
	e.clk.add(e.set.Delay)
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() { e.run(t, nil) })
	}
	wg.Wait()
	e.run(t, nil)
	sent := e.ses.messages()
	per := map[string]int{}
	for _, m := range sent {
		per[m.Destination.ToAddresses[0]]++
	}
	if len(sent) != convs || len(per) != convs {
		t.Errorf("%d emails to %d addresses, want %d each once: %v", len(sent), len(per), convs, per)
	}
}

// failingFinish is the store with FinishMail failing once: the run that
// sent an email stops before removing its timer, as a crash would.
type failingFinish struct {
	*store.Store
	failed atomic.Bool
}

func (f *failingFinish) FinishMail(ctx context.Context, c *livehelp.Conversation, t store.Timer, d time.Duration) error {
	if f.failed.CompareAndSwap(false, true) {
		return errors.New("injected: the run stopped before finishing")
	}
	return f.Store.FinishMail(ctx, c, t, d)
}

func TestRetriedRunSendsNothingTwice(t *testing.T) {
	e := newEnv(t)
	c := e.visitorWrites(t, "v1", "Dana", "dana@example.org")
	e.operatorSays(t, c.ID, "On its way.")
	e.clk.add(e.set.Delay)
	e.run(t, e.worker(&failingFinish{Store: e.st}))
	if len(e.pending(t)) != 1 || len(e.ses.messages()) != 1 {
		t.Fatalf("after the interrupted run: %d timers, %d emails; want 1 and 1", len(e.pending(t)), len(e.ses.messages()))
	}
	e.clk.add(e.set.Lease + time.Minute) // even long after the claim's lease
	e.run(t, nil)
	if n := len(e.ses.messages()); n != 1 {
		t.Errorf("%d emails after the retried run, want 1", n)
	}
	if ts := e.pending(t); len(ts) != 0 {
		t.Errorf("the retried run left timers: %+v", ts)
	}
}
