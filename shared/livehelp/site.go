package livehelp

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Button states the status endpoint reports.
const (
	StateOnline  = "online"  // an operator is online with a free slot
	StateBusy    = "busy"    // operators online, every slot full
	StateOffline = "offline" // nobody online
)

// Operator presence states chosen in the console.
const (
	PresenceOnline  = "online"
	PresenceAway    = "away"
	PresenceOffline = "offline"
)

// Labels are the button texts of one language.
type Labels struct {
	Online  string `json:"online"`
	Busy    string `json:"busy"`
	Offline string `json:"offline"`
}

// For returns the label of a button state.
func (l Labels) For(state string) string {
	switch state {
	case StateOnline:
		return l.Online
	case StateBusy:
		return l.Busy
	default:
		return l.Offline
	}
}

// DefaultLabels are the built-in labels by language.
var DefaultLabels = map[string]Labels{
	"en": {Online: "Click for Live Help", Busy: "Click for Live Help", Offline: "Leave a message"},
	"fr": {Online: "Cliquez pour une aide en direct", Busy: "Cliquez pour une aide en direct", Offline: "Laisser un message"},
	"ru": {Online: "Нажмите для помощи онлайн", Busy: "Нажмите для помощи онлайн", Offline: "Оставить сообщение"},
}

// Site is one website (and its operator team) served by this deployment.
type Site struct {
	ID             string
	Name           string
	URL            string            // the site's page that embeds the widget; resume links open it
	AllowedOrigins []string          // origins allowed to embed the widget and connect
	DefaultLang    string            // language used when the visitor's is not configured
	Labels         map[string]Labels // per language; DefaultLabels fill the gaps
	AutoReply      string            // shown to a visitor after an offline message
	SpamProtection bool              // CAPTCHA on the offline form
	Slots          int               // default conversations per operator at once
	Presence       map[string]Presence
	Updated        time.Time
	Proactive      string // proactive chat mode (ProactiveOff when empty), copied here for the button status
	ProactiveAfter int    // auto mode: seconds on the site before operators are alerted
}

// Presence is one operator's availability as kept in the site's summary.
type Presence struct {
	Name      string    `json:"name"`
	State     string    `json:"state"`      // online, away or offline
	SeenUntil time.Time `json:"seen_until"` // counts as present until then
	Load      int       `json:"load"`       // conversations assigned now
	Slots     int       `json:"slots"`      // conversations allowed at once
	IdleSince time.Time `json:"idle_since"` // last time a conversation was assigned or freed
}

// Available reports whether p is online, fresh at now, and has a free slot.
func (p Presence) Available(now time.Time) bool {
	return p.Online(now) && p.Load < p.Slots
}

// Online reports whether p is online and fresh at now. Freshness is checked
// here on every read: stale entries are never trusted, whatever TTL deletion does.
func (p Presence) Online(now time.Time) bool {
	return p.State == PresenceOnline && now.Before(p.SeenUntil)
}

// State returns the button state of the site at now.
func (s *Site) State(now time.Time) string {
	state := StateOffline
	for _, p := range s.Presence {
		if p.Available(now) {
			return StateOnline
		}
		if p.Online(now) {
			state = StateBusy
		}
	}
	return state
}

// LabelsFor returns the labels for the first language in langs that the site
// or the defaults know, falling back to the site's default language, then English.
func (s *Site) LabelsFor(langs ...string) Labels {
	for _, l := range append(langs, s.DefaultLang, "en") {
		l = strings.ToLower(strings.TrimSpace(l))
		if base, _, ok := strings.Cut(l, "-"); ok {
			l = base
		}
		if lb, ok := s.Labels[l]; ok {
			return lb.withDefaults(DefaultLabels[l])
		}
		if lb, ok := DefaultLabels[l]; ok {
			return lb
		}
	}
	return DefaultLabels["en"]
}

func (l Labels) withDefaults(d Labels) Labels {
	if l.Online == "" {
		l.Online = d.Online
	}
	if l.Busy == "" {
		l.Busy = d.Busy
	}
	if l.Offline == "" {
		l.Offline = d.Offline
	}
	return l
}

var siteIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// ValidSiteID reports whether id is a well-formed site id: 1–63 lower-case
// letters, digits and dashes, not starting with a dash.
func ValidSiteID(id string) bool { return siteIDPattern.MatchString(id) }

// ParseLanguages returns the language tags of an Accept-Language header in
// order of preference (q-values respected, at most 8).
func ParseLanguages(header string) []string {
	type tag struct {
		lang string
		q    float64
	}
	var tags []tag
	for _, part := range strings.Split(header, ",") {
		lang, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if lang == "" || lang == "*" || len(lang) > 35 {
			continue
		}
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f < 0 || f > 1 {
				continue
			}
			q = f
		}
		if q > 0 {
			tags = append(tags, tag{lang, q})
		}
		if len(tags) == 8 {
			break
		}
	}
	// stable insertion sort by q descending
	for i := 1; i < len(tags); i++ {
		for j := i; j > 0 && tags[j].q > tags[j-1].q; j-- {
			tags[j], tags[j-1] = tags[j-1], tags[j]
		}
	}
	out := make([]string, len(tags))
	for i, t := range tags {
		out[i] = t.lang
	}
	return out
}
