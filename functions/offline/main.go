// Command offline is the Lambda behind the visitor-facing REST routes:
// visitor tokens and resume links, the offline message form and its
// CAPTCHA. API.md describes them.
package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/livehelp/livehelp/shared/auth"
	"github.com/livehelp/livehelp/shared/captcha"
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
	rec := metrics.New("offline", os.Stdout).Attach(&cfg)
	st := store.New(dynamodb.NewFromConfig(cfg), os.Getenv("TABLE_NAME"), nil)
	keys := auth.NewKeyring(func(ctx context.Context) ([]byte, error) { return st.SigningKey(ctx, "tokens", auth.NewKey) }, nil)
	p := push.New(push.NewClient(cfg, os.Getenv("WEBSOCKET_ENDPOINT")))
	h := newHandler(st, p, captcha.New(st, nil), keys, defaultRules, log, time.Now)
	lambda.Start(metrics.Handler(rec, httpadapter.New(h).ProxyWithContext))
}
