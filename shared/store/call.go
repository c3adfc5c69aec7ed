package store

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/livehelp/livehelp/shared/auth"
	"github.com/livehelp/livehelp/shared/livehelp"
)

// A phone integration posts call records with an API key that an admin
// made in the console. The key reads "lhk_<id>_<secret>"; only the SHA-256
// of the secret is kept (the secret is 128 random bits, so a fast hash is
// enough), and the key is shown once.
type apiKeyItem struct {
	PK      string `dynamodbav:"PK"`
	SK      string `dynamodbav:"SK"`
	GSI1PK  string `dynamodbav:"GSI1PK"`
	GSI1SK  string `dynamodbav:"GSI1SK"`
	Site    string `dynamodbav:"site"`
	Name    string `dynamodbav:"name"`
	Hash    string `dynamodbav:"hash"`
	Created int64  `dynamodbav:"created"`
}

// APIKeyPrefix starts every API key.
const APIKeyPrefix = "lhk_"

func (it *apiKeyItem) key() *livehelp.APIKey {
	return &livehelp.APIKey{ID: strings.TrimPrefix(it.PK, "APIKEY#"), Site: it.Site, Name: it.Name,
		Created: time.UnixMilli(it.Created).UTC()}
}

func secretHash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// CreateAPIKey makes a named API key for site and returns it with the
// whole key, which is never shown again.
func (s *Store) CreateAPIKey(ctx context.Context, site, name string) (*livehelp.APIKey, string, error) {
	if msg := strings.TrimSpace(name); msg == "" || len(name) > 100 {
		return nil, "", livehelp.Invalid("Check the key.", map[string]string{"name": "Enter a name of at most 100 characters."})
	}
	id, secret := auth.NewID()[:16], auth.NewID()
	it := apiKeyItem{PK: apiKeyKey(id), SK: skAPIKey, GSI1PK: siteAPIKeysKey(site), GSI1SK: apiKeyKey(id), Site: site,
		Name: name, Hash: secretHash(secret), Created: s.now().UnixMilli()}
	expr, err := expression.NewBuilder().WithCondition(expression.AttributeNotExists(expression.Name(attrPK))).Build()
	if err != nil {
		return nil, "", err
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: tableName(s), Item: marshal(it),
		ConditionExpression: expr.Condition(), ExpressionAttributeNames: expr.Names()})
	if err != nil {
		return nil, "", translate("create api key", err)
	}
	return it.key(), APIKeyPrefix + id + "_" + secret, nil
}

// APIKeys lists a site's API keys (never their secrets).
func (s *Store) APIKeys(ctx context.Context, site string) ([]*livehelp.APIKey, error) {
	keys := []*livehelp.APIKey{}
	err := s.queryIndex(ctx, indexGSI1, attrGSI1PK, siteAPIKeysKey(site), func(m map[string]types.AttributeValue) error {
		var it apiKeyItem
		if err := unmarshal(m, &it); err != nil {
			return err
		}
		keys = append(keys, it.key())
		return nil
	})
	return keys, translate("list api keys", err)
}

// DeleteAPIKey revokes a key of site. It returns ENOTFOUND for an unknown key.
func (s *Store) DeleteAPIKey(ctx context.Context, site, id string) error {
	expr, err := expression.NewBuilder().WithCondition(expression.Name("site").Equal(expression.Value(site))).Build()
	if err != nil {
		return err
	}
	_, err = s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: tableName(s), Key: key(apiKeyKey(id), skAPIKey),
		ConditionExpression: expr.Condition(), ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values()})
	if livehelp.IsCode(translate("", err), livehelp.ECONFLICT) {
		return notFound("API key")
	}
	return translate("delete api key", err)
}

// CheckAPIKey returns the key a whole key string names, or EUNAUTHORIZED
// when it is malformed, unknown, revoked or its secret does not match.
func (s *Store) CheckAPIKey(ctx context.Context, whole string) (*livehelp.APIKey, error) {
	denied := livehelp.Errorf(livehelp.EUNAUTHORIZED, "The API key is not valid.")
	rest, ok := strings.CutPrefix(whole, APIKeyPrefix)
	id, secret, ok2 := strings.Cut(rest, "_")
	if !ok || !ok2 || len(id) != 16 || len(secret) != 32 {
		return nil, denied
	}
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: tableName(s), Key: key(apiKeyKey(id), skAPIKey), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, translate("get api key", err)
	}
	var it apiKeyItem
	if out.Item == nil || unmarshal(out.Item, &it) != nil {
		return nil, denied
	}
	if subtle.ConstantTimeCompare([]byte(it.Hash), []byte(secretHash(secret))) != 1 {
		return nil, denied
	}
	return it.key(), nil
}
