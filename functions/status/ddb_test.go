package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/livehelp/livehelp/infra/dynamolocal"
	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

// TestStatusDynamoDBRequests holds the real status handler, on the real
// store and DynamoDB Local, to the page-view budget of DESIGN.md §4: one
// GetItem when the container has no fresh copy, none for repeats within
// the cache window, never a write. The counts come from the SDK middleware
// on the client, so they are the requests actually sent.
func TestStatusDynamoDBRequests(t *testing.T) {
	t.Parallel()
	client, table, counter := dynamolocal.NewTestTableWithStats(t)
	clock := time.Now().UTC().Truncate(time.Millisecond)
	st := store.New(client, table, func() time.Time { return clock })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	seed(ctx, t, st, clock)
	counter.Reset() // seeding wrote; only status requests count from here

	const window = 5 * time.Second
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	h := newHandler(st, window, "ws://127.0.0.1:1/live", log, func() time.Time { return clock })

	type calls = map[string]int64
	tests := []struct {
		name    string
		advance time.Duration // clock moves before the request
		path    string
		code    int
		state   string
		want    calls // DynamoDB calls made by this request alone
	}{
		{"cold", 0, "/v1/sites/demo/status", 200, "online", calls{"GetItem": 1}},
		{"repeat", time.Second, "/v1/sites/demo/status", 200, "online", calls{}},
		{"repeat other language", time.Second, "/v1/sites/demo/status?lang=fr", 200, "online", calls{}},
		{"last moment of the window", window - 2*time.Second - time.Millisecond, "/v1/sites/demo/status", 200, "online", calls{}},
		{"window over", time.Millisecond, "/v1/sites/demo/status", 200, "online", calls{"GetItem": 1}},
		{"repeat after refresh", time.Second, "/v1/sites/demo/status", 200, "online", calls{}},
		{"unknown site cold", 0, "/v1/sites/nosuch/status", 404, "", calls{"GetItem": 1}},
		{"unknown site repeat", time.Second, "/v1/sites/nosuch/status", 404, "", calls{}},
		{"malformed site", 0, "/v1/sites/Not%20A%20Site/status", 400, "", calls{}},
		// The operator's presence lapses (expiration 60 s) while nothing is
		// written: the next cold read reports offline.
		{"presence expired", time.Minute, "/v1/sites/demo/status", 200, "offline", calls{"GetItem": 1}},
	}
	for _, tt := range tests {
		clock = clock.Add(tt.advance)
		r := httptest.NewRequest(http.MethodGet, tt.path, nil)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		got := counter.Reset()
		if w.Code != tt.code {
			t.Fatalf("%s: GET %s = %d %s, want %d", tt.name, tt.path, w.Code, w.Body, tt.code)
		}
		if tt.state != "" {
			var body statusResponse
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if body.State != tt.state {
				t.Errorf("%s: state = %q, want %q", tt.name, body.State, tt.state)
			}
		}
		gotCalls := got.Calls
		if gotCalls == nil {
			gotCalls = calls{}
		}
		if diff := cmp.Diff(tt.want, gotCalls); diff != "" {
			t.Errorf("%s: DynamoDB calls (-want +got):\n%s", tt.name, diff)
		}
		if n := got.Writes(); n != 0 {
			t.Errorf("%s: %d write calls, want 0", tt.name, n)
		}
		if n := got.Retries(); n != 0 {
			t.Errorf("%s: %d retries", tt.name, n)
		}
	}
}

// TestStatusDynamoDBBurst checks that a concurrent burst of page views on
// a warm container costs nothing: the first answer fills the cache and the
// next 200, all at once, make no DynamoDB request and never write.
func TestStatusDynamoDBBurst(t *testing.T) {
	t.Parallel()
	client, table, counter := dynamolocal.NewTestTableWithStats(t)
	clock := time.Now().UTC().Truncate(time.Millisecond)
	st := store.New(client, table, func() time.Time { return clock })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	seed(ctx, t, st, clock)
	counter.Reset()

	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	h := newHandler(st, 5*time.Second, "", log, func() time.Time { return clock })
	get := func() int {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/v1/sites/demo/status", nil))
		return w.Code
	}
	if code := get(); code != 200 {
		t.Fatalf("first request: %d", code)
	}
	const n = 200
	done := make(chan int, n)
	for range n {
		go func() { done <- get() }()
	}
	for range n {
		if code := <-done; code != 200 {
			t.Fatalf("request: %d", code)
		}
	}
	rep := counter.Report()
	if rep.Count("GetItem") != 1 || rep.Reads() != 1 || rep.Writes() != 0 {
		t.Errorf("%d requests made calls %v, want exactly one GetItem", n+1, rep.Calls)
	}
}

// seed stores site demo with one online operator who has a free slot.
func seed(ctx context.Context, t *testing.T, st *store.Store, now time.Time) {
	t.Helper()
	site := &livehelp.Site{ID: "demo", Name: "Demo", DefaultLang: "en", Slots: 3,
		AllowedOrigins: []string{"http://127.0.0.1"}}
	if err := st.CreateSite(ctx, site); err != nil {
		t.Fatal(err)
	}
	err := st.SetPresence(ctx, store.PresenceUpdate{Site: "demo", Operator: "0a1b2c3d", Name: "Ann",
		Slots: 3, State: livehelp.PresenceOnline, SeenUntil: now.Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
}
