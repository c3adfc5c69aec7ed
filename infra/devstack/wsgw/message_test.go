package wsgw

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/coder/websocket"
	"github.com/google/go-cmp/cmp"
)

func TestRouteSelection(t *testing.T) {
	tests := []struct {
		name      string
		frame     string
		wantRoute string
		wantFunc  string
	}{
		{"named route", `{"action":"sendMessage","text":"hi"}`, "sendMessage", "SendFunction"},
		{"unknown action", `{"action":"dance"}`, RouteDefault, "ChatFunction"},
		{"no action", `{"text":"hi"}`, RouteDefault, "ChatFunction"},
		{"malformed JSON", `{"action":"sendMessage"`, RouteDefault, "ChatFunction"},
		{"plain text", `hello`, RouteDefault, "ChatFunction"},
		{"JSON array", `["sendMessage"]`, RouteDefault, "ChatFunction"},
		{"number action", `{"action":42}`, RouteDefault, "ChatFunction"},
		{"null action", `{"action":null}`, RouteDefault, "ChatFunction"},
		{"cannot select $connect", `{"action":"$connect"}`, RouteDefault, "ChatFunction"},
		{"trailing garbage", `{"action":"sendMessage"} x`, RouteDefault, "ChatFunction"},
	}
	inv := &fakeInvoker{}
	_, srv := startGateway(t, Config{Invoker: inv})
	c := dial(t, srv, "r", nil)
	for i, tt := range tests {
		c.send(t, tt.frame)
		all := append(inv.byRoute("sendMessage"), inv.byRoute(RouteDefault)...)
		deadline := time.Now().Add(5 * time.Second)
		for len(all) < i+1 && time.Now().Before(deadline) {
			time.Sleep(2 * time.Millisecond)
			all = append(inv.byRoute("sendMessage"), inv.byRoute(RouteDefault)...)
		}
		var got *call
		for j := range all {
			if all[j].Event.Body == tt.frame {
				got = &all[j]
			}
		}
		if got == nil {
			t.Fatalf("%s: frame not delivered", tt.name)
		}
		rc := got.Event.RequestContext
		if rc.RouteKey != tt.wantRoute || got.Function != tt.wantFunc || rc.EventType != "MESSAGE" || rc.MessageID == nil {
			t.Errorf("%s: route %q function %q eventType %q messageId %v, want %q %q MESSAGE", tt.name,
				rc.RouteKey, got.Function, rc.EventType, rc.MessageID, tt.wantRoute, tt.wantFunc)
		}
	}
}

func TestNestedRouteSelection(t *testing.T) {
	inv := &fakeInvoker{}
	routes := map[string]string{"chat/join": "JoinFunction", "7": "SevenFunction", RouteDefault: "ChatFunction"}
	_, srv := startGateway(t, Config{Invoker: inv, Routes: routes, RouteSelection: "${request.body.meta.kind}"})
	c := dial(t, srv, "n", nil)
	c.send(t, `{"meta":{"kind":"chat/join"}}`)
	c.send(t, `{"meta":{"kind":7}}`)
	c.send(t, `{"meta":"chat/join"}`)
	got := []string{}
	for _, route := range []string{"chat/join", "7", RouteDefault} {
		for _, e := range inv.wait(t, route, 1) {
			got = append(got, e.Function)
		}
	}
	if diff := cmp.Diff([]string{"JoinFunction", "SevenFunction", "ChatFunction"}, got); diff != "" {
		t.Errorf("functions (-want +got):\n%s", diff)
	}
}

func TestErrorNotices(t *testing.T) {
	tests := []struct {
		name    string
		routes  map[string]string
		answer  handler
		timeout time.Duration
		want    string
	}{
		{"no route and no $default", map[string]string{"sendMessage": "SendFunction"}, nil, 0, "Forbidden"},
		{"function fails", nil, func(context.Context, string, events.APIGatewayWebsocketProxyRequest) ([]byte, error) {
			return nil, errors.New("crash")
		}, 0, "Internal server error"},
		{"integration timeout", nil, func(ctx context.Context, _ string, _ events.APIGatewayWebsocketProxyRequest) ([]byte, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		}, 50 * time.Millisecond, "Endpoint request timed out"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := &fakeInvoker{}
			_, srv := startGateway(t, Config{Invoker: inv, Routes: tt.routes, IntegrationTimeout: tt.timeout})
			c := dial(t, srv, "e", nil)
			inv.mu.Lock()
			inv.handle = tt.answer
			inv.mu.Unlock()
			c.send(t, `{"action":"other"}`)
			msg := strings.TrimPrefix(c.next(t), "MessageText:")
			var notice struct{ Message, ConnectionID, RequestID string }
			if err := json.Unmarshal([]byte(msg), &notice); err != nil {
				t.Fatalf("notice %q: %v", msg, err)
			}
			if notice.Message != tt.want || notice.ConnectionID == "" || !idPattern.MatchString(notice.RequestID) {
				t.Errorf("notice = %+v, want message %q with ids", notice, tt.want)
			}
			if tt.routes == nil && notice.ConnectionID != inv.connectionID(t, "e") {
				t.Errorf("notice connectionId %q is not the client's", notice.ConnectionID)
			}
		})
	}
}

func TestFrameLimits(t *testing.T) {
	tests := []struct {
		name     string
		typ      websocket.MessageType
		size     int
		wantCode websocket.StatusCode // 0: stays open
	}{
		{"exactly the limit", websocket.MessageText, 1024, 0},
		{"one byte over", websocket.MessageText, 1025, websocket.StatusMessageTooBig},
		{"binary frame", websocket.MessageBinary, 10, websocket.StatusUnsupportedData},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := &fakeInvoker{}
			_, srv := startGateway(t, Config{Invoker: inv, MaxMessageBytes: 1024})
			c := dial(t, srv, "big", nil)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := c.ws.Write(ctx, tt.typ, []byte(strings.Repeat("x", tt.size))); err != nil {
				t.Fatal(err)
			}
			if tt.wantCode == 0 {
				if got := inv.wait(t, RouteDefault, 1)[0].Event.Body; len(got) != tt.size {
					t.Errorf("delivered %d bytes, want %d", len(got), tt.size)
				}
				return
			}
			if got := c.waitClosed(t, 5*time.Second); got != tt.wantCode {
				t.Errorf("client close status = %v, want %v", got, tt.wantCode)
			}
			d := inv.wait(t, RouteDisconnect, 1)[0].Event.RequestContext
			if d.DisconnectStatusCode != int64(tt.wantCode) {
				t.Errorf("$disconnect status = %d, want %d", d.DisconnectStatusCode, tt.wantCode)
			}
			if n := len(inv.byRoute(RouteDefault)); n != 0 {
				t.Errorf("rejected frame was invoked %d times", n)
			}
		})
	}
}

// TestOrderingPerConnection sends numbered frames from several clients to a
// function with random latency and checks each connection's invocations are
// sequential and in order.
func TestOrderingPerConnection(t *testing.T) {
	const clients, frames = 5, 40
	var inFlight [clients]atomic.Int32
	var overlap atomic.Bool
	inv := &fakeInvoker{}
	inv.handle = func(_ context.Context, _ string, ev events.APIGatewayWebsocketProxyRequest) ([]byte, error) {
		if ev.RequestContext.EventType == "MESSAGE" {
			var m struct{ Client, Seq int }
			json.Unmarshal([]byte(ev.Body), &m)
			if inFlight[m.Client].Add(1) > 1 {
				overlap.Store(true)
			}
			time.Sleep(time.Duration(rand.IntN(500)) * time.Microsecond)
			inFlight[m.Client].Add(-1)
		}
		return []byte(`{"statusCode":200}`), nil
	}
	_, srv := startGateway(t, Config{Invoker: inv})
	for i := range clients {
		c := dial(t, srv, fmt.Sprint(i), nil)
		go func() {
			for seq := range frames {
				c.ws.Write(context.Background(), websocket.MessageText, fmt.Appendf(nil, `{"Client":%d,"Seq":%d}`, i, seq))
			}
		}()
	}
	got := map[string][]int{}
	for _, e := range inv.wait(t, RouteDefault, clients*frames) {
		var m struct{ Client, Seq int }
		json.Unmarshal([]byte(e.Event.Body), &m)
		id := e.Event.RequestContext.ConnectionID
		got[id] = append(got[id], m.Seq)
	}
	want := make([]int, frames)
	for i := range want {
		want[i] = i
	}
	for id, seqs := range got {
		if diff := cmp.Diff(want, seqs); diff != "" {
			t.Errorf("connection %s order (-want +got):\n%s", id, diff)
		}
	}
	if len(got) != clients {
		t.Errorf("frames came from %d connections, want %d", len(got), clients)
	}
	if overlap.Load() {
		t.Error("invocations of one connection overlapped")
	}
}
