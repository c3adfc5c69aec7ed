package main

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/livehelp/livehelp/shared/auth"
	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/metrics"
	"github.com/livehelp/livehelp/shared/store"
)

// sweepStore is the part of the store the worker uses.
type sweepStore interface {
	DueTimers(ctx context.Context, kind string, now time.Time, limit int) ([]store.Timer, error)
	DeleteTimer(ctx context.Context, t store.Timer) error
	Wake(ctx context.Context, id string, w store.WakeRequest) (*store.Transition, error)
	Reassign(ctx context.Context, r store.ReassignRequest) (*store.Transition, error)
	SweepPresence(ctx context.Context, site string) (*store.PresenceSweep, error)
	ExpireWaiting(ctx context.Context, site *livehelp.Site, limit int) ([]*store.Transition, error)
	RearmPresence(ctx context.Context, t store.Timer, site string, next time.Time) error

	// Telling the clients (notify.go).
	Members(ctx context.Context, conv string) ([]store.Member, error)
	ParticipantConnections(ctx context.Context, role, id string) ([]*livehelp.Connection, error)
	Join(ctx context.Context, conv string, conns []*livehelp.Connection) ([]*livehelp.Connection, error)
	Leave(ctx context.Context, conv, conn, role string) (*livehelp.Conversation, error)
	DeleteConnection(ctx context.Context, id string) error
	QueuePosition(ctx context.Context, c *livehelp.Conversation) (int, error)
}

var _ sweepStore = (*store.Store)(nil)

// settings are the worker's knobs.
type settings struct {
	Limit         int           // timers read per run
	Budget        time.Duration // time a run spends before leaving the rest to the next
	ReassignAfter time.Duration // REASSIGN_AFTER_SECONDS, for the reassignment line
	MaxExpired    int           // waiting conversations moved offline per site and run
}

var defaults = settings{Limit: 100, Budget: 40 * time.Second, ReassignAfter: 24 * time.Hour, MaxExpired: 25}

// worker runs one scheduled pass over due sweep timers, bounded in items
// and time; what it leaves is picked up by the next run. Each action is a
// conditional transaction in the store, so two runs at once, or a retried
// one, act once: the loser finds the work done and drops its timer.
type worker struct {
	store sweepStore
	push  fanout
	log   *slog.Logger
	now   func() time.Time
	set   settings
}

// Outcomes of one timer, as logged and counted.
const (
	outWoke       = "woke"       // a snooze ended: the conversation went down the wake-up chain
	outReassigned = "reassigned" // a transfer nobody handled went to another operator or the queue
	outChecked    = "checked"    // a site's presence was checked
	outStale      = "stale"      // done by another run, by the visitor or an operator, or replaced
	outDropped    = "dropped"    // unreadable timer, or its conversation or site is gone
)

// run handles one EventBridge scheduled event. When nothing is due it
// makes the two Queries of store.DueTimers and nothing else.
func (w *worker) run(ctx context.Context, ev events.CloudWatchEvent) error {
	start := w.now()
	due, err := w.store.DueTimers(ctx, store.TimerSweep, start, w.set.Limit)
	if err != nil {
		return err
	}
	metrics.Add(ctx, "SweepsDue", float64(len(due)))
	if len(due) == 0 {
		w.log.DebugContext(ctx, "sweep run", "event", ev.ID, "due", 0)
		return nil
	}
	runID := auth.NewID()[:16]
	counts := map[string]int{}
	var lag time.Duration
	for i, t := range due {
		if i > 0 && w.now().Sub(start) > w.set.Budget { // the first always runs: every run makes progress
			counts["left"] = len(due) - i
			break
		}
		lag = max(lag, w.now().Sub(t.Due))
		out, err := w.handle(ctx, t)
		if err != nil {
			w.log.ErrorContext(ctx, "sweep timer failed", "run", runID, "ref", t.Ref, "err", err)
			out = "error"
		}
		counts[out]++
	}
	for out, n := range counts {
		metrics.Add(ctx, "Sweep"+strings.ToUpper(out[:1])+out[1:], float64(n)) // SweepWoke, SweepReassigned, ...
	}
	w.log.InfoContext(ctx, "sweep run", "run", runID, "event", ev.ID, "due", len(due), "outcomes", counts,
		"max_lag_ms", lag.Milliseconds(), "full", len(due) == w.set.Limit)
	return nil
}

// handle acts on one due timer.
func (w *worker) handle(ctx context.Context, tm store.Timer) (string, error) {
	t, ok := store.ParseSweepTimer(tm)
	if !ok {
		w.log.WarnContext(ctx, "unknown sweep timer", "ref", tm.Ref)
		return outDropped, w.drop(ctx, tm)
	}
	var tr *store.Transition
	var err error
	out := outWoke
	switch t.Kind {
	case store.SweepPresence:
		return w.presence(ctx, t)
	case store.SweepSnooze:
		tr, err = w.store.Wake(ctx, t.Conversation, store.WakeRequest{Reason: livehelp.WakeEnd, Due: t.Due})
	case store.SweepTransfer:
		out = outReassigned
		tr, err = w.store.Reassign(ctx, store.ReassignRequest{Conversation: t.Conversation, Due: t.Due, Seq: t.Seq, After: w.set.ReassignAfter})
	}
	switch {
	case livehelp.IsCode(err, livehelp.ENOTFOUND):
		return outDropped, w.drop(ctx, tm)
	case err != nil:
		return "", err
	case !tr.Changed():
		return outStale, w.drop(ctx, tm)
	}
	c := tr.Conversation
	w.log.InfoContext(ctx, "sweep acted", "ref", tm.Ref, "outcome", out, "conv", c.ID, "site", c.Site,
		"status", c.Phase(), "op", c.Operator, "lag_ms", w.now().Sub(tm.Due).Milliseconds())
	w.tell(ctx, tr)
	return out, nil
}

// presence checks a site's presence summary, moves the waiting
// conversations nobody online can serve to the offline queue (their
// visitors are told), and re-arms the check while anyone is online.
func (w *worker) presence(ctx context.Context, t store.SweepTimer) (string, error) {
	ps, err := w.store.SweepPresence(ctx, t.Site)
	if livehelp.IsCode(err, livehelp.ENOTFOUND) {
		return outDropped, w.store.RearmPresence(ctx, t.Timer, t.Site, time.Time{})
	}
	if err != nil {
		return "", err
	}
	if len(ps.Offline)+len(ps.Removed) > 0 {
		w.log.InfoContext(ctx, "stale presence dropped", "site", t.Site, "offline", ps.Offline, "removed", ps.Removed)
	}
	if !ps.Online {
		moved, err := w.store.ExpireWaiting(ctx, ps.Site, w.set.MaxExpired)
		for _, tr := range moved {
			w.tell(ctx, tr)
		}
		if err != nil {
			return "", err
		}
	}
	var next time.Time
	if ps.Online {
		next = ps.Next.Add(time.Second)
	}
	return outChecked, w.store.RearmPresence(ctx, t.Timer, t.Site, next)
}

// drop deletes a timer that has nothing (more) to do; another run may have
// deleted it first.
func (w *worker) drop(ctx context.Context, t store.Timer) error {
	if err := w.store.DeleteTimer(ctx, t); err != nil && !livehelp.IsCode(err, livehelp.ECONFLICT) {
		return err
	}
	return nil
}
