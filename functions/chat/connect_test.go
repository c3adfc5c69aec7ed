package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/livehelp/livehelp/shared/auth"
	"github.com/livehelp/livehelp/shared/livehelp"
)

// TestConnect tries $connect as a visitor, an operator and an attacker.
func TestConnect(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	good := h.visitorToken("v1")
	other := auth.NewSigner([]byte("ffffffffffffffffffffffffffffffff"), h.clock.Now).
		Sign(auth.KindVisitor, auth.Claims{Subject: "v1", Site: "s1"}, time.Hour)
	payload, sig, _ := strings.Cut(good, ".")
	victim, _, _ := strings.Cut(h.visitorToken("victim"), ".")
	opToken := h.newOperator("op1", 1)
	revoked := h.newOperator("op2", 1)
	if err := h.store.DeleteSession(context.Background(), "sess-op2"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		query  map[string]string
		origin string
		want   int
	}{
		{"visitor", map[string]string{"site": "s1", "token": good}, "https://shop.example", 200},
		{"visitor without Origin (not a browser)", map[string]string{"site": "s1", "token": good}, "", 200},
		{"foreign Origin", map[string]string{"site": "s1", "token": good}, "https://evil.example", 403},
		{"no token", map[string]string{"site": "s1"}, "https://shop.example", 401},
		{"token signed with another key", map[string]string{"site": "s1", "token": other}, "https://shop.example", 401},
		{"another visitor's payload with my signature", map[string]string{"site": "s1", "token": victim + "." + sig}, "https://shop.example", 401},
		{"truncated signature", map[string]string{"site": "s1", "token": payload + "." + sig[:8]}, "https://shop.example", 401},
		{"token for another site", map[string]string{"site": "s2", "token": good}, "https://shop.example", 401},
		{"session token as a visitor", map[string]string{"site": "s1", "token": opToken}, "https://shop.example", 401},
		{"operator", map[string]string{"role": "operator", "token": opToken}, "https://console.example", 200},
		{"operator from a foreign Origin", map[string]string{"role": "operator", "token": opToken}, "https://shop.example", 403},
		{"visitor token as an operator", map[string]string{"role": "operator", "token": good}, "https://console.example", 401},
		{"revoked session", map[string]string{"role": "operator", "token": revoked}, "https://console.example", 401},
		{"unknown role", map[string]string{"role": "admin", "token": opToken}, "https://console.example", 400},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := "conn-" + string(rune('a'+i))
			if got := h.connect(id, tt.query, tt.origin); got != tt.want {
				t.Fatalf("status %d, want %d", got, tt.want)
			}
			_, err := h.store.Connection(context.Background(), id)
			if stored := err == nil; stored != (tt.want == 200) {
				t.Errorf("connection stored = %v (err %v), want %v", stored, err, tt.want == 200)
			}
		})
	}
}

// TestDisconnect: a visitor's last tab closing makes the conversation
// offline (a waiting one moves to the offline queue and the visitors
// behind move up); an operator's last device closing sets them offline.
func TestDisconnect(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	h.operator("o1", h.newOperator("op1", 1)) // v0 takes the one slot, the others wait
	for _, v := range []string{"v0", "v1", "v2"} {
		h.visitor(v+"-tab", v)
		h.start(v + "-tab")
	}
	h.visitor("v1-tab2", "v1")
	h.send("v1-tab2", `{"action":"hello"}`)
	h.disconnect("v1-tab")
	if c := h.conversation("v1"); c.Phase() != livehelp.QueueWaiting || !c.Online() {
		t.Fatalf("one tab left: phase %q online %v, want waiting and online", c.Phase(), c.Online())
	}
	h.take("v2-tab")
	h.disconnect("v1-tab2")
	if c := h.conversation("v1"); c.Phase() != livehelp.QueueOffline || c.Online() {
		t.Errorf("last tab left: phase %q online %v, want offline", c.Phase(), c.Online())
	}
	if q := h.expect("v2-tab", "queue"); q["position"] != float64(1) {
		t.Errorf("v2 told position %v, want 1", q["position"])
	}
	if convs, _ := h.store.ConnectionConversations(ctx, "v1-tab2"); convs != nil {
		t.Errorf("closed connection still lists %v", convs)
	}
	if members, _ := h.store.Members(ctx, h.conversation("v1").ID); len(members) != 0 {
		t.Errorf("members after disconnect: %v", members)
	}

	h.disconnect("o1")
	site, err := h.store.Site(ctx, "s1", true)
	if err != nil {
		t.Fatal(err)
	}
	if st := site.Presence["op1"].State; st != livehelp.PresenceOffline {
		t.Errorf("operator state after their last device closed: %q", st)
	}
}
