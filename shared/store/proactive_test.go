package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// TestProactiveSettings saves settings and reads them back, from the
// console item and (mode, seconds) from the site item the status reads.
func TestProactiveSettings(t *testing.T) {
	ctx := context.Background()
	st, _ := newOfflineStore(t)
	if p, err := st.Proactive(ctx, "s1"); err != nil || p.Mode != livehelp.ProactiveOff {
		t.Fatalf("default settings %+v, %v; want mode off", p, err)
	}
	want := livehelp.Proactive{Mode: livehelp.ProactiveAuto, After: 2, Fields: []livehelp.FormField{
		{Label: "Name", Type: "text", Required: true}, {Label: "Email", Type: "email"}}}
	if err := st.PutProactive(ctx, "s1", want); err != nil {
		t.Fatal(err)
	}
	got, err := st.Proactive(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("settings (-want +got):\n%s", diff)
	}
	site, err := st.Site(ctx, "s1", true)
	if err != nil {
		t.Fatal(err)
	}
	if site.Proactive != livehelp.ProactiveAuto || site.ProactiveAfter != 2 {
		t.Errorf("site item carries %q/%d, want auto/2", site.Proactive, site.ProactiveAfter)
	}
	for _, bad := range []livehelp.Proactive{
		{Mode: "sometimes"},
		{Mode: livehelp.ProactiveAuto, After: 0},
		{Mode: livehelp.ProactiveInvite, Fields: []livehelp.FormField{{Label: "", Type: "text"}}},
		{Mode: livehelp.ProactiveInvite, Fields: []livehelp.FormField{{Label: "Age", Type: "number"}}},
	} {
		if err := st.PutProactive(ctx, "s1", bad); !livehelp.IsCode(err, livehelp.EINVALID) {
			t.Errorf("PutProactive(%+v) = %v, want invalid", bad, err)
		}
	}
	if err := st.PutProactive(ctx, "nope", livehelp.Proactive{Mode: livehelp.ProactiveOff}); !livehelp.IsCode(err, livehelp.ENOTFOUND) {
		t.Errorf("unknown site: %v, want not_found", err)
	}
}

// TestVisitsAndInvitations covers the visitors list (fresh by seen, gone
// on the last connection's close, dropped after VisitListed), one pending
// invitation at a time, its answer once, and its expiry.
func TestVisitsAndInvitations(t *testing.T) {
	ctx := context.Background()
	st, clk := newOfflineStore(t)
	arrived := clk.Now()
	record := func(visitor, conn, page string) *livehelp.Visit {
		t.Helper()
		v, err := st.RecordVisit(ctx, livehelp.Visit{Site: "s1", Visitor: visitor, Page: page, Title: "T " + page, Since: arrived}, conn)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	record("v1", "c1", "/a")
	record("v2", "c2", "/b")
	clk.t = clk.t.Add(time.Second)
	record("v1", "c1", "/c") // v1 moves on: most recent first
	list := func() []string {
		t.Helper()
		vs, err := st.Visits(ctx, "s1", 50)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, v := range vs {
			state := "here"
			if !v.OnSite(clk.Now()) {
				state = "gone"
			}
			out = append(out, v.Visitor+" "+v.Page+" "+state)
		}
		return out
	}
	if diff := cmp.Diff([]string{"v1 /c here", "v2 /b here"}, list()); diff != "" {
		t.Errorf("visitors (-want +got):\n%s", diff)
	}
	// A close of another connection changes nothing; the last one's does.
	if err := st.VisitGone(ctx, "s1", "v2", "other"); err != nil {
		t.Fatal(err)
	}
	if err := st.VisitGone(ctx, "s1", "v2", "c2"); err != nil {
		t.Fatal(err)
	}
	if err := st.VisitGone(ctx, "s1", "v9", "c9"); err != nil {
		t.Errorf("gone of an unknown visitor: %v", err)
	}
	if diff := cmp.Diff([]string{"v1 /c here", "v2 /b gone"}, list()); diff != "" {
		t.Errorf("after v2 left (-want +got):\n%s", diff)
	}

	// Invitations: not to a gone visitor; one pending at a time.
	if _, err := st.Invite(ctx, "s1", "v2", "i0", "op1", "Ann"); !livehelp.IsCode(err, livehelp.ECONFLICT) {
		t.Errorf("invite a gone visitor: %v, want conflict", err)
	}
	inv, err := st.Invite(ctx, "s1", "v1", "i1", "op1", "Ann")
	if err != nil {
		t.Fatal(err)
	}
	if inv.Status != livehelp.InvitePending || !inv.Expires.Equal(clk.Now().Add(livehelp.InvitationTTL)) {
		t.Errorf("invitation %+v", inv)
	}
	if _, err := st.Invite(ctx, "s1", "v1", "i2", "op2", "Bob"); !livehelp.IsCode(err, livehelp.ECONFLICT) {
		t.Errorf("second pending invitation: %v, want conflict", err)
	}
	if _, err := st.AnswerInvitation(ctx, "s1", "v1", "i9", livehelp.InviteRefused); !livehelp.IsCode(err, livehelp.ECONFLICT) {
		t.Errorf("answer to another invitation id: %v, want conflict", err)
	}
	v, err := st.AnswerInvitation(ctx, "s1", "v1", "i1", livehelp.InviteRefused)
	if err != nil {
		t.Fatal(err)
	}
	if v.Invitation.State(clk.Now()) != livehelp.InviteRefused || v.Invitation.Operator != "op1" {
		t.Errorf("after refusal %+v", v.Invitation)
	}
	if _, err := st.AnswerInvitation(ctx, "s1", "v1", "i1", livehelp.InviteAccepted); !livehelp.IsCode(err, livehelp.ECONFLICT) {
		t.Errorf("second answer: %v, want conflict", err)
	}
	// A new invitation after the answer; it expires unanswered.
	if _, err := st.Invite(ctx, "s1", "v1", "i3", "op1", "Ann"); err != nil {
		t.Fatal(err)
	}
	clk.t = clk.t.Add(livehelp.InvitationTTL)
	record("v1", "c1", "/d") // still here, so still listed
	if _, err := st.AnswerInvitation(ctx, "s1", "v1", "i3", livehelp.InviteAccepted); !livehelp.IsCode(err, livehelp.ECONFLICT) {
		t.Errorf("answer after expiry: %v, want conflict", err)
	}
	v, err = st.Visit(ctx, "s1", "v1")
	if err != nil || v.Invitation.State(clk.Now()) != livehelp.InviteExpired {
		t.Errorf("expired invitation state: %+v, %v", v, err)
	}
	// Freshness on read: v2 is no longer listed after VisitListed; v1 is gone
	// after VisitFresh without a report.
	clk.t = clk.t.Add(livehelp.VisitListed - livehelp.InvitationTTL + time.Second)
	if diff := cmp.Diff([]string{"v1 /d gone"}, list()); diff != "" {
		t.Errorf("later (-want +got):\n%s", diff)
	}
}

// TestMarkAlerted alerts once per visit; a new visit (another arrival
// time) can alert again.
func TestMarkAlerted(t *testing.T) {
	ctx := context.Background()
	st, clk := newOfflineStore(t)
	v, err := st.RecordVisit(ctx, livehelp.Visit{Site: "s1", Visitor: "v1", Page: "/", Since: clk.Now()}, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.MarkAlerted(ctx, v); err != nil {
		t.Fatal(err)
	}
	if err := st.MarkAlerted(ctx, v); !livehelp.IsCode(err, livehelp.ECONFLICT) {
		t.Errorf("second alert: %v, want conflict", err)
	}
	if v, _ = st.RecordVisit(ctx, livehelp.Visit{Site: "s1", Visitor: "v1", Page: "/", Since: clk.Now()}, "c1"); !v.Alerted {
		t.Errorf("the visit does not say it was alerted")
	}
	v, _ = st.RecordVisit(ctx, livehelp.Visit{Site: "s1", Visitor: "v1", Page: "/", Since: clk.Now().Add(time.Hour)}, "c1")
	if v.Alerted {
		t.Errorf("a new visit counts as alerted")
	}
	if err := st.MarkAlerted(ctx, v); err != nil {
		t.Errorf("alert of a new visit: %v", err)
	}
}
