package browsertest

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"
)

// focused names the element focused inside the widget: its id, else its
// class, else its text.
const focused = `(() => { const e = S.activeElement; return e ? (e.id || e.className || e.textContent.trim()) : ''; })()`

// TestWidgetKeyboard drives the widget with the keyboard alone, the way a
// screen-reader user would, and checks every control has a name.
func TestWidgetKeyboard(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	b := newBrowser(t, 1024, 760)
	b.open(f.pageURL(""))

	// From the page's last control, Tab reaches the button; Enter opens.
	b.exec(`document.getElementById('newsletter').focus()`)
	b.key(kb.Tab)
	b.waitFor("the button focused", `document.activeElement === R && S.activeElement === $('.b')`, 2*time.Second)
	b.key(kb.Enter)
	b.waitFor("the form open on the name field", `!$('.p').hidden && S.activeElement === $('#lh-name')`, 5*time.Second)

	// Tab walks the form in reading order.
	var got []string
	for range 4 {
		b.key(kb.Tab)
		got = append(got, b.str(focused))
	}
	want := []string{"lh-email", "lh-subject", "lh-message", "q"} // then out of the widget, to the browser
	for i := range want {
		if i >= len(got) || got[i] != want[i] {
			t.Errorf("Tab order %q, want %q", got, want)
			break
		}
	}

	// Every control has an accessible name; the panel is a labelled dialog.
	unnamed := b.str(`[...S.querySelectorAll('button, input, textarea')].filter(e => !e.hidden && e.offsetParent &&
		!(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim()).map(e => e.outerHTML).join(' ')`)
	if unnamed != "" {
		t.Errorf("controls without a name: %s", unnamed)
	}
	if dialog := b.str(`$('.p').getAttribute('role') + ' ' + S.getElementById($('.p').getAttribute('aria-labelledby')).textContent`); dialog != "dialog Live Help" {
		t.Errorf("panel %q, want a dialog named Live Help", dialog)
	}

	// Escape closes from anywhere in the panel and gives the focus back.
	b.exec(`$('#lh-subject').focus()`)
	b.key(kb.Escape)
	b.waitFor("the panel closed, focus on the button", `$('.p').hidden && S.activeElement === $('.b') && $('.b').getAttribute('aria-expanded') === 'false'`, 2*time.Second)
	b.checkHostUnharmed()
}
