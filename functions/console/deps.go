package main

import (
	"context"
	"time"

	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

// consoleStore is the part of the store the console uses; *store.Store
// implements it.
type consoleStore interface {
	// Sessions, operators and rate limits.
	Allow(ctx context.Context, name string, l store.Limit) error
	OperatorByEmail(ctx context.Context, email string) (*livehelp.Operator, error)
	Operator(ctx context.Context, id string) (*livehelp.Operator, error)
	Operators(ctx context.Context, site string) ([]*livehelp.Operator, error)
	CreateOperator(ctx context.Context, op *livehelp.Operator) error
	UpdateOperator(ctx context.Context, op *livehelp.Operator) error
	PutSession(ctx context.Context, s store.Session) error
	Session(ctx context.Context, id string) (*store.Session, error)
	DeleteSession(ctx context.Context, id string) error
	CheckAPIKey(ctx context.Context, whole string) (*livehelp.APIKey, error)

	// Sites and groups.
	Site(ctx context.Context, id string, consistent bool) (*livehelp.Site, error)
	UpdateSiteSettings(ctx context.Context, site *livehelp.Site) error
	ConsoleSettings(ctx context.Context, site string) (store.ConsoleSettings, error)
	PutConsoleSettings(ctx context.Context, site string, c store.ConsoleSettings) error
	Groups(ctx context.Context, site string) ([]*livehelp.Group, error)
	Group(ctx context.Context, site, id string) (*livehelp.Group, error)
	CreateGroup(ctx context.Context, g *livehelp.Group) error
	UpdateGroup(ctx context.Context, g *livehelp.Group) error
	APIKeys(ctx context.Context, site string) ([]*livehelp.APIKey, error)
	CreateAPIKey(ctx context.Context, site, name string) (*livehelp.APIKey, string, error)
	DeleteAPIKey(ctx context.Context, site, id string) error

	// Queues and conversations.
	Queue(ctx context.Context, site, queue string, limit int) ([]*livehelp.Conversation, error)
	OperatorConversations(ctx context.Context, op string) ([]*livehelp.Conversation, error)
	Conversation(ctx context.Context, id string) (*livehelp.Conversation, error)
	Messages(ctx context.Context, conv string, p livehelp.Page) ([]livehelp.Message, bool, error)
	VisitorsOnline(ctx context.Context, site string, visitors []string) (map[string]bool, error)

	// Profiles and the Message board.
	Profile(ctx context.Context, site, visitor string) (*livehelp.Profile, error)
	TouchProfile(ctx context.Context, u store.ProfileUpdate) error
	AddVisitorEmail(ctx context.Context, site, visitor, email string) error
	VisitorByEmail(ctx context.Context, site, email string) (string, error)
	Board(ctx context.Context, q store.BoardQuery) (*store.BoardPage, error)
	SyncTranscripts(ctx context.Context, c *livehelp.Conversation) error
	AddBoardItem(ctx context.Context, b *livehelp.BoardItem) (*livehelp.BoardItem, bool, error)
	SetBoardItemClosed(ctx context.Context, site, visitor, id string, closed bool, by string) (*livehelp.BoardItem, error)
	SetReplyStatus(ctx context.Context, visitor, id, status string) error
	UnansweredCount(ctx context.Context, site string) (int, error)
	MessageQueue(ctx context.Context, site string, unanswered bool, after string, limit int) (*store.BoardPage, error)
	Stats(ctx context.Context, site string, from, to time.Time) ([]store.DayStats, error)

	// Canned messages.
	CannedTree(ctx context.Context, site string) ([]*livehelp.CannedEntry, error)
	CannedNode(ctx context.Context, site, id string) (*livehelp.CannedNode, error)
	CreateCanned(ctx context.Context, n *livehelp.CannedNode) error
	UpdateCanned(ctx context.Context, site, id string, c store.CannedChange) (*livehelp.CannedNode, error)
	DeleteCanned(ctx context.Context, site, id string) error
	DeleteAllCanned(ctx context.Context, site string) (int, error)
	ImportCanned(ctx context.Context, site, parent string, items []livehelp.CannedImport) (int, error)
}

var _ consoleStore = (*store.Store)(nil)
