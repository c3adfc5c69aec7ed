package webapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"

	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/metrics"
)

// DecodeJSON reads one JSON object of at most max bytes from r's body into v.
// Unknown fields, trailing data, a wrong content type and an oversized body
// are EINVALID errors with a message a person can act on.
func DecodeJSON(r *http.Request, max int64, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !isJSON(ct) {
		return livehelp.Errorf(livehelp.EINVALID, "The request body must be JSON.")
	}
	body := http.MaxBytesReader(nil, r.Body, max)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			return livehelp.Errorf(livehelp.EINVALID, "The request body is larger than %d bytes.", max)
		case errors.Is(err, io.EOF):
			return livehelp.Errorf(livehelp.EINVALID, "The request body is empty.")
		default:
			return livehelp.Errorf(livehelp.EINVALID, "The request body is not valid JSON for this request.")
		}
	}
	if !atEOF(dec) {
		return livehelp.Errorf(livehelp.EINVALID, "The request body must hold one JSON object.")
	}
	return nil
}

func isJSON(ct string) bool {
	for i := 0; i < len(ct); i++ {
		if ct[i] == ';' {
			ct = ct[:i]
			break
		}
	}
	return ct == "application/json" || ct == "text/plain" // text/plain: CORS-simple posts from the widget
}

// WriteJSON writes v as a JSON response with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// ErrorBody is the JSON shape of every error response.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail carries the stable code, a human message and per-field messages.
type ErrorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// Status maps a domain error code to an HTTP status.
func Status(code string) int {
	switch code {
	case livehelp.EINVALID:
		return http.StatusBadRequest
	case livehelp.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case livehelp.EFORBIDDEN:
		return http.StatusForbidden
	case livehelp.ENOTFOUND:
		return http.StatusNotFound
	case livehelp.ECONFLICT:
		return http.StatusConflict
	case livehelp.ERATELIMITED:
		return http.StatusTooManyRequests
	default:
		return http.StatusInternalServerError
	}
}

// WriteError writes err as an error response. Internal errors are logged with
// the request id and answered with a generic message, never the cause.
func WriteError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	code := livehelp.ErrorCode(err)
	if code == livehelp.ERATELIMITED {
		metrics.Add(r.Context(), "RateLimited", 1)
	}
	if code == livehelp.EINTERNAL && log != nil {
		log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path,
			"request_id", RequestID(r), "err", err)
	}
	WriteJSON(w, Status(code), ErrorBody{Error: ErrorDetail{
		Code: code, Message: livehelp.ErrorMessage(err), Fields: livehelp.ErrorFields(err),
	}})
}

// DecodeStrict unmarshals one JSON object from data into v, rejecting unknown
// fields and trailing data. Its errors name the problem (a field, a type) and
// are safe to show to the sender.
func DecodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if !atEOF(dec) {
		return errors.New("trailing data after the JSON object")
	}
	return nil
}

// atEOF reports whether nothing but white space follows the decoded value
// (dec.More alone misses a stray "}" or "]").
func atEOF(dec *json.Decoder) bool {
	_, err := dec.Token()
	return errors.Is(err, io.EOF)
}
