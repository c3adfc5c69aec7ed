package browsertest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/livehelp/livehelp/infra/devstack/stack"
	"github.com/livehelp/livehelp/infra/dynamolocal"
)

// Load of TestMeasureStatus: a steady rate for a fixed time.
const (
	measureRate     = 100 // status requests per second
	measureDuration = 10 * time.Second
	measureWarmup   = 50 // requests before counting, so processes are started
)

// ddbCounter is a reverse proxy in front of DynamoDB Local that counts the
// requests every function process sends, by operation (X-Amz-Target).
type ddbCounter struct {
	mu  sync.Mutex
	ops map[string]int
}

func (c *ddbCounter) reset() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.ops
	c.ops = map[string]int{}
	return out
}

// TestMeasureStatus measures the button status through the local runner
// (REST gateway, Lambda runtime, function processes, DynamoDB Local) at a
// steady load: latency percentiles, and DynamoDB requests per 1,000 status
// requests counted on the wire. It runs only with LIVEHELP_MEASURE=1.
func TestMeasureStatus(t *testing.T) {
	if os.Getenv("LIVEHELP_MEASURE") == "" {
		t.Skip("set LIVEHELP_MEASURE=1 to measure the status endpoint on the local runner")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	ddb, err := dynamolocal.Start(ctx, dynamolocal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ddb.Stop() })
	target, _ := url.Parse(ddb.Endpoint())
	counter := &ddbCounter{ops: map[string]int{}}
	rp := httputil.NewSingleHostReverseProxy(target)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op := r.Header.Get("X-Amz-Target")
		op = op[strings.LastIndex(op, ".")+1:]
		counter.mu.Lock()
		counter.ops[op]++
		counter.mu.Unlock()
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	t.Setenv(dynamolocal.EnvEndpoint, proxy.URL) // the stack and its functions use the proxy

	s, err := stack.Start(ctx, stack.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	u := s.RestURL + "/v1/sites/demo/status"
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	get := func() (time.Duration, error) {
		start := time.Now()
		resp, err := client.Get(u)
		if err != nil {
			return 0, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return 0, fmt.Errorf("status %s", resp.Status)
		}
		return time.Since(start), nil
	}
	for range measureWarmup {
		if _, err := get(); err != nil {
			t.Fatal(err)
		}
	}
	counter.reset()

	n := int(measureRate * measureDuration / time.Second)
	lat := make([]time.Duration, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Second / measureRate)
	began := time.Now()
	for i := range n {
		<-tick.C
		wg.Go(func() { lat[i], errs[i] = get() })
	}
	wg.Wait()
	tick.Stop()
	elapsed := time.Since(began)
	ops := counter.reset()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("status request: %v", err)
		}
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(n-1, int(float64(n)*p))] }
	total, writes := 0, 0
	names := make([]string, 0, len(ops))
	for op, c := range ops {
		total += c
		names = append(names, fmt.Sprintf("%s %.1f", op, float64(c)*1000/float64(n)))
		if op == "PutItem" || op == "UpdateItem" || op == "DeleteItem" || op == "BatchWriteItem" || op == "TransactWriteItems" {
			writes += c
		}
	}
	sort.Strings(names)
	procs := 0
	for id, p := range s.Pools() {
		if id == "StatusFunction" {
			procs = len(p.Stats().Processes)
		}
	}
	t.Logf("status through the local runner: %d requests at %d/s over %v (%d status processes)", n, measureRate, elapsed.Round(time.Millisecond), procs)
	t.Logf("latency p50 %v, p90 %v, p99 %v, max %v", pct(0.50).Round(10*time.Microsecond), pct(0.90).Round(10*time.Microsecond), pct(0.99).Round(10*time.Microsecond), lat[n-1].Round(10*time.Microsecond))
	t.Logf("DynamoDB requests per 1,000 status requests: %.1f (%s)", float64(total)*1000/float64(n), strings.Join(names, ", "))
	if writes != 0 {
		t.Errorf("%d DynamoDB writes during status requests, want 0", writes)
	}
	if total > n/10 {
		t.Errorf("%d DynamoDB requests for %d status requests: the cache is not working", total, n)
	}
}
