package email_test

import (
	"context"
	"net/mail"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/livehelp/livehelp/shared/email"
	"github.com/livehelp/livehelp/shared/livehelp"
)

// headerBreakers are the characters that end or fold a header line in some
// mail software.
const headerBreakers = "\r\n\u0085\u2028\u2029"

// FuzzParseAddress checks the address rule on any input: an accepted
// address is trimmed, one bare address (no display name, no group), without
// CR, LF or other control characters, at most 254 bytes, and accepted again
// unchanged; a refusal is EINVALID with an "email" field.
func FuzzParseAddress(f *testing.F) {
	for _, s := range []string{"dana@example.org", " dana@example.org ", "Dana <dana@example.org>", "dana@example.org\r\nBcc: x@evil.example",
		"a@b", "a@b.c", `"a b"@example.org`, "undisclosed-recipients:;", "=?utf-8?q?x?=@example.org", "a@[127.0.0.1]", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := email.ParseAddress(s)
		if err != nil {
			if livehelp.ErrorCode(err) != livehelp.EINVALID || livehelp.ErrorFields(err)["email"] == "" {
				t.Fatalf("ParseAddress(%q) refused with %v, want invalid with an email field", s, err)
			}
			return
		}
		if got != strings.TrimSpace(s) || len(got) > 254 || strings.ContainsFunc(got, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			t.Fatalf("ParseAddress(%q) = %q", s, got)
		}
		a, perr := mail.ParseAddress(got)
		if perr != nil || a.Name != "" || a.Address != got {
			t.Fatalf("ParseAddress(%q) accepted %q, which net/mail reads as %+v, %v", s, got, a, perr)
		}
		if again, err := email.ParseAddress(got); err != nil || again != got {
			t.Fatalf("ParseAddress is not stable on %q: %q, %v", got, again, err)
		}
	})
}

// FuzzHeaderSafe checks that any text becomes one header line: no line
// breaks or control characters, no leading, trailing or doubled spaces, at
// most 200 runes, and unchanged by a second pass.
func FuzzHeaderSafe(f *testing.F) {
	for _, s := range []string{"Hello", "Hi\r\nBcc: x@evil.example", "a\u2028b\u2029c\u0085d", "  lots   of\tspace ", strings.Repeat("é", 300), "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := email.HeaderSafe(s)
		if strings.ContainsAny(got, headerBreakers) || strings.ContainsFunc(got, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			t.Fatalf("HeaderSafe(%q) = %q keeps a line break or control character", s, got)
		}
		if utf8.RuneCountInString(got) > 200 || got != strings.TrimSpace(got) || strings.Contains(got, "  ") {
			t.Fatalf("HeaderSafe(%q) = %q: too long or badly spaced", s, got)
		}
		if again := email.HeaderSafe(got); again != got {
			t.Fatalf("HeaderSafe is not stable: %q then %q", got, again)
		}
	})
}

// captureAPI records the SendEmail requests a Sender makes.
type captureAPI struct{ in []*sesv2.SendEmailInput }

// SendEmail implements email.SendAPI.
func (c *captureAPI) SendEmail(_ context.Context, in *sesv2.SendEmailInput, _ ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	c.in = append(c.in, in)
	return &sesv2.SendEmailOutput{MessageId: aws.String("id")}, nil
}

// FuzzSendHeaders sends a message whose display name, subject, recipient
// and reply-to come from the fuzzer (a visitor's name, an operator's
// subject, an address typed in a form) and checks what reaches SES: every
// header value is one line, the sender is the configured address, and each
// address is one bare address that passed ParseAddress.
func FuzzSendHeaders(f *testing.F) {
	f.Add("Dana", "Your question", "dana@example.org", "")
	f.Add("Dana\r\nBcc: x@evil.example", "Hi\nContent-Type: text/html", "dana@example.org", "ops@example.org")
	f.Add("=?utf-8?b?PXNjcmlwdD4=?=", "a\u2028b", "dana@example.org\r\nCc: x@evil.example", "x@evil.example>, <y@evil.example")
	f.Add(`"Eve" <eve@evil.example>`, "", "dana@example.org", "Eve <eve@evil.example>")
	f.Fuzz(func(t *testing.T, name, subject, to, replyTo string) {
		api := &captureAPI{}
		s := email.New(api, "help@livehelp.example")
		m := email.Message{To: []string{to}, FromName: name, Subject: subject, Text: "text", HTML: "<p>html</p>"}
		if replyTo != "" {
			m.ReplyTo = []string{replyTo}
		}
		if _, err := s.Send(context.Background(), m); err != nil {
			if len(api.in) != 0 {
				t.Fatal("Send failed but called SES")
			}
			return
		}
		in := api.in[0]
		from, err := mail.ParseAddress(aws.ToString(in.FromEmailAddress))
		if err != nil || from.Address != "help@livehelp.example" {
			t.Fatalf("From %q (name %q) parses as %+v, %v; want the configured sender", aws.ToString(in.FromEmailAddress), name, from, err)
		}
		values := []string{aws.ToString(in.FromEmailAddress), aws.ToString(in.Content.Simple.Subject.Data)}
		addrs := append(append([]string(nil), in.Destination.ToAddresses...), in.ReplyToAddresses...)
		for _, v := range append(values, addrs...) {
			if strings.ContainsAny(v, headerBreakers) {
				t.Fatalf("header value %q carries a line break", v)
			}
		}
		for _, a := range addrs {
			if got, err := email.ParseAddress(a); err != nil || got != a {
				t.Fatalf("address %q reached SES without passing ParseAddress", a)
			}
		}
	})
}

// FuzzUnreadMessage renders the unread-replies email from fuzzed names and
// texts (a site's name, a visitor's name, operators' names and messages):
// it never fails for valid input, its subject is one line, and the
// operator's text appears in the plain part.
func FuzzUnreadMessage(f *testing.F) {
	f.Add("Shop", "Dana", "Operator\r\nBcc: x@evil.example", "Hello <script>alert(1)</script>", "unread")
	f.Add("Shop\nX-Evil: 1", "", "", "line one\nline two", "closed")
	f.Add("", "\u2028", "Op", "\x00", "snoozed")
	f.Fuzz(func(t *testing.T, site, visitor, operator, text, reason string) {
		u := email.Unread{To: []string{"dana@example.org"}, SiteName: site, VisitorName: visitor, Reason: reason,
			Replies:   []email.Reply{{Operator: operator, Text: text, Time: time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)}},
			ResumeURL: "https://shop.example/#livehelp=token", LinkDays: 30}
		m, err := u.Message()
		if err != nil {
			t.Fatalf("Message() = %v", err)
		}
		if strings.ContainsAny(m.Subject, headerBreakers) || strings.ContainsAny(m.FromName, headerBreakers) {
			t.Fatalf("subject %q or sender name %q carries a line break", m.Subject, m.FromName)
		}
		if strings.Contains(m.HTML, "<script>") {
			t.Fatalf("the HTML part carries a raw <script>: %q", m.HTML)
		}
	})
}
