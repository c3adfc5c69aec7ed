// Command console is the Lambda behind the operator console: its REST API
// under /v1/console, the static console page and the site embed widget.js.
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
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/livehelp/livehelp/shared/auth"
	"github.com/livehelp/livehelp/shared/email"
	"github.com/livehelp/livehelp/shared/metrics"
	"github.com/livehelp/livehelp/shared/push"
	"github.com/livehelp/livehelp/shared/store"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Error("aws config", "err", err)
		os.Exit(1)
	}
	rec := metrics.New("console", os.Stdout).Attach(&cfg)
	st := store.New(dynamodb.NewFromConfig(cfg), os.Getenv("TABLE_NAME"), nil)
	keys := auth.NewKeyring(func(ctx context.Context) ([]byte, error) { return st.SigningKey(ctx, "tokens", auth.NewKey) }, nil)
	mail := email.New(sesv2.NewFromConfig(cfg, email.SafeRetries), os.Getenv("SENDER_EMAIL"))
	slots, _ := strconv.Atoi(os.Getenv("DEFAULT_SLOTS"))
	reassign, _ := strconv.Atoi(os.Getenv("REASSIGN_AFTER_SECONDS"))
	h := newHandler(st, keys, mail, Config{
		WebSocketURL: os.Getenv("WEBSOCKET_URL"), DefaultSlots: slots,
		ReassignAfter: time.Duration(reassign) * time.Second,
		Push:          push.New(push.NewClient(cfg, os.Getenv("WEBSOCKET_ENDPOINT"))),
	}, log, time.Now)
	lambda.Start(metrics.Handler(rec, httpadapter.New(h).ProxyWithContext))
}
