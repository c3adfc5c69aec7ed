package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/livehelp/livehelp/shared/auth"
	"github.com/livehelp/livehelp/shared/email"
	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

// mailStore is the part of the store the mailer uses.
type mailStore interface {
	DueTimers(ctx context.Context, kind string, now time.Time, limit int) ([]store.Timer, error)
	DeleteTimer(ctx context.Context, t store.Timer) error
	Conversation(ctx context.Context, id string) (*livehelp.Conversation, error)
	Site(ctx context.Context, id string, consistent bool) (*livehelp.Site, error)
	Profile(ctx context.Context, site, visitor string) (*livehelp.Profile, error)
	Messages(ctx context.Context, conv string, p livehelp.Page) ([]livehelp.Message, bool, error)
	MailRecords(ctx context.Context, conv string) ([]*store.MailRecord, error)
	ClaimMail(ctx context.Context, c store.MailClaim) (*store.MailRecord, bool, error)
	RecordMail(ctx context.Context, conv string, first time.Time, o store.MailOutcome) error
	RetryMail(ctx context.Context, c *livehelp.Conversation, t store.MailTimer, o store.MailOutcome) error
	FinishMail(ctx context.Context, c *livehelp.Conversation, t store.Timer, delay time.Duration) error
	CancelMail(ctx context.Context, conv string, first time.Time, why string) error
}

// sender sends one email and returns SES's message id (email.Sender).
type sender interface {
	Send(ctx context.Context, m email.Message) (string, error)
}

// settings are the mailer's knobs; defaults holds the deployed values.
type settings struct {
	Delay       time.Duration // UNREAD_EMAIL_DELAY_SECONDS: a new burst's email is due this long after it
	Limit       int           // timers read per run
	Budget      time.Duration // time a run spends before leaving the rest to the next
	Lease       time.Duration // a claim's hold: longer than a run may last (Timeout 50 s)
	MaxAttempts int           // SES failures before an email is marked failed
	RetryBase   time.Duration // first retry after this, doubling: 1, 2, 4, 8 min
	LinkLife    time.Duration // resume links in emails work this long
}

var defaults = settings{
	Delay: 300 * time.Second, Limit: 100, Budget: 40 * time.Second, Lease: 2 * time.Minute,
	MaxAttempts: 5, RetryBase: time.Minute, LinkLife: 30 * 24 * time.Hour,
}

// worker runs one scheduled pass over due mail timers, bounded in items
// and time; what it leaves is picked up by the next run.
type worker struct {
	store mailStore
	mail  sender
	keys  *auth.Keyring
	log   *slog.Logger
	now   func() time.Time
	set   settings
}

// Outcomes of one timer, as logged and counted.
const (
	outSent     = "sent"
	outRetry    = "retry"
	outFailed   = "failed"
	outRead     = "read"     // read in time: no email
	outNoEmail  = "no_email" // the visitor left no address
	outStale    = "stale"    // another run finished it, or a later timer replaced it
	outBusy     = "busy"     // another run holds the claim now
	outDone     = "done"     // sent or given up by an earlier run; cleaned up now
	outNothing  = "nothing"  // every unread reply was emailed before
	outDropped  = "dropped"  // unreadable timer or conversation gone
	outConflict = "conflict" // the claim was lost mid-send (a lease ran out)
)

// run handles one EventBridge scheduled event: reading due work is two
// Queries of the day buckets when nothing is due (store.DueTimers).
func (w *worker) run(ctx context.Context, ev events.CloudWatchEvent) error {
	start := w.now()
	due, err := w.store.DueTimers(ctx, store.TimerMail, start, w.set.Limit)
	if err != nil {
		return err
	}
	runID := auth.NewID()[:16]
	counts := map[string]int{}
	sites := map[string]*livehelp.Site{}
	for i, t := range due {
		if w.now().Sub(start) > w.set.Budget {
			counts["left"] = len(due) - i
			break
		}
		out, err := w.handle(ctx, runID, t, sites)
		if err != nil {
			w.log.ErrorContext(ctx, "mail timer failed", "run", runID, "ref", t.Ref, "outcome", out, "err", err)
			out = "error"
		}
		counts[out]++
	}
	w.log.InfoContext(ctx, "mailer run", "run", runID, "event", ev.ID, "due", len(due), "outcomes", counts)
	return nil
}
