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
	// ReassignAfter is how long a transfer may wait before it is reassigned (0: 24 h).
	ReassignAfter time.Duration
	// Push reaches WebSocket clients (nil: nobody is told, as in unit tests).
	Push fanouter
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
	rs = append(rs, h.snoozeRoutes()...)
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
	// Only a missing session or operator logs the caller out; a failing
	// store is an internal error (a DynamoDB hiccup must not end sessions).
	s, err := h.store.Session(r.Context(), claims.Session)
	if err != nil && !livehelp.IsCode(err, livehelp.ENOTFOUND) {
		return nil, err
	}
	if err != nil || s.Operator != claims.Subject {
		return nil, unauthorized
	}
	op, err := h.store.Operator(r.Context(), s.Operator)
	if err != nil && !livehelp.IsCode(err, livehelp.ENOTFOUND) {
		return nil, err
	}
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

// consoleStore is the part of the store the console uses; *store.Store
// implements it.
type consoleStore interface {
	// Sessions, operators and rate limits.
	Allow(ctx context.Context, name string, l store.Limit) error
	OperatorByEmail(ctx context.Context, email string) (*livehelp.Operator, error)
	Operator(ctx context.Context, id string) (*livehelp.Operator, error)
	Operators(ctx context.Context, site string) ([]*livehelp.Operator, error)
	CreateOperator(ctx context.Context, op *livehelp.Operator) error
	UpdateOperator(ctx context.Context, op *livehelp.Operator) error
	PutSession(ctx context.Context, s store.Session) error
	Session(ctx context.Context, id string) (*store.Session, error)
	DeleteSession(ctx context.Context, id string) error
	CheckAPIKey(ctx context.Context, whole string) (*livehelp.APIKey, error)

	// Sites and groups.
	Site(ctx context.Context, id string, consistent bool) (*livehelp.Site, error)
	UpdateSiteSettings(ctx context.Context, site *livehelp.Site) error
	Proactive(ctx context.Context, site string) (livehelp.Proactive, error)
	PutProactive(ctx context.Context, site string, p livehelp.Proactive) error
	Groups(ctx context.Context, site string) ([]*livehelp.Group, error)
	Group(ctx context.Context, site, id string) (*livehelp.Group, error)
	CreateGroup(ctx context.Context, g *livehelp.Group) error
	UpdateGroup(ctx context.Context, g *livehelp.Group) error
	APIKeys(ctx context.Context, site string) ([]*livehelp.APIKey, error)
	CreateAPIKey(ctx context.Context, site, name string) (*livehelp.APIKey, string, error)
	DeleteAPIKey(ctx context.Context, site, id string) error

	// Queues and conversations.
	Queue(ctx context.Context, site, queue string, limit int) ([]*livehelp.Conversation, error)
	OperatorConversations(ctx context.Context, op string) ([]*livehelp.Conversation, error)
	Conversation(ctx context.Context, id string) (*livehelp.Conversation, error)
	Messages(ctx context.Context, conv string, p livehelp.Page) ([]livehelp.Message, bool, error)
	VisitorsOnline(ctx context.Context, site string, visitors []string) (map[string]bool, error)

	// Profiles and the Message board.
	Profile(ctx context.Context, site, visitor string) (*livehelp.Profile, error)
	TouchProfile(ctx context.Context, u store.ProfileUpdate) error
	AddVisitorEmail(ctx context.Context, site, visitor, email string) error
	VisitorByEmail(ctx context.Context, site, email string) (string, error)
	Board(ctx context.Context, q store.BoardQuery) (*store.BoardPage, error)
	SyncTranscripts(ctx context.Context, c *livehelp.Conversation) error
	AddBoardItem(ctx context.Context, b *livehelp.BoardItem) (*livehelp.BoardItem, bool, error)
	SetBoardItemClosed(ctx context.Context, site, visitor, id string, closed bool, by string) (*livehelp.BoardItem, error)
	SetReplyStatus(ctx context.Context, visitor, id, status string) error
	UnansweredCount(ctx context.Context, site string) (int, error)
	MessageQueue(ctx context.Context, site string, unanswered bool, after string, limit int) (*store.BoardPage, error)
	Stats(ctx context.Context, site string, from, to time.Time) ([]store.DayStats, error)

	// Canned messages.
	CannedTree(ctx context.Context, site string) ([]*livehelp.CannedEntry, error)
	CannedNode(ctx context.Context, site, id string) (*livehelp.CannedNode, error)
	CreateCanned(ctx context.Context, n *livehelp.CannedNode) error
	UpdateCanned(ctx context.Context, site, id string, c store.CannedChange) (*livehelp.CannedNode, error)
	DeleteCanned(ctx context.Context, site, id string) error
	DeleteAllCanned(ctx context.Context, site string) (int, error)
	ImportCanned(ctx context.Context, site, parent string, items []livehelp.CannedImport) (int, error)
}

var _ consoleStore = (*store.Store)(nil)
