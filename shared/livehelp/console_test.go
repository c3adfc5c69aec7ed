package livehelp

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestKindsOf(t *testing.T) {
	tests := []struct {
		filters []string
		want    []string
	}{
		{nil, nil},
		{[]string{FilterMessages}, []string{BoardMessage, BoardReply, BoardNote}},
		{[]string{FilterChat, FilterCalls}, []string{BoardChat, BoardCall}},
		{[]string{FilterMessages, FilterChat, FilterCalls}, nil},
		{[]string{"bogus"}, nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, KindsOf(tt.filters)); diff != "" {
			t.Errorf("KindsOf(%v) (-want +got):\n%s", tt.filters, diff)
		}
	}
}

func TestSearchText(t *testing.T) {
	if got := SearchText("Hello\n  WORLD", "", "Ünïcode\tTEXT"); got != "hello world ünïcode text" {
		t.Errorf("SearchText = %q", got)
	}
	if _, err := NormalizeSearch(strings.Repeat("a", 101)); !IsCode(err, EINVALID) {
		t.Errorf("long search: %v", err)
	}
}

func TestReplyValidate(t *testing.T) {
	ok := Reply{To: ToAll, Subject: "Re: order", Text: "Thanks", ClientID: "abc-1"}
	tests := []struct {
		name   string
		change func(*Reply)
		field  string
	}{
		{"valid", func(*Reply) {}, ""},
		{"note needs no subject", func(r *Reply) { r.To, r.Subject = ToNone, "" }, ""},
		{"no destination", func(r *Reply) { r.To = "" }, "to"},
		{"no subject", func(r *Reply) { r.Subject = " " }, "subject"},
		{"no text", func(r *Reply) { r.Text = "\n" }, "text"},
		{"long text", func(r *Reply) { r.Text = strings.Repeat("x", MaxReplyText+1) }, "text"},
		{"bad client id", func(r *Reply) { r.ClientID = "a b" }, "client_id"},
	}
	for _, tt := range tests {
		r := ok
		tt.change(&r)
		err := r.Validate()
		if tt.field == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		if _, has := ErrorFields(err)[tt.field]; !has {
			t.Errorf("%s: fields = %v, want %q", tt.name, ErrorFields(err), tt.field)
		}
	}
}

func TestCallValidate(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	good := Call{At: now.Add(-time.Hour), Duration: time.Minute, Direction: CallInbound, Phone: "+1 (555) 010-99"}
	if err := good.Validate("note", now); err != nil {
		t.Fatal(err)
	}
	bad := Call{At: now.Add(time.Hour), Duration: -1, Direction: "sideways", Phone: "<script>"}
	fields := ErrorFields(bad.Validate(strings.Repeat("n", MaxNote+1), now))
	for _, f := range []string{"at", "duration", "direction", "phone", "note"} {
		if fields[f] == "" {
			t.Errorf("no message for %s in %v", f, fields)
		}
	}
}

func TestExpandCanned(t *testing.T) {
	if got := ExpandCanned("Hi, I'm %name%. %name% here!", "Bob"); got != "Hi, I'm Bob. Bob here!" {
		t.Errorf("ExpandCanned = %q", got)
	}
}

func TestBuildCannedTreeHidesOrphans(t *testing.T) {
	nodes := []CannedNode{
		{ID: "f", Folder: true, Title: "F", Position: 2},
		{ID: "a", Parent: "f", Title: "A", Position: 2},
		{ID: "b", Parent: "f", Title: "B", Position: 1},
		{ID: "m", Title: "M", Position: 1},
		{ID: "o", Parent: "gone", Title: "orphan"},
		{ID: "x", Parent: "m", Title: "under a message"},
	}
	tree := BuildCannedTree(nodes)
	var got []string
	for _, e := range tree {
		got = append(got, e.Title)
		for _, c := range e.Children {
			got = append(got, "  "+c.Title)
		}
	}
	if diff := cmp.Diff([]string{"M", "F", "  B", "  A"}, got); diff != "" {
		t.Errorf("tree (-want +got):\n%s", diff)
	}
}

func TestCannedFromFiles(t *testing.T) {
	big := strings.Repeat("b", LargeCannedFile+1)
	files := []ImportFile{
		{Path: "Dir/Sub/a.txt", Text: "\ufeffA\r\nB"},
		{Path: "Dir/big.txt", Text: big},
		{Path: "loose", Text: "L"},
		{Path: "Dir/.hidden", Text: "skip me"},
	}
	_, _, err := CannedFromFiles(files, nil)
	if !IsCode(err, ECONFLICT) || ErrorFields(err)["Dir/big.txt"] == "" || len(ErrorFields(err)) != 1 {
		t.Fatalf("unconfirmed large file: %v %v", err, ErrorFields(err))
	}
	items, skipped, err := CannedFromFiles(files, []string{"Dir/big.txt"})
	if err != nil || skipped != 1 {
		t.Fatalf("confirmed: skipped=%d err=%v", skipped, err)
	}
	want := []CannedImport{
		{Title: "Dir", Folder: true, Children: []CannedImport{
			{Title: "Sub", Folder: true, Children: []CannedImport{{Title: "a", Text: "A\nB"}}},
			{Title: "big", Text: big},
		}},
		{Title: "loose", Text: "L"},
	}
	if diff := cmp.Diff(want, items); diff != "" {
		t.Errorf("items (-want +got):\n%s", diff)
	}

	bad := []ImportFile{
		{Path: "ok.txt", Text: "fine"},
		{Path: "bin.dat", Text: "\x00\x01\x02"},
		{Path: "huge.txt", Text: strings.Repeat("h", MaxCannedBody+1)},
		{Path: "../up.txt", Text: "x"},
	}
	_, _, err = CannedFromFiles(bad, nil)
	if !IsCode(err, EINVALID) {
		t.Fatalf("bad files: %v", err)
	}
	for _, p := range []string{"bin.dat", "huge.txt", "../up.txt"} {
		if ErrorFields(err)[p] == "" {
			t.Errorf("no error for %s: %v", p, ErrorFields(err))
		}
	}
	if ErrorFields(err)["ok.txt"] != "" {
		t.Errorf("a good file got an error")
	}
}

func TestValidateCannedExport(t *testing.T) {
	x := CannedExport{Format: CannedFormat, Version: 1, Items: []CannedImport{
		{Title: "F", Folder: true, Children: []CannedImport{{Title: "", Text: "t"}}},
		{Title: "M", Text: "t", Children: []CannedImport{{Title: "c"}}},
	}}
	fields := ErrorFields(ValidateCannedExport(&x))
	if fields["items[0].children[0].title"] == "" || fields["items[1]"] == "" {
		t.Errorf("fields = %v", fields)
	}
	if err := ValidateCannedExport(&CannedExport{Format: "other", Version: 1}); !IsCode(err, EINVALID) {
		t.Errorf("foreign format: %v", err)
	}
}
