// Command mailer runs every minute: it emails operator replies a visitor has not
// read in time, and the notices that follow snooze, transfer and close.
package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/livehelp/livehelp/shared/store"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Error("aws config", "err", err)
		os.Exit(1)
	}
	w := &worker{
		store: store.New(dynamodb.NewFromConfig(cfg), os.Getenv("TABLE_NAME"), nil),
		log:   log, now: time.Now, kind: store.TimerMail, limit: 100, budget: 40 * time.Second,
	}
	lambda.Start(w.run)
}
