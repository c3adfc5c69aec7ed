package livehelp

import "time"

// Operator roles.
const (
	RoleOperator = "operator"
	RoleAdmin    = "admin"
)

// Operator is a member of a site's team who answers visitors.
type Operator struct {
	ID           string
	Site         string
	Email        string
	Name         string // shown to visitors and replaces %name% in canned messages
	Role         string // operator or admin
	Slots        int    // conversations at once; 0 means the site default
	Groups       []string
	PasswordHash string
	Created      time.Time
}

// SlotsOr returns the operator's slots, or def when unset.
func (o *Operator) SlotsOr(def int) int {
	if o.Slots > 0 {
		return o.Slots
	}
	if def > 0 {
		return def
	}
	return 3
}

// Visitor is a person on a customer site, known by the token in their browser.
type Visitor struct {
	ID           string
	Site         string
	Name         string
	Emails       []string
	Conversation string // the one conversation that continues across visits
	Created      time.Time
	LastSeen     time.Time
}

// Participant roles on a connection.
const (
	ParticipantVisitor  = "visitor"
	ParticipantOperator = "operator"
)

// Connection is one live WebSocket connection of a visitor or an operator.
type Connection struct {
	ID        string
	Site      string
	Role      string // visitor or operator
	Subject   string // visitor id or operator id
	Name      string // operator's name (operators only)
	Slots     int    // operator's slots (operators only)
	Origin    string
	Connected time.Time
}
