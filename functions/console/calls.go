package main

import (
	"net/http"
	"strings"
	"time"

	"github.com/livehelp/livehelp/shared/auth"
	"github.com/livehelp/livehelp/shared/email"
	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
	"github.com/livehelp/livehelp/shared/webapi"
)

// callRequest is a call record. Operators log one on a visitor's profile;
// a phone integration posts one to /v1/console/calls naming the visitor by
// id or by email address.
type callRequest struct {
	Visitor   string    `json:"visitor,omitempty"` // integration: the visitor's id, or
	Email     string    `json:"email,omitempty"`   // integration: an address of theirs (a new profile if unknown)
	Name      string    `json:"name,omitempty"`    // integration: the caller's name for a new profile
	At        time.Time `json:"at"`
	Duration  int64     `json:"duration"` // seconds
	Direction string    `json:"direction"`
	Phone     string    `json:"phone,omitempty"`
	Note      string    `json:"note,omitempty"`
	FollowUp  bool      `json:"follow_up,omitempty"` // keep it unclosed, e.g. a missed call to return
	ClientID  string    `json:"client_id,omitempty"` // idempotency key, e.g. the phone system's call id
}

// visitorCall logs a call on a visitor's profile (an operator's session).
func (h *handler) visitorCall(w http.ResponseWriter, r *http.Request, c *caller) {
	var req callRequest
	if !h.decode(w, r, 8<<10, &req) {
		return
	}
	if req.Visitor != "" || req.Email != "" || req.Name != "" {
		h.fail(w, r, livehelp.Invalid("The visitor is in the address.", map[string]string{"visitor": "Leave out visitor, email and name here."}))
		return
	}
	visitor := r.PathValue("visitor")
	if _, _, err := h.loadProfile(r, c.Site(), visitor); err != nil {
		h.fail(w, r, err)
		return
	}
	h.addCall(w, r, c, visitor, req, "console")
}

// integrationCall takes a call record from a phone integration (X-Api-Key)
// or an operator's session. The visitor is named by id or by email; an
// unknown address gets a new profile so the record is never lost.
func (h *handler) integrationCall(w http.ResponseWriter, r *http.Request, c *caller) {
	var req callRequest
	if !h.decode(w, r, 8<<10, &req) {
		return
	}
	ctx := r.Context()
	visitor := req.Visitor
	switch {
	case visitor != "" && req.Email != "":
		h.fail(w, r, livehelp.Invalid("Name the visitor once.", map[string]string{"visitor": "Give the visitor's id or an email address, not both."}))
		return
	case visitor != "":
		if _, _, err := h.loadProfile(r, c.Site(), visitor); err != nil {
			h.fail(w, r, err)
			return
		}
	case req.Email != "":
		addr, err := email.ParseAddress(req.Email)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		visitor, err = h.store.VisitorByEmail(ctx, c.Site(), addr)
		if livehelp.IsCode(err, livehelp.ENOTFOUND) {
			visitor = auth.NewID()
			err = h.store.TouchProfile(ctx, store.ProfileUpdate{Site: c.Site(), Visitor: visitor, Name: livehelp.CleanName(req.Name), Email: addr})
		}
		if err != nil {
			h.fail(w, r, err)
			return
		}
	default:
		h.fail(w, r, livehelp.Invalid("Name the visitor.", map[string]string{"visitor": "Give the visitor's id or an email address."}))
		return
	}
	source := "console"
	if c.Key != nil {
		source = "integration:" + c.Key.Name
	}
	h.addCall(w, r, c, visitor, req, source)
}

// addCall validates and stores a call record on visitor's board.
func (h *handler) addCall(w http.ResponseWriter, r *http.Request, c *caller, visitor string, req callRequest, source string) {
	call := &livehelp.Call{At: req.At, Duration: time.Duration(req.Duration) * time.Second, Direction: req.Direction,
		Phone: strings.TrimSpace(req.Phone), Source: source}
	if err := call.Validate(req.Note, h.now()); err != nil {
		h.fail(w, r, err)
		return
	}
	if req.ClientID != "" && !livehelp.ValidClientID(req.ClientID) {
		h.fail(w, r, livehelp.Invalid("Check the call record.", map[string]string{"client_id": "Use 1 to 64 letters, digits, dashes or underscores."}))
		return
	}
	b := &livehelp.BoardItem{Site: c.Site(), Visitor: visitor, Kind: livehelp.BoardCall, Text: strings.TrimSpace(req.Note),
		ClientID: req.ClientID, Closed: !req.FollowUp, Call: call}
	if c.Operator != nil {
		b.Operator, b.OperatorName = c.Operator.ID, c.Operator.Name
	}
	got, created, err := h.store.AddBoardItem(r.Context(), b)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.log.InfoContext(r.Context(), "call recorded", "item", got.ID, "visitor", visitor, "created", created, "source", source)
	status := http.StatusCreated
	if !created {
		status = http.StatusOK
	}
	webapi.WriteJSON(w, status, map[string]any{"item": viewBoardItem(got)})
}
