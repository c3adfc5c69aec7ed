package ctl

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/livehelp/livehelp/shared/auth"
	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

// tableBackend carries out commands on the table through shared/store, so
// the writes are the ones the functions make (conditional puts, the
// operator-and-login transaction, all-or-nothing canned imports).
type tableBackend struct{ st *store.Store }

// CreateSite stores a new site; ECONFLICT when the id is taken.
func (b *tableBackend) CreateSite(ctx context.Context, s *livehelp.Site) error {
	return b.st.CreateSite(ctx, s)
}

// Site reads one site; ENOTFOUND when it does not exist.
func (b *tableBackend) Site(ctx context.Context, id string, consistent bool) (*livehelp.Site, error) {
	return b.st.Site(ctx, id, consistent)
}

// Sites lists every site.
func (b *tableBackend) Sites(ctx context.Context) ([]*livehelp.Site, error) { return b.st.Sites(ctx) }

// UpdateSiteSettings replaces a site's settings, keeping its presence.
func (b *tableBackend) UpdateSiteSettings(ctx context.Context, s *livehelp.Site) error {
	return b.st.UpdateSiteSettings(ctx, s)
}

// CreateOperator hashes password and stores op with its login in one
// transaction (ENOTFOUND for an unknown site, ECONFLICT for a taken email).
func (b *tableBackend) CreateOperator(ctx context.Context, op *livehelp.Operator, password string) error {
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	op.PasswordHash = hash
	return b.st.CreateOperator(ctx, op)
}

// Operators lists a site's operators by email.
func (b *tableBackend) Operators(ctx context.Context, site string) ([]*livehelp.Operator, error) {
	return b.st.Operators(ctx, site)
}

// SetPassword replaces an operator's password hash and nothing else.
func (b *tableBackend) SetPassword(ctx context.Context, email, password string) (*livehelp.Operator, error) {
	op, err := b.st.OperatorByEmail(ctx, email)
	if err != nil {
		return nil, err
	}
	if op.PasswordHash, err = auth.HashPassword(password); err != nil {
		return nil, err
	}
	return op, b.st.UpdateOperator(ctx, op)
}

// CreateGroup checks every member before the one write that makes the group.
func (b *tableBackend) CreateGroup(ctx context.Context, site, name string, members []string) (*livehelp.Group, error) {
	g := &livehelp.Group{Site: site, Name: name}
	for _, m := range members {
		op, err := b.st.OperatorByEmail(ctx, m)
		if livehelp.IsCode(err, livehelp.ENOTFOUND) {
			return nil, livehelp.Invalid("No group was created.", map[string]string{"members": fmt.Sprintf("No operator logs in with %s.", m)})
		}
		if err != nil {
			return nil, err
		}
		if op.Site != site {
			return nil, livehelp.Invalid("No group was created.", map[string]string{"members": fmt.Sprintf("%s works for site %s, not %s.", m, op.Site, site)})
		}
		g.Members = append(g.Members, op.ID)
	}
	if err := b.st.CreateGroup(ctx, g); err != nil {
		return nil, err
	}
	g.Members = members
	return g, nil
}

// Groups lists a site's groups, members shown by login email.
func (b *tableBackend) Groups(ctx context.Context, site string) ([]*livehelp.Group, error) {
	groups, err := b.st.Groups(ctx, site)
	if err != nil {
		return nil, err
	}
	ops, err := b.st.Operators(ctx, site)
	if err != nil {
		return nil, err
	}
	return membersByEmail(groups, ops), nil
}

// ExportCanned reads a site's tree in export form.
func (b *tableBackend) ExportCanned(ctx context.Context, site string) (*livehelp.CannedExport, error) {
	if _, err := b.st.Site(ctx, site, false); err != nil {
		return nil, err
	}
	tree, err := b.st.CannedTree(ctx, site)
	if err != nil {
		return nil, err
	}
	x := livehelp.ExportCanned(site, tree, time.Now())
	return &x, nil
}

// ImportCanned adds items at the top level of a site's tree, all or nothing.
func (b *tableBackend) ImportCanned(ctx context.Context, site string, items []livehelp.CannedImport) (int, error) {
	if _, err := b.st.Site(ctx, site, false); err != nil {
		return 0, err
	}
	return b.st.ImportCanned(ctx, site, "", items)
}

// membersByEmail returns copies of groups whose members are login emails
// instead of operator ids (an id with no operator is shown as it is).
func membersByEmail(groups []*livehelp.Group, ops []*livehelp.Operator) []*livehelp.Group {
	email := map[string]string{}
	for _, o := range ops {
		email[o.ID] = o.Email
	}
	out := make([]*livehelp.Group, 0, len(groups))
	for _, g := range groups {
		c := *g
		c.Members = make([]string, 0, len(g.Members))
		for _, id := range g.Members {
			if e, ok := email[id]; ok {
				id = e
			}
			c.Members = append(c.Members, id)
		}
		out = append(out, &c)
	}
	return out
}

// checkPassword applies the password rules before anything is sent or
// hashed (the same rules as auth.HashPassword).
func checkPassword(p string) error {
	if len(p) < auth.MinPasswordLength || len(p) > 72 || strings.TrimSpace(p) == "" {
		return livehelp.Invalid("The password is not acceptable; nothing was changed.", map[string]string{"password": "Use 10 to 72 characters."})
	}
	return nil
}
