package main

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/push"
	"github.com/livehelp/livehelp/shared/store"
)

// fanout posts frames to live connections (push.Pusher).
type fanout interface {
	Fanout(ctx context.Context, ids []string, data []byte) push.Result
}

// maxAlerted bounds the operators alerted of a conversation entering the queue.
const maxAlerted = 20

// tell pushes a conversation's change to the people concerned, as the chat
// does after its own changes: a new operator's devices join it and get
// an assigned frame; every member gets the system lines, then the new state
// (visitors their view of it); the devices of an operator who lost it then
// leave it; a conversation entering the queue alerts the online operators.
// Failures are logged: the change is stored, clients catch up on hello.
func (w *worker) tell(ctx context.Context, t *store.Transition) {
	c, before := t.Conversation, t.Before
	members, err := w.store.Members(ctx, c.ID)
	if err != nil {
		w.log.ErrorContext(ctx, "members", "conv", c.ID, "err", err)
		return
	}
	if c.Status == livehelp.StatusAssigned && (before.Status != livehelp.StatusAssigned || c.Operator != before.Operator) {
		members = w.joinOperator(ctx, c, members)
	}
	position := 0
	if c.Phase() == livehelp.QueueWaiting {
		if position, err = w.store.QueuePosition(ctx, c); err != nil {
			w.log.ErrorContext(ctx, "queue position", "conv", c.ID, "err", err)
		}
	}
	for _, m := range t.Messages {
		members = w.deliver(ctx, c.ID, members, messageFrame(c.ID, m))
	}
	var ops, visitors []store.Member
	for _, m := range members {
		if m.Role == livehelp.ParticipantVisitor {
			visitors = append(visitors, m)
		} else {
			ops = append(ops, m)
		}
	}
	ops = w.deliver(ctx, c.ID, ops, conversationFrame(c, position, false))
	w.deliver(ctx, c.ID, visitors, conversationFrame(c, position, true))
	if before.Status == livehelp.StatusAssigned && c.Operator != before.Operator {
		w.leave(ctx, c.ID, ops, before.Operator)
	}
	if phase := c.Phase(); (phase == livehelp.QueueWaiting || phase == livehelp.QueueOffline) && phase != before.Phase() {
		for _, op := range t.Online[:min(len(t.Online), maxAlerted)] {
			w.pushOperator(ctx, op, frame{"type": "queued", "conversation": conversationOut(c, 0, false)})
		}
	}
}

// leave takes op's devices out of a conversation they no longer have.
func (w *worker) leave(ctx context.Context, conv string, members []store.Member, op string) {
	for _, m := range members {
		if m.Role == livehelp.ParticipantOperator && m.Subject == op {
			if _, err := w.store.Leave(ctx, conv, m.Conn, m.Role); err != nil {
				w.log.ErrorContext(ctx, "leave", "conv", conv, "conn", m.Conn, "err", err)
			}
		}
	}
}

// joinOperator joins every live connection of c's operator to c and alerts
// them; it returns members plus those connections.
func (w *worker) joinOperator(ctx context.Context, c *livehelp.Conversation, members []store.Member) []store.Member {
	conns, err := w.store.ParticipantConnections(ctx, livehelp.ParticipantOperator, c.Operator)
	if err != nil {
		w.log.ErrorContext(ctx, "operator connections", "op", c.Operator, "err", err)
		return members
	}
	joined, err := w.store.Join(ctx, c.ID, conns)
	if err != nil {
		w.log.ErrorContext(ctx, "join operator", "conv", c.ID, "op", c.Operator, "err", err)
	}
	ids := make([]string, 0, len(joined))
	for _, j := range joined {
		ids = append(ids, j.ID)
		if !slices.ContainsFunc(members, func(m store.Member) bool { return m.Conn == j.ID }) {
			members = append(members, store.Member{Conn: j.ID, Role: j.Role, Subject: j.Subject})
		}
	}
	w.post(ctx, ids, frame{"type": "assigned", "conversation": conversationOut(c, 0, false)})
	return members
}

// pushOperator sends a frame to every live connection of an operator.
func (w *worker) pushOperator(ctx context.Context, op string, f frame) {
	conns, err := w.store.ParticipantConnections(ctx, livehelp.ParticipantOperator, op)
	if err != nil {
		w.log.ErrorContext(ctx, "operator connections", "op", op, "err", err)
		return
	}
	ids := make([]string, 0, len(conns))
	for _, c := range conns {
		ids = append(ids, c.ID)
	}
	w.post(ctx, ids, f)
}

// deliver pushes a frame to members and returns those still there: a
// connection API Gateway reports gone leaves the conversation and is
// forgotten.
func (w *worker) deliver(ctx context.Context, conv string, members []store.Member, f frame) []store.Member {
	ids := make([]string, 0, len(members))
	for _, m := range members {
		ids = append(ids, m.Conn)
	}
	gone := w.post(ctx, ids, f)
	if len(gone) == 0 {
		return members
	}
	return slices.DeleteFunc(members, func(m store.Member) bool {
		if !slices.Contains(gone, m.Conn) {
			return false
		}
		if _, err := w.store.Leave(ctx, conv, m.Conn, m.Role); err != nil {
			w.log.ErrorContext(ctx, "remove gone member", "conv", conv, "conn", m.Conn, "err", err)
		}
		return true
	})
}

// post sends a frame to connections and returns those gone, whose
// records it deletes.
func (w *worker) post(ctx context.Context, ids []string, f frame) []string {
	if len(ids) == 0 || w.push == nil {
		return nil
	}
	data, _ := json.Marshal(f)
	res := w.push.Fanout(ctx, ids, data)
	for _, id := range res.Failed {
		w.log.WarnContext(ctx, "push failed", "conn", id)
	}
	for _, id := range res.Gone {
		if err := w.store.DeleteConnection(ctx, id); err != nil {
			w.log.ErrorContext(ctx, "remove gone connection", "conn", id, "err", err)
		}
	}
	return res.Gone
}

// The frames the sweep pushes, in the shapes of functions/chat/PROTOCOL.md
// (the chat's frames.go writes the same; times are unix milliseconds).

// frame is one server frame.
type frame map[string]any

type operatorJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type visitorJSON struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// conversationJSON is a conversation as a client sees it.
type conversationJSON struct {
	ID       string        `json:"id"`
	Status   string        `json:"status"` // assigned, waiting, offline, closed; snoozed for operators
	Operator *operatorJSON `json:"operator,omitempty"`
	Position int           `json:"position,omitempty"`
	Seq      int64         `json:"seq"`
	Read     int64         `json:"read"`
	Online   bool          `json:"online"`
	Visitor  visitorJSON   `json:"visitor"`
	Created  int64         `json:"created"`
}

type messageJSON struct {
	Seq      int64         `json:"seq"`
	Author   string        `json:"author"`
	Operator *operatorJSON `json:"operator,omitempty"`
	Text     string        `json:"text"`
	Event    string        `json:"event,omitempty"`
	TS       int64         `json:"ts"`
}

// conversationOut shows c; a visitor sees a snoozed conversation as
// offline (an operator will reply, by email if they leave one), which the
// widget already renders.
func conversationOut(c *livehelp.Conversation, position int, visitor bool) *conversationJSON {
	out := &conversationJSON{ID: c.ID, Status: c.Phase(), Seq: c.Seq, Read: c.VisitorRead, Online: c.Online(),
		Visitor: visitorJSON{ID: c.Visitor, Name: c.VisitorName}, Created: c.Created.UnixMilli()}
	if c.Status == livehelp.StatusAssigned {
		out.Operator = &operatorJSON{ID: c.Operator, Name: c.OperatorName}
	}
	if out.Status == livehelp.QueueWaiting {
		out.Position = position
	}
	if visitor && out.Status == livehelp.StatusSnoozed {
		out.Status = livehelp.QueueOffline
	}
	return out
}

func messageFrame(conv string, m livehelp.Message) frame {
	out := messageJSON{Seq: m.Seq, Author: m.Author, Text: m.Text, Event: m.Event, TS: m.Time.UnixMilli()}
	if m.Operator != "" {
		out.Operator = &operatorJSON{ID: m.Operator, Name: m.OperatorName}
	}
	return frame{"type": "message", "conversation": conv, "message": out}
}

func conversationFrame(c *livehelp.Conversation, position int, visitor bool) frame {
	return frame{"type": "conversation", "conversation": conversationOut(c, position, visitor)}
}
