package main

import (
	"context"
	"slices"
	"strings"

	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

// invite sends an operator's invitation to a visitor on the site: stored
// on the visit (one pending at a time, expiring after
// livehelp.InvitationTTL), pushed to the visitor's tabs with the site's
// data collection form, answered to the operator. Rate limited per
// operator and per visitor.
func (a *app) invite(ctx context.Context, conn *livehelp.Connection, in inFrame) error {
	var f visitorFrame
	if err := decode(in, &f); err != nil {
		return err
	}
	if f.Visitor == "" || len(f.Visitor) > 64 {
		return livehelp.Invalid("Name the visitor.", map[string]string{"visitor": "Required."})
	}
	if _, err := a.proactiveSite(ctx, conn); err != nil {
		return err
	}
	if err := a.store.Allow(ctx, "invite#op#"+conn.Subject, inviteLimitOperator); err != nil {
		return err
	}
	if err := a.store.Allow(ctx, "invite#vis#"+conn.Site+"#"+f.Visitor, inviteLimitVisitor); err != nil {
		return err
	}
	settings, err := a.store.Proactive(ctx, conn.Site)
	if err != nil {
		return err
	}
	inv, err := a.store.Invite(ctx, conn.Site, f.Visitor, newInvitationID(), conn.Subject, conn.Name)
	if err != nil {
		return err
	}
	now := a.now()
	visitors, err := a.store.ParticipantConnections(ctx, livehelp.ParticipantVisitor, f.Visitor)
	if err != nil {
		return err
	}
	var here []*livehelp.Connection
	for _, c := range visitors {
		if c.Site == conn.Site {
			here = append(here, c)
		}
	}
	a.pushConns(ctx, here, outFrame{"type": "invite", "invitation": invitationOut(inv, "", now), "fields": settings.Fields})
	a.log.InfoContext(ctx, "visitor invited", "site", conn.Site, "visitor", f.Visitor, "op", conn.Subject, "invitation", inv.ID)
	return a.send(ctx, conn.ID, outFrame{"type": "invitation", "re": f.ID, "invitation": invitationOut(inv, f.Visitor, now)})
}

// answer takes a visitor's answer to their invitation. No: the invitation
// is refused and the inviting operator told. Yes: the answers to the data
// collection form are checked (required fields, on this side too), the
// conversation is started and routed as by start (the reply is its
// conversation frame), and the answers become the visitor's first message.
func (a *app) answer(ctx context.Context, conn *livehelp.Connection, in inFrame) error {
	var f answerFrame
	if err := decode(in, &f); err != nil {
		return err
	}
	values := []string(nil)
	var form []livehelp.FormField
	if f.Accept {
		settings, err := a.store.Proactive(ctx, conn.Site)
		if err != nil {
			return err
		}
		form = settings.Fields
		if values, err = livehelp.CheckAnswers(form, f.Values); err != nil {
			return err
		}
	}
	status := livehelp.InviteRefused
	if f.Accept {
		status = livehelp.InviteAccepted
	}
	v, err := a.store.AnswerInvitation(ctx, conn.Site, conn.Subject, f.Invitation, status)
	if err != nil {
		return err
	}
	now := a.now()
	if ops, err := a.store.ParticipantConnections(ctx, livehelp.ParticipantOperator, v.Invitation.Operator); err == nil {
		a.pushConns(ctx, ops, outFrame{"type": "invitation", "invitation": invitationOut(v.Invitation, conn.Subject, now)})
	} else {
		a.log.ErrorContext(ctx, "operator connections", "op", v.Invitation.Operator, "err", err)
	}
	a.log.InfoContext(ctx, "invitation answered", "site", conn.Site, "visitor", conn.Subject, "invitation", f.Invitation, "status", status)
	if !f.Accept {
		return a.send(ctx, conn.ID, outFrame{"type": "answered", "re": f.ID, "status": status})
	}
	if err := a.startFor(ctx, conn, f.ID, formName(form, values)); err != nil {
		return err
	}
	a.markChatted(ctx, conn.Site, conn.Subject)
	a.formMessage(ctx, conn, f.Invitation, form, values)
	return nil
}

// formName picks the visitor's name from the answers: the first field
// whose label says name.
func formName(form []livehelp.FormField, values []string) string {
	for i, fl := range form {
		if fl.Type == "text" && strings.Contains(strings.ToLower(fl.Label), "name") && values[i] != "" {
			return values[i]
		}
	}
	return ""
}

// formMessage stores the visitor's answers as their first message of the
// conversation (client id inv-<invitation>, so a retry stores it once) and
// delivers it to every member.
func (a *app) formMessage(ctx context.Context, conn *livehelp.Connection, invitation string, form []livehelp.FormField, values []string) {
	var b strings.Builder
	for i, fl := range form {
		if values[i] != "" {
			b.WriteString(fl.Label + ": " + values[i] + "\n")
		}
	}
	text := strings.TrimSpace(b.String())
	if text == "" {
		return
	}
	c, err := a.store.Conversation(ctx, livehelp.ConversationID(conn.Site, conn.Subject))
	if err != nil {
		a.log.ErrorContext(ctx, "form message", "visitor", conn.Subject, "err", err)
		return
	}
	m, dup, err := a.store.AppendMessage(ctx, c, store.Append{Sender: conn.Subject,
		Message: livehelp.Message{Author: livehelp.ParticipantVisitor, ClientID: "inv-" + clip(invitation, 40), Text: text}})
	if err != nil || dup {
		if err != nil {
			a.log.ErrorContext(ctx, "form message", "conv", c.ID, "err", err)
		}
		return
	}
	members, err := a.members(ctx, c.ID)
	if err != nil {
		a.log.ErrorContext(ctx, "members", "conv", c.ID, "err", err)
	}
	a.deliver(ctx, c.ID, members, "", messageFrame(c.ID, m))
}

// engage opens a chat with a visitor on the site directly (auto mode, or
// after an alert): the visitor's conversation is created or reopened and
// assigned to the operator within their slots, the visitor's tabs join it
// and get an engaged frame that opens the chat panel. The data form is
// skipped.
func (a *app) engage(ctx context.Context, conn *livehelp.Connection, in inFrame) error {
	var f visitorFrame
	if err := decode(in, &f); err != nil {
		return err
	}
	if _, err := a.proactiveSite(ctx, conn); err != nil {
		return err
	}
	v, err := a.store.Visit(ctx, conn.Site, f.Visitor)
	if err != nil {
		return err
	}
	if !v.OnSite(a.now()) {
		return livehelp.Errorf(livehelp.ECONFLICT, "This visitor has left the site.")
	}
	id := livehelp.ConversationID(conn.Site, f.Visitor)
	c, err := a.store.Conversation(ctx, id)
	if livehelp.IsCode(err, livehelp.ENOTFOUND) {
		c, err = a.store.CreateConversation(ctx, &livehelp.Conversation{ID: id, Site: conn.Site, Visitor: f.Visitor})
		if err == nil {
			a.recordChat(ctx, c)
		}
		if livehelp.IsCode(err, livehelp.ECONFLICT) {
			c, err = a.store.Conversation(ctx, id)
		}
	}
	if err != nil {
		return err
	}
	conns, err := a.store.ParticipantConnections(ctx, livehelp.ParticipantVisitor, f.Visitor)
	if err != nil {
		return err
	}
	conns = slices.DeleteFunc(conns, func(x *livehelp.Connection) bool { return x.Site != conn.Site })
	if c, err = a.joinVisitor(ctx, c, conns); err != nil {
		return err
	}
	var t *store.Transition
	switch {
	case c.Status == livehelp.StatusAssigned && c.Operator == conn.Subject:
		t = &store.Transition{Before: c, Conversation: c}
	case c.Status == livehelp.StatusClosed:
		t, err = a.store.Unclose(ctx, c, conn.Subject, conn.Name, nil)
	default:
		t, err = a.store.Take(ctx, c, conn.Subject, conn.Name, nil)
	}
	if err != nil {
		return err
	}
	a.afterTransition(ctx, t, conn.ID, false)
	a.markChatted(ctx, conn.Site, f.Visitor)
	a.pushConns(ctx, conns, outFrame{"type": "engaged", "conversation": conversationOut(t.Conversation, 0)})
	a.log.InfoContext(ctx, "visitor engaged", "conv", c.ID, "op", conn.Subject)
	return a.send(ctx, conn.ID, conversationFrame(f.ID, t.Conversation, 0))
}

// markChatted updates the visitors list at once: this visitor has chatted.
func (a *app) markChatted(ctx context.Context, site, visitor string) {
	if err := a.store.MarkChatted(ctx, site, visitor); err != nil {
		a.log.ErrorContext(ctx, "mark chatted", "visitor", visitor, "err", err)
	}
}
