package store

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// Transition is the outcome of a conversation state change.
type Transition struct {
	Before       *livehelp.Conversation // as last read before the change (equal to Conversation when nothing changed)
	Conversation *livehelp.Conversation // after it
	Messages     []livehelp.Message     // system lines written, in order
	Online       []string               // operators online when routing read the site (Route only)
}

// Changed reports whether anything was written.
func (t *Transition) Changed() bool {
	return t.Before.Seq != t.Conversation.Seq || t.Before.Phase() != t.Conversation.Phase()
}

// Assigned reports whether the conversation was assigned by this change.
func (t *Transition) Assigned() bool {
	return t.Conversation.Status == livehelp.StatusAssigned && t.Before.Status != livehelp.StatusAssigned
}

// LeftWaiting reports whether the conversation left the waiting queue, so
// the positions of those behind it moved.
func (t *Transition) LeftWaiting() bool {
	return t.Before.Phase() == livehelp.QueueWaiting && t.Conversation.Phase() != livehelp.QueueWaiting
}

var (
	errNoSlot  = errors.New("store: operator has no free slot")
	errChanged = errors.New("store: conversation changed")
)

// Route gives a queued or closed conversation to the first available
// operator (see livehelp.Candidates): one TransactWriteItems takes a slot
// with a conditional update of the operator's load in the site's presence
// summary (load < slots, online, fresh), assigns the conversation
// (conditional on its sequence and status) and writes the system lines. A
// closed conversation is reopened first. When the slot was taken meanwhile
// the site is read again (consistently) and the next operator tried, up to
// maxAttempts times; slots are never exceeded. With nobody available the
// conversation waits in the queue: waiting when an operator is online and
// the visitor is on the site, offline otherwise. An assigned conversation
// is returned unchanged, and so is one closed (or reopened) by someone else
// while routing ran.
func (s *Store) Route(ctx context.Context, c *livehelp.Conversation) (*Transition, error) {
	before := c
	for attempt := 1; ; attempt++ {
		if c.Status == livehelp.StatusAssigned {
			return &Transition{Before: c, Conversation: c}, nil // nothing to do, or done by someone else
		}
		site, err := s.Site(ctx, c.Site, true)
		if err != nil {
			return nil, err
		}
		now := s.now()
		var lines []livehelp.Message
		if c.Status == livehelp.StatusClosed {
			lines = append(lines, livehelp.SystemMessage(livehelp.EventReopened, "", ""))
		}
		var t *Transition
		if cands := livehelp.Candidates(site.Presence, now); len(cands) > 0 && attempt < maxAttempts {
			op := cands[0]
			lines = append(lines, livehelp.SystemMessage(livehelp.EventAssigned, op, site.Presence[op].Name))
			t, err = s.assign(ctx, c, op, site.Presence[op].Name, false, lines)
		} else {
			queue := livehelp.QueueOffline
			if c.Online() && livehelp.AnyOnline(site.Presence, now) {
				queue = livehelp.QueueWaiting
			}
			t, err = s.enqueue(ctx, c, queue, lines)
		}
		switch {
		case err == nil:
			for id, p := range site.Presence {
				if p.Online(now) {
					t.Online = append(t.Online, id)
				}
			}
			return t, nil
		case errors.Is(err, errNoSlot) && attempt < maxAttempts:
			continue // someone took the slot: read the site again
		case errors.Is(err, errChanged) && attempt < maxAttempts:
			if c, err = s.Conversation(ctx, c.ID); err != nil {
				return nil, err
			}
			if (c.Status == livehelp.StatusClosed) != (before.Status == livehelp.StatusClosed) {
				// Closed or reopened meanwhile: not what the caller asked to route.
				return &Transition{Before: c, Conversation: c}, nil
			}
		case livehelp.IsCode(err, livehelp.ECONFLICT) && attempt < maxAttempts:
			backoff(attempt) // a transaction conflict: try again
		default:
			return nil, err
		}
	}
}

// Take assigns a queued conversation to operator op by hand; Unclose
// reopens a closed one and assigns it to op. Both need a free slot of op's
// (load < slots in the site's summary, whatever op's state) and return
// ECONFLICT without one, or when the conversation is not in the expected
// status (check runs on every fresh read and may refuse first).
func (s *Store) Take(ctx context.Context, c *livehelp.Conversation, op, name string, check func(*livehelp.Conversation) error) (*Transition, error) {
	return s.manualAssign(ctx, c, op, name, livehelp.StatusQueued, livehelp.EventAssigned, check)
}

// Unclose reopens a closed conversation and assigns it to op; see Take.
func (s *Store) Unclose(ctx context.Context, c *livehelp.Conversation, op, name string, check func(*livehelp.Conversation) error) (*Transition, error) {
	return s.manualAssign(ctx, c, op, name, livehelp.StatusClosed, livehelp.EventReopened, check)
}

func (s *Store) manualAssign(ctx context.Context, c *livehelp.Conversation, op, name, from, event string, check func(*livehelp.Conversation) error) (*Transition, error) {
	for attempt := 1; ; attempt++ {
		if check != nil {
			if err := check(c); err != nil {
				return nil, err
			}
		}
		if c.Status != from {
			return nil, livehelp.Errorf(livehelp.ECONFLICT, "The conversation is %s.", c.Phase())
		}
		t, err := s.assign(ctx, c, op, name, true, []livehelp.Message{livehelp.SystemMessage(event, op, name)})
		switch {
		case err == nil:
			return t, nil
		case errors.Is(err, errNoSlot):
			return nil, livehelp.Errorf(livehelp.ECONFLICT, "You have no free slot; close a conversation first.")
		case attempt == maxAttempts:
			return nil, err
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

// assign runs the slot-taking transaction. It returns errNoSlot when the
// operator's slot condition failed and errChanged when the conversation did.
func (s *Store) assign(ctx context.Context, c *livehelp.Conversation, op, name string, manual bool, lines []livehelp.Message) (*Transition, error) {
	now := s.now().UTC()
	l, k := opField(op, "l"), opField(op, "k")
	slot := expression.AttributeExists(opPath(op)).And(l.LessThan(k))
	if !manual {
		slot = slot.And(opField(op, "s").Equal(expression.Value(livehelp.PresenceOnline)),
			opField(op, "u").GreaterThan(expression.Value(now.UnixMilli())))
	}
	siteUpd := expression.Set(l, l.Plus(expression.Value(1))).Set(opField(op, "i"), expression.Value(now.UnixMilli()))
	siteExpr, err := expression.NewBuilder().WithUpdate(siteUpd).WithCondition(slot).Build()
	if err != nil {
		return nil, err
	}
	after := *c
	after.Status, after.Queue, after.Operator, after.OperatorName = livehelp.StatusAssigned, "", op, name
	after.Assigned = now
	upd := expression.Set(expression.Name(attrStatus), expression.Value(after.Status)).
		Set(expression.Name("op"), expression.Value(op)).Set(expression.Name("opname"), expression.Value(name)).
		Set(expression.Name(attrGSI2PK), expression.Value(operatorConvsKey(op))).
		Set(expression.Name(attrGSI2SK), expression.Value(convTimeSK(now, c.ID))).
		Set(expression.Name("assigned"), expression.Value(now.UnixMilli())).
		Remove(expression.Name(attrQueue))
	items, msgs, err := s.conversationChange(c, &after, upd, lines)
	if err != nil {
		return nil, err
	}
	items = append([]types.TransactWriteItem{{Update: &types.Update{TableName: tableName(s), Key: key(siteKey(c.Site), skSite),
		UpdateExpression: siteExpr.Update(), ConditionExpression: siteExpr.Condition(),
		ExpressionAttributeNames: siteExpr.Names(), ExpressionAttributeValues: siteExpr.Values()}}}, items...)
	if err := s.transact(ctx, "assign conversation", items, errNoSlot, errChanged); err != nil {
		return nil, err
	}
	return &Transition{Before: c, Conversation: &after, Messages: msgs}, nil
}

// Enqueue moves a queued conversation to another queue (waiting or offline)
// without a system line, keeping its place in time. It returns ECONFLICT
// when the conversation changed since c was read.
func (s *Store) Enqueue(ctx context.Context, c *livehelp.Conversation, queue string) (*Transition, error) {
	if c.Status != livehelp.StatusQueued {
		return nil, livehelp.Errorf(livehelp.ECONFLICT, "The conversation is %s.", c.Phase())
	}
	t, err := s.enqueue(ctx, c, queue, nil)
	if errors.Is(err, errChanged) {
		return nil, livehelp.Errorf(livehelp.ECONFLICT, "The conversation changed; try again.")
	}
	return t, err
}

// enqueue places c in a queue with the given system lines; it writes
// nothing when c is already there and there are no lines.
func (s *Store) enqueue(ctx context.Context, c *livehelp.Conversation, queue string, lines []livehelp.Message) (*Transition, error) {
	if c.Status == livehelp.StatusQueued && c.Queue == queue && len(lines) == 0 {
		return &Transition{Before: c, Conversation: c}, nil
	}
	after := *c
	after.Status, after.Queue, after.Operator, after.OperatorName = livehelp.StatusQueued, queue, "", ""
	if c.Status != livehelp.StatusQueued || after.Queued.IsZero() {
		after.Queued = s.now().UTC().Truncate(time.Millisecond)
	}
	upd := expression.Set(expression.Name(attrStatus), expression.Value(after.Status)).
		Set(expression.Name(attrQueue), expression.Value(queue)).
		Set(expression.Name(attrGSI2PK), expression.Value(queueKey(c.Site, queue))).
		Set(expression.Name(attrGSI2SK), expression.Value(queueSK(after.Queued, c.ID))).
		Set(expression.Name("queued"), expression.Value(after.Queued.UnixMilli())).
		Remove(expression.Name("op")).Remove(expression.Name("opname"))
	items, msgs, err := s.conversationChange(c, &after, upd, lines)
	if err != nil {
		return nil, err
	}
	if err := s.transact(ctx, "queue conversation", items, errChanged); err != nil {
		return nil, err
	}
	return &Transition{Before: c, Conversation: &after, Messages: msgs}, nil
}

// conversationChange returns the transaction items that apply upd to c,
// conditional on c's sequence, status and queue being as read, and append
// lines as the next messages; after gets the new sequence and times.
func (s *Store) conversationChange(c, after *livehelp.Conversation, upd expression.UpdateBuilder, lines []livehelp.Message) ([]types.TransactWriteItem, []livehelp.Message, error) {
	return s.changeItems(c, after, upd, nil, lines)
}

// transact runs a transaction. When items fail their condition it returns
// the error given for the first failed item's index (items past the given
// errors are reported as errChanged); other conflicts come back ECONFLICT.
func (s *Store) transact(ctx context.Context, op string, items []types.TransactWriteItem, byIndex ...error) error {
	_, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	if err == nil {
		return nil
	}
	for i, failed := range cancelled(err) {
		if failed {
			if i < len(byIndex) {
				return byIndex[i]
			}
			return errChanged
		}
	}
	return translate(op, err)
}

// Close closes a queued or assigned conversation on behalf of operator op
// (named name) in one TransactWriteItems: the conversation leaves the queue
// or the operator's list, a system line records who closed it, and the
// assigned operator's slot is freed (load − 1, conditional on load > 0).
// When operator messages are unread and no unread-reply email is pending,
// one is scheduled due now (the mailer sends what the visitor has not read,
// if they left an email). check runs on every fresh read and may refuse.
// It returns ECONFLICT for a conversation already closed.
func (s *Store) Close(ctx context.Context, c *livehelp.Conversation, op, name string, check func(*livehelp.Conversation) error) (*Transition, error) {
	free := true
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
		t.Data["reason"] = "closed" // the mailer's MailClosed
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
