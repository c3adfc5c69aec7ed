package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/google/go-cmp/cmp"

	"github.com/livehelp/livehelp/infra/dynamolocal"

	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

// outline renders a tree as indented "title" / "title: body" lines.
func outline(tree []*livehelp.CannedEntry) []string {
	var out []string
	var walk func([]*livehelp.CannedEntry, string)
	walk = func(es []*livehelp.CannedEntry, indent string) {
		for _, e := range es {
			if e.Folder {
				out = append(out, indent+e.Title+"/")
			} else {
				out = append(out, indent+e.Title+": "+e.Body)
			}
			walk(e.Children, indent+"  ")
		}
	}
	walk(tree, "")
	return out
}

func cannedOutline(t *testing.T, st *store.Store, site string) []string {
	t.Helper()
	tree, err := st.CannedTree(context.Background(), site)
	if err != nil {
		t.Fatal(err)
	}
	return outline(tree)
}

func TestCannedCRUDAndMove(t *testing.T) {
	t.Parallel()
	st, _ := consoleStore(t)
	ctx := context.Background()
	mk := func(parent string, folder bool, title, body string) string {
		t.Helper()
		n := &livehelp.CannedNode{Site: "s1", Parent: parent, Folder: folder, Title: title, Body: body}
		if err := st.CreateCanned(ctx, n); err != nil {
			t.Fatalf("CreateCanned(%s): %v", title, err)
		}
		return n.ID
	}
	greet := mk("", true, "Greetings", "")
	hello := mk(greet, false, "Hello", "Hi, I am %name%.")
	mk(greet, false, "Bye", "Goodbye!")
	sales := mk("", true, "Sales", "")
	sub := mk(sales, true, "Discounts", "")
	mk("", false, "Loose", "text")

	want := []string{"Greetings/", "  Hello: Hi, I am %name%.", "  Bye: Goodbye!", "Sales/", "  Discounts/", "Loose: text"}
	if diff := cmp.Diff(want, cannedOutline(t, st, "s1")); diff != "" {
		t.Fatalf("tree (-want +got):\n%s", diff)
	}
	if got := cannedOutline(t, st, "s2"); len(got) != 0 {
		t.Errorf("another site sees %v", got)
	}

	title, body := "Hello there", "Hello, %name% here."
	if _, err := st.UpdateCanned(ctx, "s1", hello, store.CannedChange{Title: &title, Body: &body}); err != nil {
		t.Fatal(err)
	}
	// Move Hello into Sales/Discounts, then Sales before Greetings.
	if _, err := st.UpdateCanned(ctx, "s1", hello, store.CannedChange{Parent: &sub}); err != nil {
		t.Fatal(err)
	}
	top := ""
	if _, err := st.UpdateCanned(ctx, "s1", sales, store.CannedChange{Parent: &top, Before: &greet}); err != nil {
		t.Fatal(err)
	}
	want = []string{"Sales/", "  Discounts/", "    Hello there: Hello, %name% here.", "Greetings/", "  Bye: Goodbye!", "Loose: text"}
	if diff := cmp.Diff(want, cannedOutline(t, st, "s1")); diff != "" {
		t.Fatalf("after edit and moves (-want +got):\n%s", diff)
	}

	bad := []struct {
		name string
		id   string
		c    store.CannedChange
		code string
	}{
		{"into itself", sales, store.CannedChange{Parent: &sales}, livehelp.EINVALID},
		{"below itself", sales, store.CannedChange{Parent: &sub}, livehelp.EINVALID},
		{"into a message", sales, store.CannedChange{Parent: &hello}, livehelp.EINVALID},
		{"empty title", hello, store.CannedChange{Title: &top}, livehelp.EINVALID},
		{"unknown node", "nope", store.CannedChange{Title: &title}, livehelp.ENOTFOUND},
	}
	for _, tt := range bad {
		if _, err := st.UpdateCanned(ctx, "s1", tt.id, tt.c); !livehelp.IsCode(err, tt.code) {
			t.Errorf("%s: err = %v, want %s", tt.name, err, tt.code)
		}
	}
	if err := st.CreateCanned(ctx, &livehelp.CannedNode{Site: "s1", Parent: hello, Title: "x", Body: "y"}); !livehelp.IsCode(err, livehelp.EINVALID) {
		t.Errorf("create under a message: %v", err)
	}

	// Deleting a folder deletes what is inside.
	if err := st.DeleteCanned(ctx, "s1", sales); err != nil {
		t.Fatal(err)
	}
	want = []string{"Greetings/", "  Bye: Goodbye!", "Loose: text"}
	if diff := cmp.Diff(want, cannedOutline(t, st, "s1")); diff != "" {
		t.Fatalf("after delete (-want +got):\n%s", diff)
	}
	nodes, _ := st.CannedNodes(ctx, "s1")
	if len(nodes) != 3 {
		t.Errorf("%d nodes stored after deleting a subtree, want 3", len(nodes))
	}
}

func TestCannedExportDeleteAllImport(t *testing.T) {
	t.Parallel()
	st, now := consoleStore(t)
	ctx := context.Background()
	files := []livehelp.ImportFile{
		{Path: "Replies/Billing/refund.txt", Text: "Refunds take 5 days, %name%."},
		{Path: "Replies/Billing/invoice.txt", Text: "<b>Invoices</b> & \"quotes\"\nline two"},
		{Path: "Replies/hello.md", Text: "Hello!"},
		{Path: "Replies/.DS_Store", Text: "junk"},
	}
	items, skipped, err := livehelp.CannedFromFiles(files, nil)
	if err != nil || skipped != 1 {
		t.Fatalf("CannedFromFiles: skipped=%d err=%v", skipped, err)
	}
	if n, err := st.ImportCanned(ctx, "s1", "", items); err != nil || n != 5 {
		t.Fatalf("ImportCanned = %d, %v", n, err)
	}
	// Importing the same directory again merges folders and adds messages.
	if n, err := st.ImportCanned(ctx, "s1", "", items[:1]); err != nil || n != 3 {
		t.Fatalf("second import = %d, %v", n, err)
	}
	before := cannedOutline(t, st, "s1")
	want := []string{"Replies/", "  Billing/", "    invoice: <b>Invoices</b> & \"quotes\"\nline two", "    refund: Refunds take 5 days, %name%.",
		"    invoice: <b>Invoices</b> & \"quotes\"\nline two", "    refund: Refunds take 5 days, %name%.", "  hello: Hello!", "  hello: Hello!"}
	if diff := cmp.Diff(want, before); diff != "" {
		t.Fatalf("imported tree (-want +got):\n%s", diff)
	}

	tree, _ := st.CannedTree(ctx, "s1")
	x := livehelp.ExportCanned("s1", tree, *now)
	if n, err := st.DeleteAllCanned(ctx, "s1"); err != nil || n != 8 {
		t.Fatalf("DeleteAllCanned = %d, %v", n, err)
	}
	if got := cannedOutline(t, st, "s1"); len(got) != 0 {
		t.Fatalf("after delete all: %v", got)
	}
	if err := livehelp.ValidateCannedExport(&x); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ImportCanned(ctx, "s1", "", x.Items); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, cannedOutline(t, st, "s1")); diff != "" {
		t.Errorf("export → delete all → import changed the tree (-before +after):\n%s", diff)
	}
}

func TestCannedLargeImportIsAllOrNothing(t *testing.T) {
	t.Parallel()
	st, _ := consoleStore(t)
	ctx := context.Background()
	var files []livehelp.ImportFile
	for i := 0; i < 250; i++ {
		files = append(files, livehelp.ImportFile{Path: fmt.Sprintf("Big/part%d/m%03d.txt", i%3, i), Text: strings.Repeat("x", i)})
	}
	items, _, err := livehelp.CannedFromFiles(files, nil)
	if err != nil {
		t.Fatal(err)
	}
	n, err := st.ImportCanned(ctx, "s1", "", items)
	if err != nil || n != 254 {
		t.Fatalf("ImportCanned = %d, %v; want 254 nodes", n, err)
	}
	got := cannedOutline(t, st, "s1")
	if len(got) != 254 || got[0] != "Big/" || got[1] != "  part0/" {
		t.Fatalf("tree has %d lines, starts %v", len(got), got[:2])
	}
	// An import over the site's limit writes nothing at all.
	var many []livehelp.CannedImport
	for i := 0; i < livehelp.MaxCannedNodes; i++ {
		many = append(many, livehelp.CannedImport{Title: fmt.Sprint(i), Text: "t"})
	}
	if _, err := st.ImportCanned(ctx, "s1", "", many); !livehelp.IsCode(err, livehelp.ECONFLICT) {
		t.Fatalf("over the limit: %v", err)
	}
	if after := cannedOutline(t, st, "s1"); len(after) != 254 {
		t.Errorf("a refused import left %d lines, want 254", len(after))
	}
}

// failingDB fails the TransactWriteItems call number failAt (1-based) and
// every one after it.
type failingDB struct {
	store.DB
	calls, failAt int
}

func (f *failingDB) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	f.calls++
	if f.calls >= f.failAt {
		return nil, errors.New("injected failure")
	}
	return f.DB.TransactWriteItems(ctx, in, opts...)
}

func TestCannedImportFailureShowsNothing(t *testing.T) {
	t.Parallel()
	client, table := dynamolocal.NewTestTable(t)
	ctx := context.Background()
	db := &failingDB{DB: client, failAt: 3} // the third batch of 100 fails
	st := store.New(db, table, func() time.Time { return time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC) })
	var items []livehelp.CannedImport
	for i := 0; i < 250; i++ {
		items = append(items, livehelp.CannedImport{Title: fmt.Sprint(i), Text: "t"})
	}
	if _, err := st.ImportCanned(ctx, "s1", "", items); err == nil {
		t.Fatal("import with a failing batch succeeded")
	}
	// The cleanup failed too (every later call fails): 200 nodes are stored
	// but hidden, because their import never committed.
	clean := store.New(client, table, nil)
	if got := cannedOutline(t, clean, "s1"); len(got) != 0 {
		t.Errorf("a failed import shows %d nodes", len(got))
	}
}
