package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/livehelp/livehelp/shared/store"
)

// timerStore is the part of the store the worker uses.
type timerStore interface {
	DueTimers(ctx context.Context, kind string, now time.Time, limit int) ([]store.Timer, error)
	DeleteTimer(ctx context.Context, t store.Timer) error
}

// worker runs one scheduled pass over due timers, bounded in items and time;
// what it leaves is picked up by the next run.
type worker struct {
	store  timerStore
	log    *slog.Logger
	now    func() time.Time
	kind   string
	limit  int
	budget time.Duration
}

// run handles one EventBridge scheduled event.
func (w *worker) run(ctx context.Context, ev events.CloudWatchEvent) error {
	start := w.now()
	due, err := w.store.DueTimers(ctx, w.kind, start, w.limit)
	if err != nil {
		return err
	}
	done := 0
	for _, t := range due {
		if w.now().Sub(start) > w.budget {
			break
		}
		// Each kind of timer gets its action in the snooze/transfer work; until
		// then a due timer with no action is logged and kept.
		w.log.WarnContext(ctx, "timer without action", "ref", t.Ref)
	}
	w.log.InfoContext(ctx, "sweep", "due", len(due), "done", done, "event", ev.ID)
	return nil
}
