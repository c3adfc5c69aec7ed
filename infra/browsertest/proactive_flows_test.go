package browsertest

import (
	"strings"
	"testing"
	"time"

	"github.com/livehelp/livehelp/infra/devstack/stack"
	"github.com/livehelp/livehelp/shared/livehelp"
)

// frameIs matches a pushed frame (not a reply) of a type.
func frameIs(typ string, match func(map[string]any) bool) func(map[string]any) bool {
	return func(f map[string]any) bool {
		_, isReply := f["re"]
		return f["type"] == typ && !isReply && (match == nil || match(f))
	}
}

// proactiveInvite: the operator invites; No refuses (the operator sees
// it); a second invitation is accepted, the form refuses an empty required
// field, then sends; the request waits in the queue, the operator is
// alerted and both sides chat until the operator closes.
func proactiveInvite(t *testing.T, s *stack.Stack, op *wsClient, window time.Duration) {
	setProactive(t, s, livehelp.Proactive{Mode: livehelp.ProactiveInvite, Fields: []livehelp.FormField{
		{Label: "Your name", Type: "text", Required: true}, {Label: "Phone", Type: "tel"}}}, window)
	b := newBrowser(t, 1024, 760)
	b.open(s.DemoURL)
	v := awaitVisitor(t, op, nil)
	visitor := v["visitor"].(string)
	if v["page"] != "/" || !strings.HasPrefix(v["title"].(string), "Northwind Tea") || v["chatted"] != false {
		t.Errorf("visitor as listed: %v", v)
	}
	if !b.requested("/console/proactive.js") {
		t.Errorf("the proactive module was not loaded from the widget's origin")
	}

	// Refused.
	inv := op.reply(map[string]any{"action": "invite", "visitor": visitor})
	first, _ := inv["invitation"].(map[string]any)
	if inv["type"] != "invitation" || first["status"] != "pending" {
		t.Fatalf("invite answer %v", inv)
	}
	b.waitFor("the invitation", `!$('.p').hidden && $('.v').textContent.includes('Demo Operator invites you to chat.')`, 10*time.Second)
	b.shot("proactive-invitation")
	b.clickText("No")
	b.waitFor("the panel to close", `$('.p').hidden`, 5*time.Second)
	op.await("the refusal", 10*time.Second, frameIs("invitation", func(f map[string]any) bool {
		i, _ := f["invitation"].(map[string]any)
		return i["id"] == first["id"] && i["status"] == "refused"
	}))

	// Accepted: the form marks and enforces its required field.
	inv = op.reply(map[string]any{"action": "invite", "visitor": visitor})
	if inv["type"] != "invitation" {
		t.Fatalf("second invite answer %v", inv)
	}
	b.waitFor("the second invitation", `!$('.p').hidden && $('.v').textContent.includes('invites you to chat')`, 10*time.Second)
	b.clickText("Yes")
	b.waitFor("the data form", `$('#lh-pf0') && $('#lh-pf1')`, 5*time.Second)
	if got := b.str(`getComputedStyle($('label[for=lh-pf0] .rq')).color + '|' + !!$('label[for=lh-pf1] .rq')`); got != "rgb(220, 38, 38)|false" {
		t.Errorf("required marks (red asterisk on the required field only): %s", got)
	}
	b.clickText("Send")
	b.waitFor("the required-field message", `txt('#lh-pf0-e') === 'Please fill in this field.' && txt('.g') === 'Please fill in the required fields (marked *).'`, 5*time.Second)
	b.shot("proactive-form-refused")
	b.typeInto("#lh-pf0", "Ann")
	b.clickText("Send")
	b.waitFor("Waiting in queue", `txt('.s') === 'Waiting in queue…'`, 10*time.Second)
	b.shot("proactive-waiting")
	assigned := op.await("the operator alerted", 10*time.Second, frameIs("assigned", nil))
	conv := assigned["conversation"].(map[string]any)
	op.await("the visitor's answers", 10*time.Second, frameIs("message", func(f map[string]any) bool {
		m, _ := f["message"].(map[string]any)
		return m["text"] == "Your name: Ann"
	}))
	op.reply(map[string]any{"action": "send", "conversation": conv["id"], "client_id": "pro-1", "text": "Hi Ann, how can I help?"})
	b.waitFor("the operator's message", `[...S.querySelectorAll('li.op .t')].some(e => e.textContent === 'Hi Ann, how can I help?')`, 10*time.Second)
	b.waitFor("the status line after the first reply", `txt('.s') === 'You are chatting with Demo Operator.'`, 5*time.Second)
	b.typeInto("textarea", "Do you sell green tea?")
	b.enter()
	op.await("the visitor's message", 10*time.Second, frameIs("message", func(f map[string]any) bool {
		m, _ := f["message"].(map[string]any)
		return m["text"] == "Do you sell green tea?"
	}))
	op.reply(map[string]any{"action": "close", "conversation": conv["id"]})
	b.waitFor("the closed chat", `txt('.s') === 'This conversation is closed. Write to open it again.'`, 10*time.Second)
	b.shot("proactive-chat-closed")
	b.checkHostUnharmed()

	// The visitor leaves: shown as gone.
	b.quit()
	deadline := time.Now().Add(10 * time.Second)
	for {
		gone := false
		for _, x := range visitors(t, op) {
			gone = gone || (x["visitor"] == visitor && x["gone"] == true && x["chatted"] == true)
		}
		if gone {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the visitor who left is not shown as gone: %v", visitors(t, op))
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// proactiveAuto: without invite, after 2 s on the site the first available
// operator is alerted, opens the chat directly (no form), writes, and the
// visitor answers that they do not wish to chat.
func proactiveAuto(t *testing.T, s *stack.Stack, op *wsClient, window time.Duration) {
	setProactive(t, s, livehelp.Proactive{Mode: livehelp.ProactiveAuto, After: 2}, window)
	known := map[string]bool{}
	for _, v := range visitors(t, op) {
		known[v["visitor"].(string)] = true
	}
	b := newBrowser(t, 1024, 760)
	opened := time.Now()
	b.open(s.DemoURL)
	alert := op.await("the presence alert", 15*time.Second, frameIs("proactive", func(f map[string]any) bool {
		v, _ := f["visitor"].(map[string]any)
		id, _ := v["visitor"].(string)
		return !known[id]
	}))
	if d := time.Since(opened); d < 2*time.Second {
		t.Errorf("alerted %v after the page opened, before the 2 s configured", d)
	}
	v := alert["visitor"].(map[string]any)
	if b.str(`String(!$('.p').hidden)`) != "false" {
		t.Errorf("the panel opened before an operator engaged")
	}
	engaged := op.reply(map[string]any{"action": "engage", "visitor": v["visitor"]})
	conv, _ := engaged["conversation"].(map[string]any)
	if engaged["type"] != "conversation" || conv["status"] != "assigned" {
		t.Fatalf("engage answer %v", engaged)
	}
	b.waitFor("the chat opened by the operator", `!$('.p').hidden && $('.p').classList.contains('chat') && !$('#lh-pf0')`, 10*time.Second)
	op.reply(map[string]any{"action": "send", "conversation": conv["id"], "client_id": "auto-1", "text": "Hello! Can I help you find a tea?"})
	b.waitFor("the operator's message", `[...S.querySelectorAll('li.op .t')].some(e => e.textContent === 'Hello! Can I help you find a tea?')`, 10*time.Second)
	b.shot("proactive-engaged")
	b.clickText("I don't wish to chat")
	op.await("the visitor's no", 10*time.Second, frameIs("message", func(f map[string]any) bool {
		m, _ := f["message"].(map[string]any)
		return m["text"] == "Thanks, I don't wish to chat right now."
	}))
	b.waitFor("the panel to close", `$('.p').hidden`, 5*time.Second)
	b.checkHostUnharmed()
}
