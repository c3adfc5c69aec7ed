package ctl

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/livehelp/livehelp/shared/livehelp"
)

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
	x, err := b.ExportCanned(ctx, *site)
	if err != nil {
		return err
	}
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
	cf, err := findCannedFiles(fs.Args())
	if err != nil {
		return err
	}
	for _, p := range cf.skipped {
		fmt.Fprintf(e.io.Err, "skipped %s (hidden, a link or not a regular file)\n", p)
	}
	if len(cf.files) > 0 {
		bar := newProgress(e.io.Err, len(cf.files), e.io.Terminal != nil, "read")
		err := cf.read(bar.Update)
		bar.Done(err == nil)
		if err != nil {
			return err
		}
	}
	// A dry run without a terminal lists large files instead of refusing.
	confirmed, err := e.confirmLarge(cf, *yes || (*dryRun && e.io.Terminal == nil))
	if err != nil {
		return err
	}
	items, err := cf.items(confirmed)
	if err != nil {
		return err
	}
	total := livehelp.CountCanned(items)
	if total == 0 {
		return livehelp.Invalid("There is nothing to import.", map[string]string{"files": "The files given are all hidden, links or left out."})
	}
	if *dryRun {
		printTree(e.io.Out, items, "")
		fmt.Fprintf(e.io.Out, "%d items would be imported into site %s (dry run: nothing written)\n", total, *site)
		return nil
	}
	b, err := e.open(ctx)
	if err != nil {
		return err
	}
	// The store writes an import in one transaction, or in staged batches
	// that appear together, so there is no per-item progress to draw here.
	fmt.Fprintf(e.io.Err, "writing %d items...\n", total)
	n, err := b.ImportCanned(ctx, *site, items)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.io.Out, "imported %d canned items into site %s\n", n, *site)
	return nil
}

// confirmLarge asks about each file over 10 KB, or accepts them all with
// yes, and returns the confirmed paths; declined files are dropped.
// Without a terminal and without --yes, it refuses rather than guess.
func (e *env) confirmLarge(cf *cannedFiles, yes bool) ([]string, error) {
	large := cf.large()
	var confirmed, declined []string
	for _, l := range large {
		switch {
		case yes:
			confirmed = append(confirmed, l.path)
		case e.io.Terminal == nil:
			fields := map[string]string{}
			for _, l := range large {
				fields[l.disk] = kb(l.size) + ", over 10 KB"
			}
			return nil, livehelp.Invalid("Some files are over 10 KB; confirm them with --yes. Nothing was imported.", fields)
		default:
			ok, err := e.io.Terminal.Confirm(fmt.Sprintf("%s is %s. Import it?", l.disk, kb(l.size)))
			if err != nil {
				return nil, err
			}
			if ok {
				confirmed = append(confirmed, l.path)
			} else {
				declined = append(declined, l.path)
				fmt.Fprintf(e.io.Err, "left out %s\n", l.disk)
			}
		}
	}
	cf.drop(declined)
	return confirmed, nil
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
