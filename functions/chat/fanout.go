package main

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

// Fan-out: a conversation's frames go to its members only — the live
// connections joined to it, listed by one Query of the conversation's
// partition. A connection API Gateway reports gone (410) leaves the
// conversation and is forgotten; the sender's own connection is never
// touched on behalf of another's 410.

// members lists a conversation's live connections (one Query).
func (a *app) members(ctx context.Context, conv string) ([]store.Member, error) {
	return a.store.Members(ctx, conv)
}

// deliver pushes frames in order to every member but skip and returns the
// members still there: after each frame, those reported gone are removed.
func (a *app) deliver(ctx context.Context, conv string, members []store.Member, skip string, frames ...outFrame) []store.Member {
	for _, f := range frames {
		var ids []string
		for _, m := range members {
			if m.Conn != skip {
				ids = append(ids, m.Conn)
			}
		}
		if len(ids) == 0 {
			break
		}
		data, _ := json.Marshal(f)
		res := a.push.Fanout(ctx, ids, data)
		for _, id := range res.Failed {
			a.log.WarnContext(ctx, "push failed", "conv", conv, "conn", id)
		}
		if len(res.Gone) == 0 {
			continue
		}
		members = slices.DeleteFunc(slices.Clone(members), func(m store.Member) bool {
			if !slices.Contains(res.Gone, m.Conn) {
				return false
			}
			a.dropGone(ctx, conv, m)
			return true
		})
	}
	return members
}

// dropGone removes a connection API Gateway no longer knows: its
// membership and its record. $disconnect may never come for it.
func (a *app) dropGone(ctx context.Context, conv string, m store.Member) {
	a.log.InfoContext(ctx, "gone connection removed", "conv", conv, "conn", m.Conn)
	c, err := a.store.Leave(ctx, conv, m.Conn, m.Role)
	if err != nil {
		a.log.ErrorContext(ctx, "remove gone member", "conv", conv, "conn", m.Conn, "err", err)
	}
	if err := a.store.DeleteConnection(ctx, m.Conn); err != nil {
		a.log.ErrorContext(ctx, "remove gone connection", "conn", m.Conn, "err", err)
	}
	if c != nil && !c.Online() {
		a.visitorLeft(ctx, c)
	}
}

// pushConns sends one frame to a list of connections that are not (yet)
// members of a conversation, e.g. an operator's devices.
func (a *app) pushConns(ctx context.Context, conns []*livehelp.Connection, f outFrame) {
	ids := make([]string, 0, len(conns))
	for _, c := range conns {
		ids = append(ids, c.ID)
	}
	data, _ := json.Marshal(f)
	res := a.push.Fanout(ctx, ids, data)
	for _, id := range res.Gone {
		if err := a.store.DeleteConnection(ctx, id); err != nil {
			a.log.ErrorContext(ctx, "remove gone connection", "conn", id, "err", err)
		}
	}
}

// operatorsOf returns the members of a conversation that are operators.
func operatorsOf(members []store.Member) []store.Member {
	var ops []store.Member
	for _, m := range members {
		if m.Role == livehelp.ParticipantOperator {
			ops = append(ops, m)
		}
	}
	return ops
}

// addMembers returns members plus the joined connections not already there.
func addMembers(members []store.Member, joined []*livehelp.Connection) []store.Member {
	for _, c := range joined {
		if !slices.ContainsFunc(members, func(m store.Member) bool { return m.Conn == c.ID }) {
			members = append(members, store.Member{Conn: c.ID, Role: c.Role, Subject: c.Subject})
		}
	}
	return members
}
