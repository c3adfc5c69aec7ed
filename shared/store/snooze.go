package store

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// workItem holds what snooze and transfer keep on a conversation item,
// beside the attributes conversationItem reads.
type workItem struct {
	Assigned      int64  `dynamodbav:"assigned"`
	SnzUntil      int64  `dynamodbav:"snz_until"`
	SnzKeep       bool   `dynamodbav:"snz_keep"`
	SnzBy         string `dynamodbav:"snz_by"`
	SnzByName     string `dynamodbav:"snz_byname"`
	SnzAt         int64  `dynamodbav:"snz_at"`
	XferSeq       int64  `dynamodbav:"xfer_seq"`
	XferFrom      string `dynamodbav:"xfer_from"`
	XferFromName  string `dynamodbav:"xfer_fromname"`
	XferTo        string `dynamodbav:"xfer_to"`
	XferGroup     string `dynamodbav:"xfer_group"`
	XferGroupName string `dynamodbav:"xfer_groupname"`
	XferNote      string `dynamodbav:"xfer_note"`
	XferAt        int64  `dynamodbav:"xfer_at"`
	XferDue       int64  `dynamodbav:"xfer_due"`
	XferOK        bool   `dynamodbav:"xfer_ok"`
}

// Detail is a conversation with its snooze (while snoozed) and the
// transfer its operator has not handled yet (accepted or replied), if any.
type Detail struct {
	Conversation *livehelp.Conversation
	Snooze       *livehelp.Snooze
	Transfer     *livehelp.Transfer
}

// Detail reads a conversation with its snooze and pending transfer (one
// strongly consistent GetItem). It returns ENOTFOUND for an unknown id.
func (s *Store) Detail(ctx context.Context, id string) (*Detail, error) {
	if id == "" || len(id) > 64 {
		return nil, notFound("Conversation")
	}
	item, err := s.getItem(ctx, key(convKey(id), skConv), true, "Conversation")
	if err != nil {
		return nil, err
	}
	return decodeDetail(item)
}

func decodeDetail(m map[string]types.AttributeValue) (*Detail, error) {
	c, err := decodeConversation(m)
	if err != nil {
		return nil, err
	}
	var w workItem
	if err := unmarshal(m, &w); err != nil {
		return nil, translate("decode conversation", err)
	}
	d := &Detail{Conversation: c}
	if c.Status == livehelp.StatusSnoozed && w.SnzUntil > 0 {
		d.Snooze = &livehelp.Snooze{Until: msTime(w.SnzUntil), Keep: w.SnzKeep, By: w.SnzBy, ByName: w.SnzByName, At: msTime(w.SnzAt)}
	}
	// A transfer waits while its receiver still has the conversation from
	// that very assignment (an assignment since, e.g. a close and unclose,
	// has another time: each is its own transaction after the last), has
	// not accepted it and has not written since.
	if c.Status == livehelp.StatusAssigned && w.XferSeq > 0 && w.XferTo == c.Operator && w.Assigned == w.XferAt &&
		!w.XferOK && c.LastOperatorSeq <= w.XferSeq {
		d.Transfer = &livehelp.Transfer{From: w.XferFrom, FromName: w.XferFromName, To: w.XferTo, ToName: c.OperatorName,
			Group: w.XferGroup, GroupName: w.XferGroupName, Comment: w.XferNote, At: msTime(w.XferAt),
			Deadline: msTime(w.XferDue), Seq: w.XferSeq}
	}
	return d, nil
}

// SnoozeRequest is an operator snoozing the conversation they have.
type SnoozeRequest struct {
	Operator, Name string
	Until          time.Time      // when it wakes (see livehelp.SnoozeChoice)
	Zone           *time.Location // the operator's, for the system line
	Keep           bool           // the operator keeps it when it wakes, if available then
}

// Snooze parks a conversation assigned to r.Operator until r.Until, in one
// TransactWriteItems: the operator's slot is freed (load − 1, conditional
// as Close does), the conversation leaves their list for the site's
// snoozed list (GSI2) keeping who snoozed it, a system line records it, a
// TimerSweep timer is put for the wake-up, and, when operator messages are
// unread, their email is scheduled now (MailNotice, reason snoozed). It
// returns EFORBIDDEN for a conversation assigned to someone else, ECONFLICT
// for one not assigned, EINVALID for a time not in the future.
func (s *Store) Snooze(ctx context.Context, c *livehelp.Conversation, r SnoozeRequest) (*Transition, error) {
	free := true
	for attempt := 1; ; attempt++ {
		switch {
		case c.Status != livehelp.StatusAssigned:
			return nil, livehelp.Errorf(livehelp.ECONFLICT, "Only a conversation you have can be snoozed; this one is %s.", c.Phase())
		case c.Operator != r.Operator:
			return nil, livehelp.Errorf(livehelp.EFORBIDDEN, "This conversation is assigned to another operator.")
		case !r.Until.After(s.now()):
			return nil, livehelp.Invalid("Choose when the snooze ends.", map[string]string{"until": "Choose a time in the future."})
		}
		items, t, err := s.snoozeItems(c, r, free)
		if err != nil {
			return nil, err
		}
		byIndex := []error{errChanged}
		if free {
			byIndex = []error{errNoSlot, errChanged}
		}
		err = s.transact(ctx, "snooze conversation", items, byIndex...)
		switch {
		case err == nil:
			return t, nil
		case attempt == maxAttempts:
			return nil, err
		case errors.Is(err, errNoSlot):
			free = false // the entry is gone or at 0: snooze without freeing
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

func (s *Store) snoozeItems(c *livehelp.Conversation, r SnoozeRequest, free bool) ([]types.TransactWriteItem, *Transition, error) {
	now := s.now().UTC().Truncate(time.Millisecond)
	until := r.Until.UTC().Truncate(time.Millisecond)
	after := *c
	after.Status, after.Queue, after.Operator, after.OperatorName = livehelp.StatusSnoozed, "", "", ""
	upd := expression.Set(expression.Name(attrStatus), expression.Value(livehelp.StatusSnoozed)).
		Set(expression.Name(attrGSI2PK), expression.Value(snoozedKey(c.Site))).
		Set(expression.Name(attrGSI2SK), expression.Value(snoozedSK(until, c.ID))).
		Set(expression.Name("snz_until"), expression.Value(until.UnixMilli())).
		Set(expression.Name("snz_keep"), expression.Value(r.Keep)).
		Set(expression.Name("snz_by"), expression.Value(r.Operator)).
		Set(expression.Name("snz_byname"), expression.Value(r.Name)).
		Set(expression.Name("snz_at"), expression.Value(now.UnixMilli())).
		Remove(expression.Name("op")).Remove(expression.Name("opname")).Remove(expression.Name(attrQueue))
	upd = removeAttrs(upd, transferAttrs)
	var extra *expression.ConditionBuilder
	n := s.MailNotice(c, MailSnoozed, now)
	if !n.Due.IsZero() {
		upd, extra, after.MailDue = n.Update(upd), &n.Condition, n.Due
	}
	line := livehelp.SnoozeMessage(r.Operator, r.Name, until, r.Zone, r.Keep)
	items, msgs, err := s.changeItems(c, &after, upd, extra, []livehelp.Message{line})
	if err != nil {
		return nil, nil, err
	}
	items = append(items, types.TransactWriteItem{Put: s.putTimer(snoozeTimer(c, until))})
	items = append(items, n.Items...)
	if free {
		slot, err := slots{free: c.Operator}.item(s, c.Site, now)
		if err != nil {
			return nil, nil, err
		}
		items = append([]types.TransactWriteItem{slot}, items...)
	}
	return items, &Transition{Before: c, Conversation: &after, Messages: msgs}, nil
}

// SnoozedConversation is one entry of a site's snoozed list.
type SnoozedConversation struct {
	Conversation *livehelp.Conversation
	Snooze       livehelp.Snooze
}

// Snoozed lists up to limit snoozed conversations of a site, the next to
// wake first: one Query on GSI2 (eventually consistent; entries the index
// has not caught up with are left out).
func (s *Store) Snoozed(ctx context.Context, site string, limit int) ([]SnoozedConversation, error) {
	expr, err := expression.NewBuilder().WithKeyCondition(expression.Key(attrGSI2PK).Equal(expression.Value(snoozedKey(site)))).Build()
	if err != nil {
		return nil, err
	}
	in := &dynamodb.QueryInput{TableName: tableName(s), IndexName: aws.String(indexGSI2),
		KeyConditionExpression: expr.KeyCondition(), ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values()}
	if limit > 0 {
		in.Limit = aws.Int32(int32(limit))
	}
	out := []SnoozedConversation{}
	p := dynamodb.NewQueryPaginator(s.db, in)
	for p.HasMorePages() && (limit <= 0 || len(out) < limit) {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, translate("query snoozed", err)
		}
		for _, m := range page.Items {
			d, err := decodeDetail(m)
			if err != nil {
				return nil, err
			}
			if d.Snooze != nil {
				out = append(out, SnoozedConversation{Conversation: d.Conversation, Snooze: *d.Snooze})
			}
		}
	}
	return out, nil
}
