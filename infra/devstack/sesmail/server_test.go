package sesmail

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
)

func TestFaults(t *testing.T) {
	tests := []struct {
		name     string
		setup    func(t *testing.T, s *Server, url string)
		attempts int
		check    func(err error) bool
		wantMail int
	}{
		{"throttle surfaces as TooManyRequestsException", func(t *testing.T, s *Server, _ string) { s.FailNext(1, FaultThrottle) }, 1,
			func(err error) bool { var e *types.TooManyRequestsException; return errors.As(err, &e) }, 0},
		{"internal surfaces as InternalServiceErrorException", func(t *testing.T, s *Server, _ string) { s.FailNext(1, FaultInternal) }, 1,
			func(err error) bool { var e *types.InternalServiceErrorException; return errors.As(err, &e) }, 0},
		{"SDK retries through two failures", func(t *testing.T, s *Server, _ string) { s.FailNext(2, FaultInternal) }, 3,
			func(err error) bool { return err == nil }, 1},
		{"three failures exhaust three attempts", func(t *testing.T, s *Server, _ string) { s.FailNext(3, FaultThrottle) }, 3,
			func(err error) bool { var e *types.TooManyRequestsException; return errors.As(err, &e) }, 0},
		{"rate 1 fails every call", func(t *testing.T, s *Server, _ string) { s.SetFailureRate(1, FaultInternal) }, 2,
			func(err error) bool { var e *types.InternalServiceErrorException; return errors.As(err, &e) }, 0},
		{"faults set over HTTP", func(t *testing.T, _ *Server, url string) {
			if status, body := do(t, http.MethodPost, url+"/faults", `{"failNext":1,"fault":"throttle"}`); status != http.StatusOK {
				t.Fatalf("POST /faults = %d %s", status, body)
			}
		}, 1, func(err error) bool { var e *types.TooManyRequestsException; return errors.As(err, &e) }, 0},
		{"faults cleared over HTTP", func(t *testing.T, s *Server, url string) {
			s.SetFailureRate(1, FaultThrottle)
			do(t, http.MethodPost, url+"/faults", `{}`)
		}, 1, func(err error) bool { return err == nil }, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, srv := start(t, Config{})
			tt.setup(t, s, srv.URL)
			in := simple("noreply@livehelp.example", []string{"visitor@example.com"}, "s", "t", "")
			_, err := client(srv, tt.attempts).SendEmail(context.Background(), in)
			if !tt.check(err) {
				t.Errorf("SendEmail err = %v", err)
			}
			if n := len(s.Messages()); n != tt.wantMail {
				t.Errorf("captured %d messages, want %d", n, tt.wantMail)
			}
		})
	}
}

func TestFaultSettingsRejected(t *testing.T) {
	_, srv := start(t, Config{})
	for _, body := range []string{`{"fault":"explode"}`, `{"rate":2}`, `{"failNext":-1}`, `nope`} {
		if status, _ := do(t, http.MethodPost, srv.URL+"/faults", body); status != http.StatusBadRequest {
			t.Errorf("POST /faults %s = %d, want 400", body, status)
		}
	}
}

func TestOperationName(t *testing.T) {
	tests := []struct{ method, path, want string }{
		{"GET", "/v2/email/account", "GetAccount"},
		{"POST", "/v2/email/outbound-bulk-emails", "SendBulkEmail"},
		{"GET", "/v2/email/identities/shop.example", "GetEmailIdentity"},
		{"GET", "/v2/email/identities/shop.example/policies", "GetEmailIdentityPolicies"},
		{"POST", "/v2/email/tenants/delete", "DeleteTenant"},
		{"POST", "/v2/email/tenants/get", "GetTenant"},
		{"PUT", "/v2/email/account/sending", "PutAccountSendingAttributes"},
		{"GET", "/v2/email/identities/", ""},
		{"GET", "/v2/email/nothing-here", ""},
		{"PATCH", "/v2/email/account", ""},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(tt.method, tt.path, nil)
		if got := operationName(r); got != tt.want {
			t.Errorf("%s %s = %q, want %q", tt.method, tt.path, got, tt.want)
		}
	}
}

// TestOtherOperations checks unsupported operations fail clearly through
// the SDK and that unknown paths are 404.
func TestOtherOperations(t *testing.T) {
	_, srv := start(t, Config{})
	api := client(srv, 1)
	ctx := context.Background()
	_, errAccount := api.GetAccount(ctx, &sesv2.GetAccountInput{})
	_, errIdentity := api.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("shop.example")})
	for op, err := range map[string]error{"GetAccount": errAccount, "GetEmailIdentity": errIdentity} {
		var bad *types.BadRequestException
		if !errors.As(err, &bad) || !strings.HasPrefix(bad.ErrorMessage(), op+" is not supported") {
			t.Errorf("%s: err = %v, want BadRequestException naming it", op, err)
		}
	}
	if status, body := do(t, http.MethodGet, srv.URL+"/v2/email/nothing-here", ""); status != http.StatusNotFound || !strings.HasPrefix(body, "NotFoundException|") {
		t.Errorf("unknown /v2 path = %d %s, want 404 NotFoundException", status, body)
	}
	if status, _ := do(t, http.MethodGet, srv.URL+"/elsewhere", ""); status != http.StatusNotFound {
		t.Errorf("unknown path = %d, want 404", status)
	}
}
