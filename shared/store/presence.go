package store

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// PresenceUpdate is what an operator's heartbeat or state change records.
type PresenceUpdate struct {
	Site, Operator string
	Name           string
	Slots          int
	State          string    // online, away or offline
	SeenUntil      time.Time // now + operators list expiration
}

// SetPresence records an operator's presence in the site's summary, keeping
// the operator's load. One UpdateItem when the operator already has an entry;
// the first time, a second one creates it. It returns ENOTFOUND for an
// unknown site.
func (s *Store) SetPresence(ctx context.Context, u PresenceUpdate) error {
	op := opPath(u.Operator)
	upd := expression.Set(opField(u.Operator, "s"), expression.Value(u.State)).
		Set(opField(u.Operator, "u"), expression.Value(u.SeenUntil.UnixMilli())).
		Set(opField(u.Operator, "n"), expression.Value(u.Name)).
		Set(opField(u.Operator, "k"), expression.Value(u.Slots))
	entry := presenceItem{Name: u.Name, State: u.State, SeenUntil: u.SeenUntil.UnixMilli(), Slots: u.Slots, IdleSince: s.now().UnixMilli()}
	create := expression.Set(op, expression.Value(entry))
	createCond := expression.AttributeExists(expression.Name(attrPK)).And(expression.AttributeNotExists(op))
	// A conflict means either a failed condition (the entry or the site is
	// missing) or a routing transaction in flight on the site item: retry
	// both forms a few times, then tell the two apart with one read.
	for attempt := 0; attempt < 6; attempt++ {
		err := s.updateSite(ctx, u.Site, upd, expression.AttributeExists(op))
		if !livehelp.IsCode(err, livehelp.ECONFLICT) {
			return err
		}
		err = s.updateSite(ctx, u.Site, create, createCond)
		if !livehelp.IsCode(err, livehelp.ECONFLICT) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt+1) * 15 * time.Millisecond):
		}
	}
	if _, err := s.Site(ctx, u.Site, true); err != nil {
		return err
	}
	return livehelp.Errorf(livehelp.ECONFLICT, "The site is busy; try again.")
}

func (s *Store) updateSite(ctx context.Context, site string, upd expression.UpdateBuilder, cond expression.ConditionBuilder) error {
	expr, err := expression.NewBuilder().WithUpdate(upd).WithCondition(cond).Build()
	if err != nil {
		return err
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: tableName(s), Key: key(siteKey(site), skSite),
		UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	})
	return translate("update site "+site, err)
}

// opPath is the document path of an operator's presence entry. Operator ids
// are hex (auth.NewID), so they never contain the path separator.
func opPath(op string) expression.NameBuilder { return expression.Name("ops." + op) }

func opField(op, field string) expression.NameBuilder {
	return expression.Name("ops." + op + "." + field)
}
