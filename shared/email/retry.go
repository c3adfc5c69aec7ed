package email

import (
	"errors"
	"net"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// SES has no idempotency key: a SendEmail whose answer is lost may have
// sent the mail, and sending it again would mail the visitor twice. So the
// client retries only when SES answered with a throttling or server error,
// or when the connection never opened; a request that went out without an
// answer is Ambiguous, never resent, and reported as such.

// SafeRetries is an sesv2 client option that retries only sends known not
// to have gone through (see Ambiguous).
func SafeRetries(o *sesv2.Options) {
	o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
		so.Retryables = []retry.IsErrorRetryable{retry.IsErrorRetryableFunc(func(err error) aws.Ternary {
			if Ambiguous(err) {
				return aws.FalseTernary
			}
			if code, ok := statusCode(err); ok {
				return aws.BoolTernary(code == 429 || code >= 500)
			}
			return aws.TrueTernary // the connection never opened
		})}
	})
}

// Ambiguous reports whether err leaves it unknown whether SES sent the
// message: the request may have been delivered but no answer came back
// (a reset, a timeout, a dropped connection). Answers from SES, dial
// failures and our own validation errors are not ambiguous.
func Ambiguous(err error) bool {
	if err == nil || livehelp.IsCode(err, livehelp.EINVALID) {
		return false
	}
	if _, ok := statusCode(err); ok {
		return false
	}
	var api interface{ ErrorCode() string } // an error SES answered with
	if errors.As(err, &api) {
		return false
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return false
	}
	var dns *net.DNSError
	return !errors.As(err, &dns)
}

// statusCode returns the HTTP status of SES's answer, if one came.
func statusCode(err error) (int, bool) {
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) && re.HTTPStatusCode() > 0 {
		return re.HTTPStatusCode(), true
	}
	return 0, false
}
