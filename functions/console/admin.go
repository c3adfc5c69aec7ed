package main

import (
	"net/http"
	"slices"
	"strings"

	"github.com/livehelp/livehelp/shared/auth"
	"github.com/livehelp/livehelp/shared/email"
	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/webapi"
)

// adminRoutes manage the admin's own site: its settings, operators,
// groups and the API keys of phone integrations.
func (h *handler) adminRoutes() []route {
	return []route{
		{"GET /v1/console/admin/site", admin, h.getSite},
		{"PUT /v1/console/admin/site", admin, h.putSite},
		{"GET /v1/console/admin/operators", admin, h.listOperators},
		{"POST /v1/console/admin/operators", admin, h.createOperator},
		{"PATCH /v1/console/admin/operators/{id}", admin, h.updateOperator},
		{"GET /v1/console/admin/groups", admin, h.listGroups},
		{"POST /v1/console/admin/groups", admin, h.createGroup},
		{"PATCH /v1/console/admin/groups/{id}", admin, h.updateGroup},
		{"GET /v1/console/admin/apikeys", admin, h.listAPIKeys},
		{"POST /v1/console/admin/apikeys", admin, h.createAPIKey},
		{"DELETE /v1/console/admin/apikeys/{id}", admin, h.deleteAPIKey},
	}
}

type operatorRequest struct {
	Email    string  `json:"email"`
	Name     *string `json:"name"`
	Role     *string `json:"role"`
	Slots    *int    `json:"slots"`
	Password *string `json:"password"`
}

// checkOperator applies a request to op, collecting per-field messages.
func checkOperator(op *livehelp.Operator, req operatorRequest, fields map[string]string) {
	if req.Name != nil {
		if msg := operatorNameProblem(*req.Name); msg != "" {
			fields["name"] = msg
		}
		op.Name = strings.TrimSpace(*req.Name)
	}
	if req.Role != nil {
		if *req.Role != livehelp.RoleOperator && *req.Role != livehelp.RoleAdmin {
			fields["role"] = "Choose operator or admin."
		}
		op.Role = *req.Role
	}
	if req.Slots != nil {
		if *req.Slots < 0 || *req.Slots > 50 {
			fields["slots"] = "Use 0 (the site default) to 50."
		}
		op.Slots = *req.Slots
	}
	if req.Password != nil {
		hash, err := auth.HashPassword(*req.Password)
		if err != nil {
			fields["password"] = livehelp.ErrorFields(err)["password"]
		}
		op.PasswordHash = hash
	}
}

func (h *handler) listOperators(w http.ResponseWriter, r *http.Request, c *caller) {
	ops, err := h.store.Operators(r.Context(), c.Site())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	groups, err := h.store.Groups(r.Context(), c.Site())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := make([]operatorView, 0, len(ops))
	for _, o := range ops {
		var in []string
		for _, g := range groups {
			if slices.Contains(g.Members, o.ID) {
				in = append(in, g.ID)
			}
		}
		out = append(out, viewOperator(o, in))
	}
	h.done(w, r, map[string]any{"operators": out}, nil)
}

func (h *handler) createOperator(w http.ResponseWriter, r *http.Request, c *caller) {
	var req operatorRequest
	if !h.decode(w, r, 4<<10, &req) {
		return
	}
	op := &livehelp.Operator{ID: auth.NewID(), Site: c.Site(), Role: livehelp.RoleOperator}
	fields := map[string]string{}
	addr, err := email.ParseAddress(req.Email)
	if err != nil {
		fields["email"] = "Enter a valid email address, like name@example.com."
	}
	op.Email = addr
	if req.Name == nil {
		fields["name"] = "Enter a name."
	}
	if req.Password == nil {
		fields["password"] = "Use 10 to 72 characters."
	}
	checkOperator(op, req, fields)
	if len(fields) > 0 {
		h.fail(w, r, livehelp.Invalid("Check the operator.", fields))
		return
	}
	if err := h.store.CreateOperator(r.Context(), op); err != nil {
		h.fail(w, r, err)
		return
	}
	h.log.InfoContext(r.Context(), "operator created", "operator", op.ID, "by", c.Operator.ID)
	webapi.WriteJSON(w, http.StatusCreated, map[string]any{"operator": viewOperator(op, nil)})
}

// updateOperator changes an operator's name, role, slots or password. An
// admin cannot take away their own admin role, so a site keeps an admin.
func (h *handler) updateOperator(w http.ResponseWriter, r *http.Request, c *caller) {
	var req operatorRequest
	if !h.decode(w, r, 4<<10, &req) {
		return
	}
	op, err := h.store.Operator(r.Context(), r.PathValue("id"))
	if err != nil || op.Site != c.Site() {
		h.fail(w, r, livehelp.Errorf(livehelp.ENOTFOUND, "Operator not found."))
		return
	}
	op.PasswordHash = ""
	fields := map[string]string{}
	if req.Email != "" && !strings.EqualFold(req.Email, op.Email) {
		fields["email"] = "The login email cannot change; create another operator."
	}
	checkOperator(op, req, fields)
	if op.ID == c.Operator.ID && op.Role != livehelp.RoleAdmin {
		fields["role"] = "You cannot take away your own admin role."
	}
	if len(fields) > 0 {
		h.fail(w, r, livehelp.Invalid("Check the operator.", fields))
		return
	}
	if err := h.store.UpdateOperator(r.Context(), op); err != nil {
		h.fail(w, r, err)
		return
	}
	h.log.InfoContext(r.Context(), "operator updated", "operator", op.ID, "by", c.Operator.ID)
	h.done(w, r, map[string]any{"operator": viewOperator(op, nil)}, nil)
}

type groupRequest struct {
	Name    *string   `json:"name"`
	Members *[]string `json:"members"`
}

func (h *handler) listGroups(w http.ResponseWriter, r *http.Request, c *caller) {
	groups, err := h.store.Groups(r.Context(), c.Site())
	out := make([]groupView, 0, len(groups))
	for _, g := range groups {
		out = append(out, viewGroup(g))
	}
	h.done(w, r, map[string]any{"groups": out}, err)
}

func (h *handler) createGroup(w http.ResponseWriter, r *http.Request, c *caller) {
	var req groupRequest
	if !h.decode(w, r, 16<<10, &req) {
		return
	}
	g := &livehelp.Group{Site: c.Site()}
	if req.Name != nil {
		g.Name = strings.TrimSpace(*req.Name)
	}
	if req.Members != nil {
		g.Members = *req.Members
	}
	if err := h.store.CreateGroup(r.Context(), g); err != nil {
		h.fail(w, r, err)
		return
	}
	webapi.WriteJSON(w, http.StatusCreated, map[string]any{"group": viewGroup(g)})
}

func (h *handler) updateGroup(w http.ResponseWriter, r *http.Request, c *caller) {
	var req groupRequest
	if !h.decode(w, r, 16<<10, &req) {
		return
	}
	g, err := h.store.Group(r.Context(), c.Site(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if req.Name != nil {
		g.Name = strings.TrimSpace(*req.Name)
	}
	if req.Members != nil {
		g.Members = *req.Members
	}
	err = h.store.UpdateGroup(r.Context(), g)
	h.done(w, r, map[string]any{"group": viewGroup(g)}, err)
}

func (h *handler) listAPIKeys(w http.ResponseWriter, r *http.Request, c *caller) {
	keys, err := h.store.APIKeys(r.Context(), c.Site())
	out := make([]apiKeyView, 0, len(keys))
	for _, k := range keys {
		out = append(out, apiKeyView{ID: k.ID, Name: k.Name, Created: k.Created})
	}
	h.done(w, r, map[string]any{"keys": out}, err)
}

// createAPIKey makes a key for a phone integration; the key is in this
// answer only.
func (h *handler) createAPIKey(w http.ResponseWriter, r *http.Request, c *caller) {
	var req struct {
		Name string `json:"name"`
	}
	if !h.decode(w, r, 1<<10, &req) {
		return
	}
	k, whole, err := h.store.CreateAPIKey(r.Context(), c.Site(), strings.TrimSpace(req.Name))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.log.InfoContext(r.Context(), "api key created", "key", k.ID, "by", c.Operator.ID)
	webapi.WriteJSON(w, http.StatusCreated, map[string]any{"key": apiKeyView{ID: k.ID, Name: k.Name, Created: k.Created, Key: whole}})
}

func (h *handler) deleteAPIKey(w http.ResponseWriter, r *http.Request, c *caller) {
	if err := h.store.DeleteAPIKey(r.Context(), c.Site(), r.PathValue("id")); err != nil {
		h.fail(w, r, err)
		return
	}
	h.log.InfoContext(r.Context(), "api key deleted", "key", r.PathValue("id"), "by", c.Operator.ID)
	w.WriteHeader(http.StatusNoContent)
}
