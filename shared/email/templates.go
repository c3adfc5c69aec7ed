package email

import (
	"fmt"
	"html"
	"net/url"
	"strings"
	"time"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// Unread is the email of operator replies a visitor has not read: after
// the unread delay, or when the conversation was closed, snoozed or
// transferred with replies unread.
type Unread struct {
	To          []string // the visitor's addresses
	SiteName    string
	VisitorName string
	Reason      string  // unread, closed, snoozed or transferred
	Replies     []Reply // oldest first
	ResumeURL   string  // the signed link back into the conversation; "" for none
	LinkDays    int     // how long the link works
}

// Reply is one operator message in an Unread email.
type Reply struct {
	Operator string
	Text     string
	Time     time.Time
}

// unreadView is what both templates see. Every value comes from input and
// is escaped in the HTML part.
type unreadView struct {
	Greeting string
	Intro    string
	Replies  []replyView
	Link     string
	LinkDays int
	Site     string
}

type replyView struct {
	Operator string
	When     string
	Lines    []string
}

// The parts are written by hand rather than with text/template and
// html/template: those packages look methods up by name through reflection,
// which stops the linker from dropping unused methods and adds several
// megabytes to every Lambda binary that renders mail. Every value passes
// through esc in the HTML part.

const (
	styleBody  = `font-family:Arial,sans-serif;font-size:15px;line-height:1.5;color:#1f2933`
	styleMuted = `font-size:13px;color:#52606d`
)

func (v unreadView) text() string {
	var b strings.Builder
	b.WriteString(v.Greeting + "\n\n" + v.Intro + "\n")
	for _, r := range v.Replies {
		b.WriteString("\n" + r.Operator + " (" + r.When + "):\n")
		for _, l := range r.Lines {
			b.WriteString("  " + l + "\n")
		}
	}
	b.WriteString("\n")
	if v.Link != "" {
		fmt.Fprintf(&b, "Continue the conversation here: %s\n(This link is for you only and works for %d days.)\n", v.Link, v.LinkDays)
	} else {
		b.WriteString("Come back to our website to continue the conversation.\n")
	}
	b.WriteString("-- \n" + v.Site + "\nYou get this email because you left your address in our chat.\n")
	return b.String()
}

func (v unreadView) html() string {
	var b strings.Builder
	b.WriteString(`<!doctype html>` + "\n" + `<html><body style="` + styleBody + `">` + "\n")
	b.WriteString(`<p style="margin:0 0 12px">` + esc(v.Greeting) + "</p>\n")
	b.WriteString(`<p style="margin:0 0 16px">` + esc(v.Intro) + "</p>\n")
	for _, r := range v.Replies {
		b.WriteString(`<div style="margin:0 0 14px;padding:10px 14px;border-left:3px solid #1d4ed8;background:#f3f6fb">` + "\n")
		b.WriteString(`<div style="` + styleMuted + `">` + esc(r.Operator) + " &middot; " + esc(r.When) + "</div>\n")
		b.WriteString("<div>" + lines(r.Lines) + "</div>\n</div>\n")
	}
	if v.Link != "" {
		b.WriteString(`<p style="margin:20px 0"><a href="` + esc(v.Link) + `" style="display:inline-block;padding:10px 18px;background:#1d4ed8;color:#ffffff;border-radius:6px;text-decoration:none">Continue the conversation</a></p>` + "\n")
		fmt.Fprintf(&b, `<p style="margin:0 0 16px;%s">This link is for you only and works for %d days.</p>`+"\n", styleMuted, v.LinkDays)
	} else {
		b.WriteString(`<p style="margin:20px 0">Come back to our website to continue the conversation.</p>` + "\n")
	}
	b.WriteString(`<p style="margin:20px 0 0;` + styleMuted + `">` + esc(v.Site) + "<br>You get this email because you left your address in our chat.</p>\n</body></html>")
	return b.String()
}

// esc escapes s for HTML text and attribute values.
func esc(s string) string { return html.EscapeString(s) }

// lines joins escaped lines with <br>.
func lines(ls []string) string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = esc(l)
	}
	return strings.Join(out, "<br>")
}

// ReplyBodies returns the text and HTML parts of an operator's reply,
// signed by the operator and the site; the HTML part escapes everything.
func ReplyBodies(site, operator, body string) (text, htmlPart string) {
	text = body + "\n\n-- \n" + operator
	if site != "" {
		text += "\n" + site
	}
	var b strings.Builder
	b.WriteString(`<!doctype html>` + "\n" + `<html><body style="` + styleBody + `">` + "\n")
	for _, p := range strings.Split(strings.TrimSpace(body), "\n\n") {
		b.WriteString(`<p style="margin:0 0 12px">` + lines(strings.Split(p, "\n")) + "</p>\n")
	}
	b.WriteString(`<p style="margin:20px 0 0;color:#52606d">` + esc(operator))
	if site != "" {
		b.WriteString("<br>" + esc(site))
	}
	b.WriteString("</p>\n</body></html>")
	return text, b.String()
}

// Message renders u: a subject, a plain text part and an HTML part in
// which every value is escaped. Header values never carry CR
// or LF (see HeaderSafe). It returns EINVALID without replies or
// recipients, or with a link that is not http(s).
func (u Unread) Message() (Message, error) {
	if len(u.Replies) == 0 || len(u.To) == 0 {
		return Message{}, livehelp.Errorf(livehelp.EINVALID, "An unread-replies email needs replies and recipients.")
	}
	if u.ResumeURL != "" {
		if p, err := url.Parse(u.ResumeURL); err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
			return Message{}, livehelp.Errorf(livehelp.EINVALID, "The resume link must be an http(s) URL.")
		}
	}
	site := HeaderSafe(u.SiteName)
	if site == "" {
		site = "Live Help"
	}
	v := unreadView{Greeting: "Hello,", Intro: intro(u.Reason, site, len(u.Replies)), Link: u.ResumeURL,
		LinkDays: u.LinkDays, Site: site}
	if name := HeaderSafe(u.VisitorName); name != "" {
		v.Greeting = "Hello " + name + ","
	}
	for _, r := range u.Replies {
		op := HeaderSafe(r.Operator)
		if op == "" {
			op = site
		}
		v.Replies = append(v.Replies, replyView{Operator: op, When: r.Time.UTC().Format("2 Jan 2006 15:04 UTC"),
			Lines: strings.Split(strings.ReplaceAll(r.Text, "\r", ""), "\n")})
	}
	subject := "New reply from " + site
	if n := len(u.Replies); n > 1 {
		subject = fmt.Sprintf("%d new replies from %s", n, site)
	}
	return Message{To: u.To, FromName: site, Subject: HeaderSafe(subject), Text: v.text(), HTML: v.html()}, nil
}

// intro is the sentence before the replies, by reason.
func intro(reason, site string, n int) string {
	what := "a reply you have not read yet"
	if n > 1 {
		what = "replies you have not read yet"
	}
	switch reason {
	case "closed":
		return "Your conversation with " + site + " was closed. It holds " + what + ":"
	case "snoozed":
		return site + " will follow up on your conversation later. Meanwhile, here is " + what + ":"
	case "transferred":
		return "Your conversation with " + site + " was passed to a colleague. Here is " + what + ":"
	default:
		return "You have " + what + " in your conversation with " + site + ":"
	}
}
