package main

import (
	"context"
	"slices"

	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

// conversationFor returns the conversation a frame names, if the sender may
// use it: a visitor only their own, an operator only their site's. Anything
// else is not_found, so a visitor cannot even learn whether another
// conversation exists.
func (a *app) conversationFor(ctx context.Context, conn *livehelp.Connection, in inFrame, id string) (*livehelp.Conversation, error) {
	if id == "" {
		return nil, livehelp.Invalid("Name the conversation.", map[string]string{"conversation": "Required."})
	}
	notFound := livehelp.Errorf(livehelp.ENOTFOUND, "Conversation not found.")
	visitor := conn.Role == livehelp.ParticipantVisitor
	if visitor && id != livehelp.ConversationID(conn.Site, conn.Subject) {
		return nil, notFound
	}
	var c *livehelp.Conversation
	var err error
	if in.prefetch != nil && id == in.Conv {
		r := <-in.prefetch
		c, err = r.conv, r.err
	} else {
		c, err = a.store.Conversation(ctx, id)
	}
	if err != nil {
		return nil, err
	}
	if c.Site != conn.Site || (visitor && c.Visitor != conn.Subject) {
		return nil, notFound
	}
	return c, nil
}

// start opens the visitor's one conversation, or reopens it, and routes it.
// The reply is a conversation frame with the status (assigned, waiting with
// a position, or offline).
func (a *app) start(ctx context.Context, conn *livehelp.Connection, in inFrame) error {
	var f startFrame
	if err := decode(in, &f); err != nil {
		return err
	}
	name := livehelp.CleanName(f.Name)
	id := livehelp.ConversationID(conn.Site, conn.Subject)
	c, err := a.store.Conversation(ctx, id)
	switch {
	case livehelp.IsCode(err, livehelp.ENOTFOUND):
		c, err = a.store.CreateConversation(ctx, &livehelp.Conversation{ID: id, Site: conn.Site, Visitor: conn.Subject, VisitorName: name})
		if err == nil {
			a.recordChat(ctx, c)
		}
		if livehelp.IsCode(err, livehelp.ECONFLICT) { // another tab was faster
			c, err = a.store.Conversation(ctx, id)
		}
	case err == nil && name != "" && name != c.VisitorName:
		err = a.store.SetVisitorName(ctx, id, name)
		c.VisitorName = name
	}
	if err != nil {
		return err
	}
	// Every tab of the visitor follows the conversation from now on.
	conns, err := a.store.ParticipantConnections(ctx, livehelp.ParticipantVisitor, conn.Subject)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(conns, func(x *livehelp.Connection) bool { return x.ID == conn.ID }) {
		conns = append(conns, conn)
	}
	if c, err = a.joinVisitor(ctx, c, conns); err != nil {
		return err
	}
	position := 0
	if phase := c.Phase(); phase == livehelp.QueueOffline || phase == livehelp.StatusClosed {
		t, err := a.store.Route(ctx, c)
		if err != nil {
			return err
		}
		c = t.Conversation
		position = a.afterTransition(ctx, t, conn.ID, false)
	}
	if c.Phase() == livehelp.QueueWaiting && position == 0 {
		if position, err = a.store.QueuePosition(ctx, c); err != nil {
			return err
		}
	}
	a.log.InfoContext(ctx, "chat started", "conv", c.ID, "status", c.Phase(), "op", c.Operator)
	return a.send(ctx, conn.ID, conversationFrame(in.ID, c, position))
}

// joinVisitor joins visitor connections to c and returns c as they see it;
// when the visitor was not on the site, the operators are told.
func (a *app) joinVisitor(ctx context.Context, c *livehelp.Conversation, conns []*livehelp.Connection) (*livehelp.Conversation, error) {
	var fresh []*livehelp.Connection
	for _, x := range conns {
		if !slices.Contains(c.VisitorConns, x.ID) {
			fresh = append(fresh, x)
		}
	}
	if len(fresh) == 0 {
		return c, nil
	}
	joined, err := a.store.Join(ctx, c.ID, fresh)
	if err != nil {
		return nil, err
	}
	wasOnline := c.Online()
	after := *c
	after.VisitorConns = slices.Clone(c.VisitorConns)
	for _, x := range joined {
		after.VisitorConns = append(after.VisitorConns, x.ID)
	}
	if !wasOnline && after.Online() && c.Status == livehelp.StatusAssigned {
		a.tellOperators(ctx, c.ID, outFrame{"type": "visitor", "conversation": c.ID, "online": true})
	}
	return &after, nil
}

// visitorLeft handles a conversation whose visitor has no live connection
// any more: a waiting conversation moves to the offline queue (the others
// move up) and the operators are told.
func (a *app) visitorLeft(ctx context.Context, c *livehelp.Conversation) {
	for attempt := 0; attempt < 3 && c.Phase() == livehelp.QueueWaiting && !c.Online(); attempt++ {
		_, err := a.store.Enqueue(ctx, c, livehelp.QueueOffline)
		if err == nil {
			a.pushPositions(ctx, c.Site, c.ID)
			break
		}
		if !livehelp.IsCode(err, livehelp.ECONFLICT) {
			a.log.ErrorContext(ctx, "move to offline queue", "conv", c.ID, "err", err)
			break
		}
		id := c.ID
		if c, err = a.store.Conversation(ctx, id); err != nil { // a message moved it on: read again
			a.log.ErrorContext(ctx, "move to offline queue", "conv", id, "err", err)
			return
		}
	}
	a.tellOperators(ctx, c.ID, outFrame{"type": "visitor", "conversation": c.ID, "online": false})
}

// tellOperators pushes a frame to the operator members of a conversation.
func (a *app) tellOperators(ctx context.Context, conv string, f outFrame) {
	members, err := a.members(ctx, conv)
	if err != nil {
		a.log.ErrorContext(ctx, "members", "conv", conv, "err", err)
		return
	}
	a.deliver(ctx, conv, operatorsOf(members), "", f)
}

// afterTransition tells everyone about a conversation's change: an
// assigned operator's devices join it and get an assigned frame; every
// member gets the system lines and the new state (the actor, who gets the
// state as a reply, only the lines unless actorHasLines); on close the
// operators leave it; when it left the waiting queue those behind move up;
// when it entered the queue the online operators are alerted. It returns
// the queue position of a waiting conversation.
func (a *app) afterTransition(ctx context.Context, t *store.Transition, actor string, actorHasLines bool) int {
	if t == nil || !t.Changed() {
		return 0
	}
	c := t.Conversation
	a.log.InfoContext(ctx, "conversation changed", "conv", c.ID, "from", t.Before.Phase(), "to", c.Phase(), "op", c.Operator)
	members, err := a.members(ctx, c.ID)
	if err != nil {
		a.log.ErrorContext(ctx, "members", "conv", c.ID, "err", err)
		return 0
	}
	if t.Assigned() {
		members = a.joinOperator(ctx, c, members)
	}
	position := 0
	if c.Phase() == livehelp.QueueWaiting {
		if position, err = a.store.QueuePosition(ctx, c); err != nil {
			a.log.ErrorContext(ctx, "queue position", "conv", c.ID, "err", err)
		}
	}
	lines := make([]outFrame, 0, len(t.Messages))
	for _, m := range t.Messages {
		lines = append(lines, messageFrame(c.ID, m))
	}
	skipLines := ""
	if actorHasLines {
		skipLines = actor
	}
	members = a.deliver(ctx, c.ID, members, skipLines, lines...)
	members = a.deliver(ctx, c.ID, members, actor, conversationFrame("", c, position))
	if c.Status == livehelp.StatusClosed {
		for _, m := range operatorsOf(members) {
			if _, err := a.store.Leave(ctx, c.ID, m.Conn, m.Role); err != nil {
				a.log.ErrorContext(ctx, "leave closed conversation", "conv", c.ID, "conn", m.Conn, "err", err)
			}
		}
	}
	if t.LeftWaiting() {
		a.pushPositions(ctx, c.Site, c.ID)
	}
	if phase := c.Phase(); (phase == livehelp.QueueWaiting || phase == livehelp.QueueOffline) && phase != t.Before.Phase() {
		a.alertQueued(ctx, c, t.Online)
	}
	return position
}

// joinOperator joins every live connection of c's operator to c and alerts
// them with an assigned frame; it returns members plus those connections.
func (a *app) joinOperator(ctx context.Context, c *livehelp.Conversation, members []store.Member) []store.Member {
	conns, err := a.store.ParticipantConnections(ctx, livehelp.ParticipantOperator, c.Operator)
	if err != nil {
		a.log.ErrorContext(ctx, "operator connections", "op", c.Operator, "err", err)
		return members
	}
	joined, err := a.store.Join(ctx, c.ID, conns)
	if err != nil {
		a.log.ErrorContext(ctx, "join operator", "conv", c.ID, "op", c.Operator, "err", err)
	}
	a.pushConns(ctx, joined, outFrame{"type": "assigned", "conversation": conversationOut(c, 0)})
	return addMembers(members, joined)
}

// maxAlerted bounds the operators alerted of a queued conversation.
const maxAlerted = 20

// alertQueued tells the online operators a conversation entered the queue.
func (a *app) alertQueued(ctx context.Context, c *livehelp.Conversation, online []string) {
	for _, op := range online[:min(len(online), maxAlerted)] {
		conns, err := a.store.ParticipantConnections(ctx, livehelp.ParticipantOperator, op)
		if err != nil {
			a.log.ErrorContext(ctx, "operator connections", "op", op, "err", err)
			continue
		}
		a.pushConns(ctx, conns, outFrame{"type": "queued", "conversation": conversationOut(c, 0)})
	}
}

// maxPositions bounds the waiting conversations told their new position.
const maxPositions = 100

// pushPositions tells the visitors waiting on a site their new positions,
// after gone left the waiting queue (the index may not show it yet).
func (a *app) pushPositions(ctx context.Context, site, gone string) {
	queue, err := a.store.Queue(ctx, site, livehelp.QueueWaiting, maxPositions+1)
	if err != nil {
		a.log.ErrorContext(ctx, "queue", "site", site, "err", err)
		return
	}
	position := 0
	for _, c := range queue {
		if c.ID == gone || c.Phase() != livehelp.QueueWaiting {
			continue
		}
		position++
		var visitors []store.Member
		for _, id := range c.VisitorConns {
			visitors = append(visitors, store.Member{Conn: id, Role: livehelp.ParticipantVisitor, Subject: c.Visitor})
		}
		a.deliver(ctx, c.ID, visitors, "", outFrame{"type": "queue", "conversation": c.ID, "position": position})
	}
}

// maxDrain bounds the conversations one event hands out.
const maxDrain = 5

// drain gives waiting conversations, oldest first, to free slots: after a
// slot frees and on an operator's heartbeat (so nothing waits longer than
// one heartbeat for a slot an event missed). It stops at the first that
// finds no slot.
func (a *app) drain(ctx context.Context, site string) {
	queue, err := a.store.Queue(ctx, site, livehelp.QueueWaiting, maxDrain)
	if err != nil {
		a.log.ErrorContext(ctx, "queue", "site", site, "err", err)
		return
	}
	for _, q := range queue {
		c, err := a.store.Conversation(ctx, q.ID) // the index may be behind
		if err != nil || c.Phase() != livehelp.QueueWaiting {
			continue
		}
		t, err := a.store.Route(ctx, c)
		if err != nil {
			a.log.ErrorContext(ctx, "route", "conv", c.ID, "err", err)
			return
		}
		a.afterTransition(ctx, t, "", false)
		if t.Conversation.Status != livehelp.StatusAssigned {
			return
		}
	}
}

// recordChat counts a new conversation in the site's daily report. A
// failure only loses a report count, so it is logged, not returned.
func (a *app) recordChat(ctx context.Context, c *livehelp.Conversation) {
	if err := a.store.RecordChat(ctx, c.Site, c.Created); err != nil {
		a.log.WarnContext(ctx, "report: chat not counted", "conv", c.ID, "err", err)
	}
}
