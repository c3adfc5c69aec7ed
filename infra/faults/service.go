package faults

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
)

// Service is the AWS service behind a Proxy: it names operations and
// shapes error answers the way the service and its SDK client expect.
type Service int

// The services the functions call.
const (
	// DynamoDB speaks awsJson1_0: X-Amz-Target names the operation; errors
	// carry x-amzn-ErrorType and a __type in the body.
	DynamoDB Service = iota
	// Connections is API Gateway's @connections management API
	// (restJson1): POST, GET and DELETE /<stage>/@connections/<id>.
	Connections
	// SES is SES v2 (restJson1): SendEmail is POST /v2/email/outbound-emails.
	SES
)

// String returns the service's name.
func (s Service) String() string {
	switch s {
	case DynamoDB:
		return "dynamodb"
	case Connections:
		return "connections"
	case SES:
		return "ses"
	}
	return "unknown"
}

// Operation names the API operation of a request.
func (s Service) Operation(r *http.Request) string {
	switch s {
	case DynamoDB:
		if _, op, ok := strings.Cut(r.Header.Get("X-Amz-Target"), "."); ok {
			return op
		}
	case Connections:
		if strings.Contains(r.URL.Path, "/@connections/") {
			switch r.Method {
			case http.MethodPost:
				return "PostToConnection"
			case http.MethodGet:
				return "GetConnection"
			case http.MethodDelete:
				return "DeleteConnection"
			}
		}
	case SES:
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/v2/email/outbound-emails") {
			return "SendEmail"
		}
	}
	return "other"
}

// throttle writes the service's throttling error; alt picks DynamoDB's
// second kind (ThrottlingException) instead of the provisioned one.
func (s Service) throttle(w http.ResponseWriter, alt bool) {
	switch s {
	case DynamoDB:
		if alt {
			awsJSONError(w, http.StatusBadRequest, "ThrottlingException", "com.amazon.coral.availability#ThrottlingException",
				"Rate of requests exceeds the allowed throughput.")
			return
		}
		awsJSONError(w, http.StatusBadRequest, "ProvisionedThroughputExceededException",
			"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
			"The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.")
	case Connections:
		restJSONError(w, http.StatusTooManyRequests, "LimitExceededException", "Rate exceeded")
	default:
		restJSONError(w, http.StatusTooManyRequests, "TooManyRequestsException", "Maximum sending rate exceeded.")
	}
}

// serverError writes the service's internal error.
func (s Service) serverError(w http.ResponseWriter) {
	switch s {
	case DynamoDB:
		awsJSONError(w, http.StatusInternalServerError, "InternalServerError",
			"com.amazonaws.dynamodb.v20120810#InternalServerError", "Internal server error")
	case Connections:
		restJSONError(w, http.StatusInternalServerError, "InternalServerErrorException", "Internal server error")
	default:
		restJSONError(w, http.StatusInternalServerError, "InternalServiceErrorException", "Internal service error")
	}
}

// awsJSONError writes an awsJson1_0 error as DynamoDB does.
func awsJSONError(w http.ResponseWriter, status int, typ, fullType, message string) {
	body, _ := json.Marshal(map[string]string{"__type": fullType, "message": message})
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("x-amzn-ErrorType", typ)
	w.Header().Set("x-amzn-RequestId", "faults-injected")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// restJSONError writes a restJson1 error as API Gateway and SES do.
func restJSONError(w http.ResponseWriter, status int, typ, message string) {
	body, _ := json.Marshal(map[string]string{"message": message})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-ErrorType", typ)
	w.Header().Set("x-amzn-RequestId", "faults-injected")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// Stats counts what a Proxy saw and did.
type Stats struct {
	// Requests counts requests by operation.
	Requests map[string]int64
	// Injected counts faults by kind.
	Injected map[Kind]int64
	// InjectedByOperation counts faults by operation.
	InjectedByOperation map[string]int64
	// ForwardErrors counts requests the target did not answer.
	ForwardErrors int64
}

func newStats() Stats {
	return Stats{Requests: map[string]int64{}, Injected: map[Kind]int64{}, InjectedByOperation: map[string]int64{}}
}

// count records a request (k == "") or a fault.
func (s *Stats) count(op string, k Kind) {
	if k == "" {
		s.Requests[op]++
		return
	}
	s.Injected[k]++
	s.InjectedByOperation[op]++
}

// TotalInjected returns the number of faults injected.
func (s Stats) TotalInjected() int64 {
	var n int64
	for _, v := range s.Injected {
		n += v
	}
	return n
}

// TotalRequests returns the number of requests seen.
func (s Stats) TotalRequests() int64 {
	var n int64
	for _, v := range s.Requests {
		n += v
	}
	return n
}

// Stats returns a copy of the counts.
func (p *Proxy) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return Stats{Requests: maps.Clone(p.stats.Requests), Injected: maps.Clone(p.stats.Injected),
		InjectedByOperation: maps.Clone(p.stats.InjectedByOperation), ForwardErrors: p.stats.ForwardErrors}
}

// ResetStats zeroes the counts and returns those from before.
func (p *Proxy) ResetStats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.stats
	p.stats = newStats()
	return s
}

// Operations returns the operations seen, sorted.
func (s Stats) Operations() []string { return slices.Sorted(maps.Keys(s.Requests)) }
