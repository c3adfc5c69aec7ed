package livehelp

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Conversation statuses. A conversation is queued until an operator has it,
// assigned while one does, and closed when an operator closes it; a closed
// conversation stays visible to its visitor and reopens when they write.
const (
	StatusQueued   = "queued"
	StatusAssigned = "assigned"
	StatusClosed   = "closed"
)

// Queues a queued conversation waits in. A waiting conversation has its
// visitor on the site while operators are online, and gets the next free
// slot; an offline one (nobody online, or the visitor left) waits for an
// operator to take it or for its visitor to come back.
const (
	QueueWaiting = "waiting"
	QueueOffline = "offline"
)

// Message authors.
const (
	AuthorVisitor  = "visitor"
	AuthorOperator = "operator"
	AuthorSystem   = "system"
)

// System line events: what a system message records.
const (
	EventAssigned = "assigned" // an operator got the conversation (routed or taken)
	EventClosed   = "closed"   // an operator closed it
	EventReopened = "reopened" // the visitor wrote again, or an operator unclosed it
)

// Limits of the chat (DESIGN.md §4); message text is at most
// MaxMessageText bytes and client ids follow ValidClientID.
const (
	MaxNameLen      = 100 // a visitor's display name
	MaxPageSize     = 100 // messages per history page
	DefaultPageSize = 50
)

// Conversation is the one thread between a visitor and the site's operators.
// It continues across visits, online (the visitor has a live connection) or
// offline.
type Conversation struct {
	ID              string
	Site            string
	Visitor         string
	VisitorName     string
	Status          string // queued, assigned or closed
	Queue           string // waiting or offline, when queued
	Operator        string // assigned operator, when assigned
	OperatorName    string
	Seq             int64     // sequence of the last message; messages are numbered from 1
	VisitorRead     int64     // the highest sequence the visitor has read
	LastOperatorSeq int64     // sequence of the last operator message
	MailDue         time.Time // when the pending unread-reply email is due; zero when none
	VisitorConns    []string  // the visitor's live connections joined to it
	Created         time.Time
	Queued          time.Time // when it last entered the queue
	Assigned        time.Time // when it was last assigned
	Updated         time.Time
}

// Online reports whether the visitor is on the site: a live connection of
// theirs is joined to the conversation.
func (c *Conversation) Online() bool { return len(c.VisitorConns) > 0 }

// Phase is the status a visitor sees: assigned, waiting, offline or closed.
func (c *Conversation) Phase() string {
	if c.Status == StatusQueued {
		if c.Queue == QueueWaiting {
			return QueueWaiting
		}
		return QueueOffline
	}
	return c.Status
}

// Unread reports whether operator messages wait for the visitor to read them.
func (c *Conversation) Unread() bool { return c.LastOperatorSeq > c.VisitorRead }

// ConversationID returns the id of a visitor's one conversation on a site.
// It is derived from the visitor so that two tabs starting at once, or the
// offline form and the chat, agree on one conversation without a lookup.
func ConversationID(site, visitor string) string {
	h := sha256.Sum256([]byte("conversation\x00" + site + "\x00" + visitor))
	return hex.EncodeToString(h[:16])
}

// Message is one line of a conversation.
type Message struct {
	Seq          int64
	ClientID     string // the sender's id for the message; retries carry the same one
	Author       string // visitor, operator or system
	Operator     string // operator messages and operator-caused system lines
	OperatorName string
	Text         string
	Event        string // system lines: assigned, closed, reopened
	Time         time.Time
}

// SystemMessage returns the system line for event, caused by the named
// operator ("" when no operator caused it).
func SystemMessage(event, operator, name string) Message {
	m := Message{Author: AuthorSystem, Event: event, Operator: operator, OperatorName: name}
	who := name
	if who == "" {
		who = "An operator"
	}
	switch event {
	case EventAssigned:
		m.Text = who + " joined the conversation."
	case EventClosed:
		m.Text = who + " closed the conversation."
	case EventReopened:
		if name == "" {
			m.Text = "The conversation was reopened."
		} else {
			m.Text = name + " reopened the conversation."
		}
	default:
		m.Text = event
	}
	return m
}

// CleanText validates and normalizes a message text: valid UTF-8, line
// breaks as \n, no control characters but tab and line feed, trimmed, not
// empty and at most MaxMessageText bytes. Errors are EINVALID with a "text" field.
func CleanText(s string) (string, error) {
	bad := func(msg string) error {
		return Invalid("The message is not valid.", map[string]string{"text": msg})
	}
	if !utf8.ValidString(s) {
		return "", bad("The text must be valid UTF-8.")
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	for _, r := range s {
		if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f {
			return "", bad("The text contains control characters.")
		}
	}
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", bad("Write a message.")
	case len(s) > MaxMessageText:
		return "", bad("The message is longer than 4 KB.")
	}
	return s, nil
}

// CleanName trims a visitor's display name and cuts it to MaxNameLen runes;
// control characters become spaces.
func CleanName(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > MaxNameLen {
		s = strings.TrimSpace(string([]rune(s)[:MaxNameLen]))
	}
	return s
}

// Candidates returns the operators who may get a new conversation at now, in
// the order routing tries them: available (online, fresh, a free slot), least
// loaded first, then longest idle, then by id so the order is stable.
func Candidates(presence map[string]Presence, now time.Time) []string {
	var ids []string
	for id, p := range presence {
		if p.Available(now) {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool {
		a, b := presence[ids[i]], presence[ids[j]]
		switch {
		case a.Load != b.Load:
			return a.Load < b.Load
		case !a.IdleSince.Equal(b.IdleSince):
			return a.IdleSince.Before(b.IdleSince)
		default:
			return ids[i] < ids[j]
		}
	})
	return ids
}

// AnyOnline reports whether an operator is online and fresh at now, free
// slot or not.
func AnyOnline(presence map[string]Presence, now time.Time) bool {
	for _, p := range presence {
		if p.Online(now) {
			return true
		}
	}
	return false
}

// Page asks for part of a conversation's history: the messages after After,
// or before Before, or (neither) the last ones; at most Limit of them.
type Page struct {
	After  int64
	Before int64
	Limit  int
}

// Check validates p and fills the default limit. It returns EINVALID when
// both bounds are set, a bound is negative, or the limit is out of range.
func (p Page) Check() (Page, error) {
	switch {
	case p.After < 0 || p.Before < 0:
		return p, Invalid("The page is not valid.", map[string]string{"after": "Use a sequence number of 0 or more."})
	case p.After > 0 && p.Before > 0:
		return p, Invalid("The page is not valid.", map[string]string{"before": "Ask for messages after or before a sequence, not both."})
	case p.Limit < 0 || p.Limit > MaxPageSize:
		return p, Invalid("The page is not valid.", map[string]string{"limit": "Use a limit from 1 to 100."})
	case p.Limit == 0:
		p.Limit = DefaultPageSize
	}
	return p, nil
}
