package livehelp

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Proactive chat modes of a site (DESIGN.md §2): off by default; invite,
// where operators invite visitors they see on the site; auto (proactive
// chat without invite), where the first available operator is alerted once
// a visitor has been on the site for a number of seconds.
const (
	ProactiveOff    = "off"
	ProactiveInvite = "invite"
	ProactiveAuto   = "auto"
)

// Limits of proactive chat.
const (
	// InvitationTTL is how long an invitation can be answered.
	InvitationTTL = 2 * time.Minute
	// VisitFresh is how long a visitor counts as on the site after their
	// last report (the widget reports every 30 s).
	VisitFresh = 75 * time.Second
	// VisitListed is how long a visitor stays listed (as gone) after it.
	VisitListed = 10 * time.Minute
	// MaxFormFields bounds the data collection form.
	MaxFormFields = 10
)

// Form field types of the data collection form.
var formTypes = map[string]int{"text": 200, "email": 200, "tel": 40, "textarea": 1000}

// FormField is one field of the data collection form shown to a visitor who
// accepts an invitation.
type FormField struct {
	Label    string `json:"label"`
	Type     string `json:"type"` // text, email, tel or textarea
	Required bool   `json:"required"`
}

// Proactive holds a site's proactive-chat settings.
type Proactive struct {
	Mode   string      // off, invite or auto
	After  int         // auto: seconds on the site before operators are alerted (1–3600)
	Fields []FormField // invite: the data collection form
}

// Check validates settings and returns them cleaned (an empty mode is
// off), or EINVALID with one message per bad field, keyed like
// "proactive.fields.2.label".
func (p Proactive) Check() (Proactive, error) {
	fields := map[string]string{}
	if p.Mode == "" {
		p.Mode = ProactiveOff
	}
	switch p.Mode {
	case ProactiveOff, ProactiveInvite, ProactiveAuto:
	default:
		fields["proactive.mode"] = "Use off, invite or auto."
	}
	if p.After < 0 || p.After > 3600 || (p.Mode == ProactiveAuto && p.After == 0) {
		fields["proactive.seconds"] = "Use 1 to 3600 seconds."
	}
	if len(p.Fields) > MaxFormFields {
		fields["proactive.fields"] = "Use at most " + strconv.Itoa(MaxFormFields) + " fields."
	}
	out := p
	out.Fields = make([]FormField, 0, len(p.Fields))
	for i, f := range p.Fields {
		k := "proactive.fields." + strconv.Itoa(i)
		f.Label = strings.TrimSpace(f.Label)
		if f.Label == "" || !utf8.ValidString(f.Label) || utf8.RuneCountInString(f.Label) > 60 ||
			strings.ContainsFunc(f.Label, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			fields[k+".label"] = "Enter a label of at most 60 characters on one line."
		}
		if _, ok := formTypes[f.Type]; !ok {
			fields[k+".type"] = "Use text, email, tel or textarea."
		}
		out.Fields = append(out.Fields, f)
	}
	if len(fields) > 0 {
		return p, Invalid("Check the proactive chat settings.", fields)
	}
	return out, nil
}

var emailPattern = regexp.MustCompile(`^[^\s@]+@[^\s@]+\.[^\s@]+$`)

// CheckAnswers validates a visitor's answers to the data collection form,
// one per field in order: required fields must be filled, emails look like
// emails, lengths are bounded by type. It returns the trimmed answers or
// EINVALID with messages keyed "values.<i>".
func CheckAnswers(form []FormField, values []string) ([]string, error) {
	fields := map[string]string{}
	out := make([]string, len(form))
	if len(values) > len(form) {
		fields["values"] = "There are more answers than fields."
	}
	for i, f := range form {
		k := "values." + strconv.Itoa(i)
		v := ""
		if i < len(values) {
			v = strings.TrimSpace(values[i])
		}
		out[i] = v
		switch {
		case v == "" && f.Required:
			fields[k] = "Please fill in this field."
		case v == "":
		case !utf8.ValidString(v) || utf8.RuneCountInString(v) > formTypes[f.Type] ||
			strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 && (f.Type != "textarea" || r != '\n') || r == 0x7f }):
			fields[k] = "Use at most " + strconv.Itoa(formTypes[f.Type]) + " characters of plain text."
		case f.Type == "email" && !emailPattern.MatchString(v):
			fields[k] = "Please enter a valid email address."
		}
	}
	if len(fields) > 0 {
		return nil, Invalid("Please fill in the required fields (marked *).", fields)
	}
	return out, nil
}

// Visit is what the widget last reported of a visitor on a site.
type Visit struct {
	Site       string
	Visitor    string
	Page       string    // path of the current page
	Title      string    // its title
	Since      time.Time // arrival on the site
	Seen       time.Time // last report
	Gone       bool      // their last connection closed
	Chatted    bool      // they have a conversation with the site
	Alerted    bool      // auto mode: an operator was alerted of them
	Invitation *Invitation
}

// OnSite reports whether the visitor is on the site at now.
func (v *Visit) OnSite(now time.Time) bool { return !v.Gone && now.Sub(v.Seen) < VisitFresh }

// Invitation states.
const (
	InvitePending  = "pending"
	InviteAccepted = "accepted"
	InviteRefused  = "refused"
	InviteExpired  = "expired"
)

// Invitation is an operator's invitation of a visitor to chat.
type Invitation struct {
	ID           string
	Operator     string
	OperatorName string
	Status       string
	Expires      time.Time
}

// State returns the invitation's status at now: a pending one past its
// expiry is expired.
func (i *Invitation) State(now time.Time) string {
	if i.Status == InvitePending && !now.Before(i.Expires) {
		return InviteExpired
	}
	return i.Status
}
