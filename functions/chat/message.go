package main

import (
	"context"
	"errors"

	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/metrics"
	"github.com/livehelp/livehelp/shared/store"
)

// errReopen stops a visitor's append to a closed conversation: it is
// reopened and routed first.
var errReopen = errors.New("chat: conversation closed")

// sendMessage stores a message and then delivers it: stored (one
// TransactWriteItems), pushed to the conversation's other connections (one
// Query of its members), acknowledged to the sender with its sequence. A
// retry with the same client id is acknowledged with the first sequence and
// neither stored nor shown again. A visitor writing to a closed
// conversation reopens it and routes it; an operator writes only in the
// conversations assigned to them.
func (a *app) sendMessage(ctx context.Context, conn *livehelp.Connection, in inFrame) error {
	var f sendFrame
	if err := decode(in, &f); err != nil {
		return err
	}
	fields := map[string]string{}
	if f.Conversation == "" {
		fields["conversation"] = "Required."
	}
	if !livehelp.ValidClientID(f.ClientID) {
		fields["client_id"] = "Use 1 to 64 letters, digits, dashes or underscores."
	}
	text, err := livehelp.CleanText(f.Text)
	if err != nil {
		fields["text"] = livehelp.ErrorFields(err)["text"]
	}
	if len(fields) > 0 {
		return livehelp.Invalid("The message is not valid.", fields)
	}
	c, err := a.conversationFor(ctx, conn, in, f.Conversation)
	if err != nil {
		return err
	}
	if conn.Role == livehelp.ParticipantVisitor {
		if c, err = a.wakeForReply(ctx, c); err != nil { // a snoozed conversation wakes first (snooze.go)
			return err
		}
	}
	ap := store.Append{Sender: conn.Subject, Message: livehelp.Message{Author: conn.Role, ClientID: f.ClientID, Text: text}}
	var latest *livehelp.Conversation
	if conn.Role == livehelp.ParticipantVisitor {
		ap.Check = func(c *livehelp.Conversation) error {
			latest = c
			if c.Status == livehelp.StatusClosed {
				return errReopen
			}
			return nil
		}
	} else {
		ap.Message.Operator, ap.Message.OperatorName, ap.MailDelay = conn.Subject, conn.Name, a.mailDelay
		ap.Check = func(c *livehelp.Conversation) error {
			latest = c
			return mustBeAssigned(c, conn)
		}
	}
	m, dup, err := a.store.AppendMessage(ctx, c, ap)
	if errors.Is(err, errReopen) {
		t, rerr := a.store.Route(ctx, latest)
		if rerr != nil {
			return rerr
		}
		a.afterTransition(ctx, t, "", false)
		m, dup, err = a.store.AppendMessage(ctx, t.Conversation, ap)
	}
	if errors.Is(err, errReopen) {
		return livehelp.Errorf(livehelp.ECONFLICT, "The conversation was closed again; try again.")
	}
	if err != nil {
		return err
	}
	if !dup && conn.Role == livehelp.ParticipantOperator && latest != nil && latest.LastOperatorSeq == 0 {
		// The conversation's first operator answer: its wait goes to the report.
		if err := a.store.RecordFirstResponse(ctx, latest.Site, latest.Created, m.Time.Sub(latest.Created)); err != nil {
			a.log.WarnContext(ctx, "report: first response not recorded", "conv", c.ID, "err", err)
		}
	}
	if !dup {
		metrics.Add(ctx, "Messages", 1)
		members, err := a.members(ctx, c.ID)
		if err != nil {
			a.log.ErrorContext(ctx, "members", "conv", c.ID, "err", err)
		}
		a.deliver(ctx, c.ID, members, conn.ID, messageFrame(c.ID, m))
	}
	return a.send(ctx, conn.ID, outFrame{"type": "ack", "re": f.ID, "conversation": c.ID, "client_id": m.ClientID,
		"seq": m.Seq, "ts": m.Time.UnixMilli(), "duplicate": dup})
}

// mustBeAssigned refuses an operator's write to a conversation that is not
// theirs right now.
func mustBeAssigned(c *livehelp.Conversation, conn *livehelp.Connection) error {
	if c.Status != livehelp.StatusAssigned || c.Operator != conn.Subject {
		return livehelp.Errorf(livehelp.EFORBIDDEN, "This conversation is not assigned to you; take it first.")
	}
	return nil
}

// history answers a page of a conversation's messages.
func (a *app) history(ctx context.Context, conn *livehelp.Connection, in inFrame) error {
	var f historyFrame
	if err := decode(in, &f); err != nil {
		return err
	}
	page, err := livehelp.Page{After: f.After, Before: f.Before, Limit: f.Limit}.Check()
	if err != nil {
		return err
	}
	c, err := a.conversationFor(ctx, conn, in, f.Conversation)
	if err != nil {
		return err
	}
	msgs, more, err := a.store.Messages(ctx, c.ID, page)
	if err != nil {
		return err
	}
	return a.send(ctx, conn.ID, outFrame{"type": "history", "re": f.ID, "conversation": c.ID,
		"messages": messagesOut(msgs), "more": more})
}

// typing relays a typing indicator to the other side; nothing is stored.
func (a *app) typing(ctx context.Context, conn *livehelp.Connection, in inFrame) error {
	var f typingFrame
	if err := decode(in, &f); err != nil {
		return err
	}
	c, err := a.conversationFor(ctx, conn, in, f.Conversation)
	if err != nil {
		return err
	}
	out := outFrame{"type": "typing", "conversation": c.ID, "author": conn.Role, "typing": f.Typing}
	if conn.Role == livehelp.ParticipantOperator {
		if err := mustBeAssigned(c, conn); err != nil {
			return err
		}
		out["operator"] = operatorJSON{ID: conn.Subject, Name: conn.Name}
	}
	members, err := a.members(ctx, c.ID)
	if err != nil {
		return err
	}
	var others []store.Member
	for _, m := range members {
		if m.Subject != conn.Subject {
			others = append(others, m)
		}
	}
	a.deliver(ctx, c.ID, others, "", out)
	return nil
}

// read records the visitor's read mark (it drives the unread-reply email)
// and tells the conversation's other connections. A mark at or below the
// current one changes nothing and is not an error.
func (a *app) read(ctx context.Context, conn *livehelp.Connection, in inFrame) error {
	var f readFrame
	if err := decode(in, &f); err != nil {
		return err
	}
	if f.Seq <= 0 {
		return livehelp.Invalid("The read frame is not valid.", map[string]string{"seq": "Use the sequence of a message you received."})
	}
	c, err := a.conversationFor(ctx, conn, in, f.Conversation)
	if err != nil {
		return err
	}
	err = a.store.SetVisitorRead(ctx, c, f.Seq)
	if livehelp.IsCode(err, livehelp.ECONFLICT) {
		return nil
	}
	if err != nil {
		return err
	}
	members, err := a.members(ctx, c.ID)
	if err != nil {
		return err
	}
	a.deliver(ctx, c.ID, members, conn.ID, outFrame{"type": "read", "conversation": c.ID, "seq": f.Seq})
	return nil
}
