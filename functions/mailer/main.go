// Command mailer runs every minute: it emails operator replies a visitor has
// not read in time, and the notices that follow snooze, transfer and close,
// each once, with a signed link back into the conversation.
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
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/livehelp/livehelp/shared/auth"
	"github.com/livehelp/livehelp/shared/email"
	"github.com/livehelp/livehelp/shared/metrics"
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
	rec := metrics.New("mailer", os.Stdout).Attach(&cfg)
	st := store.New(dynamodb.NewFromConfig(cfg), os.Getenv("TABLE_NAME"), nil)
	set := defaults
	if n, err := strconv.Atoi(os.Getenv("UNREAD_EMAIL_DELAY_SECONDS")); err == nil && n > 0 {
		set.Delay = time.Duration(n) * time.Second
	}
	w := &worker{
		store: st,
		mail:  email.New(sesv2.NewFromConfig(cfg, email.SafeRetries), os.Getenv("SENDER_EMAIL")),
		keys:  auth.NewKeyring(func(ctx context.Context) ([]byte, error) { return st.SigningKey(ctx, "tokens", auth.NewKey) }, nil),
		log:   log, now: time.Now, set: set,
	}
	lambda.Start(metrics.Worker(rec, w.run))
}
