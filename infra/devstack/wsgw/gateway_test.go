package wsgw

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi/types"
	"github.com/google/go-cmp/cmp"
)

// idPattern matches API Gateway style IDs such as "L0SM9cOFvHcCIhw=".
var idPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{15}=$`)

func TestNew(t *testing.T) {
	inv := &fakeInvoker{}
	routes := map[string]string{RouteDefault: "ChatFunction"}
	tests := []struct {
		name    string
		cfg     Config
		wantErr bool
	}{
		{"template expression", Config{Stage: "live", RouteSelection: "$request.body.action", Routes: routes, Invoker: inv}, false},
		{"wrapped expression", Config{Stage: "live", RouteSelection: "${request.body.action}", Routes: routes, Invoker: inv}, false},
		{"nested path", Config{Stage: "live", RouteSelection: "$request.body.meta.kind", Routes: routes, Invoker: inv}, false},
		{"header expression", Config{Stage: "live", RouteSelection: "$request.header.action", Routes: routes, Invoker: inv}, true},
		{"bare field", Config{Stage: "live", RouteSelection: "action", Routes: routes, Invoker: inv}, true},
		{"empty path element", Config{Stage: "live", RouteSelection: "$request.body.a..b", Routes: routes, Invoker: inv}, true},
		{"empty expression", Config{Stage: "live", Routes: routes, Invoker: inv}, true},
		{"no stage", Config{RouteSelection: "$request.body.action", Routes: routes, Invoker: inv}, true},
		{"nested stage", Config{Stage: "a/b", RouteSelection: "$request.body.action", Routes: routes, Invoker: inv}, true},
		{"no invoker", Config{Stage: "live", RouteSelection: "$request.body.action", Routes: routes}, true},
		{"no routes", Config{Stage: "live", RouteSelection: "$request.body.action", Invoker: inv}, true},
		{"empty function", Config{Stage: "live", RouteSelection: "$request.body.action", Routes: map[string]string{RouteDefault: ""}, Invoker: inv}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gw, err := New(tt.cfg)
			if (err != nil) != tt.wantErr {
				t.Fatalf("New() error = %v, wantErr %v", err, tt.wantErr)
			}
			if err == nil {
				gw.Close()
			}
		})
	}
}

func TestNewDefaults(t *testing.T) {
	gw, err := New(Config{Stage: "live", RouteSelection: "$request.body.action", Routes: chatRoutes, Invoker: &fakeInvoker{}})
	if err != nil {
		t.Fatal(err)
	}
	defer gw.Close()
	got := []any{gw.cfg.MaxMessageBytes, gw.cfg.IdleTimeout, gw.cfg.MaxDuration, gw.cfg.IntegrationTimeout, gw.cfg.APIID}
	want := []any{128 * 1024, 10 * time.Minute, 2 * time.Hour, 29 * time.Second, "local"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
}

func TestConnectRefused(t *testing.T) {
	tests := []struct {
		name       string
		answer     handler
		wantStatus int
	}{
		{"function says 403", func(context.Context, string, events.APIGatewayWebsocketProxyRequest) ([]byte, error) {
			return []byte(`{"statusCode":403,"body":"origin not allowed"}`), nil
		}, http.StatusForbidden},
		{"function says 401", func(context.Context, string, events.APIGatewayWebsocketProxyRequest) ([]byte, error) {
			return []byte(`{"statusCode":401}`), nil
		}, http.StatusUnauthorized},
		{"invocation fails", func(context.Context, string, events.APIGatewayWebsocketProxyRequest) ([]byte, error) {
			return nil, errors.New("boom")
		}, http.StatusInternalServerError},
		{"function error document", func(context.Context, string, events.APIGatewayWebsocketProxyRequest) ([]byte, error) {
			return []byte(`{"errorMessage":"panic","errorType":"runtime.Error"}`), nil
		}, http.StatusInternalServerError},
		{"no statusCode", func(context.Context, string, events.APIGatewayWebsocketProxyRequest) ([]byte, error) {
			return []byte(`{}`), nil
		}, http.StatusBadGateway},
		{"not JSON", func(context.Context, string, events.APIGatewayWebsocketProxyRequest) ([]byte, error) {
			return []byte(`ok`), nil
		}, http.StatusBadGateway},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := &fakeInvoker{handle: tt.answer}
			gw, srv := startGateway(t, Config{Invoker: inv})
			_, resp, err := tryDial(srv, "x", nil)
			if err == nil {
				t.Fatal("dial succeeded, want refusal")
			}
			if resp == nil || resp.StatusCode != tt.wantStatus {
				t.Fatalf("dial response = %v, want status %d", resp, tt.wantStatus)
			}
			if n := len(inv.byRoute(RouteDisconnect)); n != 0 {
				t.Errorf("$disconnect invoked %d times for a refused connection", n)
			}
			if s := gw.Stats(); s.Rejected != 1 || s.Connected != 0 {
				t.Errorf("stats = %+v, want 1 rejected, 0 connected", s)
			}
		})
	}
}

func TestConnectEvent(t *testing.T) {
	inv := &fakeInvoker{handle: func(_ context.Context, _ string, ev events.APIGatewayWebsocketProxyRequest) ([]byte, error) {
		return []byte(`{"statusCode":200,"headers":{"Sec-WebSocket-Protocol":"livehelp.v1"}}`), nil
	}}
	_, srv := startGateway(t, Config{Invoker: inv, APIID: "abc123"})
	before := time.Now().UnixMilli()
	hdr := http.Header{}
	hdr.Set("Origin", "https://shop.example")
	hdr.Set("User-Agent", "wsgw-test")
	hdr.Set("Sec-WebSocket-Protocol", "livehelp.v1")
	c := dial(t, srv, "tok", hdr)
	if got := c.ws.Subprotocol(); got != "livehelp.v1" {
		t.Errorf("subprotocol = %q, want livehelp.v1", got)
	}

	ev := inv.wait(t, RouteConnect, 1)[0]
	rc := ev.Event.RequestContext
	if ev.Function != "ChatFunction" {
		t.Errorf("function = %q", ev.Function)
	}
	if !idPattern.MatchString(rc.ConnectionID) || !idPattern.MatchString(rc.RequestID) {
		t.Errorf("ids %q / %q do not look like API Gateway ids", rc.ConnectionID, rc.RequestID)
	}
	if rc.ConnectedAt < before || rc.RequestTimeEpoch < rc.ConnectedAt || rc.RequestTime == "" {
		t.Errorf("times: connectedAt %d requestTimeEpoch %d requestTime %q (dialled at %d)", rc.ConnectedAt, rc.RequestTimeEpoch, rc.RequestTime, before)
	}
	host := strings.TrimPrefix(srv.URL, "http://")
	got := events.APIGatewayWebsocketProxyRequest{
		QueryStringParameters:           ev.Event.QueryStringParameters,
		MultiValueQueryStringParameters: ev.Event.MultiValueQueryStringParameters,
		Headers: map[string]string{
			"Origin": ev.Event.Headers["Origin"], "Host": ev.Event.Headers["Host"],
			"X-Forwarded-For": ev.Event.Headers["X-Forwarded-For"],
		},
		MultiValueHeaders: map[string][]string{"Origin": ev.Event.MultiValueHeaders["Origin"]},
		RequestContext: events.APIGatewayWebsocketProxyRequestContext{
			RouteKey: rc.RouteKey, EventType: rc.EventType, MessageDirection: rc.MessageDirection,
			Stage: rc.Stage, APIID: rc.APIID, DomainName: rc.DomainName, ExtendedRequestID: rc.ExtendedRequestID,
			Identity: rc.Identity,
		},
	}
	want := events.APIGatewayWebsocketProxyRequest{
		QueryStringParameters:           map[string]string{"token": "tok"},
		MultiValueQueryStringParameters: map[string][]string{"token": {"tok"}},
		Headers:                         map[string]string{"Origin": "https://shop.example", "Host": host, "X-Forwarded-For": "127.0.0.1"},
		MultiValueHeaders:               map[string][]string{"Origin": {"https://shop.example"}},
		RequestContext: events.APIGatewayWebsocketProxyRequestContext{
			RouteKey: "$connect", EventType: "CONNECT", MessageDirection: "IN",
			Stage: "live", APIID: "abc123", DomainName: host, ExtendedRequestID: rc.RequestID,
			Identity: events.APIGatewayRequestIdentity{SourceIP: "127.0.0.1", UserAgent: "wsgw-test"},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("$connect event (-want +got):\n%s", diff)
	}
}

// TestPendingConnectionIsGone checks that a connection cannot be posted to
// while its $connect is running, and can be once it returned.
func TestPendingConnectionIsGone(t *testing.T) {
	release := make(chan struct{})
	inv := &fakeInvoker{}
	inv.handle = func(ctx context.Context, _ string, ev events.APIGatewayWebsocketProxyRequest) ([]byte, error) {
		if ev.RequestContext.EventType == "CONNECT" {
			<-release
		}
		return []byte(`{"statusCode":200}`), nil
	}
	_, srv := startGateway(t, Config{Invoker: inv})
	dialled := make(chan *client, 1)
	go func() {
		c, _, err := tryDial(srv, "slow", nil)
		if err != nil {
			t.Errorf("dial: %v", err)
			close(dialled)
			return
		}
		dialled <- c
	}()
	id := inv.connectionID(t, "slow")
	api := management(srv)
	ctx := context.Background()
	_, err := api.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String(id), Data: []byte("early")})
	var gone *types.GoneException
	if !errors.As(err, &gone) {
		t.Fatalf("post during $connect: err = %v, want GoneException", err)
	}
	close(release)
	c := <-dialled
	if c == nil {
		t.FailNow()
	}
	defer c.ws.CloseNow()
	if _, err := api.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String(id), Data: []byte("hello")}); err != nil {
		t.Fatalf("post after $connect: %v", err)
	}
	if got := c.next(t); got != "MessageText:hello" {
		t.Errorf("client got %q", got)
	}
}

func TestHTTPErrors(t *testing.T) {
	_, srv := startGateway(t, Config{Invoker: &fakeInvoker{}})
	tests := []struct {
		method, path string
		want         int
		errType      string
	}{
		{"GET", "/live", http.StatusUpgradeRequired, ""},
		{"GET", "/other", http.StatusForbidden, "ForbiddenException"},
		{"PUT", "/live/@connections/abc", http.StatusForbidden, "ForbiddenException"},
		{"GET", "/live/@connections/", http.StatusForbidden, "ForbiddenException"},
		{"GET", "/live/@connections/nope", http.StatusGone, "GoneException"},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(tt.method, srv.URL+tt.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want || resp.Header.Get("x-amzn-ErrorType") != tt.errType {
			t.Errorf("%s %s = %d %q, want %d %q", tt.method, tt.path, resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"), tt.want, tt.errType)
		}
	}
}
