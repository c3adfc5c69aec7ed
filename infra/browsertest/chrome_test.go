package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromium is Debian's Chromium; the tests never download a browser.
const chromium = "/usr/bin/chromium"

// browserTimeout bounds everything one browser does in a test.
const browserTimeout = 3 * time.Minute

// browser is one headless Chromium with one tab, and what it observed:
// JavaScript dialogs, uncaught exceptions and every request URL.
type browser struct {
	t    *testing.T
	ctx  context.Context
	quit func() // stops the browser

	mu         sync.Mutex
	dialogs    []string
	exceptions []string
	requests   []string
}

// newBrowser starts Chromium with the flags of the package doc and a fresh
// profile, with a viewport of width×height CSS pixels.
func newBrowser(t *testing.T, width, height int) *browser {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("no Chromium at %s: %v", chromium, err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	quit := func() { cancelTab(); cancelAlloc() }
	t.Cleanup(quit)
	// The first call starts the browser; it must not carry the timeout.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", chromium, err)
	}
	tctx, cancelTime := context.WithTimeout(ctx, browserTimeout)
	t.Cleanup(cancelTime)
	b := &browser{t: t, ctx: tctx, quit: quit}
	err := chromedp.Listen(ctx, func(ev any) {
		b.mu.Lock()
		defer b.mu.Unlock()
		switch e := ev.(type) {
		case *page.EventJavascriptDialogOpening:
			b.dialogs = append(b.dialogs, e.Message)
			go func() { _, _ = chromedp.Call(tctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{}) }()
		case *runtime.EventExceptionThrown:
			b.exceptions = append(b.exceptions, exceptionText(e.ExceptionDetails))
		case *network.EventRequestWillBeSent:
			b.requests = append(b.requests, e.Request.URL)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(tctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(tctx, runtime.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	b.do(chromedp.EmulateViewport(int64(width), int64(height)))
	return b
}

func exceptionText(d *runtime.ExceptionDetails) string {
	if d == nil {
		return ""
	}
	s := d.Text
	if d.Exception != nil && d.Exception.Description != "" {
		s += " " + d.Exception.Description
	}
	return fmt.Sprintf("%s (%s:%d)", s, d.URL, d.LineNumber+1)
}

// do runs actions and stops the test on error.
func (b *browser) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("browser: %v; widget: %s", err, b.describe())
	}
}

// open loads a page and waits for the widget's button to be shown.
func (b *browser) open(u string) {
	b.t.Helper()
	b.do(chromedp.Navigate(u))
	b.waitFor("the widget button", `$('.b') && !$('.b').hidden`, 10*time.Second)
}

// shadow defines, for expressions, $ (querySelector in the widget's shadow
// root) and txt (its trimmed textContent); S is the shadow root.
const shadow = `const R = document.querySelector('livehelp-widget'), S = R && R.shadowRoot;
const $ = s => S ? S.querySelector(s) : null;
const txt = s => { const e = $(s); return e ? e.textContent.trim() : null; };`

// wrap makes an expression see the shadow helpers.
func wrap(expr string) string { return "(() => { " + shadow + "\nreturn (" + expr + "); })()" }

// evalJSON evaluates an expression and decodes its JSON value into out.
func (b *browser) evalJSON(expr string, out any) {
	b.t.Helper()
	raw, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]byte](wrap(expr)))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		b.t.Fatalf("evaluate %s: %s: %v", expr, raw, err)
	}
}

// str evaluates an expression to a string.
func (b *browser) str(expr string) string {
	b.t.Helper()
	var s string
	b.evalJSON("String("+expr+")", &s)
	return s
}

// num evaluates an expression to a number.
func (b *browser) num(expr string) float64 {
	b.t.Helper()
	var n float64
	b.evalJSON("Number("+expr+")", &n)
	return n
}

// waitFor polls a boolean expression until it holds, or fails the test
// after timeout, saying what it waited for.
func (b *browser) waitFor(what, expr string, timeout time.Duration) {
	b.t.Helper()
	if !b.poll(expr, timeout) {
		b.t.Fatalf("waited %v for %s (%s); widget: %s", timeout, what, expr, b.describe())
	}
}

// poll reports whether a boolean expression came to hold within timeout.
func (b *browser) poll(expr string, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](wrap("!!("+expr+")")))
		if err == nil && ok {
			return true
		}
		if time.Now().After(deadline) || b.ctx.Err() != nil {
			return false
		}
		time.Sleep(40 * time.Millisecond)
	}
}

// describe returns the widget's visible texts, for failure messages.
func (b *browser) describe() string {
	s, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](wrap(`JSON.stringify({button: txt('.b'),
		panelHidden: $('.p') && $('.p').hidden, status: txt('.s'), body: txt('.v')})`)))
	return s
}

// jsPath selects an element of the widget's shadow root.
func jsPath(selector string) chromedp.JSPath {
	q, _ := json.Marshal(selector)
	return chromedp.JSPath(`document.querySelector('livehelp-widget').shadowRoot.querySelector(` + string(q) + `)`)
}

// click clicks an element of the widget with real mouse events.
func (b *browser) click(selector string) {
	b.t.Helper()
	b.do(chromedp.Click(jsPath(selector), chromedp.NodeVisible))
}

// clickText clicks the widget's button whose text is text.
func (b *browser) clickText(text string) {
	b.t.Helper()
	q, _ := json.Marshal(text)
	b.do(chromedp.Click(chromedp.JSPath(`[...document.querySelector('livehelp-widget').shadowRoot.querySelectorAll('button')].find(e => e.textContent.trim() === `+string(q)+`)`),
		chromedp.NodeVisible))
}

// typeInto focuses an element of the widget and types text as key events.
func (b *browser) typeInto(selector, text string) {
	b.t.Helper()
	b.do(chromedp.Focus(jsPath(selector)), chromedp.KeyEvent(text))
}

// key sends keys to the focused element, e.g. kb.Escape.
func (b *browser) key(k string) {
	b.t.Helper()
	b.do(chromedp.KeyEvent(k))
}

// shot saves a screenshot of the viewport as name.png and returns its path.
func (b *browser) shot(name string) string {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Fatal(err)
	}
	dir := os.Getenv("LIVEHELP_SCREENSHOTS")
	if dir == "" {
		dir = b.t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	p := filepath.Join(dir, name+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot %s", p)
	return p
}

// checkHostUnharmed fails the test if a dialog opened, an exception reached
// the page, the page's own error handlers saw anything, or its ticker
// stopped.
func (b *browser) checkHostUnharmed() {
	b.t.Helper()
	b.mu.Lock()
	dialogs, exceptions := append([]string(nil), b.dialogs...), append([]string(nil), b.exceptions...)
	b.mu.Unlock()
	if len(dialogs) > 0 {
		b.t.Errorf("JavaScript dialogs opened: %q", dialogs)
	}
	if len(exceptions) > 0 {
		b.t.Errorf("uncaught exceptions on the page: %q", exceptions)
	}
	if errs := b.str(`JSON.stringify(window.hostErrors || [])`); errs != "[]" {
		b.t.Errorf("the host page's error handlers saw: %s", errs)
	}
	before := b.num(`document.getElementById('ticks').textContent`)
	time.Sleep(400 * time.Millisecond)
	after := b.num(`document.getElementById('ticks').textContent`)
	if after < before+2 {
		b.t.Errorf("the host page's own script stopped: ticks %v then %v", before, after)
	}
}

// foreignRequests returns the requests to hosts other than the allowed ones.
func (b *browser) foreignRequests(allowed ...string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, r := range b.requests {
		u, err := url.Parse(r)
		if err != nil || u.Scheme == "data" || u.Scheme == "about" || u.Scheme == "blob" {
			continue
		}
		ok := false
		for _, a := range allowed {
			ok = ok || strings.EqualFold(u.Host, a)
		}
		if !ok {
			out = append(out, r)
		}
	}
	return out
}

// forget clears the recorded requests, dialogs and exceptions.
func (b *browser) forget() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.requests, b.dialogs, b.exceptions = nil, nil, nil
}

// exec runs a JavaScript statement or expression, ignoring its value.
func (b *browser) exec(expr string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[chromedp.Void](wrap(expr))); err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
}

// enter presses Enter as a browser does: one keyDown carrying the text, so
// a handler that cancels the keydown also cancels the newline (kb.Enter
// sends the text in a separate char event that preventDefault cannot stop).
func (b *browser) enter() {
	b.t.Helper()
	down := input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyDown, Key: "Enter", Code: "Enter",
		WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13, Text: "\r", UnmodifiedText: "\r"}
	up := down
	up.Type, up.Text, up.UnmodifiedText = input.DispatchKeyEventTypeKeyUp, "", ""
	for _, p := range []input.DispatchKeyEventParams{down, up} {
		if _, err := chromedp.Call(b.ctx, input.DispatchKeyEvent, p); err != nil {
			b.t.Fatalf("press Enter: %v", err)
		}
	}
}

// navigate loads a page without waiting for the widget.
func navigate(u string) chromedp.Action[chromedp.Void] { return chromedp.Navigate(u) }
