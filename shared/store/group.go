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

	"github.com/livehelp/livehelp/shared/auth"
	"github.com/livehelp/livehelp/shared/livehelp"
)

// groupItem is one operator group; GSI1 lists a site's groups by name.
type groupItem struct {
	PK      string   `dynamodbav:"PK"`
	SK      string   `dynamodbav:"SK"`
	GSI1PK  string   `dynamodbav:"GSI1PK"`
	GSI1SK  string   `dynamodbav:"GSI1SK"`
	Site    string   `dynamodbav:"site"`
	Name    string   `dynamodbav:"name"`
	Members []string `dynamodbav:"members"`
	Created int64    `dynamodbav:"created"`
}

func (it *groupItem) group() *livehelp.Group {
	return &livehelp.Group{ID: strings.TrimPrefix(it.PK, "GROUP#"), Site: it.Site, Name: it.Name,
		Members: nonNil(it.Members), Created: time.UnixMilli(it.Created).UTC()}
}

func newGroupItem(g *livehelp.Group) groupItem {
	members := slices.Clone(nonNil(g.Members))
	slices.Sort(members)
	return groupItem{PK: groupKey(g.ID), SK: skGroup, GSI1PK: siteGroupsKey(g.Site),
		GSI1SK: strings.ToLower(g.Name) + "#" + g.ID, Site: g.Site, Name: g.Name, Members: slices.Compact(members),
		Created: g.Created.UnixMilli()}
}

// CreateGroup stores a new group of g.Site and sets g.ID and g.Created.
// Members must be operators of the site. It returns ECONFLICT when the
// site already has a group of that name.
func (s *Store) CreateGroup(ctx context.Context, g *livehelp.Group) error {
	if err := s.checkGroup(ctx, g); err != nil {
		return err
	}
	g.ID, g.Created = auth.NewID()[:16], s.now()
	expr, err := expression.NewBuilder().WithCondition(expression.AttributeNotExists(expression.Name(attrPK))).Build()
	if err != nil {
		return err
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: tableName(s), Item: marshal(newGroupItem(g)),
		ConditionExpression: expr.Condition(), ExpressionAttributeNames: expr.Names()})
	return translate("create group", err)
}

// UpdateGroup renames a group and replaces its members. It returns
// ENOTFOUND for an unknown group of g.Site.
func (s *Store) UpdateGroup(ctx context.Context, g *livehelp.Group) error {
	old, err := s.Group(ctx, g.Site, g.ID)
	if err != nil {
		return err
	}
	if err := s.checkGroup(ctx, g); err != nil {
		return err
	}
	g.Created = old.Created
	expr, err := expression.NewBuilder().WithCondition(expression.Name("site").Equal(expression.Value(g.Site))).Build()
	if err != nil {
		return err
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: tableName(s), Item: marshal(newGroupItem(g)),
		ConditionExpression: expr.Condition(), ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values()})
	if livehelp.IsCode(translate("", err), livehelp.ECONFLICT) {
		return notFound("Group")
	}
	return translate("update group", err)
}

// checkGroup validates g's name, its uniqueness on the site and its members.
func (s *Store) checkGroup(ctx context.Context, g *livehelp.Group) error {
	if err := g.Validate(); err != nil {
		return err
	}
	groups, err := s.Groups(ctx, g.Site)
	if err != nil {
		return err
	}
	for _, o := range groups {
		if o.ID != g.ID && strings.EqualFold(o.Name, g.Name) {
			return livehelp.Invalid("Check the group.", map[string]string{"name": "Another group has this name."})
		}
	}
	ops, err := s.Operators(ctx, g.Site)
	if err != nil {
		return err
	}
	for _, m := range g.Members {
		if !slices.ContainsFunc(ops, func(o *livehelp.Operator) bool { return o.ID == m }) {
			return livehelp.Invalid("Check the group.", map[string]string{"members": "Choose operators of this site."})
		}
	}
	return nil
}

// Group returns a group of site, or ENOTFOUND.
func (s *Store) Group(ctx context.Context, site, id string) (*livehelp.Group, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: tableName(s), Key: key(groupKey(id), skGroup), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, translate("get group", err)
	}
	var it groupItem
	if out.Item == nil || unmarshal(out.Item, &it) != nil || it.Site != site {
		return nil, notFound("Group")
	}
	return it.group(), nil
}

// Groups lists a site's groups by name (one Query on GSI1).
func (s *Store) Groups(ctx context.Context, site string) ([]*livehelp.Group, error) {
	groups := []*livehelp.Group{}
	err := s.queryIndex(ctx, indexGSI1, attrGSI1PK, siteGroupsKey(site), func(m map[string]types.AttributeValue) error {
		var it groupItem
		if err := unmarshal(m, &it); err != nil {
			return err
		}
		groups = append(groups, it.group())
		return nil
	})
	return groups, translate("list groups", err)
}
