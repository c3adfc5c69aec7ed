package main

import (
	"context"
	"errors"
	"net/url"
	"time"

	"github.com/livehelp/livehelp/shared/auth"
	"github.com/livehelp/livehelp/shared/email"
	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/metrics"
	"github.com/livehelp/livehelp/shared/store"
)

// maxReplies bounds the operator messages read for one email.
const maxReplies = 50

// handle acts on one due mail timer and returns its outcome. The
// conversation's mail due time names the one live timer; the email record
// (store.ClaimMail) makes one run send it; "sent" is recorded before the
// timer is removed, so a run that stops half-way never sends twice.
func (w *worker) handle(ctx context.Context, run string, tm store.Timer, sites map[string]*livehelp.Site) (string, error) {
	t, ok := store.ParseMailTimer(tm)
	if !ok {
		return outDropped, w.drop(ctx, tm)
	}
	c, err := w.store.Conversation(ctx, t.Conversation)
	switch {
	case livehelp.IsCode(err, livehelp.ENOTFOUND):
		return outDropped, w.drop(ctx, tm)
	case err != nil:
		return "", err
	case !c.MailDue.Equal(t.Due):
		return outStale, w.drop(ctx, tm)
	}
	retry := !t.FirstDue.Equal(t.Due)
	if !c.Unread() {
		return outRead, w.finish(ctx, c, t, retry, "the visitor read the messages")
	}
	profile, err := w.store.Profile(ctx, c.Site, c.Visitor)
	if err != nil && !livehelp.IsCode(err, livehelp.ENOTFOUND) {
		return "", err
	}
	if profile == nil || len(profile.Emails) == 0 {
		return outNoEmail, w.finish(ctx, c, t, retry, "the visitor left no email address")
	}
	reason := t.Reason
	if reason == "" {
		reason = store.MailUnread
		if c.Status == livehelp.StatusClosed {
			reason = store.MailClosed
		}
	}
	rec, claimed, err := w.store.ClaimMail(ctx, store.MailClaim{Conversation: c.ID, Site: c.Site, FirstDue: t.FirstDue,
		Reason: reason, Owner: run, Lease: w.set.Lease})
	if err != nil {
		return "", err
	}
	if !claimed {
		if rec.Status == store.MailSending {
			return outBusy, nil
		}
		return outDone, w.store.FinishMail(ctx, c, tm, w.set.Delay)
	}
	return w.send(ctx, run, c, t, rec, profile, reason, sites)
}

// send writes and sends the claimed email and records the outcome.
func (w *worker) send(ctx context.Context, run string, c *livehelp.Conversation, t store.MailTimer, rec *store.MailRecord,
	profile *livehelp.Profile, reason string, sites map[string]*livehelp.Site) (string, error) {
	replies, first, last, err := w.replies(ctx, c)
	if err != nil {
		return "", err
	}
	o := store.MailOutcome{Owner: run, FirstSeq: first, LastSeq: last, Recipients: len(profile.Emails)}
	if len(replies) == 0 {
		o.Status, o.Error = store.MailCancelled, "every unread reply was emailed before"
		if err := w.store.RecordMail(ctx, c.ID, t.FirstDue, o); err != nil {
			return "", err
		}
		return outNothing, w.store.FinishMail(ctx, c, t.Timer, w.set.Delay)
	}
	site, ok := sites[c.Site]
	if !ok {
		if site, err = w.store.Site(ctx, c.Site, false); err != nil {
			return "", err
		}
		sites[c.Site] = site
	}
	link, err := w.resumeLink(ctx, site, c)
	if err != nil {
		return "", err
	}
	m, err := email.Unread{To: profile.Emails, SiteName: site.Name, VisitorName: profile.Name, Reason: reason,
		Replies: replies, ResumeURL: link, LinkDays: int(w.set.LinkLife / (24 * time.Hour))}.Message()
	var id string
	if err == nil {
		id, err = w.mail.Send(ctx, m)
	}
	if err == nil {
		o.Status, o.MessageID = store.MailSent, id
		if err := w.store.RecordMail(ctx, c.ID, t.FirstDue, o); err != nil {
			if livehelp.IsCode(err, livehelp.ECONFLICT) {
				return outConflict, nil // a run took over after our lease: it records its own outcome
			}
			return "", err
		}
		w.log.InfoContext(ctx, "mail sent", "run", run, "conv", c.ID, "site", c.Site, "ses_id", id,
			"replies", len(replies), "recipients", len(profile.Emails), "reason", reason, "attempt", rec.Attempts)
		metrics.Add(ctx, "EmailsSent", 1)
		return outSent, w.store.FinishMail(ctx, c, t.Timer, w.set.Delay)
	}
	o.Error = failure(err)
	w.log.WarnContext(ctx, "mail not sent", "run", run, "conv", c.ID, "site", c.Site, "attempt", rec.Attempts, "error", o.Error)
	if email.Ambiguous(err) {
		// SES may have sent it: never send it, nor its messages, again.
		o.Status, o.Error = store.MailUnknown, "SES: no answer; the email may have been sent"
		if err := w.store.RecordMail(ctx, c.ID, t.FirstDue, o); err != nil {
			return "", err
		}
		metrics.Add(ctx, "EmailsFailed", 1)
		return outFailed, w.store.FinishMail(ctx, c, t.Timer, w.set.Delay)
	}
	if livehelp.IsCode(err, livehelp.EINVALID) || rec.Attempts >= w.set.MaxAttempts {
		o.Status = store.MailFailed
		if err := w.store.RecordMail(ctx, c.ID, t.FirstDue, o); err != nil {
			return "", err
		}
		metrics.Add(ctx, "EmailsFailed", 1)
		return outFailed, w.store.FinishMail(ctx, c, t.Timer, w.set.Delay)
	}
	metrics.Add(ctx, "EmailsRetried", 1)
	o.Status, o.Next = store.MailRetry, w.now().Add(w.set.RetryBase<<min(rec.Attempts-1, 10))
	return outRetry, w.store.RetryMail(ctx, c, t, o)
}

// replies returns the operator messages of c the visitor has not read and
// no earlier email carried, oldest first, with their sequence range.
func (w *worker) replies(ctx context.Context, c *livehelp.Conversation) ([]email.Reply, int64, int64, error) {
	recs, err := w.store.MailRecords(ctx, c.ID)
	if err != nil {
		return nil, 0, 0, err
	}
	after := max(c.VisitorRead, store.LastMailedSeq(recs))
	msgs, _, err := w.store.Messages(ctx, c.ID, livehelp.Page{Before: c.LastOperatorSeq + 1, Limit: maxReplies})
	if err != nil {
		return nil, 0, 0, err
	}
	var out []email.Reply
	var first, last int64
	for _, m := range msgs {
		if m.Author != livehelp.AuthorOperator || m.Seq <= after || m.Seq > c.LastOperatorSeq {
			continue
		}
		if first == 0 {
			first = m.Seq
		}
		last = m.Seq
		out = append(out, email.Reply{Operator: m.OperatorName, Text: m.Text, Time: m.Time})
	}
	return out, first, last, nil
}

// resumeLink returns the site's page with a signed link into c
// (#livehelp=<token>), or "" when the site has no http(s) page.
func (w *worker) resumeLink(ctx context.Context, site *livehelp.Site, c *livehelp.Conversation) (string, error) {
	u, err := url.Parse(site.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", nil
	}
	signer, err := w.keys.Signer(ctx)
	if err != nil {
		return "", err
	}
	tok := signer.Sign(auth.KindResume, auth.Claims{Subject: c.Visitor, Site: c.Site, Conversation: c.ID}, w.set.LinkLife)
	u.Fragment, u.RawFragment = "", ""
	return u.String() + "#livehelp=" + tok, nil
}

// finish ends a timer without an email; a retried email is marked
// cancelled so operators do not see it waiting.
func (w *worker) finish(ctx context.Context, c *livehelp.Conversation, t store.MailTimer, retry bool, why string) error {
	if retry {
		if err := w.store.CancelMail(ctx, c.ID, t.FirstDue, why); err != nil {
			return err
		}
	}
	return w.store.FinishMail(ctx, c, t.Timer, w.set.Delay)
}

// drop deletes a timer with nothing to do; another run may have first.
func (w *worker) drop(ctx context.Context, t store.Timer) error {
	if err := w.store.DeleteTimer(ctx, t); err != nil && !livehelp.IsCode(err, livehelp.ECONFLICT) {
		return err
	}
	return nil
}

// failure describes a send error for the record and the logs: the SES
// error code, never its message (which may hold addresses).
func failure(err error) string {
	var api interface{ ErrorCode() string } // smithy.APIError
	switch {
	case errors.As(err, &api):
		return "SES: " + api.ErrorCode()
	case livehelp.IsCode(err, livehelp.EINVALID):
		return "invalid email: " + livehelp.ErrorMessage(err)
	case errors.Is(err, context.DeadlineExceeded):
		return "SES: timeout"
	default:
		return "SES: unreachable"
	}
}
