package ctl

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// cannedFiles is what canned import found in its arguments: the text files
// to read (paths as the console's directory picker gives them: the chosen
// directory's name, then the path below it) or one export file.
type cannedFiles struct {
	files   []livehelp.ImportFile // Text filled by read
	disk    []string              // where each file is on disk
	export  *livehelp.CannedExport
	skipped []string // hidden, symlinked or special entries left out
}

// findCannedFiles lists the files canned import will read: an export file
// (*.json, alone) or text files and directories. Directories are walked in
// name order; hidden entries (.git, .DS_Store) and symlinks are left out,
// so a link can neither loop nor reach outside the directory.
func findCannedFiles(paths []string) (*cannedFiles, error) {
	cf := &cannedFiles{}
	for _, p := range paths {
		info, err := os.Lstat(p)
		if err != nil {
			return nil, livehelp.Invalid("Nothing was imported.", map[string]string{p: "Cannot read it: " + pathError(err)})
		}
		switch {
		case info.Mode().IsRegular() && strings.EqualFold(filepath.Ext(p), ".json"):
			if len(paths) > 1 {
				return nil, usagef("canned import: import an export file (%s) on its own, not with other files", p)
			}
			x, err := readExportFile(p)
			if err != nil {
				return nil, err
			}
			cf.export = x
		case info.Mode().IsRegular():
			cf.add(filepath.Base(p), p)
		case info.IsDir():
			if err := cf.walk(p); err != nil {
				return nil, err
			}
		default:
			return nil, livehelp.Invalid("Nothing was imported.", map[string]string{p: "Not a file or a directory."})
		}
	}
	return cf, nil
}

func (cf *cannedFiles) add(rel, disk string) {
	cf.files = append(cf.files, livehelp.ImportFile{Path: rel})
	cf.disk = append(cf.disk, disk)
}

func (cf *cannedFiles) walk(root string) error {
	base := filepath.Base(filepath.Clean(root))
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return livehelp.Invalid("Nothing was imported.", map[string]string{p: "Cannot read it: " + pathError(err)})
		}
		if p == root {
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") || (!d.IsDir() && !d.Type().IsRegular()) {
			cf.skipped = append(cf.skipped, p)
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		cf.add(base+"/"+filepath.ToSlash(rel), p)
		return nil
	})
}

// read reads every file, reporting progress after each. A file is read
// up to one byte past the largest canned message, enough for the check
// to refuse it without holding a huge file in memory.
func (cf *cannedFiles) read(progress func(done, total int)) error {
	for i, p := range cf.disk {
		f, err := os.Open(p)
		if err != nil {
			return livehelp.Invalid("Nothing was imported.", map[string]string{p: "Cannot read it: " + pathError(err)})
		}
		data, err := io.ReadAll(io.LimitReader(f, livehelp.MaxCannedBody+1))
		f.Close()
		if err != nil {
			return livehelp.Invalid("Nothing was imported.", map[string]string{p: "Cannot read it: " + pathError(err)})
		}
		cf.files[i].Text = string(data)
		progress(i+1, len(cf.disk))
	}
	return nil
}

// large returns the paths of the files over the size that needs
// confirmation (files over the maximum are refused later anyway).
func (cf *cannedFiles) large() []largeFile {
	var out []largeFile
	for i, f := range cf.files {
		if n := len(f.Text); n > livehelp.LargeCannedFile && n <= livehelp.MaxCannedBody {
			out = append(out, largeFile{path: f.Path, disk: cf.disk[i], size: int64(n)})
		}
	}
	return out
}

// largeFile is a file over livehelp.LargeCannedFile.
type largeFile struct {
	path, disk string
	size       int64
}

// drop removes the files at the given import paths.
func (cf *cannedFiles) drop(paths []string) {
	for i := len(cf.files) - 1; i >= 0; i-- {
		if slices.Contains(paths, cf.files[i].Path) {
			cf.files = slices.Delete(cf.files, i, i+1)
			cf.disk = slices.Delete(cf.disk, i, i+1)
		}
	}
}

// items turns the files into a tree exactly as the console's import does
// (livehelp.CannedFromFiles: directories become folders, file names without
// their extension titles, texts bodies), in batches of the console's
// per-request limit merged into one tree, so the CLI takes larger imports.
func (cf *cannedFiles) items(confirmed []string) ([]livehelp.CannedImport, error) {
	if cf.export != nil {
		return cf.export.Items, nil
	}
	files := slices.Clone(cf.files)
	slices.SortStableFunc(files, func(a, b livehelp.ImportFile) int { return strings.Compare(a.Path, b.Path) })
	var items []livehelp.CannedImport
	bad := map[string]string{}
	for start := 0; start < len(files); start += livehelp.MaxImportFiles {
		batch := files[start:min(start+livehelp.MaxImportFiles, len(files))]
		got, _, err := livehelp.CannedFromFiles(batch, confirmed)
		if err != nil {
			var le *livehelp.Error
			if !errors.As(err, &le) || le.Fields == nil {
				return nil, err
			}
			for k, v := range le.Fields {
				bad[k] = v
			}
			continue
		}
		items = mergeCanned(items, got)
	}
	if len(bad) > 0 {
		return nil, livehelp.Invalid("Some files cannot be imported; nothing was imported.", bad)
	}
	return items, nil
}

// mergeCanned adds src to dst, merging folders of the same title.
func mergeCanned(dst, src []livehelp.CannedImport) []livehelp.CannedImport {
	for _, it := range src {
		i := slices.IndexFunc(dst, func(d livehelp.CannedImport) bool { return it.Folder && d.Folder && d.Title == it.Title })
		if i < 0 {
			dst = append(dst, it)
			continue
		}
		dst[i].Children = mergeCanned(dst[i].Children, it.Children)
	}
	return dst
}

// readExportFile reads and checks a canned-messages export file.
func readExportFile(path string) (*livehelp.CannedExport, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, livehelp.Invalid("Nothing was imported.", map[string]string{path: "Cannot read it: " + pathError(err)})
	}
	var x livehelp.CannedExport
	if err := json.Unmarshal(data, &x); err != nil || x.Format != livehelp.CannedFormat {
		return nil, livehelp.Invalid("Nothing was imported.", map[string]string{path: "Not a Live Help canned-messages export (format livehelp-canned)."})
	}
	if err := livehelp.ValidateCannedExport(&x); err != nil {
		return nil, err
	}
	return &x, nil
}

func kb(n int64) string { return fmt.Sprintf("%.1f KB", float64(n)/1024) }

// pathError returns the reason of a file error without repeating the path.
func pathError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
