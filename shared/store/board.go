package store

import (
	"context"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/livehelp/livehelp/shared/auth"
	"github.com/livehelp/livehelp/shared/livehelp"
)

// boardItem is one entry of a visitor's Message board, kept in the
// visitor's partition so the whole history is one Query. Visitor messages
// are also indexed per site (GSI1, the Message Queue) and, while
// unanswered, in the sparse GSI2 partition that the MSG count reads.
type boardItem struct {
	PK        string     `dynamodbav:"PK"`
	SK        string     `dynamodbav:"SK"`
	GSI1PK    string     `dynamodbav:"GSI1PK,omitempty"`
	GSI1SK    string     `dynamodbav:"GSI1SK,omitempty"`
	GSI2PK    string     `dynamodbav:"GSI2PK,omitempty"`
	GSI2SK    string     `dynamodbav:"GSI2SK,omitempty"`
	Site      string     `dynamodbav:"site"`
	Kind      string     `dynamodbav:"kind"`
	Created   int64      `dynamodbav:"created"`
	Closed    bool       `dynamodbav:"closed"`
	ClosedBy  string     `dynamodbav:"closed_by,omitempty"`
	ClosedAt  int64      `dynamodbav:"closed_at,omitempty"`
	Name      string     `dynamodbav:"name,omitempty"`
	Email     string     `dynamodbav:"email,omitempty"`
	Subject   string     `dynamodbav:"subject,omitempty"`
	Text      string     `dynamodbav:"text,omitempty"`
	ClientID  string     `dynamodbav:"cid,omitempty"`
	Conv      string     `dynamodbav:"conv,omitempty"`
	Op        string     `dynamodbav:"op,omitempty"`
	OpName    string     `dynamodbav:"op_name,omitempty"`
	To        []string   `dynamodbav:"to,omitempty"`
	Status    string     `dynamodbav:"status,omitempty"`
	Lines     []lineItem `dynamodbav:"lines,omitempty"`
	LastSeq   int64      `dynamodbav:"last_seq,omitempty"`
	Truncated bool       `dynamodbav:"truncated,omitempty"`
	Call      *callItem  `dynamodbav:"call,omitempty"`
	Search    string     `dynamodbav:"search"` // lower-cased text a board search matches
}

type lineItem struct {
	Seq    int64  `dynamodbav:"q"`
	Author string `dynamodbav:"a"`
	Name   string `dynamodbav:"n,omitempty"`
	Text   string `dynamodbav:"t"`
	At     int64  `dynamodbav:"at"`
}

type callItem struct {
	At        int64  `dynamodbav:"at"`
	Duration  int64  `dynamodbav:"dur"` // seconds
	Direction string `dynamodbav:"dir"`
	Phone     string `dynamodbav:"phone,omitempty"`
	Source    string `dynamodbav:"src"`
}

// clientItem guards one write against retries: it names the item a client
// id already produced.
type clientItem struct {
	PK   string `dynamodbav:"PK"`
	SK   string `dynamodbav:"SK"`
	Item string `dynamodbav:"item"`
}

func (it *boardItem) domain() *livehelp.BoardItem {
	b := &livehelp.BoardItem{ID: strings.TrimPrefix(it.SK, boardPrefix()), Site: it.Site,
		Visitor: strings.TrimPrefix(it.PK, "VIS#"), Kind: it.Kind, Created: time.UnixMilli(it.Created).UTC(),
		Closed: it.Closed, ClosedBy: it.ClosedBy, Name: it.Name, Email: it.Email, Subject: it.Subject, Text: it.Text,
		ClientID: it.ClientID, Conversation: it.Conv, Operator: it.Op, OperatorName: it.OpName, To: it.To,
		Status: it.Status, LastSeq: it.LastSeq, Truncated: it.Truncated}
	if it.ClosedAt != 0 {
		b.ClosedAt = time.UnixMilli(it.ClosedAt).UTC()
	}
	for _, l := range it.Lines {
		b.Lines = append(b.Lines, livehelp.TranscriptLine{Seq: l.Seq, Author: l.Author, Name: l.Name, Text: l.Text,
			At: time.UnixMilli(l.At).UTC()})
	}
	if c := it.Call; c != nil {
		b.Call = &livehelp.Call{At: time.UnixMilli(c.At).UTC(), Duration: time.Duration(c.Duration) * time.Second,
			Direction: c.Direction, Phone: c.Phone, Source: c.Source}
	}
	return b
}

// newBoardItem returns the stored form of b, with its indexes and search
// text. b.ID must be set.
func newBoardItem(b *livehelp.BoardItem) boardItem {
	it := boardItem{PK: visitorKey(b.Visitor), SK: boardSK(b.ID), Site: b.Site, Kind: b.Kind,
		Created: b.Created.UnixMilli(), Closed: b.Closed, ClosedBy: b.ClosedBy, Name: b.Name, Email: b.Email,
		Subject: b.Subject, Text: b.Text, ClientID: b.ClientID, Conv: b.Conversation, Op: b.Operator,
		OpName: b.OperatorName, To: b.To, Status: b.Status, LastSeq: b.LastSeq, Truncated: b.Truncated}
	if !b.ClosedAt.IsZero() {
		it.ClosedAt = b.ClosedAt.UnixMilli()
	}
	parts := []string{b.Name, b.Email, b.Subject, b.Text, b.OperatorName}
	for _, l := range b.Lines {
		it.Lines = append(it.Lines, lineItem{Seq: l.Seq, Author: l.Author, Name: l.Name, Text: l.Text, At: l.At.UnixMilli()})
		parts = append(parts, l.Name, l.Text)
	}
	if c := b.Call; c != nil {
		it.Call = &callItem{At: c.At.UnixMilli(), Duration: int64(c.Duration / time.Second), Direction: c.Direction,
			Phone: c.Phone, Source: c.Source}
		parts = append(parts, c.Phone)
	}
	it.Search = livehelp.SearchText(parts...)
	if b.Kind == livehelp.BoardMessage {
		it.GSI1PK, it.GSI1SK = siteMessagesKey(b.Site), b.ID
		if !b.Closed {
			it.GSI2PK, it.GSI2SK = siteUnansweredKey(b.Site), b.ID
		}
	}
	return it
}

// OfflineMessage is a visitor's message as the offline form files it.
type OfflineMessage struct {
	Site         string
	Visitor      string
	Name         string
	Email        string // validated
	Subject      string
	Text         string
	ClientID     string // the form's idempotency key: a retry stores nothing twice
	Conversation string // the conversation the message continues, if any
}

// AddOfflineMessage files a visitor's message on their Message board in one
// transaction: the board item (unanswered, so it counts in MSG and shows in
// the Message Queue), the visitor's name and address on their profile
// (created if new), the address index and the day's statistics. A retry
// with the same client id returns the item stored the first time and
// writes nothing. It returns ENOTFOUND when the visitor belongs to another
// site and EINVALID for a bad client id.
func (s *Store) AddOfflineMessage(ctx context.Context, m OfflineMessage) (*livehelp.BoardItem, error) {
	if !livehelp.ValidClientID(m.ClientID) {
		return nil, livehelp.Invalid("The message has no valid client id.", map[string]string{"client_id": "Use 1 to 64 letters, digits, dashes or underscores."})
	}
	now := s.now()
	b := &livehelp.BoardItem{ID: boardItemID(now, auth.NewID()[:12]), Site: m.Site, Visitor: m.Visitor,
		Kind: livehelp.BoardMessage, Created: now, Name: m.Name, Email: strings.ToLower(m.Email), Subject: m.Subject,
		Text: m.Text, ClientID: m.ClientID, Conversation: m.Conversation}
	extra, err := s.profileWrites(ProfileUpdate{Site: m.Site, Visitor: m.Visitor, Name: m.Name, Email: m.Email}, now)
	if err != nil {
		return nil, err
	}
	stats, err := s.statsUpdate(m.Site, now, "messages", 1)
	if err != nil {
		return nil, err
	}
	extra = append(extra, types.TransactWriteItem{Update: stats})
	got, _, err := s.putBoardItem(ctx, b, extra)
	return got, err
}

// AddBoardItem stores an operator's item — a reply, a note or a call
// record — on a visitor's board. It sets b.ID and b.Created. When
// b.ClientID is set, a retry returns the item stored the first time with
// created false. It returns ENOTFOUND when the visitor is unknown or of
// another site.
func (s *Store) AddBoardItem(ctx context.Context, b *livehelp.BoardItem) (got *livehelp.BoardItem, created bool, err error) {
	switch b.Kind {
	case livehelp.BoardReply, livehelp.BoardNote, livehelp.BoardCall:
	default:
		return nil, false, livehelp.Errorf(livehelp.EINVALID, "Operators cannot add %q items.", b.Kind)
	}
	now := s.now()
	b.Created = now
	b.ID = boardItemID(now, auth.NewID()[:12])
	cond := expression.Name("site").Equal(expression.Value(b.Site))
	expr, err := expression.NewBuilder().WithCondition(cond).Build()
	if err != nil {
		return nil, false, err
	}
	check := types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{TableName: tableName(s),
		Key: key(visitorKey(b.Visitor), skVisitor), ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values()}}
	return s.putBoardItem(ctx, b, []types.TransactWriteItem{check})
}

// putBoardItem writes b with its client-id guard (when b has a client id)
// and extra items in one transaction. A failed guard means a retry: the
// item stored the first time is returned, with created false.
func (s *Store) putBoardItem(ctx context.Context, b *livehelp.BoardItem, extra []types.TransactWriteItem) (*livehelp.BoardItem, bool, error) {
	notExists, err := expression.NewBuilder().WithCondition(expression.AttributeNotExists(expression.Name(attrPK))).Build()
	if err != nil {
		return nil, false, err
	}
	var items []types.TransactWriteItem
	if b.ClientID != "" {
		items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: tableName(s),
			Item:                marshal(clientItem{PK: visitorKey(b.Visitor), SK: boardClientSK(b.ClientID), Item: b.ID}),
			ConditionExpression: notExists.Condition(), ExpressionAttributeNames: notExists.Names()}})
	}
	items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: tableName(s), Item: marshal(newBoardItem(b)),
		ConditionExpression: notExists.Condition(), ExpressionAttributeNames: notExists.Names()}})
	items = append(items, extra...)
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	if failed := cancelled(err); len(failed) > 0 {
		switch {
		case b.ClientID != "" && failed[0]:
			return s.boardItemByClientID(ctx, b.Site, b.Visitor, b.ClientID)
		case failed[len(items)-len(extra)]: // the profile or visitor check
			return nil, false, notFound("Visitor")
		}
	}
	if err != nil {
		return nil, false, translate("put board item", err)
	}
	return b, true, nil
}

func (s *Store) boardItemByClientID(ctx context.Context, site, visitor, cid string) (*livehelp.BoardItem, bool, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: tableName(s), Key: key(visitorKey(visitor), boardClientSK(cid)),
		ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, false, translate("get board client id", err)
	}
	var it clientItem
	if out.Item == nil || unmarshal(out.Item, &it) != nil {
		return nil, false, livehelp.Errorf(livehelp.ECONFLICT, "This message is being stored; try again.")
	}
	b, err := s.BoardItem(ctx, site, visitor, it.Item)
	return b, false, err
}

// BoardItem returns one item of a visitor's board on site, or ENOTFOUND.
func (s *Store) BoardItem(ctx context.Context, site, visitor, id string) (*livehelp.BoardItem, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: tableName(s), Key: key(visitorKey(visitor), boardSK(id)),
		ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, translate("get board item", err)
	}
	var it boardItem
	if out.Item == nil {
		return nil, notFound("Item")
	}
	if err := unmarshal(out.Item, &it); err != nil {
		return nil, translate("decode board item", err)
	}
	if it.Site != site {
		return nil, notFound("Item")
	}
	return it.domain(), nil
}

// SetBoardItemClosed closes or uncloses an item of a visitor's board on
// site and returns it. Closing a visitor's message takes it out of the MSG
// count; unclosing puts it back. It returns ENOTFOUND for an unknown item.
func (s *Store) SetBoardItemClosed(ctx context.Context, site, visitor, id string, closed bool, by string) (*livehelp.BoardItem, error) {
	now := s.now()
	upd := expression.Set(expression.Name("closed"), expression.Value(closed))
	if closed {
		upd = upd.Set(expression.Name("closed_by"), expression.Value(by)).
			Set(expression.Name("closed_at"), expression.Value(now.UnixMilli())).
			Remove(expression.Name(attrGSI2PK)).Remove(expression.Name(attrGSI2SK))
	} else {
		upd = upd.Remove(expression.Name("closed_by")).Remove(expression.Name("closed_at"))
	}
	cond := expression.Name("site").Equal(expression.Value(site))
	expr, err := expression.NewBuilder().WithUpdate(upd).WithCondition(cond).Build()
	if err != nil {
		return nil, err
	}
	out, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: tableName(s), Key: key(visitorKey(visitor), boardSK(id)),
		UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(), ExpressionAttributeNames: expr.Names(),
		ExpressionAttributeValues: expr.Values(), ReturnValues: types.ReturnValueAllNew})
	if livehelp.IsCode(translate("", err), livehelp.ECONFLICT) {
		return nil, notFound("Item")
	}
	if err != nil {
		return nil, translate("close board item", err)
	}
	var it boardItem
	if err := unmarshal(out.Attributes, &it); err != nil {
		return nil, translate("decode board item", err)
	}
	if !closed && it.Kind == livehelp.BoardMessage {
		// Back into the unanswered index, keyed as when it was filed.
		if err := s.setUnanswered(ctx, &it); err != nil {
			return nil, err
		}
	}
	return it.domain(), nil
}

func (s *Store) setUnanswered(ctx context.Context, it *boardItem) error {
	id := strings.TrimPrefix(it.SK, boardPrefix())
	upd := expression.Set(expression.Name(attrGSI2PK), expression.Value(siteUnansweredKey(it.Site))).
		Set(expression.Name(attrGSI2SK), expression.Value(id))
	cond := expression.Name("closed").Equal(expression.Value(false))
	expr, err := expression.NewBuilder().WithUpdate(upd).WithCondition(cond).Build()
	if err != nil {
		return err
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: tableName(s), Key: key(it.PK, it.SK),
		UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(), ExpressionAttributeNames: expr.Names(),
		ExpressionAttributeValues: expr.Values()})
	if livehelp.IsCode(translate("", err), livehelp.ECONFLICT) {
		return nil // closed again meanwhile: it must stay out of the index
	}
	return translate("unclose board item", err)
}

// SetReplyStatus records whether a reply went out (sent or failed).
func (s *Store) SetReplyStatus(ctx context.Context, visitor, id, status string) error {
	expr, err := expression.NewBuilder().WithUpdate(expression.Set(expression.Name("status"), expression.Value(status))).
		WithCondition(expression.AttributeExists(expression.Name(attrPK))).Build()
	if err != nil {
		return err
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: tableName(s), Key: key(visitorKey(visitor), boardSK(id)),
		UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(), ExpressionAttributeNames: expr.Names(),
		ExpressionAttributeValues: expr.Values()})
	if livehelp.IsCode(translate("", err), livehelp.ECONFLICT) {
		return notFound("Item")
	}
	return translate("set reply status", err)
}
