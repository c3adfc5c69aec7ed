package wsgw

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/coder/websocket"
)

// requestTimeLayout is API Gateway's requestContext.requestTime format.
const requestTimeLayout = "02/Jan/2006:15:04:05 -0700"

var (
	errTimeout   = errors.New("integration timed out")
	errMalformed = errors.New("malformed Lambda proxy response")
)

// newID returns an identifier shaped like API Gateway's connection and
// request IDs: 11 random bytes in URL-safe base64, e.g. "L0SM9cOFvHcCIhw=".
func newID() string {
	var b [11]byte
	rand.Read(b[:])
	return base64.URLEncoding.EncodeToString(b[:])
}

// requestContext builds the requestContext shared by all three event types.
func (g *Gateway) requestContext(c *conn, route, eventType string, now time.Time) events.APIGatewayWebsocketProxyRequestContext {
	id := newID()
	return events.APIGatewayWebsocketProxyRequestContext{
		RouteKey:          route,
		EventType:         eventType,
		ExtendedRequestID: id,
		RequestID:         id,
		RequestTime:       now.UTC().Format(requestTimeLayout),
		RequestTimeEpoch:  now.UnixMilli(),
		MessageDirection:  "IN",
		Stage:             g.cfg.Stage,
		ConnectedAt:       c.connectedAt.UnixMilli(),
		Identity:          events.APIGatewayRequestIdentity{SourceIP: c.sourceIP, UserAgent: c.userAgent},
		DomainName:        c.domain,
		ConnectionID:      c.id,
		APIID:             g.cfg.APIID,
	}
}

// invoke sends event to the function of route and decodes its proxy
// response. It returns errTimeout, errMalformed or the Invoker's error.
func (g *Gateway) invoke(ctx context.Context, route string, event any) (events.APIGatewayProxyResponse, error) {
	var resp events.APIGatewayProxyResponse
	fn := g.cfg.Routes[route]
	payload, err := json.Marshal(event)
	if err != nil {
		return resp, fmt.Errorf("wsgw: encode %s event: %w", route, err)
	}
	ctx, cancel := context.WithTimeout(ctx, g.cfg.IntegrationTimeout)
	defer cancel()
	g.stats.invocations.Add(1)
	out, err := g.cfg.Invoker.Invoke(ctx, fn, payload)
	if err != nil {
		g.stats.invocationErrors.Add(1)
		if errors.Is(err, context.DeadlineExceeded) || ctx.Err() == context.DeadlineExceeded {
			return resp, fmt.Errorf("wsgw: invoke %s for %s: %w", fn, route, errTimeout)
		}
		return resp, fmt.Errorf("wsgw: invoke %s for %s: %w", fn, route, err)
	}
	out = bytes.TrimSpace(out)
	if len(out) == 0 || bytes.Equal(out, []byte("null")) {
		return resp, nil
	}
	var fnErr struct {
		ErrorMessage *string `json:"errorMessage"`
		ErrorType    string  `json:"errorType"`
	}
	if json.Unmarshal(out, &fnErr) == nil && fnErr.ErrorMessage != nil {
		g.stats.invocationErrors.Add(1)
		return resp, fmt.Errorf("wsgw: %s for %s returned a function error %s", fn, route, fnErr.ErrorType)
	}
	if err := json.Unmarshal(out, &resp); err != nil {
		return resp, fmt.Errorf("wsgw: %s for %s: %w: %v", fn, route, errMalformed, err)
	}
	return resp, nil
}

// selectRoute evaluates the route selection expression against a frame.
// Non-JSON frames, a missing field and a value naming no configured route
// all select $default; $connect and $disconnect cannot be selected.
func (g *Gateway) selectRoute(body []byte) string {
	if !json.Valid(body) {
		return RouteDefault
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return RouteDefault
	}
	for _, key := range g.selector {
		obj, ok := v.(map[string]any)
		if !ok {
			return RouteDefault
		}
		if v, ok = obj[key]; !ok {
			return RouteDefault
		}
	}
	var key string
	switch x := v.(type) {
	case string:
		key = x
	case json.Number:
		key = x.String()
	case bool:
		key = fmt.Sprint(x)
	case nil:
		return RouteDefault
	default: // objects and arrays are stringified, as API Gateway does
		b, _ := json.Marshal(x)
		key = string(b)
	}
	if key == RouteConnect || key == RouteDisconnect {
		return RouteDefault
	}
	if _, ok := g.cfg.Routes[key]; ok {
		return key
	}
	return RouteDefault
}

// dispatch delivers one text frame as a MESSAGE event. The function's
// response body is discarded: the template configures no route responses.
// When the route is missing or the invocation fails, the client receives
// API Gateway's error notice instead.
func (g *Gateway) dispatch(c *conn, body []byte) {
	route := g.selectRoute(body)
	rc := g.requestContext(c, route, "MESSAGE", time.Now())
	rc.MessageID = newID()
	if _, ok := g.cfg.Routes[route]; !ok {
		g.notify(c, "Forbidden", rc.RequestID)
		return
	}
	ev := events.APIGatewayWebsocketProxyRequest{RequestContext: rc, Body: string(body)}
	if _, err := g.invoke(g.baseCtx, route, ev); err != nil {
		g.log.Warn("message route failed", "connectionId", c.id, "route", route, "err", err)
		msg := "Internal server error"
		if errors.Is(err, errTimeout) {
			msg = "Endpoint request timed out"
		}
		g.notify(c, msg, rc.RequestID)
	}
}

// notify sends API Gateway's JSON error notice to the client, if it is
// still connected.
func (g *Gateway) notify(c *conn, message, requestID string) {
	if !c.isOpen() {
		return
	}
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	text := fmt.Sprintf(`{"message": %s, "connectionId":%s, "requestId":%s}`, q(message), q(c.id), q(requestID))
	if err := c.write(websocket.MessageText, []byte(text)); err != nil {
		g.log.Debug("notice not delivered", "connectionId", c.id, "err", err)
	}
}

// disconnect delivers the $disconnect event once, best-effort.
func (g *Gateway) disconnect(c *conn, why closeReason) {
	g.stats.disconnects.Add(1)
	g.log.Info("disconnected", "connectionId", c.id, "code", int(why.code))
	if _, ok := g.cfg.Routes[RouteDisconnect]; !ok {
		return
	}
	rc := g.requestContext(c, RouteDisconnect, "DISCONNECT", time.Now())
	rc.DisconnectStatusCode = int64(why.code)
	reason := why.reason
	rc.DisconnectReason = &reason
	// API Gateway sends these four headers with every $disconnect event.
	headers := map[string]string{"Host": c.domain, "x-api-key": "", "X-Forwarded-For": "", "x-restapi": ""}
	multi := make(map[string][]string, len(headers))
	for k, v := range headers {
		multi[k] = []string{v}
	}
	ev := events.APIGatewayWebsocketProxyRequest{Headers: headers, MultiValueHeaders: multi, RequestContext: rc}
	if _, err := g.invoke(g.baseCtx, RouteDisconnect, ev); err != nil {
		g.log.Warn("$disconnect failed", "connectionId", c.id, "err", err)
	}
}
