package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/livehelp/livehelp/infra/bench/chatclient"
	"github.com/livehelp/livehelp/shared/livehelp"
)

// cold invokes every function once, one after the other on a quiet
// machine, so each function's first process (its cold start, init_ms_max)
// starts without competing for CPU: a status request, a visitor token, the
// console's public configuration, a WebSocket handshake refused for want
// of a token (chat), and the sweep and mailer schedules (the idle phase).
func (b *bench) cold(ctx context.Context) error {
	time.Sleep(time.Second) // let the stack's start-up settle
	calls := []func() error{
		func() error { return get(ctx, b.s.RestURL+"/v1/sites/demo/status") },
		func() error {
			_, _, err := chatclient.VisitorToken(ctx, b.s.RestURL, "demo", b.s.DemoOrigin)
			return err
		},
		func() error { return get(ctx, b.s.RestURL+"/v1/console/config") },
		func() error {
			c, resp, err := chatclient.Dial(ctx, b.s.WebSocketURL, nil, chatclient.Options{})
			if err == nil {
				c.CloseNow()
				return errors.New("chat: a handshake without a token was accepted")
			}
			if resp == nil || resp.StatusCode != http.StatusUnauthorized {
				return fmt.Errorf("chat: handshake without a token: %v", err)
			}
			return nil
		},
	}
	for _, call := range calls {
		if err := call(); err != nil {
			return err
		}
		time.Sleep(200 * time.Millisecond)
	}
	return nil
}

// get sends a GET and wants 200.
func get(ctx context.Context, url string) error {
	status, _, err := chatclient.Do(ctx, http.MethodGet, url, "", "", nil)
	if err == nil && status != http.StatusOK {
		err = fmt.Errorf("GET %s: %d", url, status)
	}
	return err
}

// idle fires the sweep and the mailer once each before anything is due:
// what a quiet minute costs (sweep_idle_dynamodb_requests,
// mailer_idle_dynamodb_requests).
func (b *bench) idle(ctx context.Context) error {
	for _, fn := range []struct{ id, name, figure string }{
		{"SweepFunction", "sweep", "sweep_idle_dynamodb_requests"},
		{"MailerFunction", "mailer", "mailer_idle_dynamodb_requests"},
	} {
		time.Sleep(200 * time.Millisecond)
		from := b.meter.mark()
		if err := b.s.Fire(ctx, fn.id); err != nil {
			b.rep.miss(fn.figure, "fire "+fn.id+": "+err.Error())
			continue
		}
		c := b.meter.since(ctx, from, fn.name, 1)
		b.rep.add(fn.figure, c.requests, "requests", 2)
		b.rep.note("%s idle: %v (%s)", fn.name, c.ops, c.source)
	}
	return nil
}

// status measures the button status endpoint: the cost of a request that
// misses the cache, the cost at steady load, its latency, and its
// throughput against GetItem sent straight to DynamoDB Local.
func (b *bench) status(ctx context.Context) error {
	// Cold: one request to each of 20 sites no process has cached.
	const cold = 20
	for i := range cold {
		site := &livehelp.Site{ID: fmt.Sprintf("cold-%02d", i), Name: "Cold", AllowedOrigins: []string{b.s.DemoOrigin}, Slots: 3}
		if err := b.s.Store.CreateSite(ctx, site); err != nil {
			return err
		}
	}
	from := b.meter.mark()
	for i := range cold {
		status, _, err := chatclient.Do(ctx, http.MethodGet, fmt.Sprintf("%s/v1/sites/cold-%02d/status", b.s.RestURL, i), "", "", nil)
		if err != nil || status != http.StatusOK {
			b.rep.miss("status_dynamodb_requests_cold", fmt.Sprintf("GET status: %d %v", status, err))
			return err
		}
	}
	c := b.meter.since(ctx, from, "status", cold)
	b.rep.add("status_dynamodb_requests_cold", c.requests/cold, "requests", 2)
	b.rep.note("status cold: %v over %d requests (%s)", c.ops, cold, c.source)

	// Steady: every worker asks for the demo site's status in a loop.
	url := b.s.RestURL + "/v1/sites/demo/status"
	from = b.meter.mark()
	lat, errs, elapsed := b.load(ctx, func(ctx context.Context) error {
		status, _, err := chatclient.Do(ctx, http.MethodGet, url, b.s.DemoOrigin, "", nil)
		if err == nil && status != http.StatusOK {
			err = fmt.Errorf("status %d", status)
		}
		return err
	})
	if len(lat) == 0 {
		b.rep.miss("status_p99_ms", fmt.Sprintf("no request succeeded (%d errors)", errs))
		return fmt.Errorf("status load: no request succeeded")
	}
	c = b.meter.since(ctx, from, "status", int64(len(lat)+errs))
	statusRPS := float64(len(lat)) / elapsed.Seconds()
	b.rep.add("status_dynamodb_requests_per_1000", 1000*c.requests/float64(len(lat)+errs), "requests", 2)
	b.rep.add("status_p99_ms", ms(percentile(lat, 99)), "ms", 1)
	b.rep.note("status load: %d requests in %s (%.0f/s), %d errors, p50 %.1f ms, %v (%s)",
		len(lat), elapsed.Round(time.Millisecond), statusRPS, errs, ms(percentile(lat, 50)), c.ops, c.source)

	// The same load as GetItem straight to DynamoDB Local.
	glat, gerrs, gelapsed := b.load(ctx, func(ctx context.Context) error {
		_, err := b.s.Store.Site(ctx, "demo", false)
		return err
	})
	if len(glat) == 0 {
		b.rep.miss("status_rps_ratio", fmt.Sprintf("no GetItem succeeded (%d errors)", gerrs))
		return nil
	}
	getRPS := float64(len(glat)) / gelapsed.Seconds()
	b.rep.add("status_rps_ratio", statusRPS/getRPS, "ratio", 2)
	b.rep.note("GetItem load: %d in %s (%.0f/s), %d errors, p99 %.1f ms", len(glat), gelapsed.Round(time.Millisecond),
		getRPS, gerrs, ms(percentile(glat, 99)))
	return nil
}

// load runs call from cfg.workers goroutines for cfg.load and returns the
// latency of each success, the number of errors and the time it took.
func (b *bench) load(ctx context.Context, call func(context.Context) error) ([]time.Duration, int, time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, b.cfg.load)
	defer cancel()
	var (
		mu   sync.Mutex
		all  []time.Duration
		errs int
		wg   sync.WaitGroup
	)
	start := time.Now()
	for range b.cfg.workers {
		wg.Go(func() {
			var mine []time.Duration
			bad := 0
			for ctx.Err() == nil {
				t := time.Now()
				err := call(ctx)
				switch {
				case err == nil:
					mine = append(mine, time.Since(t))
				case ctx.Err() == nil:
					bad++
				}
			}
			mu.Lock()
			all, errs = append(all, mine...), errs+bad
			mu.Unlock()
		})
	}
	wg.Wait()
	return all, errs, time.Since(start)
}
