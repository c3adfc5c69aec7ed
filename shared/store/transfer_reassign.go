package store

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// ReassignRequest is a transfer deadline the sweep acts on.
type ReassignRequest struct {
	Conversation string
	Due          time.Time     // the deadline timer's due time
	Seq          int64         // the transfer's system line (the timer's)
	After        time.Duration // the reassign delay, for the system line
}

// Reassign acts on a transfer deadline: when the transfer r names still
// waits (its receiver has the conversation from that transfer, has not
// accepted it and has not written since), the conversation goes to another
// available operator (livehelp.Candidates, the receiver excluded), or back
// to the queue when there is none, with a system line saying so. One
// TransactWriteItems frees the receiver's slot (conditional as Close does),
// takes the new operator's with routing's conditional counter, changes the
// conversation (conditional on its sequence and status) and deletes the
// deadline timer; when the slot was taken meanwhile the site is read again
// and the next operator tried. A transfer handled, replaced or gone comes
// back unchanged, so two sweeps reassign it once.
func (s *Store) Reassign(ctx context.Context, r ReassignRequest) (*Transition, error) {
	d, err := s.Detail(ctx, r.Conversation)
	if err != nil {
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		c, x := d.Conversation, d.Transfer
		if x == nil || x.Seq != r.Seq || !x.Deadline.Equal(r.Due) {
			return &Transition{Before: c, Conversation: c}, nil
		}
		site, err := s.Site(ctx, c.Site, true)
		if err != nil {
			return nil, err
		}
		items, t, err := s.reassignItems(d, r, site, attempt)
		if err != nil {
			return nil, err
		}
		err = s.transact(ctx, "reassign conversation", items, errNoSlot, errChanged)
		switch {
		case err == nil:
			t.Online = onlineOperators(site, s.now())
			s.armWatch(ctx, site)
			return t, nil
		case attempt == maxAttempts:
			return nil, err
		case errors.Is(err, errNoSlot):
			continue // an entry changed meanwhile: read the site again
		case errors.Is(err, errChanged):
			if d, err = s.Detail(ctx, r.Conversation); err != nil {
				return nil, err
			}
		case livehelp.IsCode(err, livehelp.ECONFLICT):
			backoff(attempt)
		default:
			return nil, err
		}
	}
}

// reassignItems builds one attempt of Reassign: the slots (the receiver's
// freed, the new operator's taken), the conversation's change, its line,
// the deadline timer's deletion.
func (s *Store) reassignItems(d *Detail, r ReassignRequest, site *livehelp.Site, attempt int) ([]types.TransactWriteItem, *Transition, error) {
	c, x := d.Conversation, d.Transfer
	now := s.now().UTC().Truncate(time.Millisecond)
	var sl slots
	if holds(site, c.Operator) {
		sl.free = c.Operator
	}
	if attempt < maxAttempts { // the last attempt queues it rather than fail
		for _, id := range livehelp.Candidates(site.Presence, now) {
			if id != c.Operator {
				sl.take, sl.mode = id, slotRouted
				break
			}
		}
	}
	var after livehelp.Conversation
	var upd expression.UpdateBuilder
	var line livehelp.Message
	if sl.take != "" {
		name := site.Presence[sl.take].Name
		upd, line = toAssigned(c, &after, sl.take, name, now), livehelp.ReassignMessage(c.OperatorName, sl.take, name, r.After)
	} else {
		upd, line = toQueued(c, &after, queueFor(c, site, now), now), livehelp.ReassignMessage(c.OperatorName, "", "", r.After)
	}
	change, msgs, err := s.changeItems(c, &after, upd, nil, []livehelp.Message{line})
	if err != nil {
		return nil, nil, err
	}
	var items []types.TransactWriteItem
	if sl.free != "" || sl.take != "" {
		slot, err := sl.item(s, c.Site, now)
		if err != nil {
			return nil, nil, err
		}
		items = append(items, slot)
	} else { // nothing to count: a check of the site keeps the indexes of transact's errors
		expr, err := expression.NewBuilder().WithCondition(expression.AttributeExists(expression.Name(attrPK))).Build()
		if err != nil {
			return nil, nil, err
		}
		items = append(items, types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{TableName: tableName(s),
			Key: key(siteKey(c.Site), skSite), ConditionExpression: expr.Condition(), ExpressionAttributeNames: expr.Names()}})
	}
	items = append(items, change...)
	items = append(items, s.deleteTimerItem(transferTimer(c, x.Deadline, x.Seq)))
	return items, &Transition{Before: c, Conversation: &after, Messages: msgs}, nil
}
