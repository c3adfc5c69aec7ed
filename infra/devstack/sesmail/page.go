package sesmail

import (
	"bytes"
	"encoding/json"
	"html/template"
	"net/http"
	"net/mail"
	"slices"
	"strings"
)

// pageTemplate lists the mailbox, newest first. html/template escapes every
// field, so captured HTML bodies are shown as source, never rendered.
var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	"join": func(s []string) string { return strings.Join(s, ", ") },
}).Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Live Help local mail ({{len .}})</title>
<style>
body { font: 15px/1.4 system-ui, sans-serif; margin: 1rem; max-width: 60rem; }
article { border: 1px solid #ccc; border-radius: 4px; padding: 0.5rem 1rem; margin: 1rem 0; }
h2 { font-size: 1.1rem; margin: 0.5rem 0; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0 1rem; margin: 0; }
dt { font-weight: 600; }
dd { margin: 0; overflow-wrap: anywhere; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f6f6f6; padding: 0.5rem; }
</style>
</head>
<body>
<main>
<h1>Captured mail</h1>
<p>{{len .}} message(s), newest first. JSON at <a href="/messages">/messages</a>; empty with <code>DELETE /messages</code>.</p>
{{range .}}<article>
<h2>{{if .Subject}}{{.Subject}}{{else}}(no subject){{end}}</h2>
<dl>
<dt>From</dt><dd>{{.From}}</dd>
<dt>To</dt><dd>{{join .To}}</dd>
{{if .Cc}}<dt>Cc</dt><dd>{{join .Cc}}</dd>{{end}}
{{if .Bcc}}<dt>Bcc</dt><dd>{{join .Bcc}}</dd>{{end}}
{{if .ReplyTo}}<dt>Reply-To</dt><dd>{{join .ReplyTo}}</dd>{{end}}
<dt>Time</dt><dd><time datetime="{{.Time.Format "2006-01-02T15:04:05Z07:00"}}">{{.Time.Format "2006-01-02 15:04:05 MST"}}</time></dd>
<dt>ID</dt><dd><code>{{.ID}}</code></dd>
</dl>
{{if .Text}}<pre>{{.Text}}</pre>{{end}}
{{if .HTML}}<details><summary>HTML body (source)</summary><pre>{{.HTML}}</pre></details>{{end}}
{{if .Raw}}<details><summary>Raw MIME message</summary><pre>{{.Raw}}</pre></details>{{end}}
</article>
{{else}}<p>No mail yet.</p>
{{end}}</main>
</body>
</html>
`))

// servePage renders the mailbox page.
func (s *Server) servePage(w http.ResponseWriter) {
	msgs := s.Messages()
	slices.Reverse(msgs)
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, msgs); err != nil {
		http.Error(w, "render page", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.Write(buf.Bytes())
}

// serveMessages lists the mailbox as JSON, oldest first. With ?to=address
// only messages with that address in To, Cc or Bcc are listed.
func (s *Server) serveMessages(w http.ResponseWriter, r *http.Request) {
	msgs := s.Messages()
	if to := r.URL.Query().Get("to"); to != "" {
		msgs = slices.DeleteFunc(msgs, func(m Message) bool { return !addressedTo(m, to) })
	}
	if msgs == nil {
		msgs = []Message{} // an empty mailbox is [], not null
	}
	writeJSON(w, http.StatusOK, msgs)
}

// addressedTo reports whether addr is one of m's recipients, comparing bare
// addresses case-insensitively.
func addressedTo(m Message, addr string) bool {
	want := bareAddress(addr)
	for _, list := range [][]string{m.To, m.Cc, m.Bcc} {
		for _, a := range list {
			if strings.EqualFold(bareAddress(a), want) {
				return true
			}
		}
	}
	return false
}

func bareAddress(s string) string {
	if a, err := mail.ParseAddress(s); err == nil {
		return a.Address
	}
	return s
}

// faultSettings is the body of POST /faults.
type faultSettings struct {
	FailNext int     `json:"failNext"`
	Rate     float64 `json:"rate"`
	Fault    Fault   `json:"fault"` // "internal" (default) or "throttle"
}

// serveFaults sets both fault knobs from a JSON body; {} turns them off.
func (s *Server) serveFaults(w http.ResponseWriter, r *http.Request) {
	var f faultSettings
	if err := json.NewDecoder(r.Body).Decode(&f); err != nil {
		http.Error(w, "body must be {\"failNext\": n, \"rate\": 0..1, \"fault\": \"internal\"|\"throttle\"}", http.StatusBadRequest)
		return
	}
	switch f.Fault {
	case "":
		f.Fault = FaultInternal
	case FaultInternal, FaultThrottle:
	default:
		http.Error(w, "fault must be \"internal\" or \"throttle\"", http.StatusBadRequest)
		return
	}
	if f.FailNext < 0 || f.Rate < 0 || f.Rate > 1 {
		http.Error(w, "failNext must be >= 0 and rate within 0..1", http.StatusBadRequest)
		return
	}
	s.FailNext(f.FailNext, f.Fault)
	s.SetFailureRate(f.Rate, f.Fault)
	writeJSON(w, http.StatusOK, f)
}
