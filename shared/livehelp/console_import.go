package livehelp

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"unicode/utf8"
)

// ImportFile is one plain text file chosen in the browser, with its path
// relative to the chosen directory ("Sales/Prices/discount.txt") or just
// its name for loose files.
type ImportFile struct {
	Path string `json:"path"`
	Text string `json:"text"`
}

// MaxImportFiles bounds one import of files and directories.
const MaxImportFiles = 500

// skippedFile reports files a directory picker brings along that are not
// canned messages: hidden files and the desktop's metadata files.
func skippedFile(name string) bool {
	return strings.HasPrefix(name, ".") || strings.EqualFold(name, "Thumbs.db") || strings.EqualFold(name, "desktop.ini")
}

// CannedFromFiles turns plain text files into a tree to import: directory
// names become folders, file names (without their extension) titles, and
// file texts bodies. confirmed lists the paths of files over
// LargeCannedFile that the operator agreed to import.
//
// Every file is checked before anything is written. Bad files (not text,
// too large, a bad name) make an EINVALID error naming each of them; files
// over 10 KB that are not confirmed make an ECONFLICT error naming each of
// them, so the caller can ask and retry. Hidden files are skipped and
// counted in skipped.
func CannedFromFiles(files []ImportFile, confirmed []string) (items []CannedImport, skipped int, err error) {
	if len(files) == 0 {
		return nil, 0, Invalid("Choose at least one file.", map[string]string{"files": "Choose text files or a directory."})
	}
	if len(files) > MaxImportFiles {
		return nil, 0, Invalid("Too many files.", map[string]string{"files": fmt.Sprintf("Import at most %d files at once.", MaxImportFiles)})
	}
	ok := map[string]bool{}
	for _, c := range confirmed {
		ok[c] = true
	}
	bad, large := map[string]string{}, map[string]string{}
	type file struct {
		dirs  []string
		title string
		text  string
	}
	var good []file
	seen := map[string]bool{}
	for _, f := range files {
		segs, msg := splitImportPath(f.Path)
		name := f.Path
		if len(segs) > 0 {
			name = segs[len(segs)-1]
		}
		switch {
		case msg != "":
			bad[f.Path] = msg
			continue
		case skippedFile(name) || slices.ContainsFunc(segs[:len(segs)-1], skippedFile):
			skipped++
			continue
		case seen[f.Path]:
			bad[f.Path] = "This file is listed twice."
			continue
		}
		seen[f.Path] = true
		text := strings.ReplaceAll(strings.TrimPrefix(f.Text, "\ufeff"), "\r\n", "\n")
		switch {
		case !utf8.ValidString(text) || strings.ContainsRune(text, 0):
			bad[f.Path] = "This is not a plain text file."
			continue
		case len(text) > MaxCannedBody:
			bad[f.Path] = "This file is over 64 KB, the largest canned message."
			continue
		case len(text) > LargeCannedFile && !ok[f.Path]:
			large[f.Path] = fmt.Sprintf("This file is %d KB; confirm to import it.", (len(text)+1023)/1024)
		}
		good = append(good, file{dirs: segs[:len(segs)-1], title: titleOf(name), text: text})
	}
	if len(bad) > 0 {
		return nil, 0, Invalid("Some files cannot be imported; nothing was imported.", bad)
	}
	if len(large) > 0 {
		return nil, 0, &Error{Code: ECONFLICT, Message: "Some files are over 10 KB and need your confirmation.", Fields: large}
	}
	if len(good) == 0 {
		return nil, skipped, Invalid("There is nothing to import.", map[string]string{"files": "The chosen files are all hidden or system files."})
	}
	slices.SortStableFunc(good, func(a, b file) int {
		return strings.Compare(strings.Join(append(slices.Clone(a.dirs), a.title), "/"), strings.Join(append(slices.Clone(b.dirs), b.title), "/"))
	})
	root := &CannedImport{Folder: true}
	for _, f := range good {
		dir := root
		for _, d := range f.dirs {
			dir = childFolder(dir, d)
		}
		dir.Children = append(dir.Children, CannedImport{Title: f.title, Text: f.text})
	}
	return root.Children, skipped, nil
}

// childFolder returns dir's sub-folder titled title, adding it if needed.
func childFolder(dir *CannedImport, title string) *CannedImport {
	for i := range dir.Children {
		if dir.Children[i].Folder && dir.Children[i].Title == title {
			return &dir.Children[i]
		}
	}
	dir.Children = append(dir.Children, CannedImport{Title: title, Folder: true})
	return &dir.Children[len(dir.Children)-1]
}

// splitImportPath splits a relative path into its segments, or returns a
// message saying what is wrong with it.
func splitImportPath(p string) ([]string, string) {
	p = strings.ReplaceAll(p, "\\", "/")
	if p == "" || strings.HasPrefix(p, "/") {
		return nil, "The file has no usable name."
	}
	segs := strings.Split(p, "/")
	if len(segs) > MaxCannedDepth+1 {
		return nil, "The directories are nested too deeply (at most 10 levels)."
	}
	for _, s := range segs {
		if s == "" || s == "." || s == ".." {
			return nil, "The file has no usable name."
		}
		if msg := titleProblem(s); msg != "" {
			return nil, "The name is not usable: " + strings.ToLower(msg[:1]) + msg[1:]
		}
	}
	return segs, ""
}

// titleOf returns a file name without its last extension ("a.txt" → "a"),
// keeping names that are all extension (".profile").
func titleOf(name string) string {
	ext := path.Ext(name)
	if t := strings.TrimSuffix(name, ext); strings.TrimSpace(t) != "" {
		return t
	}
	return name
}
