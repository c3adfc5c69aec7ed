package store

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// Why an email goes out: the reasons a mail timer carries.
const (
	MailUnread      = "unread"      // operator messages unread after the delay
	MailClosed      = "closed"      // the conversation was closed with messages unread
	MailSnoozed     = "snoozed"     // it was snoozed with messages unread
	MailTransferred = "transferred" // it was transferred with messages unread
)

// MailTimer is a due TimerMail timer as the mailer reads it. The
// conversation's mail due time (Conversation.MailDue) names the one timer
// that may act: any other is stale.
type MailTimer struct {
	Timer
	Conversation string
	Site         string
	Reason       string    // "" when the scheduler gave none (the mailer infers it)
	FirstDue     time.Time // the email's identity: Due on a first attempt, earlier on a retry
}

// ParseMailTimer reads the payload of a TimerMail timer; ok is false for a
// timer that names no conversation.
func ParseMailTimer(t Timer) (mt MailTimer, ok bool) {
	mt = MailTimer{Timer: t, Conversation: t.Data["conv"], Site: t.Data["site"], Reason: t.Data["reason"], FirstDue: t.Due}
	if mt.Conversation == "" {
		mt.Conversation, _ = strings.CutPrefix(t.Ref, "unread#")
	}
	if ms, err := strconv.ParseInt(t.Data["first"], 10, 64); err == nil && ms > 0 {
		mt.FirstDue = time.UnixMilli(ms).UTC()
	}
	return mt, mt.Conversation != "" && !strings.Contains(mt.Conversation, "#")
}

// mailTimer returns the timer of an email of c due at due.
func mailTimer(c *livehelp.Conversation, due, first time.Time, reason string) Timer {
	t := unreadTimer(c, due)
	if reason != "" && reason != MailUnread {
		t.Data["reason"] = reason
	}
	if !first.IsZero() && !first.Equal(due) {
		t.Data["first"] = strconv.FormatInt(first.UnixMilli(), 10)
	}
	return t
}

// setMailDue returns the Update of c's pending email time to due (zero:
// none), conditional on it still being was and, when lastOp is at least 0,
// on the last operator message being lastOp.
func (s *Store) setMailDue(conv string, was, due time.Time, lastOp int64) (types.TransactWriteItem, error) {
	cond := mailDueIs(timeMS(was))
	if lastOp >= 0 {
		cond = cond.And(expression.Name("lastop").Equal(expression.Value(lastOp)))
	}
	expr, err := expression.NewBuilder().WithCondition(cond).
		WithUpdate(expression.Set(expression.Name(attrMailDue), expression.Value(timeMS(due)))).Build()
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	return types.TransactWriteItem{Update: &types.Update{TableName: tableName(s), Key: key(convKey(conv), skConv),
		UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values()}}, nil
}

func (s *Store) deleteTimerItem(t Timer) types.TransactWriteItem {
	return types.TransactWriteItem{Delete: &types.Delete{TableName: tableName(s), Key: t.key()}}
}

// FinishMail ends the pending email of conversation c (as read by the
// mailer) whose timer is t: in one TransactWriteItems the conversation's
// mail due time is cleared, conditional on it still being t's and on no
// operator message newer than c's, and t is deleted. When operator
// messages came meanwhile they start a new burst: its email is scheduled
// delay from now instead. A timer another run already finished is just
// deleted. Every outcome is final for t.
func (s *Store) FinishMail(ctx context.Context, c *livehelp.Conversation, t Timer, delay time.Duration) error {
	lastOp, reschedule := c.LastOperatorSeq, false
	for attempt := 1; ; attempt++ {
		var due time.Time
		var extra []types.TransactWriteItem
		if reschedule { // newer operator messages, unread: their own email, delay from now
			due, lastOp = s.now().Add(delay).UTC().Truncate(time.Millisecond), -1
			extra = append(extra, types.TransactWriteItem{Put: s.putTimer(mailTimer(c, due, time.Time{}, MailUnread))})
		}
		upd, err := s.setMailDue(c.ID, t.Due, due, lastOp)
		if err != nil {
			return err
		}
		items := append([]types.TransactWriteItem{upd, s.deleteTimerItem(t)}, extra...)
		err = s.transact(ctx, "finish mail", items, errChanged)
		if !errors.Is(err, errChanged) || attempt == maxAttempts {
			return err
		}
		c, err = s.Conversation(ctx, c.ID)
		switch {
		case livehelp.IsCode(err, livehelp.ENOTFOUND):
			return s.dropTimer(ctx, t)
		case err != nil:
			return err
		case !c.MailDue.Equal(t.Due):
			return s.dropTimer(ctx, t) // finished or moved by someone else
		}
		lastOp, reschedule = c.LastOperatorSeq, c.Unread()
	}
}

// RetryMail records a failed attempt of a claimed email (o.Status
// MailRetry, o.Next set) and moves its timer to o.Next, in one
// TransactWriteItems: the record (conditional on the claim), the
// conversation's mail due time (conditional on it still being t's), the
// old timer's deletion and the new timer's Put. When the conversation no
// longer waits for t, the email is cancelled instead (a later one carries
// the messages). It returns ECONFLICT when the claim was lost.
func (s *Store) RetryMail(ctx context.Context, c *livehelp.Conversation, t MailTimer, o MailOutcome) error {
	rec, err := s.recordOutcome(c.ID, t.FirstDue, o)
	if err != nil {
		return err
	}
	next := o.Next.UTC().Truncate(time.Millisecond)
	upd, err := s.setMailDue(c.ID, t.Due, next, -1)
	if err != nil {
		return err
	}
	nt := mailTimer(c, next, t.FirstDue, t.Reason)
	items := []types.TransactWriteItem{{Update: rec}, upd, s.deleteTimerItem(t.Timer), {Put: s.putTimer(nt)}}
	err = s.transact(ctx, "retry mail", items, errLostClaim, errChanged)
	if !errors.Is(err, errChanged) {
		if errors.Is(err, errLostClaim) {
			return livehelp.Errorf(livehelp.ECONFLICT, "Another run holds this email.")
		}
		return err
	}
	o.Status, o.Error = MailCancelled, "a later email carries these messages"
	if err := s.RecordMail(ctx, c.ID, t.FirstDue, o); err != nil {
		return err
	}
	return s.dropTimer(ctx, t.Timer)
}

var errLostClaim = errors.New("store: mail claim lost")

// dropTimer deletes a timer that another worker may have deleted first.
func (s *Store) dropTimer(ctx context.Context, t Timer) error {
	if err := s.DeleteTimer(ctx, t); err != nil && !livehelp.IsCode(err, livehelp.ECONFLICT) {
		return err
	}
	return nil
}

// MailNotice is what a conversation change adds to its own transaction so
// that the visitor's unread operator messages are emailed now (see
// ScheduleMail). Merge Update into the change's update of the conversation
// item and Condition into its condition, append Items to the transaction,
// and set the conversation's MailDue to Due. A zero MailNotice (Due zero)
// means nothing is to be sent.
type MailNotice struct {
	Due       time.Time
	Update    func(expression.UpdateBuilder) expression.UpdateBuilder
	Condition expression.ConditionBuilder
	Items     []types.TransactWriteItem
}

// MailNotice returns the writes that schedule the email of c's unread
// operator messages at now for reason (MailSnoozed, MailTransferred,
// MailClosed): none when nothing is unread or an email is already due by
// now; a pending email due later is brought forward (its timer deleted,
// a new one due now). The condition holds c's mail due time as read.
func (s *Store) MailNotice(c *livehelp.Conversation, reason string, now time.Time) MailNotice {
	now = now.UTC().Truncate(time.Millisecond)
	if !c.Unread() || (!c.MailDue.IsZero() && !c.MailDue.After(now)) {
		return MailNotice{}
	}
	n := MailNotice{Due: now, Condition: mailDueIs(timeMS(c.MailDue)),
		Update: func(u expression.UpdateBuilder) expression.UpdateBuilder {
			return u.Set(expression.Name(attrMailDue), expression.Value(now.UnixMilli()))
		},
		Items: []types.TransactWriteItem{{Put: s.putTimer(mailTimer(c, now, time.Time{}, reason))}},
	}
	if !c.MailDue.IsZero() {
		n.Items = append(n.Items, s.deleteTimerItem(unreadTimer(c, c.MailDue)))
	}
	return n
}

// ScheduleMail asks the mailer to email the visitor's unread operator
// messages of conversation c now, after it was snoozed, transferred or
// closed (reason): for callers that change the conversation in another
// transaction (those in this package use MailNotice inside their own).
// Nothing is scheduled when no operator message is unread or an email is
// already due; a pending email due later is brought forward. Whether the
// visitor left an address is the mailer's concern. One TransactWriteItems,
// conditional on the conversation's pending email being as read; on a
// race the conversation is read again. It reports whether an email was
// scheduled.
func (s *Store) ScheduleMail(ctx context.Context, c *livehelp.Conversation, reason string) (bool, error) {
	for attempt := 1; ; attempt++ {
		n := s.MailNotice(c, reason, s.now())
		if n.Due.IsZero() {
			return false, nil
		}
		cond := n.Condition.And(expression.AttributeExists(expression.Name(attrPK)))
		expr, err := expression.NewBuilder().WithCondition(cond).WithUpdate(n.Update(expression.UpdateBuilder{})).Build()
		if err != nil {
			return false, err
		}
		items := append([]types.TransactWriteItem{{Update: &types.Update{TableName: tableName(s),
			Key: key(convKey(c.ID), skConv), UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
			ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values()}}}, n.Items...)
		err = s.transact(ctx, "schedule mail", items, errChanged)
		switch {
		case err == nil:
			return true, nil
		case !errors.Is(err, errChanged) || attempt == maxAttempts:
			return false, err
		}
		if c, err = s.Conversation(ctx, c.ID); err != nil {
			return false, err
		}
	}
}
