package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/livehelp/livehelp/infra/devstack/stack"
	"github.com/livehelp/livehelp/shared/auth"
	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

// EnvLatency turns TestLatency on; it takes about half a minute:
//
//	LIVEHELP_CHAT_LATENCY=1 go test -run TestLatency -v ./functions/chat
//
// LIVEHELP_CHAT_LATENCY_CONVS, _MESSAGES and _INTERVAL (a Go duration)
// change the number of conversations (50), messages per visitor (20) and
// the pause between a visitor's messages (500ms).
const EnvLatency = "LIVEHELP_CHAT_LATENCY"

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// TestLatency measures message latency visitor → operator through the
// local runner: the time from a visitor's WebSocket write to the operator's
// console receiving the message frame, over many concurrent conversations.
func TestLatency(t *testing.T) {
	if os.Getenv(EnvLatency) == "" {
		t.Skip("set " + EnvLatency + "=1 to measure chat latency on the local runner")
	}
	convs, perVisitor := envInt(EnvLatency+"_CONVS", 50), envInt(EnvLatency+"_MESSAGES", 20)
	interval, err := time.ParseDuration(os.Getenv(EnvLatency + "_INTERVAL"))
	if err != nil {
		interval = 500 * time.Millisecond
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	s := startStack(ctx, t, stack.Options{})
	const slots = 5
	signer := benchSite(ctx, t, s, "bench")
	var consoles []*wsClient
	for i := range (convs + slots - 1) / slots {
		consoles = append(consoles, console(ctx, t, s, fmt.Sprint("op", i), benchOperator(ctx, t, s, signer, i, slots)))
	}
	visitors := make([]*wsClient, convs)
	ids := make([]string, convs)
	for i := range visitors {
		tok := signer.Sign(auth.KindVisitor, auth.Claims{Subject: auth.NewID(), Site: "bench"}, time.Hour)
		visitors[i] = visitorTab(ctx, t, s, fmt.Sprint("v", i), "bench", tok)
		var status string
		ids[i], status, _, _ = conv(visitors[i].reply(ctx, "start", map[string]any{"action": "start"}))
		if status != "assigned" {
			t.Fatalf("visitor %d: %s", i, status)
		}
	}

	// Warm up: one round at once, so the runner has started the function
	// processes the load needs (cold starts are not what this measures).
	var wg sync.WaitGroup
	for i, v := range visitors {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v.reply(ctx, "warm", map[string]any{"action": "send", "conversation": ids[i], "client_id": "warm", "text": "hello"})
		}()
	}
	wg.Wait()

	var mu sync.Mutex
	sent := map[string]time.Time{} // client id → write time
	var acks []time.Duration
	start := time.Now()
	for i, v := range visitors {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(i) * interval / time.Duration(convs)) // spread the first writes
			for j := range perVisitor {
				cid := fmt.Sprintf("v%d-%d", i, j)
				mu.Lock()
				sent[cid] = time.Now()
				mu.Unlock()
				t0 := time.Now()
				v.reply(ctx, cid, map[string]any{"action": "send", "conversation": ids[i], "client_id": cid, "text": "how much is it?"})
				mu.Lock()
				acks = append(acks, time.Since(t0))
				mu.Unlock()
				time.Sleep(interval)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)

	// Every message reaches an operator console; measure when.
	var lat []time.Duration
	deadline := time.Now().Add(30 * time.Second)
	for len(lat) < convs*perVisitor && time.Now().Before(deadline) {
		lat = lat[:0]
		for _, c := range consoles {
			c.mu.Lock()
			for k, f := range c.frames {
				m, ok := f["message"].(map[string]any)
				cid, _ := m["client_id"].(string)
				if ok && f["type"] == "message" && m["author"] == "visitor" {
					if at, ok := sent[cid]; ok {
						lat = append(lat, c.arrived[k].Sub(at))
					}
				}
			}
			c.mu.Unlock()
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(lat) != convs*perVisitor {
		t.Fatalf("operators received %d messages, want %d", len(lat), convs*perVisitor)
	}
	p := func(d []time.Duration, q float64) time.Duration {
		slices.Sort(d)
		return d[min(len(d)-1, int(q*float64(len(d))))].Round(100 * time.Microsecond)
	}
	report := fmt.Sprintf("chat latency visitor → operator, %d conversations × %d messages every %v (%.0f msg/s for %v): p50 %v, p99 %v, max %v; ack p50 %v, p99 %v",
		convs, perVisitor, interval, float64(len(lat))/elapsed.Seconds(), elapsed.Round(time.Second),
		p(lat, 0.50), p(lat, 0.99), p(lat, 1), p(acks, 0.50), p(acks, 0.99))
	t.Log(report)
	fmt.Println(report)
}

// benchSite creates a site for the demo origin and returns the deployment's
// token signer (read from the table, as the functions do).
func benchSite(ctx context.Context, t *testing.T, s *stack.Stack, id string) *auth.Signer {
	t.Helper()
	if err := s.Store.CreateSite(ctx, &livehelp.Site{ID: id, Name: id, AllowedOrigins: []string{s.DemoOrigin}, Slots: 3}); err != nil {
		t.Fatal(err)
	}
	key, err := s.Store.SigningKey(ctx, "tokens", auth.NewKey)
	if err != nil {
		t.Fatal(err)
	}
	return auth.NewSigner(key, nil)
}

// benchOperator creates operator number i with slots and a session, and
// returns its session token (the console's login is rate limited per IP).
func benchOperator(ctx context.Context, t *testing.T, s *stack.Stack, signer *auth.Signer, i, slots int) string {
	t.Helper()
	op := &livehelp.Operator{ID: auth.NewID(), Site: "bench", Email: fmt.Sprintf("op%d@bench.example", i), Name: fmt.Sprint("Operator ", i),
		Role: livehelp.RoleOperator, Slots: slots}
	if err := s.Store.CreateOperator(ctx, op); err != nil {
		t.Fatal(err)
	}
	sid := auth.NewID()
	if err := s.Store.PutSession(ctx, store.Session{ID: sid, Operator: op.ID, Site: "bench", Role: op.Role, Expires: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	return signer.Sign(auth.KindSession, auth.Claims{Subject: op.ID, Site: "bench", Session: sid, Role: op.Role}, time.Hour)
}
