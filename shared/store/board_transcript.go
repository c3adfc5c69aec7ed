package store

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// maxTranscriptText bounds the text one transcript item keeps, far below
// DynamoDB's 400 KB item limit with the search copy beside it; a longer
// chat continues in a second item.
const maxTranscriptText = 120 << 10

// syncItem remembers how far a conversation was copied to its visitor's
// board, and which transcript item is still open.
type syncItem struct {
	PK   string `dynamodbav:"PK"`
	SK   string `dynamodbav:"SK"`
	Seq  int64  `dynamodbav:"seq"`
	Open string `dynamodbav:"open,omitempty"` // id of the transcript item being written
}

// SyncTranscripts copies a conversation's new messages to its visitor's
// board as chat transcripts, so the board and its search stay one Query of
// the visitor's partition. A transcript runs from the first message after
// a close to the next close ("closed" system line), which closes it; the
// console calls this when it shows a board. Concurrent syncs are safe: the
// copy is written in one transaction conditioned on the progress marker,
// and a loser changes nothing.
func (s *Store) SyncTranscripts(ctx context.Context, c *livehelp.Conversation) error {
	if c.Visitor == "" || c.Seq == 0 {
		return nil
	}
	mk := key(visitorKey(c.Visitor), boardSyncSK(c.ID))
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: tableName(s), Key: mk, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return translate("get transcript marker", err)
	}
	var marker syncItem
	if out.Item != nil {
		if err := unmarshal(out.Item, &marker); err != nil {
			return translate("decode transcript marker", err)
		}
	}
	if marker.Seq >= c.Seq {
		return nil
	}
	var open *livehelp.BoardItem
	if marker.Open != "" {
		if open, err = s.BoardItem(ctx, c.Site, c.Visitor, marker.Open); livehelp.IsCode(err, livehelp.ENOTFOUND) {
			open, err = nil, nil
		}
		if err != nil {
			return err
		}
	}
	var items []*livehelp.BoardItem
	size := transcriptSize(open)
	seq := marker.Seq
page:
	for seq < c.Seq {
		msgs, more, err := s.Messages(ctx, c.ID, livehelp.Page{After: seq, Limit: livehelp.MaxPageSize})
		if err != nil {
			return err
		}
		for _, m := range msgs {
			if len(items) >= transactMax-2 {
				break page // the rest on the next sync
			}
			seq = m.Seq
			if open == nil || size+len(m.Text) > maxTranscriptText {
				if open != nil {
					open.Truncated = true // continued in the next item
				}
				open = &livehelp.BoardItem{ID: boardItemID(m.Time, fmt.Sprintf("%s-%d", c.ID, m.Seq)), Site: c.Site,
					Visitor: c.Visitor, Kind: livehelp.BoardChat, Created: m.Time, Conversation: c.ID}
				items = append(items, open)
				size = 0
			} else if len(items) == 0 || items[len(items)-1] != open {
				items = append(items, open)
			}
			open.Lines = append(open.Lines, transcriptLine(m, c))
			open.LastSeq = m.Seq
			size += len(m.Text)
			if m.Author == livehelp.AuthorSystem && m.Event == livehelp.EventClosed {
				open.Closed, open.ClosedBy, open.ClosedAt = true, m.Operator, m.Time
				open = nil
			}
		}
		if !more || len(msgs) == 0 {
			break
		}
	}
	return s.writeTranscripts(ctx, c, marker, seq, open, items)
}

// writeTranscripts stores changed transcript items and the new marker in
// one transaction (at most 99 items).
func (s *Store) writeTranscripts(ctx context.Context, c *livehelp.Conversation, old syncItem, seq int64, open *livehelp.BoardItem, items []*livehelp.BoardItem) error {
	next := syncItem{PK: visitorKey(c.Visitor), SK: boardSyncSK(c.ID), Seq: seq}
	if open != nil {
		next.Open = open.ID
	}
	var cond expression.ConditionBuilder
	if old.PK == "" {
		cond = expression.AttributeNotExists(expression.Name(attrPK))
	} else {
		cond = expression.Name("seq").Equal(expression.Value(old.Seq))
	}
	expr, err := expression.NewBuilder().WithCondition(cond).Build()
	if err != nil {
		return err
	}
	tx := []types.TransactWriteItem{{Put: &types.Put{TableName: tableName(s), Item: marshal(next),
		ConditionExpression: expr.Condition(), ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values()}}}
	for _, b := range items {
		tx = append(tx, types.TransactWriteItem{Put: &types.Put{TableName: tableName(s), Item: marshal(newBoardItem(b))}})
	}
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tx})
	if livehelp.IsCode(translate("", err), livehelp.ECONFLICT) {
		return nil // another sync got there first
	}
	return translate("write transcripts", err)
}

func transcriptLine(m livehelp.Message, c *livehelp.Conversation) livehelp.TranscriptLine {
	name := m.OperatorName
	if m.Author == livehelp.AuthorVisitor {
		name = c.VisitorName
	}
	return livehelp.TranscriptLine{Seq: m.Seq, Author: m.Author, Name: name, Text: m.Text, At: m.Time}
}

func transcriptSize(b *livehelp.BoardItem) int {
	if b == nil {
		return 0
	}
	n := 0
	for _, l := range b.Lines {
		n += len(l.Text)
	}
	return n
}
