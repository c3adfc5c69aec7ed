package main

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/livehelp/livehelp/shared/auth"
	"github.com/livehelp/livehelp/shared/captcha"
	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/webapi"
)

// kindForm is the token kind of an opened offline form: it proves when the
// form was opened, for the minimum fill time.
const kindForm = "offline-form"

// formResponse is the answer to GET /v1/sites/{site}/captcha (API.md).
type formResponse struct {
	FormToken  string `json:"form_token"`
	MinSeconds int    `json:"min_seconds"`
	Captcha    bool   `json:"captcha"`
	ID         string `json:"id,omitempty"`
	Image      string `json:"image,omitempty"` // path below the REST base URL
	Audio      string `json:"audio,omitempty"`
	ExpiresIn  int    `json:"expires_in,omitempty"` // seconds the challenge stays valid
}

// openForm answers what a visitor needs to fill the offline form: a form
// token (when it was opened) and, when the site's spam protection is on, a
// new CAPTCHA. Asking again refreshes the CAPTCHA (a new id); keep the
// first form token. Rate limited per address, since it writes.
func (h *handler) openForm(w http.ResponseWriter, r *http.Request, site *livehelp.Site) {
	ctx := r.Context()
	resp, err := h.newForm(ctx, r, site)
	if err != nil {
		webapi.WriteError(w, r, h.log, err)
		return
	}
	webapi.WriteJSON(w, http.StatusOK, resp)
}

func (h *handler) newForm(ctx context.Context, r *http.Request, site *livehelp.Site) (*formResponse, error) {
	if err := h.store.Allow(ctx, "captcha#ip#"+ipKey(webapi.ClientIP(r)), h.rules.CaptchaPerIP); err != nil {
		if livehelp.IsCode(err, livehelp.ERATELIMITED) {
			return nil, livehelp.Errorf(livehelp.ERATELIMITED, "Too many forms were opened; please wait a few minutes and try again.")
		}
		return nil, err
	}
	signer, err := h.signer(ctx)
	if err != nil {
		return nil, err
	}
	now := h.now()
	tok := signer.Sign(kindForm, auth.Claims{Subject: strconv.FormatInt(now.UnixMilli(), 10) + "." + auth.NewID()[:12],
		Site: site.ID}, formTokenLife)
	resp := &formResponse{FormToken: tok, MinSeconds: int((h.rules.MinFill + time.Second - 1) / time.Second)}
	if site.SpamProtection {
		id, err := h.captcha.Create(ctx, site.ID)
		if err != nil {
			return nil, err
		}
		base := "/v1/sites/" + site.ID + "/captcha/" + id
		resp.Captcha, resp.ID, resp.Image, resp.Audio = true, id, base+".png", base+".wav"
		resp.ExpiresIn = int(captcha.Life / time.Second)
	}
	return resp, nil
}

// checkFormToken checks that tok is a form token of site opened at least
// the minimum fill time ago. Its errors are EINVALID on the form_token
// field: the widget asks for a new token, the visitor keeps the text.
func (h *handler) checkFormToken(ctx context.Context, site *livehelp.Site, tok string) error {
	expired := livehelp.Invalid("The form has expired. Please send your message again.",
		map[string]string{"form_token": "expired"})
	if tok == "" {
		return expired
	}
	signer, err := h.signer(ctx)
	if err != nil {
		return err
	}
	c, err := signer.Verify(kindForm, tok)
	if err != nil || c.Site != site.ID {
		return expired
	}
	opened, _, _ := strings.Cut(c.Subject, ".")
	ms, err := strconv.ParseInt(opened, 10, 64)
	if err != nil {
		return expired
	}
	if h.now().Sub(time.UnixMilli(ms)) < h.rules.MinFill {
		return livehelp.Invalid("That was quick! Please check your message, then send it again.",
			map[string]string{"form_token": "too_fast"})
	}
	return nil
}

// captchaFile serves a challenge as a PNG image (<id>.png) or WAV audio
// (<id>.wav, spoken in ?lang= or the browser's language).
func (h *handler) captchaFile(w http.ResponseWriter, r *http.Request, site *livehelp.Site) {
	id, ext, _ := strings.Cut(r.PathValue("file"), ".")
	var (
		buf  bytes.Buffer
		err  error
		kind string
	)
	switch ext {
	case "png":
		kind, err = "image/png", h.captcha.WriteImage(r.Context(), &buf, site.ID, id)
	case "wav":
		kind, err = "audio/wav", h.captcha.WriteAudio(r.Context(), &buf, site.ID, id, audioLang(r))
	default:
		err = livehelp.Errorf(livehelp.ENOTFOUND, "No such file; use <id>.png or <id>.wav.")
	}
	if err != nil {
		webapi.WriteError(w, r, h.log, err)
		return
	}
	w.Header().Set("Content-Type", kind)
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(buf.Bytes())
}

// audioLang picks the language the digits are spoken in: ?lang=, else the
// browser's first language, as a two-letter code.
func audioLang(r *http.Request) string {
	langs := livehelp.ParseLanguages(r.Header.Get("Accept-Language"))
	if l := r.URL.Query().Get("lang"); l != "" {
		langs = []string{l}
	}
	for _, l := range langs {
		if len(l) >= 2 {
			return strings.ToLower(l[:2])
		}
	}
	return "en"
}
