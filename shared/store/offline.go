package store

import (
	"context"
	"errors"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// Left is what LeaveMessage stored for one offline-form message.
type Left struct {
	Conversation *livehelp.Conversation // the visitor's one conversation, after the message
	Message      livehelp.Message       // the message in the conversation
	Item         *livehelp.BoardItem    // the message on the visitor's board (the Message Queue)
	Duplicate    bool                   // a retry of a message stored before: nothing new was written
	New          bool                   // the conversation was created by this message
}

// errClosed stops an append to a closed conversation so it is reopened
// first.
var errClosed = errors.New("store: conversation closed")

// LeaveMessage files a visitor's offline-form message m (validated by the
// caller; m.Conversation is ignored). The message continues the visitor's
// one conversation on m.Site (livehelp.ConversationID): a new one is
// created queued offline — the offline queue operators see — and a closed
// one is reopened and routed, as when the visitor writes in the chat; the
// message is appended to it (with the subject as its first line when the
// whole fits a chat message). The message is then filed on the visitor's
// Message board, unanswered, so it is in the site's Message Queue and MSG
// count, with their name and address added to their profile
// (AddOfflineMessage). Each step is idempotent on m.ClientID: a retry
// stores nothing twice and completes a retry cut short half-way.
//
// A new visitor costs three writes: a PutItem and two TransactWriteItems.
func (s *Store) LeaveMessage(ctx context.Context, m OfflineMessage) (*Left, error) {
	if !livehelp.ValidClientID(m.ClientID) {
		return nil, livehelp.Invalid("The message has no valid client id.", map[string]string{"client_id": "Use 1 to 64 letters, digits, dashes or underscores."})
	}
	id := livehelp.ConversationID(m.Site, m.Visitor)
	c, err := s.CreateConversation(ctx, &livehelp.Conversation{ID: id, Site: m.Site, Visitor: m.Visitor, VisitorName: m.Name})
	created := err == nil
	if livehelp.IsCode(err, livehelp.ECONFLICT) {
		c, err = s.Conversation(ctx, id)
		if err == nil && c.VisitorName == "" && m.Name != "" {
			err = s.SetVisitorName(ctx, id, m.Name)
			c.VisitorName = m.Name
		}
	}
	if err != nil {
		return nil, err
	}
	if c.Site != m.Site || c.Visitor != m.Visitor {
		return nil, notFound("Conversation")
	}
	var latest *livehelp.Conversation
	ap := Append{Sender: m.Visitor, Message: livehelp.Message{Author: livehelp.AuthorVisitor, ClientID: m.ClientID,
		Text: chatText(m.Subject, m.Text)},
		Check: func(c *livehelp.Conversation) error {
			latest = c
			if c.Status == livehelp.StatusClosed {
				return errClosed
			}
			return nil
		}}
	msg, dup, err := s.AppendMessage(ctx, c, ap)
	if errors.Is(err, errClosed) {
		t, rerr := s.Route(ctx, latest)
		if rerr != nil {
			return nil, rerr
		}
		msg, dup, err = s.AppendMessage(ctx, t.Conversation, ap)
	}
	if errors.Is(err, errClosed) {
		return nil, livehelp.Errorf(livehelp.ECONFLICT, "The conversation was closed meanwhile; send the message again.")
	}
	if err != nil {
		return nil, err
	}
	m.Conversation = id
	item, err := s.AddOfflineMessage(ctx, m)
	if err != nil {
		return nil, err
	}
	after := *latest
	after.Seq = max(after.Seq, msg.Seq)
	return &Left{Conversation: &after, Message: msg, Item: item, Duplicate: dup, New: created}, nil
}

// chatText is the conversation line of an offline message: the subject
// and the text, or the text alone when both would not fit a chat message.
func chatText(subject, text string) string {
	if subject == "" {
		return text
	}
	if both := subject + "\n\n" + text; len(both) <= livehelp.MaxMessageText {
		return both
	}
	return text
}
