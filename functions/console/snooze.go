package main

import (
	"context"
	"net/http"
	"time"
	_ "time/tzdata" // operators' time zones, whatever the Lambda image holds

	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

// snoozeRoutes are snooze and transfer (the same operations as the chat's
// WebSocket actions; API.md): the live clients concerned are told.
func (h *handler) snoozeRoutes() []route {
	return []route{
		{"GET /v1/console/snoozed", operator, h.snoozed},
		{"GET /v1/console/transfer-targets", operator, h.transferTargets},
		{"GET /v1/console/conversations/{conv}/detail", operator, h.conversationDetail},
		{"POST /v1/console/conversations/{conv}/snooze", operator, h.snoozeConversation},
		{"POST /v1/console/conversations/{conv}/unsnooze", operator, h.unsnoozeConversation},
		{"POST /v1/console/conversations/{conv}/transfer", operator, h.transferConversation},
		{"POST /v1/console/conversations/{conv}/accept", operator, h.acceptTransfer},
	}
}

// workStore is the part of the store snooze and transfer use beyond
// consoleStore; *store.Store implements it.
type workStore interface {
	Snooze(ctx context.Context, c *livehelp.Conversation, r store.SnoozeRequest) (*store.Transition, error)
	Wake(ctx context.Context, id string, w store.WakeRequest) (*store.Transition, error)
	Transfer(ctx context.Context, c *livehelp.Conversation, r store.TransferRequest) (*store.Transition, *livehelp.Transfer, error)
	AcceptTransfer(ctx context.Context, id, op string) (*store.Detail, error)
	Detail(ctx context.Context, id string) (*store.Detail, error)
	Snoozed(ctx context.Context, site string, limit int) ([]store.SnoozedConversation, error)
	liveStore
}

var _ workStore = (*store.Store)(nil)

// work returns the store as a workStore.
func (h *handler) work() workStore { return h.store.(workStore) }

// reassignAfter is REASSIGN_AFTER_SECONDS (default 24 h).
func (h *handler) reassignAfter() time.Duration {
	if h.cfg.ReassignAfter > 0 {
		return h.cfg.ReassignAfter
	}
	return 24 * time.Hour
}

type snoozeView struct {
	Until  time.Time `json:"until"`
	Keep   bool      `json:"keep"`
	By     string    `json:"by"`
	ByName string    `json:"by_name"`
	At     time.Time `json:"at"`
}

func viewSnooze(s *livehelp.Snooze) *snoozeView {
	if s == nil {
		return nil
	}
	return &snoozeView{Until: s.Until, Keep: s.Keep, By: s.By, ByName: s.ByName, At: s.At}
}

type transferView struct {
	From      string    `json:"from"`
	FromName  string    `json:"from_name"`
	Group     string    `json:"group,omitempty"`
	GroupName string    `json:"group_name,omitempty"`
	Comment   string    `json:"comment"`
	At        time.Time `json:"at"`
	Deadline  time.Time `json:"deadline"`
}

func viewTransfer(x *livehelp.Transfer) *transferView {
	if x == nil {
		return nil
	}
	return &transferView{From: x.From, FromName: x.FromName, Group: x.Group, GroupName: x.GroupName, Comment: x.Comment,
		At: x.At, Deadline: x.Deadline}
}

// snoozed lists the site's snoozed conversations, the next to wake first.
func (h *handler) snoozed(w http.ResponseWriter, r *http.Request, c *caller) {
	list, err := h.work().Snoozed(r.Context(), c.Site(), queueLimit)
	out := make([]map[string]any, 0, len(list))
	for _, s := range list {
		out = append(out, map[string]any{"conversation": viewConversation(s.Conversation), "snooze": viewSnooze(&s.Snooze)})
	}
	h.done(w, r, map[string]any{"snoozed": out}, err)
}

// conversationDetail answers a conversation with its snooze and the
// transfer waiting for its operator, if any.
func (h *handler) conversationDetail(w http.ResponseWriter, r *http.Request, c *caller) {
	conv, err := h.siteConversation(r, c, r.PathValue("conv"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d, err := h.work().Detail(r.Context(), conv.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.done(w, r, map[string]any{"conversation": viewConversation(d.Conversation), "snooze": viewSnooze(d.Snooze),
		"transfer": viewTransfer(d.Transfer)}, nil)
}

type snoozeRequest struct {
	For   string `json:"for"`
	Until string `json:"until"`
	Zone  string `json:"zone"`
	Keep  bool   `json:"keep"`
}

// snoozeConversation snoozes a conversation the caller has: for 3 hours,
// 1 day, or until a local date and time in the caller's time zone.
func (h *handler) snoozeConversation(w http.ResponseWriter, r *http.Request, c *caller) {
	var req snoozeRequest
	if !h.decode(w, r, 4<<10, &req) {
		return
	}
	until, zone, err := livehelp.SnoozeChoice{For: req.For, Until: req.Until, Zone: req.Zone}.Resolve(h.now())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	conv, err := h.siteConversation(r, c, r.PathValue("conv"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	op := c.Operator
	t, err := h.work().Snooze(r.Context(), conv, store.SnoozeRequest{Operator: op.ID, Name: op.Name, Until: until, Zone: zone, Keep: req.Keep})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	s := &livehelp.Snooze{Until: until, Keep: req.Keep, By: op.ID, ByName: op.Name, At: t.Conversation.Updated}
	h.log.InfoContext(r.Context(), "conversation snoozed", "conv", conv.ID, "op", op.ID, "until", until, "keep", req.Keep)
	h.tell(r.Context(), t, nil)
	h.done(w, r, map[string]any{"conversation": viewConversation(t.Conversation), "snooze": viewSnooze(s)}, nil)
}

// unsnoozeConversation ends a snooze by hand: the conversation goes to the
// caller, within their slots.
func (h *handler) unsnoozeConversation(w http.ResponseWriter, r *http.Request, c *caller) {
	conv, err := h.siteConversation(r, c, r.PathValue("conv"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	t, err := h.work().Wake(r.Context(), conv.ID, store.WakeRequest{Reason: livehelp.WakeManual, Operator: c.Operator.ID, Name: c.Operator.Name})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.log.InfoContext(r.Context(), "snooze ended", "conv", conv.ID, "op", c.Operator.ID, "reason", livehelp.WakeManual)
	h.tell(r.Context(), t, nil)
	h.done(w, r, map[string]any{"conversation": viewConversation(t.Conversation)}, nil)
}

type transferRequest struct {
	Operator string `json:"operator"`
	Group    string `json:"group"`
	Comment  string `json:"comment"`
	Force    bool   `json:"force"`
}

// transferConversation hands a conversation the caller has to an operator
// or a group; an unavailable target is 409 with fields.target unless force.
func (h *handler) transferConversation(w http.ResponseWriter, r *http.Request, c *caller) {
	var req transferRequest
	if !h.decode(w, r, 8<<10, &req) {
		return
	}
	comment, err := livehelp.CleanComment(req.Comment)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	conv, err := h.siteConversation(r, c, r.PathValue("conv"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	t, x, err := h.work().Transfer(r.Context(), conv, store.TransferRequest{From: c.Operator.ID, FromName: c.Operator.Name,
		To: req.Operator, Group: req.Group, Comment: comment, Force: req.Force, ReassignAfter: h.reassignAfter()})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.log.InfoContext(r.Context(), "conversation transferred", "conv", conv.ID, "from", c.Operator.ID, "to", x.To, "group", x.Group, "force", req.Force)
	h.tell(r.Context(), t, x)
	h.done(w, r, map[string]any{"conversation": viewConversation(t.Conversation), "transfer": viewTransfer(x)}, nil)
}

// acceptTransfer records that the caller handles a conversation transferred
// to them: it is no longer reassigned at the deadline.
func (h *handler) acceptTransfer(w http.ResponseWriter, r *http.Request, c *caller) {
	conv, err := h.siteConversation(r, c, r.PathValue("conv"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d, err := h.work().AcceptTransfer(r.Context(), conv.ID, c.Operator.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.done(w, r, map[string]any{"conversation": viewConversation(d.Conversation)}, nil)
}

type targetView struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	State     string `json:"state"`     // online, away or offline (stale counts as offline)
	Available bool   `json:"available"` // may get a conversation now
	Load      int    `json:"load"`
	Slots     int    `json:"slots"`
}

// transferTargets lists who a conversation may be transferred to: the
// site's operators with their availability, and its groups with how many
// members are available.
func (h *handler) transferTargets(w http.ResponseWriter, r *http.Request, c *caller) {
	ctx := r.Context()
	site, err := h.store.Site(ctx, c.Site(), true)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ops, err := h.store.Operators(ctx, c.Site())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	groups, err := h.store.Groups(ctx, c.Site())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	now := h.now()
	out := make([]targetView, 0, len(ops))
	for _, o := range ops {
		p, ok := site.Presence[o.ID]
		v := targetView{ID: o.ID, Name: o.Name, State: livehelp.PresenceOffline, Slots: o.SlotsOr(site.Slots)}
		if ok {
			v.Load, v.Available = p.Load, p.Available(now)
			if p.State == livehelp.PresenceOnline || p.State == livehelp.PresenceAway {
				if now.Before(p.SeenUntil) {
					v.State = p.State
				}
			}
		}
		out = append(out, v)
	}
	gs := make([]map[string]any, 0, len(groups))
	for _, g := range groups {
		_, available := livehelp.TransferOrder(site.Presence, g.Members, c.Operator.ID, now)
		gs = append(gs, map[string]any{"id": g.ID, "name": g.Name, "members": g.Members, "available": available})
	}
	h.done(w, r, map[string]any{"operators": out, "groups": gs}, nil)
}
