package sesmail

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
)

// maxPartDepth bounds multipart nesting when looking for the bodies.
const maxPartDepth = 8

// rawContent fills m from Content.Raw: it keeps the MIME message and reads
// the sender, recipients, subject and bodies from it for the page. The
// request's FromEmailAddress and Destination take precedence over the
// headers, as in SES.
func rawContent(m *Message, data []byte) error {
	if len(data) == 0 {
		return badRequest("Content.Raw.Data is required")
	}
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return badRequest("Content.Raw.Data is not a valid MIME message")
	}
	m.Raw = string(data)
	dec := new(mime.WordDecoder)
	if m.From == "" {
		m.From = msg.Header.Get("From")
		if f, err := dec.DecodeHeader(m.From); err == nil {
			m.From = f
		}
	}
	if m.From == "" {
		return badRequest("FromEmailAddress is required when the raw message has no From header")
	}
	if len(m.To)+len(m.Cc)+len(m.Bcc) == 0 {
		m.To = headerAddresses(msg.Header, "To")
		m.Cc = headerAddresses(msg.Header, "Cc")
		m.Bcc = headerAddresses(msg.Header, "Bcc")
	}
	subject := msg.Header.Get("Subject")
	if s, err := dec.DecodeHeader(subject); err == nil {
		subject = s
	}
	m.Subject = subject
	collectBodies(m, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, 0)
	return nil
}

// headerAddresses returns the addresses of an address-list header.
func headerAddresses(h mail.Header, name string) []string {
	list, err := h.AddressList(name)
	if err != nil {
		return nil
	}
	out := make([]string, len(list))
	for i, a := range list {
		out[i] = a.Address
		if a.Name != "" {
			out[i] = a.String()
		}
	}
	return out
}

// collectBodies stores the first text/plain and text/html parts of a MIME
// entity in m, descending into multipart entities. Undecodable parts are
// skipped: the raw message is kept anyway.
func collectBodies(m *Message, contentType, encoding string, body io.Reader, depth int) {
	if contentType == "" {
		contentType = "text/plain"
	}
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		if depth >= maxPartDepth || params["boundary"] == "" {
			return
		}
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err != nil {
				return
			}
			collectBodies(m, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, depth+1)
		}
	}
	if mediaType != "text/plain" && mediaType != "text/html" {
		return
	}
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body) // skips line breaks
	}
	text, err := io.ReadAll(io.LimitReader(body, maxRequestSize))
	if err != nil {
		return
	}
	switch {
	case mediaType == "text/plain" && m.Text == "":
		m.Text = string(text)
	case mediaType == "text/html" && m.HTML == "":
		m.HTML = string(text)
	}
}
