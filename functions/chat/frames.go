package main

import (
	"github.com/livehelp/livehelp/shared/livehelp"
)

// Wire shapes of what the server sends. Times are unix milliseconds.

// operatorJSON names an operator: on their messages, system lines and the
// conversation they have.
type operatorJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// visitorJSON names a conversation's visitor.
type visitorJSON struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// conversationJSON is a conversation as both sides see it.
type conversationJSON struct {
	ID       string        `json:"id"`
	Status   string        `json:"status"` // assigned, waiting, offline or closed
	Operator *operatorJSON `json:"operator,omitempty"`
	Position int           `json:"position,omitempty"` // waiting only: 1 is next
	Seq      int64         `json:"seq"`                // last message
	Read     int64         `json:"read"`               // the visitor's read mark
	Online   bool          `json:"online"`             // the visitor is on the site
	Visitor  visitorJSON   `json:"visitor"`
	Created  int64         `json:"created"`
}

// messageJSON is one line of a conversation.
type messageJSON struct {
	Seq      int64         `json:"seq"`
	ClientID string        `json:"client_id,omitempty"`
	Author   string        `json:"author"` // visitor, operator or system
	Operator *operatorJSON `json:"operator,omitempty"`
	Text     string        `json:"text"`
	Event    string        `json:"event,omitempty"` // system lines: assigned, closed, reopened
	TS       int64         `json:"ts"`
}

func conversationOut(c *livehelp.Conversation, position int) *conversationJSON {
	if c == nil {
		return nil
	}
	out := &conversationJSON{ID: c.ID, Status: c.Phase(), Seq: c.Seq, Read: c.VisitorRead, Online: c.Online(),
		Visitor: visitorJSON{ID: c.Visitor, Name: c.VisitorName}, Created: c.Created.UnixMilli()}
	if c.Status == livehelp.StatusAssigned {
		out.Operator = &operatorJSON{ID: c.Operator, Name: c.OperatorName}
	}
	if out.Status == livehelp.QueueWaiting {
		out.Position = position
	}
	return out
}

func conversationsOut(cs []*livehelp.Conversation) []*conversationJSON {
	out := make([]*conversationJSON, 0, len(cs))
	for _, c := range cs {
		out = append(out, conversationOut(c, 0))
	}
	return out
}

func messageOut(m livehelp.Message) messageJSON {
	out := messageJSON{Seq: m.Seq, ClientID: m.ClientID, Author: m.Author, Text: m.Text, Event: m.Event, TS: m.Time.UnixMilli()}
	if m.Operator != "" {
		out.Operator = &operatorJSON{ID: m.Operator, Name: m.OperatorName}
	}
	return out
}

func messagesOut(ms []livehelp.Message) []messageJSON {
	out := make([]messageJSON, 0, len(ms))
	for _, m := range ms {
		out = append(out, messageOut(m))
	}
	return out
}

// messageFrame is the frame every member of a conversation gets for a new
// message.
func messageFrame(conv string, m livehelp.Message) outFrame {
	return outFrame{"type": "message", "conversation": conv, "message": messageOut(m)}
}

// conversationFrame carries a conversation's state; re is set on replies.
func conversationFrame(re string, c *livehelp.Conversation, position int) outFrame {
	f := outFrame{"type": "conversation", "conversation": conversationOut(c, position)}
	if re != "" {
		f["re"] = re
	}
	return f
}

// Client frames: each action's fields. Action and ID are in every frame.

type helloFrame struct {
	Action string `json:"action"`
	ID     string `json:"id,omitempty"`
	After  int64  `json:"after,omitempty"` // visitors: the last sequence this client has
}

type startFrame struct {
	Action string `json:"action"`
	ID     string `json:"id,omitempty"`
	Name   string `json:"name,omitempty"`
}

type sendFrame struct {
	Action       string `json:"action"`
	ID           string `json:"id,omitempty"`
	Conversation string `json:"conversation"`
	ClientID     string `json:"client_id"`
	Text         string `json:"text"`
}

type historyFrame struct {
	Action       string `json:"action"`
	ID           string `json:"id,omitempty"`
	Conversation string `json:"conversation"`
	After        int64  `json:"after,omitempty"`
	Before       int64  `json:"before,omitempty"`
	Limit        int    `json:"limit,omitempty"`
}

type typingFrame struct {
	Action       string `json:"action"`
	ID           string `json:"id,omitempty"`
	Conversation string `json:"conversation"`
	Typing       bool   `json:"typing"`
}

type readFrame struct {
	Action       string `json:"action"`
	ID           string `json:"id,omitempty"`
	Conversation string `json:"conversation"`
	Seq          int64  `json:"seq"`
}

// conversationOnlyFrame is the frame of take, close and unclose.
type conversationOnlyFrame struct {
	Action       string `json:"action"`
	ID           string `json:"id,omitempty"`
	Conversation string `json:"conversation"`
}
