package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/livehelp/livehelp/infra/devstack/sesmail"
	"github.com/livehelp/livehelp/infra/devstack/stack"
	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

// e2eDelay is the unread-email delay the stack runs with (the parameter
// UnreadEmailDelaySeconds, shortened from 5 minutes).
const e2eDelay = 2 * time.Second

// Payloads a visitor may type: header injection and script.
const (
	evilName    = "Dana\r\nBcc: victim@example.net <script>alert(1)</script>"
	evilSubject = "Parcel\r\nX-Injected: yes <img src=x onerror=alert(2)>"
	evilText    = "Where is it?\r\nBcc: victim@example.net\r\n<script>alert(3)</script>"
	evilReply   = "Hello <b>Dana</b>\r\nBcc: victim@example.net <script>alert(4)</script>"
)

// TestEndToEnd runs the offline form, the message queue and the mailer on
// the local runner with its SES capture.
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the local stack")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	s := startStack(ctx, t, stack.Options{Params: map[string]string{"UnreadEmailDelaySeconds": "2"}})
	setSpamProtection(ctx, t, s, true)
	op := operator(ctx, t, s)

	var conv, link string
	t.Run("captcha and the queue", func(t *testing.T) { conv = e2eCaptcha(ctx, t, s) })
	t.Run("an unread reply is emailed once", func(t *testing.T) { link = e2eUnreadEmail(ctx, t, s, op, conv) })
	t.Run("the link resumes the conversation", func(t *testing.T) { e2eResume(ctx, t, s, conv, link) })
	t.Run("a reply read in time is not emailed", func(t *testing.T) { e2eReadInTime(ctx, t, s, op) })
	t.Run("two mailers at once send one email", func(t *testing.T) { e2eConcurrentMailers(ctx, t, s, op) })
	t.Run("a burst from one address is limited", func(t *testing.T) { e2eRateLimit(ctx, t, s) })
}

func setSpamProtection(ctx context.Context, t *testing.T, s *stack.Stack, on bool) {
	t.Helper()
	site, err := s.Store.Site(ctx, "demo", true)
	if err != nil {
		t.Fatal(err)
	}
	site.SpamProtection = on
	if err := s.Store.UpdateSiteSettings(ctx, site); err != nil {
		t.Fatal(err)
	}
}

// newVisitor asks for a visitor token as the widget does.
func newVisitor(ctx context.Context, t *testing.T, s *stack.Stack) (id, token string) {
	t.Helper()
	code, out := call(ctx, t, s, http.MethodPost, "/v1/sites/demo/visitors", "", map[string]any{})
	if code != 201 {
		t.Fatalf("visitors: %d %v", code, out)
	}
	return out["visitor"].(string), out["token"].(string)
}

// openForm gets a form token and a CAPTCHA.
func openFormE2E(ctx context.Context, t *testing.T, s *stack.Stack) map[string]any {
	t.Helper()
	code, f := call(ctx, t, s, http.MethodGet, "/v1/sites/demo/captcha", "", nil)
	if code != 200 {
		t.Fatalf("open form: %d %v", code, f)
	}
	return f
}

func digits(ctx context.Context, t *testing.T, s *stack.Stack, id string) string {
	t.Helper()
	d, err := s.Store.CaptchaDigits(ctx, "demo", id)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, v := range d {
		b.WriteByte('0' + v)
	}
	return b.String()
}

// e2eCaptcha sends the evil form with spam protection on: a wrong answer
// is refused, the right one accepted once, its replay refused; the
// message is in the queue and the MSG count. It returns the conversation.
func e2eCaptcha(ctx context.Context, t *testing.T, s *stack.Stack) string {
	_, tok := newVisitor(ctx, t, s)
	f := openFormE2E(ctx, t, s)
	if f["captcha"] != true {
		t.Fatalf("spam protection on, but no CAPTCHA: %v", f)
	}
	resp, err := http.Get(s.RestURL + f["image"].(string))
	if err != nil || resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("CAPTCHA image: %v %v", resp, err)
	}
	resp.Body.Close()
	time.Sleep(time.Duration(f["min_seconds"].(float64)) * time.Second)

	form := map[string]any{"name": evilName, "email": "dana@example.org", "subject": evilSubject, "message": evilText,
		"client_id": "e2e-1", "form_token": f["form_token"], "captcha_id": f["id"]}
	right := digits(ctx, t, s, f["id"].(string))
	form["captcha"] = wrongAnswer(right)
	code, out := call(ctx, t, s, http.MethodPost, "/v1/sites/demo/messages", tok, form)
	if c, fields := errorOf(out); code != 400 || c != "invalid" || fields["captcha"] == nil {
		t.Fatalf("wrong answer: %d %v", code, out)
	}
	f2 := openFormE2E(ctx, t, s) // refresh: a new challenge
	form["captcha_id"], form["captcha"] = f2["id"], digits(ctx, t, s, f2["id"].(string))
	code, out = call(ctx, t, s, http.MethodPost, "/v1/sites/demo/messages", tok, form)
	if code != 201 || out["auto_reply"] == "" {
		t.Fatalf("right answer: %d %v", code, out)
	}
	conv := out["conversation"].(map[string]any)["id"].(string)
	form["client_id"] = "e2e-2"
	code, out = call(ctx, t, s, http.MethodPost, "/v1/sites/demo/messages", tok, form)
	if c, fields := errorOf(out); code != 400 || c != "invalid" || fields["captcha"] == nil {
		t.Fatalf("replayed answer: %d %v", code, out)
	}

	if n, err := s.Store.UnansweredCount(ctx, "demo"); err != nil || n != 1 {
		t.Errorf("MSG count = %d, %v; want 1", n, err)
	}
	page, err := s.Store.MessageQueue(ctx, "demo", true, "", 10)
	if err != nil || len(page.Items) != 1 || page.Items[0].Conversation != conv || page.Items[0].Subject != "Parcel X-Injected: yes <img src=x onerror=alert(2)>" {
		t.Errorf("Message Queue = %+v, %v", page, err)
	}
	queue, err := s.Store.Queue(ctx, "demo", livehelp.QueueOffline, 10)
	if err != nil || len(queue) != 1 || queue[0].ID != conv {
		t.Errorf("offline queue = %v, %v; want %s", queue, err, conv)
	}
	return conv
}

// mailTo returns the captured emails to addr.
func mailTo(s *stack.Stack, addr string) []sesmail.Message {
	var out []sesmail.Message
	for _, m := range s.Mail.Messages() {
		for _, to := range m.To {
			if strings.Contains(to, addr) {
				out = append(out, m)
			}
		}
	}
	return out
}

// fire runs the mailer after the delay has passed.
func fire(ctx context.Context, t *testing.T, s *stack.Stack) {
	t.Helper()
	if err := s.Fire(ctx, "MailerFunction"); err != nil {
		t.Fatal(err)
	}
}

var linkPattern = regexp.MustCompile(`http://[^\s"]+#livehelp=[A-Za-z0-9._~-]+`)

// e2eUnreadEmail: the operator answers; unread after the delay it is
// emailed exactly once, every payload inert. It returns the resume link.
func e2eUnreadEmail(ctx context.Context, t *testing.T, s *stack.Stack, op *wsClient, conv string) string {
	op.answer(ctx, conv, evilReply)
	fire(ctx, t, s) // before the delay: nothing
	if got := mailTo(s, "dana@example.org"); len(got) != 0 {
		t.Fatalf("emailed before the delay: %d", len(got))
	}
	time.Sleep(e2eDelay + 500*time.Millisecond)
	fire(ctx, t, s)
	fire(ctx, t, s)
	got := mailTo(s, "dana@example.org")
	if len(got) != 1 {
		t.Fatalf("%d emails, want exactly 1", len(got))
	}
	m := got[0]
	if strings.ContainsAny(m.Subject+m.From, "\r\n") || len(m.To) != 1 || len(m.Bcc) != 0 || len(m.Cc) != 0 {
		t.Errorf("headers: from %q subject %q to %v cc %v bcc %v", m.From, m.Subject, m.To, m.Cc, m.Bcc)
	}
	if m.Text == "" || m.HTML == "" {
		t.Error("both parts must be present")
	}
	for _, bad := range []string{"<script", "<b>Dana", "<img"} {
		if strings.Contains(m.HTML, bad) {
			t.Errorf("HTML part carries %q unescaped", bad)
		}
	}
	if !strings.Contains(m.HTML, "&lt;script&gt;alert(4)&lt;/script&gt;") || !strings.Contains(m.Text, "<script>alert(4)</script>") {
		t.Errorf("the reply is not shown as text:\n%s", m.HTML)
	}
	link := linkPattern.FindString(m.Text)
	if !strings.HasPrefix(link, s.DemoURL+"#livehelp=") || !strings.Contains(m.HTML, link) {
		t.Fatalf("resume link %q (want on %s) in both parts", link, s.DemoURL)
	}
	recs, err := s.Store.MailRecords(ctx, conv)
	if err != nil || len(recs) != 1 || recs[0].Status != store.MailSent || recs[0].MessageID != m.ID {
		t.Errorf("records %+v, %v; want one sent with SES id %s", recs, err, m.ID)
	}
	return link
}

// e2eResume exchanges the emailed link as the widget does: the browser
// becomes the emailed visitor, in the same conversation, the reply read.
func e2eResume(ctx context.Context, t *testing.T, s *stack.Stack, conv, link string) {
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	code, out := call(ctx, t, s, http.MethodPost, "/v1/sites/demo/visitors", "", map[string]string{"resume": strings.TrimPrefix(u.Fragment, "livehelp=")})
	if code != 200 {
		t.Fatalf("resume: %d %v", code, out)
	}
	c := out["conversation"].(map[string]any)
	if c["id"] != conv || c["read"] != c["seq"] {
		t.Errorf("resumed conversation %v, want %s with the emailed reply read", c, conv)
	}
	tab := dialWS(ctx, t, s, url.Values{"site": {"demo"}, "token": {out["token"].(string)}})
	hello := tab.reply(ctx, "hello", map[string]any{"action": "hello"})
	hc, _ := hello["conversation"].(map[string]any)
	msgs, _ := hello["messages"].([]any)
	if hc == nil || hc["id"] != conv || len(msgs) < 2 {
		t.Errorf("hello with the resumed token: %v", hello)
	}
}

// visitorWithReply files a message of a new visitor through the store and
// has the operator answer it; it returns the conversation and the token.
func visitorWithReply(ctx context.Context, t *testing.T, s *stack.Stack, op *wsClient, addr string) (*livehelp.Conversation, string) {
	t.Helper()
	v, tok := newVisitor(ctx, t, s)
	left, err := s.Store.LeaveMessage(ctx, store.OfflineMessage{Site: "demo", Visitor: v, Name: "V", Email: addr,
		Subject: "Question", Text: "Hello?", ClientID: "setup"})
	if err != nil {
		t.Fatal(err)
	}
	op.answer(ctx, left.Conversation.ID, "Hello, "+addr)
	return left.Conversation, tok
}

func e2eReadInTime(ctx context.Context, t *testing.T, s *stack.Stack, op *wsClient) {
	c, tok := visitorWithReply(ctx, t, s, op, "reader@example.org")
	tab := dialWS(ctx, t, s, url.Values{"site": {"demo"}, "token": {tok}})
	hello := tab.reply(ctx, "hello", map[string]any{"action": "hello"})
	seq := hello["conversation"].(map[string]any)["seq"]
	tab.send(ctx, map[string]any{"action": "read", "conversation": c.ID, "seq": seq}) // no answer: stored, relayed
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		after, err := s.Store.Conversation(ctx, c.ID)
		if err == nil && !after.Unread() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the read mark did not move: %+v, %v", after, err)
		}
	}
	time.Sleep(e2eDelay + 500*time.Millisecond)
	fire(ctx, t, s)
	if got := mailTo(s, "reader@example.org"); len(got) != 0 {
		t.Errorf("%d emails for a reply read in time, want 0", len(got))
	}
}

func e2eConcurrentMailers(ctx context.Context, t *testing.T, s *stack.Stack, op *wsClient) {
	visitorWithReply(ctx, t, s, op, "twice@example.org")
	time.Sleep(e2eDelay + 500*time.Millisecond)
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() { fire(ctx, t, s) })
	}
	wg.Wait()
	fire(ctx, t, s)
	if got := mailTo(s, "twice@example.org"); len(got) != 1 {
		t.Errorf("%d emails from two concurrent mailers, want 1", len(got))
	}
}

// e2eRateLimit sends a burst from 127.0.0.1 (spam protection off): 429
// once the address's limit is used up. Other addresses are checked with
// captured events (TestRateLimits): the runner's sourceIp is the TCP peer.
func e2eRateLimit(ctx context.Context, t *testing.T, s *stack.Stack) {
	setSpamProtection(ctx, t, s, false)
	f := openFormE2E(ctx, t, s)
	time.Sleep(time.Duration(f["min_seconds"].(float64)) * time.Second)
	accepted, limited := 0, 0
	for i := range defaultRules.PerIP.N + 2 {
		_, tok := newVisitor(ctx, t, s)
		form := map[string]any{"name": "B", "email": fmt.Sprintf("burst%d@example.org", i), "subject": "S",
			"message": "m", "client_id": fmt.Sprintf("burst-%d", i), "form_token": f["form_token"]}
		code, out := call(ctx, t, s, http.MethodPost, "/v1/sites/demo/messages", tok, form)
		switch c, _ := errorOf(out); {
		case code == 201 && limited == 0:
			accepted++
		case code == 429 && c == "rate_limited":
			limited++
		default:
			t.Fatalf("message %d: %d %v (after %d accepted, %d limited)", i+1, code, out, accepted, limited)
		}
	}
	// e2eCaptcha's accepted message counted in the same window.
	if want := defaultRules.PerIP.N - 1; accepted != want || limited != 3 {
		t.Errorf("burst: %d accepted, %d limited; want %d and 3", accepted, limited, want)
	}
}
