package browsertest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"
)

// TestConsoleCanned covers canned messages in the browser: inserting one
// puts the operator's current name for %name% (and the new name after a
// rename); importing a directory asks to confirm a file over 10 KB; export,
// delete all and import give back the same tree.
func TestConsoleCanned(t *testing.T) {
	s := startConsoleStack(t)
	fileMessage(t, s, "v-bo", "Bo", "bo@example.com", "Question", "Do you ship abroad?")
	b := newBrowser(t, 1280, 900)
	b.consoleLogin(s.ConsoleURL, s.Demo.Email, s.Demo.Password)

	// Add a message with %name% in the Configure canned messages view.
	b.clickCSS(`#nav a[href="#/canned"]`)
	b.waitFor("the canned view", q(".tree"), 10*time.Second)
	b.clickButton(".toolbar", "Add message")
	b.fill("#new-title", "Greeting")
	b.fill("#new-body", "Hello, I am %name% from the support team.")
	b.clickButton("dialog", "Add")
	b.waitFor("the new message in the tree", `[...document.querySelectorAll('.tree-title')].some(e => e.textContent === 'Greeting')`, 10*time.Second)

	// Insert it into a reply: %name% becomes the operator's name.
	insert := func() string {
		t.Helper()
		b.do(chromedp.Navigate(s.ConsoleURL + "#/visitor/v-bo"))
		b.waitFor("the reply box", q("#reply-text"), 10*time.Second)
		b.fill("#reply-text", "")
		b.clickCSS(".reply .canned-button")
		b.clickButton(".canned-menu", "Greeting")
		b.waitFor("the inserted text", q("#reply-text")+`.value !== ''`, 10*time.Second)
		return b.str(q("#reply-text") + ".value")
	}
	if got := insert(); got != "Hello, I am Demo Operator from the support team." {
		t.Errorf("inserted %q", got)
	}
	b.shot("console-canned-insert")
	b.clickCSS("#me-button")
	b.clickButton("#me-menu", "Change my name")
	b.fill("#rename-name", "Dana Smith")
	b.clickButton("dialog", "Save")
	b.waitFor("the new name", q("#me-button")+`.textContent === 'Dana Smith'`, 10*time.Second)
	if got := insert(); got != "Hello, I am Dana Smith from the support team." {
		t.Errorf("after the rename, inserted %q", got)
	}

	// Import a directory with a file over 10 KB: the console asks first.
	dir := filepath.Join(t.TempDir(), "Support")
	for path, text := range map[string]string{
		"Billing/refunds.txt": "Refunds take 5 working days, %name%.",
		"Billing/invoice.txt": "Your invoice is attached.",
		"hello.txt":           "Hello and welcome!",
		"manual.txt":          strings.Repeat("A long answer line.\n", 700), // 14 KB
	} {
		p := filepath.Join(dir, path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b.do(chromedp.Navigate(s.ConsoleURL + "#/canned"))
	b.waitFor("the canned view", q(".tree .tree-label"), 10*time.Second)
	b.do(chromedp.SetUploadFiles(chromedp.CSS(`input[data-import="Import directory"]`), []string{dir}))
	b.waitFor("the large-file confirmation", q("dialog.confirm[open]"), 10*time.Second)
	if got := b.text("dialog.confirm .dialog-message"); !strings.Contains(got, "Support/manual.txt") || !strings.Contains(got, "14 KB") {
		t.Errorf("confirmation says %q", got)
	}
	b.shot("console-canned-confirm")
	b.clickButton("dialog.confirm", "Import it")
	b.waitFor("the imported folder", `[...document.querySelectorAll('.tree-title')].some(e => e.textContent === 'manual')`, 15*time.Second)
	before := b.treeOutline()
	want := []string{"Greeting", "Support/", "  Billing/", "    invoice", "    refunds", "  hello", "  manual"}
	if diff := cmp.Diff(want, before); diff != "" {
		t.Errorf("tree after import (-want +got):\n%s", diff)
	}
	b.shot("console-canned-tree")

	// Export, delete all, import the file: the same tree.
	downloads := t.TempDir()
	b.allowDownloads(downloads)
	b.clickButton(".toolbar", "Export")
	var exported string
	eventually(t, "the export file", 15*time.Second, func() bool {
		m, _ := filepath.Glob(filepath.Join(downloads, "canned-demo-*.json"))
		if len(m) == 1 {
			if data, err := os.ReadFile(m[0]); err == nil && strings.HasSuffix(strings.TrimSpace(string(data)), "}") {
				exported = m[0]
				return true
			}
		}
		return false
	})
	b.clickButton(".toolbar", "Delete all")
	b.clickButton("dialog.confirm", "Delete all")
	b.waitFor("an empty tree", q(".empty-tree"), 10*time.Second)
	b.do(chromedp.SetUploadFiles(chromedp.CSS(`input[data-import="Import file"]`), []string{exported}))
	b.waitFor("the tree back", `document.querySelectorAll('.tree-title').length === 7`, 15*time.Second)
	if diff := cmp.Diff(before, b.treeOutline()); diff != "" {
		t.Errorf("export → delete all → import changed the tree (-before +after):\n%s", diff)
	}
	// The bodies came back too.
	b.clickButton(".tree", "refunds")
	if got := b.str(q("#canned-body") + ".value"); got != "Refunds take 5 working days, %name%." {
		t.Errorf("refunds body after the round trip = %q", got)
	}
	b.noInjection("canned")
}

// treeOutline returns the canned tree as indented titles, folders with "/".
func (b *browser) treeOutline() []string {
	b.t.Helper()
	var out []string
	b.evalJSON(`[...document.querySelectorAll('.tree .tree-label')].map(e =>
		'  '.repeat(Number(e.getAttribute('aria-level')) - 1) + e.querySelector('.tree-title').textContent + (e.classList.contains('folder') ? '/' : ''))`, &out)
	return out
}
