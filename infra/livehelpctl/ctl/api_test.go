package ctl

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// fakeConsole answers the console API's login, me and logout as
// functions/console does: the same paths, bodies and error shape.
func fakeConsole(t *testing.T) (url string, logouts *atomic.Int32) {
	t.Helper()
	logouts = new(atomic.Int32)
	users := map[string]struct{ password, role string }{
		"admin@acme.example": {"admin-password", "admin"},
		"op@acme.example":    {"op-password-1", "operator"},
	}
	fail := func(w http.ResponseWriter, status int, code, msg string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": msg}})
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /live/v1/console/login", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Email, Password string }
		json.NewDecoder(r.Body).Decode(&in)
		u, ok := users[in.Email]
		if !ok || u.password != in.Password {
			fail(w, http.StatusUnauthorized, "unauthorized", "The email or password is not correct.")
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"token": "tok-" + in.Email, "websocket": "wss://x/live",
			"operator": map[string]string{"id": "1", "site": "acme", "email": in.Email, "name": "N", "role": u.role}})
	})
	mux.HandleFunc("POST /live/v1/console/logout", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "" {
			fail(w, http.StatusUnauthorized, "unauthorized", "Please log in.")
			return
		}
		logouts.Add(1)
		w.WriteHeader(http.StatusNoContent)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL + "/live", logouts
}

func TestAPIBackend(t *testing.T) {
	t.Parallel()
	url, logouts := fakeConsole(t)
	tests := []struct {
		name  string
		stdin string
		cmd   []string
		code  int
		msg   string
	}{
		{"admin, not offered", "admin-password\n", []string{"--api", url, "--admin-email", "admin@acme.example", "--password-stdin", "site", "create", "--id", "x", "--name", "X"},
			ExitUsage, "the console API does not offer site create"},
		{"admin, another site", "admin-password\n", []string{"--api", url, "--admin-email", "admin@acme.example", "--password-stdin", "operator", "list", "--site", "other"},
			ExitFailed, "admin@acme.example is an admin of site acme, not other"},
		{"wrong password", "nope\n", []string{"--api", url, "--admin-email", "admin@acme.example", "--password-stdin", "site", "list"},
			ExitFailed, "The email or password is not correct."},
		{"not an admin", "op-password-1\n", []string{"--api", url, "--admin-email", "op@acme.example", "--password-stdin", "site", "list"},
			ExitFailed, "op@acme.example is an operator, not an admin"},
		{"no admin email", "", []string{"--api", url, "site", "list"}, ExitUsage, "--api needs --admin-email"},
		{"both backends", "", []string{"--api", url, "--table", "t", "site", "list"}, ExitUsage, "either --table or --api"},
		{"not a URL", "", []string{"--api", "acme", "--admin-email", "a@b.example", "site", "list"}, ExitUsage, "--api must be an http(s) URL"},
		{"wrong URL", "x\n", []string{"--api", url + "/nowhere", "--admin-email", "a@b.example", "--password-stdin", "site", "list"}, ExitFailed, "HTTP 404"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, runCtl(t, tt.stdin, nil, tt.cmd...), tt.code, tt.msg)
		})
	}
	// Every session opened (two admin runs, the refused operator's) was closed.
	if n := logouts.Load(); n != 3 {
		t.Errorf("logouts = %d, want 3", n)
	}
}

func TestUsage(t *testing.T) {
	t.Parallel()
	r := runCtl(t, "", nil, "help")
	if r.code != ExitOK || !regexpMatch(`operator reset-password\s+set a new password`, r.out) {
		t.Errorf("help: exit %d, stdout %q", r.code, r.out)
	}
	wantCode(t, runCtl(t, "", nil), ExitUsage, "no command given")
	wantCode(t, runCtl(t, "", nil, "frobnicate", "x"), ExitUsage, `unknown command "frobnicate"`)
	wantCode(t, runCtl(t, "", nil, "site"), ExitUsage, `"site" needs a command: create, list, set`)
	wantCode(t, runCtl(t, "", nil, "--nope", "site", "list"), ExitUsage, "flag provided but not defined: -nope")
}
