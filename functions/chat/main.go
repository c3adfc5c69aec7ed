// Command chat is the Lambda behind the WebSocket API: $connect, $disconnect
// and every frame visitors and operators send. PROTOCOL.md describes the
// frames.
package main

import (
	"context"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/livehelp/livehelp/shared/auth"
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
	rec := metrics.New("chat", os.Stdout).Attach(&cfg)
	st := store.New(dynamodb.NewFromConfig(cfg), os.Getenv("TABLE_NAME"), nil)
	a := &app{
		store:     st,
		push:      push.New(push.NewClient(cfg, os.Getenv("WEBSOCKET_ENDPOINT"))),
		keys:      auth.NewKeyring(func(ctx context.Context) ([]byte, error) { return st.SigningKey(ctx, "tokens", auth.NewKey) }, nil),
		log:       log,
		now:       time.Now,
		expiry:    seconds("OPERATORS_LIST_EXPIRATION", 60),
		slots:     int(seconds("DEFAULT_SLOTS", 3) / time.Second),
		reassign:  seconds("REASSIGN_AFTER_SECONDS", 86400),
		mailDelay: seconds("UNREAD_EMAIL_DELAY_SECONDS", 300),
		console:   append([]string{os.Getenv("CONSOLE_ORIGIN")}, strings.Split(os.Getenv("ALLOWED_ORIGINS"), ",")...),
	}
	lambda.Start(metrics.Handler(rec, a.handle))
}

// seconds reads an environment variable holding whole seconds.
func seconds(name string, def int) time.Duration {
	n, err := strconv.Atoi(os.Getenv(name))
	if err != nil || n <= 0 {
		n = def
	}
	return time.Duration(n) * time.Second
}
