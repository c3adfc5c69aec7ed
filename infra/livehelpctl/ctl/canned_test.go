package ctl

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// writeFiles creates files (path → content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for p, c := range files {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestReadCannedPaths(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	big := strings.Repeat("x", livehelp.LargeCannedFile+1)
	writeFiles(t, dir, map[string]string{
		"Replies/Greeting.txt":       "Hello, I am %name%.",
		"Replies/Billing/Refunds.md": "Refunds take 5 days.",
		"Replies/Billing/Invoice":    "Invoices are monthly.",
		"Replies/.hidden.txt":        "never imported",
		"Replies/Long answer.txt":    big,
		"export.json":                `{"format":"livehelp-canned","version":1,"items":[{"title":"Bye","text":"Goodbye!"}]}`,
		"Top level.text":             "Top",
	})
	if err := os.Symlink(filepath.Join(dir, "Replies"), filepath.Join(dir, "Replies", "loop")); err != nil {
		t.Fatal(err)
	}
	src, err := readCannedPaths([]string{filepath.Join(dir, "Replies"), filepath.Join(dir, "export.json"), filepath.Join(dir, "Top level.text")})
	if err != nil {
		t.Fatal(err)
	}
	want := []livehelp.CannedImport{
		{Title: "Replies", Folder: true, Children: []livehelp.CannedImport{
			{Title: "Billing", Folder: true, Children: []livehelp.CannedImport{
				{Title: "Invoice", Text: "Invoices are monthly."},
				{Title: "Refunds", Text: "Refunds take 5 days."},
			}},
			{Title: "Greeting", Text: "Hello, I am %name%."},
			{Title: "Long answer", Text: big},
		}},
		{Title: "Bye", Text: "Goodbye!"},
		{Title: "Top level", Text: "Top"},
	}
	if diff := cmp.Diff(want, src.items); diff != "" {
		t.Errorf("items (-want +got):\n%s", diff)
	}
	if len(src.large) != 1 || src.large[0].path != "Replies/Long answer" {
		t.Errorf("large = %+v, want Replies/Long answer", src.large)
	}
	if len(src.skipped) != 1 || filepath.Base(src.skipped[0]) != "loop" {
		t.Errorf("skipped = %v, want the symlink", src.skipped)
	}
}

func TestCannedImportChecks(t *testing.T) {
	t.Parallel()
	_, conn := newTable(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"ok/A.txt":       "short",
		"big/Large.txt":  strings.Repeat("y", livehelp.LargeCannedFile+10),
		"huge/Huge.txt":  strings.Repeat("z", livehelp.MaxCannedBody+1),
		"binary/Bin.txt": "\xff\xfe bad",
		"wrong.json":     `{"format":"something-else"}`,
		"badexport.json": `{"format":"livehelp-canned","version":1,"items":[{"title":""}]}`,
		"big2/Other.txt": strings.Repeat("w", livehelp.LargeCannedFile+10),
		"big2/Small.txt": "small",
	})
	p := func(rel string) string { return filepath.Join(dir, rel) }
	tests := []struct {
		name string
		term Terminal
		cmd  []string
		code int
		out  string // stdout must contain it
		msg  string // stderr must contain it
	}{
		{"dry run", nil, []string{"canned", "import", "--site", "acme", "--dry-run", p("ok")}, ExitOK, "ok/\n  A (0.0 KB)\n2 items", ""},
		{"large needs yes", nil, []string{"canned", "import", "--site", "acme", p("big")}, ExitUsage, "", "confirm them with --yes"},
		{"large with yes", nil, []string{"canned", "import", "--site", "acme", "--yes", "--dry-run", p("big")}, ExitOK, "Large (10.0 KB, over 10 KB)", ""},
		{"large declined", &fakeTerminal{answers: []bool{false}}, []string{"canned", "import", "--site", "acme", "--dry-run", p("big2")}, ExitOK, "big2/\n  Small (0.0 KB)\n2 items", ""},
		{"over 64 KB", nil, []string{"canned", "import", "--site", "acme", "--yes", p("huge")}, ExitUsage, "", "a canned message holds at most 64 KB"},
		{"not utf-8", nil, []string{"canned", "import", "--site", "acme", p("binary")}, ExitUsage, "", "not valid text"},
		{"foreign json", nil, []string{"canned", "import", "--site", "acme", p("wrong.json")}, ExitUsage, "", "Not a Live Help canned-messages export"},
		{"bad export", nil, []string{"canned", "import", "--site", "acme", p("badexport.json")}, ExitUsage, "", "items[0].title: Enter a title."},
		{"missing path", nil, []string{"canned", "import", "--site", "acme", p("nope")}, ExitUsage, "", "no such file or directory"},
		{"no paths", nil, []string{"canned", "import", "--site", "acme"}, ExitUsage, "", "name at least one"},
		{"storage pending", nil, []string{"canned", "import", "--site", "acme", p("ok")}, ExitFailed, "", "not available yet"},
		{"export pending", nil, []string{"canned", "export", "--site", "acme"}, ExitFailed, "", "not available yet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCtl(t, "", tt.term, args(conn, tt.cmd...)...)
			wantCode(t, r, tt.code, tt.msg)
			if !strings.Contains(r.out, tt.out) {
				t.Errorf("stdout %q lacks %q", r.out, tt.out)
			}
		})
	}
}

func TestExportFileRoundTrip(t *testing.T) {
	t.Parallel()
	tree := livehelp.BuildCannedTree([]livehelp.CannedNode{
		{ID: "f", Folder: true, Title: "Folder", Position: 1},
		{ID: "m", Parent: "f", Title: "Msg", Body: "Text with %name%", Position: 1},
	})
	x := livehelp.ExportCanned("acme", tree, time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC))
	path := filepath.Join(t.TempDir(), "canned.json")
	data, _ := json.Marshal(x)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := readCannedPaths([]string{path})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(x.Items, src.items, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("items read back (-exported +read):\n%s", diff)
	}
}

func TestProgress(t *testing.T) {
	t.Parallel()
	if got, want := renderBar(5, 10, 10), "[#####.....]  50% 5/10"; got != want {
		t.Errorf("renderBar = %q, want %q", got, want)
	}
	var b strings.Builder
	p := newProgress(&b, 8, false)
	for done := 0; done <= 8; done += 3 {
		p.Update(done, 8)
	}
	p.Update(8, 8)
	p.Done(true)
	want := "imported 2/8\nimported 4/8\nimported 6/8\nimported 8/8\n"
	if b.String() != want {
		t.Errorf("non-terminal progress = %q, want %q", b.String(), want)
	}
	b.Reset()
	p = newProgress(&b, 4, true)
	p.Update(2, 4)
	p.Done(true)
	if want := "\r[###############...............]  50% 2/4\r[##############################] 100% 4/4\n"; b.String() != want {
		t.Errorf("terminal progress = %q, want %q", b.String(), want)
	}
}
