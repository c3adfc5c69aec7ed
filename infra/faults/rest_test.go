package faults_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/livehelp/livehelp/infra/bench/chatclient"
	"github.com/livehelp/livehelp/infra/devstack/stack"
)

// restTry sends one REST request until it gets an answer below 500,
// retrying transport errors and server errors with the same body, as the
// widget and the console do. It returns the last status and body.
func restTry(ctx context.Context, method, u, origin, bearer string, body any) (int, []byte, error) {
	var (
		status int
		data   []byte
		err    error
	)
	for range attempts {
		actx, cancel := context.WithTimeout(ctx, attemptTimeout)
		status, data, err = chatclient.Do(actx, method, u, origin, bearer, body)
		cancel()
		if err == nil && status < 500 {
			return status, data, nil
		}
		if ctx.Err() != nil {
			break
		}
		time.Sleep(300 * time.Millisecond)
	}
	if err == nil {
		err = fmt.Errorf("%s %s: %d %s", method, u, status, data)
	}
	return status, data, err
}

// offlineForm leaves a message through the offline form as the widget
// does: open the form (form token), wait the minimum fill time, post with
// a client id, and post again with the same id while the answer is an
// error of ours or lost. An acknowledged message goes into the ledger.
func offlineForm(ctx context.Context, s *stack.Stack, l *ledger, site, token, visitor, email, marker string) error {
	base := s.RestURL + "/v1/sites/" + url.PathEscape(site)
	status, data, err := restTry(ctx, http.MethodGet, base+"/captcha", s.DemoOrigin, "", nil)
	if err != nil || status != http.StatusOK {
		return fmt.Errorf("open form: %d %s %v", status, data, err)
	}
	var form struct {
		FormToken  string `json:"form_token"`
		MinSeconds int    `json:"min_seconds"`
		Captcha    bool   `json:"captcha"`
	}
	if err := json.Unmarshal(data, &form); err != nil || form.Captcha {
		return fmt.Errorf("form %s: %v (the fault test's site has spam protection off)", data, err)
	}
	time.Sleep(time.Duration(form.MinSeconds)*time.Second + 300*time.Millisecond)
	text := "Offline message " + marker
	body := map[string]string{"name": "Visitor " + marker, "email": email, "subject": "About " + marker,
		"message": text, "client_id": "form-" + visitor[:8], "form_token": form.FormToken}
	status, data, err = restTry(ctx, http.MethodPost, base+"/messages", s.DemoOrigin, token, body)
	if err != nil {
		return err
	}
	if status != http.StatusCreated && status != http.StatusOK {
		return fmt.Errorf("%w: post form: %d %s", errPermanent, status, data)
	}
	var out struct {
		Conversation struct{ ID string } `json:"conversation"`
		Message      struct {
			Seq      int64  `json:"seq"`
			ClientID string `json:"client_id"`
		} `json:"message"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return err
	}
	l.add(ack{kind: "offline", conv: out.Conversation.ID, sender: "visitor", clientID: out.Message.ClientID, seq: out.Message.Seq, text: marker})
	return nil
}

// consoleReply answers a visitor by email from the console, retrying with
// the same client id while the answer is an error of ours or lost. An
// answered reply goes into the ledger.
func consoleReply(ctx context.Context, s *stack.Stack, l *ledger, opToken, visitor, email, marker string) error {
	u := s.RestURL + "/v1/console/visitors/" + url.PathEscape(visitor) + "/replies"
	body := map[string]string{"to": email, "subject": "Reply " + marker, "text": "Our answer " + marker, "client_id": "reply-" + visitor[:8]}
	status, data, err := restTry(ctx, http.MethodPost, u, "", opToken, body)
	if err != nil {
		return err
	}
	if status == http.StatusConflict {
		// An earlier attempt got no answer from SES and may be out: the
		// console refuses to send it again. Not acknowledged, so neither
		// lost nor duplicated whichever way SES went.
		return nil
	}
	if status != http.StatusOK && status != http.StatusCreated {
		return fmt.Errorf("%w: reply: %d %s", errPermanent, status, data)
	}
	l.add(ack{kind: "reply", conv: visitor, sender: "console", clientID: body["client_id"], text: marker})
	return nil
}
