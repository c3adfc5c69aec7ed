package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/livehelp/livehelp/infra/bench/chatclient"
	"github.com/livehelp/livehelp/shared/auth"
)

// dialers bounds concurrent WebSocket handshakes.
const dialers = 16

// openOthers connects idle visitors of the bench site (no conversation)
// until r.others holds total connections. Their tokens are signed with the
// stack's key directly, to spare a thousand REST calls that are not what
// is measured.
func (b *bench) openOthers(ctx context.Context, r *chatRun, total int) error {
	need := total - len(r.others)
	if need <= 0 {
		return nil
	}
	key, err := b.s.Store.SigningKey(ctx, "tokens", auth.NewKey)
	if err != nil {
		return err
	}
	signer := auth.NewSigner(key, nil)
	t := time.Now()
	clients, err := dialMany(ctx, need, func(ctx context.Context) (*chatclient.Client, error) {
		tok := signer.Sign(auth.KindVisitor, auth.Claims{Subject: auth.NewID(), Site: benchSite}, time.Hour)
		c, _, err := chatclient.Dial(ctx, b.s.WebSocketURL, url.Values{"site": {benchSite}, "token": {tok}},
			chatclient.Options{Origin: b.s.DemoOrigin, Keep: 16})
		return c, err
	})
	r.others = append(r.others, clients...)
	b.rep.note("opened %d connections in %s (%d open)", len(clients), time.Since(t).Round(time.Millisecond), len(r.others))
	return err
}

// dialMany opens n clients with dialers goroutines and returns those that
// connected, with the errors of the others.
func dialMany(ctx context.Context, n int, dial func(context.Context) (*chatclient.Client, error)) ([]*chatclient.Client, error) {
	var (
		mu      sync.Mutex
		clients []*chatclient.Client
		errs    []error
		next    atomic.Int64
		wg      sync.WaitGroup
	)
	for range min(dialers, n) {
		wg.Go(func() {
			for next.Add(1) <= int64(n) && ctx.Err() == nil {
				dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
				c, err := dial(dctx)
				cancel()
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else {
					clients = append(clients, c)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		return clients, fmt.Errorf("%d of %d connections failed, first: %w", len(errs), n, errs[0])
	}
	return clients, ctx.Err()
}

// hold opens connections up to cfg.held at once and checks that every one
// of them answers a ping (one chat invocation each): ws_connections_held is
// the number held with no error, reported only if there was none.
func (b *bench) hold(ctx context.Context, r *chatRun) error {
	base := len(r.consoles)
	target := b.cfg.held - base
	openErr := b.openOthers(ctx, r, target)
	all := append([]*chatclient.Client(nil), r.others...)
	for _, c := range r.consoles {
		all = append(all, c)
	}
	t := time.Now()
	var (
		ok, failed atomic.Int64
		next       atomic.Int64
		firstErr   atomic.Value
		wg         sync.WaitGroup
	)
	for range dialers {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(len(all)) && ctx.Err() == nil; i = next.Add(1) - 1 {
				pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
				f, err := all[i].Request(pctx, chatclient.Frame{"action": "ping"})
				cancel()
				if err == nil && f.Str("type") != "pong" {
					err = fmt.Errorf("ping answered %v", f)
				}
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err)
					continue
				}
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	gw := b.s.Gateway.Stats()
	b.rep.note("held: %d answered a ping, %d failed, in %s; gateway open %d, peak %d, rejected %d",
		ok.Load(), failed.Load(), time.Since(t).Round(time.Millisecond), gw.Connections, gw.PeakConnections, gw.Rejected)
	var err error
	if e, _ := firstErr.Load().(error); e != nil {
		err = errors.Join(err, e)
	}
	if openErr != nil || failed.Load() > 0 {
		b.rep.miss("ws_connections_held", fmt.Sprintf("%d of %d held; errors: %v", ok.Load(), b.cfg.held, errors.Join(openErr, err)))
		return errors.Join(openErr, err)
	}
	b.rep.add("ws_connections_held", float64(ok.Load()), "connections", 0)
	return nil
}
