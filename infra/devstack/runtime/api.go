package runtime

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Runtime API paths (version 2018-06-01).
const (
	pathNext      = "GET /2018-06-01/runtime/invocation/next"
	pathResponse  = "POST /2018-06-01/runtime/invocation/{id}/response"
	pathError     = "POST /2018-06-01/runtime/invocation/{id}/error"
	pathInitError = "POST /2018-06-01/runtime/init/error"
)

// Header names of the Runtime API.
const (
	headerRequestID   = "Lambda-Runtime-Aws-Request-Id"
	headerDeadline    = "Lambda-Runtime-Deadline-Ms"
	headerFunctionARN = "Lambda-Runtime-Invoked-Function-Arn"
	headerTraceID     = "Lambda-Runtime-Trace-Id"
	headerErrorType   = "Lambda-Runtime-Function-Error-Type"
)

// routes serves the Runtime API for this process.
func (p *process) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(pathNext, p.handleNext)
	mux.HandleFunc(pathResponse, p.handleResponse)
	mux.HandleFunc(pathError, p.handleError)
	mux.HandleFunc(pathInitError, p.handleInitError)
	return mux
}

// handleNext blocks until an invocation is handed to this process.
func (p *process) handleNext(w http.ResponseWriter, r *http.Request) {
	p.readyOnce.Do(func() {
		p.mu.Lock()
		p.initDur = time.Since(p.started)
		p.mu.Unlock()
		close(p.ready)
	})
	var inv *invocation
	select {
	case inv = <-p.queue:
	case <-r.Context().Done():
		return
	case <-p.exited:
		return
	}
	deadline := time.Now().Add(p.cfg.Timeout)
	p.mu.Lock()
	p.current = inv
	p.invocations++
	p.mu.Unlock()
	h := w.Header()
	h.Set(headerRequestID, inv.id)
	h.Set(headerDeadline, strconv.FormatInt(deadline.UnixMilli(), 10))
	h.Set(headerFunctionARN, p.cfg.ARN)
	h.Set(headerTraceID, newTraceID())
	h.Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(inv.payload)
}

// finish completes the current invocation if id names it.
func (p *process) finish(id string, r invokeResult) bool {
	p.mu.Lock()
	inv := p.current
	if inv == nil || inv.id != id {
		p.mu.Unlock()
		return false
	}
	p.current = nil
	p.mu.Unlock()
	inv.result <- r
	return true
}

// handleResponse takes the function's result. A stream that aws-lambda-go
// aborts carries the error in the Lambda-Runtime-Function-Error-Type
// trailer.
func (p *process) handleResponse(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxPayload))
	var res invokeResult
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		res.err = &FunctionError{Type: "Function.ResponseSizeTooLarge",
			Message: fmt.Sprintf("Response payload size exceeded maximum allowed payload size (%d bytes).", MaxPayload)}
	case err != nil:
		writeJSON(w, http.StatusBadRequest, "InvalidRequest", "cannot read response: "+err.Error())
		return
	case r.Trailer.Get(headerErrorType) != "":
		res.err = &FunctionError{Type: r.Trailer.Get(headerErrorType), Message: "response stream failed"}
	default:
		res.out = body
	}
	if !p.finish(id, res) {
		writeJSON(w, http.StatusBadRequest, "InvalidRequestID", "unknown or completed request id "+id)
		return
	}
	if tooLarge != nil {
		writeJSON(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", res.err.(*FunctionError).Message)
		return
	}
	writeStatus(w)
}

// handleError takes an error the function reports for an invocation.
func (p *process) handleError(w http.ResponseWriter, r *http.Request) {
	fe := readFunctionError(r)
	if !p.finish(r.PathValue("id"), invokeResult{err: fe}) {
		writeJSON(w, http.StatusBadRequest, "InvalidRequestID", "unknown or completed request id "+r.PathValue("id"))
		return
	}
	p.cfg.Logger.Info("runtime: function returned an error", "function", p.cfg.Name, "request_id", r.PathValue("id"), "type", fe.Type)
	writeStatus(w)
}

// handleInitError records a failed initialization; the waiting invocation
// gets the error and the process is replaced.
func (p *process) handleInitError(w http.ResponseWriter, r *http.Request) {
	if isClosed(p.ready) {
		writeJSON(w, http.StatusForbidden, "InvalidStateTransition", "init/error after the first next")
		return
	}
	fe := readFunctionError(r)
	p.mu.Lock()
	first := p.initErr == nil
	if first {
		p.initErr = fe
	}
	p.mu.Unlock()
	if first {
		close(p.initFailed)
		p.cfg.Logger.Warn("runtime: function init failed", "function", p.cfg.Name, "type", fe.Type)
	}
	writeStatus(w)
}

// readFunctionError decodes {"errorMessage", "errorType"}; the type
// header is the fallback.
func readFunctionError(r *http.Request) *FunctionError {
	var body struct {
		Message string `json:"errorMessage"`
		Type    string `json:"errorType"`
	}
	raw, _ := io.ReadAll(io.LimitReader(r.Body, MaxPayload))
	if err := json.Unmarshal(raw, &body); err != nil {
		body.Message = string(raw)
	}
	fe := &FunctionError{Type: body.Type, Message: body.Message}
	if fe.Type == "" {
		fe.Type = r.Header.Get(headerErrorType)
	}
	if fe.Type == "" {
		fe.Type = "Unhandled"
	}
	return fe
}

func writeStatus(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`)
}

func writeJSON(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"errorType": typ, "errorMessage": msg})
}

// newRequestID returns a random version-4 UUID.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// newTraceID returns an X-Ray trace header value.
func newTraceID() string {
	return fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", time.Now().Unix(), randomHex(12), randomHex(8))
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
