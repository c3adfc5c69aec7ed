package ctl

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// largeFile is a file over livehelp.LargeCannedFile, which needs the
// admin's confirmation before it is imported.
type largeFile struct {
	path string
	size int64
	item *livehelp.CannedImport // cleared when the admin declines it
}

// cannedSource is what canned import read from its arguments.
type cannedSource struct {
	items   []livehelp.CannedImport
	large   []largeFile
	skipped []string // symlinks and other non-regular files, left out
}

// readCannedPaths turns import arguments into canned items, in order:
// an export file (*.json in the livehelp-canned format) adds its items; a
// text file becomes a message titled by its name (without .txt, .text or
// .md) whose text is the file's; a directory becomes a folder titled by its
// name holding its entries sorted by name. Hidden entries (.name) are left
// out, and so are symlinks, so a link cannot loop or reach outside.
func readCannedPaths(paths []string) (*cannedSource, error) {
	src := &cannedSource{}
	for _, p := range paths {
		info, err := os.Lstat(p)
		if err != nil {
			return nil, livehelp.Invalid("Nothing was imported.", map[string]string{p: "Cannot read it: " + pathError(err)})
		}
		switch {
		case info.IsDir():
			it, err := src.readDir(p, filepath.Base(filepath.Clean(p)))
			if err != nil {
				return nil, err
			}
			src.items = append(src.items, it)
		case info.Mode().IsRegular() && strings.EqualFold(filepath.Ext(p), ".json"):
			x, err := readExportFile(p)
			if err != nil {
				return nil, err
			}
			src.items = append(src.items, x.Items...)
		case info.Mode().IsRegular():
			it, err := src.readFile(p, info.Size())
			if err != nil {
				return nil, err
			}
			src.items = append(src.items, it)
		default:
			return nil, livehelp.Invalid("Nothing was imported.", map[string]string{p: "Not a file or a directory."})
		}
	}
	// Pointers into items are only stable now that every append is done.
	walkItems(src.items, func(it *livehelp.CannedImport, path string, size int64) {
		src.large = append(src.large, largeFile{path: path, size: size, item: it})
	})
	return src, nil
}

func (s *cannedSource) readDir(dir, title string) (livehelp.CannedImport, error) {
	folder := livehelp.CannedImport{Title: title, Folder: true}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return folder, livehelp.Invalid("Nothing was imported.", map[string]string{dir: "Cannot read it: " + pathError(err)})
	}
	slices.SortFunc(entries, func(a, b os.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	for _, ent := range entries {
		path := filepath.Join(dir, ent.Name())
		switch {
		case strings.HasPrefix(ent.Name(), "."):
			continue
		case ent.Type()&fs.ModeSymlink != 0 || !(ent.IsDir() || ent.Type().IsRegular()):
			s.skipped = append(s.skipped, path)
		case ent.IsDir():
			child, err := s.readDir(path, ent.Name())
			if err != nil {
				return folder, err
			}
			folder.Children = append(folder.Children, child)
		default:
			info, err := ent.Info()
			if err != nil {
				return folder, livehelp.Invalid("Nothing was imported.", map[string]string{path: "Cannot read it: " + pathError(err)})
			}
			child, err := s.readFile(path, info.Size())
			if err != nil {
				return folder, err
			}
			folder.Children = append(folder.Children, child)
		}
	}
	return folder, nil
}

// readFile reads one text file as a message. Files far over the limit are
// refused without reading them whole.
func (s *cannedSource) readFile(path string, size int64) (livehelp.CannedImport, error) {
	it := livehelp.CannedImport{Title: titleOf(path)}
	if size > livehelp.MaxCannedBody {
		return it, livehelp.Invalid("Nothing was imported.", map[string]string{path: fmt.Sprintf("The file is %s; a canned message holds at most 64 KB.", kb(size))})
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return it, livehelp.Invalid("Nothing was imported.", map[string]string{path: "Cannot read it: " + pathError(err)})
	}
	it.Text = string(data)
	return it, nil
}

// walkItems calls large for every message in items whose text is over the
// confirmation size; path names it for the admin.
func walkItems(items []livehelp.CannedImport, large func(*livehelp.CannedImport, string, int64)) {
	var walk func(items []livehelp.CannedImport, prefix string)
	walk = func(items []livehelp.CannedImport, prefix string) {
		for i := range items {
			it := &items[i]
			name := it.Title
			if prefix != "" {
				name = prefix + "/" + it.Title
			}
			if !it.Folder && len(it.Text) > livehelp.LargeCannedFile {
				large(it, name, int64(len(it.Text)))
			}
			walk(it.Children, name)
		}
	}
	walk(items, "")
}

// titleOf returns a file's title: its name without a text extension.
func titleOf(path string) string {
	name := filepath.Base(path)
	switch ext := filepath.Ext(name); strings.ToLower(ext) {
	case ".txt", ".text", ".md":
		if t := strings.TrimSuffix(name, ext); t != "" {
			return t
		}
	}
	return name
}

// readExportFile reads a canned-messages export file.
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

// prune removes declined messages (cleared to an empty title) and returns
// the remaining items.
func prune(items []livehelp.CannedImport) []livehelp.CannedImport {
	out := items[:0]
	for _, it := range items {
		if it.Title == "" && !it.Folder {
			continue
		}
		it.Children = prune(it.Children)
		out = append(out, it)
	}
	return out
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
