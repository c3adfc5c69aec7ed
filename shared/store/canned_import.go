package store

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/livehelp/livehelp/shared/auth"
	"github.com/livehelp/livehelp/shared/livehelp"
)

// transactMax is DynamoDB's limit of items in one TransactWriteItems.
const transactMax = 100

// ImportCanned adds a validated tree below parent ("" for the top level)
// and returns how many nodes it wrote. A folder whose title matches a
// folder already at the same place is merged into it; messages are always
// added after the existing ones, in the order given.
//
// All or nothing: an import that fits one transaction is one
// TransactWriteItems. A larger one is first registered as pending on the
// tree's HEAD item, its nodes are written in transactions of 100 carrying
// the import's id (readers hide them while it is pending), and a last
// UpdateItem removes it from pending, which shows every node at once. If
// a write fails, the written nodes are deleted; if even that fails they
// stay hidden for good.
func (s *Store) ImportCanned(ctx context.Context, site, parent string, items []livehelp.CannedImport) (int, error) {
	st, err := s.cannedState(ctx, site)
	if err != nil {
		return 0, err
	}
	if err := st.folder(parent); err != nil {
		return 0, err
	}
	now := s.now()
	var nodes []livehelp.CannedNode
	var plan func(parent string, items []livehelp.CannedImport, depth int) error
	plan = func(parent string, items []livehelp.CannedImport, depth int) error {
		pos := st.nextPosition(parent)
		for _, it := range items {
			if it.Folder {
				if existing := st.folderNamed(parent, it.Title); existing != "" {
					if err := plan(existing, it.Children, depth+1); err != nil {
						return err
					}
					continue
				}
				if depth+1 >= livehelp.MaxCannedDepth {
					return livehelp.Invalid("Folders are nested too deeply.", map[string]string{"parent": "Use at most 10 folder levels."})
				}
			}
			n := livehelp.CannedNode{ID: auth.NewID()[:16], Site: site, Parent: parent, Folder: it.Folder, Title: it.Title,
				Body: it.Text, Position: pos, Updated: now}
			if err := livehelp.ValidateCannedNode(&n); err != nil {
				return err
			}
			pos++
			nodes = append(nodes, n)
			if it.Folder {
				if err := plan(n.ID, it.Children, depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := plan(parent, items, livehelp.CannedDepth(st.parents, parent)); err != nil {
		return 0, err
	}
	if len(nodes) == 0 {
		return 0, nil
	}
	if len(st.byID)+len(nodes) > livehelp.MaxCannedNodes {
		return 0, livehelp.Errorf(livehelp.ECONFLICT, "The site would have %d canned items; it keeps at most %d.", len(st.byID)+len(nodes), livehelp.MaxCannedNodes)
	}
	check, err := s.parentCheck(site, parent)
	if err != nil {
		return 0, err
	}
	if len(nodes) < transactMax {
		tx := make([]types.TransactWriteItem, 0, len(nodes)+1)
		for i := range nodes {
			tx = append(tx, types.TransactWriteItem{Put: &types.Put{TableName: tableName(s), Item: marshal(newCannedItem(&nodes[i], ""))}})
		}
		if check != nil {
			tx = append(tx, *check)
		}
		_, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tx})
		if livehelp.IsCode(translate("", err), livehelp.ECONFLICT) {
			return 0, livehelp.Errorf(livehelp.ECONFLICT, "The folder was changed meanwhile; reload and try again.")
		}
		return len(nodes), translate("import canned", err)
	}
	return len(nodes), s.importStaged(ctx, site, nodes)
}

// folderNamed returns the id of parent's sub-folder titled title, or "".
func (st *cannedState) folderNamed(parent, title string) string {
	for _, c := range st.children[parent] {
		if c.Folder && c.Title == title {
			return c.ID
		}
	}
	return ""
}

// importStaged writes a large import as described on ImportCanned.
func (s *Store) importStaged(ctx context.Context, site string, nodes []livehelp.CannedNode) error {
	imp := auth.NewID()[:16]
	if err := s.updateCannedHead(ctx, site, expression.Add(expression.Name("pending"), expression.Value(&types.AttributeValueMemberSS{Value: []string{imp}}))); err != nil {
		return err
	}
	written := 0
	for written < len(nodes) {
		end := min(written+transactMax, len(nodes))
		tx := make([]types.TransactWriteItem, 0, end-written)
		for i := written; i < end; i++ {
			tx = append(tx, types.TransactWriteItem{Put: &types.Put{TableName: tableName(s), Item: marshal(newCannedItem(&nodes[i], imp))}})
		}
		if _, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tx}); err != nil {
			ids := make([]string, written)
			for i := range ids {
				ids[i] = nodes[i].ID
			}
			_ = s.deleteCannedItems(ctx, site, ids) // best effort: they stay hidden otherwise
			return translate("import canned", err)
		}
		written = end
	}
	// Commit: one write shows every node of the import.
	return s.updateCannedHead(ctx, site, expression.Delete(expression.Name("pending"), expression.Value(&types.AttributeValueMemberSS{Value: []string{imp}})))
}

func (s *Store) updateCannedHead(ctx context.Context, site string, upd expression.UpdateBuilder) error {
	expr, err := expression.NewBuilder().WithUpdate(upd).Build()
	if err != nil {
		return err
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: tableName(s), Key: key(cannedKey(site), skHead),
		UpdateExpression: expr.Update(), ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values()})
	return translate("update canned head", err)
}

// DeleteCanned deletes a node and everything below it. The node itself
// goes first, in one write, which hides its whole subtree at once; the
// descendants are then deleted in transactions of 100. It returns
// ENOTFOUND for an unknown node.
func (s *Store) DeleteCanned(ctx context.Context, site, id string) error {
	st, err := s.cannedState(ctx, site)
	if err != nil {
		return err
	}
	if _, ok := st.byID[id]; !ok {
		return notFound("Canned message")
	}
	return s.deleteCannedItems(ctx, site, livehelp.CannedDescendants(st.parents, id))
}

// DeleteAllCanned deletes every canned message and folder of a site: the
// top-level nodes first (each hides its subtree), then the rest.
func (s *Store) DeleteAllCanned(ctx context.Context, site string) (int, error) {
	items, err := s.cannedItems(ctx, site)
	if err != nil {
		return 0, err
	}
	var top, rest []string
	for _, it := range items {
		n := it.node(site)
		if n.Parent == "" {
			top = append(top, n.ID)
		} else {
			rest = append(rest, n.ID)
		}
	}
	return len(items), s.deleteCannedItems(ctx, site, append(top, rest...))
}

// deleteCannedItems deletes nodes in order, in transactions of 100.
func (s *Store) deleteCannedItems(ctx context.Context, site string, ids []string) error {
	for start := 0; start < len(ids); start += transactMax {
		end := min(start+transactMax, len(ids))
		tx := make([]types.TransactWriteItem, 0, end-start)
		for _, id := range ids[start:end] {
			tx = append(tx, types.TransactWriteItem{Delete: &types.Delete{TableName: tableName(s), Key: key(cannedKey(site), cannedNodeSK(id))}})
		}
		if _, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tx}); err != nil {
			return translate(fmt.Sprintf("delete %d canned items", len(tx)), err)
		}
	}
	return nil
}
