package ctl

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// apiClient is the backend that talks to a deployment's console API with
// an admin session (POST /v1/console/login, Bearer token).
//
// Today the console API offers login, logout, me and config; sites,
// operators and groups are managed with --table. Each backend method
// below says so in its error instead of pretending, and gains a real call
// when the console API gains the endpoint.
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
	return usagef("the console API does not offer %s yet; use --table NAME (the stack's TableName output) with AWS credentials", op)
}

// CreateSite is not offered by the console API.
func (c *apiClient) CreateSite(context.Context, *livehelp.Site) error {
	return notOffered("site create")
}

// Site is not offered by the console API.
func (c *apiClient) Site(context.Context, string, bool) (*livehelp.Site, error) {
	return nil, notOffered("reading site settings")
}

// Sites is not offered by the console API.
func (c *apiClient) Sites(context.Context) ([]*livehelp.Site, error) {
	return nil, notOffered("site list")
}

// UpdateSiteSettings is not offered by the console API.
func (c *apiClient) UpdateSiteSettings(context.Context, *livehelp.Site) error {
	return notOffered("site set")
}

// CreateOperator is not offered by the console API.
func (c *apiClient) CreateOperator(context.Context, *livehelp.Operator) error {
	return notOffered("operator create")
}

// OperatorByEmail answers for the logged-in admin (GET /v1/console/me);
// other operators are not offered by the console API.
func (c *apiClient) OperatorByEmail(ctx context.Context, email string) (*livehelp.Operator, error) {
	var out struct {
		Operator apiOperator `json:"operator"`
	}
	if err := c.call(ctx, http.MethodGet, "/v1/console/me", nil, &out); err != nil {
		return nil, err
	}
	if out.Operator.Email != email {
		return nil, notOffered("looking up other operators")
	}
	o := out.Operator
	return &livehelp.Operator{ID: o.ID, Site: o.Site, Email: o.Email, Name: o.Name, Role: o.Role}, nil
}

// Operators is not offered by the console API.
func (c *apiClient) Operators(context.Context, string) ([]*livehelp.Operator, error) {
	return nil, notOffered("operator list")
}

// UpdateOperator is not offered by the console API.
func (c *apiClient) UpdateOperator(context.Context, *livehelp.Operator) error {
	return notOffered("changing operators")
}
