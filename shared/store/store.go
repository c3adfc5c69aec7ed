package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// DB is the part of the DynamoDB client the store uses. There is no Scan.
type DB interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
	BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
}

// Store reads and writes the table.
type Store struct {
	db    DB
	table string
	now   func() time.Time
}

// New returns a Store over the named table. now may be nil for time.Now.
func New(db DB, table string, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{db: db, table: table, now: now}
}

// Table returns the table name.
func (s *Store) Table() string { return s.table }

// translate maps AWS errors to the domain vocabulary; what it does not know
// stays internal (wrapped, so logs keep the cause).
func translate(op string, err error) error {
	if err == nil {
		return nil
	}
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return fmt.Errorf("store: %s: %w", op, livehelp.Errorf(livehelp.ECONFLICT, "The item was changed by someone else; try again."))
	}
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) {
		for _, r := range tce.CancellationReasons {
			if r.Code != nil && (*r.Code == "ConditionalCheckFailed" || *r.Code == "TransactionConflict") {
				return fmt.Errorf("store: %s: %w", op, livehelp.Errorf(livehelp.ECONFLICT, "The item was changed by someone else; try again."))
			}
		}
	}
	var tc *types.TransactionConflictException
	if errors.As(err, &tc) {
		return fmt.Errorf("store: %s: %w", op, livehelp.Errorf(livehelp.ECONFLICT, "The item was changed by someone else; try again."))
	}
	return fmt.Errorf("store: %s: %w", op, err)
}

// cancelled reports which items of a cancelled transaction failed their
// condition (by index), or nil when err is not a cancellation.
func cancelled(err error) []bool {
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		return nil
	}
	out := make([]bool, len(tce.CancellationReasons))
	for i, r := range tce.CancellationReasons {
		out[i] = r.Code != nil && *r.Code == "ConditionalCheckFailed"
	}
	return out
}

func notFound(what string) error {
	return livehelp.Errorf(livehelp.ENOTFOUND, "%s not found.", what)
}
