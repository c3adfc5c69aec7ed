package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// fuzzSites is the store of FuzzStatus: one site, anything else unknown.
type fuzzSites struct{ site *livehelp.Site }

// Site implements siteReader.
func (f fuzzSites) Site(_ context.Context, id string, _ bool) (*livehelp.Site, error) {
	if id == f.site.ID {
		return f.site, nil
	}
	return nil, livehelp.Errorf(livehelp.ENOTFOUND, "Site not found.")
}

// FuzzStatus sends the status endpoint any site id, lang parameter,
// Accept-Language and Origin header, as every page view on the Internet
// may: it answers 200 with a known state and a label, or 400/404 with the
// error shape; CORS is granted to the allowed origin only; nothing panics.
func FuzzStatus(f *testing.F) {
	f.Add("demo", "", "en-US,en;q=0.9", "https://shop.example")
	f.Add("demo", "fr", "", "https://evil.example")
	f.Add("demo", "x-\r\n", "*;q=0", "null")
	f.Add("../demo", "en", "", "")
	f.Add("DEMO", "zh-Hant-TW", "zh;q=abc", "https://SHOP.example/")
	f.Add("unknown", "", "", "")
	f.Add(strings.Repeat("a", 300), strings.Repeat("b", 300), strings.Repeat("c,", 300), "")
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	site := &livehelp.Site{ID: "demo", DefaultLang: "en", AllowedOrigins: []string{"https://shop.example"},
		Labels:   map[string]livehelp.Labels{"fr": {Online: "Aide en direct"}},
		Presence: map[string]livehelp.Presence{"op1": {State: livehelp.PresenceOnline, SeenUntil: now.Add(time.Minute), Slots: 1}}}
	h := newHandler(fuzzSites{site}, 5*time.Second, "wss://ws.example/live", slog.New(slog.NewJSONHandler(io.Discard, nil)),
		func() time.Time { return now })
	f.Fuzz(func(t *testing.T, id, lang, acceptLanguage, origin string) {
		target := "/v1/sites/" + url.PathEscape(id) + "/status"
		if lang != "" {
			target += "?lang=" + url.QueryEscape(lang)
		}
		r := httptest.NewRequest(http.MethodGet, target, nil)
		r.Header.Set("Accept-Language", acceptLanguage)
		if origin != "" {
			r.Header.Set("Origin", origin)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		checkStatusAnswer(t, rec, origin)
	})
}

// checkStatusAnswer checks one answer of the status endpoint.
func checkStatusAnswer(t *testing.T, rec *httptest.ResponseRecorder, origin string) {
	t.Helper()
	switch rec.Code {
	case http.StatusOK:
		var got struct{ State, Label string }
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatalf("200 with a body that is not JSON: %q", rec.Body)
		}
		if !slices.Contains([]string{"online", "busy", "offline"}, got.State) || got.Label == "" {
			t.Fatalf("200 with state %q, label %q", got.State, got.Label)
		}
		if !strings.HasPrefix(rec.Header().Get("Cache-Control"), "public, max-age=") {
			t.Fatalf("200 without Cache-Control: %q", rec.Header().Get("Cache-Control"))
		}
	case http.StatusBadRequest, http.StatusNotFound:
		var got struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || got.Error.Code == "" || got.Error.Message == "" {
			t.Fatalf("%d with body %q, want the error shape", rec.Code, rec.Body)
		}
	case http.StatusMovedPermanently, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		// ServeMux cleans "." and ".." segments with a redirect; it must
		// stay on this host.
		if loc := rec.Header().Get("Location"); !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") || strings.HasPrefix(loc, "/\\") {
			t.Fatalf("redirect to %q", loc)
		}
	default:
		t.Fatalf("status %d: %q", rec.Code, rec.Body)
	}
	acao := rec.Header().Get("Access-Control-Allow-Origin")
	if acao != "" && (acao != origin || strings.TrimRight(strings.ToLower(origin), "/") != "https://shop.example") {
		t.Fatalf("Access-Control-Allow-Origin %q granted to Origin %q", acao, origin)
	}
}
