package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/livehelp/livehelp/infra/devstack/stack"
	"github.com/livehelp/livehelp/infra/livehelpctl/ctl"
)

// target is the deployment under test, set by TestMain; nil in -short mode
// without LIVEHELP_REST_URL (nothing is started then).
var target *Target

// local is the local runner when TestMain started one.
var local *stack.Stack

// The test site and admins TestMain creates on the local runner. The CLI
// test has its own admin: the console limits logins per email.
const (
	localSite     = "e2e"
	localAdmin    = "e2e-admin@example.com"
	localCLIAdmin = "e2e-cli-admin@example.com"
)

// cliAdminPassword is localCLIAdmin's password.
var cliAdminPassword string

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(run(m))
}

func run(m *testing.M) int {
	t, remote, err := FromEnv(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if !remote && !testing.Short() {
		var stop func()
		if t, stop, err = startLocal(); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: start the local runner:", err)
			return 1
		}
		defer stop()
	}
	target = t
	defer logoutShared()
	return m.Run()
}

// startLocal starts the local runner and makes the test site and its admin
// with livehelpctl, as a cloud admin would: the table backend, pointed at
// the runner's DynamoDB Local.
func startLocal() (*Target, func(), error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var logw io.Writer = io.Discard
	if p := os.Getenv("LIVEHELP_E2E_LOG"); p != "" {
		f, err := os.Create(p)
		if err != nil {
			return nil, nil, err
		}
		logw = f
	}
	s, err := stack.Start(ctx, stack.Options{Log: logw})
	if err != nil {
		return nil, nil, err
	}
	local = s
	stop := func() {
		if err := s.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: stop the local runner:", err)
		}
	}
	// DynamoDB Local takes any credentials; the SDK insists on some.
	for k, v := range map[string]string{"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_REGION": "us-east-1"} {
		os.Setenv(k, v)
	}
	os.Unsetenv("AWS_PROFILE")
	password := "pw-" + randomID()
	cliAdminPassword = "pw-" + randomID()
	conn := []string{"--table", s.Table, "--endpoint-url", s.DynamoURL}
	steps := []struct {
		stdin string
		args  []string
	}{
		{"", []string{"site", "create", "--id", localSite, "--name", "End-to-end tests", "--spam-protection=false"}},
		{password + "\n", []string{"--password-stdin", "operator", "create", "--site", localSite, "--email", localAdmin,
			"--name", "E2E Admin", "--role", "admin"}},
		{cliAdminPassword + "\n", []string{"--password-stdin", "operator", "create", "--site", localSite, "--email", localCLIAdmin,
			"--name", "E2E CLI Admin", "--role", "admin"}},
	}
	for _, st := range steps {
		if out, err := runCtl(ctx, st.stdin, append(append([]string(nil), conn...), st.args...)...); err != nil {
			stop()
			return nil, nil, fmt.Errorf("livehelpctl %s: %w\n%s", strings.Join(st.args[:2], " "), err, out)
		}
	}
	mail, _ := NewMailReader(s.MailURL)
	return &Target{RestURL: s.RestURL, WebSocketURL: s.WebSocketURL, Site: localSite, Email: localAdmin, Password: password,
		Mail: mail, MailTo: "visitor-" + randomID() + "@example.com", Strict: os.Getenv(EnvStrict) == "1"}, stop, nil
}

// runCtl runs livehelpctl in this process and returns its output; a
// non-zero exit is an error.
func runCtl(ctx context.Context, stdin string, args ...string) (string, error) {
	var out bytes.Buffer
	code := ctl.Main(ctx, args, ctl.IO{In: strings.NewReader(stdin), Out: &out, Err: &out, Getenv: func(string) string { return "" }})
	if code != ctl.ExitOK {
		return out.String(), fmt.Errorf("exit status %d", code)
	}
	return out.String(), nil
}

// need returns the target, skipping the test when none is set up.
func need(t *testing.T) *Target {
	t.Helper()
	if target == nil {
		t.Skip("no target: -short without LIVEHELP_REST_URL starts no local runner")
	}
	return target
}

// pending skips a journey whose backend feature the target lacks, or fails
// it with LIVEHELP_E2E_STRICT=1.
func pending(t *testing.T, feature string) {
	t.Helper()
	if target.Strict {
		t.Fatalf("pending: %s (LIVEHELP_E2E_STRICT=1)", feature)
	}
	t.Skipf("pending: %s", feature)
}

// randomID returns 12 random hex characters for unique test data.
func randomID() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// within returns a context for one step of a journey.
func within(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// eventually calls check every half second until it returns "" (done) or
// the timeout passes, then fails with its last message.
func eventually(t *testing.T, timeout time.Duration, check func() string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		msg := check()
		if msg == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %s", timeout, msg)
		}
		time.Sleep(500 * time.Millisecond)
	}
}
