package main

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// siteView is a site's settings as the admin page edits them.
type siteView struct {
	ID             string                     `json:"id"`
	Name           string                     `json:"name"`
	URL            string                     `json:"url"`
	AllowedOrigins []string                   `json:"allowed_origins"`
	DefaultLang    string                     `json:"default_lang"`
	Labels         map[string]livehelp.Labels `json:"labels"`
	AutoReply      string                     `json:"auto_reply"`
	SpamProtection bool                       `json:"spam_protection"`
	Slots          int                        `json:"slots"`
	Proactive      proactiveView              `json:"proactive"`
}

// proactiveView holds the proactive-chat settings (livehelp.Proactive):
// the mode (off, invite, auto), the seconds on the site before operators
// are alerted in auto mode, and the data collection form's fields.
type proactiveView struct {
	Mode    string               `json:"mode"`
	Seconds int                  `json:"seconds"`
	Fields  []livehelp.FormField `json:"fields"`
}

func (h *handler) getSite(w http.ResponseWriter, r *http.Request, c *caller) {
	site, err := h.store.Site(r.Context(), c.Site(), true)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p, err := h.store.Proactive(r.Context(), c.Site())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	labels := site.Labels
	if labels == nil {
		labels = map[string]livehelp.Labels{}
	}
	h.done(w, r, map[string]any{"site": siteView{ID: site.ID, Name: site.Name, URL: site.URL, AllowedOrigins: nonNilStrings(site.AllowedOrigins),
		DefaultLang: site.DefaultLang, Labels: labels, AutoReply: site.AutoReply, SpamProtection: site.SpamProtection,
		Slots: site.Slots, Proactive: proactiveView{Mode: p.Mode, Seconds: p.After, Fields: p.Fields}},
		"languages": []string{"en", "fr", "ru"}, "default_labels": livehelp.DefaultLabels}, nil)
}

var langPattern = regexp.MustCompile(`^[a-z]{2,3}(-[a-z0-9]{2,8})?$`)

// putSite replaces the site's settings after checking every field.
func (h *handler) putSite(w http.ResponseWriter, r *http.Request, c *caller) {
	var req siteView
	if !h.decode(w, r, 32<<10, &req) {
		return
	}
	fields := map[string]string{}
	if req.ID != "" && req.ID != c.Site() {
		fields["id"] = "The site id cannot change."
	}
	if msg := shortText(req.Name, 100); msg != "" || strings.TrimSpace(req.Name) == "" {
		fields["name"] = "Enter a name of at most 100 characters."
	}
	if req.URL != "" {
		if u, err := url.Parse(req.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			fields["url"] = "Enter the page's address, like https://www.example.com/."
		}
	}
	origins := []string{}
	for _, o := range req.AllowedOrigins {
		o = strings.TrimRight(strings.TrimSpace(o), "/")
		if o == "" {
			continue
		}
		if u, err := url.Parse(o); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Path != "" || u.RawQuery != "" {
			fields["allowed_origins"] = "Enter origins like https://www.example.com, one per line, without a path."
		}
		origins = append(origins, strings.ToLower(o))
	}
	if len(origins) > 50 {
		fields["allowed_origins"] = "Use at most 50 origins."
	}
	if req.DefaultLang == "" {
		req.DefaultLang = "en"
	}
	if !langPattern.MatchString(req.DefaultLang) {
		fields["default_lang"] = "Use a language code like en or fr."
	}
	for lang, lb := range req.Labels {
		if !langPattern.MatchString(lang) {
			fields["labels"] = "Use language codes like en or fr."
		}
		for _, t := range []string{lb.Online, lb.Busy, lb.Offline} {
			if msg := shortText(t, 60); msg != "" {
				fields["labels."+lang] = msg
			}
		}
	}
	if len(req.Labels) > 20 {
		fields["labels"] = "Use at most 20 languages."
	}
	if !utf8.ValidString(req.AutoReply) || utf8.RuneCountInString(req.AutoReply) > 1000 {
		fields["auto_reply"] = "Use at most 1000 characters."
	}
	if req.Slots < 1 || req.Slots > 50 {
		fields["slots"] = "Use 1 to 50 conversations at once."
	}
	proactive, perr := livehelp.Proactive{Mode: req.Proactive.Mode, After: req.Proactive.Seconds, Fields: req.Proactive.Fields}.Check()
	for k, v := range livehelp.ErrorFields(perr) {
		fields[k] = v
	}
	if len(fields) > 0 {
		h.fail(w, r, livehelp.Invalid("Check the site settings.", fields))
		return
	}
	site := &livehelp.Site{ID: c.Site(), Name: strings.TrimSpace(req.Name), URL: req.URL, AllowedOrigins: origins,
		DefaultLang: req.DefaultLang, Labels: req.Labels, AutoReply: req.AutoReply, SpamProtection: req.SpamProtection, Slots: req.Slots}
	if err := h.store.UpdateSiteSettings(r.Context(), site); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.store.PutProactive(r.Context(), c.Site(), proactive); err != nil {
		h.fail(w, r, err)
		return
	}
	h.log.InfoContext(r.Context(), "site updated", "site", c.Site(), "by", c.Operator.ID)
	h.getSite(w, r, c)
}

// shortText returns a message when s is not one line of at most n runes.
func shortText(s string, n int) string {
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > n || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "Use plain text on one line, at most " + strconv.Itoa(n) + " characters."
	}
	return ""
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
