package ddbstats_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/smithy-go/middleware"
	"github.com/google/go-cmp/cmp"
	"github.com/livehelp/livehelp/infra/dynamolocal"
	"github.com/livehelp/livehelp/shared/ddbstats"
)

// flakyServer answers the first failures requests with a retryable 500
// and the rest with an empty JSON object, a valid GetItem response.
func flakyServer(t *testing.T, failures int64) *httptest.Server {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		if n.Add(1) <= failures {
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"try again"}`))
			return
		}
		_, _ = w.Write([]byte(`{}`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestCounterRetries(t *testing.T) {
	tests := []struct {
		name     string
		failures int64
		want     ddbstats.Report
		retries  int64
	}{
		{"retried then succeeded", 1, ddbstats.Report{
			Calls:    map[string]int64{"GetItem": 1},
			Attempts: map[string]int64{"GetItem": 2},
			Items:    map[string]int64{"GetItem": 1},
		}, 1},
		{"every attempt failed", 10, ddbstats.Report{
			Calls:    map[string]int64{"GetItem": 1},
			Attempts: map[string]int64{"GetItem": 3},
			Errors:   map[string]int64{"GetItem": 1},
			Items:    map[string]int64{"GetItem": 1},
		}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := flakyServer(t, tt.failures)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			var counter ddbstats.Counter
			client, err := dynamolocal.NewClient(ctx, srv.URL, counter.Attach, func(o *dynamodb.Options) {
				o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
					so.MaxAttempts = 3
					so.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
				})
			})
			if err != nil {
				t.Fatal(err)
			}
			_, _ = client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("t"), Key: key("p", "s")})
			if diff := cmp.Diff(tt.want, counter.Report()); diff != "" {
				t.Errorf("Report (-want +got):\n%s", diff)
			}
			if got := counter.Retries(); got != tt.retries {
				t.Errorf("Retries() = %d, want %d", got, tt.retries)
			}
		})
	}
}

func TestCounterOnSharedConfigCountsOnlyDynamoDB(t *testing.T) {
	srv := flakyServer(t, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var counter ddbstats.Counter
	cfg, err := config.LoadDefaultConfig(ctx,
		config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("k", "s", "")),
		config.WithBaseEndpoint(srv.URL),
		config.WithAPIOptions([]func(*middleware.Stack) error{counter.AddToStack}),
	)
	if err != nil {
		t.Fatal(err)
	}
	ses := sesv2.NewFromConfig(cfg)
	if _, err := ses.GetAccount(ctx, &sesv2.GetAccountInput{}); err != nil {
		t.Fatal(err)
	}
	if got := counter.Snapshot(); len(got) != 0 {
		t.Errorf("after an SES call: Snapshot() = %v, want nothing counted", got)
	}
	db := dynamodb.NewFromConfig(cfg)
	if _, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("t"), Key: key("p", "s")}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]int64{"GetItem": 1}, counter.Snapshot()); diff != "" {
		t.Errorf("after a DynamoDB call (-want +got):\n%s", diff)
	}
}
