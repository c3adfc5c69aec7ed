package main

import (
	"net/http"
	"time"

	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

type dayView struct {
	Date     string `json:"date"` // YYYY-MM-DD, UTC
	Chats    int    `json:"chats"`
	Messages int    `json:"messages"`
}

// reports answers chats and offline messages per day and the median time
// to the first operator reply, for ?from=YYYY-MM-DD&to=YYYY-MM-DD (UTC,
// both included; the last 14 days by default).
func (h *handler) reports(w http.ResponseWriter, r *http.Request, c *caller) {
	q := r.URL.Query()
	to := h.now().UTC()
	from := to.AddDate(0, 0, -13)
	fields := map[string]string{}
	for name, dst := range map[string]*time.Time{"from": &from, "to": &to} {
		if v := q.Get(name); v != "" {
			t, err := time.Parse("2006-01-02", v)
			if err != nil {
				fields[name] = "Use a date like 2026-11-21."
			}
			*dst = t
		}
	}
	if len(fields) > 0 {
		h.fail(w, r, livehelp.Invalid("Check the dates.", fields))
		return
	}
	days, err := h.store.Stats(r.Context(), c.Site(), from, to)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := make([]dayView, 0, len(days))
	for _, d := range days {
		out = append(out, dayView{Date: d.Day.Format("2006-01-02"), Chats: d.Chats, Messages: d.Messages})
	}
	median, n := store.MedianFirstResponse(days)
	h.done(w, r, map[string]any{"days": out, "median_first_response_seconds": int64(median / time.Second), "responses": n}, nil)
}
