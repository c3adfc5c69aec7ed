package store

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// Statuses of a MailRecord.
const (
	MailSending   = "sending"   // a mailer run claimed it and is talking to SES
	MailRetry     = "retry"     // SES failed; a later run tries again (Next)
	MailSent      = "sent"      // SES accepted it (MessageID)
	MailFailed    = "failed"    // given up: too many failures or a permanent error
	MailCancelled = "cancelled" // not retried: the visitor read the messages, or a later email carries them
	MailUnknown   = "unknown"   // SES did not answer: it may have been sent, so it is never sent again
)

// MailRecord is one email of a conversation's unread operator messages: the
// mailer's claim on it, its attempts and their outcome. The console shows
// Status on the operator messages FirstSeq..LastSeq (a failed email is
// marked on them). Records live in the conversation's partition.
type MailRecord struct {
	Conversation string
	FirstDue     time.Time // identifies the email: when its first timer was due
	Reason       string    // unread, closed, snoozed or transferred
	Status       string
	Attempts     int
	FirstSeq     int64  // the operator messages it carries (when sent or tried)
	LastSeq      int64  //
	Recipients   int    // addresses it went to
	MessageID    string // SES's id, once sent
	Error        string // the last failure, a short description without addresses
	Next         time.Time
	Sent         time.Time
	Updated      time.Time
}

type mailItem struct {
	PK       string `dynamodbav:"PK"`
	SK       string `dynamodbav:"SK"`
	Site     string `dynamodbav:"site"`
	Reason   string `dynamodbav:"reason"`
	Status   string `dynamodbav:"status"`
	Attempts int    `dynamodbav:"attempts"`
	Owner    string `dynamodbav:"owner,omitempty"`
	Lease    int64  `dynamodbav:"lease,omitempty"` // unix ms
	First    int64  `dynamodbav:"first_seq"`
	Last     int64  `dynamodbav:"last_seq"`
	Rcpt     int    `dynamodbav:"rcpt"`
	MsgID    string `dynamodbav:"ses_id,omitempty"`
	Err      string `dynamodbav:"err,omitempty"`
	Next     int64  `dynamodbav:"next,omitempty"`
	Sent     int64  `dynamodbav:"sent,omitempty"`
	Updated  int64  `dynamodbav:"updated"`
}

func (it *mailItem) record() *MailRecord {
	ms, _ := strconv.ParseInt(strings.TrimPrefix(it.SK, mailPrefix()), 10, 64)
	return &MailRecord{Conversation: strings.TrimPrefix(it.PK, "CONV#"), FirstDue: msTime(ms), Reason: it.Reason,
		Status: it.Status, Attempts: it.Attempts, FirstSeq: it.First, LastSeq: it.Last, Recipients: it.Rcpt,
		MessageID: it.MsgID, Error: it.Err, Next: msTime(it.Next), Sent: msTime(it.Sent), Updated: msTime(it.Updated)}
}

// MailClaim asks for the right to send one email.
type MailClaim struct {
	Conversation string
	Site         string
	FirstDue     time.Time     // the email's identity (see MailTimer.FirstDue)
	Reason       string        // unread, closed, snoozed or transferred
	Owner        string        // the claiming run's id
	Lease        time.Duration // how long the claim holds without news: longer than a run lasts
}

// ClaimMail claims an email for one mailer run with one conditional
// UpdateItem: it succeeds when the email is new, waiting for a retry, or
// claimed by a run whose lease ran out (a run that died mid-send: its
// email may be sent again, the one case of a duplicate). It counts the
// attempt. When the claim is refused the record as it stands comes back
// with claimed false: sent or failed (nothing more to send), or sending
// by another run (leave it alone).
func (s *Store) ClaimMail(ctx context.Context, c MailClaim) (rec *MailRecord, claimed bool, err error) {
	now := s.now().UnixMilli()
	status := expression.Name(attrStatus)
	cond := expression.Or(expression.AttributeNotExists(expression.Name(attrPK)),
		status.Equal(expression.Value(MailRetry)),
		status.Equal(expression.Value(MailSending)).And(expression.Name("lease").LessThan(expression.Value(now))))
	upd := expression.Set(status, expression.Value(MailSending)).
		Set(expression.Name("site"), expression.Value(c.Site)).
		Set(expression.Name("reason"), expression.Value(c.Reason)).
		Set(expression.Name("owner"), expression.Value(c.Owner)).
		Set(expression.Name("lease"), expression.Value(now+c.Lease.Milliseconds())).
		Set(expression.Name("first_seq"), expression.Name("first_seq").IfNotExists(expression.Value(0))).
		Set(expression.Name("last_seq"), expression.Name("last_seq").IfNotExists(expression.Value(0))).
		Set(expression.Name("rcpt"), expression.Name("rcpt").IfNotExists(expression.Value(0))).
		Set(expression.Name("updated"), expression.Value(now)).
		Add(expression.Name("attempts"), expression.Value(1)).
		Remove(expression.Name("next"))
	expr, err := expression.NewBuilder().WithCondition(cond).WithUpdate(upd).Build()
	if err != nil {
		return nil, false, err
	}
	out, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: tableName(s),
		Key: key(convKey(c.Conversation), mailSK(c.FirstDue)), UpdateExpression: expr.Update(),
		ConditionExpression: expr.Condition(), ExpressionAttributeNames: expr.Names(),
		ExpressionAttributeValues: expr.Values(), ReturnValues: types.ReturnValueAllNew,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld})
	var ccf *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &ccf):
		var it mailItem
		if ccf.Item == nil || unmarshal(ccf.Item, &it) != nil {
			return nil, false, translate("claim mail", err)
		}
		return it.record(), false, nil
	case err != nil:
		return nil, false, translate("claim mail", err)
	}
	var it mailItem
	if err := unmarshal(out.Attributes, &it); err != nil {
		return nil, false, translate("decode mail", err)
	}
	return it.record(), true, nil
}

// MailOutcome is what became of one attempt to send a claimed email.
type MailOutcome struct {
	Owner      string // the run that holds the claim
	Status     string // MailSent, MailRetry or MailFailed
	FirstSeq   int64  // operator messages carried
	LastSeq    int64
	Recipients int
	MessageID  string    // MailSent: SES's id
	Error      string    // MailRetry, MailFailed: what went wrong, without addresses
	Next       time.Time // MailRetry: when to try again
}

// recordOutcome returns the Update that records o on a claimed email,
// conditional on the claim still being o.Owner's.
func (s *Store) recordOutcome(conv string, first time.Time, o MailOutcome) (*types.Update, error) {
	now := s.now().UnixMilli()
	upd := expression.Set(expression.Name(attrStatus), expression.Value(o.Status)).
		Set(expression.Name("first_seq"), expression.Value(o.FirstSeq)).
		Set(expression.Name("last_seq"), expression.Value(o.LastSeq)).
		Set(expression.Name("rcpt"), expression.Value(o.Recipients)).
		Set(expression.Name("updated"), expression.Value(now)).
		Remove(expression.Name("owner")).Remove(expression.Name("lease"))
	switch o.Status {
	case MailSent:
		upd = upd.Set(expression.Name("ses_id"), expression.Value(o.MessageID)).
			Set(expression.Name("sent"), expression.Value(now)).Remove(expression.Name("err"))
	case MailRetry:
		upd = upd.Set(expression.Name("err"), expression.Value(o.Error)).Set(expression.Name("next"), expression.Value(o.Next.UnixMilli()))
	default:
		upd = upd.Set(expression.Name("err"), expression.Value(o.Error))
	}
	cond := expression.Name("owner").Equal(expression.Value(o.Owner)).
		And(expression.Name(attrStatus).Equal(expression.Value(MailSending)))
	expr, err := expression.NewBuilder().WithCondition(cond).WithUpdate(upd).Build()
	if err != nil {
		return nil, err
	}
	return &types.Update{TableName: tableName(s), Key: key(convKey(conv), mailSK(first)),
		UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values()}, nil
}

// RecordMail records the outcome of an attempt on a claimed email (one
// UpdateItem). It returns ECONFLICT when the claim is no longer o.Owner's.
// A sent email is recorded before anything else is cleaned up, so a run
// that stops after SES accepted it never sends it again.
func (s *Store) RecordMail(ctx context.Context, conv string, first time.Time, o MailOutcome) error {
	u, err := s.recordOutcome(conv, first, o)
	if err != nil {
		return err
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: u.TableName, Key: u.Key,
		UpdateExpression: u.UpdateExpression, ConditionExpression: u.ConditionExpression,
		ExpressionAttributeNames: u.ExpressionAttributeNames, ExpressionAttributeValues: u.ExpressionAttributeValues})
	return translate("record mail", err)
}

// CancelMail marks an email waiting for a retry as no longer needed (one
// UpdateItem); an email in any other state is left as it is.
func (s *Store) CancelMail(ctx context.Context, conv string, first time.Time, why string) error {
	upd := expression.Set(expression.Name(attrStatus), expression.Value(MailCancelled)).
		Set(expression.Name("err"), expression.Value(why)).
		Set(expression.Name("updated"), expression.Value(s.now().UnixMilli())).Remove(expression.Name("next"))
	cond := expression.Name(attrStatus).Equal(expression.Value(MailRetry))
	expr, err := expression.NewBuilder().WithCondition(cond).WithUpdate(upd).Build()
	if err != nil {
		return err
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: tableName(s), Key: key(convKey(conv), mailSK(first)),
		UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values()})
	if livehelp.IsCode(translate("", err), livehelp.ECONFLICT) {
		return nil
	}
	return translate("cancel mail", err)
}

// MailRecords lists a conversation's emails, oldest first: one Query of the
// conversation's partition (strongly consistent).
func (s *Store) MailRecords(ctx context.Context, conv string) ([]*MailRecord, error) {
	kc := expression.Key(attrPK).Equal(expression.Value(convKey(conv))).And(expression.Key(attrSK).BeginsWith(mailPrefix()))
	expr, err := expression.NewBuilder().WithKeyCondition(kc).Build()
	if err != nil {
		return nil, err
	}
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{TableName: tableName(s), KeyConditionExpression: expr.KeyCondition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(), ConsistentRead: aws.Bool(true)})
	recs := []*MailRecord{}
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, translate("query mail", err)
		}
		for _, m := range page.Items {
			var it mailItem
			if err := unmarshal(m, &it); err != nil {
				return nil, translate("decode mail", err)
			}
			recs = append(recs, it.record())
		}
	}
	return recs, nil
}

// LastMailedSeq returns the highest operator message sequence an email
// that SES accepted carried (0 when none did).
func LastMailedSeq(recs []*MailRecord) int64 {
	var last int64
	for _, r := range recs {
		if (r.Status == MailSent || r.Status == MailUnknown) && r.LastSeq > last { // unknown may be out: never mail it again
			last = r.LastSeq
		}
	}
	return last
}

// MailStatusOf returns the status of the email that carried operator
// message seq ("" when none did): what the console shows on the message.
// A later record wins over an earlier one.
func MailStatusOf(recs []*MailRecord, seq int64) string {
	status := ""
	for _, r := range recs {
		if r.FirstSeq > 0 && r.FirstSeq <= seq && seq <= r.LastSeq {
			status = r.Status
		}
	}
	return status
}

// ResumeConversation opens the conversation of a verified resume link
// (auth.KindResume: visitor, site and conversation) in a browser: it checks
// that conv is visitor's conversation on site, and marks the operator
// messages the conversation's emails carried as read by the visitor, so no
// later email repeats them. One GetItem and one Query, and one UpdateItem
// when the read mark moves. It returns the conversation after, or
// ENOTFOUND when the link does not match it.
func (s *Store) ResumeConversation(ctx context.Context, site, visitor, conv string) (*livehelp.Conversation, error) {
	c, err := s.Conversation(ctx, conv)
	if err != nil {
		return nil, err
	}
	if c.Site != site || c.Visitor != visitor {
		return nil, notFound("Conversation")
	}
	recs, err := s.MailRecords(ctx, conv)
	if err != nil {
		return nil, err
	}
	seq := min(LastMailedSeq(recs), c.Seq)
	if seq <= c.VisitorRead {
		return c, nil
	}
	switch err := s.SetVisitorRead(ctx, c, seq); {
	case err == nil:
		c.VisitorRead = seq
	case livehelp.IsCode(err, livehelp.ECONFLICT):
		// read further meanwhile: the mark only moves forward
	default:
		return nil, err
	}
	return c, nil
}
