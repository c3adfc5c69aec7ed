package security_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/livehelp/livehelp/infra/bench/chatclient"
	"github.com/livehelp/livehelp/shared/auth"
	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

// operatorRoutes are console endpoints any operator may use; adminRoutes
// only admins. Ids in paths are placeholders: access is checked first.
var (
	operatorRoutes = []string{"GET /v1/console/me", "GET /v1/console/summary", "GET /v1/console/queue",
		"GET /v1/console/messages", "GET /v1/console/canned", "GET /v1/console/reports"}
	adminRoutes = []string{"GET /v1/console/admin/site", "PUT /v1/console/admin/site", "GET /v1/console/admin/operators",
		"POST /v1/console/admin/operators", "PATCH /v1/console/admin/operators/x", "GET /v1/console/admin/groups",
		"POST /v1/console/admin/groups", "PATCH /v1/console/admin/groups/x", "GET /v1/console/admin/apikeys",
		"POST /v1/console/admin/apikeys", "DELETE /v1/console/admin/apikeys/x"}
)

// call sends one console request with a bearer token ("" for none).
func call(ctx context.Context, t *testing.T, restURL, route, bearer string) (int, []byte) {
	t.Helper()
	method, path, _ := strings.Cut(route, " ")
	var body any
	if method != http.MethodGet && method != http.MethodDelete {
		body = map[string]any{}
	}
	status, data, err := chatclient.Do(ctx, method, restURL+path, "", bearer, body)
	if err != nil {
		t.Fatal(err)
	}
	return status, data
}

// TestConsoleSessions: every console endpoint refuses a request without
// a valid, live session with 401, whatever else it carries.
func TestConsoleSessions(t *testing.T) {
	t.Parallel()
	s := sharedStack(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ts := newSite(ctx, t, s, "sec-session", false, livehelp.RoleAdmin, livehelp.RoleAdmin)
	vtok, _ := ts.visitorToken(ctx, t)
	claims := auth.Claims{Subject: ts.ops[0], Site: ts.id, Role: livehelp.RoleAdmin}
	// A session the store has but whose time is up (DynamoDB's TTL deletes
	// items days late), presented with a token that has not expired.
	stale := store.Session{ID: auth.NewID(), Operator: ts.ops[0], Site: ts.id, Role: livehelp.RoleAdmin, Expires: time.Now().Add(-time.Second)}
	if err := s.Store.PutSession(ctx, stale); err != nil {
		t.Fatal(err)
	}
	staleClaims := claims
	staleClaims.Session = stale.ID
	unknown := claims
	unknown.Session = auth.NewID()
	live, err := s.Store.Session(ctx, sessionID(t, ts.tokens[0]))
	if err != nil {
		t.Fatal(err)
	}
	expiredClaims := claims
	expiredClaims.Session = live.ID
	otherOp := claims
	otherOp.Session, otherOp.Subject = live.ID, ts.ops[1] // a session of op 0 claimed for op 1
	if status, _ := call(ctx, t, s.RestURL, "POST /v1/console/logout", ts.tokens[1]); status != http.StatusNoContent {
		t.Fatalf("logout answered %d", status)
	}
	credentials := []struct{ name, bearer string }{
		{"no token", ""},
		{"garbage", "not-a-token"},
		{"tampered", tamper(ts.tokens[0])},
		{"expired token", ts.signer.Sign(auth.KindSession, expiredClaims, -time.Minute)},
		{"expired session", ts.signer.Sign(auth.KindSession, staleClaims, time.Hour)},
		{"unknown session", ts.signer.Sign(auth.KindSession, unknown, time.Hour)},
		{"another operator's session", ts.signer.Sign(auth.KindSession, otherOp, time.Hour)},
		{"logged out", ts.tokens[1]},
		{"visitor token", vtok},
		{"resume link", ts.signer.Sign(auth.KindResume, auth.Claims{Subject: ts.ops[0], Site: ts.id, Conversation: "c"}, time.Hour)},
	}
	for _, cr := range credentials {
		t.Run(cr.name, func(t *testing.T) {
			for _, route := range append(append([]string(nil), operatorRoutes...), adminRoutes...) {
				status, body := call(ctx, t, s.RestURL, route, cr.bearer)
				if code, _ := apiError(body); status != http.StatusUnauthorized || code != "unauthorized" {
					t.Errorf("%s answered %d %s, want 401 unauthorized", route, status, body)
				}
			}
		})
	}
	if status, body := call(ctx, t, s.RestURL, "GET /v1/console/me", ts.tokens[0]); status != http.StatusOK {
		t.Errorf("the live session itself was refused: %d %s", status, body)
	}
}

// sessionID reads the session id a token names (the test trusts it).
func sessionID(t *testing.T, token string) string {
	t.Helper()
	p, _, _ := strings.Cut(token, ".")
	c, err := decodeClaims(p)
	if err != nil {
		t.Fatal(err)
	}
	return c.Session
}

// TestOperatorIsNotAdmin: an operator's own session reaches the operator
// endpoints and none of the admin ones, and cannot make itself admin.
func TestOperatorIsNotAdmin(t *testing.T) {
	t.Parallel()
	s := sharedStack(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ts := newSite(ctx, t, s, "sec-roles", false, livehelp.RoleOperator, livehelp.RoleAdmin)
	for _, route := range operatorRoutes {
		if status, body := call(ctx, t, s.RestURL, route, ts.tokens[0]); status != http.StatusOK {
			t.Errorf("operator: %s answered %d %s, want 200", route, status, body)
		}
	}
	for _, route := range adminRoutes {
		if status, body := call(ctx, t, s.RestURL, route, ts.tokens[0]); status != http.StatusForbidden {
			t.Errorf("operator: %s answered %d %s, want 403", route, status, body)
		}
	}
	if status, body := call(ctx, t, s.RestURL, "GET /v1/console/admin/operators", ts.tokens[1]); status != http.StatusOK {
		t.Errorf("admin: operators answered %d %s, want 200", status, body)
	}
	for _, patch := range []map[string]any{{"role": "admin"}, {"site": "other"}, {"slots": 50}} {
		status, _, err := chatclient.Do(ctx, http.MethodPatch, s.RestURL+"/v1/console/me", "", ts.tokens[0], patch)
		if err != nil {
			t.Fatal(err)
		}
		op, err := s.Store.Operator(ctx, ts.ops[0])
		if err != nil {
			t.Fatal(err)
		}
		if op.Role != livehelp.RoleOperator || op.Site != ts.id || (status/100 == 2 && patch["slots"] != nil && op.Slots == 50) {
			t.Errorf("PATCH /v1/console/me %v (answered %d) changed the operator to %+v", patch, status, op)
		}
	}
}

// TestOperatorStaysInSite: an operator of one site cannot read another
// site's conversations or visitors, over the WebSocket or the console.
func TestOperatorStaysInSite(t *testing.T) {
	t.Parallel()
	s := sharedStack(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	home := newSite(ctx, t, s, "sec-home", false, livehelp.RoleOperator)
	away := newSite(ctx, t, s, "sec-away", false, livehelp.RoleAdmin)
	tok, visitor := home.visitorToken(ctx, t)
	v, err := chatclient.DialVisitor(ctx, s.WebSocketURL, home.id, tok, chatclient.Options{Origin: s.DemoOrigin})
	if err != nil {
		t.Fatal(err)
	}
	defer v.CloseNow()
	conv, err := v.Start(ctx, "Visitor")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.SendText(ctx, conv.ID, "m1", "home only"); err != nil {
		t.Fatal(err)
	}
	op, err := chatclient.DialOperator(ctx, s.WebSocketURL, away.tokens[0], chatclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer op.CloseNow()
	for _, f := range []chatclient.Frame{
		{"action": "history", "conversation": conv.ID},
		{"action": "take", "conversation": conv.ID},
		{"action": "send", "conversation": conv.ID, "client_id": "x", "text": "from another site"},
		{"action": "close", "conversation": conv.ID},
	} {
		_, err := op.Request(ctx, f)
		var fe *chatclient.FrameError
		if !errors.As(err, &fe) || fe.Code != "not_found" {
			t.Errorf("another site's admin: %s answered %v, want not_found", f["action"], err)
		}
	}
	for _, route := range []string{"GET /v1/console/conversations/" + conv.ID, "GET /v1/console/conversations/" + conv.ID + "/messages",
		"GET /v1/console/visitors/" + visitor, "GET /v1/console/visitors/" + visitor + "/board"} {
		status, body := call(ctx, t, s.RestURL, route, away.tokens[0])
		if status != http.StatusNotFound || strings.Contains(string(body), "home only") {
			t.Errorf("another site's admin: %s answered %d %s, want 404", route, status, body)
		}
	}
}
