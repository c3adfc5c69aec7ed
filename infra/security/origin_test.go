package security_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/livehelp/livehelp/infra/bench/chatclient"
	"github.com/livehelp/livehelp/shared/auth"
	"github.com/livehelp/livehelp/shared/livehelp"
)

// TestConnectRefuses attacks $connect: a handshake succeeds only with a
// valid token of the right kind for the right site, from an allowed
// origin (or from no browser at all).
func TestConnectRefuses(t *testing.T) {
	t.Parallel()
	s := sharedStack(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ts := newSite(ctx, t, s, "sec-origin", false, livehelp.RoleOperator, livehelp.RoleOperator)
	other := newSite(ctx, t, s, "sec-origin-other", false)
	vtok, _ := ts.visitorToken(ctx, t)
	otherTok, _ := other.visitorToken(ctx, t)
	expired := ts.signer.Sign(auth.KindVisitor, auth.Claims{Subject: auth.NewID(), Site: ts.id}, -time.Minute)
	resume := ts.signer.Sign(auth.KindResume, auth.Claims{Subject: auth.NewID(), Site: ts.id, Conversation: "c"}, time.Hour)
	revoked := ts.tokens[1]
	if status, _, err := chatclient.Do(ctx, http.MethodPost, s.RestURL+"/v1/console/logout", "", revoked, nil); err != nil || status != http.StatusNoContent {
		t.Fatalf("logout: %d %v", status, err)
	}
	visitor := func(site, token string) url.Values { return url.Values{"site": {site}, "token": {token}} }
	operator := func(token string) url.Values { return url.Values{"role": {"operator"}, "token": {token}} }
	tests := []struct {
		name   string
		query  url.Values
		origin string
		want   int
	}{
		{"visitor from the site", visitor(ts.id, vtok), s.DemoOrigin, http.StatusSwitchingProtocols},
		{"visitor from a foreign origin", visitor(ts.id, vtok), "https://evil.example", http.StatusForbidden},
		{"visitor from a null origin", visitor(ts.id, vtok), "null", http.StatusForbidden},
		{"visitor from a look-alike origin", visitor(ts.id, vtok), s.DemoOrigin + ".evil.example", http.StatusForbidden},
		{"visitor from another port", visitor(ts.id, vtok), "http://127.0.0.1:1", http.StatusForbidden},
		{"visitor without a token", url.Values{"site": {ts.id}}, s.DemoOrigin, http.StatusUnauthorized},
		{"visitor with a tampered token", visitor(ts.id, tamper(vtok)), s.DemoOrigin, http.StatusUnauthorized},
		{"visitor with an expired token", visitor(ts.id, expired), s.DemoOrigin, http.StatusUnauthorized},
		{"visitor token of another site", visitor(ts.id, otherTok), s.DemoOrigin, http.StatusUnauthorized},
		{"resume link as a visitor token", visitor(ts.id, resume), s.DemoOrigin, http.StatusUnauthorized},
		{"session token as a visitor token", visitor(ts.id, ts.tokens[0]), s.DemoOrigin, http.StatusUnauthorized},
		{"visitor token as an operator session", operator(vtok), "", http.StatusUnauthorized},
		{"operator console program", operator(ts.tokens[0]), "", http.StatusSwitchingProtocols},
		{"operator from a foreign origin", operator(ts.tokens[0]), "https://evil.example", http.StatusForbidden},
		{"operator with a tampered session", operator(tamper(ts.tokens[0])), "", http.StatusUnauthorized},
		{"operator after logout", operator(revoked), "", http.StatusUnauthorized},
		{"unknown role", url.Values{"role": {"admin"}, "token": {ts.tokens[0]}}, "", http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := dialStatus(ctx, t, s, tt.query, tt.origin); got != tt.want {
				t.Errorf("handshake answered %d, want %d", got, tt.want)
			}
		})
	}
}

// TestRESTRefusesForeignOrigins checks the widget's REST routes: a browser
// on another origin gets 403 and no CORS grant, preflight included.
func TestRESTRefusesForeignOrigins(t *testing.T) {
	t.Parallel()
	s := sharedStack(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ts := newSite(ctx, t, s, "sec-cors", false)
	for _, tt := range []struct{ method, path string }{
		{http.MethodPost, "/visitors"},
		{http.MethodOptions, "/visitors"},
		{http.MethodOptions, "/messages"},
		{http.MethodGet, "/captcha"},
	} {
		t.Run(tt.method+tt.path, func(t *testing.T) {
			req, _ := http.NewRequestWithContext(ctx, tt.method, s.RestURL+"/v1/sites/"+ts.id+tt.path, nil)
			req.Header.Set("Origin", "https://evil.example")
			req.Header.Set("Access-Control-Request-Method", http.MethodPost)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("status %d, want 403", resp.StatusCode)
			}
			if acao := resp.Header.Get("Access-Control-Allow-Origin"); acao != "" {
				t.Errorf("Access-Control-Allow-Origin %q granted to a foreign origin", acao)
			}
		})
	}
}
