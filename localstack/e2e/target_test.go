package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFromEnv(t *testing.T) {
	full := map[string]string{
		EnvRestURL: "https://abc.execute-api.eu-west-1.amazonaws.com/live/", EnvWSURL: "wss://def.execute-api.eu-west-1.amazonaws.com/live",
		EnvSite: "e2e", EnvEmail: "e2e@example.com", EnvPassword: "secret-password",
	}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range full {
			m[a] = b
		}
		m[k] = v
		return m
	}
	tests := []struct {
		name   string
		env    map[string]string
		remote bool
		err    string
		want   *Target
	}{
		{"unset: local runner", map[string]string{}, false, "", nil},
		{"full", full, true, "", &Target{RestURL: "https://abc.execute-api.eu-west-1.amazonaws.com/live",
			WebSocketURL: "wss://def.execute-api.eu-west-1.amazonaws.com/live", Site: "e2e", Email: "e2e@example.com",
			Password: "secret-password", MailTo: SimulatorAddress}},
		{"no websocket", with(EnvWSURL, "none"), true, "", &Target{RestURL: "https://abc.execute-api.eu-west-1.amazonaws.com/live",
			Site: "e2e", Email: "e2e@example.com", Password: "secret-password", MailTo: SimulatorAddress}},
		{"missing", map[string]string{EnvRestURL: "https://x/live"}, true, "LIVEHELP_OPERATOR_EMAIL, LIVEHELP_OPERATOR_PASSWORD, LIVEHELP_SITE, LIVEHELP_WS_URL are not", nil},
		{"bad ws", with(EnvWSURL, "https://x/live"), true, "must be a ws(s) URL", nil},
		{"bad mail", with(EnvMailURL, "ftp://x"), true, "LIVEHELP_MAIL_URL must be an http(s) URL", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, remote, err := FromEnv(func(k string) string { return tt.env[k] })
			if remote != tt.remote || (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
				t.Fatalf("FromEnv = remote %v, err %v; want remote %v, err containing %q", remote, err, tt.remote, tt.err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("target (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewMailReader(t *testing.T) {
	for raw, want := range map[string]string{
		"http://127.0.0.1:4599":                           "*e2e.captureMail",
		"http://localhost.localstack.cloud:4566/_aws/ses": "*e2e.localStackMail",
	} {
		r, err := NewMailReader(raw)
		if err != nil {
			t.Fatal(err)
		}
		if got := typeName(r); got != want {
			t.Errorf("NewMailReader(%q) = %s, want %s", raw, got, want)
		}
	}
}

func typeName(v any) string { return fmt.Sprintf("%T", v) }

// TestLocalStackMail reads the shape LocalStack documents for GET
// /_aws/ses and keeps only the mail to the address asked for.
func TestLocalStackMail(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/_aws/ses" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, `{"messages": [
		  {"Id": "a", "Region": "us-east-1", "Destination": {"ToAddresses": ["jeff@aws.com"]}, "Source": "hello@example.com",
		   "Subject": "Other", "Body": {"text_part": "not ours", "html_part": null}, "Timestamp": "2023-09-11T08:37:13"},
		  {"Id": "b", "Region": "us-east-1", "Destination": {"ToAddresses": ["Visitor@Example.com"]}, "Source": "noreply@example.com",
		   "Subject": "Your reply", "Body": {"text_part": "Thanks", "html_part": "<p>Thanks</p>"}, "Timestamp": "2023-09-11T08:38:13"}]}`)
	}))
	defer srv.Close()
	r, err := NewMailReader(srv.URL + "/_aws/ses")
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.MailTo(context.Background(), "visitor@example.com")
	if err != nil {
		t.Fatal(err)
	}
	want := []Mail{{From: "noreply@example.com", To: []string{"Visitor@Example.com"}, Subject: "Your reply", Text: "Thanks"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("MailTo (-want +got):\n%s", diff)
	}
}
