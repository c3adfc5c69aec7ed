package sesmail

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/mail"
	"time"
)

// SES v2 quotas the capture enforces.
const (
	maxRecipients  = 50       // per message, To + Cc + Bcc
	maxRequestSize = 40 << 20 // a message may be up to 40 MB
)

// sendEmailInput is the part of the SendEmail request the capture reads.
type sendEmailInput struct {
	FromEmailAddress string
	Destination      *struct {
		ToAddresses, CcAddresses, BccAddresses []string
	}
	ReplyToAddresses     []string
	ConfigurationSetName string
	Content              *struct {
		Simple *struct {
			Subject *textContent
			Body    *struct {
				Text, Html *textContent
			}
		}
		Raw *struct {
			Data []byte // base64 in JSON, as the SDK sends a blob
		}
		Template json.RawMessage
	}
}

// textContent is SES's Content shape: the text and its character set.
type textContent struct {
	Data    string
	Charset string
}

// badRequest is a validation failure answered with 400 BadRequestException.
type badRequest string

func (e badRequest) Error() string { return string(e) }

// sendEmail implements SendEmail: it validates the request as SES does,
// captures the message and answers {"MessageId": ...}.
func (s *Server) sendEmail(w http.ResponseWriter, r *http.Request) {
	switch s.fault() {
	case FaultThrottle:
		writeError(w, http.StatusTooManyRequests, "TooManyRequestsException", "Maximum sending rate exceeded.")
		return
	case FaultInternal:
		writeError(w, http.StatusInternalServerError, "InternalServiceErrorException", "Injected internal failure.")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestSize+1))
	if err != nil || len(body) > maxRequestSize {
		writeError(w, http.StatusBadRequest, "BadRequestException", "request body is unreadable or larger than 40 MB")
		return
	}
	var in sendEmailInput
	if err := json.Unmarshal(body, &in); err != nil {
		writeError(w, http.StatusBadRequest, "BadRequestException", "request body is not a valid SendEmail document: "+err.Error())
		return
	}
	m, err := s.message(&in)
	if err != nil {
		var bad badRequest
		if errors.As(err, &bad) {
			writeError(w, http.StatusBadRequest, "BadRequestException", bad.Error())
			return
		}
		writeError(w, http.StatusInternalServerError, "InternalServiceErrorException", err.Error())
		return
	}
	s.store(m)
	s.log.Info("mail captured", "messageId", m.ID, "recipients", len(m.To)+len(m.Cc)+len(m.Bcc))
	writeJSON(w, http.StatusOK, map[string]string{"MessageId": m.ID})
}

// message validates in and builds the captured Message.
func (s *Server) message(in *sendEmailInput) (Message, error) {
	m := Message{
		ID:               newMessageID(s.now()),
		From:             in.FromEmailAddress,
		ReplyTo:          nonNil(in.ReplyToAddresses),
		ConfigurationSet: in.ConfigurationSetName,
		Time:             s.now().UTC(),
	}
	if d := in.Destination; d != nil {
		m.To, m.Cc, m.Bcc = d.ToAddresses, d.CcAddresses, d.BccAddresses
	}
	c := in.Content
	if c == nil {
		return m, badRequest("Content is required")
	}
	kinds := 0
	for _, set := range []bool{c.Simple != nil, c.Raw != nil, len(c.Template) > 0 && string(c.Template) != "null"} {
		if set {
			kinds++
		}
	}
	switch {
	case kinds != 1:
		return m, badRequest("Content must contain exactly one of Simple, Raw or Template")
	case c.Simple != nil:
		if err := simpleContent(&m, c.Simple.Subject, c.Simple.Body); err != nil {
			return m, err
		}
	case c.Raw != nil:
		if err := rawContent(&m, c.Raw.Data); err != nil {
			return m, err
		}
	default:
		return m, badRequest("Content.Template is not supported by the local SES capture; send Simple or Raw content")
	}
	m.To, m.Cc, m.Bcc = nonNil(m.To), nonNil(m.Cc), nonNil(m.Bcc)
	return m, validateAddresses(&m)
}

// simpleContent fills m from Content.Simple: a subject and a text and/or
// HTML body are required.
func simpleContent(m *Message, subject *textContent, body *struct{ Text, Html *textContent }) error {
	if m.From == "" {
		return badRequest("FromEmailAddress is required")
	}
	if subject == nil {
		return badRequest("Content.Simple.Subject is required")
	}
	if body == nil || (body.Text == nil && body.Html == nil) {
		return badRequest("Content.Simple.Body must contain Text or Html")
	}
	m.Subject = subject.Data
	if body.Text != nil {
		m.Text = body.Text.Data
	}
	if body.Html != nil {
		m.HTML = body.Html.Data
	}
	return nil
}

// validateAddresses checks the sender, the recipients (1 to 50) and the
// reply-to addresses are RFC 5322 addresses.
func validateAddresses(m *Message) error {
	n := len(m.To) + len(m.Cc) + len(m.Bcc)
	if n == 0 {
		return badRequest("Destination must contain at least one of ToAddresses, CcAddresses or BccAddresses")
	}
	if n > maxRecipients {
		return badRequest(fmt.Sprintf("Recipient count %d exceeds the limit of %d", n, maxRecipients))
	}
	if _, err := mail.ParseAddress(m.From); err != nil {
		return badRequest("Illegal address in FromEmailAddress")
	}
	lists := []struct {
		field string
		addrs []string
	}{{"ToAddresses", m.To}, {"CcAddresses", m.Cc}, {"BccAddresses", m.Bcc}, {"ReplyToAddresses", m.ReplyTo}}
	for _, l := range lists {
		for i, a := range l.addrs {
			if _, err := mail.ParseAddress(a); err != nil {
				// The address itself stays out of the message: it may end up in logs.
				return badRequest(fmt.Sprintf("Illegal address in %s[%d]", l.field, i))
			}
		}
	}
	return nil
}

// newMessageID returns an ID shaped like SES's:
// 16 hex digits of time, a UUID, and "-000000".
func newMessageID(now time.Time) string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return fmt.Sprintf("0100%012x-%s-%s-%s-%s-%s-000000", now.UnixMilli(), h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
