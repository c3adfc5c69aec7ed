package main

import (
	"net/http"
	"strconv"
	"time"

	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

// queueRoutes are the Communication Summary, the queues, the Message Queue,
// conversations and reports.
func (h *handler) queueRoutes() []route {
	return []route{
		{"GET /v1/console/summary", operator, h.summary},
		{"GET /v1/console/queue", operator, h.queue},
		{"GET /v1/console/messages", operator, h.messageQueue},
		{"GET /v1/console/conversations/{conv}", operator, h.conversation},
		{"GET /v1/console/conversations/{conv}/messages", operator, h.conversationMessages},
		{"GET /v1/console/reports", operator, h.reports},
	}
}

// queueLimit bounds the conversations listed per queue.
const queueLimit = 100

// summary answers the Communication Summary's counts: chats waiting,
// conversations waiting offline, the caller's own, and MSG (unanswered
// visitor messages, a COUNT Query of the unanswered index).
func (h *handler) summary(w http.ResponseWriter, r *http.Request, c *caller) {
	ctx := r.Context()
	waiting, err := h.store.Queue(ctx, c.Site(), livehelp.QueueWaiting, queueLimit)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	offline, err := h.store.Queue(ctx, c.Site(), livehelp.QueueOffline, queueLimit)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	mine, err := h.store.OperatorConversations(ctx, c.Operator.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	msg, err := h.store.UnansweredCount(ctx, c.Site())
	h.done(w, r, map[string]int{"waiting": len(waiting), "offline": len(offline), "mine": len(mine), "msg": msg}, err)
}

// queue lists the conversations an operator can act on: waiting chats,
// conversations queued offline, and the caller's own, with the MSG count.
func (h *handler) queue(w http.ResponseWriter, r *http.Request, c *caller) {
	ctx := r.Context()
	waiting, err := h.store.Queue(ctx, c.Site(), livehelp.QueueWaiting, queueLimit)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	offline, err := h.store.Queue(ctx, c.Site(), livehelp.QueueOffline, queueLimit)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	mine, err := h.store.OperatorConversations(ctx, c.Operator.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	msg, err := h.store.UnansweredCount(ctx, c.Site())
	h.done(w, r, map[string]any{"waiting": viewConversations(waiting), "offline": viewConversations(offline),
		"mine": viewConversations(mine), "msg": msg}, err)
}

// messageQueue is the Message Queue: every visitor message of the site in
// one stream, newest first (?unanswered=1 for the unanswered only), each
// marked with whether its visitor is on the site now.
func (h *handler) messageQueue(w http.ResponseWriter, r *http.Request, c *caller) {
	ctx := r.Context()
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	page, err := h.store.MessageQueue(ctx, c.Site(), q.Get("unanswered") == "1", q.Get("after"), limit)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	visitors := make([]string, 0, len(page.Items))
	for _, b := range page.Items {
		visitors = append(visitors, b.Visitor)
	}
	online, err := h.store.VisitorsOnline(ctx, c.Site(), visitors)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	msg, err := h.store.UnansweredCount(ctx, c.Site())
	h.done(w, r, map[string]any{"items": viewBoardItems(page.Items, online), "next": page.Next, "msg": msg}, err)
}

// siteConversation returns a conversation of the caller's site, or
// ENOTFOUND (another site's conversation does not exist for them).
func (h *handler) siteConversation(r *http.Request, c *caller, id string) (*livehelp.Conversation, error) {
	conv, err := h.store.Conversation(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if conv.Site != c.Site() {
		return nil, livehelp.Errorf(livehelp.ENOTFOUND, "Conversation not found.")
	}
	return conv, nil
}

func (h *handler) conversation(w http.ResponseWriter, r *http.Request, c *caller) {
	conv, err := h.siteConversation(r, c, r.PathValue("conv"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.done(w, r, map[string]any{"conversation": viewConversation(conv)}, nil)
}

// conversationMessages returns a page of a conversation's history
// (?after=seq, ?before=seq or the last ones; ?limit=n).
func (h *handler) conversationMessages(w http.ResponseWriter, r *http.Request, c *caller) {
	conv, err := h.siteConversation(r, c, r.PathValue("conv"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	var p livehelp.Page
	fields := map[string]string{}
	for name, dst := range map[string]*int64{"after": &p.After, "before": &p.Before} {
		if v := q.Get(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				fields[name] = "Use a sequence number."
			}
			*dst = n
		}
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			fields["limit"] = "Use a number from 1 to 100."
		}
		p.Limit = n
	}
	if len(fields) > 0 {
		h.fail(w, r, livehelp.Invalid("The page is not valid.", fields))
		return
	}
	msgs, more, err := h.store.Messages(r.Context(), conv.ID, p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	lines := make([]lineView, 0, len(msgs))
	for _, m := range msgs {
		name := m.OperatorName
		if m.Author == livehelp.AuthorVisitor {
			name = conv.VisitorName
		}
		lines = append(lines, lineView{Seq: m.Seq, Author: m.Author, Name: name, Text: m.Text, At: m.Time})
	}
	h.done(w, r, map[string]any{"messages": lines, "more": more}, nil)
}

type dayView struct {
	Date     string `json:"date"` // YYYY-MM-DD, UTC
	Chats    int    `json:"chats"`
	Messages int    `json:"messages"`
}

// reports answers chats and offline messages per day and the median time
// to the first operator reply, for ?from=YYYY-MM-DD&to=YYYY-MM-DD (UTC,
// both included; the last 14 days by default).
func (h *handler) reports(w http.ResponseWriter, r *http.Request, c *caller) {
	q := r.URL.Query()
	to := h.now().UTC()
	from := to.AddDate(0, 0, -13)
	fields := map[string]string{}
	for name, dst := range map[string]*time.Time{"from": &from, "to": &to} {
		if v := q.Get(name); v != "" {
			t, err := time.Parse("2006-01-02", v)
			if err != nil {
				fields[name] = "Use a date like 2026-11-21."
			}
			*dst = t
		}
	}
	if len(fields) > 0 {
		h.fail(w, r, livehelp.Invalid("Check the dates.", fields))
		return
	}
	days, err := h.store.Stats(r.Context(), c.Site(), from, to)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := make([]dayView, 0, len(days))
	for _, d := range days {
		out = append(out, dayView{Date: d.Day.Format("2006-01-02"), Chats: d.Chats, Messages: d.Messages})
	}
	median, n := store.MedianFirstResponse(days)
	h.done(w, r, map[string]any{"days": out, "median_first_response_seconds": int64(median / time.Second), "responses": n}, nil)
}
