package ctl

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

// backend is what the commands need from a deployment: tableBackend
// writes the table through shared/store; apiClient uses the console API.
type backend interface {
	CreateSite(ctx context.Context, site *livehelp.Site) error
	Site(ctx context.Context, id string, consistent bool) (*livehelp.Site, error)
	Sites(ctx context.Context) ([]*livehelp.Site, error)
	UpdateSiteSettings(ctx context.Context, site *livehelp.Site) error
	// CreateOperator stores op with password (checked, not yet hashed).
	CreateOperator(ctx context.Context, op *livehelp.Operator, password string) error
	Operators(ctx context.Context, site string) ([]*livehelp.Operator, error)
	// SetPassword replaces the password of the operator who logs in with email.
	SetPassword(ctx context.Context, email, password string) (*livehelp.Operator, error)
	// CreateGroup makes a group of site from operators' login emails.
	CreateGroup(ctx context.Context, site, name string, members []string) (*livehelp.Group, error)
	// Groups lists site's groups with members as login emails.
	Groups(ctx context.Context, site string) ([]*livehelp.Group, error)
	ExportCanned(ctx context.Context, site string) (*livehelp.CannedExport, error)
	// ImportCanned adds items at the top of site's tree, all or nothing.
	ImportCanned(ctx context.Context, site string, items []livehelp.CannedImport) (int, error)
}

// conn holds the connection flags; they are registered on the global flag
// set and again on each command's, so they may come before or after the
// command.
type conn struct {
	table, region, profile, endpoint string
	api, email                       string
	passwordStdin, json              bool
}

// register adds the connection flags to fs. getenv, when not nil, supplies
// defaults from the environment (only the global flag set reads it).
func (c *conn) register(fs *flag.FlagSet, getenv func(string) string) {
	def := func(v, env string) string {
		if v == "" && getenv != nil {
			return getenv(env)
		}
		return v
	}
	fs.StringVar(&c.table, "table", def(c.table, "LIVEHELP_TABLE"), "DynamoDB `table` of the deployment (the stack's TableName output)")
	fs.StringVar(&c.region, "region", c.region, "AWS `region` (default from the AWS config)")
	fs.StringVar(&c.profile, "profile", c.profile, "AWS shared-config `profile`")
	fs.StringVar(&c.endpoint, "endpoint-url", c.endpoint, "DynamoDB endpoint `URL` (LocalStack, DynamoDB Local)")
	fs.StringVar(&c.api, "api", c.api, "console API base `URL` (the stack's RestApiUrl) instead of --table")
	fs.StringVar(&c.email, "admin-email", def(c.email, "LIVEHELP_ADMIN_EMAIL"), "`email` of the admin who logs in with --api")
	fs.BoolVar(&c.passwordStdin, "password-stdin", c.passwordStdin, "read passwords from standard input, one per line")
	fs.BoolVar(&c.json, "json", c.json, "print lists as JSON")
}

// env is one run's state: its streams, flags and, once opened, backend.
type env struct {
	io      IO
	conn    conn
	stdin   *lineReader
	backend backend
	api     *apiClient // the backend when --api is used
}

func (e *env) close() {
	if e.api != nil {
		e.api.logout(context.Background())
	}
}

// open returns the backend the connection flags select, opening it once.
func (e *env) open(ctx context.Context) (backend, error) {
	if e.backend != nil {
		return e.backend, nil
	}
	switch c := e.conn; {
	case c.api != "" && c.table != "":
		return nil, usagef("give either --table or --api, not both")
	case c.api != "":
		u, err := url.Parse(c.api)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, usagef("--api must be an http(s) URL such as https://abc123.execute-api.us-east-1.amazonaws.com/live")
		}
		if c.email == "" {
			return nil, usagef("--api needs --admin-email of an admin (or LIVEHELP_ADMIN_EMAIL)")
		}
		password, err := e.password("Password for "+c.email+": ", false)
		if err != nil {
			return nil, err
		}
		api := newAPIClient(strings.TrimRight(c.api, "/"), nil)
		if err := api.login(ctx, c.email, password); err != nil {
			return nil, err
		}
		e.api, e.backend = api, api
	case c.table != "":
		db, err := e.dynamo(ctx)
		if err != nil {
			return nil, err
		}
		e.backend = &tableBackend{st: store.New(db, c.table, nil)}
	default:
		return nil, usagef("say where the deployment is: --table NAME (the stack's TableName output) or --api URL")
	}
	return e.backend, nil
}

// dynamo builds the DynamoDB client from the default AWS configuration and
// the connection flags.
func (e *env) dynamo(ctx context.Context) (*dynamodb.Client, error) {
	var opts []func(*config.LoadOptions) error
	if e.conn.region != "" {
		opts = append(opts, config.WithRegion(e.conn.region))
	}
	if e.conn.profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(e.conn.profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return nil, usagef("no AWS region: pass --region or set AWS_REGION (the region the stack is in)")
	}
	var dbOpts []func(*dynamodb.Options)
	if e.conn.endpoint != "" {
		if u, err := url.Parse(e.conn.endpoint); err != nil || u.Host == "" {
			return nil, usagef("--endpoint-url must be a URL such as http://localhost:4566")
		}
		dbOpts = append(dbOpts, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(e.conn.endpoint) })
	}
	return dynamodb.NewFromConfig(cfg, dbOpts...), nil
}
