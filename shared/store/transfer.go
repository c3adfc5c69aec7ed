package store

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// TransferRequest is an operator handing the conversation they have to
// another operator or to a group.
type TransferRequest struct {
	From, FromName string
	To             string // an operator of the site, or
	Group          string // a group of the site: its first available member gets it
	Comment        string // for the receiver (livehelp.CleanComment)
	Force          bool   // transfer anyway to an unavailable target
	ReassignAfter  time.Duration
}

// Transfer hands a conversation assigned to r.From to r.To, or to the first
// available member of r.Group (livehelp.TransferOrder), in one
// TransactWriteItems: r.From's slot is freed (conditional as Close does),
// the receiver's is taken with routing's conditional counter (online,
// fresh, a free slot), the conversation moves to the receiver's list
// keeping who sent it, when, and the comment, a system line records the
// transfer, a TimerSweep timer is put at now + r.ReassignAfter for the
// reassignment, and unread operator messages are emailed now (MailNotice,
// reason transferred). An unavailable target is refused with ECONFLICT
// (fields "target": away, offline or busy) unless r.Force: then the slot
// is counted whatever the receiver's state and load, and an operator who
// never came online gets a presence entry. It returns ENOTFOUND for an
// operator or group not of the site, EINVALID for a transfer to oneself or
// a group with nobody else, EFORBIDDEN or ECONFLICT when r.From does not
// have the conversation. The pending transfer comes back with the change.
func (s *Store) Transfer(ctx context.Context, c *livehelp.Conversation, r TransferRequest) (*Transition, *livehelp.Transfer, error) {
	tg, err := s.transferTarget(ctx, c, r)
	if err != nil {
		return nil, nil, err
	}
	for attempt := 1; ; attempt++ {
		switch {
		case c.Status != livehelp.StatusAssigned:
			return nil, nil, livehelp.Errorf(livehelp.ECONFLICT, "Only a conversation you have can be transferred; this one is %s.", c.Phase())
		case c.Operator != r.From:
			return nil, nil, livehelp.Errorf(livehelp.EFORBIDDEN, "This conversation is assigned to another operator.")
		}
		site, err := s.Site(ctx, c.Site, true)
		if err != nil {
			return nil, nil, err
		}
		now := s.now().UTC().Truncate(time.Millisecond)
		op, mode, err := tg.pick(site, now, r.Force)
		if err != nil {
			return nil, nil, err
		}
		items, t, x, err := s.transferItems(ctx, c, r, tg, site, op, mode, now)
		if err != nil {
			return nil, nil, err
		}
		err = s.transact(ctx, "transfer conversation", items, errNoSlot, errChanged)
		switch {
		case err == nil:
			t.Online = onlineOperators(site, now)
			s.armWatch(ctx, site)
			return t, x, nil
		case attempt == maxAttempts:
			return nil, nil, err
		case errors.Is(err, errNoSlot):
			continue // an entry changed meanwhile: read the site again
		case errors.Is(err, errChanged):
			if c, err = s.Conversation(ctx, c.ID); err != nil {
				return nil, nil, err
			}
		case livehelp.IsCode(err, livehelp.ECONFLICT):
			backoff(attempt)
		default:
			return nil, nil, err
		}
	}
}

// target is who a transfer may go to: one operator, or a group's members.
type target struct {
	group     *livehelp.Group
	operators map[string]*livehelp.Operator // read on demand, by id
	members   []string
	from      string
	slots     int // the site's default slots
}

// transferTarget checks r's target against the site.
func (s *Store) transferTarget(ctx context.Context, c *livehelp.Conversation, r TransferRequest) (*target, error) {
	tg := &target{operators: map[string]*livehelp.Operator{}, from: r.From}
	switch {
	case (r.To == "") == (r.Group == ""):
		return nil, livehelp.Invalid("Choose who gets the conversation.", map[string]string{"operator": "Choose an operator or a group."})
	case r.To == r.From:
		return nil, livehelp.Invalid("Choose who gets the conversation.", map[string]string{"operator": "Choose another operator."})
	case r.To != "":
		op, err := s.Operator(ctx, r.To)
		if livehelp.IsCode(err, livehelp.ENOTFOUND) || (err == nil && op.Site != c.Site) {
			return nil, livehelp.Errorf(livehelp.ENOTFOUND, "Operator not found.")
		}
		if err != nil {
			return nil, err
		}
		tg.operators[op.ID], tg.members = op, []string{op.ID}
	default:
		g, err := s.Group(ctx, c.Site, r.Group)
		if err != nil {
			return nil, err
		}
		tg.group = g
		for _, m := range g.Members {
			if m != r.From {
				tg.members = append(tg.members, m)
			}
		}
		if len(tg.members) == 0 {
			return nil, livehelp.Invalid("Choose who gets the conversation.", map[string]string{"group": "Nobody else is in this group."})
		}
	}
	return tg, nil
}

// pick chooses the receiver on a fresh read of the site and how their slot
// is taken; without force an unavailable target is ECONFLICT.
func (tg *target) pick(site *livehelp.Site, now time.Time, force bool) (string, slotMode, error) {
	order, available := livehelp.TransferOrder(site.Presence, tg.members, tg.from, now)
	if available > 0 {
		return order[0], slotRouted, nil
	}
	if force && len(order) > 0 {
		return order[0], slotForced, nil
	}
	if tg.group != nil {
		return "", 0, &livehelp.Error{Code: livehelp.ECONFLICT, Fields: map[string]string{"target": "nobody"},
			Message: "Nobody in " + tg.group.Name + " is available right now. Transfer anyway?"}
	}
	op := tg.members[0]
	p, ok := site.Presence[op]
	why := livehelp.PresenceOffline
	if ok {
		why = p.Unavailable(now)
	}
	name := tg.operators[op].Name
	text := map[string]string{livehelp.PresenceAway: "is away", livehelp.PresenceOffline: "is offline", "busy": "has no free slot"}[why]
	return "", 0, &livehelp.Error{Code: livehelp.ECONFLICT, Fields: map[string]string{"target": why},
		Message: name + " " + text + " right now. Transfer anyway?"}
}

// transferItems builds Transfer's transaction: the slots (the sender's
// freed, the receiver's taken), the conversation's change, its line, the
// deadline timer, the email notice.
func (s *Store) transferItems(ctx context.Context, c *livehelp.Conversation, r TransferRequest, tg *target, site *livehelp.Site,
	op string, mode slotMode, now time.Time) ([]types.TransactWriteItem, *Transition, *livehelp.Transfer, error) {
	name := site.Presence[op].Name
	sl := slots{take: op, mode: mode}
	if holds(site, r.From) {
		sl.free = r.From
	}
	if _, ok := site.Presence[op]; !ok && mode == slotForced { // transfer anyway to an operator who never came online
		o, err := s.operator(ctx, tg, op)
		if err != nil {
			return nil, nil, nil, err
		}
		name, sl.entry = o.Name, newEntry(o.Name, o.SlotsOr(site.Slots), now)
	}
	slot, err := sl.item(s, c.Site, now)
	if err != nil {
		return nil, nil, nil, err
	}
	x := &livehelp.Transfer{From: r.From, FromName: r.FromName, To: op, ToName: name, Comment: r.Comment,
		At: now, Deadline: now.Add(r.ReassignAfter), Seq: c.Seq + 1}
	if tg.group != nil {
		x.Group, x.GroupName = tg.group.ID, tg.group.Name
	}
	after := *c
	after.Operator, after.OperatorName, after.Assigned = op, name, now
	upd := expression.Set(expression.Name("op"), expression.Value(op)).Set(expression.Name("opname"), expression.Value(name)).
		Set(expression.Name(attrGSI2PK), expression.Value(operatorConvsKey(op))).
		Set(expression.Name(attrGSI2SK), expression.Value(convTimeSK(now, c.ID))).
		Set(expression.Name("assigned"), expression.Value(now.UnixMilli())).
		Set(expression.Name("xfer_seq"), expression.Value(x.Seq)).
		Set(expression.Name("xfer_from"), expression.Value(x.From)).
		Set(expression.Name("xfer_fromname"), expression.Value(x.FromName)).
		Set(expression.Name("xfer_to"), expression.Value(op)).
		Set(expression.Name("xfer_group"), expression.Value(x.Group)).
		Set(expression.Name("xfer_groupname"), expression.Value(x.GroupName)).
		Set(expression.Name("xfer_note"), expression.Value(x.Comment)).
		Set(expression.Name("xfer_at"), expression.Value(now.UnixMilli())).
		Set(expression.Name("xfer_due"), expression.Value(x.Deadline.UnixMilli())).
		Remove(expression.Name("xfer_ok"))
	var extra *expression.ConditionBuilder
	n := s.MailNotice(c, MailTransferred, now)
	if !n.Due.IsZero() {
		upd, extra, after.MailDue = n.Update(upd), &n.Condition, n.Due
	}
	line := livehelp.TransferMessage(r.From, r.FromName, name, x.GroupName)
	items, msgs, err := s.changeItems(c, &after, upd, extra, []livehelp.Message{line})
	if err != nil {
		return nil, nil, nil, err
	}
	items = append([]types.TransactWriteItem{slot}, items...)
	items = append(items, types.TransactWriteItem{Put: s.putTimer(transferTimer(c, x.Deadline, x.Seq))})
	items = append(items, n.Items...)
	return items, &Transition{Before: c, Conversation: &after, Messages: msgs}, x, nil
}

// operator returns a member of tg, read once.
func (s *Store) operator(ctx context.Context, tg *target, id string) (*livehelp.Operator, error) {
	if o, ok := tg.operators[id]; ok {
		return o, nil
	}
	o, err := s.Operator(ctx, id)
	if err != nil {
		return nil, err
	}
	tg.operators[id] = o
	return o, nil
}

// AcceptTransfer records that op, who received conversation id by a
// transfer, handles it: the reassignment deadline no longer applies (its
// timer is deleted in the same TransactWriteItems). It returns ECONFLICT
// when no transfer to op waits to be handled.
func (s *Store) AcceptTransfer(ctx context.Context, id, op string) (*Detail, error) {
	d, err := s.Detail(ctx, id)
	if err != nil {
		return nil, err
	}
	x := d.Transfer
	if x == nil || x.To != op {
		return nil, livehelp.Errorf(livehelp.ECONFLICT, "No transfer of this conversation waits for you.")
	}
	cond := expression.Name("xfer_seq").Equal(expression.Value(x.Seq)).
		And(expression.Name("op").Equal(expression.Value(op))).
		And(expression.Name(attrStatus).Equal(expression.Value(livehelp.StatusAssigned)))
	expr, err := expression.NewBuilder().WithCondition(cond).
		WithUpdate(expression.Set(expression.Name("xfer_ok"), expression.Value(true))).Build()
	if err != nil {
		return nil, err
	}
	items := []types.TransactWriteItem{{Update: &types.Update{TableName: tableName(s), Key: key(convKey(id), skConv),
		UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values()}},
		s.deleteTimerItem(transferTimer(d.Conversation, x.Deadline, x.Seq))}
	if err := s.transact(ctx, "accept transfer", items); err != nil {
		if errors.Is(err, errChanged) {
			return nil, livehelp.Errorf(livehelp.ECONFLICT, "The conversation changed; try again.")
		}
		return nil, err
	}
	d.Transfer = nil
	return d, nil
}
