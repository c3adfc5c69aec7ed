package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// maxAttempts bounds the optimistic retries of a conversation state change
// that lost a race; appendAttempts those of a message, which races more
// (every device of both sides writes to the same counter).
const (
	maxAttempts    = 8
	appendAttempts = 20
)

// clientIDLife is how long a client id is remembered; retries come within
// seconds, the margin is for clients that resend after a long sleep.
const clientIDLife = 30 * 24 * time.Hour

type messageItem struct {
	PK     string `dynamodbav:"PK"`
	SK     string `dynamodbav:"SK"`
	Seq    int64  `dynamodbav:"seq"`
	CID    string `dynamodbav:"cid,omitempty"`
	Author string `dynamodbav:"by"`
	Op     string `dynamodbav:"op,omitempty"`
	OpName string `dynamodbav:"opname,omitempty"`
	Text   string `dynamodbav:"text"`
	Event  string `dynamodbav:"ev,omitempty"`
	TS     int64  `dynamodbav:"ts"`
}

// clientIDItem reserves a sender's client id in a conversation and remembers
// which message it produced.
type clientIDItem struct {
	PK  string `dynamodbav:"PK"`
	SK  string `dynamodbav:"SK"`
	Seq int64  `dynamodbav:"seq"`
	TS  int64  `dynamodbav:"ts"`
	TTL int64  `dynamodbav:"ttl"`
}

func (it *messageItem) message() livehelp.Message {
	return livehelp.Message{Seq: it.Seq, ClientID: it.CID, Author: it.Author, Operator: it.Op, OperatorName: it.OpName,
		Text: it.Text, Event: it.Event, Time: msTime(it.TS)}
}

// putMessage returns the Put that stores m in conversation conv, for a
// transaction; it fails if the sequence number is taken.
func (s *Store) putMessage(conv string, m livehelp.Message) types.TransactWriteItem {
	it := messageItem{PK: convKey(conv), SK: messageSK(m.Seq), Seq: m.Seq, CID: m.ClientID, Author: m.Author,
		Op: m.Operator, OpName: m.OperatorName, Text: m.Text, Event: m.Event, TS: m.Time.UnixMilli()}
	return s.putNew(marshal(it))
}

// putNew returns a Put of item, for a transaction, that fails when the key
// is taken.
func (s *Store) putNew(item map[string]types.AttributeValue) types.TransactWriteItem {
	expr, _ := expression.NewBuilder().WithCondition(expression.AttributeNotExists(expression.Name(attrPK))).Build() // cannot fail
	return types.TransactWriteItem{Put: &types.Put{TableName: tableName(s), Item: item,
		ConditionExpression: expr.Condition(), ExpressionAttributeNames: expr.Names()}}
}

// Append describes a message to store with AppendMessage.
type Append struct {
	// Message holds Author, ClientID, Text and, for operators, Operator and
	// OperatorName; Seq and Time are set by the store.
	Message livehelp.Message
	// Sender is the visitor or operator id: client ids are unique per sender
	// and conversation.
	Sender string
	// MailDelay, for operator messages, schedules the unread-reply email
	// (a TimerMail, Ref "unread#<conversation>") this long after the
	// message when none is pending, in the same transaction.
	MailDelay time.Duration
	// Check, when set, is run on the conversation before every attempt,
	// including after a fresh read; its error aborts the append.
	Check func(*livehelp.Conversation) error
}

// AppendMessage stores a message as the next of conversation c in one
// TransactWriteItems: the conversation's sequence moves from c.Seq to
// c.Seq+1 (conditionally), the message is put under that number and the
// sender's client id is reserved. When the client id was used before,
// nothing is written and the earlier message's Seq and Time come back with
// duplicate set. When another write took the number first, the
// conversation is read again (consistently) and the append retried, up to
// appendAttempts times. c is not modified.
func (s *Store) AppendMessage(ctx context.Context, c *livehelp.Conversation, a Append) (m livehelp.Message, duplicate bool, err error) {
	for attempt := 1; ; attempt++ {
		if a.Check != nil {
			if err := a.Check(c); err != nil {
				return m, false, err
			}
		}
		m = a.Message
		m.Seq, m.Time = c.Seq+1, s.now().UTC().Truncate(time.Millisecond)
		_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: s.appendItems(c, a, m)})
		if err == nil {
			return m, false, nil
		}
		failed := cancelled(err)
		if len(failed) > 2 && failed[2] {
			return s.clientIDMessage(ctx, c.ID, a)
		}
		if !livehelp.IsCode(translate("", err), livehelp.ECONFLICT) {
			return m, false, translate("append message", err)
		}
		if attempt == appendAttempts {
			return m, false, fmt.Errorf("store: append message after %d attempts: %w", attempt, translate("", err))
		}
		backoff(attempt)
		if c, err = s.Conversation(ctx, c.ID); err != nil {
			return m, false, err
		}
	}
}

// appendItems builds the transaction of AppendMessage.
func (s *Store) appendItems(c *livehelp.Conversation, a Append, m livehelp.Message) []types.TransactWriteItem {
	upd := expression.Set(expression.Name(attrSeq), expression.Value(m.Seq)).
		Set(expression.Name("updated"), expression.Value(m.Time.UnixMilli()))
	cond := expression.Name(attrSeq).Equal(expression.Value(c.Seq))
	var timer *types.Put
	if m.Author == livehelp.AuthorOperator {
		upd = upd.Set(expression.Name("lastop"), expression.Value(m.Seq))
		switch {
		case a.MailDelay > 0 && c.MailDue.IsZero():
			t := unreadTimer(c, m.Time.Add(a.MailDelay))
			upd = upd.Set(expression.Name(attrMailDue), expression.Value(t.Due.UnixMilli()))
			cond = cond.And(mailDueIs(0))
			timer = s.putTimer(t)
		case a.MailDelay > 0:
			// An email is pending and will carry this message too — unless the
			// mailer finishes it meanwhile: then this write fails, the caller
			// re-reads the conversation and schedules a new one.
			cond = cond.And(mailDueIs(c.MailDue.UnixMilli()))
		}
	}
	expr, _ := expression.NewBuilder().WithUpdate(upd).WithCondition(cond).Build() // names and values only: cannot fail
	cid := clientIDItem{PK: convKey(c.ID), SK: senderClientIDSK(a.Sender, m.ClientID), Seq: m.Seq, TS: m.Time.UnixMilli(),
		TTL: m.Time.Add(clientIDLife).Unix()}
	items := []types.TransactWriteItem{
		{Update: &types.Update{TableName: tableName(s), Key: key(convKey(c.ID), skConv),
			UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
			ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values()}},
		s.putMessage(c.ID, m),
		s.putNew(marshal(cid)),
	}
	if timer != nil {
		items = append(items, types.TransactWriteItem{Put: timer})
	}
	return items
}

// unreadTimer is the mailer's timer for a conversation's unread replies.
func unreadTimer(c *livehelp.Conversation, due time.Time) Timer {
	return Timer{Kind: TimerMail, Due: due, Ref: "unread#" + c.ID, Data: map[string]string{"conv": c.ID, "site": c.Site}}
}

// mailDueIs conditions on the conversation's pending email time (0: none).
func mailDueIs(ms int64) expression.ConditionBuilder {
	is := expression.Name(attrMailDue).Equal(expression.Value(ms))
	if ms == 0 {
		return expression.Or(expression.AttributeNotExists(expression.Name(attrMailDue)), is)
	}
	return is
}

// clientIDMessage returns the message an already used client id produced.
func (s *Store) clientIDMessage(ctx context.Context, conv string, a Append) (livehelp.Message, bool, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: tableName(s),
		Key: key(convKey(conv), senderClientIDSK(a.Sender, a.Message.ClientID)), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return livehelp.Message{}, false, translate("get client id", err)
	}
	var it clientIDItem
	if out.Item == nil || unmarshal(out.Item, &it) != nil {
		return livehelp.Message{}, false, translate("get client id", errors.New("client id vanished"))
	}
	m := a.Message
	m.Seq, m.Time = it.Seq, msTime(it.TS)
	return m, true, nil
}

// Messages returns a page of a conversation's history in sequence order and
// whether more messages lie beyond it (after the page for p.After, before it
// otherwise). One strongly consistent Query, so a client that reconnects
// gets every message stored before it asked: no gaps, no duplicates.
func (s *Store) Messages(ctx context.Context, conv string, p livehelp.Page) ([]livehelp.Message, bool, error) {
	p, err := p.Check()
	if err != nil {
		return nil, false, err
	}
	pk := expression.Key(attrPK).Equal(expression.Value(convKey(conv)))
	var kc expression.KeyConditionBuilder
	forward := false
	switch {
	case p.After > 0:
		forward = true
		kc = pk.And(expression.Key(attrSK).Between(expression.Value(messageSK(p.After+1)), expression.Value(messageSK(999999999999))))
	case p.Before > 0:
		if p.Before == 1 {
			return nil, false, nil
		}
		kc = pk.And(expression.Key(attrSK).Between(expression.Value(messageSK(1)), expression.Value(messageSK(p.Before-1))))
	default:
		kc = pk.And(expression.Key(attrSK).BeginsWith("MSG#"))
	}
	expr, err := expression.NewBuilder().WithKeyCondition(kc).Build()
	if err != nil {
		return nil, false, err
	}
	out, err := s.db.Query(ctx, &dynamodb.QueryInput{TableName: tableName(s), KeyConditionExpression: expr.KeyCondition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
		ScanIndexForward: aws.Bool(forward), Limit: aws.Int32(int32(p.Limit + 1)), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, false, translate("query messages", err)
	}
	more := len(out.Items) > p.Limit
	if more {
		out.Items = out.Items[:p.Limit]
	}
	msgs := make([]livehelp.Message, len(out.Items))
	for i, item := range out.Items {
		var it messageItem
		if err := unmarshal(item, &it); err != nil {
			return nil, false, translate("decode message", err)
		}
		if forward {
			msgs[i] = it.message()
		} else {
			msgs[len(msgs)-1-i] = it.message()
		}
	}
	return msgs, more, nil
}

// backoff sleeps a little before retry attempt+1: 5 ms doubling, jittered.
func backoff(attempt int) {
	d := 5 * time.Millisecond << min(attempt-1, 5)
	time.Sleep(d/2 + time.Duration(rand.Int64N(int64(d))))
}
