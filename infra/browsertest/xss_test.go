package browsertest

import (
	"testing"
	"time"
)

// xss are payloads that would run or inject markup if the widget ever
// parsed data as HTML.
const (
	xssLabel = `<img src=x onerror="alert('label')">Chat <b>now</b>`
	xssName  = `<script>alert('name')</script>Ann`
	xssText  = `<img src=x onerror=alert('msg')><svg onload=alert(2)></svg><iframe src="javascript:alert(3)"></iframe>`
)

// TestWidgetXSS sends HTML in the button label, the operator's name and an
// operator message, and checks they render as inert text: no dialog, no
// element made from them, the text shown as typed.
func TestWidgetXSS(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	f.setStatus("online", map[string]string{"online": xssLabel})
	f.set(func(f *fakeAPI) {
		f.conv = &fakeConv{ID: "c1", Status: "assigned", Operator: xssName, CIDs: map[string]int{}}
	})
	b := newBrowser(t, 1024, 760)
	b.open(f.pageURL(""))
	b.waitFor("the label as text", `txt('.b') === `+quote(xssLabel), 5*time.Second)
	b.click(".b")
	f.waitFrames("hello", 1, 5*time.Second)
	f.operatorSays(xssText, false)
	b.waitFor("the message as text", `[...S.querySelectorAll('li')].some(li => li.textContent.includes(`+quote(xssText)+`))`, 5*time.Second)
	b.waitFor("the operator name as text", `txt('.s').includes(`+quote(xssName)+`)`, 5*time.Second)
	time.Sleep(300 * time.Millisecond) // let any injected handler fire
	if n := b.num(`S.querySelectorAll('img, script, svg, iframe, b').length + document.querySelectorAll('img, svg, iframe').length`); n != 0 {
		t.Errorf("%v elements were made from data", n)
	}
	b.shot("xss-inert")
	b.checkHostUnharmed()
}
