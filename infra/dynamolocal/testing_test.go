package dynamolocal

import (
	"context"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
)

// envChild marks the test binary re-run by TestRunTestsUsesEnvEndpoint.
const envChild = "DYNAMOLOCAL_TEST_CHILD"

func TestMain(m *testing.M) { os.Exit(RunTests(m)) }

// item is a minimal item of the single table.
func item(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: pk},
		"SK": &types.AttributeValueMemberS{Value: sk},
	}
}

func TestNewTestTableParallel(t *testing.T) {
	names := make(chan string, 2)
	t.Run("group", func(t *testing.T) {
		for _, pk := range []string{"a", "b"} {
			t.Run(pk, func(t *testing.T) {
				t.Parallel()
				client, table := NewTestTable(t)
				names <- table
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				if _, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: item(pk, "x")}); err != nil {
					t.Fatal(err)
				}
				// Each table holds only its own item.
				scan, err := client.Scan(ctx, &dynamodb.ScanInput{TableName: &table})
				if err != nil {
					t.Fatal(err)
				}
				if scan.Count != 1 || scan.Items[0]["PK"].(*types.AttributeValueMemberS).Value != pk {
					t.Errorf("table %s holds %d items (%v), want only the one with PK %s", table, scan.Count, scan.Items, pk)
				}
				checkSchema(t, client, table)
			})
		}
	})
	close(names)
	a, b := <-names, <-names
	if a == b || a == "" {
		t.Errorf("parallel tests got tables %q and %q, want two distinct names", a, b)
	}
	if tables, err := listTables(t, testEndpoint(t)); err != nil || slices.Contains(tables, a) || slices.Contains(tables, b) {
		t.Errorf("tables after the tests ended = %q, %v; want %s and %s deleted", tables, err, a, b)
	}
}

// checkSchema verifies the created table has the template's indexes and TTL.
func checkSchema(t *testing.T, client *dynamodb.Client, table string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	desc, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &table})
	if err != nil {
		t.Fatal(err)
	}
	var indexes []string
	for _, g := range desc.Table.GlobalSecondaryIndexes {
		indexes = append(indexes, *g.IndexName)
	}
	slices.Sort(indexes)
	if diff := cmp.Diff([]string{"GSI1", "GSI2"}, indexes); diff != "" {
		t.Errorf("indexes of %s (-want +got):\n%s", table, diff)
	}
	ttl, err := client.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: &table})
	if err != nil {
		t.Fatal(err)
	}
	if d := ttl.TimeToLiveDescription; d.TimeToLiveStatus != types.TimeToLiveStatusEnabled || aws.ToString(d.AttributeName) != "ttl" {
		t.Errorf("TTL of %s = %s on %q, want ENABLED on ttl", table, d.TimeToLiveStatus, aws.ToString(d.AttributeName))
	}
}

func TestNewTestTableWithStats(t *testing.T) {
	client, table, counter := NewTestTableWithStats(t)
	if got := counter.Snapshot(); len(got) != 0 {
		t.Errorf("counter after creating the table = %v, want nothing counted", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: item("p", "s")}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: item("p", "s")}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]int64{"PutItem": 1, "GetItem": 1}, counter.Snapshot()); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
}

func TestNewTestTableFixture(t *testing.T) {
	client, table := newTestTable(t, "testdata/template.yaml", "Archive", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	desc, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &table})
	if err != nil {
		t.Fatal(err)
	}
	if s := desc.Table.StreamSpecification; s == nil || !aws.ToBool(s.StreamEnabled) {
		t.Errorf("stream of %s = %+v, want enabled", table, s)
	}
}

// TestRunTestsUsesEnvEndpoint re-runs this test binary with
// AWS_ENDPOINT_URL_DYNAMODB pointing at this binary's server; the child
// must use it and start no server of its own.
func TestRunTestsUsesEnvEndpoint(t *testing.T) {
	if os.Getenv(envChild) != "" {
		t.Skip("in the child")
	}
	endpoint := testEndpoint(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestChildUsesEnvEndpoint$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), envChild+"=1", EnvEndpoint+"="+endpoint, "PATH=") // PATH= hides java too
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestChildUsesEnvEndpoint") {
		t.Errorf("child run: %v\n%s", err, out)
	}
}

// TestChildUsesEnvEndpoint runs only as the child of
// TestRunTestsUsesEnvEndpoint.
func TestChildUsesEnvEndpoint(t *testing.T) {
	if os.Getenv(envChild) == "" {
		t.Skip("runs only as the child of TestRunTestsUsesEnvEndpoint")
	}
	_, table := NewTestTable(t)
	testServer.mu.Lock()
	started, enabled := testServer.srv != nil, testServer.enabled
	testServer.mu.Unlock()
	if started || enabled {
		t.Errorf("with %s set: server started = %v, RunTests managing = %v; want neither", EnvEndpoint, started, enabled)
	}
	tables, err := listTables(t, os.Getenv(EnvEndpoint))
	if err != nil || !slices.Contains(tables, table) {
		t.Errorf("tables at %s = %q, %v; want %s among them", os.Getenv(EnvEndpoint), tables, err, table)
	}
}

// TestCodeUnderTestFindsServer checks that code building its own client
// from the environment reaches the test server.
func TestCodeUnderTestFindsServer(t *testing.T) {
	_, table := NewTestTable(t)
	testServer.mu.Lock()
	managed := testServer.srv != nil
	testServer.mu.Unlock()
	if !managed {
		t.Skipf("%s was set by the caller; its environment is the caller's", EnvEndpoint)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dynamodb.NewFromConfig(cfg).DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &table}); err != nil {
		t.Errorf("a client from config.LoadDefaultConfig cannot reach the test table: %v", err)
	}
}
