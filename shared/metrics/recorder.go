package metrics

import (
	"context"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/livehelp/livehelp/shared/ddbstats"
)

// Namespace is the CloudWatch namespace of every metric.
const Namespace = "LiveHelp"

// Names of the metrics a Recorder fills in by itself.
const (
	// DynamoDBRequests counts logical DynamoDB calls, all operations.
	DynamoDBRequests = "DynamoDBRequests"
	// DynamoDBRetries counts DynamoDB attempts beyond the first of each call.
	DynamoDBRetries = "DynamoDBRetries"
)

// Recorder collects one function process's metrics and writes them after
// each invocation. Its methods are safe for concurrent use, and a nil
// *Recorder records nothing, so code can run without one.
type Recorder struct {
	function string
	out      io.Writer
	now      func() time.Time
	counter  ddbstats.Counter

	mu     sync.Mutex
	values map[string]float64
}

// New returns a Recorder for the function named function (the value of the
// Function dimension: "status", "chat", ...) that writes its lines to out,
// usually os.Stdout.
func New(function string, out io.Writer) *Recorder {
	return &Recorder{function: function, out: out, now: time.Now, values: map[string]float64{}}
}

// WithClock makes the Recorder stamp its lines with now (for tests) and
// returns it.
func (r *Recorder) WithClock(now func() time.Time) *Recorder {
	if r != nil && now != nil {
		r.now = now
	}
	return r
}

// Attach counts the DynamoDB requests of every client built from cfg after
// this call (requests to other services are not counted) and returns r, so
// main.go can write rec := metrics.New(...).Attach(&cfg).
func (r *Recorder) Attach(cfg *aws.Config) *Recorder {
	if r != nil && cfg != nil {
		cfg.APIOptions = append(cfg.APIOptions, r.counter.AddToStack)
	}
	return r
}

// AttachDynamoDB is a dynamodb.Options function that counts one client's
// requests: dynamodb.NewFromConfig(cfg, rec.AttachDynamoDB).
func (r *Recorder) AttachDynamoDB(o *dynamodb.Options) {
	if r != nil {
		r.counter.Attach(o)
	}
}

// Add adds v to the metric name for the current invocation. Names should be
// CamelCase counts such as "EmailsSent".
func (r *Recorder) Add(name string, v float64) {
	if r == nil || name == "" {
		return
	}
	r.mu.Lock()
	r.values[name] += v
	r.mu.Unlock()
}

// Flush writes one EMF line with everything counted since the last Flush
// and starts counting afresh. The line carries the invocation's request id
// when ctx is a Lambda context. A line is written even when nothing was
// counted (DynamoDBRequests 0), so every invocation is visible.
func (r *Recorder) Flush(ctx context.Context) error {
	if r == nil {
		return nil
	}
	rep := r.counter.Reset()
	r.mu.Lock()
	values := r.values
	r.values = map[string]float64{}
	r.mu.Unlock()

	var calls int64
	for op, n := range rep.Calls {
		calls += n
		values[op] += float64(n)
	}
	values[DynamoDBRequests] += float64(calls)
	if n := rep.Retries(); n > 0 {
		values[DynamoDBRetries] += float64(n)
	}
	rec := Record{Function: r.function, Time: r.now(), Values: values}
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		rec.RequestID = lc.AwsRequestID
	}
	line, err := rec.MarshalLine()
	if err != nil {
		return err
	}
	_, err = r.out.Write(line)
	return err
}

// recorderKey is the context key of the invocation's Recorder.
type recorderKey struct{}

// NewContext returns ctx carrying r, for Add.
func NewContext(ctx context.Context, r *Recorder) context.Context {
	return context.WithValue(ctx, recorderKey{}, r)
}

// FromContext returns the Recorder ctx carries, or nil.
func FromContext(ctx context.Context) *Recorder {
	r, _ := ctx.Value(recorderKey{}).(*Recorder)
	return r
}

// Add adds v to the metric name of the invocation ctx belongs to; it does
// nothing when ctx carries no Recorder.
func Add(ctx context.Context, name string, v float64) {
	FromContext(ctx).Add(name, v)
}

// Handler wraps a Lambda handler that returns a response (API Gateway REST
// and WebSocket functions): each invocation runs with r in its context and
// is followed by one EMF line, whether it succeeded or not. A line that
// cannot be written does not fail the invocation.
func Handler[In, Out any](r *Recorder, h func(context.Context, In) (Out, error)) func(context.Context, In) (Out, error) {
	return func(ctx context.Context, in In) (Out, error) {
		defer func() { _ = r.Flush(ctx) }()
		return h(NewContext(ctx, r), in)
	}
}

// Worker is Handler for handlers that return only an error, such as the
// scheduled sweep and mailer.
func Worker[In any](r *Recorder, h func(context.Context, In) error) func(context.Context, In) error {
	return func(ctx context.Context, in In) error {
		defer func() { _ = r.Flush(ctx) }()
		return h(NewContext(ctx, r), in)
	}
}

// HTTP wraps a net/http handler the same way: each request runs with r in
// its context and is followed by one EMF line. Use it or Handler, not both,
// or each invocation writes two lines.
func HTTP(r *Recorder, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		defer func() { _ = r.Flush(req.Context()) }()
		h.ServeHTTP(w, req.WithContext(NewContext(req.Context(), r)))
	})
}
