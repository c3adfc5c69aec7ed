package faults_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/livehelp/livehelp/infra/bench/chatclient"
	"github.com/livehelp/livehelp/infra/devstack/stack"
)

// Retry policy of the scripted clients, as a widget or console behaves: a
// request that fails or gets no answer is sent again with the same client
// id, on a new connection if the old one died.
const (
	attemptTimeout = 12 * time.Second
	attempts       = 6
)

// session is one participant's WebSocket, redialled when it dies.
type session struct {
	name string
	dial func(ctx context.Context) (*chatclient.Client, error)

	mu sync.Mutex
	c  *chatclient.Client
}

// client returns a live connection, dialling if needed.
func (s *session) client(ctx context.Context) (*chatclient.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.c != nil && !s.c.Closed() {
		return s.c, nil
	}
	c, err := s.dial(ctx)
	if err != nil {
		return nil, err
	}
	s.c = c
	return c, nil
}

// drop forgets the connection so the next request redials.
func (s *session) drop(c *chatclient.Client) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.c == c {
		s.c.CloseNow()
		s.c = nil
	}
}

// close closes the connection.
func (s *session) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.c != nil {
		s.c.CloseNow()
		s.c = nil
	}
}

// errPermanent marks an answer a retry cannot change.
var errPermanent = errors.New("permanent")

// do runs one request until it is answered, retrying what a client
// retries: internal errors, lost answers and dead connections. Any other
// error code is returned at once, wrapped in errPermanent.
func (s *session) do(ctx context.Context, req func(ctx context.Context, c *chatclient.Client) error) error {
	var last error
	for range attempts {
		if ctx.Err() != nil {
			break
		}
		actx, cancel := context.WithTimeout(ctx, attemptTimeout)
		c, err := s.client(actx)
		if err == nil {
			err = req(actx, c)
		}
		cancel()
		if err == nil {
			return nil
		}
		last = err
		var fe *chatclient.FrameError
		switch {
		case errors.As(err, &fe) && fe.Code == "unauthorized":
			if c != nil {
				s.drop(c)
			}
		case errors.As(err, &fe) && fe.Code != "internal":
			return fmt.Errorf("%s: %w: %w", s.name, errPermanent, err)
		case c != nil && (c.Closed() || errors.Is(err, context.DeadlineExceeded)):
			s.drop(c)
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("%s: gave up after %d attempts: %w", s.name, attempts, last)
}

// visitorSession dials a visitor's tab (and says hello) with retries.
func visitorSession(s *stack.Stack, name, site, token string) *session {
	return &session{name: name, dial: func(ctx context.Context) (*chatclient.Client, error) {
		return chatclient.DialVisitor(ctx, s.WebSocketURL, site, token, chatclient.Options{Origin: s.DemoOrigin})
	}}
}

// operatorSession dials an operator's console (online, hello).
func operatorSession(s *stack.Stack, name, token string) *session {
	return &session{name: name, dial: func(ctx context.Context) (*chatclient.Client, error) {
		return chatclient.DialOperator(ctx, s.WebSocketURL, token, chatclient.Options{})
	}}
}

// ack is one acknowledged write: a chat message, an offline form message
// or an emailed console reply.
type ack struct {
	conv, sender, clientID, text string
	seq                          int64 // 0 for a console reply
	kind                         string
}

// ledger records what the system acknowledged, and contradictions between
// two acknowledgements of the same client id.
type ledger struct {
	mu        sync.Mutex
	acks      map[string]ack // kind/conv/sender/client id → first ack
	conflicts []string
}

func newLedger() *ledger { return &ledger{acks: map[string]ack{}} }

// add records an acknowledgement.
func (l *ledger) add(a ack) {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := a.kind + "/" + a.conv + "/" + a.sender + "/" + a.clientID
	if old, ok := l.acks[k]; ok {
		if old.seq != a.seq {
			l.conflicts = append(l.conflicts, fmt.Sprintf("%s acknowledged as seq %d and then %d", k, old.seq, a.seq))
		}
		return
	}
	l.acks[k] = a
}

// all returns every acknowledgement.
func (l *ledger) all() []ack {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]ack, 0, len(l.acks))
	for _, a := range l.acks {
		out = append(out, a)
	}
	return out
}

// send sends one chat message until it is acknowledged and records it.
func (l *ledger) send(ctx context.Context, ss *session, conv, sender, cid, text string) error {
	return ss.do(ctx, func(ctx context.Context, c *chatclient.Client) error {
		a, err := c.SendText(ctx, conv, cid, text)
		if err == nil {
			l.add(ack{kind: "chat", conv: conv, sender: sender, clientID: cid, text: text, seq: a.Seq})
		}
		return err
	})
}

// start opens the visitor's conversation until it is assigned.
func start(ctx context.Context, ss *session, name string) (chatclient.Conversation, error) {
	var conv chatclient.Conversation
	err := ss.do(ctx, func(ctx context.Context, c *chatclient.Client) error {
		var err error
		conv, err = c.Start(ctx, name)
		if err == nil && conv.Status != "assigned" {
			err = fmt.Errorf("conversation %s is %s, want assigned", conv.ID, conv.Status)
		}
		return err
	})
	return conv, err
}

// tokenFor asks for a visitor token over REST, retrying server errors.
func tokenFor(ctx context.Context, s *stack.Stack, site string) (token, visitor string, err error) {
	for range attempts {
		actx, cancel := context.WithTimeout(ctx, attemptTimeout)
		token, visitor, err = chatclient.VisitorToken(actx, s.RestURL, site, s.DemoOrigin)
		cancel()
		if err == nil {
			return token, visitor, nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return "", "", err
}

// visitorQuery is a visitor's WebSocket query.
func visitorQuery(site, token string) url.Values { return url.Values{"site": {site}, "token": {token}} }
