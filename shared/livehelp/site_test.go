package livehelp

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestSiteState(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	fresh, stale := now.Add(30*time.Second), now.Add(-time.Second)
	tests := []struct {
		name     string
		presence map[string]Presence
		want     string
	}{
		{"nobody", nil, StateOffline},
		{"online with a free slot", map[string]Presence{"a": {State: PresenceOnline, SeenUntil: fresh, Load: 2, Slots: 3}}, StateOnline},
		{"online but full", map[string]Presence{"a": {State: PresenceOnline, SeenUntil: fresh, Load: 3, Slots: 3}}, StateBusy},
		{"one full one free", map[string]Presence{
			"a": {State: PresenceOnline, SeenUntil: fresh, Load: 3, Slots: 3},
			"b": {State: PresenceOnline, SeenUntil: fresh, Load: 0, Slots: 1}}, StateOnline},
		{"stale operator does not count", map[string]Presence{"a": {State: PresenceOnline, SeenUntil: stale, Slots: 3}}, StateOffline},
		{"away does not count", map[string]Presence{"a": {State: PresenceAway, SeenUntil: fresh, Slots: 3}}, StateOffline},
		{"expiry is exclusive", map[string]Presence{"a": {State: PresenceOnline, SeenUntil: now, Slots: 3}}, StateOffline},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Site{Presence: tt.presence}
			if got := s.State(now); got != tt.want {
				t.Errorf("State = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLabelsFor(t *testing.T) {
	s := &Site{DefaultLang: "fr", Labels: map[string]Labels{"en": {Offline: "Write to us"}}}
	tests := []struct {
		langs []string
		want  Labels
	}{
		{[]string{"en-GB"}, Labels{Online: "Click for Live Help", Busy: "Click for Live Help", Offline: "Write to us"}},
		{[]string{"ru"}, DefaultLabels["ru"]},
		{[]string{"de", "ru"}, DefaultLabels["ru"]},
		{[]string{"de"}, DefaultLabels["fr"]},
		{nil, DefaultLabels["fr"]},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, s.LabelsFor(tt.langs...)); diff != "" {
			t.Errorf("LabelsFor(%v) (-want +got):\n%s", tt.langs, diff)
		}
	}
}

func TestParseLanguages(t *testing.T) {
	tests := []struct {
		header string
		want   []string
	}{
		{"", []string{}},
		{"fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5", []string{"fr-CH", "fr", "en", "de"}},
		{"en;q=0.1, ru", []string{"ru", "en"}},
		{"en;q=0, fr;q=bogus, de;q=2", []string{}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, ParseLanguages(tt.header)); diff != "" {
			t.Errorf("ParseLanguages(%q) (-want +got):\n%s", tt.header, diff)
		}
	}
}

func TestValidSiteID(t *testing.T) {
	for id, want := range map[string]bool{"demo": true, "a-1": true, "": false, "-a": false, "A": false, "a/b": false, "a.b": false} {
		if got := ValidSiteID(id); got != want {
			t.Errorf("ValidSiteID(%q) = %v", id, got)
		}
	}
}
