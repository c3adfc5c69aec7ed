// Package chatclient is a scripted client of the Live Help chat: a visitor's
// widget or an operator's console speaking functions/chat/PROTOCOL.md over a
// real WebSocket, plus the two REST calls that give them tokens. The
// benchmark (infra/bench), the fault test (infra/faults) and the security
// tests (infra/security) drive the local runner with it.
package chatclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// Frame is one JSON frame, either way.
type Frame map[string]any

// Str returns the string member name ("" when absent or not a string).
func (f Frame) Str(name string) string { s, _ := f[name].(string); return s }

// Int returns the numeric member name as an int64 (0 when absent).
func (f Frame) Int(name string) int64 { n, _ := f[name].(float64); return int64(n) }

// Obj returns the object member name (nil when absent).
func (f Frame) Obj(name string) Frame { m, _ := f[name].(map[string]any); return m }

// Options configure Dial.
type Options struct {
	// Origin is sent as the Origin header when set (a browser); leave it
	// empty for a program.
	Origin string
	// OnFrame, when set, is called from the reading goroutine with every
	// frame and the time it arrived, before it is stored.
	OnFrame func(f Frame, at time.Time)
	// Keep is how many frames the client keeps for Wait (default 10000;
	// older ones are dropped).
	Keep int
}

// Client is one WebSocket connection to the chat. Its methods are safe for
// concurrent use.
type Client struct {
	conn *websocket.Conn
	opts Options
	ids  atomic.Int64

	mu      sync.Mutex
	frames  []Frame
	dropped int // frames dropped from the front beyond Keep
	notify  chan struct{}
	done    chan struct{}
	readErr error
}

// ErrClosed is returned by Wait once the connection has ended.
var ErrClosed = errors.New("chatclient: connection closed")

// Dial connects to wsURL (ws://…/live) with query (site and token, or
// role=operator and token). On a refused handshake it returns the HTTP
// response, whose StatusCode is what $connect answered.
func Dial(ctx context.Context, wsURL string, query url.Values, opts Options) (*Client, *http.Response, error) {
	header := http.Header{}
	if opts.Origin != "" {
		header.Set("Origin", opts.Origin)
	}
	conn, resp, err := websocket.Dial(ctx, wsURL+"?"+query.Encode(), &websocket.DialOptions{HTTPHeader: header})
	if err != nil {
		return nil, resp, err
	}
	conn.SetReadLimit(512 << 10)
	if opts.Keep <= 0 {
		opts.Keep = 10000
	}
	c := &Client{conn: conn, opts: opts, notify: make(chan struct{}), done: make(chan struct{})}
	go c.read()
	return c, resp, nil
}

// read stores frames until the connection ends.
func (c *Client) read() {
	defer close(c.done)
	for {
		_, data, err := c.conn.Read(context.Background())
		if err != nil {
			c.mu.Lock()
			c.readErr = err
			c.wake()
			c.mu.Unlock()
			return
		}
		at := time.Now()
		var f Frame
		if err := json.Unmarshal(data, &f); err != nil {
			f = Frame{"type": "_invalid", "raw": string(data)}
		}
		if c.opts.OnFrame != nil {
			c.opts.OnFrame(f, at)
		}
		c.mu.Lock()
		c.frames = append(c.frames, f)
		if over := len(c.frames) - c.opts.Keep; over > 0 {
			c.frames = append([]Frame(nil), c.frames[over:]...)
			c.dropped += over
		}
		c.wake()
		c.mu.Unlock()
	}
}

// wake tells waiters that frames changed; c.mu is held.
func (c *Client) wake() {
	close(c.notify)
	c.notify = make(chan struct{})
}

// Send writes one frame.
func (c *Client) Send(ctx context.Context, f Frame) error {
	data, err := json.Marshal(f)
	if err != nil {
		return err
	}
	return c.conn.Write(ctx, websocket.MessageText, data)
}

// Request sends f with a fresh request id and waits for the frame that
// answers it (its "re"). An error frame is returned as a *FrameError.
func (c *Client) Request(ctx context.Context, f Frame) (Frame, error) {
	id := fmt.Sprintf("r%d", c.ids.Add(1))
	f["id"] = id
	from := c.Len()
	if err := c.Send(ctx, f); err != nil {
		return nil, err
	}
	got, _, err := c.Wait(ctx, from, func(g Frame) bool { return g.Str("re") == id })
	if err != nil {
		return nil, fmt.Errorf("chatclient: %s: %w", f.Str("action"), err)
	}
	if got.Str("type") == "error" {
		return got, &FrameError{Code: got.Str("code"), Message: got.Str("message"), Frame: got}
	}
	return got, nil
}

// FrameError is an error frame answering a request.
type FrameError struct {
	Code, Message string
	Frame         Frame
}

// Error implements error.
func (e *FrameError) Error() string { return "chatclient: error frame " + e.Code + ": " + e.Message }

// Len returns the number of frames received so far (an index for Wait).
func (c *Client) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.dropped + len(c.frames)
}

// Frames returns the frames kept, oldest first.
func (c *Client) Frames() []Frame {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Frame(nil), c.frames...)
}

// Wait returns the first frame at index from or later that matches, and its
// index, waiting until ctx ends or the connection closes.
func (c *Client) Wait(ctx context.Context, from int, match func(Frame) bool) (Frame, int, error) {
	for {
		c.mu.Lock()
		start := max(from-c.dropped, 0)
		for i := start; i < len(c.frames); i++ {
			if match(c.frames[i]) {
				f := c.frames[i]
				c.mu.Unlock()
				return f, c.dropped + i, nil
			}
		}
		notify, readErr := c.notify, c.readErr
		c.mu.Unlock()
		if readErr != nil {
			return nil, -1, fmt.Errorf("%w: %v", ErrClosed, readErr)
		}
		select {
		case <-notify:
		case <-ctx.Done():
			return nil, -1, ctx.Err()
		}
	}
}

// Type matches frames of one type.
func Type(typ string) func(Frame) bool {
	return func(f Frame) bool { return f.Str("type") == typ }
}

// Closed reports whether the connection has ended.
func (c *Client) Closed() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// Close closes the connection normally and waits briefly for the reader.
func (c *Client) Close() error {
	err := c.conn.Close(websocket.StatusNormalClosure, "")
	select {
	case <-c.done:
	case <-time.After(2 * time.Second):
		c.conn.CloseNow()
	}
	return err
}

// CloseNow drops the connection without a close handshake.
func (c *Client) CloseNow() { _ = c.conn.CloseNow() }
