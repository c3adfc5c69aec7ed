package store

import (
	"context"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// visitItem is a visitor's last report on a site and their invitation.
// GSI1 lists a site's visits by last report; readers filter on seen and
// gone themselves (ttl is garbage collection only).
type visitItem struct {
	PK      string          `dynamodbav:"PK"`
	SK      string          `dynamodbav:"SK"`
	GSI1PK  string          `dynamodbav:"GSI1PK"`
	GSI1SK  string          `dynamodbav:"GSI1SK"`
	Site    string          `dynamodbav:"site"`
	Visitor string          `dynamodbav:"visitor"`
	Page    string          `dynamodbav:"page"`
	Title   string          `dynamodbav:"title"`
	Since   int64           `dynamodbav:"since"`
	Seen    int64           `dynamodbav:"seen"`
	Conn    string          `dynamodbav:"conn"`
	Gone    bool            `dynamodbav:"gone"`
	Chatted bool            `dynamodbav:"chatted"`
	Alerted int64           `dynamodbav:"alerted"` // the since of the visit an operator was alerted of
	Inv     *invitationItem `dynamodbav:"inv,omitempty"`
	TTL     int64           `dynamodbav:"ttl"`
}

type invitationItem struct {
	ID      string `dynamodbav:"id"`
	Op      string `dynamodbav:"op"`
	OpName  string `dynamodbav:"opn"`
	Status  string `dynamodbav:"st"`
	Expires int64  `dynamodbav:"exp"`
}

func (it *visitItem) visit() *livehelp.Visit {
	v := &livehelp.Visit{Site: it.Site, Visitor: it.Visitor, Page: it.Page, Title: it.Title, Since: msTime(it.Since),
		Seen: msTime(it.Seen), Gone: it.Gone, Chatted: it.Chatted, Alerted: it.Alerted != 0 && it.Alerted == it.Since}
	if it.Inv != nil {
		v.Invitation = &livehelp.Invitation{ID: it.Inv.ID, Operator: it.Inv.Op, OperatorName: it.Inv.OpName,
			Status: it.Inv.Status, Expires: msTime(it.Inv.Expires)}
	}
	return v
}

// RecordVisit stores a visitor's report (page, title, arrival, whether they
// chatted before) from connection conn, marks them on the site and returns
// the visit with its invitation. One UpdateItem.
func (s *Store) RecordVisit(ctx context.Context, v livehelp.Visit, conn string) (*livehelp.Visit, error) {
	now := s.now()
	upd := expression.Set(expression.Name(attrGSI1PK), expression.Value(siteVisitsKey(v.Site))).
		Set(expression.Name(attrGSI1SK), expression.Value(visitSeenSK(now, v.Visitor))).
		Set(expression.Name("site"), expression.Value(v.Site)).
		Set(expression.Name("visitor"), expression.Value(v.Visitor)).
		Set(expression.Name("page"), expression.Value(v.Page)).
		Set(expression.Name("title"), expression.Value(v.Title)).
		Set(expression.Name("since"), expression.Value(v.Since.UnixMilli())).
		Set(expression.Name("seen"), expression.Value(now.UnixMilli())).
		Set(expression.Name("conn"), expression.Value(conn)).
		Set(expression.Name("gone"), expression.Value(false)).
		Set(expression.Name("chatted"), expression.Value(v.Chatted)).
		Set(expression.Name(attrTTL), expression.Value(now.Add(24*time.Hour).Unix()))
	return s.updateVisit(ctx, v.Site, v.Visitor, upd, nil, "record visit")
}

// updateVisit runs one conditional UpdateItem on a visit and returns it as
// stored after; a failed condition is ECONFLICT.
func (s *Store) updateVisit(ctx context.Context, site, visitor string, upd expression.UpdateBuilder, cond *expression.ConditionBuilder, op string) (*livehelp.Visit, error) {
	b := expression.NewBuilder().WithUpdate(upd)
	if cond != nil {
		b = b.WithCondition(*cond)
	}
	expr, err := b.Build()
	if err != nil {
		return nil, err
	}
	out, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: tableName(s), Key: key(visitorKey(visitor), visitSK(site)),
		UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(), ExpressionAttributeNames: expr.Names(),
		ExpressionAttributeValues: expr.Values(), ReturnValues: types.ReturnValueAllNew})
	if err != nil {
		return nil, translate(op, err)
	}
	var it visitItem
	if err := unmarshal(out.Attributes, &it); err != nil {
		return nil, translate("decode visit", err)
	}
	return it.visit(), nil
}

// Visit returns a visitor's visit of site (one consistent GetItem), or
// ENOTFOUND.
func (s *Store) Visit(ctx context.Context, site, visitor string) (*livehelp.Visit, error) {
	item, err := s.getItem(ctx, key(visitorKey(visitor), visitSK(site)), true, "Visitor")
	if err != nil {
		return nil, err
	}
	var it visitItem
	if err := unmarshal(item, &it); err != nil {
		return nil, translate("decode visit", err)
	}
	return it.visit(), nil
}

// Visits lists the visitors who reported on site within
// livehelp.VisitListed, most recent first, at most limit: one Query of
// GSI1 from now − VisitListed (gone ones included; see Visit.OnSite).
func (s *Store) Visits(ctx context.Context, site string, limit int) ([]*livehelp.Visit, error) {
	from := s.now().Add(-livehelp.VisitListed)
	kc := expression.Key(attrGSI1PK).Equal(expression.Value(siteVisitsKey(site))).
		And(expression.Key(attrGSI1SK).GreaterThanEqual(expression.Value(visitSeenSK(from, ""))))
	expr, err := expression.NewBuilder().WithKeyCondition(kc).Build()
	if err != nil {
		return nil, err
	}
	out, err := s.db.Query(ctx, &dynamodb.QueryInput{TableName: tableName(s), IndexName: aws.String(indexGSI1),
		KeyConditionExpression: expr.KeyCondition(), ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
		ScanIndexForward: aws.Bool(false), Limit: aws.Int32(int32(limit))})
	if err != nil {
		return nil, translate("list visits", err)
	}
	visits := make([]*livehelp.Visit, 0, len(out.Items))
	for _, m := range out.Items {
		var it visitItem
		if err := unmarshal(m, &it); err != nil {
			return nil, translate("decode visit", err)
		}
		if strings.HasPrefix(it.SK, "VISIT#") && it.Site == site {
			visits = append(visits, it.visit())
		}
	}
	return visits, nil
}

// VisitGone marks a visitor gone when conn, the connection of their last
// report, closed. A later report from another tab brings them back. It
// returns nil when the visit is unknown or was reported from another
// connection since.
func (s *Store) VisitGone(ctx context.Context, site, visitor, conn string) error {
	cond := expression.Name("conn").Equal(expression.Value(conn))
	_, err := s.updateVisit(ctx, site, visitor, expression.Set(expression.Name("gone"), expression.Value(true)), &cond, "visit gone")
	if livehelp.IsCode(err, livehelp.ECONFLICT) {
		return nil
	}
	return err
}

// MarkAlerted records that an operator was alerted of this visit (auto
// mode). It returns ECONFLICT when one already was: only the first caller
// alerts.
func (s *Store) MarkAlerted(ctx context.Context, v *livehelp.Visit) error {
	since := v.Since.UnixMilli()
	cond := expression.Name("since").Equal(expression.Value(since)).
		And(expression.Name("alerted").AttributeNotExists().Or(expression.Name("alerted").NotEqual(expression.Value(since))))
	_, err := s.updateVisit(ctx, v.Site, v.Visitor, expression.Set(expression.Name("alerted"), expression.Value(since)), &cond, "mark alerted")
	return err
}

// MarkChatted records on a visit that the visitor now has a conversation
// (the list says "chatted before" at once, not at the next report). No-op
// for an unknown visit.
func (s *Store) MarkChatted(ctx context.Context, site, visitor string) error {
	cond := expression.AttributeExists(expression.Name(attrPK))
	_, err := s.updateVisit(ctx, site, visitor, expression.Set(expression.Name("chatted"), expression.Value(true)), &cond, "mark chatted")
	if livehelp.IsCode(err, livehelp.ECONFLICT) {
		return nil
	}
	return err
}
