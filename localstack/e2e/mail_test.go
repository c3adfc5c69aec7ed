package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// mailWait bounds how long a sent mail may take to show in the reader.
const mailWait = 60 * time.Second

// offlineForm opens the offline form as the widget does (GET
// /v1/sites/{site}/captcha: a form token, the minimum fill time and, with
// spam protection on, a CAPTCHA the suite cannot solve).
type offlineForm struct {
	FormToken  string `json:"form_token"`
	MinSeconds int    `json:"min_seconds"`
	Captcha    bool   `json:"captcha"`
}

func TestOfflineMessage(t *testing.T) {
	tg := need(t)
	api := NewAPI(tg.RestURL)
	ctx := within(t, 2*time.Minute)
	v, err := api.NewVisitor(ctx, tg.Site)
	if err != nil {
		t.Fatal(err)
	}
	site := "/v1/sites/" + url.PathEscape(tg.Site)
	var form offlineForm
	r, err := api.Do(ctx, http.MethodGet, site+"/captcha", v.Token, nil, &form)
	if err != nil {
		t.Fatal(err)
	}
	if r.Pending() {
		pending(t, "offline form (GET /v1/sites/{site}/captcha answers No such route.)")
	}
	if r.Status != http.StatusOK || form.FormToken == "" {
		t.Fatalf("open the form: HTTP %d %+v %+v", r.Status, r.Err, form)
	}
	if form.Captcha {
		t.Fatalf("site %s has spam protection on; the suite needs a test site without it (livehelpctl site set --id %s --spam-protection=false)", tg.Site, tg.Site)
	}
	subject := "E2E offline " + randomID()
	msg := map[string]string{"name": "E2E Visitor", "email": tg.MailTo, "subject": subject,
		"message": "Please call me back.", "client_id": "e2e-" + randomID(), "form_token": form.FormToken}

	// Bad input: every field is checked and named, nothing is stored.
	bad := map[string]string{"name": "", "email": "not-an-address", "subject": "", "message": "", "client_id": "e2e-" + randomID(), "form_token": form.FormToken}
	if r, err = api.Do(ctx, http.MethodPost, site+"/messages", v.Token, bad, nil); err != nil {
		t.Fatal(err)
	}
	if r.Status != http.StatusBadRequest || r.Err.Code != "invalid" || r.Err.Fields["email"] == "" || r.Err.Fields["message"] == "" {
		t.Errorf("an empty form: HTTP %d %+v, want 400 invalid naming email and message", r.Status, r.Err)
	}
	// A person takes a few seconds to fill the form; faster is a bot.
	time.Sleep(time.Duration(form.MinSeconds)*time.Second + 200*time.Millisecond)
	var sent struct {
		Conversation struct {
			ID string `json:"id"`
		} `json:"conversation"`
		Item      string `json:"item"`
		Duplicate bool   `json:"duplicate"`
	}
	if r, err = api.Do(ctx, http.MethodPost, site+"/messages", v.Token, msg, &sent); err != nil || r.Status != http.StatusCreated || sent.Item == "" {
		t.Fatalf("offline message: %+v %v %+v; want 201 with the board item", r, err, sent)
	}
	first := sent.Item
	// A retry (same client id) stores nothing twice.
	if r, err = api.Do(ctx, http.MethodPost, site+"/messages", v.Token, msg, &sent); err != nil || r.Status != http.StatusOK || !sent.Duplicate || sent.Item != first {
		t.Errorf("retry: %+v %v %+v; want 200, duplicate, item %s", r, err, sent, first)
	}

	op := onlineOperator(t)
	eventually(t, 30*time.Second, func() string {
		var q struct {
			Items []struct {
				ID      string `json:"id"`
				Visitor string `json:"visitor"`
				Subject string `json:"subject"`
			} `json:"items"`
			Msg int `json:"msg"`
		}
		op.console(t, http.MethodGet, "/v1/console/messages?unanswered=1&limit=100", nil, &q)
		var ids []string
		for _, it := range q.Items {
			if it.Subject == subject {
				ids = append(ids, it.ID)
				if it.Visitor != v.ID {
					return fmt.Sprintf("the message is on visitor %s's board, want %s", it.Visitor, v.ID)
				}
			}
		}
		if !slices.Equal(ids, []string{first}) || q.Msg < 1 {
			return fmt.Sprintf("the unanswered messages with subject %q are %v (MSG %d), want exactly [%s]", subject, ids, q.Msg, first)
		}
		return ""
	})
	// Answered: the operator closes it.
	if r := op.console(t, http.MethodPatch, "/v1/console/visitors/"+url.PathEscape(v.ID)+"/board/"+url.PathEscape(first),
		map[string]bool{"closed": true}, nil); r.Status != http.StatusOK {
		t.Errorf("close the message: HTTP %d %+v", r.Status, r.Err)
	}
}

func TestReplyByEmail(t *testing.T) {
	c := startChat(t)
	tg := target
	r := c.op.console(t, http.MethodPost, "/v1/console/visitors/"+url.PathEscape(c.visitor.ID)+"/emails", map[string]string{"email": tg.MailTo}, nil)
	if r.Pending() {
		pending(t, "visitor emails in the console (POST /v1/console/visitors/{visitor}/emails)")
	}
	if r.Status != http.StatusOK {
		t.Fatalf("add the visitor's email: HTTP %d %+v", r.Status, r.Err)
	}
	subject := "E2E reply " + randomID()
	text := "Thanks for writing.\n\nThis reply comes from the e2e suite."
	var out struct {
		Item struct {
			Kind   string   `json:"kind"`
			Status string   `json:"status"`
			To     []string `json:"to"`
		} `json:"item"`
	}
	r = c.op.console(t, http.MethodPost, "/v1/console/visitors/"+url.PathEscape(c.visitor.ID)+"/replies",
		map[string]string{"to": tg.MailTo, "subject": subject, "text": text, "client_id": "e2e-" + randomID()}, &out)
	if r.Pending() {
		pending(t, "console replies (POST /v1/console/visitors/{visitor}/replies)")
	}
	if r.Status != http.StatusOK || out.Item.Kind != "reply" || out.Item.Status != "sent" || !slices.Contains(out.Item.To, strings.ToLower(tg.MailTo)) {
		t.Fatalf("reply: HTTP %d %+v %+v; want a reply sent to %s (SES accepted it)", r.Status, r.Err, out.Item, tg.MailTo)
	}
	if tg.Mail == nil {
		t.Logf("no %s: SES accepted the reply; its delivery is not checked", EnvMailURL)
		return
	}
	eventually(t, mailWait, func() string {
		mails, err := tg.Mail.MailTo(within(t, 15*time.Second), tg.MailTo)
		if err != nil {
			return err.Error()
		}
		for _, m := range mails {
			if strings.Contains(m.Subject, subject) {
				if !strings.Contains(m.Text, "This reply comes from the e2e suite.") {
					return fmt.Sprintf("the mail %q lacks the reply text: %q", m.Subject, m.Text)
				}
				return ""
			}
		}
		return fmt.Sprintf("no mail to %s with subject %q among %d", tg.MailTo, subject, len(mails))
	})
}
