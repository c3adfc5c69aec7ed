package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/livehelp/livehelp/shared/auth"
)

var pathParam = regexp.MustCompile(`\{[a-z]+\}`)

// routePath turns a route pattern into a method and a concrete path.
func routePath(pattern string) (string, string) {
	method, path, _ := strings.Cut(pattern, " ")
	return method, pathParam.ReplaceAllString(path, "x1")
}

// TestEveryEndpointRefusesBadSessions walks the route table: every route
// but login and config answers 401 unauthorized to a missing, expired,
// tampered, foreign-kind or revoked session token.
func TestEveryEndpointRefusesBadSessions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	good := e.login("ada@example.com")
	revoked := e.login("otto@example.com")
	if code, _ := e.do("POST", "/v1/console/logout", revoked, nil); code != http.StatusNoContent {
		t.Fatalf("logout = %d", code)
	}
	signer, err := e.h.keys.Signer(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// A token signed an hour ago for 10 minutes, on a live session.
	past := auth.NewSigner(mustKey(t, e), func() time.Time { return e.now.Add(-time.Hour) })
	claims := sessionClaims(t, signer, good)
	expired := past.Sign(auth.KindSession, claims, 10*time.Minute)
	payload, sig, _ := strings.Cut(good, ".")
	tampered := payload + "." + flip(sig)
	forged := flip(payload) + "." + sig
	visitorKind := signer.Sign(auth.KindVisitor, claims, time.Hour)

	bad := map[string]string{"missing": "", "expired": expired, "tampered signature": tampered, "tampered payload": forged,
		"visitor token": visitorKind, "logged out": revoked, "garbage": "not-a-token"}
	checked := 0
	for _, rt := range e.h.routes {
		if rt.access == public {
			continue
		}
		method, path := routePath(rt.pattern)
		for name, tok := range bad {
			code, body := e.do(method, path, tok, map[string]any{})
			if c, _ := errorOf(body); code != http.StatusUnauthorized || c != "unauthorized" {
				t.Errorf("%s %s with %s token = %d %v, want 401 unauthorized", method, path, name, code, body)
			}
		}
		checked++
	}
	if checked < 30 {
		t.Errorf("only %d routes checked; the route table looks incomplete", checked)
	}
	// The good token still works, so the refusals above were about the tokens.
	if code, body := e.do("GET", "/v1/console/me", good, nil); code != http.StatusOK {
		t.Fatalf("me with a good token = %d %v", code, body)
	}
	// A bad API key is refused on the route that takes keys.
	w := e.raw("POST", "/v1/console/calls", "", map[string]any{}, http.Header{"X-Api-Key": {"lhk_0123456789abcdef_" + strings.Repeat("0", 32)}})
	if w.Code != http.StatusUnauthorized {
		t.Errorf("bad API key = %d %s", w.Code, w.Body)
	}
}

// TestOperatorCannotUseAdminEndpoints: every admin route answers 403 to an
// operator and not 401/403 to an admin.
func TestOperatorCannotUseAdminEndpoints(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	otto, ada := e.login("otto@example.com"), e.login("ada@example.com")
	n := 0
	for _, rt := range e.h.routes {
		if rt.access != admin {
			continue
		}
		n++
		method, path := routePath(rt.pattern)
		code, body := e.do(method, path, otto, map[string]any{})
		if c, _ := errorOf(body); code != http.StatusForbidden || c != "forbidden" {
			t.Errorf("operator: %s %s = %d %v, want 403 forbidden", method, path, code, body)
		}
		if code, _ := e.do(method, path, ada, map[string]any{}); code == http.StatusForbidden || code == http.StatusUnauthorized {
			t.Errorf("admin: %s %s = %d", method, path, code)
		}
	}
	if n < 10 {
		t.Errorf("only %d admin routes", n)
	}
}

func TestLoginRateLimits(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for i := 0; i < 5; i++ {
		code, _ := e.do("POST", "/v1/console/login", "", map[string]string{"email": "ada@example.com", "password": "wrong password!"})
		if code != http.StatusUnauthorized {
			t.Fatalf("attempt %d = %d, want 401", i+1, code)
		}
	}
	code, body := e.do("POST", "/v1/console/login", "", map[string]string{"email": "ADA@example.com", "password": testPassword})
	if c, _ := errorOf(body); code != http.StatusTooManyRequests || c != "rate_limited" {
		t.Fatalf("6th attempt (right password) = %d %v, want 429 rate_limited", code, body)
	}
	// Another address is not affected; the window passes and Ada may try again.
	e.login("otto@example.com")
	*e.now = e.now.Add(time.Minute)
	e.login("ada@example.com")

	code, body = e.do("POST", "/v1/console/login", "", map[string]string{"email": "", "password": ""})
	if c, f := errorOf(body); code != http.StatusBadRequest || c != "invalid" || f["email"] == nil || f["password"] == nil {
		t.Errorf("empty login = %d %v", code, body)
	}
}

// TestLoginFromCapturedEvent drives the handler the way Lambda does, with a
// captured API Gateway proxy event.
func TestLoginFromCapturedEvent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	raw, err := os.ReadFile("testdata/post-login.json")
	if err != nil {
		t.Fatal(err)
	}
	var ev events.APIGatewayProxyRequest
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	resp, err := httpadapter.New(e.h).ProxyWithContext(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
	}
	var body struct {
		Token    string       `json:"token"`
		Operator operatorView `json:"operator"`
	}
	if err := json.Unmarshal([]byte(resp.Body), &body); err != nil {
		t.Fatal(err)
	}
	if body.Operator.ID != "op-ada" || body.Operator.Role != "admin" || body.Token == "" {
		t.Errorf("login answered %+v", body)
	}
	if code, _ := e.do("GET", "/v1/console/summary", body.Token, nil); code != http.StatusOK {
		t.Errorf("the token from the event does not work: %d", code)
	}
}

func mustKey(t *testing.T, e *env) []byte {
	t.Helper()
	k, err := e.st.SigningKey(context.Background(), "tokens", auth.NewKey)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func sessionClaims(t *testing.T, s *auth.Signer, tok string) auth.Claims {
	t.Helper()
	c, err := s.Verify(auth.KindSession, tok)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// flip changes the first character of s.
func flip(s string) string {
	if s[0] == 'A' {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}
