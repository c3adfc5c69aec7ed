package ctl

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/livehelp/livehelp/shared/auth"
	"github.com/livehelp/livehelp/shared/email"
	"github.com/livehelp/livehelp/shared/livehelp"
)

// groupPattern is what a group name may be: it names a transfer target in
// the console, so it is short and plain.
var groupPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9 _.-]{0,39}$`)

func operatorCreate(ctx context.Context, e *env, args []string) error {
	fs := e.newFlags("operator create", "--site SITE --email EMAIL --name NAME [--role admin] [--generate-password]")
	site := fs.String("site", "", "`site` id the operator works for")
	addr := fs.String("email", "", "login `email` of the operator")
	name := fs.String("name", "", "`name` shown to visitors (replaces %name% in canned messages)")
	role := fs.String("role", livehelp.RoleOperator, "`role`: operator, or admin (may manage the site in the console)")
	slots := fs.Int("slots", 0, "conversations at once (0: the site's default)")
	groups := fs.String("groups", "", "comma-separated `groups` the operator belongs to")
	generate := fs.Bool("generate-password", false, "generate a password and print it once")
	if err := parse(fs, args, false); err != nil {
		return err
	}
	if err := required(fs, "site", "email", "name"); err != nil {
		return err
	}
	op := &livehelp.Operator{ID: auth.NewID(), Site: *site, Name: strings.TrimSpace(*name), Role: *role,
		Slots: *slots, Groups: splitList(*groups)}
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
	password, hash, generated, err := e.newPassword(*generate)
	if err != nil {
		return err
	}
	op.PasswordHash = hash
	if err := b.CreateOperator(ctx, op); err != nil {
		return err
	}
	fmt.Fprintf(e.io.Out, "created %s %s (%s) on site %s, id %s\n", op.Role, op.Email, op.Name, op.Site, op.ID)
	if generated {
		fmt.Fprintf(e.io.Out, "password: %s\n(shown once: give it to the operator over a safe channel)\n", password)
	}
	return nil
}

// checkOperator adds per-field messages for an operator's name, role,
// slots and groups.
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
	for _, g := range op.Groups {
		if !groupPattern.MatchString(g) {
			fields["groups"] = fmt.Sprintf("%q is not a group name: use 1 to 40 letters, digits, spaces, dots, dashes or underscores.", g)
		}
	}
}

// operatorView is an operator as operator list prints it; never the hash.
type operatorView struct {
	ID      string   `json:"id"`
	Site    string   `json:"site"`
	Email   string   `json:"email"`
	Name    string   `json:"name"`
	Role    string   `json:"role"`
	Slots   int      `json:"slots"`
	Groups  []string `json:"groups"`
	Created string   `json:"created"`
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
		views = append(views, operatorView{ID: o.ID, Site: o.Site, Email: o.Email, Name: o.Name, Role: o.Role,
			Slots: o.Slots, Groups: nonNil(o.Groups), Created: o.Created.Format("2006-01-02T15:04:05Z")})
	}
	if e.conn.json {
		return writeJSON(e.io.Out, views)
	}
	rows := [][]string{{"EMAIL", "NAME", "ROLE", "SLOTS", "GROUPS", "ID"}}
	for _, v := range views {
		rows = append(rows, []string{v.Email, v.Name, v.Role, slotsText(v.Slots), strings.Join(v.Groups, ","), v.ID})
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
	op, err := b.OperatorByEmail(ctx, strings.ToLower(strings.TrimSpace(*addr)))
	if err != nil {
		return err
	}
	password, hash, generated, err := e.newPassword(*generate)
	if err != nil {
		return err
	}
	op.PasswordHash = hash
	if err := b.UpdateOperator(ctx, op); err != nil {
		return err
	}
	fmt.Fprintf(e.io.Out, "new password set for %s (sessions already open stay open until they expire or log out)\n", op.Email)
	if generated {
		fmt.Fprintf(e.io.Out, "password: %s\n(shown once)\n", password)
	}
	return nil
}

// groupMember is one operator's membership as group list prints it.
type groupView struct {
	Name    string   `json:"name"`
	Members []string `json:"members"`
}

func groupCreate(ctx context.Context, e *env, args []string) error {
	fs := e.newFlags("group create", "--site SITE --name NAME --members EMAIL,EMAIL")
	site := fs.String("site", "", "`site` id")
	name := fs.String("name", "", "group `name`, e.g. Billing")
	members := fs.String("members", "", "comma-separated login `emails` of the operators in the group")
	if err := parse(fs, args, false); err != nil {
		return err
	}
	if err := required(fs, "site", "name", "members"); err != nil {
		return err
	}
	if !groupPattern.MatchString(*name) {
		return livehelp.Invalid("The group name is not valid.", map[string]string{"name": "Use 1 to 40 letters, digits, spaces, dots, dashes or underscores."})
	}
	emails := splitList(strings.ToLower(*members))
	if len(emails) == 0 {
		return usagef("group create: --members needs at least one operator email")
	}
	b, err := e.open(ctx)
	if err != nil {
		return err
	}
	// Check every member before writing any: a typo must not leave the
	// group half made.
	var ops []*livehelp.Operator
	for _, m := range emails {
		op, err := b.OperatorByEmail(ctx, m)
		if err != nil {
			if livehelp.IsCode(err, livehelp.ENOTFOUND) {
				return livehelp.Invalid("No group was created.", map[string]string{"members": fmt.Sprintf("No operator logs in with %s.", m)})
			}
			return err
		}
		if op.Site != *site {
			return livehelp.Invalid("No group was created.", map[string]string{"members": fmt.Sprintf("%s works for site %s, not %s.", m, op.Site, *site)})
		}
		ops = append(ops, op)
	}
	// Each update adds the group to one operator and is idempotent, so if
	// the table fails midway, running the same command again completes it.
	for i, op := range ops {
		if slices.Contains(op.Groups, *name) {
			continue
		}
		op.Groups = append(op.Groups, *name)
		if err := b.UpdateOperator(ctx, op); err != nil {
			return fmt.Errorf("group %s: added %d of %d members before this error (run the command again to finish): %w", *name, i, len(ops), err)
		}
	}
	fmt.Fprintf(e.io.Out, "group %s on site %s: %s\n", *name, *site, strings.Join(emails, ", "))
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
	ops, err := b.Operators(ctx, *site)
	if err != nil {
		return err
	}
	groups := map[string][]string{}
	for _, o := range ops {
		for _, g := range o.Groups {
			groups[g] = append(groups[g], o.Email)
		}
	}
	views := make([]groupView, 0, len(groups))
	for g, m := range groups {
		slices.Sort(m)
		views = append(views, groupView{Name: g, Members: m})
	}
	slices.SortFunc(views, func(a, b groupView) int { return strings.Compare(a.Name, b.Name) })
	if e.conn.json {
		return writeJSON(e.io.Out, views)
	}
	rows := [][]string{{"GROUP", "MEMBERS"}}
	for _, v := range views {
		rows = append(rows, []string{v.Name, strings.Join(v.Members, ",")})
	}
	return writeTable(e.io.Out, rows)
}
