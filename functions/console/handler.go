package main

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/livehelp/livehelp/shared/auth"
	"github.com/livehelp/livehelp/shared/email"
	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
	"github.com/livehelp/livehelp/shared/webapi"
)

// sessionLife is how long a console login lasts.
const sessionLife = 12 * time.Hour

// Access levels of a route.
const (
	public   = "public"   // no credentials
	operator = "operator" // any operator's session
	admin    = "admin"    // an admin's session
	apiKey   = "apikey"   // an operator's session or a site API key
)

// route is one endpoint of the console API.
type route struct {
	pattern string // ServeMux pattern with method, e.g. "GET /v1/console/me"
	access  string
	serve   func(w http.ResponseWriter, r *http.Request, c *caller)
}

// sender sends one email; *email.Sender implements it.
type sender interface {
	Send(ctx context.Context, m email.Message) (string, error)
}

// Config is what main reads from the environment.
type Config struct {
	WebSocketURL string
	DefaultSlots int
	// LoginPerEmail and LoginPerIP bound login attempts.
	LoginPerEmail, LoginPerIP store.Limit
}

type handler struct {
	store  consoleStore
	keys   *auth.Keyring
	mail   sender
	cfg    Config
	log    *slog.Logger
	now    func() time.Time
	mux    *http.ServeMux
	routes []route
}

func newHandler(st consoleStore, keys *auth.Keyring, mail sender, cfg Config, log *slog.Logger, now func() time.Time) *handler {
	if cfg.LoginPerEmail.N == 0 {
		cfg.LoginPerEmail = store.Limit{N: 10, Window: 15 * time.Minute}
	}
	if cfg.LoginPerIP.N == 0 {
		cfg.LoginPerIP = store.Limit{N: 50, Window: 15 * time.Minute}
	}
	h := &handler{store: st, keys: keys, mail: mail, cfg: cfg, log: log, now: now, mux: http.NewServeMux()}
	h.routes = h.apiRoutes()
	for _, rt := range h.routes {
		h.mux.HandleFunc(rt.pattern, h.guard(rt))
	}
	h.routeStatic()
	h.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		webapi.WriteError(w, r, log, livehelp.Errorf(livehelp.ENOTFOUND, "No such route."))
	})
	return h
}

// apiRoutes lists every endpoint of the console API.
func (h *handler) apiRoutes() []route {
	rs := []route{
		{"POST /v1/console/login", public, h.login},
		{"GET /v1/console/config", public, h.config},
		{"POST /v1/console/logout", operator, h.logout},
		{"GET /v1/console/me", operator, h.me},
		{"PATCH /v1/console/me", operator, h.updateMe},
	}
	rs = append(rs, h.queueRoutes()...)
	rs = append(rs, h.profileRoutes()...)
	rs = append(rs, h.cannedRoutes()...)
	rs = append(rs, h.adminRoutes()...)
	return rs
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	h.mux.ServeHTTP(w, r)
}

// caller is who makes a request: an operator with a session or, on
// apikey routes, a phone integration with a site API key.
type caller struct {
	Operator *livehelp.Operator
	Session  *store.Session
	Key      *livehelp.APIKey
}

// Site returns the site the caller acts for.
func (c *caller) Site() string {
	if c.Key != nil {
		return c.Key.Site
	}
	return c.Operator.Site
}

// guard checks a route's access before serving it.
func (h *handler) guard(rt route) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var c *caller
		var err error
		switch rt.access {
		case public:
		case apiKey:
			if k := r.Header.Get("X-Api-Key"); k != "" {
				var key *livehelp.APIKey
				if key, err = h.store.CheckAPIKey(r.Context(), k); err == nil {
					c = &caller{Key: key}
				}
				break
			}
			c, err = h.caller(r)
		default:
			c, err = h.caller(r)
			if err == nil && rt.access == admin && c.Operator.Role != livehelp.RoleAdmin {
				err = livehelp.Errorf(livehelp.EFORBIDDEN, "Only admins may do this.")
			}
		}
		if err != nil {
			webapi.WriteError(w, r, h.log, err)
			return
		}
		rt.serve(w, r, c)
	}
}

// caller checks the Bearer session token: signature, expiry, then that the
// session was not revoked. It returns EUNAUTHORIZED otherwise. The operator
// is read on every request, so a rename or a role change applies at once.
func (h *handler) caller(r *http.Request) (*caller, error) {
	unauthorized := livehelp.Errorf(livehelp.EUNAUTHORIZED, "Please log in.")
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		return nil, unauthorized
	}
	signer, err := h.keys.Signer(r.Context())
	if err != nil {
		return nil, err
	}
	claims, err := signer.Verify(auth.KindSession, tok)
	if err != nil {
		return nil, err
	}
	s, err := h.store.Session(r.Context(), claims.Session)
	if err != nil || s.Operator != claims.Subject {
		return nil, unauthorized
	}
	op, err := h.store.Operator(r.Context(), s.Operator)
	if err != nil {
		return nil, unauthorized
	}
	return &caller{Operator: op, Session: s}, nil
}

// decode reads a JSON body of at most max bytes, writing the error itself;
// it reports whether the handler may go on.
func (h *handler) decode(w http.ResponseWriter, r *http.Request, max int64, v any) bool {
	if err := webapi.DecodeJSON(r, max, v); err != nil {
		webapi.WriteError(w, r, h.log, err)
		return false
	}
	return true
}

// fail writes err as the response.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	webapi.WriteError(w, r, h.log, err)
}

// done writes v as a 200 JSON response, or err.
func (h *handler) done(w http.ResponseWriter, r *http.Request, v any, err error) {
	if err != nil {
		h.fail(w, r, err)
		return
	}
	webapi.WriteJSON(w, http.StatusOK, v)
}

func (h *handler) config(w http.ResponseWriter, r *http.Request, _ *caller) {
	webapi.WriteJSON(w, http.StatusOK, map[string]any{"websocket": h.cfg.WebSocketURL})
}
