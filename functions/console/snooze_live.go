package main

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/push"
	"github.com/livehelp/livehelp/shared/store"
)

// A snooze or transfer made through this API is pushed to the live
// clients it concerns, in the chat's frames (functions/chat/PROTOCOL.md),
// as the chat does for the same WebSocket actions.

// liveStore is the part of the store telling clients uses.
type liveStore interface {
	Members(ctx context.Context, conv string) ([]store.Member, error)
	ParticipantConnections(ctx context.Context, role, id string) ([]*livehelp.Connection, error)
	Join(ctx context.Context, conv string, conns []*livehelp.Connection) ([]*livehelp.Connection, error)
	Leave(ctx context.Context, conv, conn, role string) (*livehelp.Conversation, error)
}

// fanouter posts a frame to connections (push.Pusher).
type fanouter interface {
	Fanout(ctx context.Context, ids []string, data []byte) push.Result
}

// wsOperator, wsConversation and wsMessage are the chat's wire shapes.
type wsOperator struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type wsConversation struct {
	ID       string            `json:"id"`
	Status   string            `json:"status"`
	Operator *wsOperator       `json:"operator,omitempty"`
	Seq      int64             `json:"seq"`
	Read     int64             `json:"read"`
	Online   bool              `json:"online"`
	Visitor  map[string]string `json:"visitor"`
	Created  int64             `json:"created"`
}

type wsMessage struct {
	Seq      int64       `json:"seq"`
	Author   string      `json:"author"`
	Operator *wsOperator `json:"operator,omitempty"`
	Text     string      `json:"text"`
	Event    string      `json:"event,omitempty"`
	TS       int64       `json:"ts"`
}

// wsConversationOf shows c; a visitor sees a snoozed conversation offline.
func wsConversationOf(c *livehelp.Conversation, visitor bool) wsConversation {
	out := wsConversation{ID: c.ID, Status: c.Phase(), Seq: c.Seq, Read: c.VisitorRead, Online: c.Online(),
		Visitor: map[string]string{"id": c.Visitor, "name": c.VisitorName}, Created: c.Created.UnixMilli()}
	if c.Status == livehelp.StatusAssigned {
		out.Operator = &wsOperator{ID: c.Operator, Name: c.OperatorName}
	}
	if visitor && out.Status == livehelp.StatusSnoozed {
		out.Status = livehelp.QueueOffline
	}
	return out
}

// tell pushes a change to the conversation's live clients: operators who
// no longer have it leave it, a new operator's devices join it and get
// assigned (with the transfer x, if any), every member gets the system
// lines and the new state. Errors are logged: the change is stored, and
// clients catch up on hello.
func (h *handler) tell(ctx context.Context, t *store.Transition, x *livehelp.Transfer) {
	p := h.cfg.Push
	if p == nil {
		return
	}
	st, c, before := h.work(), t.Conversation, t.Before
	members, err := st.Members(ctx, c.ID)
	if err != nil {
		h.log.ErrorContext(ctx, "members", "conv", c.ID, "err", err)
		return
	}
	post := func(ids []string, f map[string]any) {
		if len(ids) > 0 {
			data, _ := json.Marshal(f)
			p.Fanout(ctx, ids, data)
		}
	}
	var ops, visitors []string
	members = slices.DeleteFunc(members, func(m store.Member) bool {
		if m.Role == livehelp.ParticipantOperator && (c.Status != livehelp.StatusAssigned || m.Subject != c.Operator) {
			if _, err := st.Leave(ctx, c.ID, m.Conn, m.Role); err != nil {
				h.log.ErrorContext(ctx, "leave", "conv", c.ID, "conn", m.Conn, "err", err)
			}
			ops = append(ops, m.Conn) // told the new state below, then out
			return true
		}
		return false
	})
	if c.Status == livehelp.StatusAssigned && (before.Status != livehelp.StatusAssigned || before.Operator != c.Operator) {
		conns, err := st.ParticipantConnections(ctx, livehelp.ParticipantOperator, c.Operator)
		if err != nil {
			h.log.ErrorContext(ctx, "operator connections", "op", c.Operator, "err", err)
		}
		joined, err := st.Join(ctx, c.ID, conns)
		if err != nil {
			h.log.ErrorContext(ctx, "join operator", "conv", c.ID, "op", c.Operator, "err", err)
		}
		var ids []string
		for _, j := range joined {
			ids = append(ids, j.ID)
			members = append(members, store.Member{Conn: j.ID, Role: j.Role, Subject: j.Subject})
		}
		f := map[string]any{"type": "assigned", "conversation": wsConversationOf(c, false)}
		if x != nil {
			f["transfer"] = map[string]any{"from": wsOperator{ID: x.From, Name: x.FromName}, "comment": x.Comment,
				"at": x.At.UnixMilli(), "deadline": x.Deadline.UnixMilli()}
		}
		post(ids, f)
	}
	all := slices.Clone(ops)
	for _, m := range members {
		all = append(all, m.Conn)
		if m.Role == livehelp.ParticipantVisitor {
			visitors = append(visitors, m.Conn)
		} else {
			ops = append(ops, m.Conn)
		}
	}
	for _, m := range t.Messages {
		msg := wsMessage{Seq: m.Seq, Author: m.Author, Text: m.Text, Event: m.Event, TS: m.Time.UnixMilli()}
		if m.Operator != "" {
			msg.Operator = &wsOperator{ID: m.Operator, Name: m.OperatorName}
		}
		post(all, map[string]any{"type": "message", "conversation": c.ID, "message": msg})
	}
	post(ops, map[string]any{"type": "conversation", "conversation": wsConversationOf(c, false)})
	post(visitors, map[string]any{"type": "conversation", "conversation": wsConversationOf(c, true),
		"snoozed": c.Status == livehelp.StatusSnoozed})
}
