package main

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/livehelp/livehelp/shared/auth"
	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
	"github.com/livehelp/livehelp/shared/webapi"
)

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// login checks an operator's password and opens a session. Attempts are
// limited per email address and per client address, whatever the outcome,
// so guessing passwords is slow; the limit answers rate_limited.
func (h *handler) login(w http.ResponseWriter, r *http.Request, _ *caller) {
	var req loginRequest
	if !h.decode(w, r, 4<<10, &req) {
		return
	}
	fields := map[string]string{}
	if strings.TrimSpace(req.Email) == "" || len(req.Email) > 254 {
		fields["email"] = "Enter your email address."
	}
	if req.Password == "" || len(req.Password) > 200 {
		fields["password"] = "Enter your password."
	}
	if len(fields) > 0 {
		h.fail(w, r, livehelp.Invalid("Enter your email and password.", fields))
		return
	}
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(req.Email))))
	if err := h.store.Allow(r.Context(), "login#ip#"+webapi.ClientIP(r), h.cfg.LoginPerIP); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.store.Allow(r.Context(), "login#email#"+hex.EncodeToString(sum[:16]), h.cfg.LoginPerEmail); err != nil {
		h.fail(w, r, err)
		return
	}
	denied := livehelp.Errorf(livehelp.EUNAUTHORIZED, "The email or password is not correct.")
	op, err := h.store.OperatorByEmail(r.Context(), strings.TrimSpace(req.Email))
	if err != nil {
		if livehelp.IsCode(err, livehelp.ENOTFOUND) {
			auth.CheckPassword(dummyHash(), req.Password) // same time whether or not the email exists
			err = denied
		}
		h.fail(w, r, err)
		return
	}
	if !auth.CheckPassword(op.PasswordHash, req.Password) {
		h.log.InfoContext(r.Context(), "login refused", "operator", op.ID, "request_id", webapi.RequestID(r))
		h.fail(w, r, denied)
		return
	}
	signer, err := h.keys.Signer(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	s := store.Session{ID: auth.NewID(), Operator: op.ID, Site: op.Site, Role: op.Role, Expires: h.now().Add(sessionLife)}
	if err := h.store.PutSession(r.Context(), s); err != nil {
		h.fail(w, r, err)
		return
	}
	tok := signer.Sign(auth.KindSession, auth.Claims{Subject: op.ID, Site: op.Site, Session: s.ID, Role: op.Role}, sessionLife)
	h.log.InfoContext(r.Context(), "login", "operator", op.ID, "request_id", webapi.RequestID(r))
	webapi.WriteJSON(w, http.StatusOK, map[string]any{"token": tok, "operator": viewOperator(op, nil), "websocket": h.cfg.WebSocketURL,
		"expires": s.Expires})
}

// dummyHash is a bcrypt hash checked when the email is unknown, computed once.
var dummyHash = sync.OnceValue(func() string {
	h, _ := auth.HashPassword(auth.NewID())
	return h
})

func (h *handler) logout(w http.ResponseWriter, r *http.Request, c *caller) {
	if err := h.store.DeleteSession(r.Context(), c.Session.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *handler) me(w http.ResponseWriter, r *http.Request, c *caller) {
	site, err := h.store.Site(r.Context(), c.Operator.Site, false)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	webapi.WriteJSON(w, http.StatusOK, map[string]any{"operator": viewOperator(c.Operator, nil),
		"site": map[string]any{"id": site.ID, "name": site.Name}, "websocket": h.cfg.WebSocketURL})
}

type meRequest struct {
	Name            *string `json:"name"`
	Password        *string `json:"password"`
	CurrentPassword string  `json:"current_password"`
}

// updateMe lets operators rename themselves (their name replaces %name% in
// every later canned insertion) and change their password, which needs the
// current one.
func (h *handler) updateMe(w http.ResponseWriter, r *http.Request, c *caller) {
	var req meRequest
	if !h.decode(w, r, 4<<10, &req) {
		return
	}
	op := *c.Operator
	op.PasswordHash = ""
	if req.Name != nil {
		if msg := operatorNameProblem(*req.Name); msg != "" {
			h.fail(w, r, livehelp.Invalid("Check your name.", map[string]string{"name": msg}))
			return
		}
		op.Name = strings.TrimSpace(*req.Name)
	}
	if req.Password != nil {
		if !auth.CheckPassword(c.Operator.PasswordHash, req.CurrentPassword) {
			h.fail(w, r, livehelp.Invalid("Check your password.", map[string]string{"current_password": "This is not your current password."}))
			return
		}
		hash, err := auth.HashPassword(*req.Password)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		op.PasswordHash = hash
	}
	if err := h.store.UpdateOperator(r.Context(), &op); err != nil {
		h.fail(w, r, err)
		return
	}
	h.log.InfoContext(r.Context(), "operator updated", "operator", op.ID, "by", c.Operator.ID)
	webapi.WriteJSON(w, http.StatusOK, map[string]any{"operator": viewOperator(&op, nil)})
}

// operatorNameProblem returns what is wrong with an operator's name, or "".
func operatorNameProblem(name string) string {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "Enter a name."
	case utf8.RuneCountInString(name) > livehelp.MaxNameLen:
		return "Use at most 100 characters."
	case strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return "Use plain text on one line."
	}
	return ""
}
