package store

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// key returns a primary key map.
func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		attrPK: &types.AttributeValueMemberS{Value: pk},
		attrSK: &types.AttributeValueMemberS{Value: sk},
	}
}

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

// marshal turns an item struct into an attribute map; item structs hold only
// types attributevalue handles, so an error here is a programming error.
func marshal(v any) map[string]types.AttributeValue {
	m, err := attributevalue.MarshalMap(v)
	if err != nil {
		panic("store: marshal item: " + err.Error())
	}
	return m
}

func unmarshal(m map[string]types.AttributeValue, v any) error {
	return attributevalue.UnmarshalMap(m, v)
}

func tableName(s *Store) *string { return aws.String(s.table) }

// getItem reads one item, strongly consistent when asked; a missing item is
// ENOTFOUND naming what ("Operator", "Conversation", …).
func (s *Store) getItem(ctx context.Context, k map[string]types.AttributeValue, consistent bool, what string) (map[string]types.AttributeValue, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: tableName(s), Key: k, ConsistentRead: aws.Bool(consistent)})
	if err != nil {
		return nil, translate("get "+strings.ToLower(what), err)
	}
	if out.Item == nil {
		return nil, notFound(what)
	}
	return out.Item, nil
}
