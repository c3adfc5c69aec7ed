package store

import (
	"context"
	"regexp"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// BoardQuery selects items of one visitor's Message board.
type BoardQuery struct {
	Site     string
	Visitor  string
	Kinds    []string // nil for every kind (see livehelp.KindsOf)
	Unclosed bool     // only items not closed
	Search   string   // a normalized word or phrase (livehelp.NormalizeSearch); "" for all
	After    string   // cursor: the id of the last item of the previous page
	Limit    int      // items per page; 0 means 50
}

// BoardPage is one page of board items, newest first.
type BoardPage struct {
	Items []*livehelp.BoardItem
	Next  string // cursor for the next page; "" when this is the last
}

var cursorPattern = regexp.MustCompile(`^[0-9]{13}-[A-Za-z0-9_-]{1,128}$`)

// Board returns a visitor's board items, newest first, filtered by kind,
// closed state and a case-insensitive word or phrase. It is a Query of the
// visitor's partition with a filter, never a Scan: the search matches the
// lower-cased text kept on each item.
func (s *Store) Board(ctx context.Context, q BoardQuery) (*BoardPage, error) {
	if q.After != "" && !cursorPattern.MatchString(q.After) {
		return nil, livehelp.Invalid("The page cursor is not valid.", map[string]string{"after": "Start from the first page."})
	}
	kc := expression.Key(attrPK).Equal(expression.Value(visitorKey(q.Visitor))).
		And(expression.Key(attrSK).BeginsWith(boardPrefix()))
	filter := expression.Name("site").Equal(expression.Value(q.Site))
	if len(q.Kinds) > 0 {
		ops := make([]expression.OperandBuilder, 0, len(q.Kinds))
		for _, k := range q.Kinds[1:] {
			ops = append(ops, expression.Value(k))
		}
		filter = filter.And(expression.Name("kind").In(expression.Value(q.Kinds[0]), ops...))
	}
	if q.Unclosed {
		filter = filter.And(expression.Name("closed").Equal(expression.Value(false)))
	}
	if q.Search != "" {
		filter = filter.And(expression.Name("search").Contains(q.Search))
	}
	expr, err := expression.NewBuilder().WithKeyCondition(kc).WithFilter(filter).Build()
	if err != nil {
		return nil, err
	}
	in := &dynamodb.QueryInput{TableName: tableName(s), KeyConditionExpression: expr.KeyCondition(),
		FilterExpression: expr.Filter(), ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
		ScanIndexForward: aws.Bool(false)}
	if q.After != "" {
		in.ExclusiveStartKey = key(visitorKey(q.Visitor), boardSK(q.After))
	}
	return s.boardPage(ctx, in, pageLimit(q.Limit), func(m map[string]types.AttributeValue) string {
		return trimBoardSK(m[attrSK])
	})
}

// UnansweredCount returns how many visitor messages of site nobody has
// closed: the MSG count. It is a COUNT Query of the sparse GSI2 partition
// SITE#<site>#UNANSWERED, never a Scan.
func (s *Store) UnansweredCount(ctx context.Context, site string) (int, error) {
	kc := expression.Key(attrGSI2PK).Equal(expression.Value(siteUnansweredKey(site)))
	expr, err := expression.NewBuilder().WithKeyCondition(kc).Build()
	if err != nil {
		return 0, err
	}
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{TableName: tableName(s), IndexName: aws.String(indexGSI2),
		KeyConditionExpression: expr.KeyCondition(), ExpressionAttributeNames: expr.Names(),
		ExpressionAttributeValues: expr.Values(), Select: types.SelectCount})
	n := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return 0, translate("count unanswered", err)
		}
		n += int(page.Count)
	}
	return n, nil
}

// MessageQueue returns a site's visitor messages in one stream, newest
// first: all of them (GSI1) or only the unanswered (GSI2).
func (s *Store) MessageQueue(ctx context.Context, site string, unanswered bool, after string, limit int) (*BoardPage, error) {
	if after != "" && !cursorPattern.MatchString(after) {
		return nil, livehelp.Invalid("The page cursor is not valid.", map[string]string{"after": "Start from the first page."})
	}
	index, pkName, skName, pk := indexGSI1, attrGSI1PK, attrGSI1SK, siteMessagesKey(site)
	if unanswered {
		index, pkName, skName, pk = indexGSI2, attrGSI2PK, attrGSI2SK, siteUnansweredKey(site)
	}
	expr, err := expression.NewBuilder().WithKeyCondition(expression.Key(pkName).Equal(expression.Value(pk))).Build()
	if err != nil {
		return nil, err
	}
	in := &dynamodb.QueryInput{TableName: tableName(s), IndexName: aws.String(index),
		KeyConditionExpression: expr.KeyCondition(), ExpressionAttributeNames: expr.Names(),
		ExpressionAttributeValues: expr.Values(), ScanIndexForward: aws.Bool(false)}
	if after != "" {
		// An index's start key holds the index key and the table key; the
		// item's table key is found from its index sort key by one read.
		start, err := s.messageStartKey(ctx, index, pkName, skName, pk, after)
		if err != nil {
			return nil, err
		}
		in.ExclusiveStartKey = start
	}
	return s.boardPage(ctx, in, pageLimit(limit), func(m map[string]types.AttributeValue) string {
		return trimBoardSK(m[attrSK])
	})
}

// messageStartKey builds the ExclusiveStartKey of an index query that
// resumes after the message with id after.
func (s *Store) messageStartKey(ctx context.Context, index, pkName, skName, pk, after string) (map[string]types.AttributeValue, error) {
	kc := expression.Key(pkName).Equal(expression.Value(pk)).And(expression.Key(skName).Equal(expression.Value(after)))
	expr, err := expression.NewBuilder().WithKeyCondition(kc).Build()
	if err != nil {
		return nil, err
	}
	out, err := s.db.Query(ctx, &dynamodb.QueryInput{TableName: tableName(s), IndexName: aws.String(index),
		KeyConditionExpression: expr.KeyCondition(), ExpressionAttributeNames: expr.Names(),
		ExpressionAttributeValues: expr.Values(), Limit: aws.Int32(1)})
	if err != nil {
		return nil, translate("find cursor", err)
	}
	if len(out.Items) == 0 {
		return nil, livehelp.Invalid("The page cursor is not valid.", map[string]string{"after": "Start from the first page."})
	}
	m := out.Items[0]
	return map[string]types.AttributeValue{attrPK: m[attrPK], attrSK: m[attrSK], pkName: m[pkName], skName: m[skName]}, nil
}

// boardPage runs a filtered Query page by page until it has limit items
// or the partition ends. Because a filter may keep only part of a page,
// the cursor is the last item returned, not DynamoDB's LastEvaluatedKey.
func (s *Store) boardPage(ctx context.Context, in *dynamodb.QueryInput, limit int, cursor func(map[string]types.AttributeValue) string) (*BoardPage, error) {
	page := &BoardPage{Items: []*livehelp.BoardItem{}}
	in.Limit = aws.Int32(100)
	for {
		out, err := s.db.Query(ctx, in)
		if err != nil {
			return nil, translate("query board", err)
		}
		for i, m := range out.Items {
			var it boardItem
			if err := unmarshal(m, &it); err != nil {
				return nil, translate("decode board item", err)
			}
			page.Items = append(page.Items, it.domain())
			if len(page.Items) == limit {
				if i < len(out.Items)-1 || out.LastEvaluatedKey != nil {
					page.Next = cursor(m)
				}
				return page, nil
			}
		}
		if out.LastEvaluatedKey == nil {
			return page, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

func pageLimit(n int) int {
	if n <= 0 || n > 200 {
		return 50
	}
	return n
}

func trimBoardSK(v types.AttributeValue) string {
	if s, ok := v.(*types.AttributeValueMemberS); ok && len(s.Value) > len(boardPrefix()) {
		return s.Value[len(boardPrefix()):]
	}
	return ""
}
