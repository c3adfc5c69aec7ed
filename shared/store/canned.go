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

// A site's canned messages live in one partition, SITE#<site>#CANNED: one
// item per folder or message (NODE#<id>) and a HEAD item that lists the
// imports still being written. A reader takes the whole partition in one
// Query and shows a node only when its parent is shown and its import (if
// any) is finished, so a half-written import or a half-deleted folder is
// never seen.
type cannedItem struct {
	PK       string  `dynamodbav:"PK"`
	SK       string  `dynamodbav:"SK"`
	Parent   string  `dynamodbav:"parent"`
	Folder   bool    `dynamodbav:"folder"`
	Title    string  `dynamodbav:"title"`
	Body     string  `dynamodbav:"body,omitempty"`
	Position float64 `dynamodbav:"pos"`
	Updated  int64   `dynamodbav:"updated"`
	Import   string  `dynamodbav:"imp,omitempty"` // the import that wrote it
}

type cannedHead struct {
	Pending []string `dynamodbav:"pending,stringset,omitempty"`
}

func (it *cannedItem) node(site string) livehelp.CannedNode {
	return livehelp.CannedNode{ID: strings.TrimPrefix(it.SK, "NODE#"), Site: site, Parent: it.Parent, Folder: it.Folder,
		Title: it.Title, Body: it.Body, Position: it.Position, Updated: time.UnixMilli(it.Updated).UTC()}
}

func newCannedItem(n *livehelp.CannedNode, imp string) cannedItem {
	return cannedItem{PK: cannedKey(n.Site), SK: cannedNodeSK(n.ID), Parent: n.Parent, Folder: n.Folder, Title: n.Title,
		Body: n.Body, Position: n.Position, Updated: n.Updated.UnixMilli(), Import: imp}
}

// CannedNodes returns every visible node of a site's canned messages (one
// Query, consistent), unordered; livehelp.BuildCannedTree arranges them.
func (s *Store) CannedNodes(ctx context.Context, site string) ([]livehelp.CannedNode, error) {
	items, err := s.cannedItems(ctx, site)
	if err != nil {
		return nil, err
	}
	nodes := make([]livehelp.CannedNode, 0, len(items))
	for _, it := range items {
		nodes = append(nodes, it.node(site))
	}
	return nodes, nil
}

// CannedTree returns a site's canned messages as an ordered tree.
func (s *Store) CannedTree(ctx context.Context, site string) ([]*livehelp.CannedEntry, error) {
	nodes, err := s.CannedNodes(ctx, site)
	if err != nil {
		return nil, err
	}
	return livehelp.BuildCannedTree(nodes), nil
}

// cannedItems reads the partition and drops the nodes of unfinished imports.
func (s *Store) cannedItems(ctx context.Context, site string) ([]cannedItem, error) {
	expr, err := expression.NewBuilder().WithKeyCondition(expression.Key(attrPK).Equal(expression.Value(cannedKey(site)))).Build()
	if err != nil {
		return nil, err
	}
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{TableName: tableName(s), KeyConditionExpression: expr.KeyCondition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(), ConsistentRead: aws.Bool(true)})
	pending := map[string]bool{}
	var items []cannedItem
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, translate("query canned", err)
		}
		for _, m := range page.Items {
			if sk, _ := m[attrSK].(*types.AttributeValueMemberS); sk != nil && sk.Value == skHead {
				var h cannedHead
				if err := unmarshal(m, &h); err != nil {
					return nil, translate("decode canned head", err)
				}
				for _, imp := range h.Pending {
					pending[imp] = true
				}
				continue
			}
			var it cannedItem
			if err := unmarshal(m, &it); err != nil {
				return nil, translate("decode canned node", err)
			}
			items = append(items, it)
		}
	}
	visible := items[:0]
	for _, it := range items {
		if it.Import == "" || !pending[it.Import] {
			visible = append(visible, it)
		}
	}
	return visible, nil
}

// CannedNode returns one visible node of a site's tree, or ENOTFOUND.
func (s *Store) CannedNode(ctx context.Context, site, id string) (*livehelp.CannedNode, error) {
	nodes, err := s.CannedNodes(ctx, site)
	if err != nil {
		return nil, err
	}
	for _, e := range flatten(livehelp.BuildCannedTree(nodes)) {
		if e.ID == id {
			n := e.CannedNode
			return &n, nil
		}
	}
	return nil, notFound("Canned message")
}

func flatten(es []*livehelp.CannedEntry) []*livehelp.CannedEntry {
	var out []*livehelp.CannedEntry
	for _, e := range es {
		out = append(out, e)
		out = append(out, flatten(e.Children)...)
	}
	return out
}

// cannedState is a site's visible tree, read once for a change.
type cannedState struct {
	byID     map[string]*livehelp.CannedEntry
	parents  map[string]string
	children map[string][]*livehelp.CannedEntry // by parent id, "" for the top
}

func (s *Store) cannedState(ctx context.Context, site string) (*cannedState, error) {
	nodes, err := s.CannedNodes(ctx, site)
	if err != nil {
		return nil, err
	}
	tree := livehelp.BuildCannedTree(nodes)
	st := &cannedState{byID: map[string]*livehelp.CannedEntry{}, parents: map[string]string{},
		children: map[string][]*livehelp.CannedEntry{"": tree}}
	for _, e := range flatten(tree) {
		st.byID[e.ID] = e
		st.parents[e.ID] = e.Parent
		st.children[e.ID] = e.Children
	}
	return st, nil
}

// folder checks that parent is "" or a visible folder.
func (st *cannedState) folder(parent string) error {
	if parent == "" {
		return nil
	}
	if p, ok := st.byID[parent]; !ok || !p.Folder {
		return livehelp.Invalid("Choose a folder.", map[string]string{"parent": "The folder does not exist."})
	}
	return nil
}

// nextPosition returns a position after every child of parent.
func (st *cannedState) nextPosition(parent string) float64 {
	pos := 0.0
	for _, c := range st.children[parent] {
		pos = max(pos, c.Position)
	}
	return pos + 1
}

// parentCheck returns a condition check that parent still exists as a
// folder, or nil for the top level.
func (s *Store) parentCheck(site, parent string) (*types.TransactWriteItem, error) {
	if parent == "" {
		return nil, nil
	}
	cond := expression.Name("folder").Equal(expression.Value(true))
	expr, err := expression.NewBuilder().WithCondition(cond).Build()
	if err != nil {
		return nil, err
	}
	return &types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{TableName: tableName(s),
		Key: key(cannedKey(site), cannedNodeSK(parent)), ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values()}}, nil
}

// CreateCanned adds a folder or message at the end of its parent folder
// ("" for the top level). It sets n.ID, n.Position and n.Updated. It
// returns EINVALID for a bad title, text or parent, and ECONFLICT when the
// parent was deleted meanwhile or the site has too many nodes.
func (s *Store) CreateCanned(ctx context.Context, n *livehelp.CannedNode) error {
	if err := livehelp.ValidateCannedNode(n); err != nil {
		return err
	}
	st, err := s.cannedState(ctx, n.Site)
	if err != nil {
		return err
	}
	if err := st.folder(n.Parent); err != nil {
		return err
	}
	if len(st.byID) >= livehelp.MaxCannedNodes {
		return livehelp.Errorf(livehelp.ECONFLICT, "A site keeps at most %d canned items.", livehelp.MaxCannedNodes)
	}
	if n.Folder && livehelp.CannedDepth(st.parents, n.Parent)+1 >= livehelp.MaxCannedDepth {
		return livehelp.Invalid("Folders are nested too deeply.", map[string]string{"parent": "Use at most 10 folder levels."})
	}
	n.ID, n.Position, n.Updated = auth.NewID()[:16], st.nextPosition(n.Parent), s.now()
	return s.writeCanned(ctx, n, "create canned")
}

// writeCanned puts n, checking in the same transaction that its parent
// still exists.
func (s *Store) writeCanned(ctx context.Context, n *livehelp.CannedNode, op string) error {
	items := []types.TransactWriteItem{{Put: &types.Put{TableName: tableName(s), Item: marshal(newCannedItem(n, ""))}}}
	check, err := s.parentCheck(n.Site, n.Parent)
	if err != nil {
		return err
	}
	if check != nil {
		items = append(items, *check)
	}
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	if livehelp.IsCode(translate("", err), livehelp.ECONFLICT) {
		return livehelp.Errorf(livehelp.ECONFLICT, "The folder was changed meanwhile; reload and try again.")
	}
	return translate(op, err)
}

// CannedChange is an edit of one node: nil fields stay as they are.
type CannedChange struct {
	Title  *string
	Body   *string
	Parent *string // move into this folder ("" for the top level)
	Before *string // move before this sibling ("" or nil: at the end)
}

// UpdateCanned edits, renames or moves a node and returns it. A folder
// cannot move into itself or below itself. It returns ENOTFOUND for an
// unknown node and EINVALID for bad values.
func (s *Store) UpdateCanned(ctx context.Context, site, id string, c CannedChange) (*livehelp.CannedNode, error) {
	st, err := s.cannedState(ctx, site)
	if err != nil {
		return nil, err
	}
	e, ok := st.byID[id]
	if !ok {
		return nil, notFound("Canned message")
	}
	n := e.CannedNode
	if c.Title != nil {
		n.Title = *c.Title
	}
	if c.Body != nil {
		n.Body = *c.Body
	}
	if err := livehelp.ValidateCannedNode(&n); err != nil {
		return nil, err
	}
	if c.Parent != nil || c.Before != nil {
		if err := st.move(&n, c); err != nil {
			return nil, err
		}
	}
	n.Updated = s.now()
	if err := s.writeCanned(ctx, &n, "update canned"); err != nil {
		return nil, err
	}
	return &n, nil
}

// move sets n's parent and position for a change.
func (st *cannedState) move(n *livehelp.CannedNode, c CannedChange) error {
	parent := n.Parent
	if c.Parent != nil {
		parent = *c.Parent
	}
	if err := st.folder(parent); err != nil {
		return err
	}
	for _, d := range livehelp.CannedDescendants(st.parents, n.ID) {
		if d == parent {
			return livehelp.Invalid("A folder cannot move into itself.", map[string]string{"parent": "Choose a folder outside this one."})
		}
	}
	n.Parent = parent
	n.Position = st.nextPosition(parent)
	if c.Before == nil || *c.Before == "" {
		return nil
	}
	prev := 0.0
	for _, sib := range st.children[parent] {
		if sib.ID == *c.Before {
			n.Position = (prev + sib.Position) / 2
			return nil
		}
		if sib.ID != n.ID {
			prev = sib.Position
		}
	}
	return livehelp.Invalid("Choose where to move it.", map[string]string{"before": "That item is not in the folder."})
}
