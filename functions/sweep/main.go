// Command sweep runs every minute: it wakes snoozed conversations whose
// snooze ended, reassigns transfers their receiver did not handle in time,
// and drops presence (and waiting conversations) the operators list
// expiration made stale. It finds its work with Queries of time-bucketed
// timers: two Queries and nothing else when nothing is due.
package main

import (
	"context"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/livehelp/livehelp/shared/metrics"
	"github.com/livehelp/livehelp/shared/push"
	"github.com/livehelp/livehelp/shared/store"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		log.Error("aws config", "err", err)
		os.Exit(1)
	}
	rec := metrics.New("sweep", os.Stdout).Attach(&cfg) // one EMF line per run: DynamoDBRequests, SweepsDue
	set := defaults
	if n, err := strconv.Atoi(os.Getenv("REASSIGN_AFTER_SECONDS")); err == nil && n > 0 {
		set.ReassignAfter = time.Duration(n) * time.Second
	}
	w := &worker{
		store: store.New(dynamodb.NewFromConfig(cfg), os.Getenv("TABLE_NAME"), nil),
		push:  push.New(push.NewClient(cfg, os.Getenv("WEBSOCKET_ENDPOINT"))),
		log:   log, now: time.Now, set: set,
	}
	lambda.Start(metrics.Worker(rec, w.run))
}
