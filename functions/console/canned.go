package main

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
	"github.com/livehelp/livehelp/shared/webapi"
)

// maxImportBody bounds an import request. Lambda takes at most 6 MB per
// synchronous request, so the console checks the total before sending.
const maxImportBody = 5 << 20

// cannedRoutes are the canned messages of the caller's site: any operator
// may use and configure them.
func (h *handler) cannedRoutes() []route {
	return []route{
		{"GET /v1/console/canned", operator, h.cannedTree},
		{"POST /v1/console/canned", operator, h.createCanned},
		{"DELETE /v1/console/canned", operator, h.deleteAllCanned},
		{"GET /v1/console/canned/export", operator, h.exportCanned},
		{"POST /v1/console/canned/import", operator, h.importCanned},
		{"GET /v1/console/canned/{id}/text", operator, h.cannedText},
		{"PATCH /v1/console/canned/{id}", operator, h.updateCanned},
		{"DELETE /v1/console/canned/{id}", operator, h.deleteCanned},
	}
}

func (h *handler) cannedTree(w http.ResponseWriter, r *http.Request, c *caller) {
	tree, err := h.store.CannedTree(r.Context(), c.Site())
	h.done(w, r, map[string]any{"tree": viewCanned(tree)}, err)
}

type cannedRequest struct {
	Parent string `json:"parent"`
	Folder bool   `json:"folder"`
	Title  string `json:"title"`
	Body   string `json:"body"`
}

func (h *handler) createCanned(w http.ResponseWriter, r *http.Request, c *caller) {
	var req cannedRequest
	if !h.decode(w, r, 2*livehelp.MaxCannedBody+4<<10, &req) {
		return
	}
	n := &livehelp.CannedNode{Site: c.Site(), Parent: req.Parent, Folder: req.Folder, Title: req.Title, Body: req.Body}
	if err := h.store.CreateCanned(r.Context(), n); err != nil {
		h.fail(w, r, err)
		return
	}
	h.log.InfoContext(r.Context(), "canned created", "node", n.ID, "operator", c.Operator.ID)
	webapi.WriteJSON(w, http.StatusCreated, map[string]any{"node": viewCannedNode(n)})
}

type cannedPatch struct {
	Title  *string `json:"title"`
	Body   *string `json:"body"`
	Parent *string `json:"parent"`
	Before *string `json:"before"`
}

// updateCanned edits a node's title and text, or moves it ({"parent":
// folder id or "", "before": sibling id or ""}).
func (h *handler) updateCanned(w http.ResponseWriter, r *http.Request, c *caller) {
	var req cannedPatch
	if !h.decode(w, r, 2*livehelp.MaxCannedBody+4<<10, &req) {
		return
	}
	n, err := h.store.UpdateCanned(r.Context(), c.Site(), r.PathValue("id"),
		store.CannedChange{Title: req.Title, Body: req.Body, Parent: req.Parent, Before: req.Before})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.done(w, r, map[string]any{"node": viewCannedNode(n)}, nil)
}

func (h *handler) deleteCanned(w http.ResponseWriter, r *http.Request, c *caller) {
	if err := h.store.DeleteCanned(r.Context(), c.Site(), r.PathValue("id")); err != nil {
		h.fail(w, r, err)
		return
	}
	h.log.InfoContext(r.Context(), "canned deleted", "node", r.PathValue("id"), "operator", c.Operator.ID)
	w.WriteHeader(http.StatusNoContent)
}

func (h *handler) deleteAllCanned(w http.ResponseWriter, r *http.Request, c *caller) {
	n, err := h.store.DeleteAllCanned(r.Context(), c.Site())
	if err == nil {
		h.log.InfoContext(r.Context(), "canned deleted", "count", n, "operator", c.Operator.ID)
	}
	h.done(w, r, map[string]any{"deleted": n}, err)
}

// cannedText returns a message ready to insert: %name% replaced by the
// caller's name as stored now.
func (h *handler) cannedText(w http.ResponseWriter, r *http.Request, c *caller) {
	n, err := h.store.CannedNode(r.Context(), c.Site(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if n.Folder {
		h.fail(w, r, livehelp.Invalid("A folder has no text.", map[string]string{"id": "Choose a message."}))
		return
	}
	h.done(w, r, map[string]any{"title": n.Title, "text": livehelp.ExpandCanned(n.Body, c.Operator.Name)}, nil)
}

// exportCanned answers the whole tree as a JSON file to download.
func (h *handler) exportCanned(w http.ResponseWriter, r *http.Request, c *caller) {
	tree, err := h.store.CannedTree(r.Context(), c.Site())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	x := livehelp.ExportCanned(c.Site(), tree, h.now())
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="canned-%s-%s.json"`, c.Site(), x.Exported.Format("2006-01-02")))
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(x)
}

// importRequest is either an export file or plain text files.
type importRequest struct {
	Parent    string                 `json:"parent"`
	Export    *livehelp.CannedExport `json:"export,omitempty"`
	Files     []livehelp.ImportFile  `json:"files,omitempty"`
	Confirmed []string               `json:"confirmed,omitempty"` // paths of files over 10 KB the operator agreed to
}

// importCanned imports an export file or text files and directories into
// the folder parent. Everything is checked before anything is written:
// bad files answer invalid naming each; unconfirmed files over 10 KB answer
// conflict naming each, and nothing is written until they are confirmed.
func (h *handler) importCanned(w http.ResponseWriter, r *http.Request, c *caller) {
	var req importRequest
	if !h.decode(w, r, maxImportBody, &req) {
		return
	}
	var items []livehelp.CannedImport
	skipped := 0
	switch {
	case req.Export != nil && req.Files != nil:
		h.fail(w, r, livehelp.Invalid("Import an export file or text files, not both.", map[string]string{"files": "Choose one kind of import."}))
		return
	case req.Export != nil:
		if err := livehelp.ValidateCannedExport(req.Export); err != nil {
			h.fail(w, r, err)
			return
		}
		items = req.Export.Items
	default:
		var err error
		if items, skipped, err = livehelp.CannedFromFiles(req.Files, req.Confirmed); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	n, err := h.store.ImportCanned(r.Context(), c.Site(), req.Parent, items)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.log.InfoContext(r.Context(), "canned imported", "count", n, "skipped", skipped, "operator", c.Operator.ID)
	h.done(w, r, map[string]any{"imported": n, "skipped": skipped}, nil)
}
