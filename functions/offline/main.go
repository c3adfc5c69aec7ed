// Command offline is the Lambda behind the visitor-facing REST routes: visitor
// tokens and the offline message form.
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
	"github.com/livehelp/livehelp/shared/store"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Error("aws config", "err", err)
		os.Exit(1)
	}
	st := store.New(dynamodb.NewFromConfig(cfg), os.Getenv("TABLE_NAME"), nil)
	keys := auth.NewKeyring(func(ctx context.Context) ([]byte, error) { return st.SigningKey(ctx, "tokens", auth.NewKey) }, nil)
	h := newHandler(st, keys, log, time.Now)
	lambda.Start(httpadapter.New(h).ProxyWithContext)
}
