package browsertest

import (
	"context"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/livehelp/livehelp/infra/devstack/sesmail"
	"github.com/livehelp/livehelp/infra/devstack/stack"
	"github.com/livehelp/livehelp/shared/livehelp"
)

// offlineDelay is the unread-email delay of the offline stack test (the
// parameter UnreadEmailDelaySeconds, shortened from 5 minutes).
const offlineDelay = 2 * time.Second

// Payloads a visitor types in the form and an operator answers with.
const (
	offName    = `Dana <img src=x onerror=alert(1)>`
	offSubject = `Parcel <script>alert(2)</script>`
	offText    = `Where is it? <b>bold</b> <script>alert(3)</script>`
	offReply   = `On its way <img src=x onerror=alert(4)> <script>alert(5)</script>`
)

// startOfflineStack starts the local system with a short unread delay and
// spam protection on for the demo site.
func startOfflineStack(t *testing.T) *stack.Stack {
	t.Helper()
	if testing.Short() {
		t.Skip("the stack tests build every function and start DynamoDB Local")
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("no Chromium at %s: %v", chromium, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var log io.Writer
	if os.Getenv("LIVEHELP_STACK_LOG") != "" {
		log = os.Stderr
	}
	s, err := stack.Start(ctx, stack.Options{Log: log, Params: map[string]string{
		"OperatorsListExpiration": "3", "UnreadEmailDelaySeconds": "2"}})
	if err != nil {
		t.Fatalf("start the local stack: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	site, err := s.Store.Site(ctx, "demo", true)
	if err != nil {
		t.Fatal(err)
	}
	site.SpamProtection = true
	if err := s.Store.UpdateSiteSettings(ctx, site); err != nil {
		t.Fatal(err)
	}
	return s
}

// offlineCaptcha reads the digits of the challenge the widget shows.
func offlineCaptcha(t *testing.T, b *browser, s *stack.Stack) (id, answer string) {
	t.Helper()
	b.waitFor("the CAPTCHA", `$('.img') && /\/captcha\/[A-Za-z0-9]{20}\.png$/.test($('.img').src) && $('.img').complete && $('.img').naturalWidth > 0`, 10*time.Second)
	id = regexp.MustCompile(`/captcha/([A-Za-z0-9]{20})\.png$`).FindStringSubmatch(b.str(`$('.img').src`))[1]
	d, err := s.Store.CaptchaDigits(context.Background(), "demo", id)
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	for _, v := range d {
		sb.WriteByte('0' + v)
	}
	return id, sb.String()
}

// TestOfflineStack runs the offline form in a browser on the local runner
// with spam protection on: a wrong CAPTCHA is refused and the typed text
// kept, the right one sends the message; script payloads stay text in the
// widget and in the email; the operator's reply, unread, is emailed once;
// the email's link opened in another browser resumes the conversation.
func TestOfflineStack(t *testing.T) {
	s := startOfflineStack(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	a := newBrowser(t, 1024, 760)
	a.open(s.DemoURL)
	a.waitFor("Leave a message", `txt('.b') === 'Leave a message'`, 10*time.Second)
	a.click(".b")
	a.waitFor("the form", `$('#lh-name') && !$('.p').hidden`, 5*time.Second)
	a.fillForm(map[string]string{"name": offName, "email": "dana@example.org", "subject": offSubject, "message": offText})
	first, right := offlineCaptcha(t, a, s)
	wrong := "000000"
	if right == wrong {
		wrong = "111111"
	}
	a.typeInto("#lh-captcha", wrong)
	a.clickText("Send message")
	a.waitFor("the CAPTCHA error", `txt('#lh-captcha-e') !== ''`, 15*time.Second)
	a.waitFor("a new CAPTCHA", `!$('.img').src.includes('`+first+`')`, 10*time.Second)
	got := a.form()
	want := map[string]string{"name": offName, "email": "dana@example.org", "subject": offSubject, "message": offText}
	for k, v := range want {
		if got.Values[k] != v {
			t.Errorf("after a wrong CAPTCHA the %s field holds %q, want the typed %q", k, got.Values[k], v)
		}
	}
	if n, err := s.Store.UnansweredCount(ctx, "demo"); err != nil || n != 0 {
		t.Errorf("MSG count after a wrong CAPTCHA = %d, %v; want 0", n, err)
	}
	a.shot("offline-captcha-wrong")

	_, right = offlineCaptcha(t, a, s)
	a.exec(`$('#lh-captcha').value = ''`)
	a.typeInto("#lh-captcha", right)
	a.clickText("Send message")
	a.waitFor("the auto-reply", `$('ol') && $('ol').isConnected && $('ol').textContent.includes('Thanks for your message!')`, 15*time.Second)
	a.waitFor("the message in the conversation", `[...S.querySelectorAll('li.me')].some(li => li.textContent.includes('<script>alert(3)</script>'))`, 10*time.Second)
	if n := a.num(`S.querySelectorAll('ol script, ol img, ol b').length`); n != 0 {
		t.Errorf("the payloads made %v elements in the chat", n)
	}
	a.shot("offline-sent")
	a.checkHostUnharmed()
	page, err := s.Store.MessageQueue(ctx, "demo", true, "", 10)
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("Message Queue = %+v, %v; want the message", page, err)
	}
	conv := page.Items[0].Conversation
	a.do(navigate("about:blank")) // the visitor leaves: the reply stays unread

	op := operator(t, s, s.Demo.Email, s.Demo.Password)
	if f := op.reply(map[string]any{"action": "take", "conversation": conv}); f["type"] != "conversation" {
		t.Fatalf("take: %v", f)
	}
	if f := op.reply(map[string]any{"action": "send", "conversation": conv, "client_id": "op-1", "text": offReply}); f["type"] != "ack" {
		t.Fatalf("send: %v", f)
	}
	time.Sleep(offlineDelay + 500*time.Millisecond)
	for range 2 {
		if err := s.Fire(ctx, "MailerFunction"); err != nil {
			t.Fatal(err)
		}
	}
	mail := s.Mail.Messages()
	if len(mail) != 1 {
		t.Fatalf("%d emails, want exactly 1", len(mail))
	}
	link := checkOfflineEmail(t, mail[0], s)

	c, err := s.Store.Conversation(ctx, conv)
	if err != nil || !c.Unread() {
		t.Fatalf("before the link: %+v, %v; want the reply unread", c, err)
	}
	b := newBrowser(t, 1024, 760) // another device: a fresh profile
	b.open(link)
	b.waitFor("the conversation with the reply", `!$('.p').hidden && [...S.querySelectorAll('li.op .t')].some(e => e.textContent === `+quote(offReply)+`)`, 15*time.Second)
	b.waitFor("the visitor's own message", `[...S.querySelectorAll('li.me')].some(li => li.textContent.includes('<script>alert(3)</script>'))`, 5*time.Second)
	if h := b.str(`location.hash`); h != "" {
		t.Errorf("location.hash = %q, want the token removed", h)
	}
	if n := b.num(`S.querySelectorAll('ol script, ol img, ol b').length`); n != 0 {
		t.Errorf("the payloads made %v elements in the resumed chat", n)
	}
	b.shot("offline-resumed")
	b.checkHostUnharmed()
	visitor := b.str(`JSON.parse(atob(localStorage.getItem('livehelp:demo:token').split('.')[0].replace(/-/g, '+').replace(/_/g, '/'))).sub`)
	if livehelp.ConversationID("demo", visitor) != conv {
		t.Errorf("the resumed browser is visitor %s, not the one of conversation %s", visitor, conv)
	}
	if after, err := s.Store.Conversation(ctx, conv); err != nil || after.Unread() {
		t.Errorf("after the link: %+v, %v; want the emailed reply read", after, err)
	}
}

// checkOfflineEmail checks the captured email: headers free of CR/LF, both
// parts, payloads escaped in HTML, and returns its resume link.
func checkOfflineEmail(t *testing.T, m sesmail.Message, s *stack.Stack) string {
	t.Helper()
	if len(m.To) != 1 || m.To[0] != "dana@example.org" || strings.ContainsAny(m.Subject+m.From, "\r\n") {
		t.Errorf("email to %v from %q subject %q", m.To, m.From, m.Subject)
	}
	if m.Text == "" || m.HTML == "" {
		t.Error("both parts must be present")
	}
	for _, bad := range []string{"<script", "<img"} {
		if strings.Contains(m.HTML, bad) {
			t.Errorf("HTML part carries %q unescaped", bad)
		}
	}
	if !strings.Contains(m.Text, offReply) || !strings.Contains(m.HTML, "&lt;img src=x onerror=alert(4)&gt;") {
		t.Errorf("the reply is not shown as text:\n%s", m.HTML)
	}
	link := regexp.MustCompile(`http://\S+#livehelp=[A-Za-z0-9._~-]+`).FindString(m.Text)
	if !strings.HasPrefix(link, s.DemoURL+"#livehelp=") {
		t.Fatalf("resume link %q, want on %s", link, s.DemoURL)
	}
	return link
}
