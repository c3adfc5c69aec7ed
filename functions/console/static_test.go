package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestStaticAssets: the page names its assets with ?v=<version>; those are
// immutable for a year, revalidate with their ETag, and the modules import
// each other with the same version. The page itself is revalidated.
func TestStaticAssets(t *testing.T) {
	t.Parallel()
	h := newHandler(nil, nil, nil, Config{}, slog.New(slog.NewJSONHandler(io.Discard, nil)), time.Now)
	get := func(path string, header http.Header) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", path, nil)
		for k, v := range header {
			r.Header[k] = v
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	page := get("/console", nil)
	if page.Code != 200 || page.Header().Get("Cache-Control") != "public, max-age=300" || !strings.Contains(page.Header().Get("Content-Security-Policy"), "script-src 'self'") {
		t.Fatalf("page = %d %v", page.Code, page.Header())
	}
	m := regexp.MustCompile(`console/console\.js\?v=([0-9a-f]{16})`).FindStringSubmatch(page.Body.String())
	if m == nil {
		t.Fatalf("the page does not name a versioned script:\n%s", page.Body)
	}
	js := get("/console/console.js?v="+m[1], nil)
	if js.Code != 200 || js.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" || !strings.HasPrefix(js.Header().Get("Content-Type"), "text/javascript") {
		t.Fatalf("script = %d %v", js.Code, js.Header())
	}
	if !strings.Contains(js.Body.String(), "'./api.js?v="+m[1]+"'") {
		t.Errorf("the module's imports are not versioned")
	}
	if again := get("/console/console.js?v="+m[1], http.Header{"If-None-Match": {js.Header().Get("ETag")}}); again.Code != http.StatusNotModified {
		t.Errorf("revalidation = %d, want 304", again.Code)
	}
	if old := get("/console/console.js?v=0000000000000000", nil); old.Header().Get("Cache-Control") != "public, max-age=300" {
		t.Errorf("an old version is cached as immutable: %v", old.Header())
	}
	if w := get("/widget.js", nil); w.Code != 200 || w.Header().Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("widget.js = %d", w.Code)
	}
	if w := get("/console/nope.js", nil); w.Code != 404 {
		t.Errorf("unknown asset = %d", w.Code)
	}
}
