package store

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// Close closes a queued or assigned conversation on behalf of operator op
// (named name) in one TransactWriteItems: the conversation leaves the queue
// or the operator's list, a system line records who closed it, and the
// assigned operator's slot is freed (load − 1, conditional on load > 0).
// When operator messages are unread and no unread-reply email is pending,
// one is scheduled due now (the mailer sends what the visitor has not read,
// if they left an email). check runs on every fresh read and may refuse.
// It returns ECONFLICT for a conversation already closed.
func (s *Store) Close(ctx context.Context, c *livehelp.Conversation, op, name string, check func(*livehelp.Conversation) error) (*Transition, error) {
	before, free := c, true
	for attempt := 1; ; attempt++ {
		if check != nil {
			if err := check(c); err != nil {
				return nil, err
			}
		}
		if c.Status == livehelp.StatusClosed {
			return nil, livehelp.Errorf(livehelp.ECONFLICT, "The conversation is already closed.")
		}
		items, t, err := s.closeItems(c, op, name, free && c.Status == livehelp.StatusAssigned)
		if err != nil {
			return nil, err
		}
		byIndex := []error{errChanged}
		if free && c.Status == livehelp.StatusAssigned {
			byIndex = []error{errNoSlot, errChanged}
		}
		err = s.transact(ctx, "close conversation", items, byIndex...)
		switch {
		case err == nil:
			t.Before = before
			return t, nil
		case attempt == maxAttempts:
			return nil, err
		case errors.Is(err, errNoSlot):
			free = false // the operator's entry is gone or already at 0: close without freeing
		case errors.Is(err, errChanged):
			if c, err = s.Conversation(ctx, c.ID); err != nil {
				return nil, err
			}
		case livehelp.IsCode(err, livehelp.ECONFLICT):
			backoff(attempt)
		default:
			return nil, err
		}
	}
}

// closeItems builds Close's transaction; with free, its first item frees
// the assigned operator's slot.
func (s *Store) closeItems(c *livehelp.Conversation, op, name string, free bool) ([]types.TransactWriteItem, *Transition, error) {
	now := s.now().UTC().Truncate(time.Millisecond)
	after := *c
	after.Status, after.Queue = livehelp.StatusClosed, ""
	upd := expression.Set(expression.Name(attrStatus), expression.Value(livehelp.StatusClosed)).
		Set(expression.Name("closed"), expression.Value(now.UnixMilli())).
		Remove(expression.Name(attrGSI2PK)).Remove(expression.Name(attrGSI2SK)).Remove(expression.Name(attrQueue))
	var timer *types.Put
	if c.Unread() && c.MailDue.IsZero() {
		t := unreadTimer(c, now)
		after.MailDue = now
		upd = upd.Set(expression.Name(attrMailDue), expression.Value(now.UnixMilli()))
		timer = s.putTimer(t)
	}
	items, msgs, err := s.conversationChange(c, &after, upd, []livehelp.Message{livehelp.SystemMessage(livehelp.EventClosed, op, name)})
	if err != nil {
		return nil, nil, err
	}
	if timer != nil {
		items = append(items, types.TransactWriteItem{Put: timer})
	}
	if free {
		l := opField(c.Operator, "l")
		upd := expression.Set(l, l.Minus(expression.Value(1))).Set(opField(c.Operator, "i"), expression.Value(now.UnixMilli()))
		cond := expression.AttributeExists(opPath(c.Operator)).And(l.GreaterThan(expression.Value(0)))
		expr, err := expression.NewBuilder().WithUpdate(upd).WithCondition(cond).Build()
		if err != nil {
			return nil, nil, err
		}
		items = append([]types.TransactWriteItem{{Update: &types.Update{TableName: tableName(s), Key: key(siteKey(c.Site), skSite),
			UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
			ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values()}}}, items...)
	}
	return items, &Transition{Before: c, Conversation: &after, Messages: msgs}, nil
}
