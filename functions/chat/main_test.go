package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	api "github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	apitypes "github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi/types"

	"github.com/livehelp/livehelp/infra/dynamolocal"
	"github.com/livehelp/livehelp/shared/auth"
	"github.com/livehelp/livehelp/shared/ddbstats"
	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/push"
	"github.com/livehelp/livehelp/shared/store"
)

// TestMain runs the handler tests on DynamoDB Local; the end-to-end tests
// start their own stack.
func TestMain(m *testing.M) { os.Exit(dynamolocal.RunTests(m)) }

// gateway is a hand-written fake of the @connections API: it keeps the
// frames posted to each connection and answers 410 for gone ones.
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

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

// harness is one chat function on a fresh table with site s1 (allowed
// origin https://shop.example) and a fake gateway.
type harness struct {
	t       *testing.T
	app     *app
	gw      *gateway
	store   *store.Store
	clock   *clock
	signer  *auth.Signer
	counter *ddbstats.Counter
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	client, table, counter := dynamolocal.NewTestTableWithStats(t)
	clk := &clock{t: time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)}
	st := store.New(client, table, clk.Now)
	ctx := context.Background()
	if err := st.CreateSite(ctx, &livehelp.Site{ID: "s1", Name: "Shop", AllowedOrigins: []string{"https://shop.example"}, Slots: 3}); err != nil {
		t.Fatal(err)
	}
	keys := auth.NewKeyring(func(ctx context.Context) ([]byte, error) { return st.SigningKey(ctx, "tokens", auth.NewKey) }, clk.Now)
	signer, err := keys.Signer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	gw := &gateway{frames: map[string][]map[string]any{}, gone: map[string]bool{}}
	a := &app{store: st, push: push.New(gw), keys: keys, log: slog.New(slog.NewJSONHandler(io.Discard, nil)),
		now: clk.Now, expiry: time.Minute, slots: 3, mailDelay: 5 * time.Minute, console: []string{"https://console.example"}}
	return &harness{t: t, app: a, gw: gw, store: st, clock: clk, signer: signer, counter: counter}
}

// event loads a captured event from testdata.
func event(t *testing.T, name string) events.APIGatewayWebsocketProxyRequest {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name + ".json")
	if err != nil {
		t.Fatal(err)
	}
	var ev events.APIGatewayWebsocketProxyRequest
	if err := json.Unmarshal(data, &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

// connect runs $connect for connection id with the given query and Origin
// ("" for none) and returns the status code.
func (h *harness) connect(id string, query map[string]string, origin string) int {
	h.t.Helper()
	ev := event(h.t, "connect")
	ev.RequestContext.ConnectionID = id
	ev.QueryStringParameters = query
	if origin == "" {
		delete(ev.Headers, "Origin")
	} else {
		ev.Headers["Origin"] = origin
	}
	resp, err := h.app.handle(context.Background(), ev)
	if err != nil {
		h.t.Fatal(err)
	}
	return resp.StatusCode
}

// visitorToken signs a visitor token for site s1.
func (h *harness) visitorToken(visitor string) string {
	return h.signer.Sign(auth.KindVisitor, auth.Claims{Subject: visitor, Site: "s1"}, 24*time.Hour)
}

// visitor connects a browser tab of visitor as connection id.
func (h *harness) visitor(id, visitor string) {
	h.t.Helper()
	if code := h.connect(id, map[string]string{"site": "s1", "token": h.visitorToken(visitor)}, "https://shop.example"); code != 200 {
		h.t.Fatalf("visitor connect: status %d", code)
	}
}

// newOperator creates an operator of s1 with slots and returns a session token.
func (h *harness) newOperator(id string, slots int) string {
	h.t.Helper()
	ctx := context.Background()
	op := &livehelp.Operator{ID: id, Site: "s1", Email: id + "@shop.example", Name: "Op " + id, Role: livehelp.RoleOperator, Slots: slots}
	if err := h.store.CreateOperator(ctx, op); err != nil {
		h.t.Fatal(err)
	}
	sid := "sess-" + id
	if err := h.store.PutSession(ctx, store.Session{ID: sid, Operator: id, Site: "s1", Role: op.Role, Expires: h.clock.Now().Add(time.Hour)}); err != nil {
		h.t.Fatal(err)
	}
	return h.signer.Sign(auth.KindSession, auth.Claims{Subject: id, Site: "s1", Session: sid, Role: op.Role}, time.Hour)
}

// operator connects a device of operator op (token from newOperator) and
// sends a heartbeat, so it is online.
func (h *harness) operator(id, token string) {
	h.t.Helper()
	if code := h.connect(id, map[string]string{"role": "operator", "token": token}, "https://console.example"); code != 200 {
		h.t.Fatalf("operator connect: status %d", code)
	}
	h.send(id, `{"action":"heartbeat","state":"online"}`)
	h.expect(id, "presence")
}

// send delivers a text frame from connection id.
func (h *harness) send(id, body string) {
	h.t.Helper()
	ev := event(h.t, "message")
	ev.RequestContext.ConnectionID = id
	ev.Body = body
	if _, err := h.app.handle(context.Background(), ev); err != nil {
		h.t.Fatal(err)
	}
}

// sendf delivers a frame built from fields.
func (h *harness) sendf(id string, f map[string]any) {
	h.t.Helper()
	data, err := json.Marshal(f)
	if err != nil {
		h.t.Fatal(err)
	}
	h.send(id, string(data))
}

// disconnect runs $disconnect for connection id.
func (h *harness) disconnect(id string) {
	h.t.Helper()
	ev := event(h.t, "disconnect")
	ev.RequestContext.ConnectionID = id
	if _, err := h.app.handle(context.Background(), ev); err != nil {
		h.t.Fatal(err)
	}
}

// take returns and forgets the frames connection id received.
func (h *harness) take(id string) []map[string]any {
	h.gw.mu.Lock()
	defer h.gw.mu.Unlock()
	f := h.gw.frames[id]
	delete(h.gw.frames, id)
	return f
}

// expect takes connection id's frames and returns the first of type typ,
// failing the test when there is none.
func (h *harness) expect(id, typ string) map[string]any {
	h.t.Helper()
	frames := h.take(id)
	for _, f := range frames {
		if f["type"] == typ {
			return f
		}
	}
	h.t.Fatalf("connection %s: no %q frame in %s", id, typ, brief(frames))
	return nil
}

// types lists the types of frames, with message seqs, for failure output
// and order checks.
func types(frames []map[string]any) []string {
	var out []string
	for _, f := range frames {
		s, _ := f["type"].(string)
		if m, ok := f["message"].(map[string]any); ok {
			s += ":" + jsonString(m["seq"])
		}
		out = append(out, s)
	}
	return out
}

func brief(frames []map[string]any) string { return strings.Join(types(frames), " ") }

func jsonString(v any) string {
	data, _ := json.Marshal(v)
	return string(data)
}

// conversation returns the conversation of visitor on s1.
func (h *harness) conversation(visitor string) *livehelp.Conversation {
	h.t.Helper()
	c, err := h.store.Conversation(context.Background(), livehelp.ConversationID("s1", visitor))
	if err != nil {
		h.t.Fatal(err)
	}
	return c
}

// start starts visitor's chat from connection id and returns the reply.
func (h *harness) start(id string) map[string]any {
	h.t.Helper()
	h.send(id, `{"action":"start","id":"st"}`)
	return h.expect(id, "conversation")
}
