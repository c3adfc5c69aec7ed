package store

import (
	"context"
	"errors"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// A site's presence is checked by one TimerSweep timer at a time (Ref
// "presence#<site>"), recorded by the site's watch item: the sweep re-arms
// it at the next time an online entry may go stale while anyone is online,
// and drops it when nobody is, so an idle site costs nothing.

// watchStale is how long past its due time a watch counts as abandoned
// (its run died): arming may then replace it.
const watchStale = 10 * time.Minute

type watchItem struct {
	PK  string `dynamodbav:"PK"`
	SK  string `dynamodbav:"SK"`
	Due int64  `dynamodbav:"due"`
	TTL int64  `dynamodbav:"ttl"`
}

// PresenceSweep is what SweepPresence found and did on one site.
type PresenceSweep struct {
	Site    *livehelp.Site // as read before the changes
	Offline []string       // stale online operators now offline; they hold conversations, so their entry stays
	Removed []string       // stale online operators without a conversation, removed from the summary
	Online  bool           // an operator is online and fresh
	Next    time.Time      // the earliest time a fresh online entry may go stale (zero when none is online)
}

// SweepPresence drops the stale presence of a site's summary: an entry
// online whose SeenUntil passed is removed when it holds no conversation
// (l = 0) and set offline otherwise, keeping its load counter. Each change
// is one UpdateItem conditional on the entry being as read (state, seen
// until, and load 0 for a removal), so a heartbeat or a routing
// transaction in between wins and the entry is left for the next check.
func (s *Store) SweepPresence(ctx context.Context, site string) (*PresenceSweep, error) {
	st, err := s.Site(ctx, site, true)
	if err != nil {
		return nil, err
	}
	now := s.now()
	ps := &PresenceSweep{Site: st}
	ids := make([]string, 0, len(st.Presence))
	for id := range st.Presence {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		p := st.Presence[id]
		switch {
		case p.State != livehelp.PresenceOnline:
			continue
		case p.Online(now):
			ps.Online = true
			if ps.Next.IsZero() || p.SeenUntil.Before(ps.Next) {
				ps.Next = p.SeenUntil
			}
			continue
		}
		cond := opField(id, "s").Equal(expression.Value(livehelp.PresenceOnline)).
			And(opField(id, "u").Equal(expression.Value(p.SeenUntil.UnixMilli())))
		if p.Load == 0 {
			err = s.updateSite(ctx, site, expression.Remove(opPath(id)), cond.And(opField(id, "l").Equal(expression.Value(0))))
		} else {
			err = s.updateSite(ctx, site, expression.Set(opField(id, "s"), expression.Value(livehelp.PresenceOffline)), cond)
		}
		switch {
		case livehelp.IsCode(err, livehelp.ECONFLICT):
			continue // changed meanwhile: fresh again, or busy with routing
		case err != nil:
			return nil, err
		case p.Load == 0:
			ps.Removed = append(ps.Removed, id)
		default:
			ps.Offline = append(ps.Offline, id)
		}
	}
	return ps, nil
}

// ExpireWaiting moves a site's waiting conversations (up to limit, oldest
// first) that the expiration rules made obsolete to the offline queue:
// waiting is for a visitor on the site while operators are online, so with
// nobody online (operators as of site) or the visitor gone, each moves with
// store.Enqueue (conditional on it being as read again). It returns the
// changes made.
func (s *Store) ExpireWaiting(ctx context.Context, site *livehelp.Site, limit int) ([]*Transition, error) {
	queue, err := s.Queue(ctx, site.ID, livehelp.QueueWaiting, limit)
	if err != nil {
		return nil, err
	}
	anyone := livehelp.AnyOnline(site.Presence, s.now())
	var out []*Transition
	for _, q := range queue {
		c, err := s.Conversation(ctx, q.ID) // the index may be behind
		if err != nil || c.Phase() != livehelp.QueueWaiting || (anyone && c.Online()) {
			continue
		}
		t, err := s.Enqueue(ctx, c, livehelp.QueueOffline)
		switch {
		case livehelp.IsCode(err, livehelp.ECONFLICT):
			continue // it moved on meanwhile
		case err != nil:
			return out, err
		}
		out = append(out, t)
	}
	return out, nil
}

// WatchPresence arms the presence check of a site at at, unless one is
// armed already: one TransactWriteItems puts the site's watch item
// (conditional on there being none, or only an abandoned one) and the
// timer. Arming an armed site is not an error.
func (s *Store) WatchPresence(ctx context.Context, site string, at time.Time) error {
	at = at.UTC().Truncate(time.Millisecond)
	cond := expression.AttributeNotExists(expression.Name(attrPK)).
		Or(expression.Name("due").LessThan(expression.Value(s.now().Add(-watchStale).UnixMilli())))
	expr, err := expression.NewBuilder().WithCondition(cond).Build()
	if err != nil {
		return err
	}
	w := watchItem{PK: siteKey(site), SK: watchSK(), Due: at.UnixMilli(), TTL: at.Add(24 * time.Hour).Unix()}
	items := []types.TransactWriteItem{
		{Put: &types.Put{TableName: tableName(s), Item: marshal(w), ConditionExpression: expr.Condition(),
			ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values()}},
		{Put: s.putTimer(presenceTimer(site, at))},
	}
	err = s.transact(ctx, "watch presence", items)
	if errors.Is(err, errChanged) {
		return nil // armed already
	}
	return err
}

// RearmPresence replaces the site's fired presence timer t by one at next,
// or, with next zero, disarms the site: one TransactWriteItems conditional
// on the watch item still naming t. When it names another timer (another
// run re-armed it) t is only deleted.
func (s *Store) RearmPresence(ctx context.Context, t Timer, site string, next time.Time) error {
	cond := expression.Name("due").Equal(expression.Value(t.Due.UnixMilli()))
	var watch types.TransactWriteItem
	if next.IsZero() {
		expr, err := expression.NewBuilder().WithCondition(cond).Build()
		if err != nil {
			return err
		}
		watch = types.TransactWriteItem{Delete: &types.Delete{TableName: tableName(s), Key: key(siteKey(site), watchSK()),
			ConditionExpression: expr.Condition(), ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values()}}
	} else {
		next = next.UTC().Truncate(time.Millisecond)
		upd := expression.Set(expression.Name("due"), expression.Value(next.UnixMilli())).
			Set(expression.Name(attrTTL), expression.Value(next.Add(24*time.Hour).Unix()))
		expr, err := expression.NewBuilder().WithCondition(cond).WithUpdate(upd).Build()
		if err != nil {
			return err
		}
		watch = types.TransactWriteItem{Update: &types.Update{TableName: tableName(s), Key: key(siteKey(site), watchSK()),
			UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
			ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values()}}
	}
	items := []types.TransactWriteItem{watch, s.deleteTimerItem(t)}
	if !next.IsZero() {
		items = append(items, types.TransactWriteItem{Put: s.putTimer(presenceTimer(site, next))})
	}
	err := s.transact(ctx, "rearm presence", items)
	if errors.Is(err, errChanged) {
		return s.dropTimer(ctx, t)
	}
	return err
}

// armWatch arms the presence check of a site whose operators are online,
// at the earliest time one of them may go stale. It is a best-effort side
// effect of the changes that read the site: an error only leaves the check
// to the next arming.
func (s *Store) armWatch(ctx context.Context, site *livehelp.Site) {
	now := s.now()
	var next time.Time
	for _, p := range site.Presence {
		if p.Online(now) && (next.IsZero() || p.SeenUntil.Before(next)) {
			next = p.SeenUntil
		}
	}
	if !next.IsZero() {
		_ = s.WatchPresence(ctx, site.ID, next.Add(time.Second))
	}
}
