package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/netip"
	"strings"

	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
	"github.com/livehelp/livehelp/shared/webapi"
)

// messageResponse is the answer to an offline message (API.md).
type messageResponse struct {
	Conversation conversationJSON `json:"conversation"`
	Message      messageJSON      `json:"message"`
	Item         string           `json:"item"`       // the message on the visitor's board
	AutoReply    string           `json:"auto_reply"` // the site's text for the visitor; "" when unset
	Duplicate    bool             `json:"duplicate"`  // a resubmit: stored the first time
}

type conversationJSON struct {
	ID     string `json:"id"`
	Status string `json:"status"` // as the chat names it: offline, waiting, assigned, closed
	Seq    int64  `json:"seq"`
	Read   int64  `json:"read"`
}

type messageJSON struct {
	Seq      int64  `json:"seq"`
	ClientID string `json:"client_id"`
	TS       int64  `json:"ts"` // unix ms
}

// postMessage files an offline message: visitor token, the form's fields,
// the honeypot, the minimum fill time, the CAPTCHA when the site asks for
// one, the rate limits, then the message (store.LeaveMessage). Cheap
// checks come first, so refused spam costs as little as it can.
func (h *handler) postMessage(w http.ResponseWriter, r *http.Request, site *livehelp.Site) {
	ctx := r.Context()
	left, err := h.fileMessage(ctx, r, site)
	if err != nil {
		if c := livehelp.ErrorCode(err); c == livehelp.ERATELIMITED || c == livehelp.EUNAUTHORIZED {
			h.log.WarnContext(ctx, "offline message refused", "site", site.ID, "code", c, "request_id", webapi.RequestID(r))
		}
		webapi.WriteError(w, r, h.log, err)
		return
	}
	c := left.Conversation
	h.log.InfoContext(ctx, "offline message stored", "site", site.ID, "visitor", c.Visitor, "conv", c.ID,
		"item", left.Item.ID, "seq", left.Message.Seq, "duplicate", left.Duplicate, "request_id", webapi.RequestID(r))
	if !left.New && !left.Duplicate {
		h.deliver(ctx, left)
	}
	status := http.StatusCreated
	if left.Duplicate {
		status = http.StatusOK
	}
	webapi.WriteJSON(w, status, messageResponse{
		Conversation: conversationJSON{ID: c.ID, Status: c.Phase(), Seq: c.Seq, Read: c.VisitorRead},
		Message:      messageJSON{Seq: left.Message.Seq, ClientID: left.Message.ClientID, TS: left.Message.Time.UnixMilli()},
		Item:         left.Item.ID, AutoReply: site.AutoReply, Duplicate: left.Duplicate,
	})
}

func (h *handler) fileMessage(ctx context.Context, r *http.Request, site *livehelp.Site) (*store.Left, error) {
	visitor, err := h.visitor(r, site)
	if err != nil {
		return nil, err
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") && !strings.HasPrefix(ct, "text/plain") {
		return nil, livehelp.Errorf(livehelp.EINVALID, "The request body must be JSON.")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxFormBody+1))
	if err != nil {
		return nil, livehelp.Errorf(livehelp.EINVALID, "The form could not be read; try again.")
	}
	f, err := parseForm(body)
	if err != nil {
		return nil, err
	}
	if f.Website != "" {
		h.log.WarnContext(ctx, "offline message refused", "site", site.ID, "code", "honeypot", "request_id", webapi.RequestID(r))
		return nil, livehelp.Errorf(livehelp.EINVALID, "Your message could not be sent. Please reload the page and try again.")
	}
	if err := h.checkFormToken(ctx, site, f.FormToken); err != nil {
		return nil, err
	}
	cid := f.ClientID
	if site.SpamProtection {
		// Before the limits: every answer spends a challenge, and new
		// challenges are limited per address (openForm).
		if err := h.captcha.Verify(ctx, site.ID, f.CaptchaID, f.Captcha, visitor+"#"+cid); err != nil {
			return nil, err
		}
	}
	if err := h.limit(ctx, site.ID, webapi.ClientIP(r), f.Email); err != nil {
		return nil, err
	}
	return h.store.LeaveMessage(ctx, store.OfflineMessage{Site: site.ID, Visitor: visitor, Name: f.Name,
		Email: f.Email, Subject: f.Subject, Text: f.Message, ClientID: cid})
}

// limit counts the message against the rate limits of its address, the
// site and the email address given, in that order (one UpdateItem each),
// and stops at the first one exceeded with ERATELIMITED.
func (h *handler) limit(ctx context.Context, site, ip, addr string) error {
	sum := sha256.Sum256([]byte(strings.ToLower(addr)))
	for _, l := range []struct {
		name  string
		limit store.Limit
	}{
		{"offline#ip#" + ipKey(ip), h.rules.PerIP},
		{"offline#site#" + site, h.rules.PerSite},
		{"offline#email#" + hex.EncodeToString(sum[:12]), h.rules.PerEmail}, // no address is stored in a counter
	} {
		if err := h.store.Allow(ctx, l.name, l.limit); err != nil {
			if livehelp.IsCode(err, livehelp.ERATELIMITED) {
				return livehelp.Errorf(livehelp.ERATELIMITED, "Too many messages were sent; please wait a few minutes and try again.")
			}
			return err
		}
	}
	return nil
}

// ipKey names a client address in rate limits: an IPv4 address, or the /64
// of an IPv6 one (a host controls at least that many).
func ipKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	switch {
	case err != nil:
		return "unknown"
	case a.Is4() || a.Is4In6():
		return a.Unmap().String()
	default:
		p, _ := a.Prefix(64)
		return p.String()
	}
}

// deliver pushes the message to the live connections joined to an existing
// conversation (an operator who has it, the visitor's other tabs), as the
// chat function does (PROTOCOL.md: message): one Query of its members. A
// new conversation has none. Failures are logged; the message is stored.
func (h *handler) deliver(ctx context.Context, left *store.Left) {
	members, err := h.store.Members(ctx, left.Conversation.ID)
	if err != nil {
		h.log.ErrorContext(ctx, "members", "conv", left.Conversation.ID, "err", err)
		return
	}
	ids := make([]string, 0, len(members))
	for _, m := range members {
		ids = append(ids, m.Conn)
	}
	if len(ids) == 0 {
		return
	}
	m := left.Message
	data, _ := json.Marshal(map[string]any{"type": "message", "conversation": left.Conversation.ID,
		"message": map[string]any{"seq": m.Seq, "client_id": m.ClientID, "author": m.Author, "text": m.Text, "ts": m.Time.UnixMilli()}})
	res := h.push.Fanout(ctx, ids, data)
	h.log.InfoContext(ctx, "offline message delivered", "conv", left.Conversation.ID, "delivered", res.Delivered,
		"gone", len(res.Gone), "failed", len(res.Failed))
}
