package main

import (
	"context"
	_ "time/tzdata" // operators' time zones, whatever the Lambda image holds

	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

// Snooze (PROTOCOL.md, "Snooze and transfer"): an operator parks the
// conversation they have until a time, which frees their slot at once;
// it wakes when the visitor writes, when the snooze ends (the sweep) or
// when an operator ends it by hand.

// snoozeFrame is the snooze action: a preset ("for": "3h" or "1d") or a
// local date and time ("until", "2026-11-23T09:00") in the operator's IANA
// time zone ("zone", from Intl.DateTimeFormat().resolvedOptions().timeZone).
type snoozeFrame struct {
	Action       string `json:"action"`
	ID           string `json:"id,omitempty"`
	Conversation string `json:"conversation"`
	For          string `json:"for,omitempty"`
	Until        string `json:"until,omitempty"`
	Zone         string `json:"zone,omitempty"`
	Keep         bool   `json:"keep,omitempty"`
}

// snoozeJSON is a snooze as operators see it.
type snoozeJSON struct {
	Until int64        `json:"until"`
	Keep  bool         `json:"keep"`
	By    operatorJSON `json:"by"`
	At    int64        `json:"at"`
}

func snoozeOut(s *livehelp.Snooze) *snoozeJSON {
	if s == nil {
		return nil
	}
	return &snoozeJSON{Until: s.Until.UnixMilli(), Keep: s.Keep, By: operatorJSON{ID: s.By, Name: s.ByName}, At: s.At.UnixMilli()}
}

// snooze parks a conversation the operator has. The answer is the
// conversation (status snoozed) with the snooze; the members get the
// system line and the new state (the visitor sees it offline: an operator
// will reply, by email if they left one); the operator's devices leave it,
// and the freed slot goes to the oldest waiting visitor.
func (a *app) snooze(ctx context.Context, conn *livehelp.Connection, in inFrame) error {
	var f snoozeFrame
	if err := decode(in, &f); err != nil {
		return err
	}
	until, zone, err := livehelp.SnoozeChoice{For: f.For, Until: f.Until, Zone: f.Zone}.Resolve(a.now())
	if err != nil {
		return err
	}
	c, err := a.conversationFor(ctx, conn, in, f.Conversation)
	if err != nil {
		return err
	}
	t, err := a.store.Snooze(ctx, c, store.SnoozeRequest{Operator: conn.Subject, Name: conn.Name, Until: until, Zone: zone, Keep: f.Keep})
	if err != nil {
		return err
	}
	s := &livehelp.Snooze{Until: until, Keep: f.Keep, By: conn.Subject, ByName: conn.Name, At: t.Conversation.Updated}
	a.log.InfoContext(ctx, "conversation snoozed", "conv", c.ID, "op", conn.Subject, "until", until, "keep", f.Keep)
	a.tellParked(ctx, t, conn.ID, s)
	reply := conversationFrame(f.ID, t.Conversation, 0)
	reply["snooze"] = snoozeOut(s)
	if err := a.send(ctx, conn.ID, reply); err != nil {
		a.log.WarnContext(ctx, "reply not delivered", "conn", conn.ID, "err", err)
	}
	a.drain(ctx, conn.Site)
	return nil
}

// tellParked tells a conversation's members it was snoozed: the lines to
// all, the state to all but the actor (visitors see it offline), then the
// operators' devices leave it.
func (a *app) tellParked(ctx context.Context, t *store.Transition, actor string, s *livehelp.Snooze) {
	c := t.Conversation
	members, err := a.members(ctx, c.ID)
	if err != nil {
		a.log.ErrorContext(ctx, "members", "conv", c.ID, "err", err)
		return
	}
	for _, m := range t.Messages {
		members = a.deliver(ctx, c.ID, members, "", messageFrame(c.ID, m))
	}
	var visitors []store.Member
	for _, m := range members {
		if m.Role == livehelp.ParticipantVisitor {
			visitors = append(visitors, m)
		}
	}
	ops := operatorsOf(members)
	f := conversationFrame("", c, 0)
	f["snooze"] = snoozeOut(s)
	a.deliver(ctx, c.ID, ops, actor, f)
	a.deliver(ctx, c.ID, visitors, "", visitorView(c))
	for _, m := range ops {
		if _, err := a.store.Leave(ctx, c.ID, m.Conn, m.Role); err != nil {
			a.log.ErrorContext(ctx, "leave snoozed conversation", "conv", c.ID, "conn", m.Conn, "err", err)
		}
	}
}

// visitorView is the conversation frame a visitor gets: a snoozed
// conversation shows as offline, which the widget renders ("No operator is
// available right now. Leave a message and we will answer by email.").
func visitorView(c *livehelp.Conversation) outFrame {
	out := conversationOut(c, 0)
	if out.Status == livehelp.StatusSnoozed {
		out.Status = livehelp.QueueOffline
	}
	return outFrame{"type": "conversation", "conversation": out, "snoozed": c.Status == livehelp.StatusSnoozed}
}

// unsnooze ends a snooze by hand: the conversation goes to the operator
// who asks, within their slots (conflict without a free one).
func (a *app) unsnooze(ctx context.Context, conn *livehelp.Connection, in inFrame) error {
	var f conversationOnlyFrame
	if err := decode(in, &f); err != nil {
		return err
	}
	c, err := a.conversationFor(ctx, conn, in, f.Conversation)
	if err != nil {
		return err
	}
	t, err := a.store.Wake(ctx, c.ID, store.WakeRequest{Reason: livehelp.WakeManual, Operator: conn.Subject, Name: conn.Name})
	if err != nil {
		return err
	}
	a.log.InfoContext(ctx, "snooze ended", "conv", c.ID, "op", conn.Subject, "reason", livehelp.WakeManual)
	a.afterTransition(ctx, t, conn.ID, false)
	return a.send(ctx, conn.ID, conversationFrame(f.ID, t.Conversation, 0))
}

// wakeForReply wakes a snoozed conversation its visitor writes in, before
// the message is stored, so the operator the wake-up chain picks (keeper,
// first available, or the queue) gets it: sendMessage calls it for
// visitors (see PROTOCOL.md). Any other conversation comes back as is.
func (a *app) wakeForReply(ctx context.Context, c *livehelp.Conversation) (*livehelp.Conversation, error) {
	if c.Status != livehelp.StatusSnoozed {
		return c, nil
	}
	t, err := a.store.Wake(ctx, c.ID, store.WakeRequest{Reason: livehelp.WakeReply})
	if err != nil {
		return nil, err
	}
	if t.Changed() {
		a.log.InfoContext(ctx, "snooze ended", "conv", c.ID, "reason", livehelp.WakeReply, "status", t.Conversation.Phase(), "op", t.Conversation.Operator)
		a.afterTransition(ctx, t, "", false)
	}
	return t.Conversation, nil
}
