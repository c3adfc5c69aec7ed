package browsertest

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/livehelp/livehelp/infra/devstack/stack"
	"github.com/livehelp/livehelp/shared/livehelp"
)

// TestProactive runs proactive chat end to end on the local runner, one
// stack for its three parts: with the mode off the widget loads no
// proactive module and reports nothing; in invite mode an invitation is
// refused, then accepted with a required field left empty (refused with a
// clear message) and then filled, queued and chatted; without invite the
// first available operator is alerted after the site's seconds (2 here)
// and opens the chat directly, and the visitor says they do not wish to
// chat.
func TestProactive(t *testing.T) {
	s := startStack(t)
	window := statusWindow(t, s.RestURL)
	op := operator(t, s, s.Demo.Email, s.Demo.Password)
	t.Run("off", func(t *testing.T) { proactiveOff(t, s, op) })
	t.Run("invite", func(t *testing.T) { proactiveInvite(t, s, op, window) })
	t.Run("without invite", func(t *testing.T) { proactiveAuto(t, s, op, window) })
}

// setProactive saves the demo site's proactive settings and waits out the
// status cache, so the next page load sees them.
func setProactive(t *testing.T, s *stack.Stack, p livehelp.Proactive, window time.Duration) {
	t.Helper()
	if err := s.Store.PutProactive(context.Background(), "demo", p); err != nil {
		t.Fatalf("save proactive settings: %v", err)
	}
	time.Sleep(window + 200*time.Millisecond)
}

// visitors asks the operator's socket for the visitors list.
func visitors(t *testing.T, op *wsClient) []map[string]any {
	t.Helper()
	f := op.reply(map[string]any{"action": "visitors"})
	if f["type"] != "visitors" {
		t.Fatalf("visitors answer %v", f)
	}
	var out []map[string]any
	for _, v := range f["visitors"].([]any) {
		out = append(out, v.(map[string]any))
	}
	return out
}

// awaitVisitor waits until a visitor other than those in skip is on the
// site and returns them.
func awaitVisitor(t *testing.T, op *wsClient, skip map[string]bool) map[string]any {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, v := range visitors(t, op) {
			if id, _ := v["visitor"].(string); !skip[id] && v["gone"] == false {
				return v
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("no new visitor on the site after 10 s")
	return nil
}

// requested reports whether the browser asked for a URL containing part.
func (b *browser) requested(part string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, r := range b.requests {
		if strings.Contains(r, part) {
			return true
		}
	}
	return false
}

// proactiveOff: the default. The page stays open past a report period's
// worth of triggers (load, the auto timer, a navigation); the widget never
// loads proactive.js and no visit is stored, which the list would show.
func proactiveOff(t *testing.T, s *stack.Stack, op *wsClient) {
	b := newBrowser(t, 1024, 760)
	time.Sleep(statusWindow(t, s.RestURL)) // answers cached before the operator came are spent
	reloadUntil(t, b, s.DemoURL, "Click for Live Help")
	b.exec(`(history.pushState({}, '', '/other-page'), window.dispatchEvent(new PopStateEvent('popstate')))`)
	time.Sleep(3 * time.Second)
	if b.requested("proactive.js") {
		t.Errorf("the widget loaded proactive.js with proactive chat off")
	}
	if b.str(`String(!!(window.LiveHelp && window.LiveHelp._ && window.LiveHelp._.done))`) != "false" {
		t.Errorf("the proactive module runs with proactive chat off")
	}
	vs, err := s.Store.Visits(context.Background(), "demo", 50)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 0 {
		t.Errorf("%d visits stored with proactive chat off: %+v", len(vs), vs[0])
	}
	if got := visitors(t, op); len(got) != 0 {
		t.Errorf("the console lists %d visitors with proactive chat off", len(got))
	}
	// The server refuses reports too, should a client send them.
	var tok struct {
		Token string `json:"token"`
	}
	if err := postJSON(context.Background(), s.RestURL+"/v1/sites/demo/visitors", "", map[string]any{}, &tok); err != nil {
		t.Fatal(err)
	}
	vis := dialWS(t, s.WebSocketURL, url.Values{"site": {"demo"}, "token": {tok.Token}})
	if f := vis.reply(map[string]any{"action": "visit", "page": "/", "since": time.Now().UnixMilli()}); f["code"] != "forbidden" {
		t.Errorf("a visit frame with proactive chat off: %v, want forbidden", f)
	}
	vis.close()
	b.checkHostUnharmed()
}
