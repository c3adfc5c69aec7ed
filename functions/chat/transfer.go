package main

import (
	"context"
	"time"

	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

// Transfer (PROTOCOL.md, "Snooze and transfer"): an operator hands the
// conversation they have to another operator or to a group, with a comment
// for the receiver; an unavailable target is refused with conflict unless
// the operator transfers anyway (force). The receiver accepts it, or
// replies, within REASSIGN_AFTER_SECONDS, or the sweep reassigns it.

// reassignAfter is REASSIGN_AFTER_SECONDS (default 24 h).
func (a *app) reassignAfter() time.Duration {
	if a.reassign > 0 {
		return a.reassign
	}
	return 24 * time.Hour
}

// transferFrame is the transfer action: "operator" or "group", an
// optional "comment" for the receiver, "force" to transfer anyway.
type transferFrame struct {
	Action       string `json:"action"`
	ID           string `json:"id,omitempty"`
	Conversation string `json:"conversation"`
	Operator     string `json:"operator,omitempty"`
	Group        string `json:"group,omitempty"`
	Comment      string `json:"comment,omitempty"`
	Force        bool   `json:"force,omitempty"`
}

// transferJSON is a transfer waiting for its receiver.
type transferJSON struct {
	From     operatorJSON `json:"from"`
	Group    *groupJSON   `json:"group,omitempty"`
	Comment  string       `json:"comment"`
	At       int64        `json:"at"`
	Deadline int64        `json:"deadline"` // reassigned then unless accepted or answered
}

type groupJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func transferOut(x *livehelp.Transfer) *transferJSON {
	if x == nil {
		return nil
	}
	out := &transferJSON{From: operatorJSON{ID: x.From, Name: x.FromName}, Comment: x.Comment, At: x.At.UnixMilli(), Deadline: x.Deadline.UnixMilli()}
	if x.Group != "" {
		out.Group = &groupJSON{ID: x.Group, Name: x.GroupName}
	}
	return out
}

// transfer hands the operator's conversation over. The answer is the
// conversation (assigned to the receiver); the receiver's devices join it
// and get assigned with the transfer (who, the comment, the deadline); the
// sender's leave it; every member gets the line and the new state. An
// unavailable target is a conflict error whose fields.target says why
// (away, offline, busy; nobody for a group): send again with force to
// transfer anyway.
func (a *app) transfer(ctx context.Context, conn *livehelp.Connection, in inFrame) error {
	var f transferFrame
	if err := decode(in, &f); err != nil {
		return err
	}
	comment, err := livehelp.CleanComment(f.Comment)
	if err != nil {
		return err
	}
	c, err := a.conversationFor(ctx, conn, in, f.Conversation)
	if err != nil {
		return err
	}
	t, x, err := a.store.Transfer(ctx, c, store.TransferRequest{From: conn.Subject, FromName: conn.Name, To: f.Operator,
		Group: f.Group, Comment: comment, Force: f.Force, ReassignAfter: a.reassignAfter()})
	if err != nil {
		return err
	}
	a.log.InfoContext(ctx, "conversation transferred", "conv", c.ID, "from", conn.Subject, "to", x.To, "group", x.Group, "force", f.Force)
	a.tellTransferred(ctx, t, x, conn.ID)
	reply := conversationFrame(f.ID, t.Conversation, 0)
	reply["transfer"] = transferOut(x)
	if err := a.send(ctx, conn.ID, reply); err != nil {
		a.log.WarnContext(ctx, "reply not delivered", "conn", conn.ID, "err", err)
	}
	a.drain(ctx, conn.Site) // the sender's freed slot
	return nil
}

// tellTransferred moves the conversation's operator devices from the
// sender to the receiver and tells every member: the receiver's devices
// join and get assigned with the transfer; everyone, the sender's devices
// too, gets the line and the new state (the actor has it as the reply);
// then the sender's devices leave.
func (a *app) tellTransferred(ctx context.Context, t *store.Transition, x *livehelp.Transfer, actor string) {
	c := t.Conversation
	members, err := a.members(ctx, c.ID)
	if err != nil {
		a.log.ErrorContext(ctx, "members", "conv", c.ID, "err", err)
		return
	}
	conns, err := a.store.ParticipantConnections(ctx, livehelp.ParticipantOperator, x.To)
	if err != nil {
		a.log.ErrorContext(ctx, "operator connections", "op", x.To, "err", err)
	}
	joined, err := a.store.Join(ctx, c.ID, conns)
	if err != nil {
		a.log.ErrorContext(ctx, "join operator", "conv", c.ID, "op", x.To, "err", err)
	}
	a.pushConns(ctx, joined, outFrame{"type": "assigned", "conversation": conversationOut(c, 0), "transfer": transferOut(x)})
	members = addMembers(members, joined)
	for _, m := range t.Messages {
		members = a.deliver(ctx, c.ID, members, "", messageFrame(c.ID, m))
	}
	members = a.deliver(ctx, c.ID, members, actor, conversationFrame("", c, 0))
	for _, m := range members {
		if m.Role == livehelp.ParticipantOperator && m.Subject == x.From && x.From != x.To {
			if _, err := a.store.Leave(ctx, c.ID, m.Conn, m.Role); err != nil {
				a.log.ErrorContext(ctx, "leave transferred conversation", "conv", c.ID, "conn", m.Conn, "err", err)
			}
		}
	}
}

// accept records that the receiver of a transfer handles it: it is no
// longer reassigned at the deadline. The answer is the conversation.
func (a *app) accept(ctx context.Context, conn *livehelp.Connection, in inFrame) error {
	var f conversationOnlyFrame
	if err := decode(in, &f); err != nil {
		return err
	}
	c, err := a.conversationFor(ctx, conn, in, f.Conversation)
	if err != nil {
		return err
	}
	d, err := a.store.AcceptTransfer(ctx, c.ID, conn.Subject)
	if err != nil {
		return err
	}
	a.log.InfoContext(ctx, "transfer accepted", "conv", c.ID, "op", conn.Subject)
	return a.send(ctx, conn.ID, conversationFrame(f.ID, d.Conversation, 0))
}
