package browsertest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/livehelp/livehelp/infra/devstack/stack"
	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

// The console tests drive the operator console of the local runner: the
// real console function, DynamoDB Local, the WebSocket gateway and the SES
// capture. Console selectors are plain CSS on the page (no shadow root).

// startConsoleStack starts the local runner for one test and stops it after.
func startConsoleStack(t *testing.T) *stack.Stack {
	t.Helper()
	if testing.Short() {
		t.Skip("the console browser tests start the whole local stack")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	var log strings.Builder
	s, err := stack.Start(ctx, stack.Options{Log: &lockedWriter{w: &log}})
	if err != nil {
		t.Fatalf("start the local stack: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("stop the local stack: %v", err)
		}
		if t.Failed() {
			t.Logf("stack log (last 6000 bytes):\n%s", tail(log.String(), 6000))
		}
	})
	return s
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// lockedWriter serializes writes from the stack's components.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// q returns a JavaScript expression selecting the first element matching a
// CSS selector of the page.
func q(selector string) string {
	b, _ := json.Marshal(selector)
	return "document.querySelector(" + string(b) + ")"
}

// js quotes s as a JavaScript string literal.
func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// consoleLogin opens the console and signs in.
func (b *browser) consoleLogin(consoleURL, email, password string) {
	b.t.Helper()
	b.do(chromedp.Navigate(consoleURL))
	b.waitFor("the login form", q("#login-email")+` && !`+q("#login-view")+`.hidden`, 15*time.Second)
	b.do(chromedp.SendKeys(chromedp.CSS("#login-email"), email), chromedp.SendKeys(chromedp.CSS("#login-password"), password),
		chromedp.Click(chromedp.CSS("#login-form button[type=submit]"), chromedp.NodeVisible))
	b.waitFor("the console", `!`+q("#app")+`.hidden && `+q(".summary"), 15*time.Second)
}

// clickCSS clicks the first element matching selector with real mouse events.
func (b *browser) clickCSS(selector string) {
	b.t.Helper()
	b.waitFor(selector, q(selector), 10*time.Second)
	b.do(chromedp.Click(chromedp.CSS(selector), chromedp.NodeVisible))
}

// clickButton clicks the visible button (or link) inside scope whose text is text.
func (b *browser) clickButton(scope, text string) {
	b.t.Helper()
	find := `[...document.querySelectorAll(` + js(scope+" button, "+scope+" a") + `)].find(e => e.offsetParent !== null && e.textContent.trim() === ` + js(text) + `)`
	b.waitFor("button "+text, find, 10*time.Second)
	b.do(chromedp.Click(chromedp.JSPath(find), chromedp.NodeVisible))
}

// fill replaces the value of a form field and fires input and change.
func (b *browser) fill(selector, value string) {
	b.t.Helper()
	b.waitFor(selector, q(selector), 10*time.Second)
	b.exec(`(() => { const e = ` + q(selector) + `; e.focus(); e.value = ` + js(value) + `;
		e.dispatchEvent(new Event('input', {bubbles: true})); e.dispatchEvent(new Event('change', {bubbles: true})); })()`)
}

// text returns the trimmed textContent of the first match ("" if none).
func (b *browser) text(selector string) string {
	b.t.Helper()
	return b.str(`(` + q(selector) + ` || {textContent: ''}).textContent.trim()`)
}

// texts returns the trimmed textContent of every match.
func (b *browser) texts(selector string) []string {
	b.t.Helper()
	var out []string
	b.evalJSON(`[...document.querySelectorAll(`+js(selector)+`)].map(e => e.textContent.trim())`, &out)
	return out
}

// count returns how many elements match selector.
func (b *browser) count(selector string) int {
	b.t.Helper()
	return int(b.num(`document.querySelectorAll(` + js(selector) + `).length`))
}

// msgCount returns the MSG count shown in the Communication Summary.
func (b *browser) msgCount() string {
	return b.text(`[data-count="MSG"]`)
}

// allowDownloads saves downloads of the page into dir.
func (b *browser) allowDownloads(dir string) {
	b.t.Helper()
	if _, err := chromedp.Call(b.ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir}); err != nil {
		b.t.Fatalf("allow downloads: %v", err)
	}
}

// capturedMail returns the mail the stack's SES capture holds.
func capturedMail(t *testing.T, mailURL string) []capturedMessage {
	t.Helper()
	resp, err := http.Get(mailURL + "/messages")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out []capturedMessage
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("decode captured mail: %v", err)
	}
	return out
}

// capturedMessage is one mail of the capture (the fields the tests read).
type capturedMessage struct {
	To      []string `json:"to"`
	Subject string   `json:"subject"`
	Text    string   `json:"text"`
	HTML    string   `json:"html"`
}

// fileMessage files a visitor's offline message on the demo site through
// the board store, as the offline form does.
func fileMessage(t *testing.T, s *stack.Stack, visitor, name, email, subject, text string) *livehelp.BoardItem {
	t.Helper()
	b, err := s.Store.AddOfflineMessage(context.Background(), store.OfflineMessage{Site: "demo", Visitor: visitor, Name: name,
		Email: email, Subject: subject, Text: text, ClientID: "form-" + visitor + "-" + time.Now().Format("150405.000000000")[7:],
		Conversation: livehelp.ConversationID("demo", visitor)})
	if err != nil {
		t.Fatalf("file an offline message: %v", err)
	}
	return b
}

// noInjection fails the test if payloads ran or made elements anywhere in
// the console: no injected element, no marker set, no dialog, no exception.
func (b *browser) noInjection(where string) {
	b.t.Helper()
	bad := b.str(`JSON.stringify({
		xss: window.__xss || null,
		elements: [...document.querySelectorAll('#app img, #app script, #app iframe, #app svg script, #app [onerror], #app [onload], #app b, #app marquee')].map(e => e.outerHTML.slice(0, 80)),
	})`)
	if bad != `{"xss":null,"elements":[]}` {
		b.t.Errorf("%s: injected content: %s", where, bad)
	}
	b.mu.Lock()
	dialogs, exceptions := append([]string(nil), b.dialogs...), append([]string(nil), b.exceptions...)
	b.mu.Unlock()
	if len(dialogs) > 0 {
		b.t.Errorf("%s: JavaScript dialogs opened: %q", where, dialogs)
	}
	if len(exceptions) > 0 {
		b.t.Errorf("%s: uncaught exceptions: %q", where, exceptions)
	}
}
