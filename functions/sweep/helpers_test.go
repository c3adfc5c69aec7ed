package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	api "github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	apitypes "github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi/types"

	"github.com/livehelp/livehelp/infra/dynamolocal"
	"github.com/livehelp/livehelp/shared/ddbstats"
	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/push"
	"github.com/livehelp/livehelp/shared/store"
)

// TestMain runs the worker's tests on DynamoDB Local.
func TestMain(m *testing.M) { os.Exit(dynamolocal.RunTests(m)) }

// gateway is a hand-written fake of the @connections API that keeps the
// frames posted to each connection; gone ones answer 410.
type gateway struct {
	mu     sync.Mutex
	frames map[string][]map[string]any
	gone   map[string]bool
}

func (g *gateway) PostToConnection(_ context.Context, in *api.PostToConnectionInput, _ ...func(*api.Options)) (*api.PostToConnectionOutput, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.gone[*in.ConnectionId] {
		return nil, &apitypes.GoneException{}
	}
	var f map[string]any
	if err := json.Unmarshal(in.Data, &f); err != nil {
		return nil, err
	}
	g.frames[*in.ConnectionId] = append(g.frames[*in.ConnectionId], f)
	return &api.PostToConnectionOutput{}, nil
}

func (g *gateway) DeleteConnection(context.Context, *api.DeleteConnectionInput, ...func(*api.Options)) (*api.DeleteConnectionOutput, error) {
	return &api.DeleteConnectionOutput{}, nil
}

// got returns the frames a connection received, each as "type" plus its
// status or event or text.
func (g *gateway) got(conn string) []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []string
	for _, f := range g.frames[conn] {
		s := f["type"].(string)
		switch s {
		case "message":
			m := f["message"].(map[string]any)
			s += " " + m["text"].(string)
		case "conversation", "assigned", "queued":
			c := f["conversation"].(map[string]any)
			s += " " + c["status"].(string)
			if o, ok := c["operator"].(map[string]any); ok {
				s += " " + o["name"].(string)
			}
		}
		out = append(out, s)
	}
	return out
}

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

var t0 = time.Date(2026, 11, 21, 23, 30, 0, 0, time.UTC) // half an hour before a day bucket ends

// env is a sweep worker on a fresh table with site s1 and a pinned clock.
type env struct {
	t       *testing.T
	st      *store.Store
	clk     *clock
	gw      *gateway
	counter *ddbstats.Counter
	w       *worker
}

func newEnv(t *testing.T) *env {
	t.Helper()
	client, table, counter := dynamolocal.NewTestTableWithStats(t)
	clk := &clock{t: t0}
	st := store.New(client, table, clk.Now)
	if err := st.CreateSite(context.Background(), &livehelp.Site{ID: "s1", Name: "Shop", Slots: 3}); err != nil {
		t.Fatal(err)
	}
	gw := &gateway{frames: map[string][]map[string]any{}, gone: map[string]bool{}}
	set := defaults
	set.ReassignAfter = time.Hour
	w := &worker{store: st, push: push.New(gw), log: slog.New(slog.NewJSONHandler(io.Discard, nil)), now: clk.Now, set: set}
	return &env{t: t, st: st, clk: clk, gw: gw, counter: counter, w: w}
}

// run runs the worker once.
func (e *env) run() {
	e.t.Helper()
	if err := e.w.run(context.Background(), events.CloudWatchEvent{ID: "ev"}); err != nil {
		e.t.Fatal(err)
	}
}

// online records op online (fresh for a minute) with slots and a live
// console connection "c-<op>".
func (e *env) online(op string, slots int, state string) {
	e.t.Helper()
	ctx := context.Background()
	o := &livehelp.Operator{ID: op, Site: "s1", Email: op + "@shop.example", Name: "Op " + op, Role: livehelp.RoleOperator, Slots: slots}
	if err := e.st.CreateOperator(ctx, o); err != nil && !livehelp.IsCode(err, livehelp.ECONFLICT) {
		e.t.Fatal(err)
	}
	err := e.st.SetPresence(ctx, store.PresenceUpdate{Site: "s1", Operator: op, Name: "Op " + op, Slots: slots,
		State: state, SeenUntil: e.clk.Now().Add(time.Minute)})
	if err != nil {
		e.t.Fatal(err)
	}
	c := &livehelp.Connection{ID: "c-" + op, Site: "s1", Role: livehelp.ParticipantOperator, Subject: op, Name: "Op " + op,
		Connected: e.clk.Now()}
	if err := e.st.PutConnection(ctx, c); err != nil {
		e.t.Fatal(err)
	}
}

// assigned creates visitor's conversation with a live tab "t-<visitor>"
// joined when here, and gives it to op with op's console joined.
func (e *env) assigned(visitor, op string, here bool) *livehelp.Conversation {
	e.t.Helper()
	ctx := context.Background()
	c, err := e.st.CreateConversation(ctx, &livehelp.Conversation{ID: livehelp.ConversationID("s1", visitor), Site: "s1",
		Visitor: visitor, VisitorName: "Visitor " + visitor})
	if err != nil {
		e.t.Fatal(err)
	}
	if here {
		tab := &livehelp.Connection{ID: "t-" + visitor, Site: "s1", Role: livehelp.ParticipantVisitor, Subject: visitor, Connected: e.clk.Now()}
		if err := e.st.PutConnection(ctx, tab); err != nil {
			e.t.Fatal(err)
		}
		if _, err := e.st.Join(ctx, c.ID, []*livehelp.Connection{tab}); err != nil {
			e.t.Fatal(err)
		}
		if c, err = e.st.Conversation(ctx, c.ID); err != nil {
			e.t.Fatal(err)
		}
	}
	tr, err := e.st.Take(ctx, c, op, "Op "+op, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	console, err := e.st.Connection(ctx, "c-"+op)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.st.Join(ctx, c.ID, []*livehelp.Connection{console}); err != nil {
		e.t.Fatal(err)
	}
	return tr.Conversation
}

// snoozed snoozes c (op's) until until.
func (e *env) snoozed(c *livehelp.Conversation, op string, until time.Time, keep bool) {
	e.t.Helper()
	if _, err := e.st.Snooze(context.Background(), c, store.SnoozeRequest{Operator: op, Name: "Op " + op, Until: until, Keep: keep}); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.st.Leave(context.Background(), c.ID, "c-"+op, livehelp.ParticipantOperator); err != nil {
		e.t.Fatal(err)
	}
}

// conv reads a conversation.
func (e *env) conv(id string) *livehelp.Conversation {
	e.t.Helper()
	c, err := e.st.Conversation(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// lines returns the events of a conversation's system lines.
func (e *env) lines(id string) []string {
	e.t.Helper()
	msgs, _, err := e.st.Messages(context.Background(), id, livehelp.Page{Limit: 100})
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, m := range msgs {
		if m.Author == livehelp.AuthorSystem {
			out = append(out, m.Event)
		}
	}
	return out
}
