package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// TestAdminCLI drives livehelpctl's console-API backend against the real
// console of the local runner: what an admin of a deployed site does
// without AWS credentials. It runs on the local runner only, because it
// creates operators, which nothing deletes.
func TestAdminCLI(t *testing.T) {
	tg := need(t)
	if local == nil {
		t.Skip("creates operators; runs on the local runner only")
	}
	ctx := within(t, 2*time.Minute)
	api := []string{"--api", tg.RestURL, "--admin-email", localCLIAdmin, "--password-stdin"}
	ctlAPI := func(stdin string, args ...string) string {
		t.Helper()
		out, err := runCtl(ctx, cliAdminPassword+"\n"+stdin, append(slices.Clone(api), args...)...)
		if err != nil {
			t.Fatalf("livehelpctl --api %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}

	email := "op-" + randomID() + "@example.com"
	password := "pw-" + randomID()
	ctlAPI(password+"\n", "operator", "create", "--site", tg.Site, "--email", email, "--name", "Second Operator")
	var ops []struct{ Email, Role string }
	if err := json.Unmarshal([]byte(ctlAPI("", "--json", "operator", "list", "--site", tg.Site)), &ops); err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(ops, func(o struct{ Email, Role string }) bool { return o.Email == email && o.Role == "operator" }) {
		t.Errorf("operator list = %+v, want %s", ops, email)
	}
	// The new operator logs in to the console with the password given.
	s, err := NewAPI(tg.RestURL).Login(ctx, email, password)
	if err != nil {
		t.Fatal(err)
	}
	NewAPI(tg.RestURL).Logout(ctx, s)

	group := "Group " + randomID()
	ctlAPI("", "group", "create", "--site", tg.Site, "--name", group, "--members", email)
	var groups []struct {
		Name    string
		Members []string
	}
	if err := json.Unmarshal([]byte(ctlAPI("", "--json", "group", "list", "--site", tg.Site)), &groups); err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(groups, func(g struct {
		Name    string
		Members []string
	}) bool {
		return g.Name == group && slices.Equal(g.Members, []string{email})
	}) {
		t.Errorf("group list = %+v, want %s with %s", groups, group, email)
	}

	// Canned messages: a directory in through the console API, out again
	// identical.
	dir := filepath.Join(t.TempDir(), "Replies "+randomID())
	if err := os.MkdirAll(filepath.Join(dir, "Billing"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{"Hello.txt": "Hello, I am %name%.", "Billing/Refunds.txt": "Refunds take 5 days."} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctlAPI("", "canned", "import", "--site", tg.Site, dir)
	out := filepath.Join(t.TempDir(), "canned.json")
	ctlAPI("", "canned", "export", "--site", tg.Site, "--out", out)
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var x livehelp.CannedExport
	if err := json.Unmarshal(data, &x); err != nil {
		t.Fatal(err)
	}
	want := livehelp.CannedImport{Title: filepath.Base(dir), Folder: true, Children: []livehelp.CannedImport{
		{Title: "Billing", Folder: true, Children: []livehelp.CannedImport{{Title: "Refunds", Text: "Refunds take 5 days."}}},
		{Title: "Hello", Text: "Hello, I am %name%."},
	}}
	i := slices.IndexFunc(x.Items, func(it livehelp.CannedImport) bool { return it.Title == want.Title })
	if i < 0 {
		t.Fatalf("export lacks folder %q: %+v", want.Title, x.Items)
	}
	if diff := cmp.Diff(want, x.Items[i], cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("exported folder (-want +got):\n%s", diff)
	}

	// What the console API does not offer is refused with directions.
	out2, err := runCtl(ctx, cliAdminPassword+"\n", append(slices.Clone(api), "site", "create", "--id", "x"+randomID(), "--name", "X")...)
	if err == nil || !strings.Contains(out2, "use --table") {
		t.Errorf("site create through the console API: %v %q; want a refusal naming --table", err, out2)
	}
}
