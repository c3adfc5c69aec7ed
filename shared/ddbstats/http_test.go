package ddbstats_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/google/go-cmp/cmp"
	"github.com/livehelp/livehelp/infra/dynamolocal"
	"github.com/livehelp/livehelp/shared/ddbstats"
)

// countedCounter returns a counter that has counted one GetItem, through a
// stub DynamoDB.
func countedCounter(t *testing.T) *ddbstats.Counter {
	t.Helper()
	srv := flakyServer(t, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	counter := new(ddbstats.Counter)
	client, err := dynamolocal.NewClient(ctx, srv.URL, counter.Attach)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("t"), Key: key("p", "s")}); err != nil {
		t.Fatal(err)
	}
	return counter
}

// oneGet is the report of countedCounter.
var oneGet = ddbstats.Report{
	Calls:    map[string]int64{"GetItem": 1},
	Attempts: map[string]int64{"GetItem": 1},
	Items:    map[string]int64{"GetItem": 1},
}

func TestServeHTTP(t *testing.T) {
	tests := []struct {
		method     string
		status     int
		body       *ddbstats.Report // nil: not JSON
		afterCalls int64
	}{
		{http.MethodGet, http.StatusOK, &oneGet, 1},
		{http.MethodPost, http.StatusOK, &oneGet, 0},
		{http.MethodDelete, http.StatusOK, &oneGet, 0},
		{http.MethodPut, http.StatusMethodNotAllowed, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			counter := countedCounter(t)
			rec := httptest.NewRecorder()
			counter.ServeHTTP(rec, httptest.NewRequest(tt.method, "/", nil))
			if rec.Code != tt.status {
				t.Errorf("status = %d, want %d", rec.Code, tt.status)
			}
			if tt.body != nil {
				if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
					t.Errorf("Content-Type = %q", ct)
				}
				var got ddbstats.Report
				if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
					t.Fatalf("body %q: %v", rec.Body, err)
				}
				if diff := cmp.Diff(*tt.body, got); diff != "" {
					t.Errorf("body (-want +got):\n%s", diff)
				}
			}
			if got := counter.Count("GetItem"); got != tt.afterCalls {
				t.Errorf("GetItem count after %s = %d, want %d", tt.method, got, tt.afterCalls)
			}
		})
	}
}

func TestServeAndFetch(t *testing.T) {
	counter := countedCounter(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, err := ddbstats.Serve(ctx, "127.0.0.1:0", counter)
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + addr.String() + "/"
	fctx, fcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer fcancel()

	got, err := ddbstats.Fetch(fctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(oneGet, got); diff != "" {
		t.Errorf("Fetch (-want +got):\n%s", diff)
	}
	got, err = ddbstats.FetchAndReset(fctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(oneGet, got); diff != "" {
		t.Errorf("FetchAndReset (-want +got):\n%s", diff)
	}
	if got, err := ddbstats.Fetch(fctx, url); err != nil || got.Reads() != 0 {
		t.Errorf("Fetch after reset = %+v, %v; want no reads", got, err)
	}

	cancel()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := ddbstats.Fetch(fctx, url); err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("still serving 5 s after ctx was cancelled")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestServeRejects(t *testing.T) {
	tests := []struct {
		addr    string
		counter *ddbstats.Counter
		want    string
	}{
		{"0.0.0.0:0", new(ddbstats.Counter), "not a loopback address"},
		{":0", new(ddbstats.Counter), "not a loopback address"},
		{"192.0.2.1:0", new(ddbstats.Counter), "not a loopback address"},
		{"127.0.0.1", new(ddbstats.Counter), "missing port"},
		{"127.0.0.1:0", nil, "nil counter"},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			addr, err := ddbstats.Serve(ctx, tt.addr, tt.counter)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Serve(%q) = %v, %v; want an error containing %q", tt.addr, addr, err, tt.want)
			}
		})
	}
}
