package ddbstats

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// EnvAddr names the environment variable through which the local runner
// asks a function process to serve its counts: a loopback address such as
// "127.0.0.1:9101". The function's main.go reads it (shared packages read
// no environment) and, when it is set, calls Serve; see the package doc.
const EnvAddr = "LIVEHELP_DDBSTATS_ADDR"

// maxBody bounds a Report read by Fetch.
const maxBody = 1 << 20

// ServeHTTP serves the counts as a JSON Report. GET and HEAD return the
// current counts; POST and DELETE reset them and return the counts from
// before the reset, so a benchmark can read and restart a measurement in
// one request. Other methods get 405.
func (c *Counter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var rep Report
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		rep = c.Report()
	case http.MethodPost, http.MethodDelete:
		rep = c.Reset()
	default:
		w.Header().Set("Allow", "GET, HEAD, POST, DELETE")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := json.Marshal(rep)
	if err != nil {
		http.Error(w, "internal", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(append(body, '\n'))
}

// Serve serves c over HTTP on addr until ctx ends, and returns the address
// it listens on (useful when addr has port 0). addr must be a loopback
// address: the counts are for the local runner only.
func Serve(ctx context.Context, addr string, c *Counter) (net.Addr, error) {
	if c == nil {
		return nil, errors.New("ddbstats: serve: nil counter")
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("ddbstats: serve: %w", err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("ddbstats: serve: %q is not a loopback address", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("ddbstats: serve: %w", err)
	}
	srv := &http.Server{Handler: c, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	return ln.Addr(), nil
}

// Fetch returns the Report served at url by Counter.ServeHTTP.
func Fetch(ctx context.Context, url string) (Report, error) {
	return fetch(ctx, http.MethodGet, url)
}

// FetchAndReset resets the counter served at url and returns the counts
// from before the reset.
func FetchAndReset(ctx context.Context, url string) (Report, error) {
	return fetch(ctx, http.MethodPost, url)
}

// fetch sends one request and decodes the Report.
func fetch(ctx context.Context, method, url string) (Report, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		return Report{}, fmt.Errorf("ddbstats: fetch: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return Report{}, fmt.Errorf("ddbstats: fetch: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return Report{}, fmt.Errorf("ddbstats: fetch %s: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return Report{}, fmt.Errorf("ddbstats: fetch %s: %s", url, resp.Status)
	}
	var rep Report
	if err := json.Unmarshal(body, &rep); err != nil {
		return Report{}, fmt.Errorf("ddbstats: fetch %s: %w", url, err)
	}
	return rep, nil
}
