package ddbstats

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"
)

// Counter counts the DynamoDB requests of every client it is attached to.
// The zero value is ready to use and all methods are safe for concurrent
// use. A nil *Counter attaches nothing, so callers can pass counter.Attach
// whether or not counting is enabled.
type Counter struct {
	mu sync.Mutex
	r  Report
}

// Attach adds the counting middleware to a DynamoDB client's options; pass
// it to dynamodb.NewFromConfig or dynamodb.New, or as a per-call option.
func (c *Counter) Attach(o *dynamodb.Options) {
	if c == nil {
		return
	}
	o.APIOptions = append(o.APIOptions, c.AddToStack)
}

// AddToStack adds the counting middleware to an operation stack; it suits
// dynamodb.Options.APIOptions and config.WithAPIOptions. Operations of
// other services that share the stack options are not counted.
//
// One middleware, at the end of the Initialize step, sees each logical
// call once with its input and output; another, at the end of the Finalize
// step (inside the retry loop, after signing), sees each attempt. A call is
// recorded when it returns, and only if at least one attempt was sent, so
// calls rejected by client-side validation are not counted.
func (c *Counter) AddToStack(stack *middleware.Stack) error {
	if c == nil {
		return nil
	}
	id := fmt.Sprintf("ddbstats.%p", c)
	if err := stack.Initialize.Add(middleware.InitializeMiddlewareFunc(id+".Call", c.handleCall), middleware.After); err != nil {
		return fmt.Errorf("ddbstats: %w", err)
	}
	if err := stack.Finalize.Add(middleware.FinalizeMiddlewareFunc(id+".Attempt", handleAttempt), middleware.After); err != nil {
		return fmt.Errorf("ddbstats: %w", err)
	}
	return nil
}

// callState carries the attempt count of one call from the Initialize
// middleware to the Finalize one.
type callState struct{ attempts atomic.Int64 }

// callKey is the context key of the *callState of a call.
type callKey struct{}

// handleCall runs once per API call.
func (c *Counter) handleCall(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (
	middleware.InitializeOutput, middleware.Metadata, error,
) {
	if middleware.GetServiceID(ctx) != dynamodb.ServiceID {
		return next.HandleInitialize(ctx, in)
	}
	st := &callState{}
	out, md, err := next.HandleInitialize(context.WithValue(ctx, callKey{}, st), in)
	if n := st.attempts.Load(); n > 0 {
		c.record(middleware.GetOperationName(ctx), n, itemCount(in.Parameters, out.Result), err != nil)
	}
	return out, md, err
}

// handleAttempt runs once per attempt, just before the request is sent.
func handleAttempt(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (
	middleware.FinalizeOutput, middleware.Metadata, error,
) {
	if st, ok := ctx.Value(callKey{}).(*callState); ok {
		st.attempts.Add(1)
	}
	return next.HandleFinalize(ctx, in)
}

// record adds one finished call.
func (c *Counter) record(op string, n, itemN int64, failed bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.r.add(calls, op, 1)
	c.r.add(attempts, op, n)
	c.r.add(items, op, itemN)
	if failed {
		c.r.add(errs, op, 1)
	}
}

// Report returns a copy of all counts.
func (c *Counter) Report() Report {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.r.clone()
}

// Snapshot returns the number of calls by operation name, e.g.
// {"GetItem": 1, "Query": 2}; never nil. Retries are not included (see
// Retries).
func (c *Counter) Snapshot() map[string]int64 {
	if m := c.Report().Calls; m != nil {
		return m
	}
	return map[string]int64{}
}

// Reset sets every count to zero and returns the counts it discarded, so a
// caller can read and restart a measurement atomically.
func (c *Counter) Reset() Report {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.r
	c.r = Report{}
	return r.clone()
}

// Count returns the number of calls of the operation op.
func (c *Counter) Count(op string) int64 { return c.Report().Count(op) }

// Reads returns the number of read calls (see ReadOperations).
func (c *Counter) Reads() int64 { return c.Report().Reads() }

// Writes returns the number of write calls (see WriteOperations).
func (c *Counter) Writes() int64 { return c.Report().Writes() }

// Scans returns the number of Scan calls.
func (c *Counter) Scans() int64 { return c.Report().Scans() }

// Retries returns the number of attempts beyond the first, over all calls.
func (c *Counter) Retries() int64 { return c.Report().Retries() }

// ItemsRead returns the number of items read calls addressed (see Items).
func (c *Counter) ItemsRead() int64 { return c.Report().ItemsRead() }

// ItemsWritten returns the number of items write calls addressed (see Items).
func (c *Counter) ItemsWritten() int64 { return c.Report().ItemsWritten() }

// itemCount returns how many items a call addressed; see Report.Items.
func itemCount(params, result any) int64 {
	switch in := params.(type) {
	case *dynamodb.GetItemInput, *dynamodb.PutItemInput, *dynamodb.UpdateItemInput, *dynamodb.DeleteItemInput:
		return 1
	case *dynamodb.BatchGetItemInput:
		var n int
		for _, ka := range in.RequestItems {
			n += len(ka.Keys)
		}
		return int64(n)
	case *dynamodb.BatchWriteItemInput:
		var n int
		for _, reqs := range in.RequestItems {
			n += len(reqs)
		}
		return int64(n)
	case *dynamodb.TransactGetItemsInput:
		return int64(len(in.TransactItems))
	case *dynamodb.TransactWriteItemsInput:
		var n int64
		for _, it := range in.TransactItems {
			if it.Put != nil || it.Update != nil || it.Delete != nil {
				n++
			}
		}
		return n
	}
	switch out := result.(type) {
	case *dynamodb.QueryOutput:
		if out != nil {
			return int64(out.ScannedCount)
		}
	case *dynamodb.ScanOutput:
		if out != nil {
			return int64(out.ScannedCount)
		}
	}
	return 0
}
