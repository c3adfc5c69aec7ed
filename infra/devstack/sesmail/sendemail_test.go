package sesmail

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/google/go-cmp/cmp"
)

var messageIDPattern = regexp.MustCompile(`^[0-9a-f]{16}-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}-000000$`)

func TestSendSimple(t *testing.T) {
	_, srv := start(t, Config{})
	in := simple("Live Help <noreply@livehelp.example>", []string{"visitor@example.com"}, "Reply from Ann", "Hello, Bob", "<p>Hello, Bob</p>")
	in.Destination.CcAddresses = []string{"Ann <ann@shop.example>"}
	in.Destination.BccAddresses = []string{"audit@shop.example"}
	in.ReplyToAddresses = []string{"support@shop.example"}
	in.ConfigurationSetName = aws.String("livehelp")
	out, err := client(srv, 1).SendEmail(context.Background(), in)
	if err != nil {
		t.Fatalf("SendEmail: %v", err)
	}
	id := aws.ToString(out.MessageId)
	if !messageIDPattern.MatchString(id) {
		t.Errorf("MessageId %q is not shaped like an SES message ID", id)
	}
	want := []Message{{
		ID:               id,
		From:             "Live Help <noreply@livehelp.example>",
		To:               []string{"visitor@example.com"},
		Cc:               []string{"Ann <ann@shop.example>"},
		Bcc:              []string{"audit@shop.example"},
		ReplyTo:          []string{"support@shop.example"},
		Subject:          "Reply from Ann",
		Text:             "Hello, Bob",
		HTML:             "<p>Hello, Bob</p>",
		ConfigurationSet: "livehelp",
		Time:             fixedNow,
	}}
	if diff := cmp.Diff(want, listMessages(t, srv, "")); diff != "" {
		t.Errorf("captured (-want +got):\n%s", diff)
	}
}

const rawMIME = "From: =?UTF-8?Q?Live_Help?= <noreply@livehelp.example>\r\n" +
	"To: Bob <bob@example.com>, carol@example.com\r\n" +
	"Subject: =?UTF-8?B?TmV3IG1lc3NhZ2Ug4pyJ?=\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/alternative; boundary=\"b1\"\r\n" +
	"\r\n" +
	"--b1\r\n" +
	"Content-Type: text/plain; charset=UTF-8\r\n" +
	"Content-Transfer-Encoding: quoted-printable\r\n" +
	"\r\n" +
	"Caf=C3=A9 is open\r\n" +
	"--b1\r\n" +
	"Content-Type: text/html; charset=UTF-8\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"\r\n" +
	"PHA+Q2Fmw6kgaXMg\r\nb3BlbjwvcD4=\r\n" +
	"--b1--\r\n"

func TestSendRaw(t *testing.T) {
	tests := []struct {
		name        string
		from        string
		destination *types.Destination
		wantFrom    string
		wantTo      []string
	}{
		{"recipients from headers", "", nil, "Live Help <noreply@livehelp.example>",
			[]string{`"Bob" <bob@example.com>`, "carol@example.com"}},
		{"request overrides headers", "alerts@livehelp.example", &types.Destination{ToAddresses: []string{"ops@shop.example"}},
			"alerts@livehelp.example", []string{"ops@shop.example"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, srv := start(t, Config{})
			in := &sesv2.SendEmailInput{
				Destination: tt.destination,
				Content:     &types.EmailContent{Raw: &types.RawMessage{Data: []byte(rawMIME)}},
			}
			if tt.from != "" {
				in.FromEmailAddress = aws.String(tt.from)
			}
			out, err := client(srv, 1).SendEmail(context.Background(), in)
			if err != nil {
				t.Fatalf("SendEmail: %v", err)
			}
			want := []Message{{
				ID: aws.ToString(out.MessageId), From: tt.wantFrom, To: tt.wantTo, Cc: []string{}, Bcc: []string{}, ReplyTo: []string{},
				Subject: "New message ✉", Text: "Café is open", HTML: "<p>Café is open</p>", Raw: rawMIME, Time: fixedNow,
			}}
			if diff := cmp.Diff(want, s.Messages()); diff != "" {
				t.Errorf("captured (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSendRejected checks SES's validation surfaces through the SDK as
// *types.BadRequestException and that nothing is captured.
func TestSendRejected(t *testing.T) {
	many := make([]string, 51)
	for i := range many {
		many[i] = fmt.Sprintf("r%d@example.com", i)
	}
	tests := []struct {
		name    string
		edit    func(in *sesv2.SendEmailInput)
		wantMsg string
	}{
		{"no sender", func(in *sesv2.SendEmailInput) { in.FromEmailAddress = nil }, "FromEmailAddress is required"},
		{"bad sender", func(in *sesv2.SendEmailInput) { in.FromEmailAddress = aws.String("not an address") }, "Illegal address in FromEmailAddress"},
		{"no destination", func(in *sesv2.SendEmailInput) { in.Destination = nil }, "Destination must contain"},
		{"empty destination", func(in *sesv2.SendEmailInput) { in.Destination = &types.Destination{} }, "Destination must contain"},
		{"bad recipient", func(in *sesv2.SendEmailInput) { in.Destination.CcAddresses = []string{"ok@example.com", "bob@"} }, "Illegal address in CcAddresses[1]"},
		{"bad reply-to", func(in *sesv2.SendEmailInput) { in.ReplyToAddresses = []string{"@@"} }, "Illegal address in ReplyToAddresses[0]"},
		{"51 recipients", func(in *sesv2.SendEmailInput) { in.Destination.ToAddresses = many }, "exceeds the limit of 50"},
		{"empty body", func(in *sesv2.SendEmailInput) { in.Content.Simple.Body = &types.Body{} }, "Body must contain Text or Html"},
		{"template content", func(in *sesv2.SendEmailInput) {
			in.Content = &types.EmailContent{Template: &types.Template{TemplateName: aws.String("welcome")}}
		}, "Content.Template is not supported"},
		{"simple and raw", func(in *sesv2.SendEmailInput) {
			in.Content.Raw = &types.RawMessage{Data: []byte(rawMIME)}
		}, "exactly one of Simple, Raw or Template"},
		{"raw without From", func(in *sesv2.SendEmailInput) {
			in.FromEmailAddress = nil
			in.Content = &types.EmailContent{Raw: &types.RawMessage{Data: []byte("To: a@example.com\r\n\r\nhi")}}
		}, "no From header"},
		{"raw not MIME", func(in *sesv2.SendEmailInput) {
			in.Content = &types.EmailContent{Raw: &types.RawMessage{Data: []byte("no headers here")}}
		}, "not a valid MIME message"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, srv := start(t, Config{})
			in := simple("noreply@livehelp.example", []string{"visitor@example.com"}, "s", "t", "")
			tt.edit(in)
			_, err := client(srv, 3).SendEmail(context.Background(), in)
			var bad *types.BadRequestException
			if !errors.As(err, &bad) {
				t.Fatalf("err = %v, want BadRequestException", err)
			}
			if !strings.Contains(bad.ErrorMessage(), tt.wantMsg) {
				t.Errorf("message %q does not contain %q", bad.ErrorMessage(), tt.wantMsg)
			}
			if strings.Contains(bad.ErrorMessage(), "bob@") {
				t.Errorf("message %q repeats an address", bad.ErrorMessage())
			}
			if n := len(s.Messages()); n != 0 {
				t.Errorf("%d messages captured from a rejected request", n)
			}
		})
	}
}

// TestSendMalformedRequests covers requests the SDK would refuse to build.
func TestSendMalformedRequests(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"not JSON", `{"FromEmailAddress":`, "not a valid SendEmail document"},
		{"no content", `{"FromEmailAddress":"a@example.com","Destination":{"ToAddresses":["b@example.com"]}}`, "Content is required"},
		{"no subject", `{"FromEmailAddress":"a@example.com","Destination":{"ToAddresses":["b@example.com"]},"Content":{"Simple":{"Body":{"Text":{"Data":"x"}}}}}`, "Subject is required"},
		{"empty raw", `{"FromEmailAddress":"a@example.com","Destination":{"ToAddresses":["b@example.com"]},"Content":{"Raw":{"Data":""}}}`, "Raw.Data is required"},
	}
	_, srv := start(t, Config{})
	for _, tt := range tests {
		status, body := do(t, http.MethodPost, srv.URL+"/v2/email/outbound-emails", tt.body)
		if status != http.StatusBadRequest || !strings.HasPrefix(body, "BadRequestException|") || !strings.Contains(body, tt.want) {
			t.Errorf("%s: %d %s, want 400 BadRequestException containing %q", tt.name, status, body, tt.want)
		}
	}
}

// TestEnvironmentEndpoint proves the standard AWS_ENDPOINT_URL_SESV2
// variable sends config.LoadDefaultConfig clients to the capture.
func TestEnvironmentEndpoint(t *testing.T) {
	s, srv := start(t, Config{})
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL_SESV2": srv.URL, "AWS_REGION": "us-east-1",
		"AWS_ACCESS_KEY_ID": "AKIDLOCAL", "AWS_SECRET_ACCESS_KEY": "secret",
		"AWS_CONFIG_FILE": t.TempDir() + "/none", "AWS_SHARED_CREDENTIALS_FILE": t.TempDir() + "/none",
		"AWS_PROFILE": "", "AWS_ENDPOINT_URL": "", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "",
	} {
		t.Setenv(k, v)
	}
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	in := simple("noreply@livehelp.example", []string{"visitor@example.com"}, "via env", "hi", "")
	if _, err := sesv2.NewFromConfig(cfg).SendEmail(context.Background(), in); err != nil {
		t.Fatalf("SendEmail via AWS_ENDPOINT_URL_SESV2: %v", err)
	}
	if msgs := s.Messages(); len(msgs) != 1 || msgs[0].Subject != "via env" {
		t.Errorf("captured %+v, want the one message", msgs)
	}
}
