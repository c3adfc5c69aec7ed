package stack

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/livehelp/livehelp/infra/devstack/build"
	"github.com/livehelp/livehelp/infra/devstack/template"
	"github.com/livehelp/livehelp/infra/dynamolocal"
	"github.com/livehelp/livehelp/shared/auth"
	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

// startDynamo starts (or reuses, when AWS_ENDPOINT_URL_DYNAMODB is set)
// DynamoDB Local and creates the template's table under this run's name.
func (s *Stack) startDynamo(ctx context.Context, root string, opts Options) error {
	cache, err := dynamolocal.CacheDir()
	if err != nil {
		return err
	}
	s.ddb, err = dynamolocal.StartOrUse(ctx, dynamolocal.Options{CacheDir: cache, PersistDir: opts.PersistDir, Stdout: opts.Log})
	if err != nil {
		return err
	}
	s.DynamoURL = s.ddb.Endpoint()
	table, err := dynamolocal.TableFromTemplate(filepath.Join(root, "template.yaml"), dynamolocal.TemplateTable)
	if err != nil {
		return err
	}
	if s.DB, err = dynamolocal.NewClient(ctx, s.DynamoURL); err != nil {
		return err
	}
	if _, err := dynamolocal.EnsureTable(ctx, s.DB, table, s.Table); err != nil {
		return err
	}
	s.Store = store.New(s.DB, s.Table, nil)
	return nil
}

// buildAll builds every function of the template for this machine and
// returns the binaries by logical id.
func buildAll(ctx context.Context, root string, tpl *template.Template) (map[string]string, error) {
	out := filepath.Join(root, ".cache", "devstack", "bin")
	pkgs := map[string]string{}
	for id, fn := range tpl.Functions {
		pkgs[id] = strings.TrimSuffix(fn.CodeURI, "/")
	}
	return build.All(ctx, root, pkgs, out)
}

// demoHandler serves the demo page: a customer site on its own origin that
// embeds the widget for site "demo".
func demoHandler(root, restURL string) (http.Handler, error) {
	page, err := os.ReadFile(filepath.Join(root, "infra", "devstack", "demo", "index.html"))
	if err != nil {
		return nil, fmt.Errorf("stack: demo page: %w", err)
	}
	page = bytes.ReplaceAll(page, []byte("{{REST}}"), []byte(restURL))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" && r.URL.Path != "/index.html" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(page)
	}), nil
}

// seed creates the demo site (allowing the demo page's origin) and the demo
// operator, an admin. With a persisted table from an earlier run it updates
// them instead: the site's origin follows the demo port, and the operator
// gets this run's password.
func (s *Stack) seed(ctx context.Context, password string) error {
	site := &livehelp.Site{
		ID: "demo", Name: "Demo site", URL: s.DemoURL, AllowedOrigins: []string{s.DemoOrigin},
		DefaultLang: "en", Slots: 3,
		AutoReply: "Thanks for your message! We usually answer within a few hours; you can add details below.",
	}
	err := s.Store.CreateSite(ctx, site)
	if livehelp.IsCode(err, livehelp.ECONFLICT) {
		err = s.Store.UpdateSiteSettings(ctx, site)
	}
	if err != nil {
		return fmt.Errorf("stack: seed site: %w", err)
	}
	const email = "demo@example.com"
	creds, err := s.CreateOperator(ctx, "demo", email, "Demo Operator", livehelp.RoleAdmin, 3, password)
	if livehelp.IsCode(err, livehelp.ECONFLICT) {
		creds, err = s.resetPassword(ctx, email, password)
	}
	if err != nil {
		return fmt.Errorf("stack: seed operator: %w", err)
	}
	s.Demo = creds
	return nil
}

func (s *Stack) resetPassword(ctx context.Context, email, password string) (Credentials, error) {
	op, err := s.Store.OperatorByEmail(ctx, email)
	if err != nil {
		return Credentials{}, err
	}
	if password == "" {
		password = auth.NewID()[:16]
	}
	if op.PasswordHash, err = auth.HashPassword(password); err != nil {
		return Credentials{}, err
	}
	if err := s.Store.UpdateOperator(ctx, op); err != nil {
		return Credentials{}, err
	}
	return Credentials{Site: op.Site, OperatorID: op.ID, Email: email, Password: password}, nil
}

// CreateOperator adds an operator to a site and returns their login. An
// empty password gets a random one.
func (s *Stack) CreateOperator(ctx context.Context, site, email, name, role string, slots int, password string) (Credentials, error) {
	if password == "" {
		password = auth.NewID()[:16]
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return Credentials{}, err
	}
	op := &livehelp.Operator{ID: auth.NewID(), Site: site, Email: email, Name: name, Role: role, Slots: slots, PasswordHash: hash}
	if err := s.Store.CreateOperator(ctx, op); err != nil {
		return Credentials{}, err
	}
	return Credentials{Site: site, OperatorID: op.ID, Email: email, Password: password}, nil
}
