package main

import (
	"context"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/livehelp/livehelp/shared/auth"
	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/webapi"
)

// connect authorizes a new connection from its token and Origin and records
// it. A non-2xx answer makes API Gateway refuse the upgrade.
func (a *app) connect(ctx context.Context, ev events.APIGatewayWebsocketProxyRequest) response {
	q := ev.QueryStringParameters
	origin := header(ev.Headers, "Origin")
	conn, err := a.authorize(ctx, q["role"], q["site"], q["token"], origin)
	if err != nil {
		code := livehelp.ErrorCode(err)
		if code == livehelp.EINTERNAL {
			a.log.ErrorContext(ctx, "connect failed", "conn", ev.RequestContext.ConnectionID, "err", err)
		}
		return response{StatusCode: webapi.Status(code), Body: code}
	}
	conn.ID = ev.RequestContext.ConnectionID
	conn.Origin = origin
	conn.Connected = a.now()
	if err := a.store.PutConnection(ctx, conn); err != nil {
		a.log.ErrorContext(ctx, "connect failed", "conn", conn.ID, "err", err)
		return response{StatusCode: http.StatusInternalServerError}
	}
	a.log.InfoContext(ctx, "connected", "conn", conn.ID, "role", conn.Role, "site", conn.Site)
	return response{StatusCode: http.StatusOK}
}

// authorize checks a token of the role's kind and the Origin. A request with
// no Origin is not from a browser; a browser's Origin must be allowed.
func (a *app) authorize(ctx context.Context, role, site, token, origin string) (*livehelp.Connection, error) {
	unauthorized := livehelp.Errorf(livehelp.EUNAUTHORIZED, "A valid token is required.")
	if token == "" {
		return nil, unauthorized
	}
	signer, err := a.keys.Signer(ctx)
	if err != nil {
		return nil, err
	}
	switch role {
	case "", livehelp.ParticipantVisitor:
		c, err := signer.Verify(auth.KindVisitor, token)
		if err != nil || (site != "" && site != c.Site) {
			return nil, unauthorized
		}
		s, err := a.store.Site(ctx, c.Site, false)
		if err != nil {
			return nil, err
		}
		if origin != "" && !webapi.OriginAllowed(origin, s.AllowedOrigins) {
			return nil, livehelp.Errorf(livehelp.EFORBIDDEN, "This origin may not connect.")
		}
		return &livehelp.Connection{Site: c.Site, Role: livehelp.ParticipantVisitor, Subject: c.Subject}, nil
	case livehelp.ParticipantOperator:
		c, err := signer.Verify(auth.KindSession, token)
		if err != nil {
			return nil, unauthorized
		}
		if _, err := a.store.Session(ctx, c.Session); err != nil {
			return nil, unauthorized
		}
		if origin != "" && !webapi.OriginAllowed(origin, a.console) {
			return nil, livehelp.Errorf(livehelp.EFORBIDDEN, "This origin may not connect.")
		}
		op, err := a.store.Operator(ctx, c.Subject)
		if err != nil {
			return nil, unauthorized
		}
		s, err := a.store.Site(ctx, op.Site, false)
		if err != nil {
			return nil, err
		}
		return &livehelp.Connection{Site: op.Site, Role: livehelp.ParticipantOperator, Subject: op.ID,
			Name: op.Name, Slots: op.SlotsOr(max(s.Slots, a.slots))}, nil
	default:
		return nil, livehelp.Errorf(livehelp.EINVALID, "Unknown role.")
	}
}

// disconnect forgets a connection and takes it out of its conversations
// (a visitor's last one makes their conversation offline). An operator
// whose last connection closes goes offline at once (expiry covers
// connections that vanish silently).
func (a *app) disconnect(ctx context.Context, connID string) {
	conn, err := a.store.Connection(ctx, connID)
	if err != nil {
		return // already gone
	}
	a.leaveAll(ctx, conn)
	if err := a.store.DeleteConnection(ctx, connID); err != nil {
		a.log.ErrorContext(ctx, "disconnect", "conn", connID, "err", err)
		return
	}
	if conn.Role != livehelp.ParticipantOperator {
		a.visitGone(ctx, conn) // proactive chat: shown as gone
		return
	}
	rest, err := a.store.ParticipantConnections(ctx, conn.Role, conn.Subject)
	if err != nil {
		a.log.ErrorContext(ctx, "disconnect", "conn", connID, "err", err)
		return
	}
	if len(rest) == 0 {
		a.setPresence(ctx, conn, livehelp.PresenceOffline)
	}
}

// leaveAll takes a closing connection out of every conversation it joined.
func (a *app) leaveAll(ctx context.Context, conn *livehelp.Connection) {
	convs, err := a.store.ConnectionConversations(ctx, conn.ID)
	if err != nil {
		a.log.ErrorContext(ctx, "disconnect", "conn", conn.ID, "err", err)
		return
	}
	for _, id := range convs {
		c, err := a.store.Leave(ctx, id, conn.ID, conn.Role)
		if err != nil {
			a.log.ErrorContext(ctx, "leave", "conv", id, "conn", conn.ID, "err", err)
			continue
		}
		if c != nil && !c.Online() {
			a.visitorLeft(ctx, c)
		}
	}
}

func header(h map[string]string, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}
