package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"sync"
	"time"

	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/webapi"
)

// siteReader is the store call the status handler makes: one GetItem.
type siteReader interface {
	Site(ctx context.Context, id string, consistent bool) (*livehelp.Site, error)
}

// handler answers the button status from a per-container cache that holds
// each site's item for ttl, so repeats cost no DynamoDB request.
type handler struct {
	sites     siteReader
	ttl       time.Duration
	websocket string
	log       *slog.Logger
	now       func() time.Time
	mux       *http.ServeMux

	mu    sync.Mutex
	cache map[string]cachedSite
}

type cachedSite struct {
	site *livehelp.Site
	err  error // a cached not_found, so unknown sites cannot hammer the table
	at   time.Time
}

// maxCached bounds the cache; past it the cache starts afresh.
const maxCached = 10000

func newHandler(sites siteReader, ttl time.Duration, websocket string, log *slog.Logger, now func() time.Time) *handler {
	if ttl <= 0 {
		ttl = 5 * time.Second
	}
	h := &handler{sites: sites, ttl: ttl, websocket: websocket, log: log, now: now, cache: map[string]cachedSite{}}
	h.mux = http.NewServeMux()
	h.mux.HandleFunc("GET /v1/sites/{site}/status", h.status)
	h.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		webapi.WriteError(w, r, log, livehelp.Errorf(livehelp.ENOTFOUND, "No such route."))
	})
	return h
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// statusResponse is the JSON the widget reads.
type statusResponse struct {
	Site      string          `json:"site"`
	State     string          `json:"state"`
	Label     string          `json:"label"`
	Labels    livehelp.Labels `json:"labels"`
	WebSocket string          `json:"websocket,omitempty"`
	Spam      bool            `json:"spam_protection"`
	// Proactive is the site's proactive chat mode (off, invite or auto):
	// the widget loads its proactive module only when it is not off.
	Proactive      string `json:"proactive"`
	ProactiveAfter int    `json:"proactive_after,omitempty"` // auto: seconds on the site before operators are alerted
}

var langPattern = regexp.MustCompile(`^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8}){0,3}$`)

func (h *handler) status(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("site")
	lang := r.URL.Query().Get("lang")
	switch {
	case !livehelp.ValidSiteID(id):
		webapi.WriteError(w, r, h.log, livehelp.Errorf(livehelp.EINVALID, "The site id is not valid."))
		return
	case lang != "" && !langPattern.MatchString(lang):
		webapi.WriteError(w, r, h.log, livehelp.Errorf(livehelp.EINVALID, "The lang parameter is not a language tag."))
		return
	}
	w.Header().Set("Cache-Control", fmt.Sprintf("public, max-age=%d", int(h.ttl.Seconds())))
	w.Header().Add("Vary", "Accept-Language")
	site, err := h.site(r.Context(), id)
	if err != nil {
		webapi.WriteError(w, r, h.log, err)
		return
	}
	webapi.AllowOrigin(w, r, site.AllowedOrigins)
	langs := livehelp.ParseLanguages(r.Header.Get("Accept-Language"))
	if lang != "" {
		langs = append([]string{lang}, langs...)
	}
	labels := site.LabelsFor(langs...)
	state := site.State(h.now())
	resp := statusResponse{
		Site: id, State: state, Label: labels.For(state), Labels: labels,
		WebSocket: h.websocket, Spam: site.SpamProtection, Proactive: proactiveMode(site),
	}
	if resp.Proactive == livehelp.ProactiveAuto {
		resp.ProactiveAfter = site.ProactiveAfter
	}
	webapi.WriteJSON(w, http.StatusOK, resp)
}

// site returns the cached site when fresh, else reads it once.
func (h *handler) site(ctx context.Context, id string) (*livehelp.Site, error) {
	now := h.now()
	h.mu.Lock()
	c, ok := h.cache[id]
	h.mu.Unlock()
	if ok && now.Sub(c.at) < h.ttl {
		return c.site, c.err
	}
	site, err := h.sites.Site(ctx, id, false)
	if err != nil && !livehelp.IsCode(err, livehelp.ENOTFOUND) {
		return nil, err // transient errors are not cached
	}
	h.mu.Lock()
	if len(h.cache) >= maxCached {
		h.cache = map[string]cachedSite{}
	}
	h.cache[id] = cachedSite{site: site, err: err, at: now}
	h.mu.Unlock()
	return site, err
}

// proactiveMode returns the site's proactive chat mode, off when unset.
func proactiveMode(site *livehelp.Site) string {
	if site.Proactive == "" {
		return livehelp.ProactiveOff
	}
	return site.Proactive
}
