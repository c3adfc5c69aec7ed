package store

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// Session is an operator's console session; the signed token names it so a
// logout (deleting it) revokes the token before it expires.
type Session struct {
	ID       string
	Operator string
	Site     string
	Role     string
	Expires  time.Time
}

type sessionItem struct {
	PK       string `dynamodbav:"PK"`
	SK       string `dynamodbav:"SK"`
	Operator string `dynamodbav:"op"`
	Site     string `dynamodbav:"site"`
	Role     string `dynamodbav:"role"`
	Expires  int64  `dynamodbav:"expires"` // unix ms; checked on read
	TTL      int64  `dynamodbav:"ttl"`     // unix s; garbage collection only
}

// PutSession stores a session.
func (s *Store) PutSession(ctx context.Context, ss Session) error {
	it := sessionItem{PK: sessionKey(ss.ID), SK: skSession, Operator: ss.Operator, Site: ss.Site, Role: ss.Role,
		Expires: ss.Expires.UnixMilli(), TTL: ss.Expires.Add(24 * time.Hour).Unix()}
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: tableName(s), Item: marshal(it)})
	return translate("put session", err)
}

// Session returns a live session, or ENOTFOUND when it does not exist, was
// deleted, or has expired (checked here, not left to TTL deletion).
func (s *Store) Session(ctx context.Context, id string) (*Session, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: tableName(s), Key: key(sessionKey(id), skSession), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, translate("get session", err)
	}
	var it sessionItem
	if out.Item == nil || unmarshal(out.Item, &it) != nil || s.now().UnixMilli() >= it.Expires {
		return nil, notFound("Session")
	}
	return &Session{ID: id, Operator: it.Operator, Site: it.Site, Role: it.Role, Expires: time.UnixMilli(it.Expires).UTC()}, nil
}

// DeleteSession revokes a session. Deleting a missing session is not an error.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: tableName(s), Key: key(sessionKey(id), skSession)})
	return translate("delete session", err)
}
