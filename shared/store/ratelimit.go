package store

import (
	"context"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// Limit is a fixed-window rate limit: at most N hits per Window.
type Limit struct {
	N      int
	Window time.Duration
}

// Allow counts one hit against name (e.g. "offline#ip#203.0.113.9") in the
// current window and returns ERATELIMITED once the window holds more than
// l.N hits. One UpdateItem; counters expire with the window (ttl for garbage
// collection only — the window start is part of the key).
func (s *Store) Allow(ctx context.Context, name string, l Limit) error {
	now := s.now()
	start := now.Truncate(l.Window)
	upd := expression.Add(expression.Name("n"), expression.Value(1)).
		Set(expression.Name(attrTTL), expression.Value(start.Add(l.Window+time.Hour).Unix()))
	expr, err := expression.NewBuilder().WithUpdate(upd).Build()
	if err != nil {
		return err
	}
	out, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: tableName(s), Key: key(rateKey(name), rateSK(start)),
		UpdateExpression: expr.Update(), ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
		ReturnValues: types.ReturnValueUpdatedNew,
	})
	if err != nil {
		return translate("rate limit", err)
	}
	n := 0
	if v, ok := out.Attributes["n"].(*types.AttributeValueMemberN); ok {
		n, _ = strconv.Atoi(v.Value)
	}
	if n > l.N {
		retry := int(start.Add(l.Window).Sub(now).Seconds()) + 1
		return livehelp.Errorf(livehelp.ERATELIMITED, "Too many requests; try again in %d seconds.", retry)
	}
	return nil
}
