package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/livehelp/livehelp/infra/dynamolocal"
	"github.com/livehelp/livehelp/shared/auth"
	"github.com/livehelp/livehelp/shared/email"
	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

// TestMain runs the package's tests with one DynamoDB Local for the binary.
func TestMain(m *testing.M) { os.Exit(dynamolocal.RunTests(m)) }

// fakeMail is a hand-written fake of the SES sender that keeps every mail.
type fakeMail struct {
	mu   sync.Mutex
	sent []email.Message
	err  error
}

func (f *fakeMail) Send(_ context.Context, m email.Message) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return "", f.err
	}
	f.sent = append(f.sent, m)
	return "msg-" + m.To[0], nil
}

func (f *fakeMail) count() int { f.mu.Lock(); defer f.mu.Unlock(); return len(f.sent) }

// env is a console handler on a fresh table: site "demo" with an admin
// (ada) and an operator (otto), site "other" with an admin (oz).
type env struct {
	t     *testing.T
	h     *handler
	st    *store.Store
	mail  *fakeMail
	now   *time.Time
	ops   map[string]*livehelp.Operator
	token map[string]string // by operator email
}

const testPassword = "correct horse battery"

var testHash = sync.OnceValue(func() string {
	h, err := auth.HashPassword(testPassword)
	if err != nil {
		panic(err)
	}
	return h
})

func newEnv(t *testing.T) *env {
	t.Helper()
	client, table := dynamolocal.NewTestTable(t)
	now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	st := store.New(client, table, clock)
	ctx := context.Background()
	e := &env{t: t, st: st, mail: &fakeMail{}, now: &now, ops: map[string]*livehelp.Operator{}, token: map[string]string{}}
	for _, site := range []string{"demo", "other"} {
		if err := st.CreateSite(ctx, &livehelp.Site{ID: site, Name: "Demo " + site, Slots: 3, DefaultLang: "en"}); err != nil {
			t.Fatal(err)
		}
	}
	for _, o := range []livehelp.Operator{
		{ID: "op-ada", Site: "demo", Email: "ada@example.com", Name: "Ada", Role: livehelp.RoleAdmin},
		{ID: "op-otto", Site: "demo", Email: "otto@example.com", Name: "Otto", Role: livehelp.RoleOperator},
		{ID: "op-oz", Site: "other", Email: "oz@example.com", Name: "Oz", Role: livehelp.RoleAdmin},
	} {
		o.PasswordHash = testHash()
		if err := st.CreateOperator(ctx, &o); err != nil {
			t.Fatal(err)
		}
		e.ops[o.Email] = &o
	}
	keys := auth.NewKeyring(func(ctx context.Context) ([]byte, error) { return st.SigningKey(ctx, "tokens", auth.NewKey) }, clock)
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	e.h = newHandler(st, keys, e.mail, Config{WebSocketURL: "ws://127.0.0.1:1/live",
		LoginPerEmail: store.Limit{N: 5, Window: time.Minute}, LoginPerIP: store.Limit{N: 100, Window: time.Minute}}, log, clock)
	return e
}

// login logs an operator in and keeps their token.
func (e *env) login(emailAddr string) string {
	e.t.Helper()
	code, body := e.do("POST", "/v1/console/login", "", map[string]string{"email": emailAddr, "password": testPassword})
	if code != http.StatusOK {
		e.t.Fatalf("login %s: %d %v", emailAddr, code, body)
	}
	tok := body["token"].(string)
	e.token[emailAddr] = tok
	return tok
}

// do sends a request with an optional bearer token and JSON body and
// returns the status and decoded JSON object.
func (e *env) do(method, path, token string, body any) (int, map[string]any) {
	e.t.Helper()
	w := e.raw(method, path, token, body, nil)
	var out map[string]any
	if w.Body.Len() > 0 {
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
			e.t.Fatalf("%s %s: body is not JSON: %q", method, path, w.Body.String())
		}
	}
	return w.Code, out
}

func (e *env) raw(method, path, token string, body any, header http.Header) *httptest.ResponseRecorder {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	r := httptest.NewRequest(method, path, rd)
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return w
}

// errorOf returns the error code and fields of an error body.
func errorOf(body map[string]any) (string, map[string]any) {
	e, _ := body["error"].(map[string]any)
	code, _ := e["code"].(string)
	fields, _ := e["fields"].(map[string]any)
	return code, fields
}

// offlineMessage files a visitor message on site demo through the store,
// as the offline form does.
func (e *env) offlineMessage(visitor, name, addr, subject, text string) *livehelp.BoardItem {
	e.t.Helper()
	b, err := e.st.AddOfflineMessage(context.Background(), store.OfflineMessage{Site: "demo", Visitor: visitor, Name: name,
		Email: addr, Subject: subject, Text: text, ClientID: auth.NewID()[:12],
		Conversation: livehelp.ConversationID("demo", visitor)})
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}
