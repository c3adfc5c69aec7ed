package livehelp

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestCleanText(t *testing.T) {
	tests := []struct {
		name, in, want string
		ok             bool
	}{
		{"plain", "hello", "hello", true},
		{"trimmed", "  hi there \n", "hi there", true},
		{"line breaks normalized", "a\r\nb\rc", "a\nb\nc", true},
		{"tabs kept", "a\tb", "a\tb", true},
		{"unicode", "Привет 👋", "Привет 👋", true},
		{"exactly 4 KB", strings.Repeat("x", 4096), strings.Repeat("x", 4096), true},
		{"4 KB after trimming", " " + strings.Repeat("x", 4096) + " ", strings.Repeat("x", 4096), true},
		{"over 4 KB", strings.Repeat("x", 4097), "", false},
		{"multi-byte over 4 KB", strings.Repeat("é", 2049), "", false},
		{"empty", "", "", false},
		{"blank", " \n\t ", "", false},
		{"invalid UTF-8", "a\xffb", "", false},
		{"NUL", "a\x00b", "", false},
		{"escape", "a\x1b[31mb", "", false},
		{"DEL", "a\x7fb", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CleanText(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("CleanText error = %v, want ok=%v", err, tt.ok)
			}
			if err != nil {
				if !IsCode(err, EINVALID) || ErrorFields(err)["text"] == "" {
					t.Errorf("error = %v (fields %v), want invalid with a text field", err, ErrorFields(err))
				}
				return
			}
			if got != tt.want {
				t.Errorf("CleanText = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCleanName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  Ann   Lee ", "Ann Lee"},
		{"Ann\r\nBcc: x", "Ann Bcc: x"},
		{strings.Repeat("я", 120), strings.Repeat("я", 100)},
	}
	for _, tt := range tests {
		if got := CleanName(tt.in); got != tt.want {
			t.Errorf("CleanName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCandidates(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	fresh := now.Add(30 * time.Second)
	on := func(load, slots int, idle time.Duration) Presence {
		return Presence{State: PresenceOnline, SeenUntil: fresh, Load: load, Slots: slots, IdleSince: now.Add(-idle)}
	}
	tests := []struct {
		name     string
		presence map[string]Presence
		want     []string
		online   bool
	}{
		{"nobody", nil, nil, false},
		{"least loaded first", map[string]Presence{"a": on(2, 3, time.Hour), "b": on(0, 3, 0), "c": on(1, 3, time.Hour)}, []string{"b", "c", "a"}, true},
		{"then longest idle", map[string]Presence{"a": on(1, 3, time.Minute), "b": on(1, 3, time.Hour)}, []string{"b", "a"}, true},
		{"then id", map[string]Presence{"b": on(1, 3, time.Hour), "a": on(1, 3, time.Hour)}, []string{"a", "b"}, true},
		{"full operators are skipped but online", map[string]Presence{"a": on(3, 3, 0), "b": on(1, 1, 0)}, nil, true},
		{"away, stale and offline are skipped", map[string]Presence{
			"away":  {State: PresenceAway, SeenUntil: fresh, Slots: 3},
			"stale": {State: PresenceOnline, SeenUntil: now, Slots: 3},
			"off":   {State: PresenceOffline, SeenUntil: fresh, Slots: 3},
			"ok":    on(2, 3, 0)}, []string{"ok"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Candidates(tt.presence, now)); diff != "" {
				t.Errorf("Candidates (-want +got):\n%s", diff)
			}
			if got := AnyOnline(tt.presence, now); got != tt.online {
				t.Errorf("AnyOnline = %v, want %v", got, tt.online)
			}
		})
	}
}

func TestConversationPhase(t *testing.T) {
	tests := []struct {
		c    Conversation
		want string
	}{
		{Conversation{Status: StatusQueued, Queue: QueueWaiting}, "waiting"},
		{Conversation{Status: StatusQueued, Queue: QueueOffline}, "offline"},
		{Conversation{Status: StatusQueued}, "offline"},
		{Conversation{Status: StatusAssigned}, "assigned"},
		{Conversation{Status: StatusClosed}, "closed"},
	}
	for _, tt := range tests {
		if got := tt.c.Phase(); got != tt.want {
			t.Errorf("Phase of %+v = %q, want %q", tt.c, got, tt.want)
		}
	}
}

func TestConversationID(t *testing.T) {
	a := ConversationID("demo", "v1")
	if a != ConversationID("demo", "v1") {
		t.Fatal("ConversationID is not deterministic")
	}
	if a == ConversationID("demo", "v2") || a == ConversationID("other", "v1") {
		t.Fatal("ConversationID collides across visitors or sites")
	}
	if len(a) != 32 {
		t.Fatalf("len = %d, want 32 hex digits", len(a))
	}
}

func TestPageCheck(t *testing.T) {
	tests := []struct {
		in   Page
		want Page
		ok   bool
	}{
		{Page{}, Page{Limit: DefaultPageSize}, true},
		{Page{After: 5, Limit: 100}, Page{After: 5, Limit: 100}, true},
		{Page{Before: 5, Limit: 1}, Page{Before: 5, Limit: 1}, true},
		{Page{After: 1, Before: 5}, Page{}, false},
		{Page{Limit: 101}, Page{}, false},
		{Page{After: -1}, Page{}, false},
	}
	for _, tt := range tests {
		got, err := tt.in.Check()
		if (err == nil) != tt.ok {
			t.Errorf("Check(%+v) error = %v, want ok=%v", tt.in, err, tt.ok)
			continue
		}
		if err == nil && got != tt.want {
			t.Errorf("Check(%+v) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestSystemMessage(t *testing.T) {
	tests := []struct {
		event, op, name, text string
	}{
		{EventAssigned, "o1", "Ann", "Ann joined the conversation."},
		{EventClosed, "o1", "Ann", "Ann closed the conversation."},
		{EventReopened, "", "", "The conversation was reopened."},
		{EventReopened, "o1", "Ann", "Ann reopened the conversation."},
	}
	for _, tt := range tests {
		m := SystemMessage(tt.event, tt.op, tt.name)
		want := Message{Author: AuthorSystem, Event: tt.event, Operator: tt.op, OperatorName: tt.name, Text: tt.text}
		if diff := cmp.Diff(want, m); diff != "" {
			t.Errorf("SystemMessage(%s) (-want +got):\n%s", tt.event, diff)
		}
	}
}
