package sesmail

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
)

// TestMain fails the package when goroutines outlive the tests.
func TestMain(m *testing.M) {
	before := runtime.NumGoroutine()
	code := m.Run()
	if code == 0 {
		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			fmt.Fprintf(os.Stderr, "goroutine leak: %d before, %d after\n", before, n)
			pprof.Lookup("goroutine").WriteTo(os.Stderr, 1)
			code = 1
		}
	}
	os.Exit(code)
}

// fixedNow is the capture time of every message in these tests.
var fixedNow = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

// start serves a capture on 127.0.0.1 for the duration of the test.
func start(t *testing.T, cfg Config) (*Server, *httptest.Server) {
	t.Helper()
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return fixedNow }
	}
	s := New(cfg)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv
}

// client returns a real SES v2 client for srv that makes up to attempts
// attempts per call, without waiting between them.
func client(srv *httptest.Server, attempts int) *sesv2.Client {
	cfg := aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = attempts
				o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
			})
		},
	}
	return sesv2.NewFromConfig(cfg, func(o *sesv2.Options) {
		o.BaseEndpoint = aws.String(srv.URL)
	})
}

// simple builds a Content.Simple SendEmail input.
func simple(from string, to []string, subject, text, html string) *sesv2.SendEmailInput {
	body := &types.Body{}
	if text != "" {
		body.Text = &types.Content{Data: aws.String(text), Charset: aws.String("UTF-8")}
	}
	if html != "" {
		body.Html = &types.Content{Data: aws.String(html), Charset: aws.String("UTF-8")}
	}
	return &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(from),
		Destination:      &types.Destination{ToAddresses: to},
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: aws.String(subject)},
			Body:    body,
		}},
	}
}

// listMessages fetches GET /messages (with an optional query) and decodes it.
func listMessages(t *testing.T, srv *httptest.Server, query string) []Message {
	t.Helper()
	status, body := do(t, http.MethodGet, srv.URL+"/messages"+query, "")
	if status != http.StatusOK {
		t.Fatalf("GET /messages = %d %s", status, body)
	}
	var msgs []Message
	if err := json.Unmarshal([]byte(body), &msgs); err != nil {
		t.Fatalf("decode /messages %q: %v", body, err)
	}
	return msgs
}

// do sends a plain HTTP request and returns the status and body; the
// x-amzn-ErrorType header, when present, is prefixed to the body as "Type|".
func do(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if typ := resp.Header.Get("x-amzn-ErrorType"); typ != "" {
		return resp.StatusCode, typ + "|" + string(b)
	}
	return resp.StatusCode, string(b)
}
