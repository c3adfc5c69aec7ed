package email

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"strings"
	texttemplate "text/template"
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
// is escaped by html/template in the HTML part.
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

var unreadText = texttemplate.Must(texttemplate.New("text").Parse(`{{.Greeting}}

{{.Intro}}
{{range .Replies}}
{{.Operator}} ({{.When}}):
{{range .Lines}}  {{.}}
{{end}}{{end}}
{{if .Link}}Continue the conversation here: {{.Link}}
(This link is for you only and works for {{.LinkDays}} days.)
{{else}}Come back to our website to continue the conversation.
{{end}}
-- 
{{.Site}}
You get this email because you left your address in our chat.
`))

var unreadHTML = htmltemplate.Must(htmltemplate.New("html").Parse(`<!doctype html>
<html><body style="font-family:Arial,sans-serif;font-size:15px;line-height:1.5;color:#1f2933">
<p style="margin:0 0 12px">{{.Greeting}}</p>
<p style="margin:0 0 16px">{{.Intro}}</p>
{{range .Replies}}<div style="margin:0 0 14px;padding:10px 14px;border-left:3px solid #1d4ed8;background:#f3f6fb">
<div style="font-size:13px;color:#52606d">{{.Operator}} &middot; {{.When}}</div>
<div>{{range $i, $l := .Lines}}{{if $i}}<br>{{end}}{{$l}}{{end}}</div>
</div>
{{end}}{{if .Link}}<p style="margin:20px 0"><a href="{{.Link}}" style="display:inline-block;padding:10px 18px;background:#1d4ed8;color:#ffffff;border-radius:6px;text-decoration:none">Continue the conversation</a></p>
<p style="margin:0 0 16px;font-size:13px;color:#52606d">This link is for you only and works for {{.LinkDays}} days.</p>
{{else}}<p style="margin:20px 0">Come back to our website to continue the conversation.</p>
{{end}}<p style="margin:20px 0 0;font-size:13px;color:#52606d">{{.Site}}<br>You get this email because you left your address in our chat.</p>
</body></html>`))

// Message renders u: a subject, a plain text part and an HTML part in
// which html/template escapes every value. Header values never carry CR
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
	var text, html bytes.Buffer
	if err := unreadText.Execute(&text, v); err != nil {
		return Message{}, fmt.Errorf("email: render text: %w", err)
	}
	if err := unreadHTML.Execute(&html, v); err != nil {
		return Message{}, fmt.Errorf("email: render html: %w", err)
	}
	subject := "New reply from " + site
	if n := len(u.Replies); n > 1 {
		subject = fmt.Sprintf("%d new replies from %s", n, site)
	}
	return Message{To: u.To, FromName: site, Subject: HeaderSafe(subject), Text: text.String(), HTML: html.String()}, nil
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
