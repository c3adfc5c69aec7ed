package email

import (
	"strings"
	"testing"
	"time"

	"github.com/livehelp/livehelp/shared/livehelp"
)

const script = `<script>alert("x")</script><img src=x onerror=alert(1)>`

func unread() Unread {
	return Unread{
		To:          []string{"dana@example.org"},
		SiteName:    "Shop\r\nBcc: victim@example.net",
		VisitorName: "Dana\nX-Evil: 1 " + script,
		Reason:      "unread",
		Replies: []Reply{
			{Operator: "Ann " + script, Text: "Hello\nsecond line " + script, Time: time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)},
			{Operator: "Bob", Text: "Anything else?", Time: time.Date(2026, 11, 21, 9, 31, 0, 0, time.UTC)},
		},
		ResumeURL: "https://shop.example/help?x=1&y=2#livehelp=abc.def",
		LinkDays:  30,
	}
}

func TestUnreadEscapesEverything(t *testing.T) {
	m, err := unread().Message()
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]string{"subject": m.Subject, "from name": m.FromName} {
		if strings.ContainsAny(v, "\r\n") {
			t.Errorf("%s %q carries CR/LF", name, v)
		}
	}
	if m.Subject != "2 new replies from Shop Bcc: victim@example.net" {
		t.Errorf("subject = %q", m.Subject)
	}
	for _, bad := range []string{"<script", "<img", "onerror=alert(1)>"} {
		if strings.Contains(m.HTML, bad) {
			t.Errorf("HTML part carries %q unescaped:\n%s", bad, m.HTML)
		}
	}
	for _, want := range []string{
		"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;",
		`href="https://shop.example/help?x=1&amp;y=2#livehelp=abc.def"`,
		"Hello<br>second line",
	} {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("HTML part lacks %q:\n%s", want, m.HTML)
		}
	}
	for _, want := range []string{"Continue the conversation here: https://shop.example/help?x=1&y=2#livehelp=abc.def",
		"  second line " + script, "Ann " + script + " (21 Nov 2026 09:30 UTC):", "works for 30 days"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("text part lacks %q:\n%s", want, m.Text)
		}
	}
	if strings.TrimSpace(m.Text) == "" || strings.TrimSpace(m.HTML) == "" {
		t.Error("both parts must be present")
	}
	if _, err := m.validated(); err != nil {
		t.Errorf("the rendered message does not validate: %v", err)
	}
}

func TestUnreadReasons(t *testing.T) {
	cases := []struct{ reason, want string }{
		{"unread", "You have replies you have not read yet in your conversation with Shop:"},
		{"closed", "Your conversation with Shop was closed."},
		{"snoozed", "Shop will follow up on your conversation later."},
		{"transferred", "was passed to a colleague"},
	}
	for _, c := range cases {
		u := unread()
		u.SiteName, u.Reason = "Shop", c.reason
		m, err := u.Message()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(m.Text, c.want) || !strings.Contains(m.HTML, c.want) {
			t.Errorf("%s: both parts should say %q:\n%s", c.reason, c.want, m.Text)
		}
	}
	u := unread()
	u.Replies, u.ResumeURL = u.Replies[:1], ""
	m, err := u.Message()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(m.Subject, "New reply from") || strings.Contains(m.HTML, "href") {
		t.Errorf("one reply without a link: subject %q, html %s", m.Subject, m.HTML)
	}
}

func TestUnreadRefuses(t *testing.T) {
	cases := map[string]func(*Unread){
		"no replies":        func(u *Unread) { u.Replies = nil },
		"no recipients":     func(u *Unread) { u.To = nil },
		"javascript link":   func(u *Unread) { u.ResumeURL = "javascript:alert(1)" },
		"link without host": func(u *Unread) { u.ResumeURL = "https:///x" },
	}
	for name, mutate := range cases {
		u := unread()
		mutate(&u)
		if _, err := u.Message(); !livehelp.IsCode(err, livehelp.EINVALID) {
			t.Errorf("%s: err = %v, want invalid", name, err)
		}
	}
}
