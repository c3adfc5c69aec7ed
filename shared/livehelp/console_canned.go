package livehelp

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits of a site's canned messages.
const (
	MaxCannedTitle = 200      // runes
	MaxCannedBody  = 64 << 10 // bytes
	MaxCannedNodes = 2000     // folders and messages per site
	MaxCannedDepth = 10       // folder levels
	// LargeCannedFile is the size over which an imported file needs the
	// operator's confirmation.
	LargeCannedFile = 10 << 10
)

// NameVariable is replaced by the operator's current name when a canned
// message is inserted.
const NameVariable = "%name%"

// CannedNode is one folder or message of a site's canned-message tree.
type CannedNode struct {
	ID       string
	Site     string
	Parent   string // "" for the top level
	Folder   bool
	Title    string
	Body     string  // messages only
	Position float64 // order among siblings, ascending
	Updated  time.Time
}

// CannedEntry is a node with its children, in order.
type CannedEntry struct {
	CannedNode
	Children []*CannedEntry
}

// ExpandCanned returns body with every %name% replaced by operatorName.
// The name is read when the message is inserted, so renaming an operator
// changes every later insertion.
func ExpandCanned(body, operatorName string) string {
	return strings.ReplaceAll(body, NameVariable, operatorName)
}

// BuildCannedTree arranges nodes into a tree. Siblings are ordered by
// position, then title, then id. Nodes whose parent is missing or is not a
// folder, and nodes in a parent cycle, are left out: a half-deleted
// subtree is never shown.
func BuildCannedTree(nodes []CannedNode) []*CannedEntry {
	byID := make(map[string]*CannedEntry, len(nodes))
	for _, n := range nodes {
		byID[n.ID] = &CannedEntry{CannedNode: n}
	}
	var roots []*CannedEntry
	for _, n := range nodes {
		e := byID[n.ID]
		if n.Parent == "" {
			roots = append(roots, e)
			continue
		}
		if p, ok := byID[n.Parent]; ok && p.Folder {
			p.Children = append(p.Children, e)
		}
	}
	sortEntries(roots, 0)
	return roots
}

func sortEntries(es []*CannedEntry, depth int) {
	slices.SortFunc(es, func(a, b *CannedEntry) int {
		return cmp.Or(cmp.Compare(a.Position, b.Position), cmp.Compare(a.Title, b.Title), cmp.Compare(a.ID, b.ID))
	})
	for _, e := range es {
		if depth > MaxCannedDepth {
			e.Children = nil // only a cycle can nest this deep
		}
		sortEntries(e.Children, depth+1)
	}
}

// CannedDescendants returns the ids of id and every node below it, given
// each node's parent.
func CannedDescendants(parents map[string]string, id string) []string {
	children := map[string][]string{}
	for n, p := range parents {
		children[p] = append(children[p], n)
	}
	out := []string{id}
	seen := map[string]bool{id: true}
	for i := 0; i < len(out); i++ {
		for _, c := range children[out[i]] {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	return out
}

// CannedDepth returns the number of folder levels above id (0 for a top
// level node), given each node's parent; a cycle counts as too deep.
func CannedDepth(parents map[string]string, id string) int {
	d := 0
	for p := parents[id]; p != ""; p = parents[p] {
		d++
		if d > MaxCannedDepth+1 {
			break
		}
	}
	return d
}

// ValidateCannedNode checks a node's title and body.
func ValidateCannedNode(n *CannedNode) error {
	fields := map[string]string{}
	if msg := titleProblem(n.Title); msg != "" {
		fields["title"] = msg
	}
	switch {
	case n.Folder && n.Body != "":
		fields["body"] = "A folder has no text."
	case len(n.Body) > MaxCannedBody:
		fields["body"] = "The text is longer than 64 KB."
	case !utf8.ValidString(n.Body) || strings.ContainsRune(n.Body, 0):
		fields["body"] = "The text is not valid text."
	}
	if len(fields) > 0 {
		return Invalid("Check the canned message.", fields)
	}
	return nil
}

func titleProblem(title string) string {
	switch {
	case strings.TrimSpace(title) == "":
		return "Enter a title."
	case utf8.RuneCountInString(title) > MaxCannedTitle:
		return "Use at most 200 characters."
	case !utf8.ValidString(title) || strings.ContainsFunc(title, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return "Use plain text on one line."
	}
	return ""
}

// CannedImport is one node of a tree to import: from an export file or
// from files and directories.
type CannedImport struct {
	Title    string         `json:"title"`
	Folder   bool           `json:"folder,omitempty"`
	Text     string         `json:"text,omitempty"`
	Children []CannedImport `json:"children,omitempty"`
}

// CannedExport is the JSON file canned messages are exported to and
// imported from.
type CannedExport struct {
	Format   string         `json:"format"`  // always CannedFormat
	Version  int            `json:"version"` // always 1
	Site     string         `json:"site,omitempty"`
	Exported time.Time      `json:"exported"`
	Items    []CannedImport `json:"items"`
}

// CannedFormat names the export file format.
const CannedFormat = "livehelp-canned"

// ExportCanned turns a tree into its export form, keeping order, titles
// and texts exactly.
func ExportCanned(site string, tree []*CannedEntry, now time.Time) CannedExport {
	var conv func([]*CannedEntry) []CannedImport
	conv = func(es []*CannedEntry) []CannedImport {
		out := make([]CannedImport, 0, len(es))
		for _, e := range es {
			out = append(out, CannedImport{Title: e.Title, Folder: e.Folder, Text: e.Body, Children: conv(e.Children)})
		}
		return out
	}
	return CannedExport{Format: CannedFormat, Version: 1, Site: site, Exported: now.UTC(), Items: conv(tree)}
}

// CountCanned returns the number of nodes in items, children included.
func CountCanned(items []CannedImport) int {
	n := 0
	for _, it := range items {
		n += 1 + CountCanned(it.Children)
	}
	return n
}

// ValidateCannedExport checks an export before anything is written: the
// format, and every title and text, with per-node messages keyed by their
// place (e.g. "items[2].children[0].title").
func ValidateCannedExport(x *CannedExport) error {
	if x.Format != CannedFormat || x.Version != 1 {
		return Invalid("This is not a canned-messages export file.", map[string]string{"file": "Choose a file exported from Live Help (format livehelp-canned, version 1)."})
	}
	fields := map[string]string{}
	var walk func(prefix string, items []CannedImport, depth int)
	walk = func(prefix string, items []CannedImport, depth int) {
		for i, it := range items {
			p := fmt.Sprintf("%s[%d]", prefix, i)
			n := CannedNode{Title: it.Title, Folder: it.Folder, Body: it.Text}
			if !it.Folder && len(it.Children) > 0 {
				fields[p] = "Only a folder can hold other items."
			}
			if depth >= MaxCannedDepth && it.Folder {
				fields[p] = "Folders are nested too deeply (at most 10 levels)."
			}
			if err := ValidateCannedNode(&n); err != nil {
				for k, v := range ErrorFields(err) {
					fields[p+"."+k] = v
				}
			}
			if len(fields) >= 20 {
				return
			}
			walk(p+".children", it.Children, depth+1)
		}
	}
	walk("items", x.Items, 0)
	if n := CountCanned(x.Items); n > MaxCannedNodes {
		fields["items"] = fmt.Sprintf("The file holds %d items; a site keeps at most %d.", n, MaxCannedNodes)
	}
	if len(fields) > 0 {
		return Invalid("The file has problems; nothing was imported.", fields)
	}
	return nil
}
