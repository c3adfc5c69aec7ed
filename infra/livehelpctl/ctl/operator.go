package ctl

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/livehelp/livehelp/shared/auth"
	"github.com/livehelp/livehelp/shared/email"
	"github.com/livehelp/livehelp/shared/livehelp"
)

func operatorCreate(ctx context.Context, e *env, args []string) error {
	fs := e.newFlags("operator create", "--site SITE --email EMAIL --name NAME [--role admin] [--generate-password]")
	site := fs.String("site", "", "`site` id the operator works for")
	addr := fs.String("email", "", "login `email` of the operator")
	name := fs.String("name", "", "`name` shown to visitors (replaces %name% in canned messages)")
	role := fs.String("role", livehelp.RoleOperator, "`role`: operator, or admin (may manage the site in the console)")
	slots := fs.Int("slots", 0, "conversations at once (0: the site's default)")
	generate := fs.Bool("generate-password", false, "generate a password and print it once")
	if err := parse(fs, args, false); err != nil {
		return err
	}
	if err := required(fs, "site", "email", "name"); err != nil {
		return err
	}
	op := &livehelp.Operator{ID: auth.NewID(), Site: *site, Name: strings.TrimSpace(*name), Role: *role, Slots: *slots}
	fields := map[string]string{}
	if a, err := email.ParseAddress(*addr); err != nil {
		fields["email"] = "Enter a valid email address, like name@example.com."
	} else {
		op.Email = strings.ToLower(a)
	}
	checkOperator(op, fields)
	if !livehelp.ValidSiteID(op.Site) {
		fields["site"] = "Use the id of an existing site (livehelpctl site list)."
	}
	if len(fields) > 0 {
		return livehelp.Invalid("The operator is not valid; nothing was written.", fields)
	}
	b, err := e.open(ctx)
	if err != nil {
		return err
	}
	password, generated, err := e.newPassword(*generate)
	if err != nil {
		return err
	}
	if err := b.CreateOperator(ctx, op, password); err != nil {
		return err
	}
	fmt.Fprintf(e.io.Out, "created %s %s (%s) on site %s, id %s\n", op.Role, op.Email, op.Name, op.Site, op.ID)
	if generated {
		fmt.Fprintf(e.io.Out, "password: %s\n(shown once: give it to the operator over a safe channel)\n", password)
	}
	return nil
}

// checkOperator adds per-field messages for an operator's name, role and
// slots.
func checkOperator(op *livehelp.Operator, fields map[string]string) {
	if op.Name == "" || len(op.Name) > 100 || strings.ContainsFunc(op.Name, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		fields["name"] = "Use a name of 1 to 100 characters on one line."
	}
	if op.Role != livehelp.RoleOperator && op.Role != livehelp.RoleAdmin {
		fields["role"] = "Use operator or admin."
	}
	if op.Slots < 0 || op.Slots > 50 {
		fields["slots"] = "Use 0 (the site default) to 50."
	}
}

// operatorView is an operator as operator list prints it; never the hash.
type operatorView struct {
	ID      string `json:"id"`
	Site    string `json:"site"`
	Email   string `json:"email"`
	Name    string `json:"name"`
	Role    string `json:"role"`
	Slots   int    `json:"slots"`
	Created string `json:"created,omitempty"`
}

func operatorList(ctx context.Context, e *env, args []string) error {
	fs := e.newFlags("operator list", "--site SITE [--json]")
	site := fs.String("site", "", "`site` id")
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
	if _, err := b.Site(ctx, *site, false); err != nil {
		return err
	}
	ops, err := b.Operators(ctx, *site)
	if err != nil {
		return err
	}
	views := make([]operatorView, 0, len(ops))
	for _, o := range ops {
		v := operatorView{ID: o.ID, Site: o.Site, Email: o.Email, Name: o.Name, Role: o.Role, Slots: o.Slots}
		if !o.Created.IsZero() {
			v.Created = o.Created.Format("2006-01-02T15:04:05Z")
		}
		views = append(views, v)
	}
	if e.conn.json {
		return writeJSON(e.io.Out, views)
	}
	rows := [][]string{{"EMAIL", "NAME", "ROLE", "SLOTS", "ID"}}
	for _, v := range views {
		rows = append(rows, []string{v.Email, v.Name, v.Role, slotsText(v.Slots), v.ID})
	}
	return writeTable(e.io.Out, rows)
}

func operatorResetPassword(ctx context.Context, e *env, args []string) error {
	fs := e.newFlags("operator reset-password", "--email EMAIL [--generate-password | --password-stdin]")
	addr := fs.String("email", "", "login `email` of the operator")
	generate := fs.Bool("generate-password", false, "generate a password and print it once")
	if err := parse(fs, args, false); err != nil {
		return err
	}
	if err := required(fs, "email"); err != nil {
		return err
	}
	b, err := e.open(ctx)
	if err != nil {
		return err
	}
	password, generated, err := e.newPassword(*generate)
	if err != nil {
		return err
	}
	op, err := b.SetPassword(ctx, strings.ToLower(strings.TrimSpace(*addr)), password)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.io.Out, "new password set for %s (sessions already open stay open until they expire or log out)\n", op.Email)
	if generated {
		fmt.Fprintf(e.io.Out, "password: %s\n(shown once)\n", password)
	}
	return nil
}

// groupView is a group as group list prints it.
type groupView struct {
	Name    string   `json:"name"`
	Members []string `json:"members"`
}

func groupCreate(ctx context.Context, e *env, args []string) error {
	fs := e.newFlags("group create", "--site SITE --name NAME --members EMAIL,EMAIL")
	site := fs.String("site", "", "`site` id")
	name := fs.String("name", "", "group `name`, e.g. Billing (a transfer target in the console)")
	members := fs.String("members", "", "comma-separated login `emails` of the operators in the group")
	if err := parse(fs, args, false); err != nil {
		return err
	}
	if err := required(fs, "site", "name", "members"); err != nil {
		return err
	}
	g := livehelp.Group{Site: *site, Name: strings.TrimSpace(*name)}
	if err := g.Validate(); err != nil {
		return err
	}
	emails := splitList(strings.ToLower(*members))
	if len(emails) == 0 {
		return usagef("group create: --members needs at least one operator email")
	}
	b, err := e.open(ctx)
	if err != nil {
		return err
	}
	created, err := b.CreateGroup(ctx, *site, g.Name, slices.Compact(slices.Sorted(slices.Values(emails))))
	if err != nil {
		return err
	}
	fmt.Fprintf(e.io.Out, "created group %s on site %s: %s\n", created.Name, *site, strings.Join(created.Members, ", "))
	return nil
}

func groupList(ctx context.Context, e *env, args []string) error {
	fs := e.newFlags("group list", "--site SITE [--json]")
	site := fs.String("site", "", "`site` id")
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
	if _, err := b.Site(ctx, *site, false); err != nil {
		return err
	}
	groups, err := b.Groups(ctx, *site)
	if err != nil {
		return err
	}
	views := make([]groupView, 0, len(groups))
	for _, g := range groups {
		m := slices.Clone(g.Members)
		slices.Sort(m)
		views = append(views, groupView{Name: g.Name, Members: nonNil(m)})
	}
	slices.SortFunc(views, func(a, b groupView) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	if e.conn.json {
		return writeJSON(e.io.Out, views)
	}
	rows := [][]string{{"GROUP", "MEMBERS"}}
	for _, v := range views {
		rows = append(rows, []string{v.Name, strings.Join(v.Members, ",")})
	}
	return writeTable(e.io.Out, rows)
}
