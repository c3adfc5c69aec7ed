package ctl

import (
	"context"
	"encoding/json"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/livehelp/livehelp/shared/auth"
	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

// wantPassword fails the test unless email's stored hash matches password.
func wantPassword(t *testing.T, st *store.Store, email, password string) {
	t.Helper()
	op, err := st.OperatorByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	if !auth.CheckPassword(op.PasswordHash, password) {
		t.Errorf("the stored hash of %s does not match %q", email, password)
	}
}

func TestOperatorCreateListResetPassword(t *testing.T) {
	t.Parallel()
	st, conn := newTable(t)
	runCtl(t, "", nil, args(conn, "site", "create", "--id", "acme", "--name", "Acme")...)

	r := runCtl(t, "first-password-1\n", nil, args(conn, "--password-stdin", "operator", "create", "--site", "acme",
		"--email", "Boss@Acme.Example", "--name", "Ann Boss", "--role", "admin")...)
	wantCode(t, r, ExitOK, "")
	wantPassword(t, st, "boss@acme.example", "first-password-1")

	r = runCtl(t, "", nil, args(conn, "operator", "create", "--site", "acme", "--email", "bob@acme.example",
		"--name", "Bob", "--generate-password")...)
	wantCode(t, r, ExitOK, "")
	m := regexp.MustCompile(`(?m)^password: (\S{20})$`).FindStringSubmatch(r.out)
	if m == nil {
		t.Fatalf("generated password not printed: %q", r.out)
	}
	wantPassword(t, st, "bob@acme.example", m[1])

	r = runCtl(t, "", nil, args(conn, "operator", "list", "--site", "acme", "--json")...)
	wantCode(t, r, ExitOK, "")
	var got []operatorView
	if err := json.Unmarshal([]byte(r.out), &got); err != nil {
		t.Fatal(err)
	}
	type brief struct{ Email, Name, Role string }
	var briefs []brief
	for _, v := range got {
		briefs = append(briefs, brief{v.Email, v.Name, v.Role})
	}
	want := []brief{{"bob@acme.example", "Bob", "operator"}, {"boss@acme.example", "Ann Boss", "admin"}}
	if diff := cmp.Diff(want, briefs); diff != "" {
		t.Errorf("operator list (-want +got):\n%s", diff)
	}

	// Reset from a terminal: asked twice, echo off, never printed.
	term := &fakeTerminal{passwords: []string{"second-password-2", "second-password-2"}}
	r = runCtl(t, "", term, args(conn, "operator", "reset-password", "--email", "boss@acme.example")...)
	wantCode(t, r, ExitOK, "")
	wantPassword(t, st, "boss@acme.example", "second-password-2")
	if diff := cmp.Diff([]string{"New password: ", "Again: "}, term.prompts); diff != "" {
		t.Errorf("prompts (-want +got):\n%s", diff)
	}
	if regexp.MustCompile("second-password").MatchString(r.out + r.err) {
		t.Errorf("the password was printed: %q %q", r.out, r.err)
	}
	op, _ := st.OperatorByEmail(context.Background(), "boss@acme.example")
	if op.Role != livehelp.RoleAdmin || op.Name != "Ann Boss" {
		t.Errorf("reset changed more than the password: %+v", op)
	}
}

func TestOperatorErrors(t *testing.T) {
	t.Parallel()
	st, conn := newTable(t)
	runCtl(t, "", nil, args(conn, "site", "create", "--id", "acme", "--name", "Acme")...)
	runCtl(t, "a-long-password\n", nil, args(conn, "--password-stdin", "operator", "create", "--site", "acme", "--email", "ann@acme.example", "--name", "Ann")...)
	create := func(email string, more ...string) []string {
		return append([]string{"operator", "create", "--site", "acme", "--email", email, "--name", "X"}, more...)
	}
	tests := []struct {
		name  string
		stdin string
		term  Terminal
		cmd   []string
		code  int
		msg   string
	}{
		{"missing name", "", nil, []string{"operator", "create", "--site", "acme", "--email", "x@acme.example"}, ExitUsage, "--name is required"},
		{"bad email", "pw-long-enough\n", nil, create("not-an-email", "--password-stdin"), ExitUsage, "email: Enter a valid email"},
		{"bad role", "pw-long-enough\n", nil, create("x@acme.example", "--password-stdin", "--role", "root"), ExitUsage, "role: Use operator or admin."},
		{"short password", "short\n", nil, create("x@acme.example", "--password-stdin"), ExitUsage, "password: Use 10 to 72 characters."},
		{"empty stdin", "", nil, create("x@acme.example", "--password-stdin"), ExitUsage, "standard input ended"},
		{"no password source", "", nil, create("x@acme.example"), ExitUsage, "no password"},
		{"passwords differ", "", &fakeTerminal{passwords: []string{"one-password-1", "two-password-2"}}, create("x@acme.example"), ExitUsage, "the two passwords differ"},
		{"unknown site", "pw-long-enough\n", nil, []string{"--password-stdin", "operator", "create", "--site", "nosuch", "--email", "x@acme.example", "--name", "X"}, ExitFailed, "Site not found."},
		{"email taken", "pw-long-enough\n", nil, create("ANN@acme.example", "--password-stdin"), ExitFailed, "already exists"},
		{"reset unknown", "pw-long-enough\n", nil, []string{"--password-stdin", "operator", "reset-password", "--email", "nobody@acme.example"}, ExitFailed, "Operator not found."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, runCtl(t, tt.stdin, tt.term, args(conn, tt.cmd...)...), tt.code, tt.msg)
		})
	}
	ops, err := st.Operators(context.Background(), "acme")
	if err != nil || len(ops) != 1 {
		t.Errorf("operators after errors = %d, %v; want only ann", len(ops), err)
	}
	wantPassword(t, st, "ann@acme.example", "a-long-password")
}

func TestGroups(t *testing.T) {
	t.Parallel()
	st, conn := newTable(t)
	for _, site := range []string{"acme", "other"} {
		runCtl(t, "", nil, args(conn, "site", "create", "--id", site, "--name", site)...)
	}
	for _, op := range [][2]string{{"acme", "ann@acme.example"}, {"acme", "bob@acme.example"}, {"other", "eve@other.example"}} {
		r := runCtl(t, "", nil, args(conn, "operator", "create", "--site", op[0], "--email", op[1], "--name", "N", "--generate-password")...)
		wantCode(t, r, ExitOK, "")
	}
	tests := []struct {
		name string
		cmd  []string
		code int
		msg  string
	}{
		{"billing", []string{"group", "create", "--site", "acme", "--name", "Billing", "--members", "bob@acme.example, ANN@acme.example"}, ExitOK, ""},
		{"sales", []string{"group", "create", "--site", "acme", "--name", "Sales", "--members", "ann@acme.example"}, ExitOK, ""},
		{"name taken", []string{"group", "create", "--site", "acme", "--name", "Sales", "--members", "bob@acme.example"}, ExitUsage, "name: Another group has this name."},
		{"other site's operator", []string{"group", "create", "--site", "acme", "--name", "Mixed", "--members", "ann@acme.example,eve@other.example"}, ExitUsage, "eve@other.example works for site other"},
		{"unknown operator", []string{"group", "create", "--site", "acme", "--name", "Ghosts", "--members", "nobody@acme.example"}, ExitUsage, "No operator logs in with nobody@acme.example"},
		{"bad name", []string{"group", "create", "--site", "acme", "--name", "  ", "--members", "ann@acme.example"}, ExitUsage, "name: Enter a title."},
		{"no members", []string{"group", "create", "--site", "acme", "--name", "Empty", "--members", " , "}, ExitUsage, "at least one operator"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, runCtl(t, "", nil, args(conn, tt.cmd...)...), tt.code, tt.msg)
		})
	}
	r := runCtl(t, "", nil, args(conn, "--json", "group", "list", "--site", "acme")...)
	wantCode(t, r, ExitOK, "")
	var got []groupView
	if err := json.Unmarshal([]byte(r.out), &got); err != nil {
		t.Fatal(err)
	}
	want := []groupView{{"Billing", []string{"ann@acme.example", "bob@acme.example"}}, {"Sales", []string{"ann@acme.example"}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("group list (-want +got):\n%s", diff)
	}
	// The refused groups left nothing behind.
	groups, err := st.Groups(context.Background(), "acme")
	if err != nil || len(groups) != 2 {
		t.Errorf("stored groups = %d, %v; want 2", len(groups), err)
	}
}
