package main

import (
	"context"

	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

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
		a.drain(ctx, conn.Site) // free slots take waiting visitors
	}
	return nil
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
