package main

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/livehelp/livehelp/shared/email"
	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

// profileRoutes are the Visitor's Profile and its Message board.
func (h *handler) profileRoutes() []route {
	return []route{
		{"GET /v1/console/visitors/{visitor}", operator, h.profile},
		{"POST /v1/console/visitors/{visitor}/emails", operator, h.addEmail},
		{"GET /v1/console/visitors/{visitor}/board", operator, h.board},
		{"PATCH /v1/console/visitors/{visitor}/board/{item}", operator, h.setClosed},
		{"POST /v1/console/visitors/{visitor}/replies", operator, h.reply},
		{"POST /v1/console/visitors/{visitor}/calls", operator, h.visitorCall},
		{"POST /v1/console/calls", apiKey, h.integrationCall},
	}
}

// loadProfile returns a visitor of the caller's site. A visitor who chatted
// but never left a name or address has no profile yet: one is made from
// their conversation, so every visitor an operator can see can be opened.
func (h *handler) loadProfile(r *http.Request, site, visitor string) (*livehelp.Profile, *livehelp.Conversation, error) {
	ctx := r.Context()
	conv, err := h.store.Conversation(ctx, livehelp.ConversationID(site, visitor))
	switch {
	case livehelp.IsCode(err, livehelp.ENOTFOUND):
		conv, err = nil, nil
	case err == nil && conv.Site != site:
		conv = nil
	}
	if err != nil {
		return nil, nil, err
	}
	p, err := h.store.Profile(ctx, site, visitor)
	if livehelp.IsCode(err, livehelp.ENOTFOUND) && conv != nil {
		if err = h.store.TouchProfile(ctx, store.ProfileUpdate{Site: site, Visitor: visitor, Name: conv.VisitorName}); err == nil {
			p, err = h.store.Profile(ctx, site, visitor)
		}
	}
	return p, conv, err
}

func (h *handler) profileView(r *http.Request, site, visitor string) (*profileView, error) {
	p, conv, err := h.loadProfile(r, site, visitor)
	if err != nil {
		return nil, err
	}
	v := &profileView{ID: p.ID, Name: p.Name, Names: p.Names, Emails: p.Emails, Created: p.Created, LastSeen: p.LastSeen}
	if conv != nil {
		cv := viewConversation(conv)
		v.Conversation, v.Online = &cv, conv.Online()
	}
	return v, nil
}

func (h *handler) profile(w http.ResponseWriter, r *http.Request, c *caller) {
	v, err := h.profileView(r, c.Site(), r.PathValue("visitor"))
	h.done(w, r, map[string]any{"profile": v}, err)
}

// addEmail is <add email>: a validated address kept on the profile.
func (h *handler) addEmail(w http.ResponseWriter, r *http.Request, c *caller) {
	var req struct {
		Email string `json:"email"`
	}
	if !h.decode(w, r, 2<<10, &req) {
		return
	}
	addr, err := email.ParseAddress(req.Email)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	visitor := r.PathValue("visitor")
	if _, _, err := h.loadProfile(r, c.Site(), visitor); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.store.AddVisitorEmail(r.Context(), c.Site(), visitor, addr); err != nil {
		h.fail(w, r, err)
		return
	}
	h.log.InfoContext(r.Context(), "visitor email added", "visitor", visitor, "operator", c.Operator.ID)
	v, err := h.profileView(r, c.Site(), visitor)
	h.done(w, r, map[string]any{"profile": v, "email": strings.ToLower(addr)}, err)
}

// board lists the Message board: ?filter=messages,chat,calls (any
// combination), ?unclosed=1, ?q=word or phrase, ?after=cursor. The
// visitor's conversation is first copied to the board as transcripts.
func (h *handler) board(w http.ResponseWriter, r *http.Request, c *caller) {
	visitor := r.PathValue("visitor")
	_, conv, err := h.loadProfile(r, c.Site(), visitor)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if conv != nil {
		if err := h.store.SyncTranscripts(r.Context(), conv); err != nil {
			// The board still shows everything stored so far.
			h.log.WarnContext(r.Context(), "transcript sync failed", "conversation", conv.ID, "err", err)
		}
	}
	q := r.URL.Query()
	var filters []string
	for _, f := range strings.Split(q.Get("filter"), ",") {
		switch f = strings.TrimSpace(f); f {
		case "":
		case livehelp.FilterMessages, livehelp.FilterChat, livehelp.FilterCalls:
			filters = append(filters, f)
		default:
			h.fail(w, r, livehelp.Invalid("Unknown filter.", map[string]string{"filter": "Use messages, chat and calls."}))
			return
		}
	}
	search, err := livehelp.NormalizeSearch(q.Get("q"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	limit, _ := strconv.Atoi(q.Get("limit"))
	page, err := h.store.Board(r.Context(), store.BoardQuery{Site: c.Site(), Visitor: visitor, Kinds: livehelp.KindsOf(filters),
		Unclosed: q.Get("unclosed") == "1", Search: search, After: q.Get("after"), Limit: limit})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.done(w, r, map[string]any{"items": viewBoardItems(page.Items, nil), "next": page.Next}, nil)
}

// setClosed closes or uncloses a board item ({"closed": true|false}).
func (h *handler) setClosed(w http.ResponseWriter, r *http.Request, c *caller) {
	var req struct {
		Closed *bool `json:"closed"`
	}
	if !h.decode(w, r, 1<<10, &req) {
		return
	}
	if req.Closed == nil {
		h.fail(w, r, livehelp.Invalid("Say whether the item is closed.", map[string]string{"closed": "Use true or false."}))
		return
	}
	b, err := h.store.SetBoardItemClosed(r.Context(), c.Site(), r.PathValue("visitor"), r.PathValue("item"), *req.Closed, c.Operator.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.log.InfoContext(r.Context(), "board item closed", "item", b.ID, "visitor", b.Visitor, "closed", b.Closed, "operator", c.Operator.ID)
	msg, err := h.store.UnansweredCount(r.Context(), c.Site())
	h.done(w, r, map[string]any{"item": viewBoardItem(b), "msg": msg}, err)
}
