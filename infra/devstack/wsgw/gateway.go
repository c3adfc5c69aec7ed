package wsgw

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Route keys with a fixed meaning in API Gateway WebSocket APIs.
const (
	RouteConnect    = "$connect"
	RouteDisconnect = "$disconnect"
	RouteDefault    = "$default"
)

// Defaults taken from API Gateway's WebSocket quotas (see doc.go).
const (
	DefaultMaxMessageBytes    = 128 * 1024
	DefaultIdleTimeout        = 10 * time.Minute
	DefaultMaxDuration        = 2 * time.Hour
	DefaultIntegrationTimeout = 29 * time.Second
	DefaultAPIID              = "local"
)

// Invoker runs one Lambda function synchronously: it sends payload as the
// event and returns the function's response document. A non-nil error means
// the invocation failed (the function errored, timed out or could not run).
type Invoker interface {
	Invoke(ctx context.Context, function string, payload []byte) ([]byte, error)
}

// Config describes one WebSocket API stage.
type Config struct {
	// Stage is the stage name and the first path segment ("live").
	Stage string
	// RouteSelection is the API's RouteSelectionExpression, of the form
	// "$request.body.<path>" or "${request.body.<path>}".
	RouteSelection string
	// Routes maps a route key to the name of the function integrated with it.
	// $connect, $disconnect and $default are optional, as in API Gateway.
	Routes map[string]string
	// Invoker runs the integrated functions.
	Invoker Invoker
	// MaxMessageBytes caps inbound frames and @connections payloads (128 KB).
	MaxMessageBytes int
	// IdleTimeout closes connections without data frames for this long (10 min).
	IdleTimeout time.Duration
	// MaxDuration closes connections this long after they connect (2 h).
	MaxDuration time.Duration
	// IntegrationTimeout bounds each function invocation (29 s).
	IntegrationTimeout time.Duration
	// APIID is reported as requestContext.apiId ("local" when empty).
	APIID string
	// DomainName is reported as requestContext.domainName; when empty the
	// Host of the upgrade request is used (for example "127.0.0.1:3001").
	DomainName string
	// Logger receives connection lifecycle records; nil discards them.
	Logger *slog.Logger
}

// Gateway is a local API Gateway WebSocket API stage. It serves WebSocket
// upgrades on /<stage> and the management API on /<stage>/@connections/{id}.
// Its zero value is not usable; create one with New.
type Gateway struct {
	cfg      Config
	selector []string // JSON path of the route selection expression
	log      *slog.Logger
	stats    counters

	baseCtx context.Context // parent of every invocation; cancelled on hard shutdown
	cancel  context.CancelFunc

	mu      sync.Mutex
	conns   map[string]*conn
	closing bool
	wg      sync.WaitGroup // one count per registered connection
}

var selectionPattern = regexp.MustCompile(`^\$(?:request\.body\.([A-Za-z0-9_\-.]+)|\{request\.body\.([A-Za-z0-9_\-.]+)\})$`)

// New validates cfg, fills in defaults and returns a Gateway. It fails when
// RouteSelection is not a $request.body expression, when Stage is not a
// single path segment, or when no Invoker or route is configured.
func New(cfg Config) (*Gateway, error) {
	m := selectionPattern.FindStringSubmatch(cfg.RouteSelection)
	if m == nil {
		return nil, fmt.Errorf("wsgw: route selection %q is not a $request.body.<field> expression", cfg.RouteSelection)
	}
	field := m[1] + m[2]
	path := strings.Split(field, ".")
	for _, p := range path {
		if p == "" {
			return nil, fmt.Errorf("wsgw: route selection %q has an empty path element", cfg.RouteSelection)
		}
	}
	if cfg.Stage == "" || strings.ContainsAny(cfg.Stage, "/?#@") {
		return nil, fmt.Errorf("wsgw: stage %q must be a single path segment", cfg.Stage)
	}
	if cfg.Invoker == nil {
		return nil, errors.New("wsgw: no Invoker configured")
	}
	if len(cfg.Routes) == 0 {
		return nil, errors.New("wsgw: no routes configured")
	}
	for key, fn := range cfg.Routes {
		if key == "" || fn == "" {
			return nil, fmt.Errorf("wsgw: route %q → %q: route key and function are required", key, fn)
		}
	}
	if cfg.MaxMessageBytes <= 0 {
		cfg.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.MaxDuration <= 0 {
		cfg.MaxDuration = DefaultMaxDuration
	}
	if cfg.IntegrationTimeout <= 0 {
		cfg.IntegrationTimeout = DefaultIntegrationTimeout
	}
	if cfg.APIID == "" {
		cfg.APIID = DefaultAPIID
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	routes := make(map[string]string, len(cfg.Routes))
	for k, v := range cfg.Routes {
		routes[k] = v
	}
	cfg.Routes = routes
	ctx, cancel := context.WithCancel(context.Background())
	return &Gateway{
		cfg:      cfg,
		selector: path,
		log:      logger.With("component", "wsgw", "stage", cfg.Stage),
		baseCtx:  ctx,
		cancel:   cancel,
		conns:    make(map[string]*conn),
	}, nil
}

// ServeHTTP serves WebSocket upgrades on /<stage> and the management API
// (POST, GET, DELETE /<stage>/@connections/{connectionId}). Other paths get
// 403 ForbiddenException, as API Gateway answers for unknown resources.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	prefix := "/" + g.cfg.Stage
	path := r.URL.Path
	switch {
	case path == prefix || path == prefix+"/":
		g.serveUpgrade(w, r)
	case strings.HasPrefix(path, prefix+"/@connections/"):
		g.serveManagement(w, r, prefix+"/@connections/")
	default:
		writeError(w, http.StatusForbidden, "ForbiddenException", "Forbidden")
	}
}

// Shutdown closes every connection with 1001 "Going away", delivers their
// $disconnect events and waits for them. If ctx ends first, in-flight
// invocations are cancelled, sockets are dropped and ctx's error is returned.
// New upgrades are refused with 503 once Shutdown has started.
func (g *Gateway) Shutdown(ctx context.Context) error {
	g.mu.Lock()
	g.closing = true
	all := make([]*conn, 0, len(g.conns))
	for _, c := range g.conns {
		all = append(all, c)
	}
	g.mu.Unlock()
	for _, c := range all {
		c.requestClose(closeGoingAway, reasonGoingAway)
	}
	done := make(chan struct{})
	go func() {
		g.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		g.cancel()
		return nil
	case <-ctx.Done():
		g.cancel()
		for _, c := range all {
			c.dropNow()
		}
		<-done
		return ctx.Err()
	}
}

// Close is Shutdown with a ten-second grace period.
func (g *Gateway) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return g.Shutdown(ctx)
}

// ConnectionIDs returns the IDs of the currently open connections.
func (g *Gateway) ConnectionIDs() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	ids := make([]string, 0, len(g.conns))
	for id, c := range g.conns {
		if c.isOpen() {
			ids = append(ids, id)
		}
	}
	return ids
}

// register adds c as a pending connection. It returns false once the
// gateway is shutting down.
func (g *Gateway) register(c *conn) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closing {
		return false
	}
	g.conns[c.id] = c
	g.wg.Add(1)
	return true
}

// unregister removes c; after it returns, management calls for c get 410.
func (g *Gateway) unregister(c *conn) {
	g.mu.Lock()
	if g.conns[c.id] == c {
		delete(g.conns, c.id)
	}
	g.mu.Unlock()
	g.wg.Done()
}

// lookup returns the open connection with the given ID, or nil. A
// connection whose $connect has succeeded but whose 101 response is still
// being written is waited for (the client may already have seen the 101);
// one whose $connect is still running is not.
func (g *Gateway) lookup(id string) *conn {
	g.mu.Lock()
	c := g.conns[id]
	g.mu.Unlock()
	if c == nil {
		return nil
	}
	if c.state.Load() == statePending && c.accepting.Load() {
		t := time.NewTimer(time.Second)
		select {
		case <-c.ready:
		case <-t.C:
		}
		t.Stop()
	}
	if !c.isOpen() {
		return nil
	}
	return c
}

// isClosing reports whether Shutdown has started.
func (g *Gateway) isClosing() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.closing
}
