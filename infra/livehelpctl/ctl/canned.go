package ctl

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// cannedStore is the canned-message storage the commands need. The table
// backend gains it when shared/store implements these methods; until then
// canned export and import say it is not available (import --dry-run
// still reads and checks files).
type cannedStore interface {
	// CannedTree returns a site's canned messages as a tree.
	CannedTree(ctx context.Context, site string) ([]*livehelp.CannedEntry, error)
	// ImportCanned adds items under the top level of a site's tree, all or
	// nothing, calling progress after each batch it writes.
	ImportCanned(ctx context.Context, site string, items []livehelp.CannedImport, progress func(done, total int)) error
}

// errCannedPending is returned while shared/store has no canned storage.
func errCannedPending() error {
	return fmt.Errorf("canned messages are not available yet: this build's store has no canned-message storage (shared/store canned*.go)")
}

func cannedExport(ctx context.Context, e *env, args []string) error {
	fs := e.newFlags("canned export", "--site SITE [--out FILE]")
	site := fs.String("site", "", "`site` id")
	out := fs.String("out", "-", "`file` to write, - for standard output")
	if err := parse(fs, args, false); err != nil {
		return err
	}
	if err := required(fs, "site"); err != nil {
		return err
	}
	b, err := e.open(ctx)
	if err != nil {
		return err
	}
	cs, ok := b.(cannedStore)
	if !ok {
		return errCannedPending()
	}
	tree, err := cs.CannedTree(ctx, *site)
	if err != nil {
		return err
	}
	x := livehelp.ExportCanned(*site, tree, time.Now())
	if *out == "-" {
		return writeJSON(e.io.Out, x)
	}
	// Write beside the target and rename, so a failure never leaves half a file.
	tmp, err := os.CreateTemp(dirOf(*out), ".livehelp-canned-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := writeJSON(tmp, x); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), *out); err != nil {
		return err
	}
	fmt.Fprintf(e.io.Err, "exported %d canned items of site %s to %s\n", livehelp.CountCanned(x.Items), *site, *out)
	return nil
}

func cannedImport(ctx context.Context, e *env, args []string) error {
	fs := e.newFlags("canned import", "--site SITE [--yes] [--dry-run] PATH...")
	site := fs.String("site", "", "`site` id")
	yes := fs.Bool("yes", false, "import files over 10 KB without asking")
	dryRun := fs.Bool("dry-run", false, "read and check the files, print what would be imported, write nothing")
	if err := parse(fs, args, true); err != nil {
		return err
	}
	if err := required(fs, "site"); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("canned import: name at least one export file, text file or directory")
	}
	src, err := readCannedPaths(fs.Args())
	if err != nil {
		return err
	}
	for _, p := range src.skipped {
		fmt.Fprintf(e.io.Err, "skipped %s (not a regular file or directory)\n", p)
	}
	// A dry run without a terminal lists large files instead of refusing.
	if err := e.confirmLarge(src.large, *yes || (*dryRun && e.io.Terminal == nil)); err != nil {
		return err
	}
	items := prune(src.items)
	x := livehelp.CannedExport{Format: livehelp.CannedFormat, Version: 1, Items: items}
	if err := livehelp.ValidateCannedExport(&x); err != nil {
		return err
	}
	total := livehelp.CountCanned(items)
	if *dryRun {
		printTree(e.io.Out, items, "")
		fmt.Fprintf(e.io.Out, "%d items would be imported into site %s (dry run: nothing written)\n", total, *site)
		return nil
	}
	b, err := e.open(ctx)
	if err != nil {
		return err
	}
	cs, ok := b.(cannedStore)
	if !ok {
		return errCannedPending()
	}
	bar := newProgress(e.io.Err, total, e.io.Terminal != nil)
	err = cs.ImportCanned(ctx, *site, items, bar.Update)
	bar.Done(err == nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.io.Out, "imported %d canned items into site %s\n", total, *site)
	return nil
}

// confirmLarge asks about each file over 10 KB, or accepts them all with
// yes. Declined files are left out (their title is cleared for prune).
// Without a terminal and without --yes, it refuses rather than guess.
func (e *env) confirmLarge(large []largeFile, yes bool) error {
	if len(large) == 0 || yes {
		return nil
	}
	if e.io.Terminal == nil {
		fields := map[string]string{}
		for _, l := range large {
			fields[l.path] = fmt.Sprintf("%s, over 10 KB", kb(l.size))
		}
		return livehelp.Invalid("Some files are over 10 KB; confirm them with --yes. Nothing was imported.", fields)
	}
	for _, l := range large {
		ok, err := e.io.Terminal.Confirm(fmt.Sprintf("%s is %s. Import it?", l.path, kb(l.size)))
		if err != nil {
			return err
		}
		if !ok {
			l.item.Title = ""
			fmt.Fprintf(e.io.Err, "left out %s\n", l.path)
		}
	}
	return nil
}

// printTree prints items indented by folder level.
func printTree(w io.Writer, items []livehelp.CannedImport, indent string) {
	for _, it := range items {
		if it.Folder {
			fmt.Fprintf(w, "%s%s/\n", indent, it.Title)
			printTree(w, it.Children, indent+"  ")
			continue
		}
		note := ""
		if len(it.Text) > livehelp.LargeCannedFile {
			note = ", over 10 KB"
		}
		fmt.Fprintf(w, "%s%s (%s%s)\n", indent, it.Title, kb(int64(len(it.Text))), note)
	}
}

func dirOf(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if os.IsPathSeparator(path[i]) {
			return path[:i+1]
		}
	}
	return "."
}
