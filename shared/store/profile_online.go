package store

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/livehelp/livehelp/shared/livehelp"
)

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
