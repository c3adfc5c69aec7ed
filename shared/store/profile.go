package store

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// profileItem is the console's view of a visitor item (VIS#<visitor> / VIS).
// Other writers may keep more attributes on the same item; every write here
// is an UpdateItem that touches only these.
type profileItem struct {
	PK      string   `dynamodbav:"PK"`
	Site    string   `dynamodbav:"site"`
	Name    string   `dynamodbav:"name"`
	Names   []string `dynamodbav:"names,stringset,omitempty"`
	Emails  []string `dynamodbav:"emails,stringset,omitempty"`
	Conv    string   `dynamodbav:"conv,omitempty"`
	Created int64    `dynamodbav:"created"`
	Seen    int64    `dynamodbav:"seen"`
}

// emailItem points a site's email address at the visitor who gave it first.
type emailItem struct {
	PK      string `dynamodbav:"PK"`
	SK      string `dynamodbav:"SK"`
	Visitor string `dynamodbav:"visitor"`
}

// ProfileUpdate is what a visitor told about themselves in one write.
type ProfileUpdate struct {
	Site    string
	Visitor string
	Name    string // "" keeps the current name
	Email   string // "" adds none; otherwise a validated address
}

// profileUpdate returns the Update that records u at now, creating the
// visitor item when needed. It fails its condition when the item belongs
// to another site.
func (s *Store) profileUpdate(u ProfileUpdate, now time.Time) (*types.Update, error) {
	upd := expression.Set(expression.Name("site"), expression.Name("site").IfNotExists(expression.Value(u.Site))).
		Set(expression.Name("created"), expression.Name("created").IfNotExists(expression.Value(now.UnixMilli()))).
		Set(expression.Name("seen"), expression.Value(now.UnixMilli()))
	if name := strings.TrimSpace(u.Name); name != "" {
		upd = upd.Set(expression.Name("name"), expression.Value(name)).
			Add(expression.Name("names"), expression.Value(&types.AttributeValueMemberSS{Value: []string{name}}))
	} else {
		upd = upd.Set(expression.Name("name"), expression.Name("name").IfNotExists(expression.Value("")))
	}
	if u.Email != "" {
		upd = upd.Add(expression.Name("emails"), expression.Value(&types.AttributeValueMemberSS{Value: []string{strings.ToLower(u.Email)}}))
	}
	cond := expression.Or(expression.AttributeNotExists(expression.Name(attrPK)),
		expression.AttributeNotExists(expression.Name("site")), expression.Name("site").Equal(expression.Value(u.Site)))
	expr, err := expression.NewBuilder().WithUpdate(upd).WithCondition(cond).Build()
	if err != nil {
		return nil, err
	}
	return &types.Update{TableName: tableName(s), Key: key(visitorKey(u.Visitor), skVisitor),
		UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values()}, nil
}

// emailIndexUpdate returns the Update that points email at visitor unless it
// already points at someone. It never fails its condition.
func (s *Store) emailIndexUpdate(site, email, visitor string) (*types.Update, error) {
	upd := expression.Set(expression.Name("visitor"), expression.Name("visitor").IfNotExists(expression.Value(visitor)))
	expr, err := expression.NewBuilder().WithUpdate(upd).Build()
	if err != nil {
		return nil, err
	}
	return &types.Update{TableName: tableName(s), Key: key(visitorEmailKey(site, email), skEmail),
		UpdateExpression: expr.Update(), ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values()}, nil
}

// TouchProfile records a visitor's name and email address (either may be
// empty), creating the profile on first use. It returns ENOTFOUND when the
// visitor belongs to another site.
func (s *Store) TouchProfile(ctx context.Context, u ProfileUpdate) error {
	items, err := s.profileWrites(u, s.now())
	if err != nil {
		return err
	}
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	if failed := cancelled(err); len(failed) > 0 && failed[0] {
		return notFound("Visitor")
	}
	return translate("touch profile", err)
}

// profileWrites returns the transaction items that record u: the profile
// first, then the email index when there is an address.
func (s *Store) profileWrites(u ProfileUpdate, now time.Time) ([]types.TransactWriteItem, error) {
	pu, err := s.profileUpdate(u, now)
	if err != nil {
		return nil, err
	}
	items := []types.TransactWriteItem{{Update: pu}}
	if u.Email != "" {
		eu, err := s.emailIndexUpdate(u.Site, u.Email, u.Visitor)
		if err != nil {
			return nil, err
		}
		items = append(items, types.TransactWriteItem{Update: eu})
	}
	return items, nil
}

// AddVisitorEmail adds a validated address to a visitor of site (the
// console's <add email>). It returns ENOTFOUND for an unknown visitor or
// one of another site.
func (s *Store) AddVisitorEmail(ctx context.Context, site, visitor, email string) error {
	if _, err := s.Profile(ctx, site, visitor); err != nil {
		return err
	}
	return s.TouchProfile(ctx, ProfileUpdate{Site: site, Visitor: visitor, Email: email})
}

// Profile returns a visitor of site with every name and address they gave.
// It returns ENOTFOUND for an unknown visitor or one of another site.
func (s *Store) Profile(ctx context.Context, site, visitor string) (*livehelp.Profile, error) {
	if visitor == "" || len(visitor) > 128 {
		return nil, notFound("Visitor")
	}
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: tableName(s), Key: key(visitorKey(visitor), skVisitor),
		ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, translate("get profile", err)
	}
	var it profileItem
	if out.Item == nil {
		return nil, notFound("Visitor")
	}
	if err := unmarshal(out.Item, &it); err != nil {
		return nil, translate("decode profile", err)
	}
	if it.Site != site {
		return nil, notFound("Visitor")
	}
	slices.Sort(it.Names)
	slices.Sort(it.Emails)
	p := &livehelp.Profile{Visitor: livehelp.Visitor{ID: visitor, Site: it.Site, Name: it.Name, Emails: nonNil(it.Emails),
		Conversation: it.Conv, Created: time.UnixMilli(it.Created).UTC(), LastSeen: time.UnixMilli(it.Seen).UTC()},
		Names: nonNil(it.Names)}
	return p, nil
}

// VisitorByEmail returns the id of the visitor of site who first gave
// email, or ENOTFOUND.
func (s *Store) VisitorByEmail(ctx context.Context, site, email string) (string, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: tableName(s), Key: key(visitorEmailKey(site, email), skEmail)})
	if err != nil {
		return "", translate("get visitor email", err)
	}
	var it emailItem
	if out.Item == nil || unmarshal(out.Item, &it) != nil || it.Visitor == "" {
		return "", notFound("Visitor")
	}
	return it.Visitor, nil
}

// ConsoleSettings are a site's settings that only the console reads: for
// now the proactive-chat placeholder (off by default; DESIGN.md §2).
type ConsoleSettings struct {
	Proactive          bool // operators may invite visitors on the site
	WithoutInviteAfter int  // seconds on the site before operators are alerted; 0 is off
}

type consoleSettingsItem struct {
	PK                 string `dynamodbav:"PK"`
	SK                 string `dynamodbav:"SK"`
	Proactive          bool   `dynamodbav:"proactive"`
	WithoutInviteAfter int    `dynamodbav:"without_invite"`
}

// ConsoleSettings returns a site's console settings; a site that never
// saved any gets the defaults.
func (s *Store) ConsoleSettings(ctx context.Context, site string) (ConsoleSettings, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: tableName(s), Key: key(siteKey(site), skConsole), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return ConsoleSettings{}, translate("get console settings", err)
	}
	var it consoleSettingsItem
	if out.Item != nil {
		if err := unmarshal(out.Item, &it); err != nil {
			return ConsoleSettings{}, translate("decode console settings", err)
		}
	}
	return ConsoleSettings{Proactive: it.Proactive, WithoutInviteAfter: it.WithoutInviteAfter}, nil
}

// PutConsoleSettings saves a site's console settings.
func (s *Store) PutConsoleSettings(ctx context.Context, site string, c ConsoleSettings) error {
	it := consoleSettingsItem{PK: siteKey(site), SK: skConsole, Proactive: c.Proactive, WithoutInviteAfter: c.WithoutInviteAfter}
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: tableName(s), Item: marshal(it)})
	return translate("put console settings", err)
}

// VisitorsOnline reports which of site's visitors are on the site now:
// those whose conversation has a live visitor connection joined. It reads
// the conversations with BatchGetItem, 100 keys at a time, projecting only
// what it needs. Visitors without a conversation are offline.
func (s *Store) VisitorsOnline(ctx context.Context, site string, visitors []string) (map[string]bool, error) {
	online := make(map[string]bool, len(visitors))
	byConv := map[string]string{}
	var keys []map[string]types.AttributeValue
	for _, v := range visitors {
		id := livehelp.ConversationID(site, v)
		if _, dup := byConv[id]; dup {
			continue
		}
		byConv[id] = v
		online[v] = false
		keys = append(keys, key(convKey(id), skConv))
	}
	for len(keys) > 0 {
		n := min(len(keys), 100)
		req := map[string]types.KeysAndAttributes{s.table: {Keys: keys[:n], ProjectionExpression: aws.String("PK, vconns, site"),
			ConsistentRead: aws.Bool(true)}}
		keys = keys[n:]
		for attempt := 0; len(req) > 0 && attempt < 5; attempt++ {
			out, err := s.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
			if err != nil {
				return nil, translate("read conversations", err)
			}
			for _, m := range out.Responses[s.table] {
				var it struct {
					PK     string   `dynamodbav:"PK"`
					Site   string   `dynamodbav:"site"`
					VConns []string `dynamodbav:"vconns,stringset"`
				}
				if err := unmarshal(m, &it); err != nil {
					return nil, translate("decode conversation", err)
				}
				if v, ok := byConv[strings.TrimPrefix(it.PK, "CONV#")]; ok && it.Site == site {
					online[v] = len(it.VConns) > 0
				}
			}
			req = out.UnprocessedKeys
			if len(req) > 0 {
				backoff(attempt)
			}
		}
	}
	return online, nil
}
