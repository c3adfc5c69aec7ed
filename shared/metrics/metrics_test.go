package metrics_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"

	"github.com/livehelp/livehelp/infra/dynamolocal"
	"github.com/livehelp/livehelp/shared/metrics"
)

func TestMain(m *testing.M) { os.Exit(dynamolocal.RunTests(m)) }

// fixed is the clock of every test line.
var fixed = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

// lines decodes every line written to buf.
func lines(t *testing.T, buf *bytes.Buffer) []metrics.Record {
	t.Helper()
	var out []metrics.Record
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if l == "" {
			continue
		}
		rec, err := metrics.Decode([]byte(l))
		if err != nil {
			t.Fatalf("Decode(%s): %v", l, err)
		}
		out = append(out, rec)
	}
	return out
}

// key is a test item's primary key.
func key(pk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: pk}, "SK": &types.AttributeValueMemberS{Value: "x"}}
}

func TestAttachCountsDynamoDBByOperation(t *testing.T) {
	_, table := dynamolocal.NewTestTable(t) // also points AWS_ENDPOINT_URL_DYNAMODB at DynamoDB Local
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	rec := metrics.New("status", &out).WithClock(func() time.Time { return fixed }).Attach(&cfg)
	db := dynamodb.NewFromConfig(cfg)
	handler := metrics.Handler(rec, func(ctx context.Context, n int) (string, error) {
		for i := range n {
			if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: key(fmt.Sprint(i))}); err != nil {
				return "", err
			}
		}
		if _, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: key("0")}); err != nil {
			return "", err
		}
		metrics.Add(ctx, "MessagesStored", float64(n))
		return "ok", nil
	})
	lc := &lambdacontext.LambdaContext{AwsRequestID: "req-1"}
	for _, n := range []int{2, 0} {
		if _, err := handler(lambdacontext.NewContext(ctx, lc), n); err != nil {
			t.Fatal(err)
		}
	}
	want := []metrics.Record{
		{Function: "status", RequestID: "req-1", Time: fixed, Values: map[string]float64{
			"DynamoDBRequests": 3, "PutItem": 2, "GetItem": 1, "MessagesStored": 2}},
		{Function: "status", RequestID: "req-1", Time: fixed, Values: map[string]float64{
			"DynamoDBRequests": 1, "GetItem": 1, "MessagesStored": 0}},
	}
	if diff := cmp.Diff(want, lines(t, &out)); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
}

func TestLineFormat(t *testing.T) {
	rec := metrics.Record{Function: "chat", RequestID: "r", Time: fixed,
		Values: map[string]float64{"Query": 1, "DynamoDBRequests": 2, "TransactWriteItems": 1}}
	line, err := rec.MarshalLine()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"DynamoDBRequests":2,"Function":"chat","Query":1,"RequestId":"r","TransactWriteItems":1,` +
		`"_aws":{"Timestamp":1795262400000,"CloudWatchMetrics":[{"Namespace":"LiveHelp","Dimensions":[["Function"]],` +
		`"Metrics":[{"Name":"DynamoDBRequests","Unit":"Count"},{"Name":"Query","Unit":"Count"},{"Name":"TransactWriteItems","Unit":"Count"}]}]}}` + "\n"
	if diff := cmp.Diff(want, string(line)); diff != "" {
		t.Errorf("line (-want +got):\n%s", diff)
	}
	if bytes.Count(line, []byte("\n")) != 1 {
		t.Errorf("line %q is not one line", line)
	}
}

func TestManyMetricsSplitDirectives(t *testing.T) {
	values := map[string]float64{}
	for i := range 150 {
		values[fmt.Sprintf("M%03d", i)] = float64(i)
	}
	line, err := metrics.Record{Function: "f", Time: fixed, Values: values}.MarshalLine()
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(line), `"Namespace"`); n != 2 {
		t.Errorf("%d directives for 150 metrics, want 2", n)
	}
	got, err := metrics.Decode(line)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(values, got.Values); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestReservedNames(t *testing.T) {
	for _, name := range []string{"Function", "RequestId", "_aws"} {
		if _, err := (metrics.Record{Function: "f", Values: map[string]float64{name: 1}}).MarshalLine(); err == nil {
			t.Errorf("metric %q accepted", name)
		}
	}
}

func TestDecodeRejects(t *testing.T) {
	tests := []string{
		``,
		`not json`,
		`{"level":"INFO","msg":"connected"}`,
		`{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"Other","Dimensions":[["Function"]],"Metrics":[]}]},"Function":"f"}`,
		`{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"LiveHelp","Dimensions":[],"Metrics":[]}]}}`,
		`{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"LiveHelp","Dimensions":[["Function"]],"Metrics":[{"Name":"X"}]}]},"Function":"f","X":"one"}`,
		`{"_aws": truncated`,
	}
	for _, line := range tests {
		if rec, err := metrics.Decode([]byte(line)); err == nil {
			t.Errorf("Decode(%q) = %+v, want an error", line, rec)
		}
	}
}

func TestWorkerFlushesOnError(t *testing.T) {
	var out bytes.Buffer
	rec := metrics.New("sweep", &out).WithClock(func() time.Time { return fixed })
	boom := errors.New("boom")
	w := metrics.Worker(rec, func(ctx context.Context, _ events.CloudWatchEvent) error {
		metrics.Add(ctx, "SweepsDue", 3)
		return boom
	})
	if err := w(context.Background(), events.CloudWatchEvent{}); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the handler's", err)
	}
	want := []metrics.Record{{Function: "sweep", Time: fixed, Values: map[string]float64{"DynamoDBRequests": 0, "SweepsDue": 3}}}
	if diff := cmp.Diff(want, lines(t, &out)); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
}

func TestHTTPOneLinePerRequest(t *testing.T) {
	var out bytes.Buffer
	rec := metrics.New("console", &out).WithClock(func() time.Time { return fixed })
	h := metrics.HTTP(rec, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/limited" {
			metrics.Add(r.Context(), "RateLimited", 1)
			w.WriteHeader(http.StatusTooManyRequests)
		}
	}))
	for _, p := range []string{"/limited", "/ok", "/limited"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, p, nil))
	}
	var got []float64
	for _, r := range lines(t, &out) {
		got = append(got, r.Values["RateLimited"])
	}
	if diff := cmp.Diff([]float64{1, 0, 1}, got); diff != "" {
		t.Errorf("RateLimited per line (-want +got):\n%s", diff)
	}
}

func TestNilRecorderRecordsNothing(t *testing.T) {
	var rec *metrics.Recorder
	cfg := aws.Config{}
	if rec.Attach(&cfg) != nil || len(cfg.APIOptions) != 0 {
		t.Error("nil Recorder attached middleware")
	}
	rec.Add("X", 1)
	metrics.Add(context.Background(), "X", 1) // no Recorder in the context
	if err := rec.Flush(context.Background()); err != nil {
		t.Errorf("Flush = %v", err)
	}
	h := metrics.Handler(rec, func(context.Context, int) (int, error) { return 7, nil })
	if got, err := h(context.Background(), 0); got != 7 || err != nil {
		t.Errorf("Handler(nil) = %d, %v", got, err)
	}
}
