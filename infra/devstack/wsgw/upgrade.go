package wsgw

import (
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/coder/websocket"
)

// serveUpgrade runs the $connect route for a WebSocket handshake and only
// completes the upgrade when the function answers 2xx. The connection stays
// pending (management calls get 410) until then, as in API Gateway.
func (g *Gateway) serveUpgrade(w http.ResponseWriter, r *http.Request) {
	if code, msg := checkHandshake(r); code != 0 {
		w.Header().Set("Connection", "Upgrade")
		w.Header().Set("Upgrade", "websocket")
		http.Error(w, msg, code)
		return
	}
	c := g.newConn(r)
	if !g.register(c) {
		http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
		return
	}
	resp, status := g.connect(c, r)
	if status/100 != 2 || g.isClosing() {
		if status/100 == 2 {
			status = http.StatusServiceUnavailable
		}
		g.stats.rejected.Add(1)
		g.unregister(c)
		g.log.Info("connect refused", "connectionId", c.id, "status", status)
		g.reject(w, resp, status)
		return
	}
	opts := &websocket.AcceptOptions{
		InsecureSkipVerify: true, // Origin checks belong to the $connect function, as in API Gateway.
		Subprotocols:       headerValues(resp, "Sec-Websocket-Protocol"),
	}
	copyHeaders(w.Header(), resp)
	c.accepting.Store(true)
	ws, err := websocket.Accept(w, r, opts)
	if err != nil {
		close(c.ready)
		g.stats.rejected.Add(1)
		g.unregister(c)
		g.log.Warn("upgrade failed", "connectionId", c.id, "err", err)
		return
	}
	c.run(ws)
}

// newConn describes the connection a handshake request would open.
func (g *Gateway) newConn(r *http.Request) *conn {
	domain := g.cfg.DomainName
	if domain == "" {
		domain = r.Host
	}
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	return &conn{
		g:           g,
		id:          newID(),
		domain:      domain,
		sourceIP:    ip,
		userAgent:   r.UserAgent(),
		connectedAt: time.Now(),
		ready:       make(chan struct{}),
		closeReq:    make(chan closeReason, 1),
		done:        make(chan struct{}),
	}
}

// connect invokes $connect, when configured, and returns the function's
// response with the HTTP status the handshake should get: the function's
// statusCode, 500 when the invocation failed, 502 when its response has no
// statusCode or cannot be decoded.
func (g *Gateway) connect(c *conn, r *http.Request) (events.APIGatewayProxyResponse, int) {
	if _, ok := g.cfg.Routes[RouteConnect]; !ok {
		return events.APIGatewayProxyResponse{}, http.StatusOK
	}
	ev := events.APIGatewayWebsocketProxyRequest{
		RequestContext: g.requestContext(c, RouteConnect, "CONNECT", c.connectedAt),
	}
	ev.Headers, ev.MultiValueHeaders = connectHeaders(r)
	if q := r.URL.Query(); len(q) > 0 {
		ev.QueryStringParameters = make(map[string]string, len(q))
		ev.MultiValueQueryStringParameters = make(map[string][]string, len(q))
		for k, vs := range q {
			ev.QueryStringParameters[k] = vs[len(vs)-1]
			ev.MultiValueQueryStringParameters[k] = vs
		}
	}
	resp, err := g.invoke(g.baseCtx, RouteConnect, ev)
	switch {
	case errors.Is(err, errMalformed):
		g.log.Warn("$connect response malformed", "connectionId", c.id, "err", err)
		return resp, http.StatusBadGateway
	case err != nil:
		g.log.Warn("$connect failed", "connectionId", c.id, "err", err)
		return resp, http.StatusInternalServerError
	case resp.StatusCode < 100 || resp.StatusCode > 599:
		g.log.Warn("$connect response has no valid statusCode", "connectionId", c.id, "statusCode", resp.StatusCode)
		return resp, http.StatusBadGateway
	}
	return resp, resp.StatusCode
}

// connectHeaders returns the handshake headers as API Gateway passes them:
// the last value of each header, and all values, plus Host and the
// X-Forwarded-* headers its load balancer adds.
func connectHeaders(r *http.Request) (map[string]string, map[string][]string) {
	single := make(map[string]string, len(r.Header)+4)
	multi := make(map[string][]string, len(r.Header)+4)
	add := func(k string, vs []string) {
		single[k] = vs[len(vs)-1]
		multi[k] = append([]string(nil), vs...)
	}
	add("Host", []string{r.Host})
	for k, vs := range r.Header {
		if len(vs) > 0 {
			add(k, vs)
		}
	}
	if ip, _, err := net.SplitHostPort(r.RemoteAddr); err == nil && r.Header.Get("X-Forwarded-For") == "" {
		add("X-Forwarded-For", []string{ip})
	}
	if r.Header.Get("X-Forwarded-Proto") == "" {
		add("X-Forwarded-Proto", []string{"http"})
	}
	if _, port, err := net.SplitHostPort(r.Host); err == nil && r.Header.Get("X-Forwarded-Port") == "" {
		add("X-Forwarded-Port", []string{port})
	}
	return single, multi
}

// reject answers a refused handshake with the function's status, headers
// and body and no upgrade.
func (g *Gateway) reject(w http.ResponseWriter, resp events.APIGatewayProxyResponse, status int) {
	copyHeaders(w.Header(), resp)
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		if b, err := base64.StdEncoding.DecodeString(resp.Body); err == nil {
			body = b
		}
	}
	if len(body) == 0 {
		body = []byte(http.StatusText(status))
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// hopHeaders are owned by the handshake and never copied from a response.
var hopHeaders = map[string]bool{
	"Connection": true, "Upgrade": true, "Content-Length": true, "Transfer-Encoding": true,
	"Sec-Websocket-Accept": true, "Sec-Websocket-Extensions": true, "Sec-Websocket-Protocol": true,
}

// copyHeaders copies the function's response headers into h.
func copyHeaders(h http.Header, resp events.APIGatewayProxyResponse) {
	for k, v := range resp.Headers {
		if !hopHeaders[http.CanonicalHeaderKey(k)] {
			h.Set(k, v)
		}
	}
	for k, vs := range resp.MultiValueHeaders {
		if hopHeaders[http.CanonicalHeaderKey(k)] {
			continue
		}
		h.Del(k)
		for _, v := range vs {
			h.Add(k, v)
		}
	}
}

// headerValues returns the comma-separated values of a response header.
func headerValues(resp events.APIGatewayProxyResponse, name string) []string {
	var out []string
	for k, v := range resp.Headers {
		if strings.EqualFold(k, name) {
			for _, p := range strings.Split(v, ",") {
				if p = strings.TrimSpace(p); p != "" {
					out = append(out, p)
				}
			}
		}
	}
	return out
}

// checkHandshake validates a WebSocket opening handshake (RFC 6455 §4.2.1)
// before any function runs. It returns 0 when the request is acceptable.
func checkHandshake(r *http.Request) (int, string) {
	if !headerHasToken(r.Header, "Connection", "upgrade") || !headerHasToken(r.Header, "Upgrade", "websocket") {
		return http.StatusUpgradeRequired, "Upgrade Required"
	}
	if r.Method != http.MethodGet || !r.ProtoAtLeast(1, 1) {
		return http.StatusBadRequest, "WebSocket handshake must be an HTTP/1.1 GET"
	}
	if r.Header.Get("Sec-WebSocket-Version") != "13" {
		return http.StatusBadRequest, "Sec-WebSocket-Version must be 13"
	}
	keys := r.Header.Values("Sec-WebSocket-Key")
	if len(keys) != 1 {
		return http.StatusBadRequest, "exactly one Sec-WebSocket-Key is required"
	}
	if k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(keys[0])); err != nil || len(k) != 16 {
		return http.StatusBadRequest, "Sec-WebSocket-Key must be 16 bytes in base64"
	}
	return 0, ""
}

func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}
