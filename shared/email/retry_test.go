package email

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
)

// TestSafeRetries drives the real SES client against a server that fails in
// each way: an answered throttle is retried; a dropped connection after the
// request arrived is not (the mail may be out), and is Ambiguous.
func TestSafeRetries(t *testing.T) {
	tests := []struct {
		name      string
		fail      func(w http.ResponseWriter) // how the first attempt fails
		wantCalls int32
		ambiguous bool
	}{
		{"throttled then sent", func(w http.ResponseWriter) {
			w.Header().Set("x-amzn-ErrorType", "TooManyRequestsException")
			w.WriteHeader(429)
			_, _ = w.Write([]byte(`{"message":"slow down"}`))
		}, 2, false},
		{"dropped after arrival", func(w http.ResponseWriter) {
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
		}, 1, true},
		{"bad request", func(w http.ResponseWriter) {
			w.Header().Set("x-amzn-ErrorType", "BadRequestException")
			w.WriteHeader(400)
			_, _ = w.Write([]byte(`{"message":"no"}`))
		}, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if calls.Add(1) == 1 {
					tt.fail(w)
					return
				}
				_, _ = w.Write([]byte(`{"MessageId":"m1"}`))
			}))
			defer srv.Close()
			client := sesv2.New(sesv2.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
				Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")}, SafeRetries)
			_, err := New(client, "help@example.com").Send(context.Background(), Message{
				To: []string{"v@example.org"}, Subject: "s", Text: "t", HTML: "<p>h</p>"})
			if got := calls.Load(); got != tt.wantCalls {
				t.Errorf("SES saw %d sends, want %d", got, tt.wantCalls)
			}
			if Ambiguous(err) != tt.ambiguous {
				t.Errorf("Ambiguous(%v) = %v, want %v", err, !tt.ambiguous, tt.ambiguous)
			}
		})
	}
	if Ambiguous(&net.OpError{Op: "dial", Err: errors.New("refused")}) {
		t.Error("a refused dial is not ambiguous: nothing was sent")
	}
}
