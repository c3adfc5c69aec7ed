package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// tree returns the canned tree as the console API shows it.
func (e *env) tree(tok string) []any {
	e.t.Helper()
	code, body := e.do("GET", "/v1/console/canned", tok, nil)
	if code != http.StatusOK {
		e.t.Fatalf("canned tree = %d %v", code, body)
	}
	return body["tree"].([]any)
}

// shape strips ids from a tree so trees made at different times compare.
func shape(tree []any) []any {
	out := []any{}
	for _, n := range tree {
		m := n.(map[string]any)
		kids, _ := m["children"].([]any)
		out = append(out, map[string]any{"title": m["title"], "folder": m["folder"], "body": m["body"], "children": shape(kids)})
	}
	return out
}

func (e *env) create(tok, parent string, folder bool, title, body string) string {
	e.t.Helper()
	code, resp := e.do("POST", "/v1/console/canned", tok, map[string]any{"parent": parent, "folder": folder, "title": title, "body": body})
	if code != http.StatusCreated {
		e.t.Fatalf("create %s = %d %v", title, code, resp)
	}
	return resp["node"].(map[string]any)["id"].(string)
}

func TestCannedExportDeleteAllImport(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok := e.login("otto@example.com")
	f := e.create(tok, "", true, "Greetings", "")
	e.create(tok, f, false, "Hello", "Hi, I'm %name%.\nHow can I help?")
	sub := e.create(tok, f, true, "Évènements <b>", "")
	e.create(tok, sub, false, "Quotes \"and\" & more", "  leading spaces & <tags>\n\n")
	e.create(tok, "", false, "Bye", "Bye!")
	before := shape(e.tree(tok))

	w := e.raw("GET", "/v1/console/canned/export", tok, nil, nil)
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Disposition"), `attachment; filename="canned-demo-`) {
		t.Fatalf("export = %d %v", w.Code, w.Header())
	}
	var file map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &file); err != nil {
		t.Fatal(err)
	}
	code, body := e.do("DELETE", "/v1/console/canned", tok, nil)
	if code != 200 || body["deleted"] != 5.0 || len(e.tree(tok)) != 0 {
		t.Fatalf("delete all = %d %v", code, body)
	}
	code, body = e.do("POST", "/v1/console/canned/import", tok, map[string]any{"export": file})
	if code != 200 || body["imported"] != 5.0 {
		t.Fatalf("import = %d %v", code, body)
	}
	if diff := cmp.Diff(before, shape(e.tree(tok))); diff != "" {
		t.Errorf("export → delete all → import (-before +after):\n%s", diff)
	}

	file["format"] = "something-else"
	code, body = e.do("POST", "/v1/console/canned/import", tok, map[string]any{"export": file})
	if c, _ := errorOf(body); code != 400 || c != "invalid" {
		t.Errorf("foreign file = %d %v", code, body)
	}
}

func TestCannedImportLargeFileNeedsConfirmation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok := e.login("otto@example.com")
	big := strings.Repeat("Long answer. ", 1000) // 13 KB
	files := []map[string]string{
		{"path": "Support/Billing/refunds.txt", "text": "Refunds take 5 days."},
		{"path": "Support/manual.txt", "text": big},
	}
	code, body := e.do("POST", "/v1/console/canned/import", tok, map[string]any{"files": files})
	c, fields := errorOf(body)
	if code != http.StatusConflict || c != "conflict" || fields["Support/manual.txt"] == nil || len(fields) != 1 {
		t.Fatalf("unconfirmed = %d %v, want 409 naming the large file", code, body)
	}
	if n := len(e.tree(tok)); n != 0 {
		t.Fatalf("an unconfirmed import wrote %d nodes", n)
	}
	// A bad file among good ones: clear error, nothing imported.
	bad := append(files, map[string]string{"path": "Support/logo.png", "text": "\x00PNG"})
	code, body = e.do("POST", "/v1/console/canned/import", tok, map[string]any{"files": bad, "confirmed": []string{"Support/manual.txt"}})
	if c, f := errorOf(body); code != 400 || c != "invalid" || f["Support/logo.png"] == nil {
		t.Fatalf("bad file = %d %v", code, body)
	}
	if n := len(e.tree(tok)); n != 0 {
		t.Fatalf("a refused import wrote %d nodes", n)
	}
	code, body = e.do("POST", "/v1/console/canned/import", tok, map[string]any{"files": files, "confirmed": []string{"Support/manual.txt"}})
	if code != 200 || body["imported"] != 4.0 {
		t.Fatalf("confirmed = %d %v", code, body)
	}
	want := []any{map[string]any{"title": "Support", "folder": true, "body": nil, "children": []any{
		map[string]any{"title": "Billing", "folder": true, "body": nil, "children": []any{
			map[string]any{"title": "refunds", "folder": false, "body": "Refunds take 5 days.", "children": []any{}}}},
		map[string]any{"title": "manual", "folder": false, "body": big, "children": []any{}},
	}}}
	if diff := cmp.Diff(want, shape(e.tree(tok))); diff != "" {
		t.Errorf("imported tree (-want +got):\n%s", diff)
	}
}

func TestCannedNameIsCurrent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	otto, ada := e.login("otto@example.com"), e.login("ada@example.com")
	id := e.create(otto, "", false, "Intro", "Hi, I'm %name%. %name% will help.")
	text := func(tok string) string {
		t.Helper()
		code, body := e.do("GET", "/v1/console/canned/"+id+"/text", tok, nil)
		if code != 200 {
			t.Fatalf("text = %d %v", code, body)
		}
		return body["text"].(string)
	}
	if got := text(otto); got != "Hi, I'm Otto. Otto will help." {
		t.Errorf("before rename: %q", got)
	}
	if code, body := e.do("PATCH", "/v1/console/me", otto, map[string]string{"name": "Otto Lind"}); code != 200 {
		t.Fatalf("rename = %d %v", code, body)
	}
	if got := text(otto); got != "Hi, I'm Otto Lind. Otto Lind will help." {
		t.Errorf("after renaming oneself: %q", got)
	}
	// An admin renames Otto; the same session sees the new name at once.
	if code, body := e.do("PATCH", "/v1/console/admin/operators/op-otto", ada, map[string]string{"name": "Otto L."}); code != 200 {
		t.Fatalf("admin rename = %d %v", code, body)
	}
	if got := text(otto); got != "Hi, I'm Otto L.. Otto L. will help." {
		t.Errorf("after an admin's rename: %q", got)
	}
	if got := text(ada); got != "Hi, I'm Ada. Ada will help." {
		t.Errorf("another operator: %q", got)
	}
}

func TestCannedValidationAndMoves(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok := e.login("otto@example.com")
	a := e.create(tok, "", true, "A", "")
	b := e.create(tok, a, true, "B", "")
	m := e.create(tok, "", false, "M", "text")
	for _, tt := range []struct {
		method, path string
		body         map[string]any
		code         int
		field        string
	}{
		{"POST", "/v1/console/canned", map[string]any{"title": "", "body": "x"}, 400, "title"},
		{"POST", "/v1/console/canned", map[string]any{"title": "x", "parent": "nope"}, 400, "parent"},
		{"POST", "/v1/console/canned", map[string]any{"title": "x", "parent": m}, 400, "parent"},
		{"POST", "/v1/console/canned", map[string]any{"title": "x", "folder": true, "body": "y"}, 400, "body"},
		{"POST", "/v1/console/canned", map[string]any{"title": "x", "body": strings.Repeat("y", 70000)}, 400, "body"},
		{"PATCH", "/v1/console/canned/" + a, map[string]any{"parent": b}, 400, "parent"},
		{"PATCH", "/v1/console/canned/nope", map[string]any{"title": "z"}, 404, ""},
		{"GET", "/v1/console/canned/" + a + "/text", nil, 400, "id"},
	} {
		code, body := e.do(tt.method, tt.path, tok, tt.body)
		c, f := errorOf(body)
		if code != tt.code || (tt.field != "" && f[tt.field] == nil) || c == "" {
			t.Errorf("%s %s (title %v) = %d %v, want %d with %q", tt.method, tt.path, tt.body["title"], code, body, tt.code, tt.field)
		}
	}
	if code, body := e.do("PATCH", "/v1/console/canned/"+m, tok, map[string]any{"parent": b}); code != 200 {
		t.Fatalf("move = %d %v", code, body)
	}
	if code, _ := e.do("DELETE", "/v1/console/canned/"+a, tok, nil); code != 204 || len(e.tree(tok)) != 0 {
		t.Errorf("deleting a folder left %d top nodes", len(e.tree(tok)))
	}
}
