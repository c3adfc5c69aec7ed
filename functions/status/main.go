// Command status is the Lambda behind GET /v1/sites/{site}/status: the button
// state and label every page view of every customer site asks for.
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
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/livehelp/livehelp/shared/metrics"
	"github.com/livehelp/livehelp/shared/store"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Error("aws config", "err", err)
		os.Exit(1)
	}
	rec := metrics.New("status", os.Stdout).Attach(&cfg)
	cacheSeconds, _ := strconv.Atoi(os.Getenv("STATUS_CACHE_SECONDS"))
	st := store.New(dynamodb.NewFromConfig(cfg), os.Getenv("TABLE_NAME"), nil)
	h := newHandler(st, time.Duration(cacheSeconds)*time.Second, os.Getenv("WEBSOCKET_URL"), log, time.Now)
	lambda.Start(metrics.Handler(rec, httpadapter.New(h).ProxyWithContext))
}
