package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestQueueReplyCloseUnclose(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok := e.login("otto@example.com")
	msg := e.offlineMessage("v1", "Ann <b>", "ann@example.com", "Order <script>", "Where is my order?")
	*e.now = e.now.Add(time.Minute)
	e.offlineMessage("v2", "Bo", "bo@example.com", "Hi", "hello")

	code, sum := e.do("GET", "/v1/console/summary", tok, nil)
	if code != 200 || sum["msg"] != 2.0 {
		t.Fatalf("summary = %d %v, want msg 2", code, sum)
	}
	code, q := e.do("GET", "/v1/console/messages", tok, nil)
	items, _ := q["items"].([]any)
	if code != 200 || len(items) != 2 || items[1].(map[string]any)["subject"] != "Order <script>" || items[1].(map[string]any)["online"] != false {
		t.Fatalf("message queue = %d %v", code, q)
	}

	// <add email> validates and keeps the address.
	code, body := e.do("POST", "/v1/console/visitors/v1/emails", tok, map[string]string{"email": "not an address"})
	if c, f := errorOf(body); code != 400 || c != "invalid" || f["email"] == nil {
		t.Errorf("bad address = %d %v", code, body)
	}
	code, body = e.do("POST", "/v1/console/visitors/v1/emails", tok, map[string]string{"email": "Ann.Work@Example.com"})
	emails := body["profile"].(map[string]any)["emails"]
	if code != 200 || !cmp.Equal(emails, []any{"ann.work@example.com", "ann@example.com"}) {
		t.Fatalf("add email = %d %v", code, body)
	}

	// <all emails>: one mail per address, text and escaped HTML, stored on the board.
	reply := map[string]string{"to": "all", "subject": "Re: Order\r\nBcc: evil@example.com", "text": "Hello <Ann>,\nit ships today.", "client_id": "r-1"}
	code, body = e.do("POST", "/v1/console/visitors/v1/replies", tok, reply)
	if code != 200 {
		t.Fatalf("reply = %d %v", code, body)
	}
	if got := e.mail.count(); got != 2 {
		t.Fatalf("%d mails sent, want one per address (2)", got)
	}
	for _, m := range e.mail.sent {
		if len(m.To) != 1 || !strings.Contains(m.HTML, "Hello &lt;Ann&gt;,<br>it ships today.") || strings.Contains(m.HTML, "<Ann>") ||
			!strings.HasPrefix(m.Text, "Hello <Ann>,\nit ships today.") || m.FromName != "Otto (Demo demo)" {
			t.Errorf("mail = %+v", m)
		}
	}
	// A retry of the same reply sends nothing more.
	if code, _ := e.do("POST", "/v1/console/visitors/v1/replies", tok, reply); code != 200 || e.mail.count() != 2 {
		t.Errorf("retry: %d, %d mails", code, e.mail.count())
	}
	// <don't send>: a note on the board, no mail.
	*e.now = e.now.Add(time.Minute)
	code, body = e.do("POST", "/v1/console/visitors/v1/replies", tok, map[string]string{"to": "none", "text": "VIP customer", "client_id": "n-1"})
	if code != 200 || body["item"].(map[string]any)["kind"] != "note" || e.mail.count() != 2 {
		t.Fatalf("note = %d %v, %d mails", code, body, e.mail.count())
	}
	for _, bad := range []struct {
		req   map[string]string
		field string
	}{
		{map[string]string{"to": "stranger@example.com", "subject": "s", "text": "t", "client_id": "b1"}, "to"},
		{map[string]string{"to": "all", "subject": "", "text": "t", "client_id": "b2"}, "subject"},
		{map[string]string{"to": "all", "subject": "s", "text": "", "client_id": "b3"}, "text"},
		{map[string]string{"to": "all", "subject": "s", "text": "t", "client_id": ""}, "client_id"},
	} {
		code, body := e.do("POST", "/v1/console/visitors/v1/replies", tok, bad.req)
		if c, f := errorOf(body); code != 400 || c != "invalid" || f[bad.field] == nil {
			t.Errorf("reply %v = %d %v, want invalid %s", bad.req, code, body, bad.field)
		}
	}

	// Close the message: MSG drops; unclose: it comes back.
	code, body = e.do("PATCH", "/v1/console/visitors/v1/board/"+msg.ID, tok, map[string]bool{"closed": true})
	if code != 200 || body["msg"] != 1.0 || body["item"].(map[string]any)["closed"] != true {
		t.Fatalf("close = %d %v", code, body)
	}
	code, body = e.do("PATCH", "/v1/console/visitors/v1/board/"+msg.ID, tok, map[string]bool{"closed": false})
	if code != 200 || body["msg"] != 2.0 {
		t.Fatalf("unclose = %d %v", code, body)
	}

	// The board lists everything newest first; filters narrow it.
	kinds := func(query string) []string {
		t.Helper()
		code, body := e.do("GET", "/v1/console/visitors/v1/board"+query, tok, nil)
		if code != 200 {
			t.Fatalf("board%s = %d %v", query, code, body)
		}
		out := []string{}
		for _, it := range body["items"].([]any) {
			out = append(out, it.(map[string]any)["kind"].(string))
		}
		return out
	}
	if diff := cmp.Diff([]string{"note", "reply", "message"}, kinds("")); diff != "" {
		t.Errorf("board (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"message"}, kinds("?unclosed=1")); diff != "" {
		t.Errorf("unclosed (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"reply"}, kinds("?q=SHIPS+today")); diff != "" {
		t.Errorf("search (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{}, kinds("?filter=calls")); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if code, body := e.do("GET", "/v1/console/visitors/v1/board?filter=bogus", tok, nil); code != 400 {
		t.Errorf("bad filter = %d %v", code, body)
	}
	// Another site's admin sees none of it.
	oz := e.login("oz@example.com")
	for _, p := range []string{"/v1/console/visitors/v1", "/v1/console/visitors/v1/board"} {
		if code, _ := e.do("GET", p, oz, nil); code != http.StatusNotFound {
			t.Errorf("other site GET %s = %d, want 404", p, code)
		}
	}
	if code, _ := e.do("PATCH", "/v1/console/visitors/v1/board/"+msg.ID, oz, map[string]bool{"closed": true}); code != http.StatusNotFound {
		t.Errorf("other site close = %d", code)
	}
}

func TestCallRecords(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ada := e.login("ada@example.com")
	e.offlineMessage("v1", "Ann", "ann@example.com", "Hi", "hello")
	at := e.now.Add(-time.Hour).Format(time.RFC3339)
	code, body := e.do("POST", "/v1/console/visitors/v1/calls", ada, map[string]any{"at": at, "duration": 125, "direction": "inbound", "note": "Asked about pricing"})
	if code != 201 || body["item"].(map[string]any)["call"].(map[string]any)["duration"] != 125.0 {
		t.Fatalf("log call = %d %v", code, body)
	}
	code, body = e.do("POST", "/v1/console/visitors/v1/calls", ada, map[string]any{"at": at, "duration": -1, "direction": "up"})
	if c, f := errorOf(body); code != 400 || c != "invalid" || f["duration"] == nil || f["direction"] == nil {
		t.Errorf("bad call = %d %v", code, body)
	}

	// A phone integration posts with an API key an admin made.
	code, body = e.do("POST", "/v1/console/admin/apikeys", ada, map[string]string{"name": "PBX"})
	if code != 201 {
		t.Fatalf("create key = %d %v", code, body)
	}
	key := body["key"].(map[string]any)["key"].(string)
	call := map[string]any{"email": "ANN@example.com", "at": at, "duration": 30, "direction": "outbound", "phone": "+1 555 0100", "client_id": "pbx-77", "follow_up": true}
	w := e.raw("POST", "/v1/console/calls", "", call, http.Header{"X-Api-Key": {key}})
	if w.Code != 201 || !strings.Contains(w.Body.String(), `"source":"integration:PBX"`) || !strings.Contains(w.Body.String(), `"visitor":"v1"`) {
		t.Fatalf("integration call = %d %s", w.Code, w.Body)
	}
	if w := e.raw("POST", "/v1/console/calls", "", call, http.Header{"X-Api-Key": {key}}); w.Code != 200 {
		t.Errorf("retried call = %d, want 200 (stored once)", w.Code)
	}
	// An unknown caller gets a profile of their own.
	call["email"], call["client_id"] = "new.caller@example.com", "pbx-78"
	if w := e.raw("POST", "/v1/console/calls", "", call, http.Header{"X-Api-Key": {key}}); w.Code != 201 {
		t.Errorf("call from a new address = %d %s", w.Code, w.Body)
	}
	code, body = e.do("GET", "/v1/console/visitors/v1/board?filter=calls&unclosed=1", ada, nil)
	if items := body["items"].([]any); code != 200 || len(items) != 1 {
		t.Errorf("unclosed calls = %d %v", code, body)
	}
	// A deleted key stops working.
	id := strings.TrimPrefix(key, "lhk_")[:16]
	if code, _ := e.do("DELETE", "/v1/console/admin/apikeys/"+id, ada, nil); code != 204 {
		t.Fatalf("delete key = %d", code)
	}
	if w := e.raw("POST", "/v1/console/calls", "", call, http.Header{"X-Api-Key": {key}}); w.Code != 401 {
		t.Errorf("revoked key = %d", w.Code)
	}
	_ = context.Background()
}

// TestReplySendFailure: when SES refuses, the reply stays on the board
// marked failed and the same client id sends it on retry, once.
func TestReplySendFailure(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok := e.login("otto@example.com")
	e.offlineMessage("v1", "Ann", "ann@example.com", "Hi", "hello")
	*e.now = e.now.Add(time.Minute)
	e.mail.err = sesRefusal("MessageRejected: Email address is not verified: ann@example.com")
	reply := map[string]string{"to": "ann@example.com", "subject": "Re: Hi", "text": "Hello Ann", "client_id": "r-9"}
	code, body := e.do("POST", "/v1/console/visitors/v1/replies", tok, reply)
	if c, _ := errorOf(body); code != 500 || c != "internal" || strings.Contains(fmt.Sprint(body), "ann@example.com") {
		t.Fatalf("failed send = %d %v", code, body)
	}
	_, board := e.do("GET", "/v1/console/visitors/v1/board?filter=messages", tok, nil)
	first := board["items"].([]any)[0].(map[string]any)
	if first["kind"] != "reply" || first["status"] != "failed" {
		t.Fatalf("after a failed send the board shows %v", first)
	}
	e.mail.mu.Lock()
	e.mail.err = nil
	e.mail.mu.Unlock()
	if code, body := e.do("POST", "/v1/console/visitors/v1/replies", tok, reply); code != 200 || body["item"].(map[string]any)["status"] != "sent" {
		t.Fatalf("retry = %d %v", code, body)
	}
	if code, _ := e.do("POST", "/v1/console/visitors/v1/replies", tok, reply); code != 200 || e.mail.count() != 1 {
		t.Errorf("a retry of a sent reply mailed again: %d mails", e.mail.count())
	}

	// No answer from SES (the mail may be out): marked unknown, never resent.
	e.mail.mu.Lock()
	e.mail.err = errors.New("read tcp: connection reset by peer")
	e.mail.mu.Unlock()
	lost := map[string]string{"to": "ann@example.com", "subject": "Re: Hi", "text": "Again", "client_id": "r-10"}
	if code, _ := e.do("POST", "/v1/console/visitors/v1/replies", tok, lost); code != 500 {
		t.Fatalf("send without an answer = %d", code)
	}
	e.mail.mu.Lock()
	e.mail.err = nil
	e.mail.mu.Unlock()
	before := e.mail.count()
	if code, body := e.do("POST", "/v1/console/visitors/v1/replies", tok, lost); code != 409 || e.mail.count() != before {
		t.Errorf("retry after no answer = %d %v, %d mails (want conflict, none sent)", code, body, e.mail.count()-before)
	}
	_, board = e.do("GET", "/v1/console/visitors/v1/board?filter=messages", tok, nil)
	var st any
	for _, it := range board["items"].([]any) {
		if m := it.(map[string]any); m["text"] == "Again" {
			st = m["status"]
		}
	}
	if st != "unknown" {
		t.Errorf("the board shows the unanswered send as %v, want unknown", st)
	}
}

// sesRefusal is an error SES answered with (it has an error code).
type sesRefusal string

func (e sesRefusal) Error() string     { return string(e) }
func (e sesRefusal) ErrorCode() string { return "MessageRejected" }
