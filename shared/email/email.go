package email

import (
	"context"
	"fmt"
	"net/mail"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// SendAPI is the part of the SES v2 client that Sender uses.
type SendAPI interface {
	SendEmail(ctx context.Context, in *sesv2.SendEmailInput, opts ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

// Message is one email.
type Message struct {
	To       []string // recipients, validated
	FromName string   // display name beside the sender address (optional)
	ReplyTo  []string // optional
	Subject  string
	Text     string // plain text part
	HTML     string // HTML part, already escaped by the caller's template
}

// Sender sends Messages from one verified sender address.
type Sender struct {
	api  SendAPI
	from string
}

// New returns a Sender that sends from the address from.
func New(client SendAPI, from string) *Sender { return &Sender{api: client, from: from} }

// Send validates m and sends it, returning SES's message id. Invalid
// addresses or header values are EINVALID; SES failures are returned wrapped.
func (s *Sender) Send(ctx context.Context, m Message) (string, error) {
	m, err := m.validated()
	if err != nil {
		return "", err
	}
	from := s.from
	if name := displayName(m.FromName); name != "" {
		from = (&mail.Address{Name: name, Address: s.from}).String()
	}
	out, err := s.api.SendEmail(ctx, &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(from),
		Destination:      &types.Destination{ToAddresses: m.To},
		ReplyToAddresses: m.ReplyTo,
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: aws.String(HeaderSafe(m.Subject)), Charset: aws.String("UTF-8")},
			Body: &types.Body{
				Text: &types.Content{Data: aws.String(m.Text), Charset: aws.String("UTF-8")},
				Html: &types.Content{Data: aws.String(m.HTML), Charset: aws.String("UTF-8")},
			},
		}},
	})
	if err != nil {
		return "", fmt.Errorf("email: send: %w", err)
	}
	return aws.ToString(out.MessageId), nil
}

// validated returns m with its addresses as ParseAddress returns them
// (trimmed), or the first problem.
func (m Message) validated() (Message, error) {
	if len(m.To) == 0 {
		return m, livehelp.Errorf(livehelp.EINVALID, "An email needs at least one recipient.")
	}
	clean := func(in []string) ([]string, error) {
		out := make([]string, len(in))
		for i, a := range in {
			p, err := ParseAddress(a)
			if err != nil {
				return nil, err
			}
			out[i] = p
		}
		return out, nil
	}
	var err error
	if m.To, err = clean(m.To); err != nil {
		return m, err
	}
	if m.ReplyTo, err = clean(m.ReplyTo); err != nil {
		return m, err
	}
	if strings.TrimSpace(m.Text) == "" || strings.TrimSpace(m.HTML) == "" {
		return m, livehelp.Errorf(livehelp.EINVALID, "An email needs both a text and an HTML part.")
	}
	return m, nil
}

// ParseAddress validates a bare email address (no display name) and returns
// it trimmed. It rejects CR, LF and other control characters, display names,
// and addresses over 254 bytes with an EINVALID error.
func ParseAddress(s string) (string, error) {
	s = strings.TrimSpace(s)
	bad := livehelp.Invalid("Enter a valid email address.", map[string]string{"email": "Enter a valid email address, like name@example.com."})
	if s == "" || len(s) > 254 || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "", bad
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		return "", bad
	}
	return s, nil
}

// HeaderSafe returns s made safe for a header value: control characters
// (CR and LF among them) become spaces, runs of space collapse, and the
// result is at most 200 runes.
func HeaderSafe(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029' || r == '\u0085' {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 200 {
		s = strings.TrimSpace(string(r[:200]))
	}
	return s
}

// displayName makes s safe as the display name of an address: HeaderSafe,
// valid UTF-8 only, and no quote or backslash (which encoded words and
// quoted strings would otherwise have to escape, and parsers disagree on).
func displayName(s string) string {
	s = strings.ToValidUTF8(HeaderSafe(s), "")
	s = strings.NewReplacer(`\`, " ", `"`, " ").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}
