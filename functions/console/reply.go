package main

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/livehelp/livehelp/shared/email"
	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/metrics"
)

type replyRequest struct {
	To       string `json:"to"` // "all", "none" or one of the visitor's addresses
	Subject  string `json:"subject"`
	Text     string `json:"text"`
	ClientID string `json:"client_id"`
}

// reply answers a visitor from their Message board. To "none" (<don't
// send>) keeps a private note on the board and sends nothing. Otherwise the
// reply is stored first (status sending), then sent through SES to each
// address on its own, so every address gets exactly one mail, and marked
// sent. A failed send marks it failed; retrying with the same client id
// sends it again, while a retry of a sent reply sends nothing.
func (h *handler) reply(w http.ResponseWriter, r *http.Request, c *caller) {
	var req replyRequest
	if !h.decode(w, r, livehelp.MaxReplyText*2, &req) {
		return
	}
	rp := livehelp.Reply{To: req.To, Subject: req.Subject, Text: strings.ReplaceAll(req.Text, "\r\n", "\n"), ClientID: req.ClientID}
	if err := rp.Validate(); err != nil {
		h.fail(w, r, err)
		return
	}
	visitor := r.PathValue("visitor")
	p, _, err := h.loadProfile(r, c.Site(), visitor)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	item := &livehelp.BoardItem{Site: c.Site(), Visitor: visitor, Subject: strings.TrimSpace(rp.Subject), Text: rp.Text,
		ClientID: rp.ClientID, Operator: c.Operator.ID, OperatorName: c.Operator.Name, Closed: true}
	switch rp.To {
	case livehelp.ToNone:
		item.Kind = livehelp.BoardNote
	case livehelp.ToAll:
		item.Kind, item.To = livehelp.BoardReply, p.Emails
	default:
		item.Kind, item.To = livehelp.BoardReply, []string{strings.ToLower(strings.TrimSpace(rp.To))}
		if !slices.Contains(p.Emails, item.To[0]) {
			h.fail(w, r, livehelp.Invalid("Choose one of the visitor's addresses.", map[string]string{"to": "Add the address to the visitor first (<add email>)."}))
			return
		}
	}
	if item.Kind == livehelp.BoardReply {
		if len(item.To) == 0 {
			h.fail(w, r, livehelp.Invalid("The visitor has no email address.", map[string]string{"to": "Add an address (<add email>) or choose <don't send>."}))
			return
		}
		item.Status = livehelp.ReplySending
	}
	got, created, err := h.store.AddBoardItem(r.Context(), item)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// A retry (same client id) sends again only after a definite failure: a
	// reply still sending, or whose send got no answer, may be out already.
	if got.Kind == livehelp.BoardReply && !created && (got.Status == livehelp.ReplySending || got.Status == livehelp.ReplyUnknown) {
		h.fail(w, r, livehelp.Errorf(livehelp.ECONFLICT, "An earlier attempt at this reply may have gone out; it is not sent again. Check the mail before writing a new one."))
		return
	}
	if got.Kind == livehelp.BoardReply && (created || got.Status == livehelp.ReplyFailed) {
		if err := h.sendReply(r, c, got); err != nil {
			h.fail(w, r, err)
			return
		}
		got.Status = livehelp.ReplySent
	}
	h.log.InfoContext(r.Context(), "reply stored", "item", got.ID, "visitor", visitor, "kind", got.Kind,
		"recipients", len(got.To), "operator", c.Operator.ID)
	h.done(w, r, map[string]any{"item": viewBoardItem(got)}, nil)
}

// sendReply mails a stored reply to each of its addresses and records the
// outcome on the item.
func (h *handler) sendReply(r *http.Request, c *caller, b *livehelp.BoardItem) error {
	ctx := r.Context()
	site, err := h.store.Site(ctx, c.Site(), false)
	if err != nil {
		return err
	}
	text, html := replyBodies(site.Name, c.Operator.Name, b.Text)
	from := c.Operator.Name
	if site.Name != "" {
		from += " (" + site.Name + ")"
	}
	for _, to := range b.To {
		_, err = h.mail.Send(ctx, email.Message{To: []string{to}, FromName: from, Subject: b.Subject, Text: text, HTML: html})
		if err != nil {
			break
		}
	}
	status := livehelp.ReplySent
	if err != nil {
		metrics.Add(ctx, "EmailsFailed", 1)
		status = livehelp.ReplyFailed
		if email.Ambiguous(err) {
			status = livehelp.ReplyUnknown
		}
		h.log.ErrorContext(ctx, "reply not sent", "item", b.ID, "visitor", b.Visitor, "code", errorKind(err))
	}
	if serr := h.store.SetReplyStatus(ctx, b.Visitor, b.ID, status); serr != nil {
		h.log.ErrorContext(ctx, "reply status not stored", "item", b.ID, "err", serr)
	}
	if err != nil {
		if email.Ambiguous(err) {
			return livehelp.Errorf(livehelp.EINTERNAL, "The mail service did not answer; the email may have been sent. Check before sending it again.")
		}
		if livehelp.ErrorCode(err) == livehelp.EINTERNAL {
			return livehelp.Errorf(livehelp.EINTERNAL, "The email could not be sent; it is kept on the board. Try again.")
		}
		return err
	}
	return nil
}

// errorKind names an email failure for the logs without its message, which
// may hold addresses: the SES error code, or the domain code.
func errorKind(err error) string {
	var api interface{ ErrorCode() string }
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return livehelp.ErrorCode(err)
}

// replyBodies returns the text and HTML parts of a reply, signed by the
// operator. The HTML part escapes everything the operator wrote.
func replyBodies(site, operator, body string) (string, string) {
	return email.ReplyBodies(site, operator, body)
}
