package email

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/livehelp/livehelp/shared/livehelp"
)

type fakeSES struct{ in *sesv2.SendEmailInput }

func (f *fakeSES) SendEmail(_ context.Context, in *sesv2.SendEmailInput, _ ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	f.in = in
	return &sesv2.SendEmailOutput{MessageId: aws.String("m1")}, nil
}

func TestSendStripsHeaderInjection(t *testing.T) {
	f := &fakeSES{}
	s := New(f, "help@example.com")
	_, err := s.Send(context.Background(), Message{
		To:       []string{"visitor@example.org"},
		FromName: "Support\r\nBcc: victim@example.net",
		Subject:  "Re: hello\r\nBcc: victim@example.net\nX-Evil: 1",
		Text:     "text", HTML: "<p>html</p>",
	})
	if err != nil {
		t.Fatal(err)
	}
	subj := aws.ToString(f.in.Content.Simple.Subject.Data)
	from := aws.ToString(f.in.FromEmailAddress)
	for _, v := range []string{subj, from} {
		if strings.ContainsAny(v, "\r\n") {
			t.Errorf("header value %q carries CR/LF", v)
		}
	}
	if f.in.Content.Simple.Body.Text == nil || f.in.Content.Simple.Body.Html == nil {
		t.Error("both parts must be present")
	}
}

func TestParseAddress(t *testing.T) {
	good := []string{"a@example.com", " b.c+tag@sub.example.org "}
	bad := []string{"", "a", "a@b", "a@example.com\r\nBcc: x@y.z", "Name <a@example.com>", "a@example.com, b@example.com", strings.Repeat("a", 250) + "@ex.com"}
	for _, s := range good {
		if _, err := ParseAddress(s); err != nil {
			t.Errorf("ParseAddress(%q) = %v", s, err)
		}
	}
	for _, s := range bad {
		if _, err := ParseAddress(s); !livehelp.IsCode(err, livehelp.EINVALID) {
			t.Errorf("ParseAddress(%q) = %v, want invalid", s, err)
		}
	}
}
