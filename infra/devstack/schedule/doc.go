// Package schedule fires the template's Schedule events for the local
// runner, as EventBridge rules would.
//
// Each enabled rule with a rate(...) expression fires on its period (which
// tests may scale or override) and invokes its function asynchronously
// with an EventBridge "Scheduled Event" document, or with the rule's Input
// when it has one. [Runner.Fire] fires a function's rules at once, for
// tests and for the runner's "run the sweep now" action. cron(...)
// expressions are rejected with a clear error: the project uses rates.
//
// Unlike Lambda's asynchronous invocation, a failed scheduled invocation is
// logged and not retried; the next period fires again.
package schedule
