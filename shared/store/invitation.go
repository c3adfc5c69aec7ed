package store

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// Invitations are kept on the visit item (attribute inv), one at a time per
// visitor and site: a new one replaces an answered or expired one. Expiry
// is checked on every write and read, never left to ttl.

// Invite stores operator op's invitation of visitor on site, valid for
// livehelp.InvitationTTL, and returns it. One conditional UpdateItem: the
// visitor must be on the site (a fresh report, not gone) and have no
// pending invitation; otherwise ECONFLICT.
func (s *Store) Invite(ctx context.Context, site, visitor, id, op, opName string) (*livehelp.Invitation, error) {
	now := s.now()
	inv := invitationItem{ID: id, Op: op, OpName: opName, Status: livehelp.InvitePending,
		Expires: now.Add(livehelp.InvitationTTL).UnixMilli()}
	fresh := expression.Name("seen").GreaterThan(expression.Value(now.Add(-livehelp.VisitFresh).UnixMilli()))
	free := expression.Name("inv").AttributeNotExists().
		Or(expression.Name("inv.st").NotEqual(expression.Value(livehelp.InvitePending))).
		Or(expression.Name("inv.exp").LessThanEqual(expression.Value(now.UnixMilli())))
	cond := expression.AttributeExists(expression.Name(attrPK)).
		And(expression.Name("gone").Equal(expression.Value(false)), fresh, free)
	v, err := s.updateVisit(ctx, site, visitor, expression.Set(expression.Name("inv"), expression.Value(inv)), &cond, "invite")
	if livehelp.IsCode(err, livehelp.ECONFLICT) {
		return nil, livehelp.Errorf(livehelp.ECONFLICT, "This visitor has left the site or already has an invitation.")
	}
	if err != nil {
		return nil, err
	}
	return v.Invitation, nil
}

// AnswerInvitation records a visitor's answer (livehelp.InviteAccepted or
// InviteRefused) to invitation id and returns the visit after. One
// conditional UpdateItem: the invitation must be the visitor's current one,
// pending and not expired; otherwise ECONFLICT.
func (s *Store) AnswerInvitation(ctx context.Context, site, visitor, id, answer string) (*livehelp.Visit, error) {
	now := s.now()
	cond := expression.Name("inv.id").Equal(expression.Value(id)).
		And(expression.Name("inv.st").Equal(expression.Value(livehelp.InvitePending)),
			expression.Name("inv.exp").GreaterThan(expression.Value(now.UnixMilli())))
	v, err := s.updateVisit(ctx, site, visitor, expression.Set(expression.Name("inv.st"), expression.Value(answer)), &cond, "answer invitation")
	if livehelp.IsCode(err, livehelp.ECONFLICT) {
		return nil, livehelp.Errorf(livehelp.ECONFLICT, "This invitation has expired or was already answered.")
	}
	return v, err
}

// PendingInvitation returns v's invitation when it can still be answered
// at now, else nil.
func PendingInvitation(v *livehelp.Visit, now time.Time) *livehelp.Invitation {
	if v == nil || v.Invitation == nil || v.Invitation.State(now) != livehelp.InvitePending {
		return nil
	}
	return v.Invitation
}
