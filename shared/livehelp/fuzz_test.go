package livehelp

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzParseLanguages checks the Accept-Language parser on any header: at
// most 8 tags, none empty, "*" or over 35 bytes, none holding a separator,
// each one a part of the header.
func FuzzParseLanguages(f *testing.F) {
	for _, s := range []string{"en-US,en;q=0.9,fr;q=0.8", "*", "de;q=0", "x;q=NaN, y;q=1e400, z;q=-1", ",,,", strings.Repeat("a,", 50),
		"zh-Hant-TW;q=0.5, en;Q=1", "\xff;q=0.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		tags := ParseLanguages(header)
		if len(tags) > 8 {
			t.Fatalf("%d tags from %q, at most 8", len(tags), header)
		}
		for _, tag := range tags {
			if tag == "" || tag == "*" || len(tag) > 35 || strings.ContainsAny(tag, ",;") || !strings.Contains(header, tag) {
				t.Fatalf("tag %q from %q", tag, header)
			}
		}
	})
}

// FuzzCleanText checks the message text rule on any input (chat frames,
// offline messages): an accepted text is valid UTF-8 of at most 4 KB,
// trimmed, not empty, with no control character but tab and line feed,
// and cleaning it again changes nothing; a refusal is EINVALID on "text".
func FuzzCleanText(f *testing.F) {
	for _, s := range []string{"hello", " a\r\nb\rc ", "\x00", "\xff", "\u2028", strings.Repeat("é", 3000), "\t", "<img src=x onerror=alert(1)>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := CleanText(s)
		if err != nil {
			if ErrorCode(err) != EINVALID || ErrorFields(err)["text"] == "" {
				t.Fatalf("CleanText(%q) refused with %v", s, err)
			}
			return
		}
		if !utf8.ValidString(got) || got == "" || len(got) > MaxMessageText || got != strings.TrimSpace(got) ||
			strings.ContainsFunc(got, func(r rune) bool { return (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f }) {
			t.Fatalf("CleanText(%q) = %q", s, got)
		}
		if again, err := CleanText(got); err != nil || again != got {
			t.Fatalf("CleanText is not stable on %q: %q, %v", got, again, err)
		}
	})
}

// FuzzCleanName checks visitor and operator display names: one line, no
// control characters, single spaces, at most MaxNameLen runes, stable.
func FuzzCleanName(f *testing.F) {
	for _, s := range []string{"Dana", "  Dana \r\n Smith ", "\x00\x7f", "\xff\xfe", strings.Repeat("ж", 150)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := CleanName(s)
		if strings.ContainsFunc(got, func(r rune) bool { return r < 0x20 || r == 0x7f || r == utf8.RuneError }) ||
			utf8.RuneCountInString(got) > MaxNameLen || got != strings.TrimSpace(got) || strings.Contains(got, "  ") {
			t.Fatalf("CleanName(%q) = %q", s, got)
		}
		if again := CleanName(got); again != got {
			t.Fatalf("CleanName is not stable: %q then %q", got, again)
		}
	})
}

// FuzzNormalizeSearch checks board searches: at most MaxSearch runes when
// accepted, and stable.
func FuzzNormalizeSearch(f *testing.F) {
	for _, s := range []string{"parcel", "  Where IS  my parcel? ", "\x00", strings.Repeat("x", 200), "%_*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		got, err := NormalizeSearch(q)
		if err != nil {
			if ErrorCode(err) != EINVALID {
				t.Fatalf("NormalizeSearch(%q): %v", q, err)
			}
			return
		}
		if utf8.RuneCountInString(got) > MaxSearch {
			t.Fatalf("NormalizeSearch(%q) = %q, over %d runes", q, got, MaxSearch)
		}
		if again, err := NormalizeSearch(got); err != nil || again != got {
			t.Fatalf("NormalizeSearch is not stable on %q: %q, %v", got, again, err)
		}
	})
}

// FuzzCannedFromFiles imports fuzzed file paths and texts (a directory an
// operator picked): no panic; refusals are EINVALID or ECONFLICT (large
// files to confirm); an accepted tree has only valid titles and bodies.
func FuzzCannedFromFiles(f *testing.F) {
	f.Add("Sales/Prices/discount.txt", "10% off", "Greeting.txt", "Hello %name%", "")
	f.Add("../../etc/passwd", "x", ".hidden", "y", "")
	f.Add("a//b/./c.txt", "\x00binary", "Thumbs.db", "", "a//b/./c.txt")
	f.Add("C:\\Users\\x.txt", strings.Repeat("b", LargeCannedFile+1), "/abs.txt", "z", "C:\\Users\\x.txt")
	f.Fuzz(func(t *testing.T, p1, t1, p2, t2, confirmed string) {
		items, _, err := CannedFromFiles([]ImportFile{{Path: p1, Text: t1}, {Path: p2, Text: t2}}, []string{confirmed})
		if err != nil {
			if c := ErrorCode(err); c != EINVALID && c != ECONFLICT {
				t.Fatalf("CannedFromFiles refused with %v", err)
			}
			return
		}
		checkCannedTree(t, items, 0)
	})
}

// FuzzCannedExport imports a fuzzed export file: decoding and validation
// never panic, and a file that validates holds only valid nodes no deeper
// than MaxCannedDepth.
func FuzzCannedExport(f *testing.F) {
	f.Add([]byte(`{"format":"livehelp-canned","version":1,"items":[{"title":"Hi","text":"Hello %name%"},{"title":"F","folder":true,"children":[{"title":"x","text":"y"}]}]}`))
	f.Add([]byte(`{"format":"livehelp-canned","version":1,"items":[{"title":"","text":"x","children":[{"title":"a"}]}]}`))
	f.Add([]byte(`{"format":"other","version":2}`))
	f.Add([]byte(`{"format":"livehelp-canned","version":1,"items":[{"title":"a\u0000","folder":true,"children":[{"title":"b","folder":true,"children":[]}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var x CannedExport
		if json.Unmarshal(data, &x) != nil {
			return
		}
		if err := ValidateCannedExport(&x); err != nil {
			if ErrorCode(err) != EINVALID {
				t.Fatalf("ValidateCannedExport refused with %v", err)
			}
			return
		}
		if CountCanned(x.Items) > MaxCannedNodes {
			t.Fatalf("%d nodes accepted, at most %d", CountCanned(x.Items), MaxCannedNodes)
		}
		checkCannedTree(t, x.Items, 0)
	})
}

// checkCannedTree checks every node of an accepted import.
func checkCannedTree(t *testing.T, items []CannedImport, depth int) {
	t.Helper()
	for _, it := range items {
		n := CannedNode{Title: it.Title, Folder: it.Folder, Body: it.Text}
		if err := ValidateCannedNode(&n); err != nil {
			t.Fatalf("accepted node %+v: %v", it, err)
		}
		if !it.Folder && len(it.Children) > 0 {
			t.Fatalf("accepted message %q with children", it.Title)
		}
		if it.Folder && depth >= MaxCannedDepth {
			t.Fatalf("accepted folder %q at depth %d", it.Title, depth)
		}
		checkCannedTree(t, it.Children, depth+1)
	}
}

// FuzzSnoozeChoice resolves fuzzed snooze choices (preset, local date and
// time, time zone from the console): an accepted wake-up time is between
// MinSnooze and MaxSnooze from now.
func FuzzSnoozeChoice(f *testing.F) {
	f.Add("3h", "", "")
	f.Add("", "2026-11-23T09:00", "Europe/Paris")
	f.Add("", "2026-11-21T12:00:30", "Local")
	f.Add("1d", "", "../../../etc/localtime")
	f.Add("", "9999-12-31T23:59", "UTC")
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, preset, until, zone string) {
		at, loc, err := SnoozeChoice{For: preset, Until: until, Zone: zone}.Resolve(now)
		if err != nil {
			if ErrorCode(err) != EINVALID {
				t.Fatalf("Resolve refused with %v", err)
			}
			return
		}
		if d := at.Sub(now); d < MinSnooze || d > MaxSnooze || loc == nil {
			t.Fatalf("Resolve(%q, %q, %q) = %v (%v from now), %v", preset, until, zone, at, d, loc)
		}
		if slices.Contains([]string{"Local"}, loc.String()) {
			t.Fatalf("Resolve accepted the server's local zone")
		}
	})
}
