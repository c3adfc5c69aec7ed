package wsgw

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/coder/websocket"
)

// managementTimeLayout is the ISO 8601 form of GetConnection timestamps.
const managementTimeLayout = "2006-01-02T15:04:05.000Z"

// serveManagement implements the @connections API (restJson1 wire format of
// the apigatewaymanagementapi service). Requests are not authenticated.
func (g *Gateway) serveManagement(w http.ResponseWriter, r *http.Request, prefix string) {
	id := strings.TrimPrefix(r.URL.Path, prefix)
	if id == "" || strings.Contains(id, "/") {
		writeError(w, http.StatusForbidden, "ForbiddenException", "Forbidden")
		return
	}
	switch r.Method {
	case http.MethodPost:
		g.stats.posts.Add(1)
		g.postToConnection(w, r, id)
	case http.MethodGet:
		g.stats.gets.Add(1)
		g.getConnection(w, id)
	case http.MethodDelete:
		g.stats.deletes.Add(1)
		g.deleteConnection(w, id)
	default:
		writeError(w, http.StatusForbidden, "ForbiddenException", "Forbidden")
	}
}

// postToConnection sends the request body to the client as one frame: a
// text frame when the body is valid UTF-8, otherwise a binary frame.
func (g *Gateway) postToConnection(w http.ResponseWriter, r *http.Request, id string) {
	max := g.cfg.MaxMessageBytes
	data, err := io.ReadAll(io.LimitReader(r.Body, int64(max)+1))
	if err != nil {
		writeError(w, http.StatusBadRequest, "BadRequestException", "could not read request body")
		return
	}
	if len(data) > max {
		writeError(w, http.StatusRequestEntityTooLarge, "PayloadTooLargeException", "Message too long")
		return
	}
	c := g.lookup(id)
	if c == nil {
		g.gone(w)
		return
	}
	typ := websocket.MessageText
	if !utf8.Valid(data) {
		typ = websocket.MessageBinary
	}
	if err := c.write(typ, data); err != nil {
		g.log.Debug("post failed", "connectionId", id, "err", err)
		g.gone(w)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// connectionInfo is the GetConnection response document.
type connectionInfo struct {
	ConnectedAt  string       `json:"connectedAt"`
	Identity     identityInfo `json:"identity"`
	LastActiveAt string       `json:"lastActiveAt"`
}

type identityInfo struct {
	SourceIP  string `json:"sourceIp"`
	UserAgent string `json:"userAgent"`
}

func (g *Gateway) getConnection(w http.ResponseWriter, id string) {
	c := g.lookup(id)
	if c == nil {
		g.gone(w)
		return
	}
	writeJSON(w, http.StatusOK, connectionInfo{
		ConnectedAt:  c.connectedAt.UTC().Format(managementTimeLayout),
		Identity:     identityInfo{SourceIP: c.sourceIP, UserAgent: c.userAgent},
		LastActiveAt: c.lastActiveAt().UTC().Format(managementTimeLayout),
	})
}

// deleteConnection answers 204 at once; the close handshake and the
// $disconnect event follow asynchronously.
func (g *Gateway) deleteConnection(w http.ResponseWriter, id string) {
	c := g.lookup(id)
	if c == nil {
		g.gone(w)
		return
	}
	c.requestClose(closeNormal, reasonDeleted)
	w.WriteHeader(http.StatusNoContent)
}

func (g *Gateway) gone(w http.ResponseWriter) {
	g.stats.gone.Add(1)
	writeError(w, http.StatusGone, "GoneException", "Gone")
}

// writeError writes an API Gateway error: the type in x-amzn-ErrorType
// (which the SDK maps to a typed error) and a {"message": ...} body.
func writeError(w http.ResponseWriter, status int, typ, message string) {
	w.Header().Set("x-amzn-ErrorType", typ)
	writeJSON(w, status, struct {
		Message string `json:"message"`
	}{message})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

// Stats is a snapshot of the gateway's counters, for benchmarks and tests.
type Stats struct {
	Connections      int64 // open now
	PeakConnections  int64 // most open at once
	Connected        int64 // upgrades completed
	Rejected         int64 // handshakes refused ($connect non-2xx, errors, shutdown)
	Disconnected     int64 // connections ended ($disconnect attempted when configured)
	FramesIn         int64 // data frames received from clients
	FramesOut        int64 // data frames sent to clients
	Invocations      int64 // function invocations started
	InvocationErrors int64 // invocations that failed
	PostCalls        int64 // @connections POST (PostToConnection)
	GetCalls         int64 // @connections GET (GetConnection)
	DeleteCalls      int64 // @connections DELETE (DeleteConnection)
	GoneResponses    int64 // 410 answers
}

// Stats returns a snapshot of the counters.
func (g *Gateway) Stats() Stats {
	s := &g.stats
	return Stats{
		Connections:      s.connections.Load(),
		PeakConnections:  s.peak.Load(),
		Connected:        s.connected.Load(),
		Rejected:         s.rejected.Load(),
		Disconnected:     s.disconnects.Load(),
		FramesIn:         s.framesIn.Load(),
		FramesOut:        s.framesOut.Load(),
		Invocations:      s.invocations.Load(),
		InvocationErrors: s.invocationErrors.Load(),
		PostCalls:        s.posts.Load(),
		GetCalls:         s.gets.Load(),
		DeleteCalls:      s.deletes.Load(),
		GoneResponses:    s.gone.Load(),
	}
}

// counters are the live values behind Stats.
type counters struct {
	connections, peak, connected, rejected, disconnects atomic.Int64
	framesIn, framesOut, invocations, invocationErrors  atomic.Int64
	posts, gets, deletes, gone                          atomic.Int64
}

// opened counts a completed upgrade and maintains the peak.
func (s *counters) opened() {
	s.connected.Add(1)
	n := s.connections.Add(1)
	for {
		p := s.peak.Load()
		if n <= p || s.peak.CompareAndSwap(p, n) {
			return
		}
	}
}
