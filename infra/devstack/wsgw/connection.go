package wsgw

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// Close codes and reasons API Gateway reports (see doc.go for sources).
const (
	closeNormal     = websocket.StatusNormalClosure // 1000, DeleteConnection
	closeGoingAway  = websocket.StatusGoingAway     // 1001, idle timeout, max duration, shutdown
	closeBinary     = websocket.StatusUnsupportedData
	closeTooBig     = websocket.StatusMessageTooBig
	closeAbnormal   = websocket.StatusAbnormalClosure // 1006, peer vanished without a close frame
	reasonGoingAway = "Going away"
	reasonDeleted   = "Connection Closed Normally"
	reasonBinary    = "Binary frames are not supported"
	reasonTooBig    = "Message too big"
)

// frameQueue is how many received frames may wait for their invocation
// before the reader stops reading (back-pressure on a fast client).
const frameQueue = 16

// writeTimeout bounds one frame write to a slow client.
const writeTimeout = 10 * time.Second

const (
	statePending int32 = iota // $connect running; management calls get 410
	stateOpen                 // upgraded; management calls reach the client
	stateClosing              // a close was decided; management calls get 410
	stateClosed               // socket gone; $disconnect pending or done
)

// closeReason is a WebSocket close code and its reason text.
type closeReason struct {
	code   websocket.StatusCode
	reason string
}

// conn is one client connection, from its $connect to its $disconnect.
type conn struct {
	g           *Gateway
	id          string
	domain      string
	sourceIP    string
	userAgent   string
	connectedAt time.Time

	ws         *websocket.Conn // set before state becomes stateOpen
	state      atomic.Int32
	lastActive atomic.Int64 // unix nanoseconds of the last data frame either way

	accepting atomic.Bool      // $connect said yes; the 101 response is being written
	ready     chan struct{}    // closed once the upgrade completed or failed
	closeReq  chan closeReason // buffered(1); the first close request wins
	done      chan struct{}    // closed when the reader has stopped

	causeMu sync.Mutex
	cause   *closeReason // why the connection ended, first writer wins
}

func (c *conn) isOpen() bool { return c.state.Load() == stateOpen }

func (c *conn) touch(t time.Time) { c.lastActive.Store(t.UnixNano()) }

func (c *conn) lastActiveAt() time.Time { return time.Unix(0, c.lastActive.Load()) }

// requestClose asks the connection to close with the given code. Management
// calls see the connection as gone from this point on.
func (c *conn) requestClose(code websocket.StatusCode, reason string) {
	c.state.CompareAndSwap(stateOpen, stateClosing)
	select {
	case c.closeReq <- closeReason{code, reason}:
	default:
	}
}

// dropNow closes the socket without a close handshake.
func (c *conn) dropNow() {
	if s := c.state.Load(); s == stateOpen || s == stateClosing {
		c.ws.CloseNow()
	}
}

// setCause records why the connection ends unless a cause is already known.
func (c *conn) setCause(r closeReason) {
	c.causeMu.Lock()
	defer c.causeMu.Unlock()
	if c.cause == nil {
		c.cause = &r
	}
}

func (c *conn) getCause() closeReason {
	c.causeMu.Lock()
	defer c.causeMu.Unlock()
	return *c.cause
}

// write sends one data frame to the client.
func (c *conn) write(typ websocket.MessageType, data []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	if err := c.ws.Write(ctx, typ, data); err != nil {
		return err
	}
	c.touch(time.Now())
	c.g.stats.framesOut.Add(1)
	return nil
}

// run serves an upgraded connection until it closes, then delivers
// $disconnect and unregisters it. Frames are handed to a single worker, so
// one connection's invocations happen one at a time, in arrival order.
func (c *conn) run(ws *websocket.Conn) {
	defer c.g.unregister(c)
	ws.SetReadLimit(int64(c.g.cfg.MaxMessageBytes))
	c.ws = ws
	c.touch(time.Now())
	c.state.Store(stateOpen)
	close(c.ready)
	c.g.stats.opened()
	c.g.log.Info("connected", "connectionId", c.id, "sourceIp", c.sourceIP)

	frames := make(chan []byte, frameQueue)
	workerDone := make(chan struct{})
	superDone := make(chan struct{})
	go c.work(frames, workerDone)
	go c.supervise(superDone)

	c.read(frames)
	c.state.Store(stateClosed)
	c.g.stats.connections.Add(-1)
	close(frames)
	close(c.done)
	<-superDone
	<-workerDone
	ws.CloseNow()
	c.g.disconnect(c, c.getCause())
}

// read receives frames until the socket fails or closes, and records why.
func (c *conn) read(frames chan<- []byte) {
	for {
		typ, data, err := c.ws.Read(context.Background())
		if err != nil {
			c.setCause(causeOf(err))
			return
		}
		c.touch(time.Now())
		c.g.stats.framesIn.Add(1)
		if typ != websocket.MessageText {
			c.setCause(closeReason{closeBinary, reasonBinary})
			c.state.CompareAndSwap(stateOpen, stateClosing)
			c.ws.Close(closeBinary, reasonBinary)
			continue // the next Read reports the closed socket
		}
		frames <- data
	}
}

// causeOf maps a read error to the close code API Gateway would report.
func causeOf(err error) closeReason {
	var ce websocket.CloseError
	switch {
	case errors.As(err, &ce):
		return closeReason{ce.Code, ce.Reason}
	case errors.Is(err, websocket.ErrMessageTooBig):
		return closeReason{closeTooBig, reasonTooBig}
	default:
		return closeReason{closeAbnormal, ""}
	}
}

// work invokes the route of each frame in order.
func (c *conn) work(frames <-chan []byte, done chan<- struct{}) {
	defer close(done)
	for data := range frames {
		c.g.dispatch(c, data)
	}
}

// supervise enforces the idle timeout and maximum duration and carries out
// close requests (DeleteConnection, Shutdown).
func (c *conn) supervise(done chan<- struct{}) {
	defer close(done)
	cfg := c.g.cfg
	timer := time.NewTimer(min(cfg.IdleTimeout, cfg.MaxDuration))
	defer timer.Stop()
	for {
		select {
		case <-c.done:
			return
		case r := <-c.closeReq:
			c.closeWith(r)
			return
		case now := <-timer.C:
			idleAt := c.lastActiveAt().Add(cfg.IdleTimeout)
			endAt := c.connectedAt.Add(cfg.MaxDuration)
			if !now.Before(idleAt) || !now.Before(endAt) {
				c.closeWith(closeReason{closeGoingAway, reasonGoingAway})
				return
			}
			next := idleAt
			if endAt.Before(next) {
				next = endAt
			}
			timer.Reset(next.Sub(now))
		}
	}
}

// closeWith performs the close handshake with the client.
func (c *conn) closeWith(r closeReason) {
	c.setCause(r)
	c.state.CompareAndSwap(stateOpen, stateClosing)
	c.ws.Close(r.code, r.reason)
}
