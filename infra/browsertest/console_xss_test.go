package browsertest

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

// Payloads that run script or make elements if anything renders them as
// HTML. Each sets window.__xss, which must stay unset.
const (
	cxName    = `<img src=x onerror="window.__xss='name'">Eve</b>`
	cxSubject = `<script>window.__xss='subject'</script><b>Refund</b>`
	cxText    = `"><svg onload="window.__xss='text'"><iframe src="javascript:window.__xss='frame'"></iframe>&lt;ok&gt;`
	cxChat    = `<img src=1 onerror="window.__xss='chat'">hello`
	cxTitle   = `<b onmouseover="window.__xss='canned'">Title</b>`
)

// TestConsoleXSS puts HTML and script payloads in a visitor's name, a
// message, a chat transcript, a canned message and the operator's own
// name, and visits every view of the console at 320 px wide: everything
// shows as the literal text, nothing runs, nothing is injected, and no
// view scrolls sideways.
func TestConsoleXSS(t *testing.T) {
	s := startConsoleStack(t)
	ctx := context.Background()
	msg := fileMessage(t, s, "v-eve", cxName, "eve@example.com", cxSubject, cxText)
	conv, err := s.Store.CreateConversation(ctx, &livehelp.Conversation{ID: livehelp.ConversationID("demo", "v-eve"), Site: "demo", Visitor: "v-eve", VisitorName: cxName})
	if err != nil {
		t.Fatal(err)
	}
	for i, text := range []string{cxChat, cxText, "line 3", "line 4", "line 5", "line 6 <u>under</u>"} {
		cur, err := s.Store.Conversation(ctx, conv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Store.AppendMessage(ctx, cur, store.Append{Sender: "v-eve",
			Message: livehelp.Message{Author: livehelp.AuthorVisitor, ClientID: "c" + string(rune('a'+i)), Text: text}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Store.CreateCanned(ctx, &livehelp.CannedNode{Site: "demo", Title: cxTitle, Body: "<script>window.__xss='body'</script>%name%"}); err != nil {
		t.Fatal(err)
	}
	op, err := s.Store.OperatorByEmail(ctx, s.Demo.Email)
	if err != nil {
		t.Fatal(err)
	}
	op.Name, op.PasswordHash = `<i onclick="window.__xss='op'">Op</i>`, ""
	if err := s.Store.UpdateOperator(ctx, op); err != nil {
		t.Fatal(err)
	}

	b := newBrowser(t, 320, 640)
	b.consoleLogin(s.ConsoleURL, s.Demo.Email, s.Demo.Password)
	narrow := func(view string) {
		t.Helper()
		time.Sleep(300 * time.Millisecond)
		if w := b.num(`document.documentElement.scrollWidth`); w > 320 {
			t.Errorf("%s: the page is %v px wide at a 320 px viewport", view, w)
		}
		b.noInjection(view)
	}

	b.waitFor("the message in the queue", q(`.item[data-id="`+msg.ID+`"]`), 15*time.Second)
	if got := b.text(`.item[data-id="` + msg.ID + `"] .subject`); got != cxSubject {
		t.Errorf("subject shows as %q", got)
	}
	if got := b.text(`.item[data-id="` + msg.ID + `"] .text`); got != cxText {
		t.Errorf("text shows as %q", got)
	}
	if got := b.text("#me-button"); got != op.Name {
		t.Errorf("operator name shows as %q", got)
	}
	b.shot("console-narrow-queue")
	narrow("message queue")

	// The summary slides in; the chat is listed with its visitor's name.
	b.clickCSS("#menu-toggle")
	b.waitFor("the chat in the summary", `[...document.querySelectorAll('.chat-name')].some(e => e.textContent === `+js(cxName)+`)`, 20*time.Second)
	time.Sleep(400 * time.Millisecond) // the summary slides in
	b.shot("console-narrow-summary")
	narrow("summary")
	b.clickCSS(".chat-row a")

	// The chat pane.
	b.waitFor("the chat pane", q(".chat-pane .bubble"), 10*time.Second)
	if got := b.texts(".chat-pane .bubble-text"); len(got) < 2 || got[0] != cxChat || got[1] != cxText {
		t.Errorf("chat lines show as %q", got)
	}
	if got := b.text(".chat-title h1"); got != cxName {
		t.Errorf("chat title shows as %q", got)
	}
	b.shot("console-narrow-chat")
	narrow("chat pane")

	// Take the chat over the WebSocket and answer in it.
	b.clickButton(".chat-actions", "Take")
	b.waitFor("the chat assigned", `[...document.querySelectorAll('.chat-title .badge')].some(e => e.textContent === 'Yours')`, 15*time.Second)
	b.fill("#chat-input", "Hello <Eve>, how can I help?")
	b.clickButton(".composer", "Send")
	b.waitFor("the answer in the pane", `[...document.querySelectorAll('.bubble.operator .bubble-text')].some(e => e.textContent === 'Hello <Eve>, how can I help?')`, 15*time.Second)
	msgs, _, err := s.Store.Messages(ctx, conv.ID, livehelp.Page{Limit: 20})
	if err != nil || msgs[len(msgs)-1].Text != "Hello <Eve>, how can I help?" || msgs[len(msgs)-1].Author != livehelp.AuthorOperator {
		t.Errorf("stored lines end with %+v (%v)", msgs[len(msgs)-1], err)
	}

	// The profile and its board, with the transcript cut at five lines.
	b.do(chromedp.Navigate(s.ConsoleURL + "#/visitor/v-eve"))
	b.waitFor("the transcript", q(".item.kind-chat .transcript"), 15*time.Second)
	if got := b.text(".profile-title h1"); got != cxName {
		t.Errorf("profile name shows as %q", got)
	}
	if n := b.count(".item.kind-chat .transcript li"); n != 5 {
		t.Errorf("the transcript shows %d lines before Show all, want 5", n)
	}
	// Six visitor lines, the operator joining and answering: eight in all.
	b.clickButton(".item.kind-chat", "Show all (8 lines)")
	b.waitFor("the whole transcript", `document.querySelectorAll('.item.kind-chat .transcript li').length === 8`, 5*time.Second)
	b.clickButton(".item.kind-chat", "Hide")
	b.waitFor("the transcript rolled up", `document.querySelectorAll('.item.kind-chat .transcript li').length === 5`, 5*time.Second)
	b.clickCSS(".reply .canned-button")
	b.clickButton(".canned-menu", cxTitle)
	b.waitFor("the inserted canned text", q("#reply-text")+`.value.includes('<script>')`, 10*time.Second)
	b.shot("console-narrow-profile")
	narrow("profile")

	for _, view := range []string{"canned", "reports", "admin"} {
		b.do(chromedp.Navigate(s.ConsoleURL + "#/" + view))
		b.waitFor(view, q(".view-head h1"), 10*time.Second)
		time.Sleep(500 * time.Millisecond)
		b.shot("console-narrow-" + view)
		narrow(view)
		if view == "canned" {
			if got := b.texts(".tree-title"); len(got) != 1 || got[0] != cxTitle {
				t.Errorf("canned titles show as %q", got)
			}
		}
	}
}
