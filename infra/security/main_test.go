package security_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/livehelp/livehelp/infra/bench/chatclient"
	"github.com/livehelp/livehelp/infra/devstack/stack"
	"github.com/livehelp/livehelp/infra/dynamolocal"
	"github.com/livehelp/livehelp/shared/auth"
	"github.com/livehelp/livehelp/shared/livehelp"
)

// shared is the stack most tests attack, started by the first that needs
// it and stopped after all of them.
var shared struct {
	once sync.Once
	s    *stack.Stack
	log  *logBuffer
	err  error
}

func TestMain(m *testing.M) {
	code := dynamolocal.RunTests(m)
	if shared.s != nil {
		_ = shared.s.Close()
	}
	os.Exit(code)
}

// sharedStack returns the shared stack, starting it on first use.
func sharedStack(t *testing.T) *stack.Stack {
	t.Helper()
	if testing.Short() {
		t.Skip("starts the local stack")
	}
	dynamolocal.NewTestTable(t) // starts DynamoDB Local for the binary and points the stack at it
	shared.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		shared.log = &logBuffer{}
		shared.s, shared.err = stack.Start(ctx, stack.Options{Log: shared.log, Params: map[string]string{"OperatorsListExpiration": "600"}})
	})
	if shared.err != nil {
		t.Fatalf("stack: %v\n%s", shared.err, shared.log.tail())
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("stack log (end):\n%s", shared.log.tail())
		}
	})
	return shared.s
}

// logBuffer keeps the stack's log for failure reports.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write implements io.Writer.
func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.b.Len() > 4<<20 {
		l.b.Next(2 << 20)
	}
	return l.b.Write(p)
}

// tail returns the last 12 KB.
func (l *logBuffer) tail() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.b.String()
	return s[max(0, len(s)-12<<10):]
}

// testSite is a site with operators logged in, for one test.
type testSite struct {
	id      string
	s       *stack.Stack
	signer  *auth.Signer
	ops     []string // operator ids
	tokens  []string // their session tokens
	creds   []stack.Credentials
	origins []string
}

// newSite creates a site (allowing the demo page's origin) with one
// operator per role given, each logged in through the console API.
func newSite(ctx context.Context, t *testing.T, s *stack.Stack, id string, spam bool, roles ...string) *testSite {
	t.Helper()
	site := &livehelp.Site{ID: id, Name: id, AllowedOrigins: []string{s.DemoOrigin}, DefaultLang: "en", Slots: 3, SpamProtection: spam,
		URL: s.DemoURL}
	if err := s.Store.CreateSite(ctx, site); err != nil {
		t.Fatal(err)
	}
	key, err := s.Store.SigningKey(ctx, "tokens", auth.NewKey)
	if err != nil {
		t.Fatal(err)
	}
	ts := &testSite{id: id, s: s, signer: auth.NewSigner(key, nil), origins: site.AllowedOrigins}
	for i, role := range roles {
		email := fmt.Sprintf("%s%d@%s.example", role, i, id)
		cred, err := s.CreateOperator(ctx, id, email, fmt.Sprintf("%s %d", role, i), role, 3, "")
		if err != nil {
			t.Fatal(err)
		}
		tok, err := chatclient.Login(ctx, s.RestURL, email, cred.Password)
		if err != nil {
			t.Fatal(err)
		}
		ts.ops, ts.tokens, ts.creds = append(ts.ops, cred.OperatorID), append(ts.tokens, tok), append(ts.creds, cred)
	}
	return ts
}

// visitorToken returns a new visitor's token and id from the REST API.
func (ts *testSite) visitorToken(ctx context.Context, t *testing.T) (string, string) {
	t.Helper()
	tok, id, err := chatclient.VisitorToken(ctx, ts.s.RestURL, ts.id, ts.s.DemoOrigin)
	if err != nil {
		t.Fatal(err)
	}
	return tok, id
}

// dialStatus tries a WebSocket handshake and returns the HTTP status: 101
// when it was accepted (the connection is then closed).
func dialStatus(ctx context.Context, t *testing.T, s *stack.Stack, q url.Values, origin string) int {
	t.Helper()
	c, resp, err := chatclient.Dial(ctx, s.WebSocketURL, q, chatclient.Options{Origin: origin})
	if err == nil {
		c.CloseNow()
		return http.StatusSwitchingProtocols
	}
	if resp == nil {
		t.Fatalf("handshake failed without an answer: %v", err)
	}
	return resp.StatusCode
}

// tamper returns token with one character of its signed part changed, so
// it decodes but the signature no longer matches.
func tamper(token string) string {
	p, sig, _ := strings.Cut(token, ".")
	b := []byte(p)
	i := len(b) / 2
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b) + "." + sig
}

// apiError reads the error shape of a REST answer.
func apiError(body []byte) (code string, fields map[string]string) {
	var e struct {
		Error struct {
			Code   string            `json:"code"`
			Fields map[string]string `json:"fields"`
		} `json:"error"`
	}
	_ = json.Unmarshal(body, &e)
	return e.Error.Code, e.Error.Fields
}

// decodeClaims reads the claims of a token's payload part without checking
// anything: what an attacker can read of any token.
func decodeClaims(payload string) (auth.Claims, error) {
	var c auth.Claims
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return c, err
	}
	return c, json.Unmarshal(raw, &c)
}
