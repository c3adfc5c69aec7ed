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

type operatorItem struct {
	PK      string   `dynamodbav:"PK"`
	SK      string   `dynamodbav:"SK"`
	GSI1PK  string   `dynamodbav:"GSI1PK"`
	GSI1SK  string   `dynamodbav:"GSI1SK"`
	Site    string   `dynamodbav:"site"`
	Email   string   `dynamodbav:"email"`
	Name    string   `dynamodbav:"name"`
	Role    string   `dynamodbav:"role"`
	Slots   int      `dynamodbav:"slots"`
	Groups  []string `dynamodbav:"groups"`
	Hash    string   `dynamodbav:"hash"`
	Created int64    `dynamodbav:"created"`
}

type loginItem struct {
	PK       string `dynamodbav:"PK"`
	SK       string `dynamodbav:"SK"`
	Operator string `dynamodbav:"op"`
}

func (it *operatorItem) operator() *livehelp.Operator {
	return &livehelp.Operator{ID: strings.TrimPrefix(it.PK, "OP#"), Site: it.Site, Email: it.Email, Name: it.Name,
		Role: it.Role, Slots: it.Slots, Groups: it.Groups, PasswordHash: it.Hash, Created: time.UnixMilli(it.Created).UTC()}
}

// CreateOperator stores an operator and reserves their login email in one
// transaction. It returns ECONFLICT if the email is taken and ENOTFOUND if the
// site does not exist.
func (s *Store) CreateOperator(ctx context.Context, op *livehelp.Operator) error {
	email := strings.ToLower(op.Email)
	it := operatorItem{PK: operatorKey(op.ID), SK: skOp, GSI1PK: siteOperatorsKey(op.Site), GSI1SK: "OP#" + email,
		Site: op.Site, Email: email, Name: op.Name, Role: op.Role, Slots: op.Slots, Groups: nonNil(op.Groups),
		Hash: op.PasswordHash, Created: s.now().UnixMilli()}
	notExists, _ := expression.NewBuilder().WithCondition(expression.AttributeNotExists(expression.Name(attrPK))).Build()
	exists, _ := expression.NewBuilder().WithCondition(expression.AttributeExists(expression.Name(attrPK))).Build()
	_, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{ConditionCheck: &types.ConditionCheck{TableName: tableName(s), Key: key(siteKey(op.Site), skSite),
			ConditionExpression: exists.Condition(), ExpressionAttributeNames: exists.Names()}},
		{Put: &types.Put{TableName: tableName(s), Item: marshal(loginItem{PK: loginKey(email), SK: skLogin, Operator: op.ID}),
			ConditionExpression: notExists.Condition(), ExpressionAttributeNames: notExists.Names()}},
		{Put: &types.Put{TableName: tableName(s), Item: marshal(it),
			ConditionExpression: notExists.Condition(), ExpressionAttributeNames: notExists.Names()}},
	}})
	if failed := cancelled(err); failed != nil {
		switch {
		case failed[0]:
			return notFound("Site")
		case failed[1]:
			return livehelp.Errorf(livehelp.ECONFLICT, "An operator with this email already exists.")
		}
	}
	return translate("create operator", err)
}

// Operator returns an operator by id, or ENOTFOUND.
func (s *Store) Operator(ctx context.Context, id string) (*livehelp.Operator, error) {
	item, err := s.getItem(ctx, key(operatorKey(id), skOp), false, "Operator")
	if err != nil {
		return nil, err
	}
	var it operatorItem
	if err := unmarshal(item, &it); err != nil {
		return nil, translate("decode operator", err)
	}
	return it.operator(), nil
}

// OperatorByEmail returns the operator who logs in with email, or ENOTFOUND.
func (s *Store) OperatorByEmail(ctx context.Context, email string) (*livehelp.Operator, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: tableName(s), Key: key(loginKey(email), skLogin), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, translate("get login", err)
	}
	if out.Item == nil {
		return nil, notFound("Operator")
	}
	var it loginItem
	if err := unmarshal(out.Item, &it); err != nil {
		return nil, translate("decode login", err)
	}
	return s.Operator(ctx, it.Operator)
}

// Operators lists a site's operators, ordered by email.
func (s *Store) Operators(ctx context.Context, site string) ([]*livehelp.Operator, error) {
	var ops []*livehelp.Operator
	err := s.queryIndex(ctx, indexGSI1, attrGSI1PK, siteOperatorsKey(site), func(m map[string]types.AttributeValue) error {
		var it operatorItem
		if err := unmarshal(m, &it); err != nil {
			return err
		}
		ops = append(ops, it.operator())
		return nil
	})
	return ops, translate("list operators", err)
}

// UpdateOperator sets an operator's name, role, slots, groups and, when
// hash is not empty, password hash. It returns ENOTFOUND for an unknown operator.
func (s *Store) UpdateOperator(ctx context.Context, op *livehelp.Operator) error {
	upd := expression.Set(expression.Name("name"), expression.Value(op.Name)).
		Set(expression.Name("role"), expression.Value(op.Role)).
		Set(expression.Name("slots"), expression.Value(op.Slots)).
		Set(expression.Name("groups"), expression.Value(nonNil(op.Groups)))
	if op.PasswordHash != "" {
		upd = upd.Set(expression.Name("hash"), expression.Value(op.PasswordHash))
	}
	expr, err := expression.NewBuilder().WithUpdate(upd).WithCondition(expression.AttributeExists(expression.Name(attrPK))).Build()
	if err != nil {
		return err
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: tableName(s), Key: key(operatorKey(op.ID), skOp),
		UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values()})
	if livehelp.IsCode(translate("", err), livehelp.ECONFLICT) {
		return notFound("Operator")
	}
	return translate("update operator", err)
}

// queryIndex runs a paginated Query on an index for one partition key value.
func (s *Store) queryIndex(ctx context.Context, index, pkName, pk string, each func(map[string]types.AttributeValue) error) error {
	expr, err := expression.NewBuilder().WithKeyCondition(expression.Key(pkName).Equal(expression.Value(pk))).Build()
	if err != nil {
		return err
	}
	in := &dynamodb.QueryInput{TableName: tableName(s), KeyConditionExpression: expr.KeyCondition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values()}
	if index != "" {
		in.IndexName = aws.String(index)
	}
	p := dynamodb.NewQueryPaginator(s.db, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, m := range page.Items {
			if err := each(m); err != nil {
				return err
			}
		}
	}
	return nil
}
