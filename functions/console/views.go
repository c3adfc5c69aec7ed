package main

import (
	"time"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// The JSON shapes the console API answers with. Domain types carry no
// JSON tags; these views decide what a browser sees (never a password
// hash, never another site's data).

type operatorView struct {
	ID     string   `json:"id"`
	Site   string   `json:"site"`
	Email  string   `json:"email"`
	Name   string   `json:"name"`
	Role   string   `json:"role"`
	Slots  int      `json:"slots"`
	Groups []string `json:"groups"`
}

// viewOperator shows an operator; groups, when given, are the ids of the
// groups they belong to.
func viewOperator(o *livehelp.Operator, groups []string) operatorView {
	if groups == nil {
		groups = []string{}
	}
	return operatorView{ID: o.ID, Site: o.Site, Email: o.Email, Name: o.Name, Role: o.Role, Slots: o.Slots, Groups: groups}
}

type lineView struct {
	Seq    int64     `json:"seq"`
	Author string    `json:"author"`
	Name   string    `json:"name,omitempty"`
	Text   string    `json:"text"`
	At     time.Time `json:"at"`
}

type callView struct {
	At        time.Time `json:"at"`
	Duration  int64     `json:"duration"` // seconds
	Direction string    `json:"direction"`
	Phone     string    `json:"phone,omitempty"`
	Source    string    `json:"source"`
}

type boardView struct {
	ID           string     `json:"id"`
	Visitor      string     `json:"visitor"`
	Kind         string     `json:"kind"`
	Created      time.Time  `json:"created"`
	Closed       bool       `json:"closed"`
	ClosedBy     string     `json:"closed_by,omitempty"`
	ClosedAt     *time.Time `json:"closed_at,omitempty"`
	Name         string     `json:"name,omitempty"`
	Email        string     `json:"email,omitempty"`
	Subject      string     `json:"subject,omitempty"`
	Text         string     `json:"text,omitempty"`
	Conversation string     `json:"conversation,omitempty"`
	Operator     string     `json:"operator,omitempty"`
	OperatorName string     `json:"operator_name,omitempty"`
	To           []string   `json:"to,omitempty"`
	Status       string     `json:"status,omitempty"`
	Lines        []lineView `json:"lines,omitempty"`
	Truncated    bool       `json:"truncated,omitempty"`
	Call         *callView  `json:"call,omitempty"`
	Online       *bool      `json:"online,omitempty"` // the visitor is on the site now (queue views)
}

func viewBoardItem(b *livehelp.BoardItem) boardView {
	v := boardView{ID: b.ID, Visitor: b.Visitor, Kind: b.Kind, Created: b.Created, Closed: b.Closed, ClosedBy: b.ClosedBy,
		Name: b.Name, Email: b.Email, Subject: b.Subject, Text: b.Text, Conversation: b.Conversation, Operator: b.Operator,
		OperatorName: b.OperatorName, To: b.To, Status: b.Status, Truncated: b.Truncated}
	if !b.ClosedAt.IsZero() {
		at := b.ClosedAt
		v.ClosedAt = &at
	}
	for _, l := range b.Lines {
		v.Lines = append(v.Lines, lineView{Seq: l.Seq, Author: l.Author, Name: l.Name, Text: l.Text, At: l.At})
	}
	if c := b.Call; c != nil {
		v.Call = &callView{At: c.At, Duration: int64(c.Duration / time.Second), Direction: c.Direction, Phone: c.Phone, Source: c.Source}
	}
	return v
}

func viewBoardItems(items []*livehelp.BoardItem, online map[string]bool) []boardView {
	out := make([]boardView, 0, len(items))
	for _, b := range items {
		v := viewBoardItem(b)
		if online != nil {
			on := online[b.Visitor]
			v.Online = &on
		}
		out = append(out, v)
	}
	return out
}

type conversationView struct {
	ID           string    `json:"id"`
	Visitor      string    `json:"visitor"`
	VisitorName  string    `json:"visitor_name"`
	Status       string    `json:"status"`
	Phase        string    `json:"phase"` // assigned, waiting, offline or closed
	Operator     string    `json:"operator,omitempty"`
	OperatorName string    `json:"operator_name,omitempty"`
	Online       bool      `json:"online"` // the visitor is on the site now
	Seq          int64     `json:"seq"`
	VisitorRead  int64     `json:"visitor_read"`
	Created      time.Time `json:"created"`
	Queued       time.Time `json:"queued"`
	Updated      time.Time `json:"updated"`
}

func viewConversation(c *livehelp.Conversation) conversationView {
	return conversationView{ID: c.ID, Visitor: c.Visitor, VisitorName: c.VisitorName, Status: c.Status, Phase: c.Phase(),
		Operator: c.Operator, OperatorName: c.OperatorName, Online: c.Online(), Seq: c.Seq, VisitorRead: c.VisitorRead,
		Created: c.Created, Queued: c.Queued, Updated: c.Updated}
}

func viewConversations(cs []*livehelp.Conversation) []conversationView {
	out := make([]conversationView, 0, len(cs))
	for _, c := range cs {
		out = append(out, viewConversation(c))
	}
	return out
}

type profileView struct {
	ID           string            `json:"id"`
	Name         string            `json:"name"`
	Names        []string          `json:"names"`
	Emails       []string          `json:"emails"`
	Online       bool              `json:"online"`
	Created      time.Time         `json:"created"`
	LastSeen     time.Time         `json:"last_seen"`
	Conversation *conversationView `json:"conversation,omitempty"`
}

type cannedView struct {
	ID       string       `json:"id"`
	Parent   string       `json:"parent"`
	Folder   bool         `json:"folder"`
	Title    string       `json:"title"`
	Body     string       `json:"body,omitempty"`
	Children []cannedView `json:"children,omitempty"`
}

func viewCanned(es []*livehelp.CannedEntry) []cannedView {
	out := make([]cannedView, 0, len(es))
	for _, e := range es {
		out = append(out, cannedView{ID: e.ID, Parent: e.Parent, Folder: e.Folder, Title: e.Title, Body: e.Body, Children: viewCanned(e.Children)})
	}
	return out
}

func viewCannedNode(n *livehelp.CannedNode) cannedView {
	return cannedView{ID: n.ID, Parent: n.Parent, Folder: n.Folder, Title: n.Title, Body: n.Body}
}

type groupView struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Members []string `json:"members"`
}

func viewGroup(g *livehelp.Group) groupView {
	return groupView{ID: g.ID, Name: g.Name, Members: g.Members}
}

type apiKeyView struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
	Key     string    `json:"key,omitempty"` // only when just made
}
