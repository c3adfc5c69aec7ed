package browsertest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// TestConsoleMessageFlow is the console's main path on the local runner:
// sign in → an offline message in the Message Queue with the MSG count →
// open the visitor's profile → reply to <all emails> (captured once per
// address) → close → unclose with confirmation; a <don't send> note is on
// the board but never mailed; the filters and the search narrow the board.
func TestConsoleMessageFlow(t *testing.T) {
	s := startConsoleStack(t)
	ctx := context.Background()
	msg := fileMessage(t, s, "v-ann", "Ann Lee", "ann@example.com", "Order 1042 has not arrived", "Hello,\nmy order 1042 is late. Can you check?")
	if err := s.Store.AddVisitorEmail(ctx, "demo", "v-ann", "ann.work@example.com"); err != nil {
		t.Fatal(err)
	}
	_, _, err := s.Store.AddBoardItem(ctx, &livehelp.BoardItem{Site: "demo", Visitor: "v-ann", Kind: livehelp.BoardCall, Text: "Called about the invoice", Closed: true,
		Call: &livehelp.Call{At: time.Now().Add(-2 * time.Hour), Duration: 4 * time.Minute, Direction: livehelp.CallInbound, Phone: "+1 555 0100", Source: "console"}})
	if err != nil {
		t.Fatal(err)
	}

	b := newBrowser(t, 1280, 900)
	b.consoleLogin(s.ConsoleURL, s.Demo.Email, s.Demo.Password)

	// The Message Queue shows the message, and MSG counts it.
	b.waitFor("MSG = 1", q(`[data-count="MSG"]`)+`.textContent.trim() === "1"`, 15*time.Second)
	b.waitFor("the message in the queue", q(`.items .item.unanswered[data-id="`+msg.ID+`"]`), 10*time.Second)
	if got := b.text(`.item[data-id="` + msg.ID + `"] .subject`); got != "Order 1042 has not arrived" {
		t.Errorf("queue subject = %q", got)
	}
	b.shot("console-queue")

	// Open the profile from the message header.
	b.clickCSS(`.item[data-id="` + msg.ID + `"] a.who`)
	b.waitFor("the profile", q(`.profile-title h1`)+` && `+q(`#reply-to`), 10*time.Second)
	if got := b.text(".profile-title h1"); got != "Ann Lee" {
		t.Errorf("profile name = %q", got)
	}
	b.waitFor("the board", `document.querySelectorAll('.board .item').length === 2`, 10*time.Second)

	// Reply to <all emails>.
	b.fill("#reply-to", "all")
	if got := b.str(q("#reply-subject") + `.value`); got != "Re: Order 1042 has not arrived" {
		t.Errorf("subject prefilled as %q", got)
	}
	b.fill("#reply-text", "Hi Ann,\nyour parcel left our warehouse today.")
	b.clickCSS("#reply-send")
	b.waitFor("the reply on the board", q(`.board .item.kind-reply`), 10*time.Second)
	var mails []capturedMessage
	eventually(t, "two mails captured", 10*time.Second, func() bool { mails = capturedMail(t, s.MailURL); return len(mails) >= 2 })
	var to []string
	for _, m := range mails {
		to = append(to, m.To...)
		if m.Subject != "Re: Order 1042 has not arrived" || !strings.Contains(m.Text, "your parcel left our warehouse today.") || !strings.Contains(m.HTML, "Hi Ann,<br>") {
			t.Errorf("mail = %+v", m)
		}
	}
	if diff := cmp.Diff([]string{"ann.work@example.com", "ann@example.com"}, sorted(to)); diff != "" {
		t.Errorf("recipients (-want +got):\n%s", diff)
	}

	// Close the message: grey header, MSG 0. Unclose asks first.
	box := `.board .item[data-id="` + msg.ID + `"] .close-box`
	b.clickCSS(box)
	b.waitFor("the message closed", q(`.board .item.closed[data-id="`+msg.ID+`"]`)+` && `+q(`[data-count="MSG"]`)+`.textContent.trim() === "0"`, 10*time.Second)
	b.clickCSS(box)
	b.waitFor("the unclose confirmation", q(`dialog.confirm[open]`), 5*time.Second)
	if got := b.text("dialog.confirm h2"); got != "Unclose this item?" {
		t.Errorf("confirmation title = %q", got)
	}
	b.shot("console-unclose-confirm")
	b.clickButton("dialog.confirm", "Unclose")
	b.waitFor("the message unanswered again", q(`.board .item.unanswered[data-id="`+msg.ID+`"]`)+` && `+q(`[data-count="MSG"]`)+`.textContent.trim() === "1"`, 10*time.Second)

	// <don't send>: a note on the board, nothing mailed.
	b.fill("#reply-to", "none")
	b.fill("#reply-text", "Private: VIP customer, be generous.")
	b.clickCSS("#reply-send")
	b.waitFor("the note on the board", q(`.board .item.kind-note`), 10*time.Second)
	time.Sleep(500 * time.Millisecond)
	mails = capturedMail(t, s.MailURL)
	if len(mails) != 2 {
		t.Errorf("%d mails after the note, want still 2", len(mails))
	}
	for _, m := range mails {
		if strings.Contains(m.Text+m.HTML, "VIP") {
			t.Errorf("the private note was mailed to %v", m.To)
		}
	}
	b.shot("console-profile")

	// Filters and search narrow the board.
	kinds := func() []string {
		var out []string
		b.evalJSON(`[...document.querySelectorAll('.board .item')].map(e => e.dataset.kind)`, &out)
		return out
	}
	waitKinds := func(what string, want []string) {
		t.Helper()
		eventually(t, what, 10*time.Second, func() bool { return cmp.Equal(kinds(), want) })
	}
	waitKinds("the whole board", []string{"note", "reply", "call", "message"})
	b.clickCSS(`[data-filter="messages"]`)
	b.clickCSS(`[data-filter="chat"]`)
	waitKinds("Calls only", []string{"call"})
	b.clickCSS(`[data-filter="messages"]`)
	b.clickCSS(`[data-filter="calls"]`)
	waitKinds("Messages only", []string{"note", "reply", "message"})
	b.clickCSS("#only-unclosed")
	waitKinds("Only unclosed messages", []string{"message"})
	b.clickCSS("#only-unclosed")
	b.clickCSS(`[data-filter="calls"]`)
	b.fill("#board-search", "WAREHOUSE today")
	waitKinds("search for a phrase", []string{"reply"})
	b.fill("#board-search", "invoice")
	waitKinds("search for a word", []string{"call"})
	b.noInjection("message flow")

	// The reports count today's offline message; the admin page opens.
	b.do(chromedp.Navigate(s.ConsoleURL + "#/reports"))
	b.waitFor("the charts", q("svg.chart rect"), 10*time.Second)
	if got := b.text(".kpi:nth-child(2) .kpi-value"); got != "1" {
		t.Errorf("offline messages in the report = %q, want 1", got)
	}
	b.shot("console-reports")
	b.do(chromedp.Navigate(s.ConsoleURL + "#/admin"))
	b.waitFor("the admin page", q("#site-name-in"), 10*time.Second)
	b.shot("console-admin")
	b.noInjection("reports and admin")
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
