package livehelp

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Kinds of items on a visitor's Message board.
const (
	BoardMessage = "message" // a visitor's message (the offline form)
	BoardReply   = "reply"   // an operator's reply, sent by email
	BoardNote    = "note"    // an operator's private note (<don't send>), never sent
	BoardChat    = "chat"    // a chat transcript
	BoardCall    = "call"    // a record of a phone call
)

// Board filters, as the Messages / Chat / Calls buttons name them.
const (
	FilterMessages = "messages" // messages, replies and notes
	FilterChat     = "chat"     // chat transcripts
	FilterCalls    = "calls"    // call records
)

// Reply statuses.
const (
	ReplySending = "sending" // stored, not yet handed to SES
	ReplySent    = "sent"    // SES accepted it for every recipient
	ReplyFailed  = "failed"  // SES refused it; the operator may retry
	ReplyUnknown = "unknown" // SES did not answer: it may have been sent, so it is never resent
)

// Limits of what operators and visitors write.
const (
	MaxSubject     = 200      // runes
	MaxReplyText   = 16 << 10 // bytes; a reply may be longer than a chat message
	MaxMessageText = 4 << 10  // bytes; a visitor's message (DESIGN.md §4)
	MaxNote        = 2000     // runes in a call note
	MaxCallLength  = 24 * time.Hour
	MaxSearch      = 100 // runes in a board search
)

// KindsOf returns the board item kinds the given filters select; no filter
// (or all three) selects every kind. Unknown filters are ignored.
func KindsOf(filters []string) []string {
	var kinds []string
	for _, f := range filters {
		switch f {
		case FilterMessages:
			kinds = append(kinds, BoardMessage, BoardReply, BoardNote)
		case FilterChat:
			kinds = append(kinds, BoardChat)
		case FilterCalls:
			kinds = append(kinds, BoardCall)
		}
	}
	if len(kinds) == 0 || len(kinds) == 5 {
		return nil
	}
	return kinds
}

// BoardItem is one entry of a visitor's communication history.
type BoardItem struct {
	ID       string // sortable by time: newer ids sort after older ones
	Site     string
	Visitor  string
	Kind     string // one of the Board* kinds
	Created  time.Time
	Closed   bool
	ClosedBy string // operator id
	ClosedAt time.Time

	// Messages, replies and notes.
	Name         string   // the visitor's name as they gave it (messages)
	Email        string   // the visitor's address (messages)
	Subject      string   // messages and replies
	Text         string   // the body; a call's note
	ClientID     string   // the sender's idempotency key
	Conversation string   // the conversation the item belongs to, if any
	Operator     string   // author of a reply, note or call record
	OperatorName string   // the author's name when it was written
	To           []string // reply recipients
	Status       string   // replies: sending, sent or failed

	// Chat transcripts.
	Lines     []TranscriptLine
	LastSeq   int64 // sequence of the last line kept
	Truncated bool  // the transcript was too long to keep whole

	// Call records.
	Call *Call
}

// TranscriptLine is one message of a chat transcript.
type TranscriptLine struct {
	Seq    int64
	Author string // visitor, operator or system
	Name   string // who wrote it, as shown
	Text   string
	At     time.Time
}

// Call is what a call record holds beyond a board item's common fields.
type Call struct {
	At        time.Time     // when the call started
	Duration  time.Duration // how long it lasted
	Direction string        // inbound or outbound
	Phone     string        // the other party's number, if known
	Source    string        // "console" or "integration:<key name>"
}

// Call directions.
const (
	CallInbound  = "inbound"
	CallOutbound = "outbound"
)

// Unanswered reports whether the item is a visitor's message nobody closed.
func (b *BoardItem) Unanswered() bool { return b.Kind == BoardMessage && !b.Closed }

// SearchText returns the lower-cased, space-collapsed text a board search
// matches against: every part joined by single spaces.
func SearchText(parts ...string) string {
	var sb strings.Builder
	for _, p := range parts {
		for _, f := range strings.FieldsFunc(strings.ToLower(p), unicode.IsSpace) {
			if sb.Len() > 0 {
				sb.WriteByte(' ')
			}
			sb.WriteString(f)
		}
	}
	return sb.String()
}

// NormalizeSearch validates a search word or phrase and returns it in the
// form SearchText stores ("" for an empty search).
func NormalizeSearch(q string) (string, error) {
	q = SearchText(q)
	if utf8.RuneCountInString(q) > MaxSearch {
		return "", Invalid("The search is too long.", map[string]string{"q": "Search for at most 100 characters."})
	}
	return q, nil
}

// Reply destinations besides one address.
const (
	ToAll  = "all"  // <all emails>
	ToNone = "none" // <don't send>: a private note
)

// Reply is an operator's answer composed on the Message board.
type Reply struct {
	To       string // ToAll, ToNone or one of the visitor's addresses
	Subject  string
	Text     string
	ClientID string
}

// Validate checks a reply's fields and returns per-field messages.
func (r *Reply) Validate() error {
	fields := map[string]string{}
	if r.To == "" {
		fields["to"] = "Choose where to send the reply."
	}
	if r.To != ToNone && strings.TrimSpace(r.Subject) == "" {
		fields["subject"] = "Enter a subject."
	}
	if utf8.RuneCountInString(r.Subject) > MaxSubject {
		fields["subject"] = "Use at most 200 characters."
	}
	switch {
	case strings.TrimSpace(r.Text) == "":
		fields["text"] = "Enter the message."
	case len(r.Text) > MaxReplyText:
		fields["text"] = "The message is longer than 16 KB."
	case !utf8.ValidString(r.Text) || !utf8.ValidString(r.Subject):
		fields["text"] = "The message is not valid text."
	}
	if err := validClientID(r.ClientID); err != "" {
		fields["client_id"] = err
	}
	if len(fields) > 0 {
		return Invalid("Check the reply.", fields)
	}
	return nil
}

// Validate checks a call record's fields against now.
func (c *Call) Validate(note string, now time.Time) error {
	fields := map[string]string{}
	switch {
	case c.At.IsZero():
		fields["at"] = "Enter when the call started."
	case c.At.After(now.Add(5 * time.Minute)):
		fields["at"] = "The call cannot start in the future."
	case c.At.Before(now.AddDate(-5, 0, 0)):
		fields["at"] = "The call is more than five years old."
	}
	if c.Duration < 0 || c.Duration > MaxCallLength {
		fields["duration"] = "Enter a duration between 0 seconds and 24 hours."
	}
	if c.Direction != CallInbound && c.Direction != CallOutbound {
		fields["direction"] = "Choose inbound or outbound."
	}
	if len(c.Phone) > 40 || strings.ContainsFunc(c.Phone, func(r rune) bool { return !strings.ContainsRune("0123456789+-() .#*", r) }) {
		fields["phone"] = "Use digits, spaces and + - ( ) only, at most 40."
	}
	if utf8.RuneCountInString(note) > MaxNote || !utf8.ValidString(note) {
		fields["note"] = "Use at most 2000 characters."
	}
	if len(fields) > 0 {
		return Invalid("Check the call record.", fields)
	}
	return nil
}

// validClientID returns a message when id is not a usable idempotency key.
func validClientID(id string) string {
	if id == "" || len(id) > 64 || strings.ContainsFunc(id, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_')
	}) {
		return "Use 1 to 64 letters, digits, dashes or underscores."
	}
	return ""
}

// ValidClientID reports whether id is usable as an idempotency key.
func ValidClientID(id string) bool { return validClientID(id) == "" }

// Profile is a visitor as the console shows them: every name and email
// address they gave.
type Profile struct {
	Visitor
	Names []string // every name given, oldest first is not guaranteed
}

// Group is a named set of a site's operators (transfers can target one).
type Group struct {
	ID      string
	Site    string
	Name    string
	Members []string // operator ids
	Created time.Time
}

// Validate checks a group's name.
func (g *Group) Validate() error {
	if msg := titleProblem(g.Name); msg != "" {
		return Invalid("Check the group.", map[string]string{"name": msg})
	}
	return nil
}

// APIKey lets a phone integration post call records for one site. Only a
// hash of its secret is kept; the secret is shown once, when it is made.
type APIKey struct {
	ID      string
	Site    string
	Name    string
	Created time.Time
}
