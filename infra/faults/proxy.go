package faults

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Kind is a kind of fault.
type Kind string

// The faults a Proxy injects; see the package documentation.
const (
	Throttle    Kind = "throttle"
	ServerError Kind = "server_error"
	Timeout     Kind = "timeout"
	Drop        Kind = "drop"
	DropAfter   Kind = "drop_after"
)

// AllKinds lists every Kind.
var AllKinds = []Kind{Throttle, ServerError, Timeout, Drop, DropAfter}

// maxBody bounds a request body the proxy buffers (DynamoDB's limit is 16 MB
// for a batch; API Gateway's 128 KB).
const maxBody = 32 << 20

// Config describes a Proxy.
type Config struct {
	// Target is the base URL requests are forwarded to, e.g.
	// http://127.0.0.1:8000.
	Target string
	// Service shapes error answers and names operations.
	Service Service
	// Rate is the probability (0 to 1) that a request gets a fault.
	Rate float64
	// Kinds are the faults to choose from (default: all).
	Kinds []Kind
	// Delay is how long a Timeout holds the request (default 1 s).
	Delay time.Duration
	// Match, when set, limits faults to the operations it accepts; other
	// requests are always forwarded.
	Match func(op string) bool
	// Seed seeds the random choices (0: random).
	Seed uint64
}

// Proxy is a running fault-injecting proxy. Its methods are safe for
// concurrent use.
type Proxy struct {
	cfg    Config
	target *url.URL
	srv    *http.Server
	ln     net.Listener
	client *http.Client

	mu     sync.Mutex
	rng    *rand.Rand
	rate   float64
	forced map[string][]Kind // operation → faults to inject next, in order
	stats  Stats
}

// Start starts a Proxy on a free port of 127.0.0.1.
func Start(cfg Config) (*Proxy, error) {
	target, err := url.Parse(cfg.Target)
	if err != nil || target.Scheme == "" || target.Host == "" {
		return nil, fmt.Errorf("faults: target %q is not a base URL", cfg.Target)
	}
	if len(cfg.Kinds) == 0 {
		cfg.Kinds = AllKinds
	}
	if cfg.Delay <= 0 {
		cfg.Delay = time.Second
	}
	seed := cfg.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("faults: listen: %w", err)
	}
	tr := &http.Transport{MaxIdleConns: 512, MaxIdleConnsPerHost: 512, IdleConnTimeout: 30 * time.Second}
	p := &Proxy{cfg: cfg, target: target, ln: ln, client: &http.Client{Transport: tr},
		rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), rate: min(max(cfg.Rate, 0), 1), stats: newStats()}
	p.cfg.Seed = seed
	p.srv = &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = p.srv.Serve(ln) }()
	return p, nil
}

// URL returns the proxy's base URL, http://127.0.0.1:<port>.
func (p *Proxy) URL() string { return "http://" + p.ln.Addr().String() }

// Port returns the port the proxy listens on.
func (p *Proxy) Port() int { return p.ln.Addr().(*net.TCPAddr).Port }

// Seed returns the seed of the random choices, to reproduce a run.
func (p *Proxy) Seed() uint64 { return p.cfg.Seed }

// SetRate changes the fault rate (0 to 1); 0 makes the proxy transparent.
func (p *Proxy) SetRate(rate float64) {
	p.mu.Lock()
	p.rate = min(max(rate, 0), 1)
	p.mu.Unlock()
}

// Close stops the proxy and drops its connections.
func (p *Proxy) Close() error {
	err := p.srv.Close()
	p.client.CloseIdleConnections()
	return err
}

// InjectNext makes the next n requests of operation op get fault k,
// whatever the rate: a test's way to be sure a rare case happens.
func (p *Proxy) InjectNext(op string, k Kind, n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.forced == nil {
		p.forced = map[string][]Kind{}
	}
	for range n {
		p.forced[op] = append(p.forced[op], k)
	}
}

// pick decides the fault for one request of operation op, or "".
func (p *Proxy) pick(op string) Kind {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stats.count(op, "")
	if f := p.forced[op]; len(f) > 0 {
		p.forced[op] = f[1:]
		p.stats.count(op, f[0])
		return f[0]
	}
	if p.rate == 0 || (p.cfg.Match != nil && !p.cfg.Match(op)) || p.rng.Float64() >= p.rate {
		return ""
	}
	k := p.cfg.Kinds[p.rng.IntN(len(p.cfg.Kinds))]
	p.stats.count(op, k)
	return k
}

// ServeHTTP forwards the request, or injects a fault.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		http.Error(w, "faults: read request: "+err.Error(), http.StatusBadGateway)
		return
	}
	op := p.cfg.Service.Operation(r)
	switch p.pick(op) {
	case Throttle:
		p.cfg.Service.throttle(w, p.coin())
	case ServerError:
		p.cfg.Service.serverError(w)
	case Timeout:
		select {
		case <-time.After(p.cfg.Delay):
		case <-r.Context().Done():
		}
		hangUp(w)
	case Drop:
		hangUp(w)
	case DropAfter:
		if resp, err := p.forward(r, body); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		hangUp(w)
	default:
		p.pass(w, r, body)
	}
}

// coin returns a random bool, to vary the throttling error.
func (p *Proxy) coin() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rng.IntN(2) == 0
}

// pass forwards the request and copies the answer back.
func (p *Proxy) pass(w http.ResponseWriter, r *http.Request, body []byte) {
	resp, err := p.forward(r, body)
	if err != nil {
		p.mu.Lock()
		p.stats.ForwardErrors++
		p.mu.Unlock()
		hangUp(w) // the client sees what it would see of a dead service
		return
	}
	defer resp.Body.Close()
	for k, vs := range resp.Header {
		w.Header()[k] = vs
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}

// forward sends the request to the target. It is not tied to the client's
// context, so a request the client abandons still completes, as it would
// at the service.
func (p *Proxy) forward(r *http.Request, body []byte) (*http.Response, error) {
	u := *p.target
	u.Path = strings.TrimRight(p.target.Path, "/") + r.URL.Path
	u.RawPath = ""
	u.RawQuery = r.URL.RawQuery
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 2*time.Minute)
	req, err := http.NewRequestWithContext(ctx, r.Method, u.String(), bytes.NewReader(body))
	if err != nil {
		cancel()
		return nil, err
	}
	for k, vs := range r.Header {
		req.Header[k] = vs
	}
	req.Header.Del("Connection")
	resp, err := p.client.Do(req)
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// cancelBody releases the forward's context when the body is closed.
type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

// Close closes the body and cancels its request's context.
func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// hangUp closes the client's connection without an answer.
func hangUp(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // the server closes the connection
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // a reset, as a crashed peer sends
	}
	_ = conn.Close()
}
