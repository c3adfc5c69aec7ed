package store

import (
	"context"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// connectionLife bounds how long a connection item is kept: API Gateway
// closes every connection after 2 hours.
const connectionLife = 2*time.Hour + 10*time.Minute

type connectionItem struct {
	PK        string `dynamodbav:"PK"`
	SK        string `dynamodbav:"SK"`
	GSI1PK    string `dynamodbav:"GSI1PK"`
	GSI1SK    string `dynamodbav:"GSI1SK"`
	Site      string `dynamodbav:"site"`
	Role      string `dynamodbav:"role"`
	Subject   string `dynamodbav:"sub"`
	Name      string `dynamodbav:"name,omitempty"`
	Slots     int    `dynamodbav:"slots,omitempty"`
	Origin    string `dynamodbav:"origin,omitempty"`
	Connected int64  `dynamodbav:"connected"`
	TTL       int64  `dynamodbav:"ttl"`
}

func roleKey(role string) string {
	if role == livehelp.ParticipantOperator {
		return "OP"
	}
	return "VIS"
}

func (it *connectionItem) connection() *livehelp.Connection {
	return &livehelp.Connection{ID: strings.TrimPrefix(it.PK, "CONN#"), Site: it.Site, Role: it.Role, Subject: it.Subject,
		Name: it.Name, Slots: it.Slots, Origin: it.Origin, Connected: time.UnixMilli(it.Connected).UTC()}
}

// PutConnection records a live connection, indexed by its participant.
func (s *Store) PutConnection(ctx context.Context, c *livehelp.Connection) error {
	it := connectionItem{PK: connKey(c.ID), SK: skConn, GSI1PK: participantConnsKey(roleKey(c.Role), c.Subject), GSI1SK: connKey(c.ID),
		Site: c.Site, Role: c.Role, Subject: c.Subject, Name: c.Name, Slots: c.Slots, Origin: c.Origin,
		Connected: c.Connected.UnixMilli(), TTL: c.Connected.Add(connectionLife).Unix()}
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: tableName(s), Item: marshal(it)})
	return translate("put connection", err)
}

// Connection returns a live connection, or ENOTFOUND.
func (s *Store) Connection(ctx context.Context, id string) (*livehelp.Connection, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: tableName(s), Key: key(connKey(id), skConn), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, translate("get connection", err)
	}
	var it connectionItem
	if out.Item == nil || unmarshal(out.Item, &it) != nil || s.now().Unix() >= it.TTL {
		return nil, notFound("Connection")
	}
	return it.connection(), nil
}

// DeleteConnection removes a connection record. A missing one is not an error.
func (s *Store) DeleteConnection(ctx context.Context, id string) error {
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: tableName(s), Key: key(connKey(id), skConn)})
	return translate("delete connection", err)
}

// ParticipantConnections lists the live connections of one visitor or
// operator (every tab and device): one Query on GSI1.
func (s *Store) ParticipantConnections(ctx context.Context, role, id string) ([]*livehelp.Connection, error) {
	var conns []*livehelp.Connection
	now := s.now().Unix()
	err := s.queryIndex(ctx, indexGSI1, attrGSI1PK, participantConnsKey(roleKey(role), id), func(m map[string]types.AttributeValue) error {
		var it connectionItem
		if err := unmarshal(m, &it); err != nil {
			return err
		}
		if now < it.TTL {
			conns = append(conns, it.connection())
		}
		return nil
	})
	return conns, translate("list connections", err)
}
