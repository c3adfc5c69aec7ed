package main

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/livehelp/livehelp/shared/auth"
	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/webapi"
)

// visitorTokenLife is how long a browser keeps its visitor identity.
const visitorTokenLife = 365 * 24 * time.Hour

// siteReader is the store call this handler makes to check a site.
type siteReader interface {
	Site(ctx context.Context, id string, consistent bool) (*livehelp.Site, error)
}

type handler struct {
	sites siteReader
	keys  *auth.Keyring
	log   *slog.Logger
	now   func() time.Time
	mux   *http.ServeMux
}

func newHandler(sites siteReader, keys *auth.Keyring, log *slog.Logger, now func() time.Time) *handler {
	h := &handler{sites: sites, keys: keys, log: log, now: now, mux: http.NewServeMux()}
	h.mux.HandleFunc("OPTIONS /v1/sites/{site}/{route}", h.preflight)
	h.mux.HandleFunc("POST /v1/sites/{site}/visitors", h.withSite(h.newVisitor))
	h.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		webapi.WriteError(w, r, log, livehelp.Errorf(livehelp.ENOTFOUND, "No such route."))
	})
	return h
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// withSite loads the route's site and answers CORS for its allowed origins;
// a browser on a foreign origin is refused with forbidden.
func (h *handler) withSite(next func(http.ResponseWriter, *http.Request, *livehelp.Site)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		site, err := h.sites.Site(r.Context(), r.PathValue("site"), false)
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

func (h *handler) preflight(w http.ResponseWriter, r *http.Request) {
	h.withSite(func(w http.ResponseWriter, r *http.Request, _ *livehelp.Site) {
		w.WriteHeader(http.StatusNoContent)
	})(w, r)
}

// newVisitor issues a visitor token. It writes nothing: the visitor's
// profile is created when they first write.
func (h *handler) newVisitor(w http.ResponseWriter, r *http.Request, site *livehelp.Site) {
	signer, err := h.keys.Signer(r.Context())
	if err != nil {
		webapi.WriteError(w, r, h.log, err)
		return
	}
	id := auth.NewID()
	token := signer.Sign(auth.KindVisitor, auth.Claims{Subject: id, Site: site.ID}, visitorTokenLife)
	webapi.WriteJSON(w, http.StatusCreated, map[string]string{"visitor": id, "token": token})
}
