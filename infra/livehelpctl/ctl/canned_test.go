package ctl

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

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

// readItems runs the file half of canned import on paths.
func readItems(t *testing.T, paths []string, confirmed []string) (*cannedFiles, []livehelp.CannedImport) {
	t.Helper()
	cf, err := findCannedFiles(paths)
	if err != nil {
		t.Fatal(err)
	}
	if err := cf.read(func(int, int) {}); err != nil {
		t.Fatal(err)
	}
	items, err := cf.items(confirmed)
	if err != nil {
		t.Fatal(err)
	}
	return cf, items
}

func TestCannedFilesToItems(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"Replies/Greeting.txt":       "Hello, I am %name%.",
		"Replies/Billing/Refunds.md": "Refunds take 5 days.",
		"Replies/Billing/Invoice":    "Invoices are monthly.",
		"Replies/.hidden.txt":        "never imported",
		"Replies/.git/config":        "never read",
		"Top level.txt":              "Top",
	})
	if err := os.Symlink(filepath.Join(dir, "Replies"), filepath.Join(dir, "Replies", "loop")); err != nil {
		t.Fatal(err)
	}
	cf, items := readItems(t, []string{filepath.Join(dir, "Replies"), filepath.Join(dir, "Top level.txt")}, nil)
	want := []livehelp.CannedImport{
		{Title: "Replies", Folder: true, Children: []livehelp.CannedImport{
			{Title: "Billing", Folder: true, Children: []livehelp.CannedImport{
				{Title: "Invoice", Text: "Invoices are monthly."},
				{Title: "Refunds", Text: "Refunds take 5 days."},
			}},
			{Title: "Greeting", Text: "Hello, I am %name%."},
		}},
		{Title: "Top level", Text: "Top"},
	}
	if diff := cmp.Diff(want, items, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("items (-want +got):\n%s", diff)
	}
	var skipped []string
	for _, p := range cf.skipped {
		skipped = append(skipped, filepath.Base(p))
	}
	if diff := cmp.Diff([]string{".git", ".hidden.txt", "loop"}, skipped); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
}

// TestCannedFilesBatches imports more files than the console takes in one
// request: the batches merge into one tree with the folders once.
func TestCannedFilesBatches(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{}
	n := livehelp.MaxImportFiles + 20
	for i := range n {
		files[fmt.Sprintf("Big/Part%d/msg%04d.txt", i%2, i)] = fmt.Sprint("message ", i)
	}
	writeFiles(t, dir, files)
	_, items := readItems(t, []string{filepath.Join(dir, "Big")}, nil)
	if len(items) != 1 || len(items[0].Children) != 2 {
		t.Fatalf("top level = %+v, want one folder Big with Part0 and Part1", items)
	}
	if got, want := livehelp.CountCanned(items), n+3; got != want {
		t.Errorf("%d items, want %d (files and three folders)", got, want)
	}
}

func TestCannedImportExport(t *testing.T) {
	t.Parallel()
	st, conn := newTable(t)
	runCtl(t, "", nil, args(conn, "site", "create", "--id", "acme", "--name", "Acme")...)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"ok/A.txt":       "short",
		"ok/Sub/B.txt":   "hello %name%",
		"big/Large.txt":  strings.Repeat("y", livehelp.LargeCannedFile+10),
		"big/Small.txt":  "small",
		"huge/Huge.txt":  strings.Repeat("z", livehelp.MaxCannedBody+1),
		"binary/Bin.txt": "\xff\xfe bad",
		"wrong.json":     `{"format":"something-else"}`,
		"badexport.json": `{"format":"livehelp-canned","version":1,"items":[{"title":""}]}`,
	})
	p := func(rel string) string { return filepath.Join(dir, rel) }
	out := filepath.Join(t.TempDir(), "export.json")
	tests := []struct {
		name string
		term Terminal
		cmd  []string
		code int
		out  string // stdout must contain it
		msg  string // stderr must contain it
	}{
		{"dry run", nil, []string{"--dry-run", p("ok")}, ExitOK, "ok/\n  A (0.0 KB)\n  Sub/\n    B (0.0 KB)\n4 items would be imported", ""},
		{"large needs yes", nil, []string{p("big")}, ExitUsage, "", "confirm them with --yes"},
		{"large dry run lists", nil, []string{"--dry-run", p("big")}, ExitOK, "Large (10.0 KB, over 10 KB)", ""},
		{"over 64 KB", nil, []string{"--yes", p("huge")}, ExitUsage, "", "over 64 KB"},
		{"not text", nil, []string{p("binary")}, ExitUsage, "", "not a plain text file"},
		{"foreign json", nil, []string{p("wrong.json")}, ExitUsage, "", "Not a Live Help canned-messages export"},
		{"bad export", nil, []string{p("badexport.json")}, ExitUsage, "", "items[0].title: Enter a title."},
		{"export with files", nil, []string{p("badexport.json"), p("ok")}, ExitUsage, "", "on its own"},
		{"missing path", nil, []string{p("nope")}, ExitUsage, "", "no such file or directory"},
		{"unknown site", nil, []string{"--site", "nosuch", p("ok")}, ExitFailed, "", "Site not found."},
		// Writes: ok (4 items), then big with Large declined at the prompt.
		{"import", nil, []string{p("ok")}, ExitOK, "imported 4 canned items into site acme", "writing 4 items"},
		{"import declined", &fakeTerminal{answers: []bool{false}}, []string{p("big")}, ExitOK, "imported 2 canned items", "left out"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := append([]string{"canned", "import", "--site", "acme"}, tt.cmd...)
			r := runCtl(t, "", tt.term, args(conn, cmd...)...)
			wantCode(t, r, tt.code, tt.msg)
			if !strings.Contains(r.out, tt.out) {
				t.Errorf("stdout %q lacks %q", r.out, tt.out)
			}
		})
	}
	r := runCtl(t, "", nil, args(conn, "canned", "export", "--site", "acme", "--out", out)...)
	wantCode(t, r, ExitOK, "exported 6 canned items")
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var x livehelp.CannedExport
	if err := json.Unmarshal(data, &x); err != nil {
		t.Fatal(err)
	}
	want := []livehelp.CannedImport{
		{Title: "ok", Folder: true, Children: []livehelp.CannedImport{{Title: "A", Text: "short"},
			{Title: "Sub", Folder: true, Children: []livehelp.CannedImport{{Title: "B", Text: "hello %name%"}}}}},
		{Title: "big", Folder: true, Children: []livehelp.CannedImport{{Title: "Small", Text: "small"}}},
	}
	if diff := cmp.Diff(want, x.Items, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("exported items (-want +got):\n%s", diff)
	}

	// The export imports into another site as it was.
	runCtl(t, "", nil, args(conn, "site", "create", "--id", "copy", "--name", "Copy")...)
	wantCode(t, runCtl(t, "", nil, args(conn, "canned", "import", "--site", "copy", out)...), ExitOK, "")
	tree, err := st.CannedTree(context.Background(), "copy")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, livehelp.ExportCanned("copy", tree, x.Exported).Items, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("re-imported tree (-want +got):\n%s", diff)
	}
}

func TestProgress(t *testing.T) {
	t.Parallel()
	if got, want := renderBar(5, 10, 10), "[#####.....]  50% 5/10"; got != want {
		t.Errorf("renderBar = %q, want %q", got, want)
	}
	var b strings.Builder
	p := newProgress(&b, 8, false, "read")
	for done := 0; done <= 8; done += 3 {
		p.Update(done, 8)
	}
	p.Update(8, 8)
	p.Done(true)
	want := "read 2/8\nread 4/8\nread 6/8\nread 8/8\n"
	if b.String() != want {
		t.Errorf("non-terminal progress = %q, want %q", b.String(), want)
	}
	b.Reset()
	p = newProgress(&b, 4, true, "read")
	p.Update(2, 4)
	p.Done(true)
	if want := "\r[###############...............]  50% 2/4\r[##############################] 100% 4/4\n"; b.String() != want {
		t.Errorf("terminal progress = %q, want %q", b.String(), want)
	}
}
