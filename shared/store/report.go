package store

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// statsItem holds one site's counts for one UTC day.
type statsItem struct {
	PK       string  `dynamodbav:"PK"`
	SK       string  `dynamodbav:"SK"`
	Chats    int     `dynamodbav:"chats"`
	Messages int     `dynamodbav:"messages"`
	Replies  []int64 `dynamodbav:"first_replies"` // seconds to each chat's first operator reply
}

// DayStats are one day's figures of a site.
type DayStats struct {
	Day            time.Time // midnight UTC
	Chats          int
	Messages       int
	FirstResponses []time.Duration
}

// maxFirstResponses bounds the samples kept per day so the item stays far
// below DynamoDB's 400 KB; a median over the first ones is still honest.
const maxFirstResponses = 20000

// statsUpdate returns the Update that adds n to a counter of site's day.
func (s *Store) statsUpdate(site string, at time.Time, counter string, n int) (*types.Update, error) {
	expr, err := expression.NewBuilder().WithUpdate(expression.Add(expression.Name(counter), expression.Value(n))).Build()
	if err != nil {
		return nil, err
	}
	return &types.Update{TableName: tableName(s), Key: key(statsKey(site), statsDaySK(at)), UpdateExpression: expr.Update(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values()}, nil
}

// RecordChat counts a new chat of site on the day of at. The chat function
// calls it when it creates a conversation.
func (s *Store) RecordChat(ctx context.Context, site string, at time.Time) error {
	u, err := s.statsUpdate(site, at, "chats", 1)
	if err != nil {
		return err
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: u.TableName, Key: u.Key, UpdateExpression: u.UpdateExpression,
		ExpressionAttributeNames: u.ExpressionAttributeNames, ExpressionAttributeValues: u.ExpressionAttributeValues})
	return translate("record chat", err)
}

// RecordFirstResponse keeps how long the visitor of a chat that started on
// the day of started waited for the first operator reply. The chat function
// calls it once per conversation, when an operator first answers.
func (s *Store) RecordFirstResponse(ctx context.Context, site string, started time.Time, wait time.Duration) error {
	if wait < 0 {
		wait = 0
	}
	sample := &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberN{Value: strconv.FormatInt(int64(wait/time.Second), 10)}}}
	name := expression.Name("first_replies")
	upd := expression.Set(name, expression.ListAppend(expression.IfNotExists(name, expression.Value(&types.AttributeValueMemberL{Value: []types.AttributeValue{}})), expression.Value(sample)))
	cond := expression.Or(expression.AttributeNotExists(name), expression.Size(name).LessThan(expression.Value(maxFirstResponses)))
	expr, err := expression.NewBuilder().WithUpdate(upd).WithCondition(cond).Build()
	if err != nil {
		return err
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: tableName(s), Key: key(statsKey(site), statsDaySK(started)),
		UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(), ExpressionAttributeNames: expr.Names(),
		ExpressionAttributeValues: expr.Values()})
	if livehelp.IsCode(translate("", err), livehelp.ECONFLICT) {
		return nil // the day has enough samples
	}
	return translate("record first response", err)
}

// Stats returns a site's figures for every day from from to to (UTC days,
// both included, at most 366), days without activity included as zeros.
// One Query of the site's statistics partition.
func (s *Store) Stats(ctx context.Context, site string, from, to time.Time) ([]DayStats, error) {
	from, to = day(from), day(to)
	if to.Before(from) || to.Sub(from) > 366*24*time.Hour {
		return nil, livehelp.Invalid("Choose a range of at most a year.", map[string]string{"from": "Choose a start before the end, at most a year apart."})
	}
	kc := expression.Key(attrPK).Equal(expression.Value(statsKey(site))).
		And(expression.Key(attrSK).Between(expression.Value(statsDaySK(from)), expression.Value(statsDaySK(to))))
	expr, err := expression.NewBuilder().WithKeyCondition(kc).Build()
	if err != nil {
		return nil, err
	}
	found := map[string]statsItem{}
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{TableName: tableName(s), KeyConditionExpression: expr.KeyCondition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values()})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, translate("query stats", err)
		}
		for _, m := range page.Items {
			var it statsItem
			if err := unmarshal(m, &it); err != nil {
				return nil, translate("decode stats", err)
			}
			found[it.SK] = it
		}
	}
	var out []DayStats
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		it := found[statsDaySK(d)]
		ds := DayStats{Day: d, Chats: it.Chats, Messages: it.Messages}
		for _, r := range it.Replies {
			ds.FirstResponses = append(ds.FirstResponses, time.Duration(r)*time.Second)
		}
		out = append(out, ds)
	}
	return out, nil
}

// MedianFirstResponse returns the median of every first response in days,
// and how many there were.
func MedianFirstResponse(days []DayStats) (time.Duration, int) {
	var all []time.Duration
	for _, d := range days {
		all = append(all, d.FirstResponses...)
	}
	if len(all) == 0 {
		return 0, 0
	}
	slices.Sort(all)
	n := len(all)
	if n%2 == 1 {
		return all[n/2], n
	}
	return (all[n/2-1] + all[n/2]) / 2, n
}

func day(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}
