package wsgw

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi/types"
	"github.com/coder/websocket"
	"github.com/google/go-cmp/cmp"
)

// TestManagementAPI drives the @connections API with the real AWS SDK client.
func TestManagementAPI(t *testing.T) {
	inv := &fakeInvoker{}
	gw, srv := startGateway(t, Config{Invoker: inv, MaxMessageBytes: 4096})
	start := time.Now().Truncate(time.Millisecond)
	hdr := http.Header{}
	hdr.Set("User-Agent", "agent/1.0")
	c := dial(t, srv, "m", hdr)
	id := inv.connectionID(t, "m")
	api := management(srv)
	ctx := context.Background()
	post := func(data []byte) error {
		_, err := api.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String(id), Data: data})
		return err
	}

	// PostToConnection delivers text, and bytes that are not UTF-8 as binary.
	if err := post([]byte(`{"type":"message","text":"hé"}`)); err != nil {
		t.Fatalf("post text: %v", err)
	}
	if err := post([]byte{0xff, 0x00}); err != nil {
		t.Fatalf("post binary: %v", err)
	}
	full := strings.Repeat("y", 4096)
	if err := post([]byte(full)); err != nil {
		t.Fatalf("post at the limit: %v", err)
	}
	got := []string{c.next(t), c.next(t), c.next(t)}
	want := []string{`MessageText:{"type":"message","text":"hé"}`, "MessageBinary:\xff\x00", "MessageText:" + full}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("client frames (-want +got):\n%s", diff)
	}

	// Over the limit: 413 PayloadTooLargeException, nothing delivered.
	err := post([]byte(full + "!"))
	var tooLarge *types.PayloadTooLargeException
	if !errors.As(err, &tooLarge) {
		t.Errorf("oversize post: err = %v, want PayloadTooLargeException", err)
	}

	// GetConnection reports identity and times.
	info, err := api.GetConnection(ctx, &apigatewaymanagementapi.GetConnectionInput{ConnectionId: aws.String(id)})
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	gotIdentity := []string{aws.ToString(info.Identity.SourceIp), aws.ToString(info.Identity.UserAgent)}
	if diff := cmp.Diff([]string{"127.0.0.1", "agent/1.0"}, gotIdentity); diff != "" {
		t.Errorf("identity sourceIp, userAgent (-want +got):\n%s", diff)
	}
	if info.ConnectedAt == nil || info.ConnectedAt.Before(start) || info.ConnectedAt.After(time.Now()) {
		t.Errorf("connectedAt = %v, want between %v and now", info.ConnectedAt, start)
	}
	if info.LastActiveAt == nil || info.LastActiveAt.Before(*info.ConnectedAt) {
		t.Errorf("lastActiveAt = %v, want at or after connectedAt %v", info.LastActiveAt, info.ConnectedAt)
	}

	// DeleteConnection closes the socket and delivers one $disconnect.
	if _, err := api.DeleteConnection(ctx, &apigatewaymanagementapi.DeleteConnectionInput{ConnectionId: aws.String(id)}); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if err := post([]byte("late")); !isGone(err) {
		t.Errorf("post right after delete: err = %v, want GoneException", err)
	}
	if code := c.waitClosed(t, 5*time.Second); code != websocket.StatusNormalClosure {
		t.Errorf("client close status = %v, want 1000", code)
	}
	d := inv.wait(t, RouteDisconnect, 1)[0].Event.RequestContext
	if d.ConnectionID != id || d.DisconnectStatusCode != 1000 || aws.ToString(d.DisconnectReason) != "Connection Closed Normally" {
		t.Errorf("$disconnect = %s %d %q", d.ConnectionID, d.DisconnectStatusCode, aws.ToString(d.DisconnectReason))
	}

	// Every operation on a closed or unknown connection is a typed 410.
	_, getErr := api.GetConnection(ctx, &apigatewaymanagementapi.GetConnectionInput{ConnectionId: aws.String(id)})
	_, delErr := api.DeleteConnection(ctx, &apigatewaymanagementapi.DeleteConnectionInput{ConnectionId: aws.String(id)})
	_, unknownErr := api.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String("AAAAAAAAAAAAAAA="), Data: []byte("x")})
	for name, err := range map[string]error{"get": getErr, "delete": delErr, "unknown": unknownErr} {
		if !isGone(err) {
			t.Errorf("%s after close: err = %v, want GoneException", name, err)
		}
	}

	s := gw.Stats()
	gotCalls := []int64{s.PostCalls, s.GetCalls, s.DeleteCalls, s.GoneResponses, s.FramesOut}
	if diff := cmp.Diff([]int64{6, 2, 2, 4, 3}, gotCalls); diff != "" {
		t.Errorf("post/get/delete/gone/framesOut (-want +got):\n%s", diff)
	}
}

func isGone(err error) bool {
	var gone *types.GoneException
	return errors.As(err, &gone)
}

// TestClientCloseMakesConnectionGone checks the window between a client's
// close and its $disconnect: the connection is already gone.
func TestClientCloseMakesConnectionGone(t *testing.T) {
	inv := &fakeInvoker{}
	_, srv := startGateway(t, Config{Invoker: inv})
	c := dial(t, srv, "bye", nil)
	id := inv.connectionID(t, "bye")
	if err := c.ws.Close(websocket.StatusNormalClosure, "bye"); err != nil {
		t.Fatal(err)
	}
	inv.wait(t, RouteDisconnect, 1)
	_, err := management(srv).PostToConnection(context.Background(), &apigatewaymanagementapi.PostToConnectionInput{
		ConnectionId: aws.String(id), Data: []byte("x"),
	})
	if !isGone(err) {
		t.Errorf("post after client close: err = %v, want GoneException", err)
	}
}
