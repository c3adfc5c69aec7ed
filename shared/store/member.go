package store

import (
	"context"
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// Member is a live connection joined to a conversation: the conversation's
// frames are pushed to it.
type Member struct {
	Conn    string // connection id
	Role    string // visitor or operator
	Subject string // visitor or operator id
}

// memberItem sits in the conversation's partition so that its fan-out list
// is one Query; the connection item lists its conversations (attribute
// convs) so $disconnect can remove them without a search.
type memberItem struct {
	PK      string `dynamodbav:"PK"`
	SK      string `dynamodbav:"SK"`
	Role    string `dynamodbav:"role"`
	Subject string `dynamodbav:"sub"`
	TTL     int64  `dynamodbav:"ttl"` // unix s; also checked on read
}

// attrConvs is the connection item's set of joined conversations.
const attrConvs = "convs"

// joinBatch bounds the connections joined per transaction (two items each,
// 100 items per transaction).
const joinBatch = 40

// Join joins live connections to conversation conv: for each, a member item
// and the conversation id added to the connection item (conditional on the
// connection still existing); visitor connections are also added to the
// conversation's visitor connections, which make it online. One
// TransactWriteItems per 40 connections; when one of them is gone the
// others are joined one by one. It returns the connections that joined.
func (s *Store) Join(ctx context.Context, conv string, conns []*livehelp.Connection) ([]*livehelp.Connection, error) {
	var joined []*livehelp.Connection
	for len(conns) > 0 {
		batch := conns[:min(joinBatch, len(conns))]
		conns = conns[len(batch):]
		err := s.transact(ctx, "join conversation", s.joinItems(conv, batch))
		switch {
		case err == nil:
			joined = append(joined, batch...)
		case !errors.Is(err, errChanged):
			return joined, err
		case len(batch) > 1: // one is gone: join the others one by one
			for _, c := range batch {
				more, err := s.Join(ctx, conv, []*livehelp.Connection{c})
				if err != nil {
					return joined, err
				}
				joined = append(joined, more...)
			}
		}
	}
	return joined, nil
}

func (s *Store) joinItems(conv string, conns []*livehelp.Connection) []types.TransactWriteItem {
	exists := expression.AttributeExists(expression.Name(attrPK))
	addConv, _ := expression.NewBuilder().WithUpdate(expression.Add(expression.Name(attrConvs), expression.Value(stringSet(conv)))).
		WithCondition(exists).Build() // cannot fail
	var items []types.TransactWriteItem
	var visitors []string
	for _, c := range conns {
		items = append(items,
			types.TransactWriteItem{Update: &types.Update{TableName: tableName(s), Key: key(connKey(c.ID), skConn),
				UpdateExpression: addConv.Update(), ConditionExpression: addConv.Condition(),
				ExpressionAttributeNames: addConv.Names(), ExpressionAttributeValues: addConv.Values()}},
			types.TransactWriteItem{Put: &types.Put{TableName: tableName(s), Item: marshal(memberItem{
				PK: convKey(conv), SK: memberSK(c.ID), Role: c.Role, Subject: c.Subject,
				TTL: c.Connected.Add(connectionLife).Unix()})}})
		if c.Role == livehelp.ParticipantVisitor {
			visitors = append(visitors, c.ID)
		}
	}
	if len(visitors) > 0 {
		add, _ := expression.NewBuilder().WithUpdate(expression.Add(expression.Name(attrVConns), expression.Value(stringSet(visitors...)))).
			WithCondition(exists).Build() // cannot fail
		items = append(items, types.TransactWriteItem{Update: &types.Update{TableName: tableName(s), Key: key(convKey(conv), skConv),
			UpdateExpression: add.Update(), ConditionExpression: add.Condition(),
			ExpressionAttributeNames: add.Names(), ExpressionAttributeValues: add.Values()}})
	}
	return items
}

// Leave removes connection conn (of the given role) from conversation conv.
// For a visitor connection it also removes it from the conversation's
// visitor connections and returns the conversation after that (nil when it
// no longer exists); for an operator it returns nil. Leaving twice is not
// an error.
func (s *Store) Leave(ctx context.Context, conv, conn, role string) (*livehelp.Conversation, error) {
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: tableName(s), Key: key(convKey(conv), memberSK(conn))})
	if err != nil || role != livehelp.ParticipantVisitor {
		return nil, translate("leave conversation", err)
	}
	upd := expression.Delete(expression.Name(attrVConns), expression.Value(stringSet(conn)))
	c, err := s.updateConversation(ctx, conv, upd, expression.AttributeExists(expression.Name(attrPK)), true)
	if livehelp.IsCode(err, livehelp.ECONFLICT) {
		return nil, nil
	}
	return c, err
}

// Members lists the live connections joined to a conversation: exactly one
// strongly consistent Query of the conversation's partition (members sort
// under CONN#, apart from its messages), whatever else the site holds.
func (s *Store) Members(ctx context.Context, conv string) ([]Member, error) {
	kc := expression.Key(attrPK).Equal(expression.Value(convKey(conv))).And(expression.Key(attrSK).BeginsWith("CONN#"))
	expr, err := expression.NewBuilder().WithKeyCondition(kc).Build()
	if err != nil {
		return nil, err
	}
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{TableName: tableName(s), KeyConditionExpression: expr.KeyCondition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(), ConsistentRead: aws.Bool(true)})
	var members []Member
	now := s.now().Unix()
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, translate("query members", err)
		}
		for _, m := range page.Items {
			var it memberItem
			if err := unmarshal(m, &it); err != nil {
				return nil, translate("decode member", err)
			}
			if now < it.TTL {
				members = append(members, Member{Conn: strings.TrimPrefix(it.SK, "CONN#"), Role: it.Role, Subject: it.Subject})
			}
		}
	}
	return members, nil
}

// ConnectionConversations returns the conversations a connection joined
// (one GetItem of the connection item), nil for an unknown connection.
func (s *Store) ConnectionConversations(ctx context.Context, conn string) ([]string, error) {
	expr, err := expression.NewBuilder().WithProjection(expression.NamesList(expression.Name(attrConvs))).Build()
	if err != nil {
		return nil, err
	}
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: tableName(s), Key: key(connKey(conn), skConn),
		ProjectionExpression: expr.Projection(), ExpressionAttributeNames: expr.Names(), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, translate("get connection conversations", err)
	}
	var it struct {
		Convs []string `dynamodbav:"convs,stringset"`
	}
	if err := unmarshal(out.Item, &it); err != nil {
		return nil, translate("decode connection conversations", err)
	}
	return it.Convs, nil
}

// stringSet returns a DynamoDB string set, as expression.Value takes it.
func stringSet(v ...string) types.AttributeValueMemberSS {
	return types.AttributeValueMemberSS{Value: v}
}
