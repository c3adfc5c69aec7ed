package ctl

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// siteFlags are the settings flags site create and site set share.
type siteFlags struct {
	id, name, siteURL, origins, lang, autoReply string
	slots                                       int
	spam                                        bool
	labels                                      labelList
}

func (f *siteFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.id, "id", "", "site `id`: 1-63 lower-case letters, digits and dashes (used in the embed snippet)")
	fs.StringVar(&f.name, "name", "", "display `name` of the site")
	fs.StringVar(&f.siteURL, "url", "", "`URL` of the page that embeds the widget; emailed resume links open it")
	fs.StringVar(&f.origins, "origins", "", "comma-separated `origins` allowed to embed the widget, e.g. https://www.example.com")
	fs.StringVar(&f.lang, "lang", "en", "default `language` of the button labels")
	fs.StringVar(&f.autoReply, "auto-reply", "", "`text` shown to a visitor after an offline message")
	fs.IntVar(&f.slots, "slots", 0, "conversations an operator takes at once (0: the deployment's DefaultSlots)")
	fs.BoolVar(&f.spam, "spam-protection", true, "CAPTCHA on the offline form (rate limits are always on)")
	fs.Var(&f.labels, "label", "button labels of one language as `lang=online|busy|offline` (repeatable)")
}

// labelList collects --label flags.
type labelList map[string]livehelp.Labels

func (l *labelList) String() string { return "" }

// Set parses lang=online|busy|offline; empty parts keep the built-in label.
func (l *labelList) Set(v string) error {
	lang, texts, ok := strings.Cut(v, "=")
	parts := strings.Split(texts, "|")
	if !ok || !langPattern.MatchString(lang) || len(parts) != 3 {
		return fmt.Errorf("want lang=online|busy|offline, e.g. en=Chat with us|All busy|Leave a message")
	}
	for _, p := range parts {
		if len(p) > 100 || strings.ContainsFunc(p, func(r rune) bool { return r < 0x20 }) {
			return fmt.Errorf("a label is at most 100 characters on one line")
		}
	}
	if *l == nil {
		*l = labelList{}
	}
	(*l)[lang] = livehelp.Labels{Online: parts[0], Busy: parts[1], Offline: parts[2]}
	return nil
}

var langPattern = regexp.MustCompile(`^[a-z]{2,8}$`)

// apply copies the flags that were given onto s and checks the result.
func (f *siteFlags) apply(s *livehelp.Site, set map[string]bool) error {
	fields := map[string]string{}
	if set["name"] {
		s.Name = strings.TrimSpace(f.name)
	}
	if set["url"] {
		s.URL = f.siteURL
	}
	if set["origins"] {
		s.AllowedOrigins = splitList(f.origins)
	}
	if set["lang"] {
		s.DefaultLang = f.lang
	}
	if set["auto-reply"] {
		s.AutoReply = f.autoReply
	}
	if set["slots"] {
		s.Slots = f.slots
	}
	if set["spam-protection"] {
		s.SpamProtection = f.spam
	}
	if set["label"] {
		if s.Labels == nil {
			s.Labels = map[string]livehelp.Labels{}
		}
		for lang, lb := range f.labels {
			s.Labels[lang] = lb
		}
	}
	if s.Name == "" || len(s.Name) > 200 {
		fields["name"] = "Give the site a name of at most 200 characters."
	}
	if s.URL != "" {
		if u, err := url.Parse(s.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			fields["url"] = "Use an http(s) URL such as https://www.example.com/help."
		}
	}
	for i, o := range s.AllowedOrigins {
		norm, ok := normalizeOrigin(o)
		if !ok {
			fields["origins"] = fmt.Sprintf("%q is not an origin: use scheme://host[:port] without a path, e.g. https://www.example.com.", o)
			break
		}
		s.AllowedOrigins[i] = norm
	}
	if s.DefaultLang != "" && !langPattern.MatchString(s.DefaultLang) {
		fields["lang"] = "Use a language code such as en, fr or ru."
	}
	if s.Slots < 0 || s.Slots > 50 {
		fields["slots"] = "Use 0 (the deployment default) to 50."
	}
	if len(s.AutoReply) > 2000 {
		fields["auto-reply"] = "Use at most 2000 characters."
	}
	if len(fields) > 0 {
		return livehelp.Invalid("The site settings are not valid; nothing was written.", fields)
	}
	return nil
}

// normalizeOrigin returns o as browsers send it in the Origin header:
// lower-case scheme and host, no trailing slash.
func normalizeOrigin(o string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(o))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", false
	}
	return strings.ToLower(u.Scheme + "://" + u.Host), true
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func siteCreate(ctx context.Context, e *env, args []string) error {
	var f siteFlags
	fs := e.newFlags("site create", "--id ID --name NAME [--url URL] [--origins LIST] [flags]")
	f.register(fs)
	if err := parse(fs, args, false); err != nil {
		return err
	}
	if err := required(fs, "id", "name"); err != nil {
		return err
	}
	if !livehelp.ValidSiteID(f.id) {
		return livehelp.Invalid("The site id is not valid.", map[string]string{"id": "Use 1 to 63 lower-case letters, digits and dashes, starting with a letter or digit."})
	}
	site := &livehelp.Site{ID: f.id, DefaultLang: "en", SpamProtection: true}
	set := given(fs)
	set["lang"], set["spam-protection"] = true, true // defaults apply on create
	if err := f.apply(site, set); err != nil {
		return err
	}
	b, err := e.open(ctx)
	if err != nil {
		return err
	}
	if err := b.CreateSite(ctx, site); err != nil {
		return err
	}
	fmt.Fprintf(e.io.Out, "created site %s\n", site.ID)
	return nil
}

func siteSet(ctx context.Context, e *env, args []string) error {
	var f siteFlags
	fs := e.newFlags("site set", "--id ID [--name NAME] [--origins LIST] [...]: only the flags given change")
	f.register(fs)
	if err := parse(fs, args, false); err != nil {
		return err
	}
	if err := required(fs, "id"); err != nil {
		return err
	}
	set := given(fs)
	if !slices.ContainsFunc([]string{"name", "url", "origins", "lang", "auto-reply", "slots", "spam-protection", "label"},
		func(n string) bool { return set[n] }) {
		return usagef("site set: give at least one setting to change, e.g. --origins https://www.example.com")
	}
	b, err := e.open(ctx)
	if err != nil {
		return err
	}
	site, err := b.Site(ctx, f.id, true)
	if err != nil {
		return err
	}
	if err := f.apply(site, set); err != nil {
		return err
	}
	if err := b.UpdateSiteSettings(ctx, site); err != nil {
		return err
	}
	fmt.Fprintf(e.io.Out, "updated site %s\n", site.ID)
	return nil
}

// siteView is a site as site list prints it.
type siteView struct {
	ID             string                     `json:"id"`
	Name           string                     `json:"name"`
	URL            string                     `json:"url,omitempty"`
	AllowedOrigins []string                   `json:"allowed_origins"`
	DefaultLang    string                     `json:"default_lang"`
	Labels         map[string]livehelp.Labels `json:"labels,omitempty"`
	AutoReply      string                     `json:"auto_reply,omitempty"`
	SpamProtection bool                       `json:"spam_protection"`
	Slots          int                        `json:"slots"`
}

func siteList(ctx context.Context, e *env, args []string) error {
	fs := e.newFlags("site list", "[--json]")
	if err := parse(fs, args, false); err != nil {
		return err
	}
	b, err := e.open(ctx)
	if err != nil {
		return err
	}
	sites, err := b.Sites(ctx)
	if err != nil {
		return err
	}
	views := make([]siteView, 0, len(sites))
	for _, s := range sites {
		views = append(views, siteView{ID: s.ID, Name: s.Name, URL: s.URL, AllowedOrigins: nonNil(s.AllowedOrigins),
			DefaultLang: s.DefaultLang, Labels: s.Labels, AutoReply: s.AutoReply, SpamProtection: s.SpamProtection, Slots: s.Slots})
	}
	if e.conn.json {
		return writeJSON(e.io.Out, views)
	}
	rows := [][]string{{"ID", "NAME", "ORIGINS", "LANG", "SPAM", "SLOTS", "URL"}}
	for _, v := range views {
		rows = append(rows, []string{v.ID, v.Name, strings.Join(v.AllowedOrigins, ","), v.DefaultLang,
			onOff(v.SpamProtection), slotsText(v.Slots), v.URL})
	}
	return writeTable(e.io.Out, rows)
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func slotsText(n int) string {
	if n == 0 {
		return "default"
	}
	return strconv.Itoa(n)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
