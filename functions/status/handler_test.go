package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
	"github.com/google/go-cmp/cmp"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// fakeSites is a hand-written fake of the store that counts reads.
type fakeSites struct {
	sites map[string]*livehelp.Site
	reads int
}

func (f *fakeSites) Site(_ context.Context, id string, _ bool) (*livehelp.Site, error) {
	f.reads++
	if s, ok := f.sites[id]; ok {
		return s, nil
	}
	return nil, livehelp.Errorf(livehelp.ENOTFOUND, "Site not found.")
}

func newTestHandler(t *testing.T, now *time.Time) (*handler, *fakeSites) {
	t.Helper()
	f := &fakeSites{sites: map[string]*livehelp.Site{"demo": {
		ID: "demo", DefaultLang: "en", AllowedOrigins: []string{"https://www.example.com"},
		Presence: map[string]livehelp.Presence{"op1": {State: livehelp.PresenceOnline, SeenUntil: now.Add(time.Minute), Load: 0, Slots: 1}},
	}}}
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	return newHandler(f, 5*time.Second, "wss://ws.example/live", log, func() time.Time { return *now }), f
}

func TestStatusFromCapturedEvent(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	h, _ := newTestHandler(t, &now)
	raw, err := os.ReadFile("testdata/get-status.json")
	if err != nil {
		t.Fatal(err)
	}
	var ev events.APIGatewayProxyRequest
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	resp, err := httpadapter.New(h).ProxyWithContext(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
	}
	var got statusResponse
	if err := json.Unmarshal([]byte(resp.Body), &got); err != nil {
		t.Fatal(err)
	}
	want := statusResponse{Site: "demo", State: "online", Label: "Cliquez pour une aide en direct",
		Labels: livehelp.DefaultLabels["fr"], WebSocket: "wss://ws.example/live", Proactive: livehelp.ProactiveOff}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
	if got := resp.MultiValueHeaders["Access-Control-Allow-Origin"]; len(got) != 1 || got[0] != "https://www.example.com" {
		t.Errorf("Access-Control-Allow-Origin = %v", got)
	}
	if got := resp.MultiValueHeaders["Cache-Control"]; len(got) != 1 || got[0] != "public, max-age=5" {
		t.Errorf("Cache-Control = %v", got)
	}
}

func TestStatusCacheAndErrors(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	h, f := newTestHandler(t, &now)
	get := func(path string, header http.Header) (int, map[string]any, http.Header) {
		t.Helper()
		r := httptest.NewRequest("GET", path, nil)
		for k, v := range header {
			r.Header[k] = v
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		var body map[string]any
		_ = json.Unmarshal(w.Body.Bytes(), &body)
		return w.Code, body, w.Header()
	}
	for i := 0; i < 5; i++ {
		if code, body, _ := get("/v1/sites/demo/status?lang=ru", nil); code != 200 || body["label"] != "Нажмите для помощи онлайн" {
			t.Fatalf("status = %d %v", code, body)
		}
	}
	if f.reads != 1 {
		t.Errorf("5 requests in the cache window made %d reads, want 1", f.reads)
	}
	code, _, hdr := get("/v1/sites/demo/status", http.Header{"Origin": {"https://evil.example"}})
	if code != 200 || hdr.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("foreign origin got CORS header %q", hdr.Get("Access-Control-Allow-Origin"))
	}
	// The operator's presence expires while the answer is cached: the state follows the clock.
	now = now.Add(61 * time.Second)
	if _, body, _ := get("/v1/sites/demo/status", nil); body["state"] != "offline" || body["label"] != "Leave a message" {
		t.Errorf("after expiry: %v", body)
	}
	if f.reads != 2 {
		t.Errorf("reads after the cache window = %d, want 2", f.reads)
	}
	for _, tt := range []struct {
		path string
		code int
		err  string
	}{
		{"/v1/sites/nope/status", 404, "not_found"},
		{"/v1/sites/nope/status", 404, "not_found"},
		{"/v1/sites/Bad%20Site/status", 400, "invalid"},
		{"/v1/sites/demo/status?lang=%3Cscript%3E", 400, "invalid"},
		{"/v1/sites/demo/other", 404, "not_found"},
	} {
		code, body, _ := get(tt.path, nil)
		e, _ := body["error"].(map[string]any)
		if code != tt.code || e["code"] != tt.err {
			t.Errorf("GET %s = %d %v, want %d %s", tt.path, code, body, tt.code, tt.err)
		}
	}
	if f.reads != 3 {
		t.Errorf("an unknown site asked twice made %d reads in all, want 3 (not_found is cached)", f.reads)
	}
}

// TestStatusProactiveMode checks the widget learns the site's proactive
// mode (and, in auto mode only, the seconds) from the status answer.
func TestStatusProactiveMode(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		mode, want string
		after      int
		wantAfter  float64
	}{
		{"", "off", 0, 0},
		{livehelp.ProactiveOff, "off", 5, 0},
		{livehelp.ProactiveInvite, "invite", 5, 0},
		{livehelp.ProactiveAuto, "auto", 2, 2},
	} {
		h, f := newTestHandler(t, &now)
		f.sites["demo"].Proactive, f.sites["demo"].ProactiveAfter = tt.mode, tt.after
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/v1/sites/demo/status", nil))
		var body map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
			t.Fatal(err)
		}
		after, _ := body["proactive_after"].(float64)
		if body["proactive"] != tt.want || after != tt.wantAfter {
			t.Errorf("mode %q after %d: proactive=%v proactive_after=%v, want %s %v", tt.mode, tt.after, body["proactive"], body["proactive_after"], tt.want, tt.wantAfter)
		}
	}
}
