package store

import (
	"context"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Timer kinds. Each kind is read by one scheduled function.
const (
	TimerSweep = "sweep" // snooze ends, transfer deadlines: read by the sweep function
	TimerMail  = "mail"  // unread-reply emails and notices: read by the mailer function
)

// Timer is a piece of scheduled work, due at a time, kept in a per-day
// bucket so finding due work is a Query, never a Scan.
type Timer struct {
	Kind string
	Due  time.Time
	Ref  string            // what it is about, e.g. "snooze#<conv>"; unique per kind and due time
	Data map[string]string // small payload for the worker
}

type timerItem struct {
	PK   string            `dynamodbav:"PK"`
	SK   string            `dynamodbav:"SK"`
	Ref  string            `dynamodbav:"ref"`
	Due  int64             `dynamodbav:"due"`
	Data map[string]string `dynamodbav:"data,omitempty"`
	TTL  int64             `dynamodbav:"ttl"`
}

func (t Timer) key() map[string]types.AttributeValue {
	return key(dueKey(t.Kind, t.Due), dueSK(t.Due, t.Ref))
}

// PutTimerItem returns the Put that schedules t, for use in a transaction.
func (s *Store) putTimer(t Timer) *types.Put {
	it := timerItem{PK: dueKey(t.Kind, t.Due), SK: dueSK(t.Due, t.Ref), Ref: t.Ref, Due: t.Due.UnixMilli(),
		Data: t.Data, TTL: t.Due.Add(30 * 24 * time.Hour).Unix()}
	return &types.Put{TableName: tableName(s), Item: marshal(it)}
}

// PutTimer schedules t.
func (s *Store) PutTimer(ctx context.Context, t Timer) error {
	p := s.putTimer(t)
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: p.TableName, Item: p.Item})
	return translate("put timer", err)
}

// DueTimers returns up to limit timers of kind due at or before now, oldest
// first. It reads yesterday's and today's buckets: exactly two Queries when
// nothing is due. Work overdue by more than a day would be missed, which a
// scheduled function that runs every minute never leaves behind.
func (s *Store) DueTimers(ctx context.Context, kind string, now time.Time, limit int) ([]Timer, error) {
	var out []Timer
	for _, day := range []time.Time{now.Add(-24 * time.Hour), now} {
		if len(out) >= limit {
			break
		}
		kc := expression.Key(attrPK).Equal(expression.Value(dueKey(kind, day))).
			And(expression.Key(attrSK).LessThan(expression.Value(dueSK(now.Add(time.Millisecond), ""))))
		expr, err := expression.NewBuilder().WithKeyCondition(kc).Build()
		if err != nil {
			return nil, err
		}
		res, err := s.db.Query(ctx, &dynamodb.QueryInput{TableName: tableName(s), KeyConditionExpression: expr.KeyCondition(),
			ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
			Limit: aws.Int32(int32(limit - len(out))), ConsistentRead: aws.Bool(true)})
		if err != nil {
			return nil, translate("query timers", err)
		}
		for _, m := range res.Items {
			var it timerItem
			if err := unmarshal(m, &it); err != nil {
				return nil, translate("decode timer", err)
			}
			out = append(out, Timer{Kind: kind, Due: time.UnixMilli(it.Due).UTC(), Ref: it.Ref, Data: it.Data})
		}
	}
	return out, nil
}

// DeleteTimer removes a timer once its work is done. It returns ECONFLICT if
// another worker already removed it, so only one worker acts on a timer.
func (s *Store) DeleteTimer(ctx context.Context, t Timer) error {
	expr, err := expression.NewBuilder().WithCondition(expression.AttributeExists(expression.Name(attrPK))).Build()
	if err != nil {
		return err
	}
	_, err = s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: tableName(s), Key: t.key(),
		ConditionExpression: expr.Condition(), ExpressionAttributeNames: expr.Names()})
	return translate("delete timer "+strings.ReplaceAll(t.Ref, "\n", ""), err)
}
