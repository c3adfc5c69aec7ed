package security_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/livehelp/livehelp/infra/bench/chatclient"
	"github.com/livehelp/livehelp/shared/livehelp"
)

// TestOfflineRateLimits floods the offline form from one address and with
// one email address: past each limit the answer is 429 rate_limited, and a
// visitor at another address, or with another email address, still gets
// through.
func TestOfflineRateLimits(t *testing.T) {
	t.Parallel()
	s := sharedStack(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ts := newSite(ctx, t, s, "sec-limits", false)
	const perIP, perEmail = 5, 5 // functions/offline/API.md: 5 per 10 minutes per address, 5 per hour per email

	// One address, distinct emails.
	flood := chatclient.FromAddr("127.0.0.4")
	tok, _ := ts.visitorToken(ctx, t)
	var forms []openedForm
	for range perIP + 1 {
		forms = append(forms, openForm(ctx, t, flood, ts))
	}
	bystander := chatclient.FromAddr("127.0.0.5")
	bystanderForm := openForm(ctx, t, bystander, ts)
	// One email, distinct addresses.
	var sameEmail []*http.Client
	var emailForms []openedForm
	for i := range perEmail + 1 {
		c := chatclient.FromAddr(fmt.Sprintf("127.0.0.%d", 20+i))
		sameEmail, emailForms = append(sameEmail, c), append(emailForms, openForm(ctx, t, c, ts))
	}
	waitFill(append(append(forms, bystanderForm), emailForms...)...)

	var got []int
	for i, f := range forms {
		status, _ := postForm(ctx, t, flood, ts, tok, formMessage(f, fmt.Sprintf("flood%d@sec-limits.example", i), ""))
		got = append(got, status)
	}
	checkLimited(t, "one address", got, perIP)
	if status, body := postForm(ctx, t, bystander, ts, tok, formMessage(bystanderForm, "bystander@sec-limits.example", "")); status != http.StatusCreated {
		t.Errorf("a visitor at another address: %d %s, want 201", status, body)
	}

	got = nil
	for i, c := range sameEmail {
		status, _ := postForm(ctx, t, c, ts, tok, formMessage(emailForms[i], "same@sec-limits.example", ""))
		got = append(got, status)
	}
	checkLimited(t, "one email address", got, perEmail)
}

// checkLimited wants n answers 201, then one 429.
func checkLimited(t *testing.T, what string, got []int, n int) {
	t.Helper()
	want := make([]int, n+1)
	for i := range n {
		want[i] = http.StatusCreated
	}
	want[n] = http.StatusTooManyRequests
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s: answers %v, want %v", what, got, want)
	}
}

// TestLoginRateLimit guesses one operator's password until the limit:
// then even the right password is refused with 429 for that account,
// while another operator at the same address logs in.
func TestLoginRateLimit(t *testing.T) {
	t.Parallel()
	s := sharedStack(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ts := newSite(ctx, t, s, "sec-login", false, livehelp.RoleOperator, livehelp.RoleOperator)
	attacker := chatclient.FromAddr("127.0.0.12")
	login := func(c *http.Client, email, password string) (int, string) {
		status, body, err := chatclient.DoWith(ctx, c, http.MethodPost, s.RestURL+"/v1/console/login", "", "",
			map[string]string{"email": email, "password": password})
		if err != nil {
			t.Fatal(err)
		}
		code, _ := apiError(body)
		return status, code
	}
	const perEmail = 10 // functions/console: 10 attempts per 15 minutes per email address
	victim, other := ts.creds[0], ts.creds[1]
	for i := range perEmail - 1 { // newSite logged in once: every attempt counts

		if status, code := login(attacker, victim.Email, fmt.Sprintf("guess %d", i)); status != http.StatusUnauthorized || code != "unauthorized" {
			t.Fatalf("guess %d: %d %s, want 401", i, status, code)
		}
	}
	if status, code := login(attacker, victim.Email, "guess again"); status != http.StatusTooManyRequests || code != "rate_limited" {
		t.Errorf("guess over the limit: %d %s, want 429 rate_limited", status, code)
	}
	if status, _ := login(attacker, victim.Email, victim.Password); status != http.StatusTooManyRequests {
		t.Errorf("the right password over the limit: %d, want 429", status)
	}
	if status, _ := login(chatclient.FromAddr("127.0.0.13"), victim.Email, victim.Password); status != http.StatusTooManyRequests {
		t.Errorf("the right password from another address over the limit: %d, want 429 (the limit is per account)", status)
	}
	if status, _ := login(attacker, other.Email, other.Password); status != http.StatusOK {
		t.Errorf("another operator at the same address: %d, want 200", status)
	}
}
