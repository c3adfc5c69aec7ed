package chatclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"
)

// HTTP is the client of the REST calls; its transport keeps enough idle
// connections for a load test.
var HTTP = &http.Client{Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}}

// Do sends a JSON request (body nil for none) with optional Origin and
// bearer token, and returns the status and the body.
func Do(ctx context.Context, method, url, origin, bearer string, body any) (int, []byte, error) {
	return DoWith(ctx, HTTP, method, url, origin, bearer, body)
}

// FromAddr returns an HTTP client whose connections come from the loopback
// address ip (e.g. "127.0.0.2"), so the API sees another client address:
// rate limits per address can be tested from one machine.
func FromAddr(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 10 * time.Second}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 16}}
}

// DoWith is Do with the given client.
func DoWith(ctx context.Context, client *http.Client, method, url, origin, bearer string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	return resp.StatusCode, data, err
}

// postFor posts body and decodes a 2xx answer into out.
func postFor(ctx context.Context, url, origin string, body, out any) error {
	status, data, err := Do(ctx, http.MethodPost, url, origin, "", body)
	if err != nil {
		return err
	}
	if status/100 != 2 {
		return fmt.Errorf("chatclient: POST %s: %d %s", url, status, data)
	}
	return json.Unmarshal(data, out)
}

// VisitorToken asks for a new visitor identity as the widget does (POST
// /v1/sites/{site}/visitors from the site's origin) and returns its token
// and visitor id.
func VisitorToken(ctx context.Context, restURL, site, origin string) (token, visitor string, err error) {
	var out struct{ Token, Visitor string }
	err = postFor(ctx, restURL+"/v1/sites/"+url.PathEscape(site)+"/visitors", origin, struct{}{}, &out)
	return out.Token, out.Visitor, err
}

// Login opens an operator session (POST /v1/console/login) and returns its
// token.
func Login(ctx context.Context, restURL, email, password string) (string, error) {
	var out struct{ Token string }
	err := postFor(ctx, restURL+"/v1/console/login", "", map[string]string{"email": email, "password": password}, &out)
	return out.Token, err
}

// DialVisitor connects a visitor's tab to site with token and says hello.
func DialVisitor(ctx context.Context, wsURL, site, token string, opts Options) (*Client, error) {
	c, _, err := Dial(ctx, wsURL, url.Values{"site": {site}, "token": {token}}, opts)
	if err != nil {
		return nil, fmt.Errorf("chatclient: visitor: %w", err)
	}
	if _, err := c.Request(ctx, Frame{"action": "hello"}); err != nil {
		c.CloseNow()
		return nil, err
	}
	return c, nil
}

// DialOperator connects an operator's console with a session token, goes
// online (heartbeat) and says hello.
func DialOperator(ctx context.Context, wsURL, token string, opts Options) (*Client, error) {
	c, _, err := Dial(ctx, wsURL, url.Values{"role": {"operator"}, "token": {token}}, opts)
	if err != nil {
		return nil, fmt.Errorf("chatclient: operator: %w", err)
	}
	for _, f := range []Frame{{"action": "heartbeat", "state": "online"}, {"action": "hello"}} {
		if _, err := c.Request(ctx, f); err != nil {
			c.CloseNow()
			return nil, err
		}
	}
	return c, nil
}

// Conversation is the conversation member of a hello or conversation frame.
type Conversation struct {
	ID, Status, Operator string
	Position             int64
	Seq                  int64
}

// ConversationOf reads a frame's conversation member.
func ConversationOf(f Frame) Conversation {
	c := f.Obj("conversation")
	return Conversation{ID: c.Str("id"), Status: c.Str("status"), Operator: c.Obj("operator").Str("id"),
		Position: c.Int("position"), Seq: c.Int("seq")}
}

// Start opens (or reopens) the visitor's conversation.
func (c *Client) Start(ctx context.Context, name string) (Conversation, error) {
	f, err := c.Request(ctx, Frame{"action": "start", "name": name})
	if err != nil {
		return Conversation{}, err
	}
	return ConversationOf(f), nil
}

// Ack is the answer to a send.
type Ack struct {
	Seq       int64
	Duplicate bool
}

// SendText sends a message with a client id and waits for its ack.
func (c *Client) SendText(ctx context.Context, conv, clientID, text string) (Ack, error) {
	f, err := c.Request(ctx, Frame{"action": "send", "conversation": conv, "client_id": clientID, "text": text})
	if err != nil {
		return Ack{}, err
	}
	dup, _ := f["duplicate"].(bool)
	return Ack{Seq: f.Int("seq"), Duplicate: dup}, nil
}

// Message is one line of a conversation as frames carry it.
type Message struct {
	Seq      int64
	ClientID string
	Author   string
	Text     string
}

// MessageOf reads a message object.
func MessageOf(m Frame) Message {
	return Message{Seq: m.Int("seq"), ClientID: m.Str("client_id"), Author: m.Str("author"), Text: m.Str("text")}
}

// History returns every message of a conversation in sequence order,
// paging backwards from the last page.
func (c *Client) History(ctx context.Context, conv string) ([]Message, error) {
	var pages [][]Message
	before := int64(0)
	for {
		req := Frame{"action": "history", "conversation": conv, "limit": 100}
		if before > 0 {
			req["before"] = before
		}
		f, err := c.Request(ctx, req)
		if err != nil {
			return nil, err
		}
		msgs, _ := f["messages"].([]any)
		var page []Message
		for _, m := range msgs {
			if mf, ok := m.(map[string]any); ok {
				page = append(page, MessageOf(mf))
			}
		}
		pages = append(pages, page)
		more, _ := f["more"].(bool)
		if !more || len(page) == 0 {
			break
		}
		before = page[0].Seq
		for _, m := range page {
			before = min(before, m.Seq)
		}
	}
	var out []Message
	for i := len(pages) - 1; i >= 0; i-- {
		out = append(out, pages[i]...)
	}
	return out, nil
}
