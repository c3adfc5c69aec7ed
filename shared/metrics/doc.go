// Package metrics records what each Lambda invocation cost and did, and
// writes it as one CloudWatch Embedded Metric Format (EMF) log line per
// invocation, so CloudWatch turns the function's own stdout into metrics
// without an API call, and the local runner's benchmark can read the same
// lines from the processes' output.
//
// A Recorder counts the DynamoDB requests of every client built from the
// aws.Config it is attached to (with shared/ddbstats middleware, by
// operation) and any named counts the code adds during the invocation
// (EmailsSent, MessagesStored, RateLimited, ...). main.go wires it in two
// lines:
//
//	cfg, err := config.LoadDefaultConfig(ctx)
//	...
//	rec := metrics.New("status", os.Stdout).Attach(&cfg) // before any client is built
//	...
//	lambda.Start(metrics.Handler(rec, httpadapter.New(h).ProxyWithContext))
//
// Scheduled functions, whose handlers return only an error, use Worker
// instead of Handler; plain net/http code can use HTTP. Code deeper down
// adds counts through the context, without knowing the Recorder:
//
//	metrics.Add(ctx, "EmailsSent", 1)
//
// which does nothing when the context carries no Recorder (unit tests).
//
// # The line
//
// After each invocation the wrapper writes, on one line:
//
//	{"_aws":{"Timestamp":1763726400000,"CloudWatchMetrics":[{"Namespace":"LiveHelp",
//	 "Dimensions":[["Function"]],"Metrics":[{"Name":"DynamoDBRequests","Unit":"Count"},
//	 {"Name":"GetItem","Unit":"Count"}]}]},"Function":"status","RequestId":"…",
//	 "DynamoDBRequests":1,"GetItem":1}
//
// DynamoDBRequests is the number of logical DynamoDB calls (retries are
// not calls; DynamoDBRetries, present when non-zero, counts the extra
// attempts); each operation that was called appears under its own name.
// Counts are per invocation and reset after each line. A Lambda process
// serves one invocation at a time, so the counts of a line belong to one
// invocation (work a handler leaves running in a goroutine after it
// returns is counted in the next line).
//
// Decode reads such a line back; the benchmark (infra/bench) sums them.
package metrics
