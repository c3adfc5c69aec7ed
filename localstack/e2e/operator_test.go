package e2e

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// operatorConn is the test operator logged in to the console with a live
// WebSocket, as the console page holds one.
type operatorConn struct {
	api     *API
	session *Session
	ws      *Socket
}

// onlineOperator connects the test operator's session and sends a
// heartbeat online; cleanup sends offline and closes the socket.
func onlineOperator(t *testing.T) *operatorConn {
	t.Helper()
	tg := need(t)
	if tg.WebSocketURL == "" {
		t.Skip("the target has no WebSocket API (LIVEHELP_WS_URL=none, e.g. LocalStack's free plan)")
	}
	api := NewAPI(tg.RestURL)
	ctx := within(t, time.Minute)
	s := session(t)
	ws, status, err := Dial(ctx, tg.WebSocketURL, url.Values{"role": {"operator"}, "token": {s.Token}})
	if err != nil {
		t.Fatalf("operator connect: HTTP %d: %v", status, err)
	}
	o := &operatorConn{api: api, session: s, ws: ws}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		o.heartbeat(t, ctx, "offline")
		ws.Close()
	})
	o.heartbeat(t, ctx, "online")
	return o
}

// heartbeat sends the console's heartbeat and checks the presence answer.
func (o *operatorConn) heartbeat(t *testing.T, ctx context.Context, state string) {
	t.Helper()
	f, err := o.ws.Reply(ctx, "hb-"+randomID(), map[string]any{"action": "heartbeat", "state": state})
	if err != nil {
		t.Fatalf("heartbeat %s: %v", state, err)
	}
	if f.Str("type") != "presence" || f.Str("state") != state || f.Num("expires_in") <= 0 {
		t.Fatalf("heartbeat %s answered %v", state, f)
	}
}

// console calls the console API as the test operator.
func (o *operatorConn) console(t *testing.T, method, path string, in, out any) *Response {
	t.Helper()
	r, err := o.api.Do(within(t, 30*time.Second), method, path, o.session.Token, in, out)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return r
}

// shared is the test operator's console session, opened once: the console
// limits logins per email (10 in 15 minutes), so journeys share it.
var shared struct {
	sync.Mutex
	s *Session
}

// session returns the shared session, logging in on first use.
func session(t *testing.T) *Session {
	t.Helper()
	shared.Lock()
	defer shared.Unlock()
	if shared.s == nil {
		s, err := NewAPI(target.RestURL).Login(within(t, 30*time.Second), target.Email, target.Password)
		if err != nil {
			t.Fatal(err)
		}
		shared.s = s
	}
	return shared.s
}

// logoutShared ends the shared session (TestMain, after the tests).
func logoutShared() {
	shared.Lock()
	defer shared.Unlock()
	if shared.s != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = NewAPI(target.RestURL).Logout(ctx, shared.s)
		shared.s = nil
	}
}

func TestConsoleLogin(t *testing.T) {
	tg := need(t)
	api := NewAPI(tg.RestURL)
	ctx := within(t, time.Minute)
	s, err := api.Login(ctx, tg.Email, tg.Password)
	if err != nil {
		t.Fatal(err)
	}
	defer api.Logout(ctx, s)
	if !strings.EqualFold(s.Operator.Email, tg.Email) || s.Operator.Site != tg.Site {
		t.Errorf("logged in as %+v, want %s of site %s", s.Operator, tg.Email, tg.Site)
	}
	var me struct {
		Operator struct{ Email string } `json:"operator"`
	}
	if r, err := api.Do(ctx, http.MethodGet, "/v1/console/me", s.Token, nil, &me); err != nil || r.Status != http.StatusOK || !strings.EqualFold(me.Operator.Email, tg.Email) {
		t.Errorf("GET /v1/console/me = %+v, %v, %+v", r, err, me)
	}
	// A wrong password and a revoked session are refused alike.
	if r, err := api.Do(ctx, http.MethodPost, "/v1/console/login", "", map[string]string{"email": tg.Email, "password": "wrong-password-" + randomID()}, nil); err != nil || r.Status != http.StatusUnauthorized || r.Err.Code != "unauthorized" {
		t.Errorf("login with a wrong password = %+v, %v; want 401 unauthorized", r, err)
	}
	s2, err := api.Login(ctx, tg.Email, tg.Password)
	if err != nil {
		t.Fatal(err)
	}
	if err := api.Logout(ctx, s2); err != nil {
		t.Fatal(err)
	}
	if r, err := api.Do(ctx, http.MethodGet, "/v1/console/me", s2.Token, nil, nil); err != nil || r.Status != http.StatusUnauthorized {
		t.Errorf("GET /v1/console/me after logout = %+v, %v; want 401", r, err)
	}
}
