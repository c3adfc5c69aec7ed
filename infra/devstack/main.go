// Command devstack runs the whole Live Help system locally without Docker
// (`make dev`): DynamoDB Local, every function on a local Lambda Runtime API,
// the REST and WebSocket APIs, the schedules, a mail capture and a demo page.
// When ready it prints one line per entry point; Ctrl-C stops everything.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/livehelp/livehelp/infra/devstack/stack"
)

func main() {
	var (
		opts    stack.Options
		params  multiFlag
		verbose bool
	)
	flag.IntVar(&opts.RestPort, "rest-port", 4000, "port of the REST API (0 = any free port)")
	flag.IntVar(&opts.WebSocketPort, "ws-port", 4001, "port of the WebSocket API")
	flag.IntVar(&opts.MailPort, "mail-port", 4002, "port of the mail capture")
	flag.IntVar(&opts.DemoPort, "demo-port", 4003, "port of the demo page")
	flag.StringVar(&opts.PersistDir, "persist", "", "keep DynamoDB Local's data in this folder (default: in memory)")
	flag.StringVar(&opts.DemoPassword, "password", "", "the demo operator's password (default: random)")
	flag.Var(&params, "param", "template parameter override NAME=VALUE (repeatable)")
	flag.BoolVar(&verbose, "v", false, "print function and component logs")
	flag.Parse()

	opts.Params = map[string]string{}
	for _, p := range params {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			fmt.Fprintf(os.Stderr, "devstack: -param %q: want NAME=VALUE\n", p)
			os.Exit(2)
		}
		opts.Params[k] = v
	}
	opts.Log = io.Discard
	if verbose {
		opts.Log = os.Stderr
	}
	opts.Schedules = true

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	fmt.Fprintln(os.Stderr, "devstack: building functions and starting DynamoDB Local…")
	s, err := stack.Start(ctx, opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "devstack:", err)
		os.Exit(1)
	}
	fmt.Printf("rest: %s\nwebsocket: %s\nconsole: %s\ndemo: %s\nmail: %s\nlogin: %s %s\n",
		s.RestURL, s.WebSocketURL, s.ConsoleURL, s.DemoURL, s.MailURL+"/", s.Demo.Email, s.Demo.Password)
	fmt.Fprintf(os.Stderr, "devstack: ready in %s; Ctrl-C stops everything\n", time.Since(start).Round(10*time.Millisecond))
	<-ctx.Done()
	fmt.Fprintln(os.Stderr, "devstack: stopping…")
	if err := s.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "devstack:", err)
		os.Exit(1)
	}
}

// multiFlag collects a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }
