package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// TestOfflineMessageWithCaptcha walks the form with spam protection on:
// every refusal first (nothing stored), then the right answer accepted
// once, its retry answered with the same message, and its replay refused.
func TestOfflineMessageWithCaptcha(t *testing.T) {
	e := newEnv(t, true)
	ip := "198.51.100.7"
	f := e.openForm(t, ip)
	if !f.Captcha || f.ID == "" || f.Image != "/v1/sites/demo/captcha/"+f.ID+".png" || f.MinSeconds != 3 {
		t.Fatalf("form = %+v", f)
	}
	tok := e.visitorToken("v1")
	form := validForm("form-1", f.FormToken)
	form["captcha_id"] = f.ID

	if code, _ := e.post(t, ip, "", form); code != 401 {
		t.Errorf("no visitor token: %d, want 401", code)
	}
	code, body := e.post(t, ip, tok, form)
	if c, fields := errorOf(body); code != 400 || c != "invalid" || fields["form_token"] != "too_fast" {
		t.Errorf("sent at once: %d %v, want 400 on form_token (too fast)", code, body)
	}
	e.clk.add(3 * time.Second)

	honey := validForm("form-1", f.FormToken)
	honey["website"] = "http://spam.example"
	if code, body := e.post(t, ip, tok, honey); code != 400 {
		t.Errorf("honeypot filled: %d %v, want 400", code, body)
	}
	code, body = e.post(t, ip, tok, form) // no answer typed
	if c, fields := errorOf(body); code != 400 || c != "invalid" || fields["captcha"] == nil {
		t.Errorf("no CAPTCHA answer: %d %v", code, body)
	}
	right := e.solution(t, f.ID)
	form["captcha"] = wrongAnswer(right)
	code, body = e.post(t, ip, tok, form)
	if c, fields := errorOf(body); code != 400 || c != "invalid" || fields["captcha"] == nil {
		t.Errorf("wrong CAPTCHA: %d %v, want invalid on captcha", code, body)
	}
	form["captcha"] = right
	if code, body := e.post(t, ip, tok, form); code != 400 {
		t.Errorf("the right answer to a burnt CAPTCHA: %d %v, want 400", code, body)
	}
	checkMSG(t, e, 0)

	f2 := e.openForm(t, ip) // the widget's refresh: a new id
	form["captcha_id"], form["captcha"] = f2.ID, e.solution(t, f2.ID)
	code, body = e.post(t, ip, tok, form)
	if code != 201 {
		t.Fatalf("right CAPTCHA: %d %v", code, body)
	}
	conv := livehelp.ConversationID("demo", "v1")
	want := map[string]any{
		"conversation": map[string]any{"id": conv, "status": "offline", "seq": 1.0, "read": 0.0},
		"message":      map[string]any{"seq": 1.0, "client_id": "form-1", "ts": float64(e.clk.now().UnixMilli())},
		"item":         body["item"], "auto_reply": "Thanks! We answer within a day.", "duplicate": false,
	}
	if diff := cmp.Diff(want, body); diff != "" {
		t.Errorf("answer (-want +got):\n%s", diff)
	}
	checkMSG(t, e, 1)

	code, again := e.post(t, ip, tok, form) // the same message again (a lost answer)
	if code != 200 || again["duplicate"] != true || again["item"] != body["item"] {
		t.Errorf("resubmit: %d %v, want 200 with the first item", code, again)
	}
	replay := validForm("form-2", f.FormToken)
	replay["captcha_id"], replay["captcha"] = form["captcha_id"], form["captcha"]
	code, body = e.post(t, ip, tok, replay)
	if c, fields := errorOf(body); code != 400 || c != "invalid" || fields["captcha"] == nil {
		t.Errorf("replayed CAPTCHA: %d %v, want invalid on captcha", code, body)
	}
	checkMSG(t, e, 1)
}

func wrongAnswer(right string) string {
	if right == "000000" {
		return "111111"
	}
	return "000000"
}

func checkMSG(t *testing.T, e *env, want int) {
	t.Helper()
	n, err := e.st.UnansweredCount(context.Background(), "demo")
	if err != nil || n != want {
		t.Errorf("MSG count = %d (%v), want %d", n, err, want)
	}
}

// TestOfflineMessageWithoutCaptcha: the form token, honeypot and limits
// still apply when the site's spam protection is off.
func TestOfflineMessageWithoutCaptcha(t *testing.T) {
	e := newEnv(t, false)
	f := e.openForm(t, "203.0.113.1")
	if f.Captcha || f.ID != "" || f.FormToken == "" {
		t.Fatalf("form without spam protection = %+v", f)
	}
	e.clk.add(5 * time.Second)
	tok := e.visitorToken("v1")
	if code, body := e.post(t, "203.0.113.1", tok, validForm("a", "")); code != 400 {
		t.Errorf("no form token: %d %v", code, body)
	}
	for name, forged := range map[string]string{"garbage": "x.y", "a visitor token": tok} {
		if code, body := e.post(t, "203.0.113.1", tok, validForm("a", forged)); code != 400 {
			t.Errorf("%s as form token: %d %v", name, code, body)
		}
	}
	if code, body := e.post(t, "203.0.113.1", tok, validForm("a", f.FormToken)); code != 201 {
		t.Fatalf("valid message: %d %v", code, body)
	}
	if code, _ := e.post(t, "203.0.113.1", e.visitorToken("v2")+"x", validForm("b", f.FormToken)); code != 401 {
		t.Errorf("tampered visitor token: %d, want 401", code)
	}
	e.clk.add(formTokenLife)
	if code, body := e.post(t, "203.0.113.1", tok, validForm("c", f.FormToken)); code != 400 {
		t.Errorf("expired form token: %d %v", code, body)
	}
}

// TestRateLimits sends bursts through captured API Gateway events whose
// sourceIp differs: one address is refused after its limit while others
// go on; one email address is limited across addresses.
func TestRateLimits(t *testing.T) {
	e := newEnv(t, false)
	f := e.openForm(t, "198.51.100.7")
	e.clk.add(4 * time.Second)
	burst := e.h.rules.PerIP.N
	for i := range burst + 2 {
		form := validForm(fmt.Sprintf("ip-%d", i), f.FormToken)
		form["email"] = fmt.Sprintf("p%d@example.org", i)
		code, body := e.post(t, "198.51.100.7", e.visitorToken(fmt.Sprintf("v%d", i)), form)
		switch {
		case i < burst && code != 201:
			t.Fatalf("message %d of the burst: %d %v", i+1, code, body)
		case i >= burst && (code != 429 || body["error"].(map[string]any)["code"] != "rate_limited"):
			t.Errorf("message %d of the burst: %d %v, want 429 rate_limited", i+1, code, body)
		}
	}
	form := validForm("other-ip", f.FormToken)
	form["email"] = "other@example.org"
	if code, body := e.post(t, "203.0.113.200", e.visitorToken("w1"), form); code != 201 {
		t.Errorf("another address during the burst: %d %v, want 201", code, body)
	}
	if code, body := e.post(t, "2001:db8:1:2::7", e.visitorToken("w2"), validForm("v6-a", f.FormToken)); code != 201 {
		t.Errorf("an IPv6 address: %d %v", code, body)
	}

	// One email address from many addresses.
	for i := range e.h.rules.PerEmail.N + 1 {
		form := validForm(fmt.Sprintf("mail-%d", i), f.FormToken)
		form["email"] = "Same@Example.org"
		code, _ := e.post(t, fmt.Sprintf("192.0.2.%d", i+1), e.visitorToken(fmt.Sprintf("m%d", i)), form)
		if want := map[bool]int{true: 201, false: 429}[i < e.h.rules.PerEmail.N]; code != want {
			t.Errorf("message %d from one email address: %d, want %d", i+1, code, want)
		}
	}

	e.clk.add(e.h.rules.PerIP.Window)
	form = validForm("after-window", f.FormToken)
	form["email"] = "later@example.org"
	if code, body := e.post(t, "198.51.100.7", e.visitorToken("later"), form); code != 201 {
		t.Errorf("after the window: %d %v, want 201", code, body)
	}
}

// TestOfflineMessageReachesLiveMembers: a message to an existing
// conversation is pushed to the connections joined to it (the operator
// who has it), in the chat's message frame; a new one pushes nothing.
func TestOfflineMessageReachesLiveMembers(t *testing.T) {
	e := newEnv(t, false)
	ctx := context.Background()
	f := e.openForm(t, "198.51.100.9")
	e.clk.add(4 * time.Second)
	tok := e.visitorToken("v1")
	if code, body := e.post(t, "198.51.100.9", tok, validForm("first", f.FormToken)); code != 201 {
		t.Fatalf("first message: %d %v", code, body)
	}
	if len(e.pushed.frames) != 0 {
		t.Errorf("a new conversation pushed %v", e.pushed.frames)
	}
	conv := livehelp.ConversationID("demo", "v1")
	opConn := &livehelp.Connection{ID: "op-conn", Site: "demo", Role: livehelp.ParticipantOperator, Subject: "op1", Connected: e.clk.now()}
	if err := e.st.PutConnection(ctx, opConn); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.Join(ctx, conv, []*livehelp.Connection{opConn}); err != nil {
		t.Fatal(err)
	}
	form := validForm("second", f.FormToken)
	form["subject"], form["message"] = "More", "It is blue."
	if code, body := e.post(t, "198.51.100.9", tok, form); code != 201 {
		t.Fatalf("second message: %d %v", code, body)
	}
	got := e.pushed.to("op-conn")
	want := fmt.Sprintf(`{"conversation":%q,"message":{"author":"visitor","client_id":"second","seq":2,"text":"More\n\nIt is blue.","ts":%d},"type":"message"}`,
		conv, e.clk.now().UnixMilli())
	if len(got) != 1 || got[0] != want {
		t.Errorf("pushed %q, want %q", got, want)
	}
}

func TestIPKey(t *testing.T) {
	cases := map[string]string{
		"198.51.100.7":          "198.51.100.7",
		"::ffff:198.51.100.7":   "198.51.100.7",
		"2001:db8:1:2:3:4:5:6":  "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1":  "2001:db8:1:2::/64",
		"not an address":        "unknown",
		"":                      "unknown",
		"2001:db8:1:3:3:4:5:6":  "2001:db8:1:3::/64",
		"fe80::1%eth0":          "fe80::/64",
		"203.0.113.250":         "203.0.113.250",
		"2001:0db8:0001:0002::": "2001:db8:1:2::/64",
	}
	for in, want := range cases {
		if got := ipKey(in); got != want {
			t.Errorf("ipKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCaptchaFiles serves a challenge's PNG and WAV through the Lambda
// adapter (binary bodies are base64-encoded for API Gateway).
func TestCaptchaFiles(t *testing.T) {
	e := newEnv(t, true)
	f := e.openForm(t, "198.51.100.7")
	for _, c := range []struct{ file, kind, magic string }{
		{f.ID + ".png", "image/png", "\x89PNG"},
		{f.ID + ".wav", "audio/wav", "RIFF"},
	} {
		ev := event(t, "get-captcha.json")
		ev.Path += "/" + c.file
		ev.PathParameters["file"] = c.file
		resp, _ := e.serve(t, ev)
		if resp.StatusCode != 200 || resp.MultiValueHeaders["Content-Type"][0] != c.kind || !resp.IsBase64Encoded {
			t.Fatalf("%s: %d %v base64 %v", c.file, resp.StatusCode, resp.MultiValueHeaders, resp.IsBase64Encoded)
		}
		data, err := base64.StdEncoding.DecodeString(resp.Body)
		if err != nil || !strings.HasPrefix(string(data), c.magic) {
			t.Errorf("%s is not a %s file", c.file, c.kind)
		}
		if c.kind == "image/png" {
			if _, err := png.Decode(strings.NewReader(string(data))); err != nil {
				t.Errorf("PNG: %v", err)
			}
		}
	}
	for _, bad := range []string{"nope.png", f.ID + ".gif", f.ID} {
		ev := event(t, "get-captcha.json")
		ev.Path += "/" + bad
		if resp, _ := e.serve(t, ev); resp.StatusCode != 404 {
			t.Errorf("%s: %d, want 404", bad, resp.StatusCode)
		}
	}
	ev := event(t, "get-captcha.json")
	setHeader(&ev, "Origin", "https://evil.example")
	if resp, _ := e.serve(t, ev); resp.StatusCode != 403 {
		t.Errorf("a foreign origin: %d, want 403", resp.StatusCode)
	}
}
