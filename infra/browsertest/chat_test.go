package browsertest

import (
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/google/go-cmp/cmp"
)

// bubbles returns the chat's messages as "author|text|info" lines, in
// display order, without the greeting.
func (b *browser) bubbles() []string {
	b.t.Helper()
	var out []string
	b.evalJSON(`[...S.querySelectorAll('ol li')].slice(1).map(li =>
		[li.className, (li.querySelector('.a') || {}).textContent || '', li.querySelector('.t').textContent, li.querySelector('.i').textContent].join('|'))`, &out)
	return out
}

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// TestWidgetChat runs a conversation on the fake WebSocket API: start,
// send and ack, operator messages, duplicates, a gap filled from history,
// typing, read receipts, a lost send retried with the same client_id after
// a reconnect, a lost ack, the unread badge, and a returning visitor.
func TestWidgetChat(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	f.setStatus("online", nil)
	b := newBrowser(t, 1024, 760)
	b.open(f.pageURL(""))
	b.click(".b")
	start := f.waitFrames("start", 1, 5*time.Second)
	b.waitFor("the assigned line", `txt('.s') === 'You are chatting with Ann.'`, 5*time.Second)
	if _, ok := start[0]["id"].(string); !ok {
		t.Errorf("start frame without a request id: %v", start[0])
	}

	// Send: shown at once as sending, then confirmed by the ack.
	b.typeInto("textarea", "Hello there")
	typing := f.waitFrames("typing", 1, 5*time.Second)
	if typing[0]["typing"] != true || typing[0]["conversation"] != "c1" {
		t.Errorf("typing frame %v", typing[0])
	}
	b.enter()
	sends := f.waitFrames("send", 1, 5*time.Second)
	cid, _ := sends[0]["client_id"].(string)
	if !uuidPattern.MatchString(cid) || sends[0]["text"] != "Hello there" || sends[0]["conversation"] != "c1" {
		t.Errorf("send frame %v", sends[0])
	}
	b.waitFor("the ack", `$('li.me') && $('li.me').getAttribute('data-seq') === '1' && txt('li.me .i') === ''`, 5*time.Second)
	if v := b.str(`$('textarea').value`); v != "" {
		t.Errorf("composer not cleared: %q", v)
	}
	f.mu.Lock()
	for _, fr := range f.frames {
		if fr["action"] == "read" {
			t.Errorf("a read receipt with no operator line to read: %v", fr)
		}
	}
	f.mu.Unlock()

	// The operator answers; a read receipt follows because the panel is open.
	m := f.operatorSays("Hi! How can I help?", false)
	f.push(map[string]any{"type": "message", "conversation": "c1", "message": m}) // a duplicate push
	b.waitFor("the operator's message", `S.querySelectorAll('li.op').length === 1`, 5*time.Second)
	reads := f.waitFrames("read", 1, 5*time.Second)
	if reads[len(reads)-1]["seq"] != float64(2) {
		t.Errorf("read frame %v, want seq 2", reads[len(reads)-1])
	}

	// The operator types.
	f.push(map[string]any{"type": "typing", "conversation": "c1", "typing": true, "author": "operator"})
	b.waitFor("the typing line", `txt('.ty') === 'The operator is typing…'`, 5*time.Second)
	b.shot("chat-typing")
	f.push(map[string]any{"type": "typing", "conversation": "c1", "typing": false, "author": "operator"})
	b.waitFor("the typing line to go", `txt('.ty') === ''`, 5*time.Second)

	// A gap: seq 3 never pushed, seq 4 pushed; history fills it in order.
	f.operatorSays("(seq 3, missed)", true)
	f.operatorSays("(seq 4)", false)
	hist := f.waitFrames("history", 1, 5*time.Second)
	if hist[0]["after"] != float64(2) || hist[0]["conversation"] != "c1" {
		t.Errorf("history frame %v, want after 2", hist[0])
	}
	b.waitFor("the gap filled", `S.querySelectorAll('li[data-seq]').length === 4`, 5*time.Second)

	// A send lost before it was stored: the widget reconnects and sends it
	// again with the same client_id; it is stored and shown once.
	f.set(func(f *fakeAPI) { f.loseNext = true })
	b.typeInto("textarea", "Are you there?")
	b.enter()
	b.waitFor("the reconnecting line", `txt('.s') === 'Connection lost. Reconnecting…'`, 5*time.Second)
	b.shot("chat-reconnecting")
	sends = f.waitFrames("send", 3, 10*time.Second)
	if sends[1]["client_id"] != sends[2]["client_id"] || sends[1]["client_id"] == cid {
		t.Errorf("retry client ids %v and %v (first message %v)", sends[1]["client_id"], sends[2]["client_id"], cid)
	}
	b.waitFor("the retried message acked", `S.querySelectorAll('li[data-seq]').length === 5 && !S.querySelector('li[data-p]')`, 10*time.Second)
	b.waitFor("the assigned line again", `txt('.s') === 'You are chatting with Ann.'`, 5*time.Second)

	// A send stored but its ack lost: after the reconnect, hello brings it
	// back with its client_id and it is not shown twice.
	f.set(func(f *fakeAPI) { f.loseAck = true })
	b.typeInto("textarea", "Order 1234")
	b.enter()
	b.waitFor("the lost-ack message settled", `S.querySelectorAll('li[data-seq]').length === 6 && !S.querySelector('li[data-p]')`, 15*time.Second)

	want := []string{
		"me|You|Hello there|",
		"op|Ann|Hi! How can I help?|",
		"op|Ann|(seq 3, missed)|",
		"op|Ann|(seq 4)|",
		"me|You|Are you there?|",
		"me|You|Order 1234|",
	}
	if diff := cmp.Diff(want, b.bubbles()); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
	for _, text := range []string{"Are you there?", "Order 1234"} {
		if n := f.stored(text); n != 1 {
			t.Errorf("%q stored %d times, want 1", text, n)
		}
	}
	b.shot("chat-conversation")

	// Closed panel: a new operator message shows on the button.
	b.key(kb.Escape)
	b.waitFor("the panel closed", `$('.p').hidden`, 2*time.Second)
	f.operatorSays("Your order left today.", false)
	b.waitFor("the unread badge", `txt('.n') === '1'`, 5*time.Second)
	b.shot("chat-badge")
	b.click(".b")
	b.waitFor("the badge cleared", `txt('.n') === '' && !$('.p').hidden`, 5*time.Second)

	// A returning visitor: same token, same conversation, no new start.
	starts := len(f.waitFrames("start", 1, time.Second))
	b.open(f.pageURL(""))
	f.waitFrames("hello", 4, 10*time.Second)
	b.click(".b")
	b.waitFor("the resumed conversation", `S.querySelectorAll('li[data-seq]').length === 7`, 5*time.Second)
	want = append(want, "op|Ann|Your order left today.|")
	if diff := cmp.Diff(want, b.bubbles()); diff != "" {
		t.Errorf("messages after a reload (-want +got):\n%s", diff)
	}
	if n := len(f.waitFrames("start", 1, time.Second)); n != starts {
		t.Errorf("a returning visitor started %d new conversations", n-starts)
	}
	f.mu.Lock()
	tokens := f.tokens
	f.mu.Unlock()
	if tokens != 1 {
		t.Errorf("%d visitor tokens issued, want 1 (kept in localStorage)", tokens)
	}
	b.checkHostUnharmed()

	// A reply while the visitor is away shows as unread when they come
	// back, and only that one: the server's read mark covers the rest.
	b.do(chromedp.Navigate("about:blank"))
	f.operatorSays("Anything else?", true)
	b.open(f.pageURL(""))
	b.waitFor("one unread reply", `txt('.n') === '1'`, 5*time.Second)
	if label := b.str(`$('.b').getAttribute('aria-label')`); label != "Click for Live Help (1 new)" {
		t.Errorf("button aria-label %q", label)
	}
	b.click(".b")
	b.waitFor("the reply shown", `S.querySelectorAll('li[data-seq]').length === 8 && txt('.n') === ''`, 5*time.Second)
	eventually(t, "a read receipt for seq 8", 5*time.Second, func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.conv.Read == 8
	})
}

// eventually polls cond until it holds or fails the test after timeout.
func eventually(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", timeout, what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// TestWidgetQueue checks the waiting line: the queue position, its
// updates, and the link to leave a message instead.
func TestWidgetQueue(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	f.setStatus("busy", nil)
	f.set(func(f *fakeAPI) { f.startStatus, f.startPosition = "waiting", 2 })
	b := newBrowser(t, 1024, 760)
	b.open(f.pageURL(""))
	b.click(".b")
	b.waitFor("the choice", `$('.p').textContent.includes('Wait in the queue')`, 5*time.Second)
	b.clickText("Wait in the queue")
	b.waitFor("the queue position", `txt('.s') === 'You are number 2 in the queue. Leave a message instead'`, 5*time.Second)
	f.push(map[string]any{"type": "queue", "conversation": "c1", "position": 1})
	b.waitFor("the new position", `txt('.s').startsWith('You are number 1 in the queue.')`, 5*time.Second)
	b.shot("chat-waiting")
	b.clickText("Leave a message instead")
	b.waitFor("the form", `$('#lh-name') && S.activeElement === $('#lh-name')`, 5*time.Second)
	b.checkHostUnharmed()
}

// TestWidgetResumeLink checks an emailed #livehelp=<token> link: the widget
// binds this browser to the link's visitor (POST /visitors {resume}), opens
// their conversation and takes the token out of the URL; a stale link says
// so and leaves the visitor able to write.
func TestWidgetResumeLink(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	f.set(func(f *fakeAPI) {
		f.conv = &fakeConv{ID: "c1", Status: "offline", Operator: "Ann", CIDs: map[string]int{}}
		f.conv.add("operator", "We found your parcel.", "")
	})
	b := newBrowser(t, 1024, 760)
	b.open(f.pageURL("") + "#livehelp=resume-token-123")
	f.waitFrames("hello", 1, 5*time.Second)
	b.waitFor("the conversation open", `!$('.p').hidden && $('li.op') && txt('li.op .t') === 'We found your parcel.'`, 5*time.Second)
	if h := b.str(`location.hash`); h != "" {
		t.Errorf("location.hash = %q, want the token removed", h)
	}
	if tok := b.str(`localStorage.getItem('livehelp:demo:token')`); tok != "visitor-token-1" {
		t.Errorf("stored token %q", tok)
	}

	f2 := newFakeAPI(t)
	b.open(f2.pageURL("") + "#livehelp=stale-link-456")
	b.waitFor("the stale-link note", `!$('.p').hidden && txt('.s') === 'This link has expired or is not valid; open the chat to write to us.'`, 5*time.Second)
	b.waitFor("the form to write", `$('#lh-name')`, time.Second)
	b.checkHostUnharmed()
}

// TestWidgetLeavesWithThePage checks the socket closes when the visitor
// leaves the page, even if the browser keeps the page in its back-forward
// cache, and opens again when they come back to it.
func TestWidgetLeavesWithThePage(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	f.setStatus("online", nil)
	b := newBrowser(t, 1024, 760)
	b.open(f.pageURL("bfcache=1"))
	b.click(".b")
	f.waitFrames("start", 1, 5*time.Second)
	eventually(t, "one open socket", 5*time.Second, func() bool { return f.connCount() == 1 })
	b.exec(`window.addEventListener('pageshow', e => { window.restored = e.persisted; })`)
	b.do(chromedp.Navigate(f.demo.URL + "/elsewhere"))
	eventually(t, "the socket closed after leaving", 15*time.Second, func() bool { return f.connCount() == 0 })
	b.exec(`history.back()`) // a restore from the cache fires no load event for chromedp to wait on
	b.waitFor("the page back", `location.pathname === '/' && $('.b') && !$('.b').hidden`, 5*time.Second)
	if b.str(`window.restored`) != "true" {
		t.Log("the browser loaded the page again instead of restoring it from the back-forward cache")
	}
	eventually(t, "the socket open again", 10*time.Second, func() bool { return f.connCount() == 1 })
	b.checkHostUnharmed()
}
