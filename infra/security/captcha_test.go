package security_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/livehelp/livehelp/infra/bench/chatclient"
	"github.com/livehelp/livehelp/shared/livehelp"
)

// answer reads a challenge's solution from the table, as only the server
// can: the test's oracle.
func answer(ctx context.Context, t *testing.T, ts *testSite, f openedForm) string {
	t.Helper()
	if !f.Captcha || f.ID == "" {
		t.Fatalf("the form of a site with spam protection has no CAPTCHA: %+v", f)
	}
	d, err := ts.s.Store.CaptchaDigits(ctx, ts.id, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, len(d))
	for i, v := range d {
		b[i] = '0' + v
	}
	return string(b)
}

// withCaptcha is a form message with a challenge and an answer.
func withCaptcha(m map[string]string, id, answer string) map[string]string {
	m["captcha_id"], m["captcha"] = id, answer
	return m
}

// TestCaptchaSingleUse: a solved challenge admits one message (and the
// retries of that same message), never a second one; a wrong answer
// burns the challenge; a used challenge's image is gone.
func TestCaptchaSingleUse(t *testing.T) {
	t.Parallel()
	s := sharedStack(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ts := newSite(ctx, t, s, "sec-captcha", true)
	client := chatclient.FromAddr("127.0.0.3")
	tok, _ := ts.visitorToken(ctx, t)
	first, burnt := openForm(ctx, t, client, ts), openForm(ctx, t, client, ts)
	waitFill(first, burnt)
	right := answer(ctx, t, ts, first)

	msg := withCaptcha(formMessage(first, "one@sec-captcha.example", "captcha-1"), first.ID, right)
	if status, body := postForm(ctx, t, client, ts, tok, msg); status != http.StatusCreated {
		t.Fatalf("the right answer: %d %s, want 201", status, body)
	}
	if status, body := postForm(ctx, t, client, ts, tok, msg); status != http.StatusOK || !strings.Contains(string(body), `"duplicate":true`) {
		t.Errorf("a retry of the same message: %d %s, want 200 duplicate", status, body)
	}
	second := withCaptcha(formMessage(first, "two@sec-captcha.example", "captcha-2"), first.ID, right)
	if status, body := postForm(ctx, t, client, ts, tok, second); status != http.StatusBadRequest || !hasField(body, "captcha") {
		t.Errorf("a second message with the used answer: %d %s, want 400 on captcha", status, body)
	}
	otherTok, _ := ts.visitorToken(ctx, t)
	if status, body := postForm(ctx, t, client, ts, otherTok, withCaptcha(formMessage(first, "three@sec-captcha.example", "captcha-1"), first.ID, right)); status != http.StatusBadRequest {
		t.Errorf("another visitor replaying the solved challenge with the same client id: %d %s, want 400", status, body)
	}
	if status, _, err := chatclient.DoWith(ctx, client, http.MethodGet, s.RestURL+first.Image, s.DemoOrigin, "", nil); err != nil || status != http.StatusNotFound {
		t.Errorf("the used challenge's image: %d %v, want 404", status, err)
	}

	good := answer(ctx, t, ts, burnt)
	wrong := []byte(good)
	wrong[0] = '0' + (wrong[0]-'0'+1)%10
	if status, body := postForm(ctx, t, client, ts, tok, withCaptcha(formMessage(burnt, "four@sec-captcha.example", ""), burnt.ID, string(wrong))); status != http.StatusBadRequest || !hasField(body, "captcha") {
		t.Errorf("a wrong answer: %d %s, want 400 on captcha", status, body)
	}
	if status, body := postForm(ctx, t, client, ts, tok, withCaptcha(formMessage(burnt, "four@sec-captcha.example", ""), burnt.ID, good)); status != http.StatusBadRequest || !hasField(body, "captcha") {
		t.Errorf("the right answer after a wrong one: %d %s, want 400 (the challenge is burnt)", status, body)
	}
	if status, body := postForm(ctx, t, client, ts, tok, formMessage(burnt, "five@sec-captcha.example", "")); status != http.StatusBadRequest || !hasField(body, "captcha") {
		t.Errorf("no answer on a protected site: %d %s, want 400 on captcha", status, body)
	}
}

// hasField reports whether an error body names field.
func hasField(body []byte, field string) bool {
	code, fields := apiError(body)
	return code == livehelp.EINVALID && fields[field] != ""
}

// formIDs numbers offline messages' client ids across tests.
var formIDs atomic.Int64

// openedForm is the answer to GET …/captcha: the form token and, with spam
// protection on, a challenge.
type openedForm struct {
	FormToken  string `json:"form_token"`
	MinSeconds int    `json:"min_seconds"`
	Captcha    bool   `json:"captcha"`
	ID         string `json:"id"`
	Image      string `json:"image"`
}

// openForm opens the offline form from client (its address counts for the
// rate limits).
func openForm(ctx context.Context, t *testing.T, client *http.Client, ts *testSite) openedForm {
	t.Helper()
	status, body, err := chatclient.DoWith(ctx, client, http.MethodGet, ts.s.RestURL+"/v1/sites/"+ts.id+"/captcha", ts.s.DemoOrigin, "", nil)
	if err != nil || status != http.StatusOK {
		t.Fatalf("open form: %d %s %v", status, body, err)
	}
	var f openedForm
	if err := json.Unmarshal(body, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

// waitFill waits out the forms' minimum fill time.
func waitFill(forms ...openedForm) {
	longest := 0
	for _, f := range forms {
		longest = max(longest, f.MinSeconds)
	}
	time.Sleep(time.Duration(longest)*time.Second + 200*time.Millisecond)
}

// formMessage is the body of POST …/messages.
func formMessage(f openedForm, email, clientID string) map[string]string {
	if clientID == "" {
		clientID = fmt.Sprintf("sec-form-%d", formIDs.Add(1))
	}
	return map[string]string{"name": "Dana", "email": email, "subject": "A question", "message": "Where is my parcel?",
		"client_id": clientID, "form_token": f.FormToken}
}

// postForm posts an offline message as the visitor holding token, from
// client, and returns the status and body.
func postForm(ctx context.Context, t *testing.T, client *http.Client, ts *testSite, token string, body map[string]string) (int, []byte) {
	t.Helper()
	status, data, err := chatclient.DoWith(ctx, client, http.MethodPost, ts.s.RestURL+"/v1/sites/"+ts.id+"/messages", ts.s.DemoOrigin, token, body)
	if err != nil {
		t.Fatal(err)
	}
	return status, data
}
