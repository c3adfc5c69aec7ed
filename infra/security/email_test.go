package security_test

import (
	"context"
	"net/http"
	"net/mail"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/livehelp/livehelp/infra/bench/chatclient"
	"github.com/livehelp/livehelp/infra/devstack/sesmail"
	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

// injections are header tricks put in every field that may end up in an
// email: a visitor's name and address, a subject, an operator's name.
var injections = []string{
	"\r\nBcc: evil@evil.example",
	"\nBcc: evil@evil.example",
	"\rBcc: evil@evil.example",
	"\r\nContent-Type: text/html\r\n\r\n<script>alert(1)</script>",
	"\u2028Bcc: evil@evil.example",
	"=?utf-8?q?x=0D=0ABcc:_evil@evil.example?=",
}

// TestNoHeaderInjection pushes CR/LF and MIME tricks through every way
// into an email (the offline form, the console's <add email>, an
// operator's name, a reply's subject) and checks that each is refused or
// cleaned: no captured email has an extra recipient, and every header
// value is one line.
func TestNoHeaderInjection(t *testing.T) {
	t.Parallel()
	s := sharedStack(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ts := newSite(ctx, t, s, "sec-mail", false, livehelp.RoleOperator)
	client := chatclient.FromAddr("127.0.0.7")
	tok, visitor := ts.visitorToken(ctx, t)
	const victim = "dana@sec-mail.example"

	// The form refuses an address carrying headers, and cleans names.
	forms := []openedForm{openForm(ctx, t, client, ts), openForm(ctx, t, client, ts)}
	waitFill(forms...)
	for _, inj := range injections {
		status, body := postForm(ctx, t, client, ts, tok, formMessage(forms[0], victim+inj, ""))
		if code, fields := apiError(body); status != http.StatusBadRequest || code != "invalid" || fields["email"] == "" {
			t.Errorf("form email %q: %d %s, want 400 with fields.email", victim+inj, status, body)
		}
	}
	msg := formMessage(forms[1], victim, "")
	msg["name"], msg["subject"] = "Dana"+injections[0], "Hello"+injections[3]
	if status, body := postForm(ctx, t, client, ts, tok, msg); status != http.StatusCreated && status != http.StatusBadRequest {
		t.Fatalf("form with tricks in name and subject: %d %s", status, body)
	}
	if err := s.Store.TouchProfile(ctx, store.ProfileUpdate{Site: ts.id, Visitor: visitor, Email: victim}); err != nil {
		t.Fatal(err)
	}

	// The console refuses such an address, and cleans or refuses names
	// and subjects.
	for _, inj := range injections {
		status, body, err := chatclient.Do(ctx, http.MethodPost, s.RestURL+"/v1/console/visitors/"+visitor+"/emails", "", ts.tokens[0],
			map[string]string{"email": victim + inj})
		if err != nil {
			t.Fatal(err)
		}
		if status != http.StatusBadRequest {
			t.Errorf("add email %q: %d %s, want 400", victim+inj, status, body)
		}
	}
	for i, inj := range injections {
		if status, body, err := chatclient.Do(ctx, http.MethodPatch, s.RestURL+"/v1/console/me", "", ts.tokens[0],
			map[string]string{"name": "Operator" + inj}); err != nil || (status != http.StatusOK && status != http.StatusBadRequest) {
			t.Fatalf("rename: %d %s %v", status, body, err)
		}
		status, body, err := chatclient.Do(ctx, http.MethodPost, s.RestURL+"/v1/console/visitors/"+visitor+"/replies", "", ts.tokens[0],
			map[string]string{"to": victim, "subject": "Re: parcel" + inj, "text": "Hello" + inj, "client_id": "inj-" + string(rune('a'+i))})
		if err != nil {
			t.Fatal(err)
		}
		if status != http.StatusOK && status != http.StatusCreated && status != http.StatusBadRequest {
			t.Errorf("reply with %q: %d %s", inj, status, body)
		}
	}

	mails := mailTo(s.Mail.Messages(), victim)
	if len(mails) == 0 {
		t.Fatal("no reply reached the mail capture: the test checked nothing")
	}
	for _, m := range mails {
		checkHeaders(t, m, victim)
	}
}

// mailTo returns the captured messages with rcpt among their recipients.
func mailTo(all []sesmail.Message, rcpt string) []sesmail.Message {
	var out []sesmail.Message
	for _, m := range all {
		if slices.Contains(m.To, rcpt) || slices.Contains(m.Cc, rcpt) || slices.Contains(m.Bcc, rcpt) {
			out = append(out, m)
		}
	}
	return out
}

// checkHeaders checks one captured email: the only recipient is rcpt and
// every header value is one line without an injected header.
func checkHeaders(t *testing.T, m sesmail.Message, rcpt string) {
	t.Helper()
	recipients := append(append(append(append([]string(nil), m.To...), m.Cc...), m.Bcc...), m.ReplyTo...)
	if !slices.Equal(recipients, []string{rcpt}) {
		t.Errorf("email %s went to %v, want only %s", m.ID, recipients, rcpt)
	}
	for name, v := range map[string]string{"Subject": m.Subject, "From": m.From} {
		if strings.ContainsAny(v, "\r\n\u2028\u2029\u0085") || strings.Contains(strings.ToLower(v), "bcc:") && strings.ContainsAny(v, "\r\n") {
			t.Errorf("email %s: %s %q spans lines", m.ID, name, v)
		}
	}
	if from, err := mail.ParseAddress(m.From); err != nil || strings.Contains(from.Address, "evil") {
		t.Errorf("email %s: From %q is not one sender address (%v)", m.ID, m.From, err)
	}
	if m.Raw != "" {
		msg, err := mail.ReadMessage(strings.NewReader(m.Raw))
		if err != nil {
			t.Errorf("email %s: raw message does not parse: %v", m.ID, err)
			return
		}
		if msg.Header.Get("Bcc") != "" || msg.Header.Get("Cc") != "" || len(msg.Header["Content-Type"]) > 1 {
			t.Errorf("email %s: raw headers carry an injection: %v", m.ID, msg.Header)
		}
	}
}
