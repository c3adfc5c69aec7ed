package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/livehelp/livehelp/shared/auth"
	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/push"
	"github.com/livehelp/livehelp/shared/store"
	"github.com/livehelp/livehelp/shared/webapi"
)

// maxFrame is the largest frame the chat accepts (DESIGN.md §4).
const maxFrame = 32 << 10

// app handles the WebSocket API's events.
type app struct {
	store     *store.Store
	push      *push.Pusher
	keys      *auth.Keyring
	log       *slog.Logger
	now       func() time.Time
	expiry    time.Duration // operators list expiration
	slots     int           // default slots per operator
	mailDelay time.Duration // unread operator replies are emailed after this
	reassign  time.Duration // a transfer not handled this long is reassigned (0: 24 h)

	watchMu sync.Mutex
	watched map[string]time.Time // sites whose presence check this container armed, and when
	console []string             // origins operators may connect from
}

type response = events.APIGatewayProxyResponse

// handle dispatches on the route key.
func (a *app) handle(ctx context.Context, ev events.APIGatewayWebsocketProxyRequest) (response, error) {
	rc := ev.RequestContext
	switch rc.RouteKey {
	case "$connect":
		return a.connect(ctx, ev), nil
	case "$disconnect":
		a.disconnect(ctx, rc.ConnectionID)
		return response{StatusCode: http.StatusOK}, nil
	default:
		a.frame(ctx, rc.ConnectionID, ev.Body)
		return response{StatusCode: http.StatusOK}, nil
	}
}

// inFrame is the envelope of every client frame. Fields used by one action
// only are decoded by that action from Raw.
type inFrame struct {
	Action string          `json:"action"`
	ID     string          `json:"id,omitempty"`           // client request id, echoed as "re"
	Conv   string          `json:"conversation,omitempty"` // the conversation it is about, if any
	Raw    json.RawMessage `json:"-"`

	// prefetch delivers the conversation the frame names, read while the
	// connection is read (see frame).
	prefetch <-chan prefetched
}

// prefetched is the result of reading a frame's conversation early.
type prefetched struct {
	conv *livehelp.Conversation
	err  error
}

// outFrame is a server frame.
type outFrame map[string]any

// frame decodes a client frame, authorizes its sender again from the stored
// connection, and runs the action. Every failure becomes an error frame.
func (a *app) frame(ctx context.Context, connID, body string) {
	var in inFrame
	if len(body) > maxFrame {
		a.fail(ctx, connID, "", livehelp.Errorf(livehelp.EINVALID, "The frame is larger than %d bytes.", maxFrame))
		return
	}
	if err := json.Unmarshal([]byte(body), &in); err != nil || in.Action == "" {
		a.fail(ctx, connID, clip(in.ID, 64), livehelp.Errorf(livehelp.EINVALID, "A frame must be a JSON object with an action."))
		return
	}
	in.ID = clip(in.ID, 64)
	in.Raw = json.RawMessage(body)
	if _, known := actions[in.Action]; known && in.Conv != "" && len(in.Conv) <= 64 {
		// Two independent reads: the conversation's runs beside the
		// connection's and is used only once the sender is authorized.
		ch := make(chan prefetched, 1)
		in.prefetch = ch
		go func() {
			c, err := a.store.Conversation(ctx, in.Conv)
			ch <- prefetched{c, err}
		}()
	}
	conn, err := a.store.Connection(ctx, connID)
	if err != nil {
		if livehelp.IsCode(err, livehelp.ENOTFOUND) {
			err = livehelp.Errorf(livehelp.EUNAUTHORIZED, "This connection is not registered; reconnect.")
		}
		a.fail(ctx, connID, in.ID, err)
		return
	}
	act, ok := actions[in.Action]
	if !ok || (act.role != "" && act.role != conn.Role) {
		a.fail(ctx, connID, in.ID, livehelp.Errorf(livehelp.EINVALID, "Unknown action %q.", clip(in.Action, 40)))
		return
	}
	if err := act.run(a, ctx, conn, in); err != nil {
		a.fail(ctx, connID, in.ID, err)
	}
}

// action is one frame handler and the role allowed to send it ("" for both).
type action struct {
	role string
	run  func(a *app, ctx context.Context, conn *livehelp.Connection, in inFrame) error
}

// actions is the table of frame handlers; features register theirs here.
// PROTOCOL.md documents each.
var actions = map[string]action{
	"ping":      {run: (*app).ping},
	"hello":     {run: (*app).hello},
	"send":      {run: (*app).sendMessage},
	"history":   {run: (*app).history},
	"typing":    {run: (*app).typing},
	"start":     {role: livehelp.ParticipantVisitor, run: (*app).start},
	"read":      {role: livehelp.ParticipantVisitor, run: (*app).read},
	"heartbeat": {role: livehelp.ParticipantOperator, run: (*app).heartbeat},
	"take":      {role: livehelp.ParticipantOperator, run: (*app).take},
	"close":     {role: livehelp.ParticipantOperator, run: (*app).closeConversation},
	"unclose":   {role: livehelp.ParticipantOperator, run: (*app).unclose},
	"snooze":    {role: livehelp.ParticipantOperator, run: (*app).snooze},
	"unsnooze":  {role: livehelp.ParticipantOperator, run: (*app).unsnooze},
	"transfer":  {role: livehelp.ParticipantOperator, run: (*app).transfer},
	"accept":    {role: livehelp.ParticipantOperator, run: (*app).accept},
	"visit":     {role: livehelp.ParticipantVisitor, run: (*app).visit},  // proactive.go
	"answer":    {role: livehelp.ParticipantVisitor, run: (*app).answer}, // invite.go
	"visitors":  {role: livehelp.ParticipantOperator, run: (*app).visitors},
	"invite":    {role: livehelp.ParticipantOperator, run: (*app).invite},
	"engage":    {role: livehelp.ParticipantOperator, run: (*app).engage},
}

// ping answers a pong: the cheapest proof the path works end to end.
func (a *app) ping(ctx context.Context, conn *livehelp.Connection, in inFrame) error {
	return a.send(ctx, conn.ID, outFrame{"type": "pong", "re": in.ID})
}

// send pushes one frame to one connection; a gone connection is cleaned up.
func (a *app) send(ctx context.Context, connID string, f outFrame) error {
	data, _ := json.Marshal(f)
	return a.push.Send(ctx, connID, data)
}

// fail sends an error frame with a stable code. Internal causes are logged,
// never sent.
func (a *app) fail(ctx context.Context, connID, re string, err error) {
	code := livehelp.ErrorCode(err)
	if code == livehelp.EINTERNAL {
		a.log.ErrorContext(ctx, "frame failed", "conn", connID, "err", err)
	}
	f := outFrame{"type": "error", "code": code, "message": livehelp.ErrorMessage(err)}
	if re != "" {
		f["re"] = re
	}
	if fields := livehelp.ErrorFields(err); fields != nil {
		f["fields"] = fields
	}
	if err := a.send(ctx, connID, f); err != nil {
		a.log.WarnContext(ctx, "error frame not delivered", "conn", connID, "err", err)
	}
}

// decode unmarshals an action's own fields, rejecting unknown ones.
func decode(in inFrame, v any) error {
	if err := webapi.DecodeStrict(in.Raw, v); err != nil {
		return livehelp.Errorf(livehelp.EINVALID, "The %s frame is not valid: %s", in.Action, err.Error())
	}
	return nil
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
