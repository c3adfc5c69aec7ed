package security_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/livehelp/livehelp/infra/bench/chatclient"
	"github.com/livehelp/livehelp/shared/auth"
	"github.com/livehelp/livehelp/shared/livehelp"
)

// TestVisitorIsolation: visitor A knows visitor B's conversation id (or
// guesses ids) and tries every frame that names a conversation; none
// reads, writes or reveals anything, and an unknown id answers exactly
// like B's. A never receives B's frames.
func TestVisitorIsolation(t *testing.T) {
	t.Parallel()
	s := sharedStack(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ts := newSite(ctx, t, s, "sec-iso", false, livehelp.RoleOperator)
	op, err := chatclient.DialOperator(ctx, s.WebSocketURL, ts.tokens[0], chatclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer op.CloseNow()
	tokA, _ := ts.visitorToken(ctx, t)
	tokB, _ := ts.visitorToken(ctx, t)
	a, err := chatclient.DialVisitor(ctx, s.WebSocketURL, ts.id, tokA, chatclient.Options{Origin: s.DemoOrigin})
	if err != nil {
		t.Fatal(err)
	}
	defer a.CloseNow()
	b, err := chatclient.DialVisitor(ctx, s.WebSocketURL, ts.id, tokB, chatclient.Options{Origin: s.DemoOrigin})
	if err != nil {
		t.Fatal(err)
	}
	defer b.CloseNow()
	convA, err := a.Start(ctx, "A")
	if err != nil {
		t.Fatal(err)
	}
	convB, err := b.Start(ctx, "B")
	if err != nil {
		t.Fatal(err)
	}
	const secret = "B's secret order number 4711"
	if _, err := b.SendText(ctx, convB.ID, "b-1", secret); err != nil {
		t.Fatal(err)
	}

	guessed := strings.Repeat("0", len(convB.ID)-1) + "1"
	for _, conv := range []string{convB.ID, guessed, livehelp.ConversationID("other-site", "x"), "../" + convB.ID} {
		for _, f := range []chatclient.Frame{
			{"action": "history", "conversation": conv},
			{"action": "send", "conversation": conv, "client_id": "a-x", "text": "intrusion"},
			{"action": "typing", "conversation": conv, "typing": true},
			{"action": "read", "conversation": conv, "seq": 1},
		} {
			_, err := a.Request(ctx, f)
			var fe *chatclient.FrameError
			if !errors.As(err, &fe) || fe.Code != "not_found" || fe.Message != "Conversation not found." {
				t.Errorf("A's %s in %q: %v; want not_found, the same as for any unknown id", f["action"], conv, err)
			}
		}
	}
	for _, f := range []chatclient.Frame{{"action": "take", "conversation": convB.ID}, {"action": "close", "conversation": convB.ID}} {
		if _, err := a.Request(ctx, f); err == nil {
			t.Errorf("A's %s of B's conversation was accepted", f["action"])
		}
	}
	hello, err := a.Request(ctx, chatclient.Frame{"action": "hello"})
	if err != nil || chatclient.ConversationOf(hello).ID != convA.ID {
		t.Errorf("A's hello answered %v, %v; want A's own conversation", hello, err)
	}

	// B writes again; A must see nothing of it, nor of the intrusions.
	if _, err := b.SendText(ctx, convB.ID, "b-2", secret+" again"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Request(ctx, chatclient.Frame{"action": "ping"}); err != nil { // frames are in order: B's would be here by now
		t.Fatal(err)
	}
	for _, f := range a.Frames() {
		if raw := frameText(f); strings.Contains(raw, "secret") || strings.Contains(raw, convB.ID) {
			t.Errorf("A received a frame about B's conversation: %s", raw)
		}
	}
	hist, err := b.History(ctx, convB.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range hist {
		if m.Text == "intrusion" {
			t.Errorf("A's message reached B's conversation as seq %d", m.Seq)
		}
	}
}

// frameText returns a frame as JSON text, for searching.
func frameText(f chatclient.Frame) string {
	data, _ := json.Marshal(f)
	return string(data)
}

// TestResumeLinks attacks the emailed resume link (POST …/visitors with
// {"resume"}): only an untouched, unexpired link of this site, signed as a
// resume link, binds a browser to the visitor it was sent to.
func TestResumeLinks(t *testing.T) {
	t.Parallel()
	s := sharedStack(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ts := newSite(ctx, t, s, "sec-resume", false, livehelp.RoleOperator)
	other := newSite(ctx, t, s, "sec-resume-other", false)
	tokB, visitorB := ts.visitorToken(ctx, t)
	b, err := chatclient.DialVisitor(ctx, s.WebSocketURL, ts.id, tokB, chatclient.Options{Origin: s.DemoOrigin})
	if err != nil {
		t.Fatal(err)
	}
	defer b.CloseNow()
	convB, err := b.Start(ctx, "B")
	if err != nil {
		t.Fatal(err)
	}
	_, visitorA := ts.visitorToken(ctx, t)
	claims := auth.Claims{Subject: visitorB, Site: ts.id, Conversation: convB.ID}
	valid := ts.signer.Sign(auth.KindResume, claims, time.Hour)
	foreign := claims
	foreign.Site = other.id
	swapped := claims
	swapped.Subject = visitorA
	tests := []struct {
		name, site, token string
		want              int
	}{
		{"the link as emailed", ts.id, valid, http.StatusOK},
		{"tampered", ts.id, tamper(valid), http.StatusUnauthorized},
		{"claims swapped, signature kept", ts.id, resign(ts.signer.Sign(auth.KindResume, swapped, time.Hour), valid), http.StatusUnauthorized},
		{"expired", ts.id, ts.signer.Sign(auth.KindResume, claims, -time.Minute), http.StatusUnauthorized},
		{"used on another site", other.id, valid, http.StatusUnauthorized},
		{"signed for another site", ts.id, ts.signer.Sign(auth.KindResume, foreign, time.Hour), http.StatusUnauthorized},
		{"a visitor token", ts.id, tokB, http.StatusUnauthorized},
		{"an operator session", ts.id, ts.tokens[0], http.StatusUnauthorized},
		{"garbage", ts.id, "not-a-token", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body, err := chatclient.Do(ctx, http.MethodPost, s.RestURL+"/v1/sites/"+tt.site+"/visitors", s.DemoOrigin, "",
				map[string]string{"resume": tt.token})
			if err != nil {
				t.Fatal(err)
			}
			if status != tt.want {
				t.Fatalf("answered %d %s, want %d", status, body, tt.want)
			}
			if status == http.StatusOK && !strings.Contains(string(body), visitorB) {
				t.Errorf("the valid link answered %s, not visitor B", body)
			}
			if status == http.StatusUnauthorized {
				if code, _ := apiError(body); code != "unauthorized" {
					t.Errorf("refusal %s, want code unauthorized", body)
				}
				if strings.Contains(string(body), visitorB) || strings.Contains(string(body), convB.ID) {
					t.Errorf("refusal reveals B: %s", body)
				}
			}
		})
	}
}

// resign puts the signature of sigFrom on the payload of payloadFrom: the
// forger's token with claims of their choosing and a genuine signature.
func resign(payloadFrom, sigFrom string) string {
	p, _, _ := strings.Cut(payloadFrom, ".")
	_, sig, _ := strings.Cut(sigFrom, ".")
	return p + "." + sig
}
