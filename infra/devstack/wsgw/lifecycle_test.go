package wsgw

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/coder/websocket"
	"github.com/google/go-cmp/cmp"
)

func TestIdleTimeout(t *testing.T) {
	const idle = 400 * time.Millisecond
	inv := &fakeInvoker{}
	_, srv := startGateway(t, Config{Invoker: inv, IdleTimeout: idle})
	api := management(srv)
	start := time.Now()
	quiet := dial(t, srv, "quiet", nil)
	talker := dial(t, srv, "talker", nil)
	listener := dial(t, srv, "listener", nil)
	listenerID := inv.connectionID(t, "listener")

	// Inbound frames and PostToConnection both count as activity.
	for range 8 {
		time.Sleep(idle / 4)
		talker.send(t, "ping")
		if _, err := api.PostToConnection(context.Background(), &apigatewaymanagementapi.PostToConnectionInput{
			ConnectionId: aws.String(listenerID), Data: []byte("news"),
		}); err != nil {
			t.Fatalf("post to listener: %v", err)
		}
	}
	select {
	case <-quiet.closed:
		if d := time.Since(start); d < idle {
			t.Errorf("idle connection closed after %v, before the %v timeout", d, idle)
		}
	default:
		t.Error("idle connection still open after two idle periods")
	}
	for name, c := range map[string]*client{"talker": talker, "listener": listener} {
		select {
		case <-c.closed:
			t.Errorf("active %s connection was closed: %v", name, c.err)
		default:
		}
	}
	for _, c := range []*client{quiet, talker, listener} {
		if code := c.waitClosed(t, 2*time.Second); code != websocket.StatusGoingAway {
			t.Errorf("close status = %v, want 1001", code)
		}
	}
	for _, d := range inv.wait(t, RouteDisconnect, 3) {
		rc := d.Event.RequestContext
		if rc.DisconnectStatusCode != 1001 || aws.ToString(rc.DisconnectReason) != "Going away" {
			t.Errorf("$disconnect = %d %q, want 1001 Going away", rc.DisconnectStatusCode, aws.ToString(rc.DisconnectReason))
		}
	}
}

func TestMaxDuration(t *testing.T) {
	const maxDur = 300 * time.Millisecond
	inv := &fakeInvoker{}
	_, srv := startGateway(t, Config{Invoker: inv, MaxDuration: maxDur, IdleTimeout: time.Minute})
	start := time.Now()
	c := dial(t, srv, "busy", nil)
	go func() {
		for {
			select {
			case <-c.closed:
				return
			case <-time.After(30 * time.Millisecond):
				c.ws.Write(context.Background(), websocket.MessageText, []byte("tick"))
			}
		}
	}()
	if code := c.waitClosed(t, 3*time.Second); code != websocket.StatusGoingAway {
		t.Errorf("close status = %v, want 1001", code)
	}
	if d := time.Since(start); d < maxDur {
		t.Errorf("closed after %v, before the %v maximum", d, maxDur)
	}
}

// TestDisconnectOnce checks every way a connection ends produces exactly
// one $disconnect, after the connection's last message, with the code and
// reason API Gateway reports.
func TestDisconnectOnce(t *testing.T) {
	tests := []struct {
		name       string
		end        func(t *testing.T, gw *Gateway, c *client, api *apigatewaymanagementapi.Client, id string)
		wantCode   int64
		wantReason string
	}{
		{"client closes", func(t *testing.T, _ *Gateway, c *client, _ *apigatewaymanagementapi.Client, _ string) {
			c.ws.Close(websocket.StatusNormalClosure, "bye")
		}, 1000, "bye"},
		{"client vanishes", func(t *testing.T, _ *Gateway, c *client, _ *apigatewaymanagementapi.Client, _ string) {
			c.ws.CloseNow()
		}, 1006, ""},
		{"DeleteConnection", func(t *testing.T, _ *Gateway, _ *client, api *apigatewaymanagementapi.Client, id string) {
			if _, err := api.DeleteConnection(context.Background(), &apigatewaymanagementapi.DeleteConnectionInput{ConnectionId: aws.String(id)}); err != nil {
				t.Fatal(err)
			}
		}, 1000, "Connection Closed Normally"},
		{"gateway shutdown", func(t *testing.T, gw *Gateway, _ *client, _ *apigatewaymanagementapi.Client, _ string) {
			if err := gw.Close(); err != nil {
				t.Fatal(err)
			}
		}, 1001, "Going away"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := &fakeInvoker{}
			gw, srv := startGateway(t, Config{Invoker: inv})
			c := dial(t, srv, "d", nil)
			id := inv.connectionID(t, "d")
			c.send(t, "last words")
			inv.wait(t, RouteDefault, 1)
			tt.end(t, gw, c, management(srv), id)
			inv.wait(t, RouteDisconnect, 1)
			time.Sleep(100 * time.Millisecond)
			ds := inv.byRoute(RouteDisconnect)
			if len(ds) != 1 {
				t.Fatalf("$disconnect delivered %d times, want once", len(ds))
			}
			ev := ds[0].Event
			rc := ev.RequestContext
			got := []any{rc.ConnectionID, rc.EventType, rc.DisconnectStatusCode, aws.ToString(rc.DisconnectReason), ev.Headers["x-api-key"], len(ev.Headers)}
			want := []any{id, "DISCONNECT", tt.wantCode, tt.wantReason, "", 4}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("$disconnect (-want +got):\n%s", diff)
			}
			inv.mu.Lock()
			last := inv.calls[len(inv.calls)-1].Event.RequestContext.RouteKey
			inv.mu.Unlock()
			if last != RouteDisconnect {
				t.Errorf("last event is %s, want $disconnect", last)
			}
			if s := gw.Stats(); s.Connections != 0 || s.Disconnected != 1 {
				t.Errorf("stats after disconnect = %+v", s)
			}
		})
	}
}

func TestShutdown(t *testing.T) {
	inv := &fakeInvoker{}
	gw, srv := startGateway(t, Config{Invoker: inv})
	dial(t, srv, "a", nil)
	if err := gw.Close(); err != nil {
		t.Fatal(err)
	}
	_, resp, err := tryDial(srv, "late", nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("dial after shutdown: resp %v err %v, want 503", resp, err)
	}
}

// TestShutdownDeadline checks that a hung $disconnect cannot block Shutdown
// past its context: the invocation's context is cancelled.
func TestShutdownDeadline(t *testing.T) {
	inv := &fakeInvoker{}
	gw, srv := startGateway(t, Config{Invoker: inv})
	dial(t, srv, "a", nil)
	inv.connectionID(t, "a")
	inv.mu.Lock()
	inv.handle = func(ctx context.Context, _ string, _ events.APIGatewayWebsocketProxyRequest) ([]byte, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	inv.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := gw.Shutdown(ctx); err != context.DeadlineExceeded {
		t.Errorf("Shutdown = %v, want deadline exceeded", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Shutdown took %v", d)
	}
}

// TestConcurrentClients echoes frames back through the management API for
// 200 simultaneous clients.
func TestConcurrentClients(t *testing.T) {
	const clients, frames = 200, 3
	inv := &fakeInvoker{}
	gw, srv := startGateway(t, Config{Invoker: inv})
	api := management(srv)
	inv.handle = func(ctx context.Context, _ string, ev events.APIGatewayWebsocketProxyRequest) ([]byte, error) {
		if ev.RequestContext.EventType == "MESSAGE" {
			_, err := api.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{
				ConnectionId: aws.String(ev.RequestContext.ConnectionID), Data: []byte("echo " + ev.Body),
			})
			if err != nil {
				return nil, err
			}
		}
		return []byte(`{"statusCode":200}`), nil
	}
	conns := make([]*client, clients)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			c, _, err := tryDial(srv, fmt.Sprint(i), nil)
			if err != nil {
				t.Errorf("dial %d: %v", i, err)
				return
			}
			conns[i] = c
		})
	}
	wg.Wait()
	t.Cleanup(func() {
		for _, c := range conns {
			if c != nil {
				c.ws.CloseNow()
			}
		}
	})
	if t.Failed() {
		t.FailNow()
	}
	for i, c := range conns {
		wg.Go(func() {
			defer c.ws.Close(websocket.StatusNormalClosure, "")
			for n := range frames {
				if err := c.ws.Write(context.Background(), websocket.MessageText, fmt.Appendf(nil, "%d-%d", i, n)); err != nil {
					t.Errorf("client %d send: %v", i, err)
					return
				}
			}
			for n := range frames {
				select {
				case got := <-c.msgs:
					if want := fmt.Sprintf("MessageText:echo %d-%d", i, n); got != want {
						t.Errorf("client %d got %q, want %q", i, got, want)
					}
				case <-time.After(10 * time.Second):
					t.Errorf("client %d: no echo %d", i, n)
					return
				}
			}
		})
	}
	wg.Wait()
	inv.wait(t, RouteDisconnect, clients)
	s := gw.Stats()
	got := []int64{s.PeakConnections, s.Connected, s.Disconnected, s.Connections, s.FramesIn, s.FramesOut, s.PostCalls, s.InvocationErrors}
	want := []int64{clients, clients, clients, 0, clients * frames, clients * frames, clients * frames, 0}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("peak/connected/disconnected/open/in/out/posts/errors (-want +got):\n%s", diff)
	}
}
