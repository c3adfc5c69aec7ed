package main

import (
	"context"
	"time"

	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

// Operators' actions: the heartbeat that keeps them present, and taking a
// conversation from the queue, closing one, unclosing a closed one. The
// conversation actions are authorized on the stored conversation: the
// operator's site, and for close the assigned operator only (anyone of the
// site may close a queued conversation, e.g. spam).

// take assigns a queued conversation to the operator, within their slots.
func (a *app) take(ctx context.Context, conn *livehelp.Connection, in inFrame) error {
	return a.operatorChange(ctx, conn, in, func(c *livehelp.Conversation) (*store.Transition, error) {
		return a.store.Take(ctx, c, conn.Subject, conn.Name, nil)
	})
}

// closeConversation closes a conversation; a freed slot goes at once to the
// oldest waiting conversation.
func (a *app) closeConversation(ctx context.Context, conn *livehelp.Connection, in inFrame) error {
	return a.operatorChange(ctx, conn, in, func(c *livehelp.Conversation) (*store.Transition, error) {
		return a.store.Close(ctx, c, conn.Subject, conn.Name, func(c *livehelp.Conversation) error {
			if c.Status == livehelp.StatusAssigned && c.Operator != conn.Subject {
				return livehelp.Errorf(livehelp.EFORBIDDEN, "This conversation is assigned to another operator.")
			}
			return nil
		})
	})
}

// unclose reopens a closed conversation and assigns it to the operator,
// within their slots.
func (a *app) unclose(ctx context.Context, conn *livehelp.Connection, in inFrame) error {
	return a.operatorChange(ctx, conn, in, func(c *livehelp.Conversation) (*store.Transition, error) {
		return a.store.Unclose(ctx, c, conn.Subject, conn.Name, nil)
	})
}

// operatorChange runs one of the actions above: it decodes the frame, finds
// the conversation, applies change, tells everyone, answers the new state,
// and hands a freed slot to the queue.
func (a *app) operatorChange(ctx context.Context, conn *livehelp.Connection, in inFrame,
	change func(*livehelp.Conversation) (*store.Transition, error)) error {
	var f conversationOnlyFrame
	if err := decode(in, &f); err != nil {
		return err
	}
	c, err := a.conversationFor(ctx, conn, in, f.Conversation)
	if err != nil {
		return err
	}
	t, err := change(c)
	if err != nil {
		return err
	}
	position := a.afterTransition(ctx, t, conn.ID, false)
	if err := a.send(ctx, conn.ID, conversationFrame(f.ID, t.Conversation, position)); err != nil {
		a.log.WarnContext(ctx, "reply not delivered", "conn", conn.ID, "err", err)
	}
	if t.Before.Status == livehelp.StatusAssigned && t.Conversation.Status != livehelp.StatusAssigned {
		a.drain(ctx, conn.Site)
	}
	return nil
}

// heartbeatFrame is what the console sends every 20 s, and at once when the
// operator picks a state.
type heartbeatFrame struct {
	Action string `json:"action"`
	ID     string `json:"id,omitempty"`
	State  string `json:"state"`
}

// heartbeat keeps an operator present for the operators list expiration;
// an online operator with free slots then gets the oldest waiting visitors.
func (a *app) heartbeat(ctx context.Context, conn *livehelp.Connection, in inFrame) error {
	var f heartbeatFrame
	if err := decode(in, &f); err != nil {
		return err
	}
	switch f.State {
	case "":
		f.State = livehelp.PresenceOnline
	case livehelp.PresenceOnline, livehelp.PresenceAway, livehelp.PresenceOffline:
	default:
		return livehelp.Invalid("Unknown presence state.", map[string]string{"state": "Use online, away or offline."})
	}
	if err := a.setPresence(ctx, conn, f.State); err != nil {
		return err
	}
	if err := a.send(ctx, conn.ID, outFrame{"type": "presence", "re": f.ID, "state": f.State, "expires_in": int(a.expiry.Seconds())}); err != nil {
		return err
	}
	if f.State == livehelp.PresenceOnline {
		a.watch(ctx, conn.Site)
		a.drain(ctx, conn.Site) // free slots take waiting visitors
	}
	return nil
}

// watchEvery bounds how often one container re-arms a site's presence check.
const watchEvery = 5 * time.Minute

// watch arms the sweep's presence check for the site (it drops operators
// whose heartbeats stopped and moves waiting visitors when nobody is left),
// at most once per container every watchEvery. Arming an armed site is a
// no-op in the store, so several containers agree.
func (a *app) watch(ctx context.Context, site string) {
	now := a.now()
	a.watchMu.Lock()
	if a.watched == nil {
		a.watched = map[string]time.Time{}
	}
	last, ok := a.watched[site]
	if ok && now.Sub(last) < watchEvery {
		a.watchMu.Unlock()
		return
	}
	a.watched[site] = now
	a.watchMu.Unlock()
	if err := a.store.WatchPresence(ctx, site, now.Add(a.expiry+time.Second)); err != nil {
		a.log.WarnContext(ctx, "presence watch", "site", site, "err", err)
	}
}

func (a *app) setPresence(ctx context.Context, conn *livehelp.Connection, state string) error {
	err := a.store.SetPresence(ctx, store.PresenceUpdate{
		Site: conn.Site, Operator: conn.Subject, Name: conn.Name, Slots: conn.Slots,
		State: state, SeenUntil: a.now().Add(a.expiry),
	})
	if err != nil {
		a.log.ErrorContext(ctx, "presence", "conn", conn.ID, "err", err)
	}
	return err
}
