package main

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/livehelp/livehelp/shared/auth"
	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

// visitorsEvent is the captured POST adapted to /visitors with body.
func visitorsEvent(t *testing.T, body string) events.APIGatewayProxyRequest {
	t.Helper()
	ev := event(t, "post-message.json")
	ev.Path, ev.Resource = "/v1/sites/demo/visitors", "/v1/sites/{site}/visitors"
	delete(ev.Headers, "Authorization")
	delete(ev.MultiValueHeaders, "Authorization")
	ev.Body = body
	return ev
}

func TestNewVisitor(t *testing.T) {
	e := newEnv(t, false)
	for _, body := range []string{"", "{}"} {
		resp, out := e.serve(t, visitorsEvent(t, body))
		if resp.StatusCode != 201 {
			t.Fatalf("body %q: %d %s", body, resp.StatusCode, resp.Body)
		}
		c, err := e.signer.Verify(auth.KindVisitor, out["token"].(string))
		if err != nil || c.Subject != out["visitor"] || c.Site != "demo" {
			t.Errorf("body %q: token claims %+v, %v", body, c, err)
		}
	}
}

// TestResumeLink exchanges an emailed link for the visitor's identity: the
// browser gets that visitor's token, and the emailed reply is read.
func TestResumeLink(t *testing.T) {
	e := newEnv(t, false)
	ctx := context.Background()
	left, err := e.st.LeaveMessage(ctx, store.OfflineMessage{Site: "demo", Visitor: "v1", Name: "Dana",
		Email: "dana@example.org", Subject: "Parcel", Text: "Where?", ClientID: "f1"})
	if err != nil {
		t.Fatal(err)
	}
	c := left.Conversation
	reply := store.Append{Sender: "op1", MailDelay: time.Minute, Message: livehelp.Message{Author: livehelp.AuthorOperator,
		ClientID: "r1", Operator: "op1", OperatorName: "Ann", Text: "On its way."}}
	if _, _, err := e.st.AppendMessage(ctx, c, reply); err != nil {
		t.Fatal(err)
	}
	c, _ = e.st.Conversation(ctx, c.ID)
	claim := store.MailClaim{Conversation: c.ID, Site: "demo", FirstDue: c.MailDue, Owner: "run", Lease: time.Minute}
	if _, ok, err := e.st.ClaimMail(ctx, claim); !ok || err != nil {
		t.Fatalf("claim: %v %v", ok, err)
	}
	if err := e.st.RecordMail(ctx, c.ID, c.MailDue, store.MailOutcome{Owner: "run", Status: store.MailSent, FirstSeq: 2, LastSeq: 2}); err != nil {
		t.Fatal(err)
	}
	link := e.signer.Sign(auth.KindResume, auth.Claims{Subject: "v1", Site: "demo", Conversation: c.ID}, time.Hour)

	body, _ := json.Marshal(map[string]string{"resume": link})
	resp, out := e.serve(t, visitorsEvent(t, string(body)))
	if resp.StatusCode != 200 || out["visitor"] != "v1" {
		t.Fatalf("resume: %d %s", resp.StatusCode, resp.Body)
	}
	if cl, err := e.signer.Verify(auth.KindVisitor, out["token"].(string)); err != nil || cl.Subject != "v1" {
		t.Errorf("the browser got %+v, %v; want v1's visitor token", cl, err)
	}
	conv := out["conversation"].(map[string]any)
	if conv["id"] != c.ID || conv["read"] != 2.0 {
		t.Errorf("conversation = %v, want %s read up to 2", conv, c.ID)
	}
	if after, _ := e.st.Conversation(ctx, c.ID); after.VisitorRead != 2 {
		t.Errorf("stored read mark = %d, want 2", after.VisitorRead)
	}

	bad := map[string]string{
		"garbage":         "abc.def",
		"a visitor token": e.visitorToken("v1"),
		"another site":    e.signer.Sign(auth.KindResume, auth.Claims{Subject: "v1", Site: "other", Conversation: c.ID}, time.Hour),
		"another visitor": e.signer.Sign(auth.KindResume, auth.Claims{Subject: "v2", Site: "demo", Conversation: c.ID}, time.Hour),
		"no conversation": e.signer.Sign(auth.KindResume, auth.Claims{Subject: "v1", Site: "demo"}, time.Hour),
		"an expired link": e.signer.Sign(auth.KindResume, auth.Claims{Subject: "v1", Site: "demo", Conversation: c.ID}, -time.Second),
		"unknown conv":    e.signer.Sign(auth.KindResume, auth.Claims{Subject: "v1", Site: "demo", Conversation: "nope"}, time.Hour),
	}
	for name, tok := range bad {
		body, _ := json.Marshal(map[string]string{"resume": tok})
		resp, out := e.serve(t, visitorsEvent(t, string(body)))
		if code, fields := errorOf(out); resp.StatusCode != 401 || code != "unauthorized" || fields["resume"] == nil {
			t.Errorf("%s: %d %s, want 401 on resume", name, resp.StatusCode, resp.Body)
		}
	}
	if resp, _ := e.serve(t, visitorsEvent(t, "{not json")); resp.StatusCode != 400 {
		t.Errorf("malformed body: %d, want 400", resp.StatusCode)
	}
}

// TestRequestsPerSubmission counts the DynamoDB requests of one offline
// message of a new visitor (warm process: the signing key is loaded) and
// of opening the form, and holds them to the figures in API.md.
func TestRequestsPerSubmission(t *testing.T) {
	for _, spam := range []bool{true, false} {
		e := newEnv(t, spam)
		warm := e.openForm(t, "198.51.100.1")
		e.clk.add(4 * time.Second)
		form := validForm("warm", warm.FormToken)
		if spam {
			form["captcha_id"], form["captcha"] = warm.ID, e.solution(t, warm.ID)
		}
		if code, body := e.post(t, "198.51.100.1", e.visitorToken("w"), form); code != 201 {
			t.Fatalf("warm-up: %d %v", code, body)
		}

		e.counter.Reset()
		f := e.openForm(t, "198.51.100.2")
		open := e.counter.Reset()
		form = validForm("m1", f.FormToken)
		form["email"] = "new@example.org"
		if spam {
			form["captcha_id"], form["captcha"] = f.ID, e.solution(t, f.ID)
		}
		e.clk.add(4 * time.Second)
		e.counter.Reset() // the test's own read of the solution
		if code, body := e.post(t, "198.51.100.2", e.visitorToken("v-new"), form); code != 201 {
			t.Fatalf("message: %d %v", code, body)
		}
		post := e.counter.Report()
		t.Logf("spam protection %v: open form %d reads %d writes %v; message %d reads %d writes %v",
			spam, open.Reads(), open.Writes(), open.Calls, post.Reads(), post.Writes(), post.Calls)
		wantOpen, wantPost := int64(1), int64(6) // site + limit; site + 3 limits + 3 message writes
		if spam {
			wantOpen, wantPost = 2, 7 // + the challenge; + solving it
		}
		if open.Reads() != 1 || open.Writes() != wantOpen || post.Reads() != 1 || post.Writes() != wantPost || post.Scans() != 0 {
			t.Errorf("spam %v: open form %d reads %d writes (want 1, %d); message %d reads %d writes (want 1, %d)",
				spam, open.Reads(), open.Writes(), wantOpen, post.Reads(), post.Writes(), wantPost)
		}
	}
}
