package livehelp_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/livehelp/livehelp/shared/livehelp"
)

func TestSnoozeChoiceResolve(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 28, 10, 0, 0, 0, time.UTC) // the day before Europe/Paris moves to summer time
	tests := []struct {
		name  string
		ch    livehelp.SnoozeChoice
		want  time.Time
		field string // when invalid
	}{
		{"3 hours", livehelp.SnoozeChoice{For: "3h"}, now.Add(3 * time.Hour), ""},
		{"1 day, same local time across the clock change", livehelp.SnoozeChoice{For: "1d", Zone: "Europe/Paris"}, now.Add(23 * time.Hour), ""},
		{"1 day in UTC", livehelp.SnoozeChoice{For: "1d"}, now.Add(24 * time.Hour), ""},
		{"a date in the operator's zone", livehelp.SnoozeChoice{Until: "2026-03-30T09:00", Zone: "America/New_York"},
			time.Date(2026, 3, 30, 13, 0, 0, 0, time.UTC), ""},
		{"with seconds", livehelp.SnoozeChoice{Until: "2026-03-30T09:00:30", Zone: "UTC"}, time.Date(2026, 3, 30, 9, 0, 30, 0, time.UTC), ""},
		{"unknown preset", livehelp.SnoozeChoice{For: "1w"}, time.Time{}, "for"},
		{"both", livehelp.SnoozeChoice{For: "3h", Until: "2026-03-30T09:00"}, time.Time{}, "until"},
		{"neither", livehelp.SnoozeChoice{}, time.Time{}, "until"},
		{"unknown zone", livehelp.SnoozeChoice{For: "3h", Zone: "Europe/Atlantis"}, time.Time{}, "zone"},
		{"the server's zone", livehelp.SnoozeChoice{For: "3h", Zone: "Local"}, time.Time{}, "zone"},
		{"a path for a zone", livehelp.SnoozeChoice{For: "3h", Zone: "../../etc/passwd"}, time.Time{}, "zone"},
		{"malformed date", livehelp.SnoozeChoice{Until: "30/03/2026 09:00"}, time.Time{}, "until"},
		{"in the past", livehelp.SnoozeChoice{Until: "2026-03-28T09:00"}, time.Time{}, "until"},
		{"too soon", livehelp.SnoozeChoice{Until: "2026-03-28T10:00:30"}, time.Time{}, "until"},
		{"too far", livehelp.SnoozeChoice{Until: "2027-04-01T09:00"}, time.Time{}, "until"},
	}
	for _, tt := range tests {
		got, zone, err := tt.ch.Resolve(now)
		if tt.field != "" {
			if !livehelp.IsCode(err, livehelp.EINVALID) || livehelp.ErrorFields(err)[tt.field] == "" {
				t.Errorf("%s: err = %v (fields %v), want invalid %s", tt.name, err, livehelp.ErrorFields(err), tt.field)
			}
			continue
		}
		if err != nil || !got.Equal(tt.want) || got.Location() != time.UTC || zone == nil {
			t.Errorf("%s: %v (%v), %v; want %v UTC", tt.name, got, zone, err, tt.want)
		}
	}
}

func TestSnoozeLines(t *testing.T) {
	t.Parallel()
	paris, _ := time.LoadLocation("Europe/Paris")
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	until := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	got := []string{
		livehelp.SnoozeMessage("a", "Ada", until, paris, true).Text,
		livehelp.SnoozeMessage("a", "Ada", until, nil, false).Text,
		livehelp.SnoozeMessage("a", "", until.Add(-8*time.Hour-30*time.Minute), tokyo, false).Text,
		livehelp.WokeMessage(livehelp.WakeReply, "", "").Text,
		livehelp.WokeMessage(livehelp.WakeEnd, "", "").Text,
		livehelp.WokeMessage(livehelp.WakeManual, "b", "Bea").Text,
		livehelp.TransferMessage("a", "Ada", "Bea", "").Text,
		livehelp.TransferMessage("a", "Ada", "Bea", "Sales").Text,
		livehelp.ReassignMessage("Bea", "c", "Cy", 24*time.Hour).Text,
		livehelp.ReassignMessage("Bea", "", "", 90*time.Minute).Text,
	}
	want := []string{
		"Ada snoozed this conversation until Mon 23 Nov 2026 09:00 Europe/Paris (08:00 UTC). Ada keeps it.",
		"Ada snoozed this conversation until Mon 23 Nov 2026 08:00 UTC.",
		"An operator snoozed this conversation until Mon 23 Nov 2026 08:30 Asia/Tokyo (Sun 22 Nov 23:30 UTC).",
		"The visitor replied, which ended the snooze.",
		"The snooze ended.",
		"Bea ended the snooze.",
		"Ada transferred this conversation to Bea.",
		"Ada transferred this conversation to the group Sales; Bea has it now.",
		"Bea did not handle this conversation within 24 hours; it was reassigned to Cy.",
		"Bea did not handle this conversation within 90 minutes; it went back to the queue.",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
	m := livehelp.TransferMessage("a", "Ada", "Bea", "")
	if m.Author != livehelp.AuthorSystem || m.Event != livehelp.EventTransferred || m.Operator != "a" || m.OperatorName != "Ada" {
		t.Errorf("transfer line %+v: want a system line by Ada", m)
	}
	for d, want := range map[time.Duration]string{time.Second: "1 second", 2 * time.Second: "2 seconds", time.Hour: "1 hour",
		86400 * time.Second: "24 hours", 150 * time.Second: "150 seconds"} {
		if got := livehelp.HumanDuration(d); got != want {
			t.Errorf("HumanDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestCleanComment(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"": "", "  VIP\r\nrefund ": "VIP\nrefund", "tab\tok": "tab\tok"} {
		if got, err := livehelp.CleanComment(in); err != nil || got != want {
			t.Errorf("CleanComment(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"a\x00b", "\x1b[31m", "\xff", strings.Repeat("x", 1001)} {
		if _, err := livehelp.CleanComment(in); livehelp.ErrorFields(err)["comment"] == "" {
			t.Errorf("CleanComment(%q): err = %v, want a comment error", in, err)
		}
	}
}

func TestWakeAndTransferOrder(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	fresh := now.Add(time.Minute)
	p := map[string]livehelp.Presence{
		"keeper": {State: "online", SeenUntil: fresh, Load: 2, Slots: 3},
		"idle":   {State: "online", SeenUntil: fresh, Load: 0, Slots: 3},
		"full":   {State: "online", SeenUntil: fresh, Load: 3, Slots: 3},
		"away":   {State: "away", SeenUntil: fresh, Load: 0, Slots: 3},
		"stale":  {State: "online", SeenUntil: now, Load: 0, Slots: 3},
	}
	tests := []struct {
		name   string
		keeper string
		keep   bool
		want   []string
	}{
		{"keeper first when kept and available", "keeper", true, []string{"keeper", "idle"}},
		{"no keep: least loaded first", "keeper", false, []string{"idle", "keeper"}},
		{"keeper away: the others", "away", true, []string{"idle", "keeper"}},
		{"keeper full: the others", "full", true, []string{"idle", "keeper"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, livehelp.WakeOrder(p, tt.keeper, tt.keep, now)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
	order, available := livehelp.TransferOrder(p, []string{"away", "full", "idle", "keeper", "never", "me"}, "me", now)
	if diff := cmp.Diff([]string{"idle", "keeper", "away", "full", "never"}, order); diff != "" || available != 2 {
		t.Errorf("transfer order (%d available) (-want +got):\n%s", available, diff)
	}
	why := map[string]string{}
	for id, pr := range p {
		why[id] = pr.Unavailable(now)
	}
	if diff := cmp.Diff(map[string]string{"keeper": "", "idle": "", "full": "busy", "away": "away", "stale": "offline"}, why); diff != "" {
		t.Errorf("unavailable (-want +got):\n%s", diff)
	}
}
