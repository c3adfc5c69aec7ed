package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"

	"github.com/livehelp/livehelp/shared/auth"
	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/webapi"
)

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
