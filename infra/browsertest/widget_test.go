package browsertest

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/google/go-cmp/cmp"
)

// TestWidgetStates checks what the button says and what a click opens in
// each state the status endpoint reports, in the three languages.
func TestWidgetStates(t *testing.T) {
	t.Parallel()
	b := newBrowser(t, 1024, 720)
	tests := []struct {
		state, lang string
		label       string // the button
		class       string
		opens       string // a text the opened panel shows
		focused     string // what has the focus after the click
	}{
		{"offline", "", "Leave a message", "offline", "Your email", "name"},
		{"online", "", "Click for Live Help", "online", "Hello! How can we help you?", "textarea"},
		{"busy", "", "Click for Live Help", "busy", "Wait in the queue", "Wait in the queue"},
		{"offline", "fr", "Leave a message", "offline", "Votre e-mail", "name"},
		{"busy", "ru", "Click for Live Help", "busy", "Подождать в очереди", "Подождать в очереди"},
	}
	for _, tt := range tests {
		f := newFakeAPI(t) // a new origin: a first-time visitor
		b.forget()
		f.setStatus(tt.state, nil)
		query := ""
		if tt.lang != "" {
			query = "lang=" + tt.lang
		}
		b.open(f.pageURL(query))
		b.waitFor("the "+tt.state+" label", `txt('.b') === `+quote(tt.label), 5*time.Second)
		if got := b.str(`$('.b').className`); got != "b "+tt.class {
			t.Errorf("%s/%s: button class %q", tt.state, tt.lang, got)
		}
		b.shot("button-" + tt.state + "-" + tt.lang)
		b.click(".b")
		b.waitFor(tt.state+" panel", `!$('.p').hidden && $('.p').textContent.includes(`+quote(tt.opens)+`)`, 5*time.Second)
		if got := b.str(`$('.b').getAttribute('aria-expanded')`); got != "true" {
			t.Errorf("%s/%s: aria-expanded = %q after opening", tt.state, tt.lang, got)
		}
		focus := b.str(`(S.activeElement && (S.activeElement.name || S.activeElement.tagName.toLowerCase() === 'textarea' && 'textarea' || S.activeElement.textContent.trim())) || ''`)
		if focus != tt.focused {
			t.Errorf("%s/%s: focus on %q after opening, want %q", tt.state, tt.lang, focus, tt.focused)
		}
		b.shot("panel-" + tt.state + "-" + tt.lang)
		b.key(kb.Escape)
		b.waitFor("Escape to close the panel", `$('.p').hidden && S.activeElement === $('.b')`, 2*time.Second)
		b.checkHostUnharmed()
		if foreign := b.foreignRequests(f.hosts()...); len(foreign) > 0 {
			t.Errorf("requests to other hosts: %q", foreign)
		}
	}
}

// TestWidgetIsolation checks the widget adds one global, keeps its styles
// to itself and is not styled by the page's broad rules.
func TestWidgetIsolation(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	b := newBrowser(t, 1024, 720)
	const globals = `Object.getOwnPropertyNames(window).sort().join(',')`
	b.open(f.pageURL(""))
	with := strings.Split(b.str(globals), ",")
	pageButton := b.str(`getComputedStyle(document.getElementById('add')).backgroundColor + ' ' + getComputedStyle(document.getElementById('add')).textTransform`)
	ours := b.str(`getComputedStyle($('.b')).backgroundColor + ' ' + getComputedStyle($('.b')).textTransform + ' ' + getComputedStyle($('.b')).fontFamily`)

	// The same page without the widget.
	b2 := newBrowser(t, 1024, 720)
	b2.do(chromedp.Navigate(f.pageURL("nowidget=1")))
	without := strings.Split(b2.str(globals), ",")
	pageButtonAlone := b2.str(`getComputedStyle(document.getElementById('add')).backgroundColor + ' ' + getComputedStyle(document.getElementById('add')).textTransform`)

	var added []string
	have := map[string]bool{}
	for _, g := range without {
		have[g] = true
	}
	for _, g := range with {
		if !have[g] {
			added = append(added, g)
		}
	}
	if diff := cmp.Diff([]string{"LiveHelp"}, added); diff != "" {
		t.Errorf("globals the widget added (-want +got):\n%s", diff)
	}
	if pageButton != pageButtonAlone {
		t.Errorf("the page's button style changed with the widget: %q, alone %q", pageButton, pageButtonAlone)
	}
	if !strings.HasPrefix(ours, "rgb(29, 78, 216) none ") || strings.Contains(ours, "Georgia") {
		t.Errorf("the widget button took the page's styles: %q", ours)
	}
}

func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// TestWidgetStrictCSP checks the widget keeps its looks and works on a page
// whose Content-Security-Policy forbids inline styles.
func TestWidgetStrictCSP(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	f.setStatus("online", nil)
	b := newBrowser(t, 1024, 720)
	b.open(f.pageURL("csp=1"))
	b.waitFor("the online label", `txt('.b') === 'Click for Live Help'`, 5*time.Second)
	got := b.str(`[getComputedStyle($('.b')).backgroundColor, getComputedStyle($('.b')).position, innerWidth - $('.b').getBoundingClientRect().right].join(' ')`)
	if got != "rgb(29, 78, 216) fixed 16" {
		t.Errorf("under a strict CSP the button is styled %q, want blue, fixed, 16 px from the right", got)
	}
	b.click(".b")
	f.waitFrames("start", 1, 5*time.Second)
	b.waitFor("the chat", `txt('.s') === 'You are chatting with Ann.'`, 5*time.Second)
	b.shot("strict-csp")
}
