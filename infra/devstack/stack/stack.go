package stack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/livehelp/livehelp/infra/devstack/rest"
	"github.com/livehelp/livehelp/infra/devstack/runtime"
	"github.com/livehelp/livehelp/infra/devstack/schedule"
	"github.com/livehelp/livehelp/infra/devstack/sesmail"
	"github.com/livehelp/livehelp/infra/devstack/template"
	"github.com/livehelp/livehelp/infra/devstack/wsgw"
	"github.com/livehelp/livehelp/infra/dynamolocal"
	"github.com/livehelp/livehelp/shared/store"
)

// Options configure a local stack. The zero value starts everything on free
// ports with an in-memory DynamoDB Local and no automatic schedules.
type Options struct {
	// Root is the module root holding template.yaml ("" finds it from the
	// working directory).
	Root string
	// Params override template parameters, e.g. OperatorsListExpiration.
	Params map[string]string
	// Env adds environment variables to every function process.
	Env map[string]string
	// PersistDir keeps DynamoDB Local's data in a folder ("" = in memory).
	PersistDir string
	// Log receives component and function output (nil discards it).
	Log io.Writer
	// Schedules fires the template's schedules at their rates (make dev);
	// tests leave it off and call Fire.
	Schedules bool
	// WSIdleTimeout and WSMaxDuration shorten API Gateway's WebSocket
	// limits (10 min idle, 2 h) for tests.
	WSIdleTimeout, WSMaxDuration time.Duration
	// RestPort, WebSocketPort, MailPort and DemoPort fix the ports (0 = free).
	RestPort, WebSocketPort, MailPort, DemoPort int
	// DemoPassword is the demo operator's password ("" = random).
	DemoPassword string
	// MaxProcs bounds processes per function (default 10).
	MaxProcs int
}

// Credentials are an operator's login.
type Credentials struct {
	Site, OperatorID, Email, Password string
}

// Stack is a running local system.
type Stack struct {
	RestURL      string // http://127.0.0.1:P/live
	WebSocketURL string // ws://127.0.0.1:P/live
	ConsoleURL   string // RestURL + /console
	DemoURL      string // a page on its own origin embedding the widget for site demo
	DemoOrigin   string
	MailURL      string // captured mail: / (page), /messages (JSON)
	Table        string
	DynamoURL    string
	DB           *dynamodb.Client
	Store        *store.Store
	Demo         Credentials
	Template     *template.Template
	Mail         *sesmail.Server
	Gateway      *wsgw.Gateway

	log      *slog.Logger
	pools    map[string]*runtime.Pool
	ddb      *dynamolocal.Server
	servers  []*http.Server
	sched    *schedule.Runner
	cancel   context.CancelFunc
	closeOne sync.Once
}

// Start builds and starts everything and seeds the demo site and operator.
// On error, whatever started is stopped.
func Start(ctx context.Context, opts Options) (_ *Stack, err error) {
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	root := opts.Root
	if root == "" {
		if root, err = dynamolocal.ModuleRoot(); err != nil {
			return nil, err
		}
	}
	runCtx, cancel := context.WithCancel(context.Background())
	s := &Stack{log: slog.New(slog.NewJSONHandler(opts.Log, nil)), pools: map[string]*runtime.Pool{}, cancel: cancel}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()

	lns, err := listen(opts.RestPort, opts.WebSocketPort, opts.MailPort, opts.DemoPort)
	if err != nil {
		return nil, err
	}
	restLn, wsLn, mailLn, demoLn := lns[0], lns[1], lns[2], lns[3]
	restBase, wsBase := "http://"+restLn.Addr().String(), "http://"+wsLn.Addr().String()
	s.MailURL = "http://" + mailLn.Addr().String()
	s.DemoOrigin = "http://" + demoLn.Addr().String()
	s.DemoURL = s.DemoOrigin + "/"

	// Template: resolved with this run's table name and local API endpoints.
	s.Table = "livehelp-" + fmt.Sprint(time.Now().UnixNano()%1e9)
	if opts.PersistDir != "" {
		s.Table = "livehelp" // a persisted run finds its data again
	}
	tpl, err := template.Load(filepath.Join(root, "template.yaml"), template.Config{
		Parameters:   opts.Params,
		PhysicalIDs:  map[string]string{dynamolocal.TemplateTable: s.Table},
		APIEndpoints: map[string]string{"RestApi": restBase, "WebSocketApi": wsBase},
	})
	if err != nil {
		return nil, err
	}
	s.Template = tpl
	if len(tpl.RestAPIs) != 1 || len(tpl.WebSocketAPIs) != 1 {
		return nil, fmt.Errorf("stack: template must define one REST API and one WebSocket API, found %d and %d", len(tpl.RestAPIs), len(tpl.WebSocketAPIs))
	}
	restAPI, wsAPI := tpl.RestAPIs[0], tpl.WebSocketAPIs[0]
	s.RestURL = restBase + "/" + restAPI.StageName
	s.WebSocketURL = "ws://" + wsLn.Addr().String() + "/" + wsAPI.StageName
	s.ConsoleURL = s.RestURL + "/console"

	// DynamoDB Local and the table; functions are built meanwhile.
	type built struct {
		bins map[string]string
		err  error
	}
	buildDone := make(chan built, 1)
	go func() {
		bins, err := buildAll(ctx, root, tpl)
		buildDone <- built{bins, err}
	}()
	if err := s.startDynamo(ctx, root, opts); err != nil {
		<-buildDone
		return nil, err
	}
	b := <-buildDone
	if b.err != nil {
		return nil, b.err
	}

	// Mail capture.
	s.Mail = sesmail.New(sesmail.Config{})
	s.serve(mailLn, s.Mail)

	// Functions.
	env := s.functionEnv(opts)
	for id, fn := range tpl.Functions {
		// Later sources win: the runner's endpoints, then the template's
		// environment, then Options.Env.
		vars := map[string]string{}
		for _, kv := range env {
			k, v, _ := strings.Cut(kv, "=")
			vars[k] = v
		}
		maps.Copy(vars, fn.Environment)
		maps.Copy(vars, opts.Env)
		e := make([]string, 0, len(vars))
		for k, v := range vars {
			e = append(e, k+"="+v)
		}
		sort.Strings(e)
		s.pools[id] = runtime.NewPool(runtime.Config{
			Name: fn.Name, ARN: fn.ARN, Binary: b.bins[id], Env: e, Timeout: fn.Timeout, MemoryMB: fn.MemorySize,
			MaxProcs: opts.MaxProcs, Stdout: opts.Log, Stderr: opts.Log, Logger: s.log,
		})
	}

	// REST API.
	restRoutes := make([]rest.Route, len(restAPI.Routes))
	for i, r := range restAPI.Routes {
		restRoutes[i] = rest.Route(r)
	}
	restHandler, err := rest.New(rest.Config{APIID: restAPI.ID, Stage: restAPI.StageName, Routes: restRoutes,
		Invoker: s, BinaryMediaTypes: restAPI.BinaryMediaTypes, StageVariables: restAPI.Variables, Logger: s.log})
	if err != nil {
		return nil, err
	}
	s.serve(restLn, restHandler)

	// WebSocket API.
	routes := map[string]string{}
	for _, r := range wsAPI.Routes {
		routes[r.RouteKey] = r.Function
	}
	s.Gateway, err = wsgw.New(wsgw.Config{
		Stage: wsAPI.StageName, RouteSelection: wsAPI.RouteSelectionExpression, Routes: routes, Invoker: s,
		IdleTimeout: opts.WSIdleTimeout, MaxDuration: opts.WSMaxDuration, APIID: wsAPI.ID, Logger: s.log,
	})
	if err != nil {
		return nil, err
	}
	s.serve(wsLn, s.Gateway)

	// Demo page.
	demo, err := demoHandler(root, s.RestURL)
	if err != nil {
		return nil, err
	}
	s.serve(demoLn, demo)

	// Schedules.
	var rules []schedule.Rule
	for id, fn := range tpl.Functions {
		for _, ev := range fn.Schedules {
			rules = append(rules, schedule.Rule{Name: ev.RuleName, Function: id, Expression: ev.Expression, Enabled: ev.Enabled, Input: ev.Input})
		}
	}
	s.sched, err = schedule.New(schedule.Config{Rules: rules, Invoker: s, Region: tpl.Region, AccountID: tpl.AccountID, Logger: s.log})
	if err != nil {
		return nil, err
	}
	if opts.Schedules {
		go func() { _ = s.sched.Run(runCtx) }()
	}

	if err := s.seed(ctx, opts.DemoPassword); err != nil {
		return nil, err
	}
	return s, nil
}

// Invoke runs a function by logical id: the stack is the Invoker of the
// REST API, the WebSocket API and the schedules.
func (s *Stack) Invoke(ctx context.Context, function string, payload []byte) ([]byte, error) {
	p, ok := s.pools[function]
	if !ok {
		return nil, fmt.Errorf("stack: no function %q", function)
	}
	return p.Invoke(ctx, payload)
}

// Fire runs a function's schedule once now, as EventBridge would.
func (s *Stack) Fire(ctx context.Context, function string) error {
	return s.sched.Fire(ctx, function)
}

// Pools returns the function process pools by logical id (for statistics).
func (s *Stack) Pools() map[string]*runtime.Pool { return s.pools }

// Close stops every server, process and DynamoDB Local. It is safe to call
// more than once.
func (s *Stack) Close() error {
	var errs []error
	s.closeOne.Do(func() {
		s.cancel()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if s.Gateway != nil {
			_ = s.Gateway.Shutdown(ctx)
		}
		for _, srv := range s.servers {
			_ = srv.Shutdown(ctx)
		}
		for _, p := range s.pools {
			errs = append(errs, p.Close())
		}
		if s.ddb != nil {
			errs = append(errs, s.ddb.Stop())
		}
	})
	return errors.Join(errs...)
}

func (s *Stack) serve(ln net.Listener, h http.Handler) {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	s.servers = append(s.servers, srv)
	go func() { _ = srv.Serve(ln) }()
}

// functionEnv is what every function process gets besides the template's
// environment: a region, dummy credentials and the local endpoints.
func (s *Stack) functionEnv(opts Options) []string {
	return []string{
		"AWS_REGION=" + s.Template.Region,
		"AWS_DEFAULT_REGION=" + s.Template.Region,
		"AWS_ACCESS_KEY_ID=local",
		"AWS_SECRET_ACCESS_KEY=local",
		"AWS_ENDPOINT_URL_DYNAMODB=" + s.DynamoURL,
		"AWS_ENDPOINT_URL_SESV2=" + s.MailURL,
		"AWS_EC2_METADATA_DISABLED=true",
		"PATH=" + os.Getenv("PATH"),
		"TZ=UTC",
	}
}

func listen(ports ...int) ([]net.Listener, error) {
	var lns []net.Listener
	for _, p := range ports {
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			for _, l := range lns {
				l.Close()
			}
			return nil, fmt.Errorf("stack: listen on port %d: %w", p, err)
		}
		lns = append(lns, ln)
	}
	return lns, nil
}
