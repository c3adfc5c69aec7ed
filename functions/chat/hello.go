package main

import (
	"context"

	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

// maxQueueListed bounds each queue an operator's hello lists.
const maxQueueListed = 50

// hello is the first frame of every connection: it joins the connection to
// its conversations and answers what the client needs to draw itself.
func (a *app) hello(ctx context.Context, conn *livehelp.Connection, in inFrame) error {
	var f helloFrame
	if err := decode(in, &f); err != nil {
		return err
	}
	if f.After < 0 {
		return livehelp.Invalid("The hello frame is not valid.", map[string]string{"after": "Use a sequence number of 0 or more."})
	}
	if conn.Role == livehelp.ParticipantOperator {
		return a.helloOperator(ctx, conn, f)
	}
	return a.helloVisitor(ctx, conn, f)
}

// helloVisitor answers the visitor's conversation, if they have one (closed
// ones too), with the messages after f.After (or the last page), and joins
// the connection to it. An offline conversation whose visitor comes back is
// routed again: it waits or gets an operator if one is online now.
func (a *app) helloVisitor(ctx context.Context, conn *livehelp.Connection, f helloFrame) error {
	reply := outFrame{"type": "hello", "re": f.ID, "role": livehelp.ParticipantVisitor, "visitor": conn.Subject,
		"conversation": nil, "messages": []messageJSON{}, "more": false}
	c, err := a.store.Conversation(ctx, livehelp.ConversationID(conn.Site, conn.Subject))
	if livehelp.IsCode(err, livehelp.ENOTFOUND) {
		return a.send(ctx, conn.ID, reply)
	}
	if err != nil {
		return err
	}
	if c, err = a.joinVisitor(ctx, c, []*livehelp.Connection{conn}); err != nil {
		return err
	}
	var t *store.Transition
	if c.Phase() == livehelp.QueueOffline {
		if t, err = a.store.Route(ctx, c); err != nil {
			return err
		}
		c = t.Conversation
	}
	msgs, more, err := a.store.Messages(ctx, c.ID, livehelp.Page{After: f.After, Limit: livehelp.MaxPageSize})
	if err != nil {
		return err
	}
	position := 0
	if c.Phase() == livehelp.QueueWaiting {
		if position, err = a.store.QueuePosition(ctx, c); err != nil {
			return err
		}
	}
	reply["conversation"], reply["messages"], reply["more"] = conversationOut(c, position), messagesOut(msgs), more
	if err := a.send(ctx, conn.ID, reply); err != nil {
		return err
	}
	a.afterTransition(ctx, t, conn.ID, true)
	return nil
}

// helloOperator joins the connection to the operator's assigned
// conversations and lists them with the site's queue.
func (a *app) helloOperator(ctx context.Context, conn *livehelp.Connection, f helloFrame) error {
	convs, err := a.store.OperatorConversations(ctx, conn.Subject)
	if err != nil {
		return err
	}
	mine := make([]*livehelp.Conversation, 0, len(convs))
	for _, c := range convs {
		if c.Status != livehelp.StatusAssigned || c.Operator != conn.Subject || c.Site != conn.Site {
			continue // the index is behind a change
		}
		if _, err := a.store.Join(ctx, c.ID, []*livehelp.Connection{conn}); err != nil {
			return err
		}
		mine = append(mine, c)
	}
	waiting, err := a.store.Queue(ctx, conn.Site, livehelp.QueueWaiting, maxQueueListed)
	if err != nil {
		return err
	}
	offline, err := a.store.Queue(ctx, conn.Site, livehelp.QueueOffline, maxQueueListed)
	if err != nil {
		return err
	}
	queue := map[string][]*conversationJSON{"waiting": {}, "offline": conversationsOut(offline)}
	for _, c := range waiting {
		if c.Phase() == livehelp.QueueWaiting {
			queue["waiting"] = append(queue["waiting"], conversationOut(c, len(queue["waiting"])+1))
		}
	}
	return a.send(ctx, conn.ID, outFrame{"type": "hello", "re": f.ID, "role": livehelp.ParticipantOperator,
		"operator": operatorJSON{ID: conn.Subject, Name: conn.Name}, "conversations": conversationsOut(mine), "queue": queue})
}
