package main

import (
	"strings"
	"unicode/utf8"

	"github.com/livehelp/livehelp/shared/email"
	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/webapi"
)

// maxFormBody bounds the JSON body of an offline message: a 4 KB message
// escaped, the other fields and room to spare.
const maxFormBody = 32 << 10

// Field limits a person is told about.
const (
	maxNameRunes    = livehelp.MaxNameLen // 100
	maxSubjectRunes = livehelp.MaxSubject // 200
	maxTokenLen     = 2048
)

// form is the JSON body of POST /v1/sites/{site}/messages (API.md).
type form struct {
	Name      string `json:"name"`
	Email     string `json:"email"`
	Subject   string `json:"subject"`
	Message   string `json:"message"`
	ClientID  string `json:"client_id"`
	FormToken string `json:"form_token"`
	CaptchaID string `json:"captcha_id,omitempty"`
	Captcha   string `json:"captcha,omitempty"`
	Website   string `json:"website,omitempty"` // the honeypot: hidden from people, so empty
}

// parseForm decodes an offline message and checks every field, returning
// it cleaned: names and subjects on one line with single spaces, the text
// with \n line breaks. It returns EINVALID with a message per field a
// person can act on, or for a body that is not the form's JSON.
func parseForm(body []byte) (form, error) {
	var f form
	if len(body) > maxFormBody {
		return f, livehelp.Errorf(livehelp.EINVALID, "The message is too large to send.")
	}
	if err := webapi.DecodeStrict(body, &f); err != nil {
		return f, livehelp.Errorf(livehelp.EINVALID, "The form could not be read; reload the page and try again.")
	}
	fields := map[string]string{}
	f.Name = oneLine(f.Name)
	switch n := utf8.RuneCountInString(f.Name); {
	case n == 0:
		fields["name"] = "Please enter your name."
	case n > maxNameRunes:
		fields["name"] = "Please shorten your name to 100 characters or fewer."
	}
	switch addr, err := email.ParseAddress(f.Email); {
	case strings.TrimSpace(f.Email) == "":
		fields["email"] = "Please enter your email address, so that we can answer you."
	case err != nil:
		fields["email"] = "This does not look like an email address. Please check it (for example name@example.com)."
	default:
		f.Email = addr
	}
	f.Subject = oneLine(f.Subject)
	switch n := utf8.RuneCountInString(f.Subject); {
	case n == 0:
		fields["subject"] = "Please enter a subject."
	case n > maxSubjectRunes:
		fields["subject"] = "Please shorten the subject to 200 characters or fewer."
	}
	if msg, text := checkText(f.Message); msg != "" {
		fields["message"] = msg
	} else {
		f.Message = text
	}
	if !livehelp.ValidClientID(f.ClientID) {
		fields["client_id"] = "The form is missing its message id; reload the page and try again."
	}
	if len(f.FormToken) > maxTokenLen || len(f.CaptchaID) > 64 || len(f.Captcha) > 32 {
		return f, livehelp.Errorf(livehelp.EINVALID, "The form could not be read; reload the page and try again.")
	}
	if len(fields) > 0 {
		return f, livehelp.Invalid("Please check the highlighted fields.", fields)
	}
	return f, nil
}

// checkText returns the message text normalized (line breaks as \n,
// trimmed), or what is wrong with it.
func checkText(s string) (msg, text string) {
	norm := strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n"))
	switch {
	case norm == "":
		return "Please write your message.", ""
	case strings.ContainsFunc(norm, func(r rune) bool { return (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f }):
		return "Your message contains characters we cannot accept. Please remove them.", ""
	case len(norm) > livehelp.MaxMessageText:
		return "Your message is too long. Please shorten it to about 4,000 letters; you can add more in the chat afterwards.", ""
	}
	text, err := livehelp.CleanText(norm)
	if err != nil {
		return "Your message contains characters we cannot accept. Please remove them.", ""
	}
	return "", text
}

// oneLine returns s trimmed, with every control character, line or
// paragraph separator and run of white space made one space: nothing in a
// name or subject can break a line (of an email header, say).
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0, r == '\u2028', r == '\u2029', r == utf8.RuneError:
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}
