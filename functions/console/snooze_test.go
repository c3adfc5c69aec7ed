package main

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

// presence sets an operator of demo present in a state with 2 slots.
func (e *env) presence(email, state string) {
	e.t.Helper()
	op := e.ops[email]
	err := e.st.SetPresence(context.Background(), store.PresenceUpdate{Site: "demo", Operator: op.ID, Name: op.Name,
		Slots: 2, State: state, SeenUntil: e.now.Add(time.Minute)})
	if err != nil {
		e.t.Fatal(err)
	}
}

// chat creates a visitor's conversation on demo, taken by an operator.
func (e *env) chat(visitor, email string) *livehelp.Conversation {
	e.t.Helper()
	ctx := context.Background()
	c, err := e.st.CreateConversation(ctx, &livehelp.Conversation{ID: livehelp.ConversationID("demo", visitor), Site: "demo", Visitor: visitor})
	if err != nil {
		e.t.Fatal(err)
	}
	op := e.ops[email]
	tr, err := e.st.Take(ctx, c, op.ID, op.Name, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return tr.Conversation
}

func TestSnoozeAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ada, otto, oz := e.login("ada@example.com"), e.login("otto@example.com"), e.login("oz@example.com")
	e.presence("ada@example.com", livehelp.PresenceOnline)
	e.presence("otto@example.com", livehelp.PresenceOnline)
	c := e.chat("v1", "ada@example.com")
	base := "/v1/console/conversations/" + c.ID

	refusals := []struct {
		name, token string
		body        map[string]any
		code        int
		field       string
	}{
		{"not hers", otto, map[string]any{"for": "3h"}, http.StatusForbidden, ""},
		{"another site", oz, map[string]any{"for": "3h"}, http.StatusNotFound, ""},
		{"unknown zone", ada, map[string]any{"for": "1d", "zone": "Nowhere/Land"}, http.StatusBadRequest, "zone"},
		{"bad date", ada, map[string]any{"until": "tomorrow"}, http.StatusBadRequest, "until"},
	}
	for _, tt := range refusals {
		code, body := e.do("POST", base+"/snooze", tt.token, tt.body)
		if _, fields := errorOf(body); code != tt.code || (tt.field != "" && fields[tt.field] == nil) {
			t.Errorf("%s: %d %v, want %d on %q", tt.name, code, body, tt.code, tt.field)
		}
	}

	code, body := e.do("POST", base+"/snooze", ada, map[string]any{"for": "1d", "zone": "Europe/Paris", "keep": true})
	if code != http.StatusOK {
		t.Fatalf("snooze: %d %v", code, body)
	}
	snooze := body["snooze"].(map[string]any)
	if body["conversation"].(map[string]any)["phase"] != "snoozed" || snooze["until"] != "2026-11-22T09:00:00Z" || snooze["keep"] != true {
		t.Errorf("snooze answered %v", body)
	}
	code, body = e.do("GET", "/v1/console/snoozed", otto, nil)
	if list, _ := body["snoozed"].([]any); code != http.StatusOK || len(list) != 1 {
		t.Errorf("snoozed list: %d %v", code, body)
	}

	// Otto ends it by hand and gets it.
	code, body = e.do("POST", base+"/unsnooze", otto, nil)
	if conv, _ := body["conversation"].(map[string]any); code != http.StatusOK || conv["operator"] != "op-otto" {
		t.Fatalf("unsnooze: %d %v", code, body)
	}

	// Ada is away: Otto's transfer to her is refused, then made anyway.
	e.presence("ada@example.com", livehelp.PresenceAway)
	req := map[string]any{"operator": "op-ada", "comment": "She asked for you."}
	code, body = e.do("POST", base+"/transfer", otto, req)
	if errCode, fields := errorOf(body); code != http.StatusConflict || errCode != "conflict" || fields["target"] != "away" {
		t.Errorf("transfer to an away operator: %d %v", code, body)
	}
	req["force"] = true
	if code, body = e.do("POST", base+"/transfer", otto, req); code != http.StatusOK {
		t.Fatalf("transfer anyway: %d %v", code, body)
	}
	code, body = e.do("GET", base+"/detail", ada, nil)
	x, _ := body["transfer"].(map[string]any)
	if code != http.StatusOK || x["comment"] != "She asked for you." || x["from_name"] != "Otto" || x["deadline"] != "2026-11-22T09:00:00Z" {
		t.Errorf("detail: %d %v", code, body)
	}
	if code, body = e.do("POST", base+"/accept", otto, nil); code != http.StatusConflict {
		t.Errorf("accept by the sender: %d %v", code, body)
	}
	if code, body = e.do("POST", base+"/accept", ada, nil); code != http.StatusOK {
		t.Errorf("accept: %d %v", code, body)
	}
	if _, body = e.do("GET", base+"/detail", ada, nil); body["transfer"] != nil {
		t.Errorf("transfer after accept: %v", body["transfer"])
	}

	// The thread tells the story with names and times.
	_, body = e.do("GET", base+"/messages", ada, nil)
	var lines []string
	for _, m := range body["messages"].([]any) {
		m := m.(map[string]any)
		lines = append(lines, m["at"].(string)+" "+m["text"].(string))
	}
	want := []string{
		"2026-11-21T09:00:00Z Ada joined the conversation.",
		"2026-11-21T09:00:00Z Ada snoozed this conversation until Sun 22 Nov 2026 10:00 Europe/Paris (09:00 UTC). Ada keeps it.",
		"2026-11-21T09:00:00Z Otto ended the snooze.",
		"2026-11-21T09:00:00Z Otto joined the conversation.",
		"2026-11-21T09:00:00Z Otto transferred this conversation to Ada.",
	}
	if diff := cmp.Diff(want, lines); diff != "" {
		t.Errorf("thread (-want +got):\n%s", diff)
	}
}

func TestTransferTargets(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	otto := e.login("otto@example.com")
	e.presence("ada@example.com", livehelp.PresenceAway)
	e.presence("otto@example.com", livehelp.PresenceOnline)
	code, body := e.do("GET", "/v1/console/transfer-targets", otto, nil)
	if code != http.StatusOK {
		t.Fatalf("%d %v", code, body)
	}
	got := map[string]string{}
	for _, o := range body["operators"].([]any) {
		o := o.(map[string]any)
		avail := "unavailable"
		if o["available"] == true {
			avail = "available"
		}
		got[o["name"].(string)] = o["state"].(string) + " " + avail
	}
	if diff := cmp.Diff(map[string]string{"Ada": "away unavailable", "Otto": "online available"}, got); diff != "" {
		t.Errorf("targets (-want +got):\n%s", diff)
	}
}
