package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/livehelp/livehelp/infra/bench/chatclient"
	"github.com/livehelp/livehelp/shared/livehelp"
)

// benchSite is the site of the chat phases.
const benchSite = "bench"

// operatorSlots is each bench operator's number of slots.
const operatorSlots = 5

// chatFigures are the figures the chat phases produce, for reporting what
// is missing when a phase fails early.
var chatFigures = []string{"chat_dynamodb_writes_per_message", "chat_dynamodb_queries_per_message",
	"chat_dynamodb_requests_per_message_10_conns", "chat_e2e_p50_ms", "chat_e2e_p99_ms",
	"chat_dynamodb_requests_per_message_1000_conns", "ws_connections_held"}

// chatRun holds the clients of the chat phases.
type chatRun struct {
	consoles map[string]*chatclient.Client // operator id → console
	others   []*chatclient.Client          // idle connections of other visitors
	sent     sync.Map                      // client id → time.Time of the visitor's write
	mu       sync.Mutex
	latency  []time.Duration
}

// chat runs the chat phases in order; the first failure skips the rest.
func (b *bench) chat(ctx context.Context) error {
	r := &chatRun{consoles: map[string]*chatclient.Client{}}
	defer r.closeAll()
	err := b.chatPhases(ctx, r)
	if err != nil {
		for _, name := range chatFigures {
			if !b.rep.has(name) {
				b.rep.miss(name, "chat phase failed: "+err.Error())
			}
		}
	}
	return err
}

func (b *bench) chatPhases(ctx context.Context, r *chatRun) error {
	if err := b.s.Store.CreateSite(ctx, &livehelp.Site{ID: benchSite, Name: "Bench", AllowedOrigins: []string{b.s.DemoOrigin},
		DefaultLang: "en", Slots: operatorSlots}); err != nil {
		return err
	}
	ops := (b.cfg.convs+1+operatorSlots-1)/operatorSlots + 1
	if err := b.operators(ctx, r, ops); err != nil {
		return fmt.Errorf("operators: %w", err)
	}
	if err := b.openOthers(ctx, r, 10); err != nil {
		return fmt.Errorf("10 connections: %w", err)
	}
	v, conv, op, err := b.conversation(ctx, r, "v-cost")
	if err != nil {
		return err
	}
	defer v.Close()
	// One message each way first: the conversation's first reply records
	// the first response time, a once-per-conversation cost.
	if _, err := b.exchange(ctx, v, op, conv, "warm", 2); err != nil {
		return err
	}
	c10, err := b.perMessage(ctx, v, op, conv, "a")
	if err != nil {
		return err
	}
	b.rep.add("chat_dynamodb_writes_per_message", c10.writes()/float64(b.cfg.messages), "requests", 2)
	b.rep.add("chat_dynamodb_queries_per_message", c10.ops["Query"]/float64(b.cfg.messages), "requests", 2)
	b.rep.add("chat_dynamodb_requests_per_message_10_conns", c10.requests/float64(b.cfg.messages), "requests", 2)
	b.rep.note("chat per message, %d others open: %v over %d messages (%s)", len(r.others), c10.ops, b.cfg.messages, c10.source)

	if err := b.latency(ctx, r); err != nil {
		return fmt.Errorf("latency: %w", err)
	}
	if b.cfg.skipConns {
		b.rep.miss("chat_dynamodb_requests_per_message_1000_conns", "skipped (-skip-conns)")
		b.rep.miss("ws_connections_held", "skipped (-skip-conns)")
		return nil
	}
	if err := b.openOthers(ctx, r, 1000); err != nil {
		return fmt.Errorf("1000 connections: %w", err)
	}
	c1000, err := b.perMessage(ctx, v, op, conv, "b")
	if err != nil {
		return err
	}
	b.rep.add("chat_dynamodb_requests_per_message_1000_conns", c1000.requests/float64(b.cfg.messages), "requests", 2)
	b.rep.note("chat per message, %d others open: %v (%s)", len(r.others), c1000.ops, c1000.source)
	return b.hold(ctx, r)
}

// operators logs n operators of the bench site in and connects their
// consoles.
func (b *bench) operators(ctx context.Context, r *chatRun, n int) error {
	for i := range n {
		email := fmt.Sprintf("op%02d@bench.example", i)
		cred, err := b.s.CreateOperator(ctx, benchSite, email, fmt.Sprintf("Operator %d", i), livehelp.RoleOperator, operatorSlots, "bench password")
		if err != nil {
			return err
		}
		tok, err := chatclient.Login(ctx, b.s.RestURL, email, cred.Password)
		if err != nil {
			return err
		}
		c, err := chatclient.DialOperator(ctx, b.s.WebSocketURL, tok, chatclient.Options{OnFrame: r.onOperatorFrame})
		if err != nil {
			return err
		}
		r.consoles[cred.OperatorID] = c
	}
	return nil
}

// onOperatorFrame records the latency of visitors' messages.
func (r *chatRun) onOperatorFrame(f chatclient.Frame, at time.Time) {
	if f.Str("type") != "message" {
		return
	}
	m := chatclient.MessageOf(f.Obj("message"))
	if m.Author != livehelp.ParticipantVisitor {
		return
	}
	if t, ok := r.sent.LoadAndDelete(m.ClientID); ok {
		r.mu.Lock()
		r.latency = append(r.latency, at.Sub(t.(time.Time)))
		r.mu.Unlock()
	}
}

// conversation connects a new visitor (token from the REST API, as the
// widget gets it) and starts a conversation that must be assigned.
func (b *bench) conversation(ctx context.Context, r *chatRun, name string) (*chatclient.Client, string, *chatclient.Client, error) {
	tok, _, err := chatclient.VisitorToken(ctx, b.s.RestURL, benchSite, b.s.DemoOrigin)
	if err != nil {
		return nil, "", nil, err
	}
	v, err := chatclient.DialVisitor(ctx, b.s.WebSocketURL, benchSite, tok, chatclient.Options{Origin: b.s.DemoOrigin})
	if err != nil {
		return nil, "", nil, err
	}
	conv, err := v.Start(ctx, name)
	if err == nil && (conv.Status != "assigned" || r.consoles[conv.Operator] == nil) {
		err = fmt.Errorf("conversation %s is %s (operator %q), want assigned to a bench operator", conv.ID, conv.Status, conv.Operator)
	}
	if err != nil {
		v.CloseNow()
		return nil, "", nil, err
	}
	return v, conv.ID, r.consoles[conv.Operator], nil
}

// perMessage sends cfg.messages messages in one conversation (exchange)
// and returns the chat function's cost over the span.
func (b *bench) perMessage(ctx context.Context, v *chatclient.Client, op *chatclient.Client, conv, tag string) (cost, error) {
	from := b.meter.mark()
	if _, err := b.exchange(ctx, v, op, conv, tag, b.cfg.messages); err != nil {
		return cost{}, err
	}
	return b.meter.since(ctx, from, "chat", int64(b.cfg.messages)), nil
}

// exchange sends n messages, visitor and operator in turn, each
// acknowledged and received by the other side before the next.
func (b *bench) exchange(ctx context.Context, v *chatclient.Client, op *chatclient.Client, conv, tag string, n int) (int, error) {
	var lat []time.Duration
	defer func() {
		if len(lat) > 0 {
			b.rep.note("%s: %d messages one at a time, send → other side p50 %.1f ms, max %.1f ms", tag, len(lat),
				ms(percentile(lat, 50)), ms(percentile(lat, 100)))
		}
	}()
	for i := range n {
		sender, receiver := v, op
		if i%2 == 1 {
			sender, receiver = op, v
		}
		cid := fmt.Sprintf("%s-%d", tag, i)
		mark, t := receiver.Len(), time.Now()
		if _, err := sender.SendText(ctx, conv, cid, "message "+cid); err != nil {
			return i, err
		}
		if _, _, err := receiver.Wait(ctx, mark, func(f chatclient.Frame) bool {
			return f.Str("type") == "message" && chatclient.MessageOf(f.Obj("message")).ClientID == cid
		}); err != nil {
			return i, fmt.Errorf("message %s not delivered: %w", cid, err)
		}
		lat = append(lat, time.Since(t))
	}
	return n, nil
}

// latency runs cfg.convs conversations at once, each visitor sending
// cfg.perVisitor messages about cfg.interval apart, and measures the time
// from the visitor's write to the operator's console receiving the frame.
func (b *bench) latency(ctx context.Context, r *chatRun) error {
	visitors := make([]*chatclient.Client, b.cfg.convs)
	convs := make([]string, b.cfg.convs)
	for i := range visitors {
		v, conv, _, err := b.conversation(ctx, r, fmt.Sprintf("v%02d", i))
		if err != nil {
			return err
		}
		visitors[i], convs[i] = v, conv
	}
	defer func() {
		for _, v := range visitors {
			v.CloseNow()
		}
	}()
	var wg sync.WaitGroup
	errs := make(chan error, len(visitors))
	for i, v := range visitors {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			time.Sleep(time.Duration(rng.Int64N(int64(b.cfg.interval) + 1)))
			for j := range b.cfg.perVisitor {
				cid := fmt.Sprintf("l%02d-%d", i, j)
				r.sent.Store(cid, time.Now())
				if _, err := v.SendText(ctx, convs[i], cid, "latency "+cid); err != nil {
					errs <- err
					return
				}
				time.Sleep(b.cfg.interval/2 + time.Duration(rng.Int64N(int64(b.cfg.interval)+1)))
			}
		})
	}
	wg.Wait()
	close(errs)
	var failed error
	for err := range errs {
		failed = errors.Join(failed, err)
	}
	want := b.cfg.convs * b.cfg.perVisitor
	deadline := time.Now().Add(5 * time.Second)
	for r.samples() < want && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(20 * time.Millisecond)
	}
	r.mu.Lock()
	lat := append([]time.Duration(nil), r.latency...)
	r.mu.Unlock()
	if len(lat) < want {
		b.rep.note("latency: %d of %d messages reached an operator", len(lat), want)
	}
	if len(lat) == 0 {
		return errors.Join(errors.New("no message reached an operator"), failed)
	}
	b.rep.add("chat_e2e_p50_ms", ms(percentile(lat, 50)), "ms", 1)
	b.rep.add("chat_e2e_p99_ms", ms(percentile(lat, 99)), "ms", 1)
	b.rep.note("latency: %d samples, %d conversations, max %.1f ms", len(lat), b.cfg.convs, ms(percentile(lat, 100)))
	return failed
}

// samples returns the number of latencies recorded.
func (r *chatRun) samples() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.latency)
}

// closeAll drops every client without waiting.
func (r *chatRun) closeAll() {
	for _, c := range r.consoles {
		c.CloseNow()
	}
	for _, c := range r.others {
		c.CloseNow()
	}
}
