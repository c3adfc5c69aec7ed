package store

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/livehelp/livehelp/shared/livehelp"
)

type keyItem struct {
	PK  string `dynamodbav:"PK"`
	SK  string `dynamodbav:"SK"`
	Key []byte `dynamodbav:"key"`
}

// SigningKey returns the deployment's signing key of the given name, creating
// it with newKey the first time (a conditional put, so concurrent first calls
// agree on one key). Keys live in the table so no secret is in the template.
func (s *Store) SigningKey(ctx context.Context, name string, newKey func() []byte) ([]byte, error) {
	get := func() ([]byte, error) {
		out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
			TableName: tableName(s), Key: key(configKey(), signingKeySK(name)), ConsistentRead: aws.Bool(true),
		})
		if err != nil || out.Item == nil {
			return nil, translate("get signing key", err)
		}
		var it keyItem
		if err := unmarshal(out.Item, &it); err != nil {
			return nil, translate("decode signing key", err)
		}
		return it.Key, nil
	}
	k, err := get()
	if err != nil || k != nil {
		return k, err
	}
	cond := expression.AttributeNotExists(expression.Name(attrPK))
	expr, err := expression.NewBuilder().WithCondition(cond).Build()
	if err != nil {
		return nil, err
	}
	it := keyItem{PK: configKey(), SK: signingKeySK(name), Key: newKey()}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: tableName(s), Item: marshal(it),
		ConditionExpression: expr.Condition(), ExpressionAttributeNames: expr.Names(),
	})
	switch err = translate("create signing key", err); {
	case err == nil:
		return it.Key, nil
	case livehelp.IsCode(err, livehelp.ECONFLICT):
		return get()
	default:
		return nil, err
	}
}
