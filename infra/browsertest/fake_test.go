package browsertest

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/coder/websocket"

	"github.com/livehelp/livehelp/infra/dynamolocal"
)

// fakeAPI is a stand-in for the REST and WebSocket APIs that serves the
// real widget.js and the real demo page, each on its own origin, so the
// widget meets CORS as on a customer site. Tests set its answers and read
// what the widget sent.
type fakeAPI struct {
	t      *testing.T
	api    *httptest.Server // REST base at /live, WebSocket at /ws
	demo   *httptest.Server // the demo page, another origin
	widget []byte
	page   []byte

	mu      sync.Mutex
	status  map[string]any                       // the status answer
	down    bool                                 // /live/v1/* and /ws drop the connection
	offline func(body map[string]any) (int, any) // the answer to a post past the form checks
	posts   []map[string]any                     // offline form bodies, with the authorization header
	form    fakeForm
	tokens  int              // visitor tokens issued
	frames  []map[string]any // WebSocket frames received
	conns   map[*websocket.Conn]bool
	conv    *fakeConv
	// startStatus and startPosition are what start answers ("" = assigned).
	startStatus   string
	startPosition int
	loseNext      bool // close the connection on the next send, storing nothing
	loseAck       bool // store the next send, then close the connection before the ack
}

// newFakeAPI starts the fake; the status answer starts as offline.
func newFakeAPI(t *testing.T) *fakeAPI {
	t.Helper()
	root, err := dynamolocal.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeAPI{t: t, conns: map[*websocket.Conn]bool{}}
	if f.widget, err = os.ReadFile(filepath.Join(root, "functions", "console", "web", "widget.js")); err != nil {
		t.Fatal(err)
	}
	if f.page, err = os.ReadFile(filepath.Join(root, "infra", "devstack", "demo", "index.html")); err != nil {
		t.Fatal(err)
	}
	f.api = httptest.NewServer(http.HandlerFunc(f.serveAPI))
	f.demo = httptest.NewServer(http.HandlerFunc(f.serveDemo))
	t.Cleanup(func() {
		f.mu.Lock()
		for c := range f.conns {
			_ = c.CloseNow()
		}
		f.mu.Unlock()
		f.api.Close()
		f.demo.Close()
	})
	f.setStatus("offline", nil)
	return f
}

// rest is the REST base the page's script tag uses.
func (f *fakeAPI) rest() string { return f.api.URL + "/live" }

// hosts are the only hosts the browser may talk to.
func (f *fakeAPI) hosts() []string {
	return []string{strings.TrimPrefix(f.api.URL, "http://"), strings.TrimPrefix(f.demo.URL, "http://")}
}

// pageURL is the demo page; the query's lang adds data-lang to the script
// tag, site changes data-site, nowidget leaves the widget out, csp sends
// a Content-Security-Policy that forbids inline styles, and bfcache lets
// the browser keep the page in its back-forward cache.
func (f *fakeAPI) pageURL(query string) string { return f.demo.URL + "/?" + query }

// setStatus sets the button state; labels override the English defaults.
func (f *fakeAPI) setStatus(state string, labels map[string]string) {
	l := map[string]string{"online": "Click for Live Help", "busy": "Click for Live Help", "offline": "Leave a message"}
	for k, v := range labels {
		l[k] = v
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status = map[string]any{"site": "demo", "state": state, "label": l[state], "labels": l,
		"websocket": "ws" + strings.TrimPrefix(f.api.URL, "http") + "/ws", "spam_protection": false}
}

func (f *fakeAPI) setDown(down bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down = down
	if down {
		for c := range f.conns {
			_ = c.CloseNow()
		}
	}
}

func (f *fakeAPI) serveDemo(w http.ResponseWriter, r *http.Request) {
	page := bytes.ReplaceAll(f.page, []byte("{{REST}}"), []byte(f.rest()))
	if lang := r.URL.Query().Get("lang"); lang != "" {
		page = bytes.Replace(page, []byte(`data-site="demo"`), []byte(`data-site="demo" data-lang="`+lang+`"`), 1)
	}
	if site := r.URL.Query().Get("site"); site != "" {
		page = bytes.Replace(page, []byte(`data-site="demo"`), []byte(`data-site="`+site+`"`), 1)
	}
	if r.URL.Query().Get("nowidget") != "" {
		i := bytes.Index(page, []byte("<script async"))
		page = append(page[:i:i], "</body></html>"...)
	}
	if r.URL.Query().Get("csp") != "" { // a strict policy: no inline style at all
		api := f.api.URL
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; script-src 'unsafe-inline' "+api+
			"; connect-src "+api+" ws"+strings.TrimPrefix(api, "http")+"; img-src "+api)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if r.URL.Query().Get("bfcache") == "" { // no-store keeps a page out of the back-forward cache
		w.Header().Set("Cache-Control", "no-store")
	}
	_, _ = w.Write(page)
}

func (f *fakeAPI) serveAPI(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/live/widget.js" {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		_, _ = w.Write(f.widget)
		return
	}
	f.mu.Lock()
	down := f.down
	f.mu.Unlock()
	if down { // unreachable: the connection drops without an answer
		if hj, ok := w.(http.Hijacker); ok {
			if c, _, err := hj.Hijack(); err == nil {
				_ = c.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	if r.URL.Path == "/ws" {
		f.serveWS(w, r)
		return
	}
	w.Header().Set("Access-Control-Allow-Origin", f.demo.URL)
	w.Header().Set("Vary", "Origin")
	if r.Method == http.MethodOptions {
		w.Header().Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
		w.Header().Set("Access-Control-Allow-Headers", "Content-Type, Authorization")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch r.Method + " " + r.URL.Path {
	case "GET /live/v1/sites/demo/status":
		writeJSON(w, 200, f.status)
	case "POST /live/v1/sites/demo/visitors":
		f.visitors(w, r)
	case "GET /live/v1/sites/demo/captcha":
		f.openForm(w)
	case "POST /live/v1/sites/demo/messages":
		f.message(w, r)
	default:
		if strings.HasPrefix(r.URL.Path, "/live/v1/sites/demo/captcha/") && r.Method == http.MethodGet {
			f.captchaImage(w, r)
			return
		}
		writeJSON(w, 404, map[string]any{"error": map[string]any{"code": "not_found", "message": "No such route."}})
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// set runs fn with the fake locked, to change its answers.
func (f *fakeAPI) set(fn func(f *fakeAPI)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

// connCount returns the number of open WebSocket connections.
func (f *fakeAPI) connCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.conns)
}

// closedPort returns a 127.0.0.1 address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}
