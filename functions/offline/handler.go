package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/livehelp/livehelp/shared/auth"
	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/push"
	"github.com/livehelp/livehelp/shared/store"
	"github.com/livehelp/livehelp/shared/webapi"
)

// Lifetimes of what this function signs.
const (
	visitorTokenLife = 365 * 24 * time.Hour // a browser's visitor identity
	formTokenLife    = 2 * time.Hour        // an opened offline form
)

// offlineStore is the part of the store this function uses.
type offlineStore interface {
	Site(ctx context.Context, id string, consistent bool) (*livehelp.Site, error)
	Allow(ctx context.Context, name string, l store.Limit) error
	LeaveMessage(ctx context.Context, m store.OfflineMessage) (*store.Left, error)
	ResumeConversation(ctx context.Context, site, visitor, conv string) (*livehelp.Conversation, error)
	Members(ctx context.Context, conv string) ([]store.Member, error)
}

// pusher sends a frame to live WebSocket connections (push.Pusher).
type pusher interface {
	Fanout(ctx context.Context, ids []string, data []byte) push.Result
}

// challenges draws and checks CAPTCHAs (package captcha).
type challenges interface {
	Create(ctx context.Context, site string) (string, error)
	WriteImage(ctx context.Context, w io.Writer, site, id string) error
	WriteAudio(ctx context.Context, w io.Writer, site, id, lang string) error
	Verify(ctx context.Context, site, id, answer, clientID string) error
}

// rules are the spam rules: the minimum time between opening the form
// and sending it, and the rate limits that are always on.
type rules struct {
	MinFill      time.Duration
	PerIP        store.Limit // offline messages from one address (IPv6: one /64)
	PerEmail     store.Limit // offline messages giving one email address
	PerSite      store.Limit // offline messages to one site
	CaptchaPerIP store.Limit // forms opened (and challenges made) from one address
}

// defaultRules are the rules in AWS.
var defaultRules = rules{
	MinFill:      3 * time.Second,
	PerIP:        store.Limit{N: 5, Window: 10 * time.Minute},
	PerEmail:     store.Limit{N: 5, Window: time.Hour},
	PerSite:      store.Limit{N: 300, Window: time.Hour},
	CaptchaPerIP: store.Limit{N: 30, Window: 10 * time.Minute},
}

type handler struct {
	store   offlineStore
	push    pusher
	captcha challenges
	keys    *auth.Keyring
	rules   rules
	log     *slog.Logger
	now     func() time.Time
	mux     *http.ServeMux
}

func newHandler(st offlineStore, p pusher, cp challenges, keys *auth.Keyring, rules rules, log *slog.Logger, now func() time.Time) *handler {
	h := &handler{store: st, push: p, captcha: cp, keys: keys, rules: rules, log: log, now: now, mux: http.NewServeMux()}
	h.mux.HandleFunc("OPTIONS /v1/sites/{site}/{route}", h.preflight)
	h.mux.HandleFunc("POST /v1/sites/{site}/visitors", h.withSite(h.visitors))
	h.mux.HandleFunc("POST /v1/sites/{site}/messages", h.withSite(h.postMessage))
	h.mux.HandleFunc("GET /v1/sites/{site}/captcha", h.withSite(h.openForm))
	h.mux.HandleFunc("GET /v1/sites/{site}/captcha/{file}", h.withSite(h.captchaFile))
	h.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		webapi.WriteError(w, r, log, livehelp.Errorf(livehelp.ENOTFOUND, "No such route."))
	})
	return h
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	h.mux.ServeHTTP(w, r)
}

// withSite loads the route's site and answers CORS for its allowed origins;
// a browser on a foreign origin is refused with forbidden.
func (h *handler) withSite(next func(http.ResponseWriter, *http.Request, *livehelp.Site)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		site, err := h.sites(r)
		if err != nil {
			webapi.WriteError(w, r, h.log, err)
			return
		}
		if !webapi.AllowOrigin(w, r, site.AllowedOrigins) {
			webapi.WriteError(w, r, h.log, livehelp.Errorf(livehelp.EFORBIDDEN, "This origin may not use this site's widget."))
			return
		}
		next(w, r, site)
	}
}

func (h *handler) sites(r *http.Request) (*livehelp.Site, error) {
	return h.store.Site(r.Context(), r.PathValue("site"), false)
}

func (h *handler) preflight(w http.ResponseWriter, r *http.Request) {
	h.withSite(func(w http.ResponseWriter, r *http.Request, _ *livehelp.Site) {
		w.WriteHeader(http.StatusNoContent)
	})(w, r)
}

// signer returns the process's token signer (the key is read once).
func (h *handler) signer(ctx context.Context) (*auth.Signer, error) { return h.keys.Signer(ctx) }

// visitor returns the visitor of site named by the request's bearer token,
// or EUNAUTHORIZED.
func (h *handler) visitor(r *http.Request, site *livehelp.Site) (string, error) {
	tok, ok := bearer(r)
	if !ok {
		return "", livehelp.Errorf(livehelp.EUNAUTHORIZED, "A visitor token is required.")
	}
	signer, err := h.signer(r.Context())
	if err != nil {
		return "", err
	}
	c, err := signer.Verify(auth.KindVisitor, tok)
	if err != nil || c.Site != site.ID {
		return "", livehelp.Errorf(livehelp.EUNAUTHORIZED, "The visitor token is not valid; reload the page.")
	}
	return c.Subject, nil
}

func bearer(r *http.Request) (string, bool) {
	v := r.Header.Get("Authorization")
	if len(v) > 7 && (v[:7] == "Bearer " || v[:7] == "bearer ") {
		return v[7:], true
	}
	return "", false
}

// visitorsRequest is the optional body of POST /v1/sites/{site}/visitors.
type visitorsRequest struct {
	Resume string `json:"resume"` // the token of an emailed #livehelp=<token> link
}

// visitorResponse answers with a visitor identity for this browser.
type visitorResponse struct {
	Visitor      string            `json:"visitor"`
	Token        string            `json:"token"`
	Conversation *conversationJSON `json:"conversation,omitempty"` // resume only
}

// visitors issues a visitor token. Without a body (or with {}) it is a new
// visitor and nothing is written: the profile is created when they first
// write. With {"resume": <token of an emailed link>} it binds this browser
// to the link's visitor — the token returned is theirs — and marks the
// emailed messages read (store.ResumeConversation); a bad or expired link
// is EUNAUTHORIZED on the resume field.
func (h *handler) visitors(w http.ResponseWriter, r *http.Request, site *livehelp.Site) {
	var req visitorsRequest
	body, err := io.ReadAll(io.LimitReader(r.Body, 8<<10))
	if err != nil {
		webapi.WriteError(w, r, h.log, livehelp.Errorf(livehelp.EINVALID, "The request could not be read."))
		return
	}
	if len(bytes.TrimSpace(body)) > 0 && json.Unmarshal(body, &req) != nil {
		webapi.WriteError(w, r, h.log, livehelp.Errorf(livehelp.EINVALID, "The request body is not valid JSON."))
		return
	}
	signer, err := h.signer(r.Context())
	if err != nil {
		webapi.WriteError(w, r, h.log, err)
		return
	}
	if req.Resume == "" {
		id := auth.NewID()
		token := signer.Sign(auth.KindVisitor, auth.Claims{Subject: id, Site: site.ID}, visitorTokenLife)
		webapi.WriteJSON(w, http.StatusCreated, visitorResponse{Visitor: id, Token: token})
		return
	}
	bad := &livehelp.Error{Code: livehelp.EUNAUTHORIZED, Message: "This link has expired or is not valid; open the chat to write to us.",
		Fields: map[string]string{"resume": "expired"}}
	claims, err := signer.Verify(auth.KindResume, req.Resume)
	if err != nil || claims.Site != site.ID || claims.Conversation == "" {
		webapi.WriteError(w, r, h.log, bad)
		return
	}
	c, err := h.store.ResumeConversation(r.Context(), site.ID, claims.Subject, claims.Conversation)
	if livehelp.IsCode(err, livehelp.ENOTFOUND) {
		err = bad
	}
	if err != nil {
		webapi.WriteError(w, r, h.log, err)
		return
	}
	h.log.InfoContext(r.Context(), "conversation resumed", "site", site.ID, "visitor", c.Visitor, "conv", c.ID,
		"read", c.VisitorRead, "request_id", webapi.RequestID(r))
	token := signer.Sign(auth.KindVisitor, auth.Claims{Subject: claims.Subject, Site: site.ID}, visitorTokenLife)
	webapi.WriteJSON(w, http.StatusOK, visitorResponse{Visitor: claims.Subject, Token: token,
		Conversation: &conversationJSON{ID: c.ID, Status: c.Phase(), Seq: c.Seq, Read: c.VisitorRead}})
}
