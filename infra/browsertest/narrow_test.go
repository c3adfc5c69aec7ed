package browsertest

import (
	"testing"
	"time"
)

// fits checks that the widget's button and panel (when open) lie inside
// the viewport, that the page has no horizontal scroll bar, and that every
// control of the panel fits across (the panel scrolls vertically).
const fits = `(() => {
	const w = innerWidth, bad = [], inside = (e, name, across) => { const r = e.getBoundingClientRect();
		if (r.left < 0 || r.right > w + 0.5 || !across && (r.top < 0 || r.bottom > innerHeight + 0.5)) bad.push(name + ' ' + JSON.stringify([r.left, r.top, r.right, r.bottom])); };
	inside($('.b'), 'button');
	if ($('.b').scrollWidth > $('.b').clientWidth + 1) bad.push('button text overflows');
	if (!$('.p').hidden) { inside($('.p'), 'panel');
		for (const e of S.querySelectorAll('.p input, .p textarea, .p button')) if (e.offsetParent) inside(e, e.name || e.className || e.tagName, true); }
	if (document.documentElement.scrollWidth > w) bad.push('page scrolls sideways: ' + document.documentElement.scrollWidth);
	return bad.join('; '); })()`

// TestWidgetNarrow checks the widget at 320 CSS pixels wide, with the
// longest built-in label, in the form and in the chat.
func TestWidgetNarrow(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	f.setStatus("offline", map[string]string{"offline": "Laisser un message", "online": "Cliquez pour une aide en direct"})
	b := newBrowser(t, 320, 568)
	b.open(f.pageURL("lang=fr"))
	if bad := b.str(fits); bad != "" {
		t.Errorf("button at 320 px: %s", bad)
	}
	b.click(".b")
	b.waitFor("the form", `$('#lh-name') && !$('.p').hidden`, 5*time.Second)
	b.clickText("Envoyer le message")
	if bad := b.str(fits); bad != "" {
		t.Errorf("form at 320 px: %s", bad)
	}
	b.shot("narrow-form")

	f.setStatus("online", map[string]string{"offline": "Laisser un message", "online": "Cliquez pour une aide en direct"})
	b.open(f.pageURL("lang=fr"))
	b.waitFor("the online label", `txt('.b') === 'Cliquez pour une aide en direct'`, 5*time.Second)
	b.click(".b")
	f.waitFrames("start", 1, 5*time.Second)
	b.waitFor("the chat", `txt('.s') === 'Vous discutez avec Ann.'`, 5*time.Second)
	f.operatorSays("Bonjour ! Une très longue phrase pour vérifier que le texte passe à la ligne sans déborder du panneau : https://example.com/un/chemin/tres/long/sans/espaces/du/tout", false)
	b.waitFor("the message", `$('li.op')`, 5*time.Second)
	if bad := b.str(fits); bad != "" {
		t.Errorf("chat at 320 px: %s", bad)
	}
	b.shot("narrow-chat")
	b.checkHostUnharmed()
}
