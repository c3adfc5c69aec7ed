package ddbstats_test

import (
	"context"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
	"github.com/livehelp/livehelp/infra/dynamolocal"
	"github.com/livehelp/livehelp/shared/ddbstats"
)

func TestMain(m *testing.M) { os.Exit(dynamolocal.RunTests(m)) }

// key returns the primary key of a test item.
func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: pk},
		"SK": &types.AttributeValueMemberS{Value: sk},
	}
}

func TestCounterCountsOperations(t *testing.T) {
	tests := []struct {
		name string
		// seed is run before the counter is reset; run is measured.
		seed, run              func(ctx context.Context, c *dynamodb.Client, table string) error
		want                   ddbstats.Report
		reads, writes, scans   int64
		itemsRead, itemsWriten int64
	}{{
		name: "put, get, update, delete",
		run: func(ctx context.Context, c *dynamodb.Client, table string) error {
			return all(
				func() error {
					_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: key("p", "1")})
					return err
				},
				func() error {
					_, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: key("p", "1")})
					return err
				},
				func() error {
					_, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &table, Key: key("p", "1"),
						UpdateExpression:          aws.String("SET n = :n"),
						ExpressionAttributeValues: map[string]types.AttributeValue{":n": &types.AttributeValueMemberN{Value: "1"}}})
					return err
				},
				func() error {
					_, err := c.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &table, Key: key("p", "1")})
					return err
				},
			)
		},
		want: ddbstats.Report{
			Calls:    map[string]int64{"PutItem": 1, "GetItem": 1, "UpdateItem": 1, "DeleteItem": 1},
			Attempts: map[string]int64{"PutItem": 1, "GetItem": 1, "UpdateItem": 1, "DeleteItem": 1},
			Items:    map[string]int64{"PutItem": 1, "GetItem": 1, "UpdateItem": 1, "DeleteItem": 1},
		},
		reads: 1, writes: 3, itemsRead: 1, itemsWriten: 3,
	}, {
		name: "transactions and batches count one call, many items",
		run: func(ctx context.Context, c *dynamodb.Client, table string) error {
			tw := &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
				{Put: &types.Put{TableName: &table, Item: key("t", "1")}},
				{Put: &types.Put{TableName: &table, Item: key("t", "2")}},
				{Update: &types.Update{TableName: &table, Key: key("t", "3"), UpdateExpression: aws.String("SET n = :n"),
					ExpressionAttributeValues: map[string]types.AttributeValue{":n": &types.AttributeValueMemberN{Value: "1"}}}},
				{ConditionCheck: &types.ConditionCheck{TableName: &table, Key: key("t", "4"),
					ConditionExpression: aws.String("attribute_not_exists(PK)")}},
			}}
			bw := &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{table: {
				{PutRequest: &types.PutRequest{Item: key("b", "1")}},
				{DeleteRequest: &types.DeleteRequest{Key: key("t", "1")}},
			}}}
			bg := &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{table: {
				Keys: []map[string]types.AttributeValue{key("t", "2"), key("t", "3"), key("b", "1")},
			}}}
			tg := &dynamodb.TransactGetItemsInput{TransactItems: []types.TransactGetItem{
				{Get: &types.Get{TableName: &table, Key: key("t", "2")}},
				{Get: &types.Get{TableName: &table, Key: key("b", "1")}},
			}}
			return all(
				func() error { _, err := c.TransactWriteItems(ctx, tw); return err },
				func() error { _, err := c.BatchWriteItem(ctx, bw); return err },
				func() error { _, err := c.BatchGetItem(ctx, bg); return err },
				func() error { _, err := c.TransactGetItems(ctx, tg); return err },
			)
		},
		want: ddbstats.Report{
			Calls:    map[string]int64{"TransactWriteItems": 1, "BatchWriteItem": 1, "BatchGetItem": 1, "TransactGetItems": 1},
			Attempts: map[string]int64{"TransactWriteItems": 1, "BatchWriteItem": 1, "BatchGetItem": 1, "TransactGetItems": 1},
			Items:    map[string]int64{"TransactWriteItems": 3, "BatchWriteItem": 2, "BatchGetItem": 3, "TransactGetItems": 2},
		},
		reads: 2, writes: 2, itemsRead: 5, itemsWriten: 5,
	}, {
		name: "query and scan count the items they read",
		seed: func(ctx context.Context, c *dynamodb.Client, table string) error {
			var fns []func() error
			for i := range 3 {
				fns = append(fns, func() error {
					it := key("q", strconv.Itoa(i))
					it["n"] = &types.AttributeValueMemberN{Value: strconv.Itoa(i)}
					_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: it})
					return err
				})
			}
			return all(fns...)
		},
		run: func(ctx context.Context, c *dynamodb.Client, table string) error {
			return all(
				func() error {
					_, err := c.Query(ctx, &dynamodb.QueryInput{TableName: &table, KeyConditionExpression: aws.String("PK = :p"),
						FilterExpression: aws.String("n = :n"),
						ExpressionAttributeValues: map[string]types.AttributeValue{
							":p": &types.AttributeValueMemberS{Value: "q"}, ":n": &types.AttributeValueMemberN{Value: "1"},
						}})
					return err
				},
				func() error { _, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: &table}); return err },
			)
		},
		want: ddbstats.Report{
			Calls:    map[string]int64{"Query": 1, "Scan": 1},
			Attempts: map[string]int64{"Query": 1, "Scan": 1},
			Items:    map[string]int64{"Query": 3, "Scan": 3},
		},
		reads: 2, scans: 1, itemsRead: 6,
	}, {
		name: "failed condition is a call with an error; client-side validation is no call",
		run: func(ctx context.Context, c *dynamodb.Client, table string) error {
			put := &dynamodb.PutItemInput{TableName: &table, Item: key("c", "1"), ConditionExpression: aws.String("attribute_not_exists(PK)")}
			if _, err := c.PutItem(ctx, put); err != nil {
				return err
			}
			_, _ = c.PutItem(ctx, put)                      // ConditionalCheckFailedException
			_, _ = c.GetItem(ctx, &dynamodb.GetItemInput{}) // no table name: rejected before sending
			return nil
		},
		want: ddbstats.Report{
			Calls:    map[string]int64{"PutItem": 2},
			Attempts: map[string]int64{"PutItem": 2},
			Errors:   map[string]int64{"PutItem": 1},
			Items:    map[string]int64{"PutItem": 2},
		},
		writes: 2, itemsWriten: 2,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, table, counter := dynamolocal.NewTestTableWithStats(t)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if tt.seed != nil {
				if err := tt.seed(ctx, client, table); err != nil {
					t.Fatal(err)
				}
				counter.Reset()
			}
			if err := tt.run(ctx, client, table); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, counter.Report()); diff != "" {
				t.Errorf("Report (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want.Calls, counter.Snapshot()); diff != "" {
				t.Errorf("Snapshot (-want +got):\n%s", diff)
			}
			got := []int64{counter.Reads(), counter.Writes(), counter.Scans(), counter.ItemsRead(), counter.ItemsWritten(), counter.Retries()}
			want := []int64{tt.reads, tt.writes, tt.scans, tt.itemsRead, tt.itemsWriten, 0}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Reads, Writes, Scans, ItemsRead, ItemsWritten, Retries (-want +got):\n%s", diff)
			}
		})
	}
}

// all runs fns in order and returns the first error.
func all(fns ...func() error) error {
	for _, fn := range fns {
		if err := fn(); err != nil {
			return err
		}
	}
	return nil
}

func TestCounterConcurrent(t *testing.T) {
	client, table, counter := dynamolocal.NewTestTableWithStats(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const workers, calls = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := range calls {
				_, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table,
					Item: key(strconv.Itoa(w), strconv.Itoa(i))})
				if err != nil {
					errs <- err
					return
				}
				_ = counter.Report() // read while others write
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if got := counter.Count("PutItem"); got != workers*calls {
		t.Errorf("Count(PutItem) = %d after %d concurrent puts", got, workers*calls)
	}
	if before := counter.Reset(); before.Writes() != workers*calls || len(counter.Snapshot()) != 0 {
		t.Errorf("Reset returned %d writes and left %v, want %d and nothing", before.Writes(), counter.Snapshot(), workers*calls)
	}
}

func TestNilCounterAttachesNothing(t *testing.T) {
	var c *ddbstats.Counter
	var o dynamodb.Options
	c.Attach(&o)
	if len(o.APIOptions) != 0 {
		t.Errorf("nil Counter added %d API options, want 0", len(o.APIOptions))
	}
}
