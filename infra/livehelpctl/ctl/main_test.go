package ctl

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/livehelp/livehelp/infra/dynamolocal"
	"github.com/livehelp/livehelp/shared/store"
)

func TestMain(m *testing.M) {
	// The SDK's default chain reads these; DynamoDB Local accepts any.
	for k, v := range map[string]string{"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_REGION": "us-east-1"} {
		os.Setenv(k, v)
	}
	os.Unsetenv("AWS_PROFILE")
	os.Exit(dynamolocal.RunTests(m))
}

// fakeTerminal answers prompts from lists, recording the prompts.
type fakeTerminal struct {
	passwords []string
	answers   []bool
	prompts   []string
}

func (f *fakeTerminal) ReadPassword(prompt string) (string, error) {
	f.prompts = append(f.prompts, prompt)
	p := f.passwords[0]
	f.passwords = f.passwords[1:]
	return p, nil
}

func (f *fakeTerminal) Confirm(q string) (bool, error) {
	f.prompts = append(f.prompts, q)
	a := f.answers[0]
	f.answers = f.answers[1:]
	return a, nil
}

// result is what one livehelpctl run printed and returned.
type result struct {
	code     int
	out, err string
}

// runCtl runs livehelpctl with stdin and args; term may be nil.
func runCtl(t *testing.T, stdin string, term Terminal, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	code := Main(ctx, args, IO{In: strings.NewReader(stdin), Out: &out, Err: &errOut, Terminal: term,
		Getenv: func(string) string { return "" }})
	return result{code, out.String(), errOut.String()}
}

// newTable returns a fresh table, a store over it, and the connection
// flags that reach it.
func newTable(t *testing.T) (*store.Store, []string) {
	t.Helper()
	client, table := dynamolocal.NewTestTable(t)
	return store.New(client, table, nil), []string{"--table", table, "--endpoint-url", os.Getenv(dynamolocal.EnvEndpoint)}
}

// args joins connection flags and a command line.
func args(conn []string, cmd ...string) []string {
	return append(append([]string(nil), conn...), cmd...)
}

// wantCode fails the test when r did not exit with code or its stderr
// lacks msg.
func wantCode(t *testing.T, r result, code int, msg string) {
	t.Helper()
	if r.code != code || !strings.Contains(r.err, msg) {
		t.Fatalf("exit %d, stderr %q; want exit %d and stderr containing %q (stdout %q)", r.code, r.err, code, msg, r.out)
	}
}

func regexpMatch(pattern, s string) bool { return regexp.MustCompile(pattern).MatchString(s) }
