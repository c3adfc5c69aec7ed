package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/livehelp/livehelp/infra/dynamolocal"
	"github.com/livehelp/livehelp/shared/auth"
	"github.com/livehelp/livehelp/shared/ddbstats"
	"github.com/livehelp/livehelp/shared/email"
	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

// TestMain runs the worker tests on DynamoDB Local (see dynamolocal).
func TestMain(m *testing.M) { os.Exit(dynamolocal.RunTests(m)) }

// clock is a settable time source shared by the worker and the store.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

// apiError is an SES error as the SDK returns one (smithy.APIError).
type apiError struct{ code string }

func (e apiError) Error() string {
	return "api error " + e.code + ": throttled for visitor@example.org"
}
func (e apiError) ErrorCode() string { return e.code }

// fakeSES captures what the real email.Sender hands to SES v2 and fails
// the next calls on demand. Sends may be slowed to widen races.
type fakeSES struct {
	mu       sync.Mutex
	sent     []*sesv2.SendEmailInput
	failNext int
	slow     time.Duration
}

func (f *fakeSES) SendEmail(_ context.Context, in *sesv2.SendEmailInput, _ ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	time.Sleep(f.slow)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failNext > 0 {
		f.failNext--
		return nil, apiError{"TooManyRequestsException"}
	}
	f.sent = append(f.sent, in)
	return &sesv2.SendEmailOutput{MessageId: aws.String("ses-" + string(rune('a'+len(f.sent)-1)))}, nil
}

func (f *fakeSES) messages() []*sesv2.SendEmailInput {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*sesv2.SendEmailInput(nil), f.sent...)
}

// env is a worker on a fresh table with the site "s1".
type env struct {
	st      *store.Store
	clk     *clock
	ses     *fakeSES
	keys    *auth.Keyring
	counter *ddbstats.Counter
	set     settings
}

func newEnv(t *testing.T) *env {
	t.Helper()
	client, table, counter := dynamolocal.NewTestTableWithStats(t)
	clk := &clock{t: time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)}
	st := store.New(client, table, clk.now)
	err := st.CreateSite(context.Background(), &livehelp.Site{ID: "s1", Name: "Shop", URL: "https://shop.example/help?x=1#top"})
	if err != nil {
		t.Fatal(err)
	}
	set := defaults
	set.Delay = 5 * time.Minute
	return &env{st: st, clk: clk, ses: &fakeSES{}, counter: counter, set: set,
		keys: auth.NewKeyring(func(ctx context.Context) ([]byte, error) { return st.SigningKey(ctx, "tokens", auth.NewKey) }, clk.now)}
}

// worker returns a worker over the env's store (or s) and fake SES.
func (e *env) worker(s mailStore) *worker {
	if s == nil {
		s = e.st
	}
	return &worker{store: s, mail: email.New(e.ses, "noreply@example.com"), keys: e.keys,
		log: slog.New(slog.NewJSONHandler(io.Discard, nil)), now: e.clk.now, set: e.set}
}

// run runs one pass of a worker.
func (e *env) run(t *testing.T, w *worker) {
	t.Helper()
	if w == nil {
		w = e.worker(nil)
	}
	if err := w.run(context.Background(), eventNow()); err != nil {
		t.Fatal(err)
	}
}

func eventNow() events.CloudWatchEvent {
	return events.CloudWatchEvent{ID: "test-event", DetailType: "Scheduled Event", Source: "aws.events"}
}

// visitorWrites files an offline message of visitor v (address addr, or
// none) and returns the conversation.
func (e *env) visitorWrites(t *testing.T, v, name, addr string) *livehelp.Conversation {
	t.Helper()
	ctx := context.Background()
	if addr == "" {
		c, err := e.st.CreateConversation(ctx, &livehelp.Conversation{ID: livehelp.ConversationID("s1", v), Site: "s1", Visitor: v})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	left, err := e.st.LeaveMessage(ctx, store.OfflineMessage{Site: "s1", Visitor: v, Name: name, Email: addr,
		Subject: "Parcel", Text: "Where is my parcel?", ClientID: "form-" + v})
	if err != nil {
		t.Fatal(err)
	}
	return left.Conversation
}

// operatorSays appends an operator reply (scheduling the unread email as
// the chat does) and returns the conversation after.
func (e *env) operatorSays(t *testing.T, conv, text string) *livehelp.Conversation {
	t.Helper()
	ctx := context.Background()
	c, err := e.st.Conversation(ctx, conv)
	if err != nil {
		t.Fatal(err)
	}
	a := store.Append{Sender: "op1", MailDelay: e.set.Delay, Message: livehelp.Message{Author: livehelp.AuthorOperator,
		ClientID: "op-" + text, Operator: "op1", OperatorName: "Ann", Text: text}}
	if _, _, err := e.st.AppendMessage(ctx, c, a); err != nil {
		t.Fatal(err)
	}
	c, err = e.st.Conversation(ctx, conv)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// records returns a conversation's email records.
func (e *env) records(t *testing.T, conv string) []*store.MailRecord {
	t.Helper()
	recs, err := e.st.MailRecords(context.Background(), conv)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// pending returns the mail timers of today and tomorrow, due or not.
func (e *env) pending(t *testing.T) []store.Timer {
	t.Helper()
	ts, err := e.st.DueTimers(context.Background(), store.TimerMail, e.clk.now().Add(23*time.Hour), 100)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}
