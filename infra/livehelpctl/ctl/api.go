package ctl

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// apiClient is the backend that talks to a deployment's console API with
// an admin session (POST /v1/console/login, Bearer token).
//
// An admin manages their own site: its settings, operators, groups and
// canned messages (/v1/console/admin/..., /v1/console/canned/...).
// Creating sites needs the table (--table); so does anything about
// another site.
type apiClient struct {
	base  string // RestApiUrl, without a trailing slash
	http  *http.Client
	token string
	me    apiOperator
}

// apiOperator is the operator object of the console API.
type apiOperator struct {
	ID    string `json:"id"`
	Site  string `json:"site"`
	Email string `json:"email"`
	Name  string `json:"name"`
	Role  string `json:"role"`
}

func newAPIClient(base string, hc *http.Client) *apiClient {
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return &apiClient{base: base, http: hc}
}

// login opens an admin session. A valid login of a non-admin is refused.
func (c *apiClient) login(ctx context.Context, email, password string) error {
	var out struct {
		Token    string      `json:"token"`
		Operator apiOperator `json:"operator"`
	}
	if err := c.call(ctx, http.MethodPost, "/v1/console/login", map[string]string{"email": email, "password": password}, &out); err != nil {
		return err
	}
	if out.Token == "" {
		return fmt.Errorf("console API at %s answered the login without a token; is --api the stack's RestApiUrl?", c.base)
	}
	c.token, c.me = out.Token, out.Operator
	if c.me.Role != livehelp.RoleAdmin {
		c.logout(ctx)
		return livehelp.Errorf(livehelp.EFORBIDDEN, "%s is an operator, not an admin; log in as an admin of the site.", email)
	}
	return nil
}

// logout ends the session; errors are ignored (the session expires anyway).
func (c *apiClient) logout(ctx context.Context) {
	if c.token == "" {
		return
	}
	_ = c.call(ctx, http.MethodPost, "/v1/console/logout", nil, nil)
	c.token = ""
}

// call sends a JSON request and decodes a JSON answer into out. Error
// answers ({"error": {code, message, fields}}) become *livehelp.Error.
func (c *apiClient) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("console API: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return fmt.Errorf("console API: %s %s: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		var eb struct {
			Error struct {
				Code    string            `json:"code"`
				Message string            `json:"message"`
				Fields  map[string]string `json:"fields"`
			} `json:"error"`
		}
		if json.Unmarshal(data, &eb) == nil && eb.Error.Code != "" {
			return &livehelp.Error{Code: eb.Error.Code, Message: eb.Error.Message, Fields: eb.Error.Fields}
		}
		return fmt.Errorf("console API: %s %s: HTTP %d (is --api the stack's RestApiUrl?)", method, path, resp.StatusCode)
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("console API: %s %s: unexpected answer: %w", method, path, err)
	}
	return nil
}

// notOffered is the error for an operation the console API lacks.
func notOffered(op string) error {
	return usagef("the console API does not offer %s; use --table NAME (the stack's TableName output) with AWS credentials", op)
}

// own fails unless site is the admin's own: the console API manages the
// site of the logged-in admin only.
func (c *apiClient) own(site string) error {
	if site != c.me.Site {
		return livehelp.Errorf(livehelp.EFORBIDDEN, "%s is an admin of site %s, not %s; the console API manages only the admin's own site.", c.me.Email, c.me.Site, site)
	}
	return nil
}

// apiSite is the site object of GET/PUT /v1/console/admin/site. Proactive
// is kept as received, so a PUT does not reset settings this tool does
// not edit.
type apiSite struct {
	ID             string                     `json:"id"`
	Name           string                     `json:"name"`
	URL            string                     `json:"url"`
	AllowedOrigins []string                   `json:"allowed_origins"`
	DefaultLang    string                     `json:"default_lang"`
	Labels         map[string]livehelp.Labels `json:"labels"`
	AutoReply      string                     `json:"auto_reply"`
	SpamProtection bool                       `json:"spam_protection"`
	Slots          int                        `json:"slots"`
	Proactive      json.RawMessage            `json:"proactive,omitempty"`
}

func (a *apiSite) site() *livehelp.Site {
	return &livehelp.Site{ID: a.ID, Name: a.Name, URL: a.URL, AllowedOrigins: a.AllowedOrigins, DefaultLang: a.DefaultLang,
		Labels: a.Labels, AutoReply: a.AutoReply, SpamProtection: a.SpamProtection, Slots: a.Slots}
}

func (c *apiClient) getSite(ctx context.Context) (*apiSite, error) {
	var out struct {
		Site apiSite `json:"site"`
	}
	if err := c.call(ctx, http.MethodGet, "/v1/console/admin/site", nil, &out); err != nil {
		return nil, err
	}
	return &out.Site, nil
}

// CreateSite is not offered: sites are made by whoever holds the table.
func (c *apiClient) CreateSite(context.Context, *livehelp.Site) error {
	return notOffered("site create (an admin manages an existing site)")
}

// Site returns the admin's own site.
func (c *apiClient) Site(ctx context.Context, id string, _ bool) (*livehelp.Site, error) {
	if err := c.own(id); err != nil {
		return nil, err
	}
	s, err := c.getSite(ctx)
	if err != nil {
		return nil, err
	}
	return s.site(), nil
}

// Sites lists the admin's own site, the only one the console API shows.
func (c *apiClient) Sites(ctx context.Context) ([]*livehelp.Site, error) {
	s, err := c.getSite(ctx)
	if err != nil {
		return nil, err
	}
	return []*livehelp.Site{s.site()}, nil
}

// UpdateSiteSettings replaces the admin's site settings (PUT), keeping the
// proactive-chat settings as they are.
func (c *apiClient) UpdateSiteSettings(ctx context.Context, s *livehelp.Site) error {
	if err := c.own(s.ID); err != nil {
		return err
	}
	cur, err := c.getSite(ctx)
	if err != nil {
		return err
	}
	put := apiSite{ID: s.ID, Name: s.Name, URL: s.URL, AllowedOrigins: nonNil(s.AllowedOrigins), DefaultLang: s.DefaultLang,
		Labels: s.Labels, AutoReply: s.AutoReply, SpamProtection: s.SpamProtection, Slots: s.Slots, Proactive: cur.Proactive}
	return c.call(ctx, http.MethodPut, "/v1/console/admin/site", put, nil)
}

// apiOperatorRequest is the body of POST and PATCH admin/operators.
type apiOperatorRequest struct {
	Email    string  `json:"email,omitempty"`
	Name     *string `json:"name,omitempty"`
	Role     *string `json:"role,omitempty"`
	Slots    *int    `json:"slots,omitempty"`
	Password *string `json:"password,omitempty"`
}

// CreateOperator creates an operator of the admin's site.
func (c *apiClient) CreateOperator(ctx context.Context, op *livehelp.Operator, password string) error {
	if err := c.own(op.Site); err != nil {
		return err
	}
	var out struct {
		Operator apiOperator `json:"operator"`
	}
	req := apiOperatorRequest{Email: op.Email, Name: &op.Name, Role: &op.Role, Slots: &op.Slots, Password: &password}
	if err := c.call(ctx, http.MethodPost, "/v1/console/admin/operators", req, &out); err != nil {
		return err
	}
	op.ID = out.Operator.ID
	return nil
}

// Operators lists the operators of the admin's site.
func (c *apiClient) Operators(ctx context.Context, site string) ([]*livehelp.Operator, error) {
	if err := c.own(site); err != nil {
		return nil, err
	}
	var out struct {
		Operators []struct {
			apiOperator
			Slots int `json:"slots"`
		} `json:"operators"`
	}
	if err := c.call(ctx, http.MethodGet, "/v1/console/admin/operators", nil, &out); err != nil {
		return nil, err
	}
	ops := make([]*livehelp.Operator, 0, len(out.Operators))
	for _, o := range out.Operators {
		ops = append(ops, &livehelp.Operator{ID: o.ID, Site: o.Site, Email: o.Email, Name: o.Name, Role: o.Role, Slots: o.Slots})
	}
	return ops, nil
}

// operatorByEmail finds an operator of the admin's site by login email.
func (c *apiClient) operatorByEmail(ctx context.Context, email string) (*livehelp.Operator, error) {
	ops, err := c.Operators(ctx, c.me.Site)
	if err != nil {
		return nil, err
	}
	for _, o := range ops {
		if strings.EqualFold(o.Email, email) {
			return o, nil
		}
	}
	return nil, livehelp.Errorf(livehelp.ENOTFOUND, "Operator not found (the console API shows the operators of site %s only).", c.me.Site)
}

// SetPassword sets an operator's password (PATCH admin/operators/{id}).
func (c *apiClient) SetPassword(ctx context.Context, email, password string) (*livehelp.Operator, error) {
	op, err := c.operatorByEmail(ctx, email)
	if err != nil {
		return nil, err
	}
	return op, c.call(ctx, http.MethodPatch, "/v1/console/admin/operators/"+url.PathEscape(op.ID), apiOperatorRequest{Password: &password}, nil)
}

// apiGroup is the group object of the console API; members are ids.
type apiGroup struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Members []string `json:"members"`
}

// CreateGroup makes a group of the admin's site from login emails.
func (c *apiClient) CreateGroup(ctx context.Context, site, name string, members []string) (*livehelp.Group, error) {
	if err := c.own(site); err != nil {
		return nil, err
	}
	ops, err := c.Operators(ctx, site)
	if err != nil {
		return nil, err
	}
	ids := map[string]string{}
	for _, o := range ops {
		ids[strings.ToLower(o.Email)] = o.ID
	}
	req := struct {
		Name    string   `json:"name"`
		Members []string `json:"members"`
	}{Name: name, Members: []string{}}
	for _, m := range members {
		id, ok := ids[m]
		if !ok {
			return nil, livehelp.Invalid("No group was created.", map[string]string{"members": fmt.Sprintf("No operator of site %s logs in with %s.", site, m)})
		}
		req.Members = append(req.Members, id)
	}
	if err := c.call(ctx, http.MethodPost, "/v1/console/admin/groups", req, nil); err != nil {
		return nil, err
	}
	return &livehelp.Group{Site: site, Name: name, Members: members}, nil
}

// Groups lists the groups of the admin's site, members by login email.
func (c *apiClient) Groups(ctx context.Context, site string) ([]*livehelp.Group, error) {
	if err := c.own(site); err != nil {
		return nil, err
	}
	var out struct {
		Groups []apiGroup `json:"groups"`
	}
	if err := c.call(ctx, http.MethodGet, "/v1/console/admin/groups", nil, &out); err != nil {
		return nil, err
	}
	ops, err := c.Operators(ctx, site)
	if err != nil {
		return nil, err
	}
	groups := make([]*livehelp.Group, 0, len(out.Groups))
	for _, g := range out.Groups {
		groups = append(groups, &livehelp.Group{ID: g.ID, Site: site, Name: g.Name, Members: g.Members})
	}
	return membersByEmail(groups, ops), nil
}

// ExportCanned downloads the admin's site's canned messages.
func (c *apiClient) ExportCanned(ctx context.Context, site string) (*livehelp.CannedExport, error) {
	if err := c.own(site); err != nil {
		return nil, err
	}
	var x livehelp.CannedExport
	if err := c.call(ctx, http.MethodGet, "/v1/console/canned/export", nil, &x); err != nil {
		return nil, err
	}
	return &x, nil
}

// ImportCanned posts items as an export file; the console imports it all
// or nothing.
func (c *apiClient) ImportCanned(ctx context.Context, site string, items []livehelp.CannedImport) (int, error) {
	if err := c.own(site); err != nil {
		return 0, err
	}
	req := struct {
		Export livehelp.CannedExport `json:"export"`
	}{livehelp.CannedExport{Format: livehelp.CannedFormat, Version: 1, Site: site, Items: items}}
	var out struct {
		Imported int `json:"imported"`
	}
	if err := c.call(ctx, http.MethodPost, "/v1/console/canned/import", req, &out); err != nil {
		return 0, err
	}
	return out.Imported, nil
}
