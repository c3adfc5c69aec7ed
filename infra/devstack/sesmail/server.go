package sesmail

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// DefaultCapacity is how many messages a Server keeps when Config.Capacity
// is zero.
const DefaultCapacity = 1000

// Config configures a Server.
type Config struct {
	// Capacity bounds the captured messages; the oldest are dropped first.
	Capacity int
	// Logger receives one record per send (message ID and recipient count,
	// never addresses or bodies); nil discards them.
	Logger *slog.Logger
	// Now stamps captured messages; nil means time.Now.
	Now func() time.Time
}

// Fault selects the error an injected failure answers with.
type Fault string

// Faults the SDK's standard retryer treats as retryable.
const (
	// FaultInternal answers 500 InternalServiceErrorException.
	FaultInternal Fault = "internal"
	// FaultThrottle answers 429 TooManyRequestsException.
	FaultThrottle Fault = "throttle"
)

// Message is one captured email, as listed by GET /messages.
type Message struct {
	ID               string    `json:"id"`
	From             string    `json:"from"`
	To               []string  `json:"to"`
	Cc               []string  `json:"cc"`
	Bcc              []string  `json:"bcc"`
	ReplyTo          []string  `json:"replyTo"`
	Subject          string    `json:"subject"`
	Text             string    `json:"text"`
	HTML             string    `json:"html"`
	Raw              string    `json:"raw"` // the MIME message of a Content.Raw send
	ConfigurationSet string    `json:"configurationSet,omitempty"`
	Time             time.Time `json:"time"`
}

// Server is a local SES v2 endpoint that captures mail instead of sending
// it. Point the SDK at it with AWS_ENDPOINT_URL_SESV2 or BaseEndpoint.
type Server struct {
	capacity int
	log      *slog.Logger
	now      func() time.Time

	mu       sync.Mutex
	messages []Message // oldest first, at most capacity
	failNext int
	nextKind Fault
	rate     float64
	rateKind Fault
}

// New returns a Server with an empty mailbox.
func New(cfg Config) *Server {
	s := &Server{capacity: cfg.Capacity, log: cfg.Logger, now: cfg.Now}
	if s.capacity <= 0 {
		s.capacity = DefaultCapacity
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.log = s.log.With("component", "sesmail")
	return s
}

// ServeHTTP serves SendEmail (POST /v2/email/outbound-emails), the mailbox
// page (GET /), the mailbox as JSON (GET /messages, optionally filtered by
// ?to=address across To, Cc and Bcc), DELETE /messages to empty it, and
// POST /faults to set the fault knobs over HTTP. Any other SES v2 operation
// gets 400 BadRequestException naming it; unknown paths get 404.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/v2/email/outbound-emails" && r.Method == http.MethodPost:
		s.sendEmail(w, r)
	case r.URL.Path == "/" && r.Method == http.MethodGet:
		s.servePage(w)
	case r.URL.Path == "/messages" && r.Method == http.MethodGet:
		s.serveMessages(w, r)
	case r.URL.Path == "/messages" && r.Method == http.MethodDelete:
		s.Clear()
		w.WriteHeader(http.StatusNoContent)
	case r.URL.Path == "/faults" && r.Method == http.MethodPost:
		s.serveFaults(w, r)
	case strings.HasPrefix(r.URL.Path, "/v2/"):
		if op := operationName(r); op != "" {
			writeError(w, http.StatusBadRequest, "BadRequestException",
				fmt.Sprintf("%s is not supported by the local SES capture; only SendEmail is", op))
			return
		}
		writeError(w, http.StatusNotFound, "NotFoundException",
			fmt.Sprintf("no SES v2 operation matches %s %s", r.Method, r.URL.Path))
	default:
		http.NotFound(w, r)
	}
}

// Messages returns the captured messages, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.messages)
}

// Clear empties the mailbox.
func (s *Server) Clear() {
	s.mu.Lock()
	s.messages = nil
	s.mu.Unlock()
}

// FailNext makes the next n SendEmail calls fail with f, before any
// validation, as a throttled or failing service would. n = 0 cancels.
func (s *Server) FailNext(n int, f Fault) {
	s.mu.Lock()
	s.failNext, s.nextKind = max(n, 0), f
	s.mu.Unlock()
}

// SetFailureRate makes each SendEmail call fail with f with probability
// rate (0 to 1), after any FailNext failures are used up. 0 disables.
func (s *Server) SetFailureRate(rate float64, f Fault) {
	s.mu.Lock()
	s.rate, s.rateKind = min(max(rate, 0), 1), f
	s.mu.Unlock()
}

// fault returns the failure to inject into this call, or "".
func (s *Server) fault() Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failNext > 0 {
		s.failNext--
		return s.nextKind
	}
	if s.rate > 0 && rand.Float64() < s.rate {
		return s.rateKind
	}
	return ""
}

// store appends m, dropping the oldest message beyond capacity.
func (s *Server) store(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = append(s.messages, m)
	if over := len(s.messages) - s.capacity; over > 0 {
		s.messages = slices.Delete(s.messages, 0, over)
	}
}

// writeError writes an SES v2 (restJson1) error: x-amzn-ErrorType carries
// the type the SDK maps to a typed error, the body carries the message.
func writeError(w http.ResponseWriter, status int, typ, message string) {
	w.Header().Set("x-amzn-ErrorType", typ)
	writeJSON(w, status, map[string]string{"message": message})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encode response", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}
