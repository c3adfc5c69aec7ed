package rest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/livehelp/livehelp/infra/devstack/template"
)

// Limits of API Gateway REST APIs.
const (
	// MaxBody is the largest request body API Gateway accepts (10 MB).
	MaxBody = 10 * 1024 * 1024
	// IntegrationTimeout is API Gateway's integration timeout.
	IntegrationTimeout = 29 * time.Second
)

// Invoker invokes a function by its logical id with a JSON payload and
// returns its JSON response.
type Invoker interface {
	Invoke(ctx context.Context, function string, payload []byte) ([]byte, error)
}

// Config configures a Handler.
type Config struct {
	// API, when set, supplies the stage, routes, binary media types,
	// stage variables and API id of a template's REST API; the fields
	// below override or add to it.
	API *template.RestAPI
	// APIID is the API's id, sent as requestContext.apiId.
	APIID string
	// Stage is the stage name: the first path segment of every URL.
	Stage string
	// AccountID is requestContext.accountId (default 123456789012).
	AccountID string
	// Routes are the API's routes.
	Routes []Route
	// Invoker runs the functions.
	Invoker Invoker
	// BinaryMediaTypes are media types (image/png, image/*, */*) whose
	// request bodies are always base64-encoded.
	BinaryMediaTypes []string
	// StageVariables are sent as stageVariables (nil when empty, as API
	// Gateway does).
	StageVariables map[string]string
	// Timeout is the integration timeout (default IntegrationTimeout).
	Timeout time.Duration
	// Now returns the request time (default time.Now).
	Now func() time.Time
	// Logger logs failed invocations (default slog.Default()).
	Logger *slog.Logger
}

// Handler serves one REST API stage. It is safe for concurrent use.
type Handler struct {
	cfg       Config
	resources []*resource
}

// New validates the routes and returns a Handler.
func New(cfg Config) (*Handler, error) {
	if api := cfg.API; api != nil {
		if cfg.Stage == "" {
			cfg.Stage = api.StageName
		}
		if cfg.APIID == "" {
			cfg.APIID = api.ID
		}
		if cfg.StageVariables == nil {
			cfg.StageVariables = api.Variables
		}
		routes := make([]Route, 0, len(api.Routes)+len(cfg.Routes))
		for _, r := range api.Routes {
			routes = append(routes, Route(r))
		}
		cfg.Routes = append(routes, cfg.Routes...)
		cfg.BinaryMediaTypes = append(append([]string(nil), api.BinaryMediaTypes...), cfg.BinaryMediaTypes...)
	}
	if cfg.Stage == "" || strings.Contains(cfg.Stage, "/") {
		return nil, errors.New("rest: Config.Stage must be one path segment")
	}
	if cfg.Invoker == nil {
		return nil, errors.New("rest: Config.Invoker is nil")
	}
	if cfg.AccountID == "" {
		cfg.AccountID = "123456789012"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = IntegrationTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if len(cfg.StageVariables) == 0 {
		cfg.StageVariables = nil
	}
	resources, err := compile(cfg.Routes)
	if err != nil {
		return nil, err
	}
	return &Handler{cfg: cfg, resources: resources}, nil
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	requestID := newUUID()
	w.Header().Set("x-amzn-RequestId", requestID)
	prefix := "/" + h.cfg.Stage
	escaped := r.URL.EscapedPath()
	if escaped != prefix && !strings.HasPrefix(escaped, prefix+"/") {
		writeError(w, http.StatusForbidden, "MissingAuthenticationTokenException", bodyMissingToken)
		return
	}
	res, params, ok := find(h.resources, strings.TrimPrefix(escaped, prefix))
	if !ok {
		writeError(w, http.StatusForbidden, "MissingAuthenticationTokenException", bodyMissingToken)
		return
	}
	function, ok := res.methods[r.Method]
	if !ok {
		function, ok = res.methods["ANY"]
	}
	if !ok {
		writeError(w, http.StatusForbidden, "MissingAuthenticationTokenException", bodyMissingToken)
		return
	}
	if r.ContentLength > MaxBody {
		writeError(w, http.StatusRequestEntityTooLarge, "", bodyTooLong)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeError(w, http.StatusRequestEntityTooLarge, "", bodyTooLong)
			return
		}
		writeError(w, http.StatusBadRequest, "BadRequestException", `{"message":"Could not read the request body"}`)
		return
	}
	event := h.event(r, res, params, body, requestID)
	payload, err := json.Marshal(event)
	if err != nil {
		h.internal(w, function, requestID, err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.cfg.Timeout)
	defer cancel()
	out, err := h.cfg.Invoker.Invoke(ctx, function, payload)
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil && r.Context().Err() == nil {
		h.cfg.Logger.Warn("rest: integration timed out", "function", function, "request_id", requestID)
		writeError(w, http.StatusGatewayTimeout, "", bodyTimeout)
		return
	}
	if err != nil {
		h.internal(w, function, requestID, err)
		return
	}
	if err := writeResponse(w, out); err != nil {
		h.internal(w, function, requestID, err)
	}
}

// internal logs a failed invocation and answers 502 as API Gateway does.
func (h *Handler) internal(w http.ResponseWriter, function, requestID string, err error) {
	h.cfg.Logger.Warn("rest: invocation failed", "function", function, "request_id", requestID, "err", err.Error())
	writeError(w, http.StatusBadGateway, "", bodyInternal)
}

// writeResponse decodes the function's proxy response and writes it.
func writeResponse(w http.ResponseWriter, out []byte) error {
	var resp events.APIGatewayProxyResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		return errors.New("malformed Lambda proxy response: " + err.Error())
	}
	if resp.StatusCode < 100 || resp.StatusCode > 599 {
		return errors.New("malformed Lambda proxy response: no valid statusCode")
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		decoded, err := base64.StdEncoding.DecodeString(resp.Body)
		if err != nil {
			return errors.New("malformed Lambda proxy response: body is not base64")
		}
		body = decoded
	}
	h := w.Header()
	for k, vs := range resp.MultiValueHeaders {
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	for k, v := range resp.Headers {
		if !contains(h.Values(k), v) {
			h.Add(k, v)
		}
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json")
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(body)
	return nil
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// API Gateway's error bodies, byte for byte.
const (
	bodyMissingToken = `{"message":"Missing Authentication Token"}`
	bodyInternal     = `{"message": "Internal server error"}`
	bodyTimeout      = `{"message": "Endpoint request timed out"}`
	bodyTooLong      = `{"message":"Request Too Long"}`
)

// writeError writes an API Gateway error response.
func writeError(w http.ResponseWriter, status int, errorType, body string) {
	if errorType != "" {
		w.Header().Set("x-amzn-ErrorType", errorType)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}
