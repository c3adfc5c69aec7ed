package main

import (
	"context"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/livehelp/livehelp/shared/auth"
	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

// Proactive chat (PROACTIVE.md): the widget's proactive module reports the
// visitor's page and time on site (visit); operators list the visitors on
// the site (visitors), invite one (invite), who answers (answer); in auto
// mode the first available operator is alerted after the site's seconds
// and may open a chat directly (engage).

// Invitation rate limits: per operator and per visitor.
var (
	inviteLimitOperator = store.Limit{N: 10, Window: time.Minute}
	inviteLimitVisitor  = store.Limit{N: 3, Window: 10 * time.Minute}
)

// maxVisitsListed bounds the visitors list.
const maxVisitsListed = 200

type visitFrame struct {
	Action string `json:"action"`
	ID     string `json:"id,omitempty"`
	Page   string `json:"page"`
	Title  string `json:"title,omitempty"`
	Since  int64  `json:"since"` // arrival on the site, unix ms
}

// bareFrame is a frame with no fields of its own.
type bareFrame struct {
	Action string `json:"action"`
	ID     string `json:"id,omitempty"`
}

type visitorFrame struct {
	Action  string `json:"action"`
	ID      string `json:"id,omitempty"`
	Visitor string `json:"visitor"`
}

type answerFrame struct {
	Action     string   `json:"action"`
	ID         string   `json:"id,omitempty"`
	Invitation string   `json:"invitation"`
	Accept     bool     `json:"accept"`
	Values     []string `json:"values,omitempty"`
}

// visitJSON is a visitor on the site as operators see them.
type visitJSON struct {
	Visitor    string          `json:"visitor"`
	Page       string          `json:"page"`
	Title      string          `json:"title"`
	Since      int64           `json:"since"`
	Seen       int64           `json:"seen"`
	Gone       bool            `json:"gone"`
	Chatted    bool            `json:"chatted"`
	Invitation *invitationJSON `json:"invitation,omitempty"`
}

type invitationJSON struct {
	ID       string       `json:"id"`
	Visitor  string       `json:"visitor,omitempty"`
	Operator operatorJSON `json:"operator"`
	Status   string       `json:"status"`
	Expires  int64        `json:"expires"`
}

func visitOut(v *livehelp.Visit, now time.Time) visitJSON {
	return visitJSON{Visitor: v.Visitor, Page: v.Page, Title: v.Title, Since: v.Since.UnixMilli(), Seen: v.Seen.UnixMilli(),
		Gone: !v.OnSite(now), Chatted: v.Chatted, Invitation: invitationOut(v.Invitation, v.Visitor, now)}
}

func invitationOut(i *livehelp.Invitation, visitor string, now time.Time) *invitationJSON {
	if i == nil {
		return nil
	}
	return &invitationJSON{ID: i.ID, Visitor: visitor, Operator: operatorJSON{ID: i.Operator, Name: i.OperatorName},
		Status: i.State(now), Expires: i.Expires.UnixMilli()}
}

// proactiveSite returns the sender's site when proactive chat is on for
// it, else forbidden.
func (a *app) proactiveSite(ctx context.Context, conn *livehelp.Connection) (*livehelp.Site, error) {
	site, err := a.store.Site(ctx, conn.Site, false)
	if err != nil {
		return nil, err
	}
	if site.Proactive == "" || site.Proactive == livehelp.ProactiveOff {
		return nil, livehelp.Errorf(livehelp.EFORBIDDEN, "Proactive chat is off for this site.")
	}
	return site, nil
}

// visit records the visitor's page and time on site (refused when the site
// has proactive chat off: nothing is tracked then). In auto mode, once the
// visitor has been here the site's seconds, the first available operator
// is alerted, once per visit. The answer carries a pending invitation, so
// one survives a page change.
func (a *app) visit(ctx context.Context, conn *livehelp.Connection, in inFrame) error {
	var f visitFrame
	if err := decode(in, &f); err != nil {
		return err
	}
	site, err := a.proactiveSite(ctx, conn)
	if err != nil {
		return err
	}
	now := a.now()
	since := time.UnixMilli(f.Since)
	if f.Since <= 0 || since.After(now) || now.Sub(since) > 24*time.Hour {
		since = now
	}
	_, cerr := a.store.Conversation(ctx, livehelp.ConversationID(conn.Site, conn.Subject))
	if cerr != nil && !livehelp.IsCode(cerr, livehelp.ENOTFOUND) {
		return cerr
	}
	v, err := a.store.RecordVisit(ctx, livehelp.Visit{Site: conn.Site, Visitor: conn.Subject, Page: oneLine(f.Page, 200),
		Title: oneLine(f.Title, 120), Since: since, Chatted: cerr == nil}, conn.ID)
	if err != nil {
		return err
	}
	if site.Proactive == livehelp.ProactiveAuto && !v.Alerted && now.Sub(v.Since) >= time.Duration(site.ProactiveAfter)*time.Second {
		a.alertOperator(ctx, site, v, now)
	}
	reply := outFrame{"type": "visited", "re": f.ID}
	if inv := store.PendingInvitation(v, now); inv != nil {
		settings, err := a.store.Proactive(ctx, conn.Site)
		if err != nil {
			return err
		}
		reply["invitation"], reply["fields"] = invitationOut(inv, "", now), settings.Fields
	}
	return a.send(ctx, conn.ID, reply)
}

// alertOperator tells the first available operator (livehelp.Candidates)
// that v has been on the site long enough; with nobody available the next
// report tries again.
func (a *app) alertOperator(ctx context.Context, site *livehelp.Site, v *livehelp.Visit, now time.Time) {
	cands := livehelp.Candidates(site.Presence, now)
	if len(cands) == 0 {
		return
	}
	if err := a.store.MarkAlerted(ctx, v); err != nil {
		if !livehelp.IsCode(err, livehelp.ECONFLICT) {
			a.log.ErrorContext(ctx, "mark alerted", "visitor", v.Visitor, "err", err)
		}
		return
	}
	conns, err := a.store.ParticipantConnections(ctx, livehelp.ParticipantOperator, cands[0])
	if err != nil {
		a.log.ErrorContext(ctx, "operator connections", "op", cands[0], "err", err)
		return
	}
	a.log.InfoContext(ctx, "operator alerted of visitor", "site", site.ID, "visitor", v.Visitor, "op", cands[0])
	a.pushConns(ctx, conns, outFrame{"type": "proactive", "visitor": visitOut(v, now)})
}

// visitors lists the visitors on the operator's site now, and those gone
// in the last minutes.
func (a *app) visitors(ctx context.Context, conn *livehelp.Connection, in inFrame) error {
	var f bareFrame
	if err := decode(in, &f); err != nil {
		return err
	}
	site, err := a.store.Site(ctx, conn.Site, false)
	if err != nil {
		return err
	}
	visits, err := a.store.Visits(ctx, conn.Site, maxVisitsListed)
	if err != nil {
		return err
	}
	now := a.now()
	out := make([]visitJSON, 0, len(visits))
	for _, v := range visits {
		out = append(out, visitOut(v, now))
	}
	return a.send(ctx, conn.ID, outFrame{"type": "visitors", "re": f.ID, "mode": site.Proactive, "visitors": out})
}

// oneLine trims s to one line of at most n runes of printable text.
func oneLine(s string, n int) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > n {
		s = string([]rune(s)[:n])
	}
	return s
}

// newInvitationID returns a random invitation id.
func newInvitationID() string { return auth.NewID() }

// startFor runs the visitor's start action (create or reopen their
// conversation and route it) as if they had sent it with name, answering
// re.
func (a *app) startFor(ctx context.Context, conn *livehelp.Connection, re, name string) error {
	raw, _ := json.Marshal(startFrame{Action: "start", ID: re, Name: name})
	return a.start(ctx, conn, inFrame{Action: "start", ID: re, Raw: raw})
}

// visitGone marks the visitor gone from the site when the connection of
// their last report closes (no-op when they never reported: one
// conditional UpdateItem that fails).
func (a *app) visitGone(ctx context.Context, conn *livehelp.Connection) {
	if err := a.store.VisitGone(ctx, conn.Site, conn.Subject, conn.ID); err != nil {
		a.log.ErrorContext(ctx, "visit gone", "conn", conn.ID, "err", err)
	}
}
