package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/livehelp/livehelp/shared/auth"
	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

// TestBadFrames sends every kind of bad frame: each gets an error frame
// with a stable code (and the request id back), and nothing is stored.
func TestBadFrames(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	h.operator("o1", h.newOperator("op1", 3))
	h.operator("o3", h.newOperator("op3", 3))
	for _, v := range []string{"v1", "v2"} {
		h.visitor(v, v)
		h.start(v)
	}
	h.take("o1")
	h.take("o3")
	// An operator of another site.
	if err := h.store.CreateSite(ctx, &livehelp.Site{ID: "s2", Name: "Other"}); err != nil {
		t.Fatal(err)
	}
	if err := h.store.CreateOperator(ctx, &livehelp.Operator{ID: "opx", Site: "s2", Email: "x@other.example", Name: "X"}); err != nil {
		t.Fatal(err)
	}
	if err := h.store.PutSession(ctx, store.Session{ID: "sess-x", Operator: "opx", Site: "s2", Expires: h.clock.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	h.connect("ox", map[string]string{"role": "operator", "token": h.signer.Sign(auth.KindSession,
		auth.Claims{Subject: "opx", Site: "s2", Session: "sess-x"}, time.Hour)}, "")

	c1, c2 := h.conversation("v1").ID, h.conversation("v2").ID
	seqs := func() []int64 { return []int64{h.conversation("v1").Seq, h.conversation("v2").Seq} }
	before := seqs()
	send := func(conv, cid, text string) string {
		return `{"action":"send","id":"r","conversation":"` + conv + `","client_id":"` + cid + `","text":"` + text + `"}`
	}
	tests := []struct {
		name, conn, body string
		code, field      string
	}{
		{"oversize frame", "v1", `{"action":"send","text":"` + strings.Repeat("x", 33<<10) + `"}`, "invalid", ""},
		{"not JSON", "v1", `hello there`, "invalid", ""},
		{"no action", "v1", `{"id":"r"}`, "invalid", ""},
		{"unknown action", "v1", `{"action":"dance","id":"r"}`, "invalid", ""},
		{"operator action from a visitor", "v1", `{"action":"take","id":"r","conversation":"` + c1 + `"}`, "invalid", ""},
		{"heartbeat from a visitor", "v1", `{"action":"heartbeat","id":"r"}`, "invalid", ""},
		{"visitor action from an operator", "o1", `{"action":"start","id":"r"}`, "invalid", ""},
		{"unknown field", "v1", `{"action":"send","id":"r","conversation":"` + c1 + `","client_id":"a","text":"x","html":"<b>"}`, "invalid", ""},
		{"text of the wrong type", "v1", `{"action":"send","id":"r","conversation":"` + c1 + `","client_id":"a","text":5}`, "invalid", ""},
		{"missing client id", "v1", send(c1, "", "hi"), "invalid", "client_id"},
		{"malformed client id", "v1", send(c1, "a b", "hi"), "invalid", "client_id"},
		{"empty text", "v1", send(c1, "a", " "), "invalid", "text"},
		{"text over 4 KB", "v1", send(c1, "a", strings.Repeat("x", 4097)), "invalid", "text"},
		{"missing conversation", "v1", send("", "a", "hi"), "invalid", "conversation"},
		{"another visitor's conversation", "v1", send(c2, "a", "hi"), "not_found", ""},
		{"unknown conversation", "v1", send("nope", "a", "hi"), "not_found", ""},
		{"another visitor's history", "v1", `{"action":"history","id":"r","conversation":"` + c2 + `"}`, "not_found", ""},
		{"typing in another visitor's conversation", "v1", `{"action":"typing","id":"r","conversation":"` + c2 + `","typing":true}`, "not_found", ""},
		{"read of another visitor's conversation", "v1", `{"action":"read","id":"r","conversation":"` + c2 + `","seq":1}`, "not_found", ""},
		{"read of nothing", "v1", `{"action":"read","id":"r","conversation":"` + c1 + `","seq":0}`, "invalid", "seq"},
		{"read beyond the last message", "v1", `{"action":"read","id":"r","conversation":"` + c1 + `","seq":99}`, "invalid", "seq"},
		{"history both ways", "v1", `{"action":"history","id":"r","conversation":"` + c1 + `","after":1,"before":3}`, "invalid", "before"},
		{"history page too big", "v1", `{"action":"history","id":"r","conversation":"` + c1 + `","limit":101}`, "invalid", "limit"},
		{"operator of another site", "ox", send(c1, "a", "hi"), "not_found", ""},
		{"operator of another site reads history", "ox", `{"action":"history","id":"r","conversation":"` + c1 + `"}`, "not_found", ""},
		{"operator writes in a conversation not theirs", "o3", send(c1, "a", "hi"), "forbidden", ""},
		{"operator closes a conversation not theirs", "o3", `{"action":"close","id":"r","conversation":"` + c1 + `"}`, "forbidden", ""},
		{"operator takes an assigned conversation", "o3", `{"action":"take","id":"r","conversation":"` + c1 + `"}`, "conflict", ""},
		{"unregistered connection", "ghost", `{"action":"ping","id":"r"}`, "unauthorized", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.send(tt.conn, tt.body)
			frames := h.take(tt.conn)
			if len(frames) != 1 || frames[0]["type"] != "error" {
				t.Fatalf("frames %s, want one error", brief(frames))
			}
			f := frames[0]
			if f["code"] != tt.code {
				t.Errorf("code %v, want %s (message %v)", f["code"], tt.code, f["message"])
			}
			if strings.Contains(tt.body, `"id":"r"`) && len(tt.body) < maxFrame && f["re"] != "r" {
				t.Errorf("re = %v, want the request id", f["re"])
			}
			if tt.field != "" {
				fields, _ := f["fields"].(map[string]any)
				if fields[tt.field] == nil {
					t.Errorf("fields %v, want one for %s", fields, tt.field)
				}
			}
			if msg, _ := f["message"].(string); msg == "" || strings.Contains(msg, "dynamodb") || strings.Contains(msg, "operation error") {
				t.Errorf("message %q: want a human message without internals", msg)
			}
			if diff := cmp.Diff(before, seqs()); diff != "" {
				t.Errorf("something was stored (-before +after):\n%s", diff)
			}
			for _, id := range []string{"v2", "o1"} {
				if got := h.take(id); len(got) != 0 {
					t.Errorf("%s received %s", id, brief(got))
				}
			}
		})
	}
}

// TestPing: the cheapest round trip answers pong with the request id.
func TestPing(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.visitor("v1", "v1")
	h.send("v1", `{"action":"ping","id":"p1"}`)
	if diff := cmp.Diff([]map[string]any{{"type": "pong", "re": "p1"}}, h.take("v1")); diff != "" {
		t.Errorf("frames (-want +got):\n%s", diff)
	}
}
