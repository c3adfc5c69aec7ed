package store

import (
	"context"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// conversationItem is a conversation's state and its message counter. GSI1
// lists a visitor's conversations; GSI2 places it in its site's queue while
// queued, in its operator's list while assigned, and nowhere once closed.
type conversationItem struct {
	PK       string   `dynamodbav:"PK"`
	SK       string   `dynamodbav:"SK"`
	GSI1PK   string   `dynamodbav:"GSI1PK"`
	GSI1SK   string   `dynamodbav:"GSI1SK"`
	GSI2PK   string   `dynamodbav:"GSI2PK,omitempty"`
	GSI2SK   string   `dynamodbav:"GSI2SK,omitempty"`
	Site     string   `dynamodbav:"site"`
	Visitor  string   `dynamodbav:"vis"`
	VName    string   `dynamodbav:"vname,omitempty"`
	Status   string   `dynamodbav:"status"`
	Queue    string   `dynamodbav:"queue,omitempty"`
	Op       string   `dynamodbav:"op,omitempty"`
	OpName   string   `dynamodbav:"opname,omitempty"`
	Seq      int64    `dynamodbav:"seq"`
	VRead    int64    `dynamodbav:"vread"`
	LastOp   int64    `dynamodbav:"lastop"`
	MailDue  int64    `dynamodbav:"mail_due"` // unix ms of the pending unread-reply timer; 0 when none
	VConns   []string `dynamodbav:"vconns,stringset,omitempty"`
	Created  int64    `dynamodbav:"created"`
	Queued   int64    `dynamodbav:"queued"`
	Assigned int64    `dynamodbav:"assigned"`
	Updated  int64    `dynamodbav:"updated"`
}

// Conversation item attribute names used in expressions.
const (
	attrStatus  = "status"
	attrQueue   = "queue"
	attrSeq     = "seq"
	attrVConns  = "vconns"
	attrMailDue = "mail_due"
)

func msTime(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

func timeMS(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func (it *conversationItem) conversation() *livehelp.Conversation {
	return &livehelp.Conversation{
		ID: strings.TrimPrefix(it.PK, "CONV#"), Site: it.Site, Visitor: it.Visitor, VisitorName: it.VName,
		Status: it.Status, Queue: it.Queue, Operator: it.Op, OperatorName: it.OpName,
		Seq: it.Seq, VisitorRead: it.VRead, LastOperatorSeq: it.LastOp, MailDue: msTime(it.MailDue),
		VisitorConns: it.VConns, Created: msTime(it.Created), Queued: msTime(it.Queued),
		Assigned: msTime(it.Assigned), Updated: msTime(it.Updated),
	}
}

// CreateConversation stores a new conversation for c.Site and c.Visitor
// (ID, Site, Visitor and VisitorName are used) as queued offline: the state
// a conversation has before routing places it. It returns the stored
// conversation, or ECONFLICT when the id is taken.
func (s *Store) CreateConversation(ctx context.Context, c *livehelp.Conversation) (*livehelp.Conversation, error) {
	now := s.now().UnixMilli()
	it := conversationItem{
		PK: convKey(c.ID), SK: skConv, GSI1PK: visitorConvsKey(c.Visitor), GSI1SK: convTimeSK(msTime(now), c.ID),
		GSI2PK: queueKey(c.Site, livehelp.QueueOffline), GSI2SK: queueSK(msTime(now), c.ID),
		Site: c.Site, Visitor: c.Visitor, VName: c.VisitorName, Status: livehelp.StatusQueued, Queue: livehelp.QueueOffline,
		Created: now, Queued: now, Updated: now,
	}
	expr, err := expression.NewBuilder().WithCondition(expression.AttributeNotExists(expression.Name(attrPK))).Build()
	if err != nil {
		return nil, err
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: tableName(s), Item: marshal(it),
		ConditionExpression: expr.Condition(), ExpressionAttributeNames: expr.Names()})
	if err != nil {
		return nil, translate("create conversation", err)
	}
	return it.conversation(), nil
}

// Conversation returns a conversation by id with a strongly consistent read,
// or ENOTFOUND.
func (s *Store) Conversation(ctx context.Context, id string) (*livehelp.Conversation, error) {
	if id == "" || len(id) > 64 {
		return nil, notFound("Conversation")
	}
	item, err := s.getItem(ctx, key(convKey(id), skConv), true, "Conversation")
	if err != nil {
		return nil, err
	}
	return decodeConversation(item)
}

func decodeConversation(m map[string]types.AttributeValue) (*livehelp.Conversation, error) {
	var it conversationItem
	if err := unmarshal(m, &it); err != nil {
		return nil, translate("decode conversation", err)
	}
	return it.conversation(), nil
}

// SetVisitorName records the name a visitor gave. It returns ENOTFOUND for
// an unknown conversation.
func (s *Store) SetVisitorName(ctx context.Context, id, name string) error {
	upd := expression.Set(expression.Name("vname"), expression.Value(name))
	_, err := s.updateConversation(ctx, id, upd, expression.AttributeExists(expression.Name(attrPK)), false)
	if livehelp.IsCode(err, livehelp.ECONFLICT) {
		return notFound("Conversation")
	}
	return err
}

// SetVisitorRead records that the visitor has read the conversation up to
// seq. The mark only moves forward and never past the last message: it
// returns ECONFLICT when seq is not above the current mark and EINVALID when
// no such message exists yet.
func (s *Store) SetVisitorRead(ctx context.Context, c *livehelp.Conversation, seq int64) error {
	if seq > c.Seq {
		return livehelp.Invalid("No such message yet.", map[string]string{"seq": "Use the sequence of a message you received."})
	}
	upd := expression.Set(expression.Name("vread"), expression.Value(seq))
	cond := expression.Name("vread").LessThan(expression.Value(seq)).And(expression.Name(attrSeq).GreaterThanEqual(expression.Value(seq)))
	_, err := s.updateConversation(ctx, c.ID, upd, cond, false)
	return err
}

// ClearMailDue marks the unread-reply email due at due as handled, so the
// next operator message schedules a new one. It returns ECONFLICT when the
// conversation's pending email is not the one due at due (the mailer uses
// this to act once).
func (s *Store) ClearMailDue(ctx context.Context, id string, due time.Time) error {
	upd := expression.Set(expression.Name(attrMailDue), expression.Value(0))
	cond := expression.Name(attrMailDue).Equal(expression.Value(due.UnixMilli()))
	_, err := s.updateConversation(ctx, id, upd, cond, false)
	return err
}

// updateConversation runs one conditional UpdateItem on a conversation and,
// when returnNew is set, returns the item after it.
func (s *Store) updateConversation(ctx context.Context, id string, upd expression.UpdateBuilder, cond expression.ConditionBuilder, returnNew bool) (*livehelp.Conversation, error) {
	expr, err := expression.NewBuilder().WithUpdate(upd).WithCondition(cond).Build()
	if err != nil {
		return nil, err
	}
	in := &dynamodb.UpdateItemInput{TableName: tableName(s), Key: key(convKey(id), skConv),
		UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values()}
	if returnNew {
		in.ReturnValues = types.ReturnValueAllNew
	}
	out, err := s.db.UpdateItem(ctx, in)
	if err != nil {
		return nil, translate("update conversation", err)
	}
	if !returnNew {
		return nil, nil
	}
	return decodeConversation(out.Attributes)
}

// Queue lists up to limit conversations of a site's queue (waiting or
// offline), oldest first: one Query on GSI2 (eventually consistent).
func (s *Store) Queue(ctx context.Context, site, queue string, limit int) ([]*livehelp.Conversation, error) {
	return s.queryConversations(ctx, queueKey(site, queue), limit)
}

// OperatorConversations lists the conversations assigned to an operator,
// oldest assignment first (GSI2, eventually consistent).
func (s *Store) OperatorConversations(ctx context.Context, op string) ([]*livehelp.Conversation, error) {
	return s.queryConversations(ctx, operatorConvsKey(op), 0)
}

// queryConversations reads up to limit (0: all) conversations of one GSI2
// partition in sort key order.
func (s *Store) queryConversations(ctx context.Context, pk string, limit int) ([]*livehelp.Conversation, error) {
	expr, err := expression.NewBuilder().WithKeyCondition(expression.Key(attrGSI2PK).Equal(expression.Value(pk))).Build()
	if err != nil {
		return nil, err
	}
	in := &dynamodb.QueryInput{TableName: tableName(s), IndexName: aws.String(indexGSI2),
		KeyConditionExpression: expr.KeyCondition(), ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values()}
	if limit > 0 {
		in.Limit = aws.Int32(int32(limit))
	}
	var convs []*livehelp.Conversation
	p := dynamodb.NewQueryPaginator(s.db, in)
	for p.HasMorePages() && (limit == 0 || len(convs) < limit) {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, translate("query conversations", err)
		}
		for _, m := range page.Items {
			c, err := decodeConversation(m)
			if err != nil {
				return nil, err
			}
			convs = append(convs, c)
		}
	}
	return convs, nil
}

// QueuePosition returns a waiting conversation's place in its site's queue
// (1 for the next to be served): one Query that counts the conversations
// that entered the waiting queue before it.
func (s *Store) QueuePosition(ctx context.Context, c *livehelp.Conversation) (int, error) {
	kc := expression.Key(attrGSI2PK).Equal(expression.Value(queueKey(c.Site, livehelp.QueueWaiting))).
		And(expression.Key(attrGSI2SK).LessThan(expression.Value(queueSK(c.Queued, c.ID))))
	expr, err := expression.NewBuilder().WithKeyCondition(kc).Build()
	if err != nil {
		return 0, err
	}
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{TableName: tableName(s), IndexName: aws.String(indexGSI2),
		KeyConditionExpression: expr.KeyCondition(), ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
		Select: types.SelectCount})
	ahead := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return 0, translate("count queue", err)
		}
		ahead += int(page.Count)
	}
	return ahead + 1, nil
}
