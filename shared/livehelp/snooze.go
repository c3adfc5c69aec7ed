package livehelp

import (
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// StatusSnoozed is a conversation an operator parked until a time: nobody
// has it (its slot is free), the queue does not offer it, and it wakes when
// the visitor writes, when the snooze ends, or when an operator ends it.
const StatusSnoozed = "snoozed"

// System line events of snoozes and transfers.
const (
	EventSnoozed     = "snoozed"     // an operator snoozed it
	EventWoke        = "woke"        // the snooze ended (see the Wake reasons)
	EventTransferred = "transferred" // an operator handed it to another operator or a group
	EventReassigned  = "reassigned"  // the receiver of a transfer did not handle it in time
)

// Why a snoozed conversation wakes.
const (
	WakeReply  = "reply"  // the visitor wrote
	WakeEnd    = "end"    // the snooze time came
	WakeManual = "manual" // an operator ended the snooze by hand
)

// Snooze choices: the presets of the console, or a date and time.
const (
	Snooze3Hours = "3h"
	Snooze1Day   = "1d"
)

// Bounds of a snooze and of a transfer comment.
const (
	MinSnooze        = time.Minute
	MaxSnooze        = 365 * 24 * time.Hour
	MaxCommentLength = 1000 // bytes
)

// Snooze is what a snoozed conversation keeps: when it wakes, whether the
// operator who snoozed it keeps it (Keep), and who did it when.
type Snooze struct {
	Until  time.Time
	Keep   bool
	By     string // the operator who snoozed it (the keeper when Keep)
	ByName string
	At     time.Time
}

// Transfer is a hand-over the receiver has not handled yet: it is
// reassigned at Deadline unless they accept it or reply before.
type Transfer struct {
	From      string // the operator who handed it over
	FromName  string
	To        string // the receiver (the conversation's operator)
	ToName    string
	Group     string // the group it was sent to, if any
	GroupName string
	Comment   string // for the receiver; never shown to the visitor
	At        time.Time
	Deadline  time.Time
	Seq       int64 // the transfer's system line
}

// SnoozeChoice is an operator's choice of wake-up time: For is a preset
// (Snooze3Hours, Snooze1Day), or Until a local date and time
// ("2006-01-02T15:04", as a datetime-local input gives it) in Zone, an
// IANA time zone name ("" for UTC).
type SnoozeChoice struct {
	For   string
	Until string
	Zone  string
}

// Resolve returns the wake-up time in UTC and the operator's zone. It
// returns EINVALID (fields for, until, zone) for an unknown preset or zone,
// a malformed date, or a time less than MinSnooze or more than MaxSnooze
// after now.
func (ch SnoozeChoice) Resolve(now time.Time) (time.Time, *time.Location, error) {
	bad := func(field, msg string) error {
		return Invalid("Choose when the snooze ends.", map[string]string{field: msg})
	}
	loc := time.UTC
	if ch.Zone != "" && ch.Zone != "UTC" {
		l, err := time.LoadLocation(ch.Zone)
		if err != nil || ch.Zone == "Local" || len(ch.Zone) > 64 {
			return time.Time{}, nil, bad("zone", "Use an IANA time zone such as Europe/Paris.")
		}
		loc = l
	}
	var until time.Time
	switch {
	case ch.For != "" && ch.Until != "":
		return time.Time{}, nil, bad("until", "Choose a preset or a date, not both.")
	case ch.For == Snooze3Hours:
		until = now.Add(3 * time.Hour)
	case ch.For == Snooze1Day:
		until = now.In(loc).AddDate(0, 0, 1) // the same local time tomorrow
	case ch.For != "":
		return time.Time{}, nil, bad("for", "Use 3h or 1d, or give a date and time.")
	case ch.Until == "":
		return time.Time{}, nil, bad("until", "Choose 3 hours, 1 day or a date and time.")
	default:
		var err error
		if until, err = time.ParseInLocation("2006-01-02T15:04", ch.Until, loc); err != nil {
			if until, err = time.ParseInLocation("2006-01-02T15:04:05", ch.Until, loc); err != nil {
				return time.Time{}, nil, bad("until", "Use a date and time like 2026-11-23T09:00.")
			}
		}
	}
	switch d := until.Sub(now); {
	case d < MinSnooze:
		return time.Time{}, nil, bad("until", "Choose a time in the future.")
	case d > MaxSnooze:
		return time.Time{}, nil, bad("until", "A snooze lasts at most a year.")
	}
	return until.UTC().Truncate(time.Millisecond), loc, nil
}

// CleanComment validates a transfer comment: valid UTF-8, no control
// characters but tab and line feed, at most MaxCommentLength bytes; it may
// be empty. Errors are EINVALID with a "comment" field.
func CleanComment(s string) (string, error) {
	bad := func(msg string) error { return Invalid("The comment is not valid.", map[string]string{"comment": msg}) }
	if !utf8.ValidString(s) {
		return "", bad("The comment must be valid UTF-8.")
	}
	s = strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n"))
	for _, r := range s {
		if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f {
			return "", bad("The comment contains control characters.")
		}
	}
	if len(s) > MaxCommentLength {
		return "", bad("The comment is longer than 1000 bytes.")
	}
	return s, nil
}

// Unavailable says why p cannot get a conversation at now: "away",
// "offline" (or stale), "busy" (no free slot), or "" when it can.
func (p Presence) Unavailable(now time.Time) string {
	switch {
	case p.State == PresenceAway && now.Before(p.SeenUntil):
		return PresenceAway
	case !p.Online(now):
		return PresenceOffline
	case p.Load >= p.Slots:
		return "busy"
	}
	return ""
}

// WakeOrder returns the operators a waking conversation is offered to, in
// order: its keeper first when keep is set and the keeper is available,
// then the available operators as Candidates orders them.
func WakeOrder(presence map[string]Presence, keeper string, keep bool, now time.Time) []string {
	cands := Candidates(presence, now)
	if !keep || keeper == "" || !presence[keeper].Available(now) {
		return cands
	}
	out := []string{keeper}
	for _, id := range cands {
		if id != keeper {
			out = append(out, id)
		}
	}
	return out
}

// TransferOrder ranks the members of a group (but exclude) for a transfer:
// first the available ones as Candidates orders them, then, for a transfer
// anyway, the others: those with a presence entry least loaded first, then
// the rest, by id. available is how many lead the list.
func TransferOrder(presence map[string]Presence, members []string, exclude string, now time.Time) (order []string, available int) {
	in := map[string]bool{}
	for _, m := range members {
		if m != exclude {
			in[m] = true
		}
	}
	for _, id := range Candidates(presence, now) {
		if in[id] {
			order = append(order, id)
			delete(in, id)
		}
	}
	available = len(order)
	rest := make([]string, 0, len(in))
	for id := range in {
		rest = append(rest, id)
	}
	sort.Slice(rest, func(i, j int) bool {
		a, aok := presence[rest[i]]
		b, bok := presence[rest[j]]
		switch {
		case aok != bok:
			return aok
		case aok && a.Load != b.Load:
			return a.Load < b.Load
		default:
			return rest[i] < rest[j]
		}
	})
	return append(order, rest...), available
}

// SnoozeMessage is the line of an operator snoozing a conversation until a
// time, shown in the operator's zone (and in UTC when that differs).
func SnoozeMessage(op, name string, until time.Time, zone *time.Location, keep bool) Message {
	m := Message{Author: AuthorSystem, Event: EventSnoozed, Operator: op, OperatorName: name}
	m.Text = who(name) + " snoozed this conversation until " + FormatUntil(until, zone) + "."
	if keep {
		m.Text += " " + who(name) + " keeps it."
	}
	return m
}

// FormatUntil writes a time for a system line: "Mon 23 Nov 2026 09:00
// Europe/Paris (08:00 UTC)", or "… 08:00 UTC" for UTC.
func FormatUntil(t time.Time, zone *time.Location) string {
	if zone == nil {
		zone = time.UTC
	}
	local, utc := t.In(zone), t.UTC()
	s := local.Format("Mon 2 Jan 2006 15:04") + " " + zone.String()
	if zone.String() == "UTC" {
		return s
	}
	if local.Format("20060102") == utc.Format("20060102") {
		return s + " (" + utc.Format("15:04") + " UTC)"
	}
	return s + " (" + utc.Format("Mon 2 Jan 15:04") + " UTC)"
}

// WokeMessage is the line of a snooze ending for reason; name is the
// operator who ended it by hand.
func WokeMessage(reason, op, name string) Message {
	m := Message{Author: AuthorSystem, Event: EventWoke}
	switch reason {
	case WakeReply:
		m.Text = "The visitor replied, which ended the snooze."
	case WakeManual:
		m.Operator, m.OperatorName = op, name
		m.Text = who(name) + " ended the snooze."
	default:
		m.Text = "The snooze ended."
	}
	return m
}

// TransferMessage is the line of operator from handing the conversation to
// to, directly or through a group (groupName set).
func TransferMessage(from, fromName, toName, groupName string) Message {
	m := Message{Author: AuthorSystem, Event: EventTransferred, Operator: from, OperatorName: fromName}
	if groupName != "" {
		m.Text = fmt.Sprintf("%s transferred this conversation to the group %s; %s has it now.", who(fromName), groupName, who(toName))
	} else {
		m.Text = fmt.Sprintf("%s transferred this conversation to %s.", who(fromName), who(toName))
	}
	return m
}

// ReassignMessage is the line of a transfer the receiver (prevName) did not
// handle within after: it went to to (named toName), or back to the queue
// when to is "".
func ReassignMessage(prevName, to, toName string, after time.Duration) Message {
	m := Message{Author: AuthorSystem, Event: EventReassigned, Operator: to, OperatorName: toName}
	m.Text = fmt.Sprintf("%s did not handle this conversation within %s; ", who(prevName), HumanDuration(after))
	if to == "" {
		m.Text += "it went back to the queue."
	} else {
		m.Text += "it was reassigned to " + who(toName) + "."
	}
	return m
}

// HumanDuration writes a delay for people: "24 hours", "90 minutes",
// "2 seconds".
func HumanDuration(d time.Duration) string {
	n, unit := int64(d/time.Second), "second"
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		n, unit = int64(d/time.Hour), "hour"
	case d >= time.Minute && d%time.Minute == 0:
		n, unit = int64(d/time.Minute), "minute"
	}
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

func who(name string) string {
	if name == "" {
		return "An operator"
	}
	return name
}
