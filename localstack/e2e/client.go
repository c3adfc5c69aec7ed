package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// API calls a deployment's REST API as the widget and the console do.
type API struct {
	base string
	http *http.Client
}

// NewAPI returns a client of the REST API at base (the RestApiUrl).
func NewAPI(base string) *API {
	return &API{base: base, http: &http.Client{Timeout: 30 * time.Second}}
}

// Response is a REST answer: its status, headers, raw body and, for
// error answers, the decoded {"error": {...}}.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	Err    APIError
}

// APIError is the body of every error answer.
type APIError struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields"`
}

// Pending reports whether the answer says the route does not exist:
// the feature is not deployed yet.
func (r *Response) Pending() bool {
	return r.Status == http.StatusNotFound && r.Err.Code == "not_found" && r.Err.Message == "No such route."
}

// Do sends a request with an optional JSON body and bearer token and
// decodes a 2xx JSON answer into out (when not nil).
func (a *API) Do(ctx context.Context, method, path, token string, in, out any) (*Response, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, body)
	if err != nil {
		return nil, err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return nil, err
	}
	r := &Response{Status: resp.StatusCode, Header: resp.Header, Body: data}
	if resp.StatusCode >= 300 {
		var eb struct {
			Error APIError `json:"error"`
		}
		_ = json.Unmarshal(data, &eb)
		r.Err = eb.Error
		return r, nil
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return r, fmt.Errorf("%s %s: decode %q: %w", method, path, clip(data), err)
		}
	}
	return r, nil
}

// Session is an operator's console login.
type Session struct {
	Token    string `json:"token"`
	Operator struct {
		ID    string `json:"id"`
		Site  string `json:"site"`
		Email string `json:"email"`
		Name  string `json:"name"`
		Role  string `json:"role"`
	} `json:"operator"`
}

// Login opens a console session.
func (a *API) Login(ctx context.Context, email, password string) (*Session, error) {
	var s Session
	r, err := a.Do(ctx, http.MethodPost, "/v1/console/login", "", map[string]string{"email": email, "password": password}, &s)
	if err != nil {
		return nil, err
	}
	if r.Status != http.StatusOK || s.Token == "" {
		return nil, fmt.Errorf("console login as %s: HTTP %d %s: %s", email, r.Status, r.Err.Code, r.Err.Message)
	}
	return &s, nil
}

// Logout ends a console session.
func (a *API) Logout(ctx context.Context, s *Session) error {
	r, err := a.Do(ctx, http.MethodPost, "/v1/console/logout", s.Token, nil, nil)
	if err == nil && r.Status != http.StatusNoContent && r.Status != http.StatusOK {
		err = fmt.Errorf("console logout: HTTP %d", r.Status)
	}
	return err
}

// Visitor is a visitor identity issued by the offline function.
type Visitor struct {
	ID    string `json:"visitor"`
	Token string `json:"token"`
}

// NewVisitor asks for a visitor token as the widget does on first use.
func (a *API) NewVisitor(ctx context.Context, site string) (*Visitor, error) {
	var v Visitor
	r, err := a.Do(ctx, http.MethodPost, "/v1/sites/"+url.PathEscape(site)+"/visitors", "", nil, &v)
	if err != nil {
		return nil, err
	}
	if r.Status != http.StatusCreated || v.Token == "" {
		return nil, fmt.Errorf("new visitor on %s: HTTP %d %s: %s", site, r.Status, r.Err.Code, r.Err.Message)
	}
	return &v, nil
}

// Frame is one JSON frame of the chat protocol.
type Frame map[string]any

// Str returns a string field ("" when absent or not a string).
func (f Frame) Str(key string) string { s, _ := f[key].(string); return s }

// Num returns a number field (0 when absent).
func (f Frame) Num(key string) float64 { n, _ := f[key].(float64); return n }

// Obj returns an object field (nil when absent).
func (f Frame) Obj(key string) Frame { m, _ := f[key].(map[string]any); return m }

// Socket is a WebSocket connection to the chat, with the frames it
// received kept until a test looks for them.
type Socket struct {
	conn *websocket.Conn

	mu      sync.Mutex
	backlog []Frame
	arrived chan struct{} // signalled (non-blocking) when a frame arrives
	err     error         // why reading stopped
}

// Dial connects to the chat at wsURL with the query parameters of the
// protocol (visitors: site and token; operators: role=operator and token).
// No Origin header is sent: the suite is not a browser. A refused
// connection returns the HTTP status API Gateway answered.
func Dial(ctx context.Context, wsURL string, query url.Values) (*Socket, int, error) {
	c, resp, err := websocket.Dial(ctx, wsURL+"?"+query.Encode(), nil)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		return nil, status, err
	}
	c.SetReadLimit(1 << 20)
	s := &Socket{conn: c, arrived: make(chan struct{}, 1)}
	go s.read()
	return s, http.StatusSwitchingProtocols, nil
}

func (s *Socket) read() {
	for {
		_, data, err := s.conn.Read(context.Background())
		s.mu.Lock()
		if err != nil {
			s.err = err
			s.mu.Unlock()
			s.signal()
			return
		}
		var f Frame
		if json.Unmarshal(data, &f) == nil {
			s.backlog = append(s.backlog, f)
		}
		s.mu.Unlock()
		s.signal()
	}
}

func (s *Socket) signal() {
	select {
	case s.arrived <- struct{}{}:
	default:
	}
}

// Send writes one frame.
func (s *Socket) Send(ctx context.Context, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.conn.Write(ctx, websocket.MessageText, data)
}

// Next returns (and removes) the first frame received so far or later for
// which match is true, waiting until ctx ends. Other frames stay for later
// calls, in order.
func (s *Socket) Next(ctx context.Context, match func(Frame) bool) (Frame, error) {
	for {
		s.mu.Lock()
		for i, f := range s.backlog {
			if match(f) {
				s.backlog = append(s.backlog[:i:i], s.backlog[i+1:]...)
				s.mu.Unlock()
				return f, nil
			}
		}
		err := s.err
		seen := len(s.backlog)
		s.mu.Unlock()
		if err != nil {
			return nil, fmt.Errorf("connection ended (%d other frames received): %w", seen, err)
		}
		select {
		case <-s.arrived:
		case <-ctx.Done():
			return nil, fmt.Errorf("no matching frame (%d other frames received): %w", seen, ctx.Err())
		}
	}
}

// Reply sends a frame with a request id and waits for the answer to it:
// the frame whose "re" is that id (an error frame included).
func (s *Socket) Reply(ctx context.Context, id string, frame map[string]any) (Frame, error) {
	frame["id"] = id
	if err := s.Send(ctx, frame); err != nil {
		return nil, err
	}
	return s.Next(ctx, func(f Frame) bool { return f.Str("re") == id })
}

// Close closes the connection with a normal closure; a connection the
// server already closed is not an error worth reporting in a cleanup.
func (s *Socket) Close() {
	_ = s.conn.Close(websocket.StatusNormalClosure, "e2e done")
}

// Type returns a match for frames of a type.
func Type(t string) func(Frame) bool { return func(f Frame) bool { return f.Str("type") == t } }

func clip(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}
