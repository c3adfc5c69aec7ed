// Package ddbstats counts the DynamoDB requests a program makes, by
// operation name, so tests and benchmarks can hold code to the request
// budgets of the design (a page view costs at most one GetItem, a chat
// message at most two writes and one Query, nothing ever Scans).
//
// A Counter is AWS SDK v2 middleware. Attach it to a client:
//
//	var counter ddbstats.Counter
//	db := dynamodb.NewFromConfig(cfg, counter.Attach)
//	...
//	if n := counter.Writes(); n > 2 {
//		t.Errorf("sending a message made %d write calls, budget 2", n)
//	}
//
// or to every client built from one config with
// config.WithAPIOptions([]func(*middleware.Stack) error{counter.AddToStack});
// only DynamoDB operations are counted.
//
// # What is counted
//
// Calls are logical API calls: one per client method call that sent at
// least one HTTP request, successful or not. Attempts are HTTP requests,
// retries included, so Retries is Attempts minus Calls. Reads counts
// GetItem, BatchGetItem, TransactGetItems, Query and Scan calls; Writes
// counts PutItem, UpdateItem, DeleteItem, BatchWriteItem and
// TransactWriteItems calls, each one call however many items it carries;
// Scans counts Scan calls alone. Items counts the items calls addressed
// (see Report.Items), so ItemsWritten of a TransactWriteItems with three
// Puts and a ConditionCheck is 3 while Writes is 1. Table management calls
// (CreateTable, DescribeTable, ...) and PartiQL calls appear in Snapshot
// and Report but in neither Reads nor Writes.
//
// # Counting inside a function process
//
// On the local runner the requests worth counting are made by function
// processes, not by the test. A function opts in through its main.go, which
// reads the environment (shared packages never do):
//
//	var counter *ddbstats.Counter // nil: counting off, Attach is a no-op
//	if addr := os.Getenv(ddbstats.EnvAddr); addr != "" {
//		counter = new(ddbstats.Counter)
//		if _, err := ddbstats.Serve(ctx, addr, counter); err != nil {
//			return err
//		}
//	}
//	db := dynamodb.NewFromConfig(cfg, counter.Attach)
//
// The runner gives each function process its own loopback address in
// LIVEHELP_DDBSTATS_ADDR and reads the counts with Fetch (GET, the current
// Report as JSON) or FetchAndReset (POST, the Report before resetting);
// Report.Add totals the processes of a run. The variable is never set in
// AWS, where nothing is served or counted.
package ddbstats
