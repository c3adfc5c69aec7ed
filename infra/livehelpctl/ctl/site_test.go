package ctl

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/livehelp/livehelp/shared/livehelp"
)

func TestSiteCreateListSet(t *testing.T) {
	t.Parallel()
	st, conn := newTable(t)
	r := runCtl(t, "", nil, args(conn, "site", "create", "--id", "acme", "--name", "Acme",
		"--url", "https://acme.example/help", "--origins", "https://www.acme.example/, https://shop.acme.example",
		"--label", "en=Chat now|Busy|Write to us")...)
	wantCode(t, r, ExitOK, "")
	if r.out != "created site acme\n" {
		t.Errorf("stdout = %q", r.out)
	}
	r = runCtl(t, "", nil, args(conn, "site", "set", "--id", "acme", "--spam-protection=false", "--slots", "5")...)
	wantCode(t, r, ExitOK, "")

	r = runCtl(t, "", nil, args(conn, "--json", "site", "list")...)
	wantCode(t, r, ExitOK, "")
	var got []siteView
	if err := json.Unmarshal([]byte(r.out), &got); err != nil {
		t.Fatalf("site list --json: %v\n%s", err, r.out)
	}
	want := []siteView{{ID: "acme", Name: "Acme", URL: "https://acme.example/help",
		AllowedOrigins: []string{"https://www.acme.example", "https://shop.acme.example"}, DefaultLang: "en",
		Labels:         map[string]livehelp.Labels{"en": {Online: "Chat now", Busy: "Busy", Offline: "Write to us"}},
		SpamProtection: false, Slots: 5}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("site list (-want +got):\n%s", diff)
	}
	// The table holds what the functions will read.
	s, err := st.Site(context.Background(), "acme", true)
	if err != nil || s.Slots != 5 || s.SpamProtection {
		t.Errorf("stored site = %+v, %v", s, err)
	}
}

func TestSiteErrors(t *testing.T) {
	t.Parallel()
	st, conn := newTable(t)
	if r := runCtl(t, "", nil, args(conn, "site", "create", "--id", "taken", "--name", "Taken")...); r.code != ExitOK {
		t.Fatalf("setup: %+v", r)
	}
	tests := []struct {
		name string
		cmd  []string
		code int
		msg  string
	}{
		{"no id", []string{"site", "create", "--name", "X"}, ExitUsage, "--id is required"},
		{"bad id", []string{"site", "create", "--id", "Bad_ID", "--name", "X"}, ExitUsage, "id: Use 1 to 63"},
		{"origin with path", []string{"site", "create", "--id", "x", "--name", "X", "--origins", "https://a.example/path"}, ExitUsage, "origins:"},
		{"bad label", []string{"site", "create", "--id", "x", "--name", "X", "--label", "en=only one"}, ExitUsage, "want lang=online|busy|offline"},
		{"taken", []string{"site", "create", "--id", "taken", "--name", "Again"}, ExitFailed, `A site with id "taken" already exists.`},
		{"set unknown", []string{"site", "set", "--id", "nosuch", "--name", "X"}, ExitFailed, "Site not found."},
		{"set nothing", []string{"site", "set", "--id", "taken"}, ExitUsage, "give at least one setting"},
		{"stray argument", []string{"site", "list", "extra"}, ExitUsage, `unexpected argument "extra"`},
		{"unknown command", []string{"site", "delete"}, ExitUsage, `site has: create, list, set`},
		{"no backend", []string{"site", "list", "--table", ""}, ExitUsage, "--table NAME"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, runCtl(t, "", nil, args(conn, tt.cmd...)...), tt.code, tt.msg)
		})
	}
	// Nothing was half-written: only the setup site exists, unchanged.
	sites, err := st.Sites(context.Background())
	if err != nil || len(sites) != 1 || sites[0].Name != "Taken" {
		t.Errorf("sites after errors = %v, %v", sites, err)
	}
}
