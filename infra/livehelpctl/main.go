// Command livehelpctl administers a Live Help deployment: sites, operators,
// groups and canned messages, directly in the DynamoDB table or through the
// console API with an admin session. Run `livehelpctl help` for the
// commands; the README's Deploy section shows it creating the first admin.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/livehelp/livehelp/infra/livehelpctl/ctl"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := ctl.Main(ctx, os.Args[1:], ctl.Stdio())
	stop()
	os.Exit(code)
}
