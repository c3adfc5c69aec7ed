package webapi

import (
	"net"
	"net/http"
	"slices"
	"strings"

	"github.com/awslabs/aws-lambda-go-api-proxy/core"
)

// ClientIP returns the caller's address as API Gateway saw it, falling back to
// the connection's remote address outside Lambda.
func ClientIP(r *http.Request) string {
	if rc, ok := core.GetAPIGatewayContextFromContext(r.Context()); ok && rc.Identity.SourceIP != "" {
		return rc.Identity.SourceIP
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// RequestID returns API Gateway's request id, or "" outside Lambda.
func RequestID(r *http.Request) string {
	if rc, ok := core.GetAPIGatewayContextFromContext(r.Context()); ok {
		return rc.RequestID
	}
	return ""
}

// AllowOrigin sets CORS headers when origin is in allowed, and reports whether
// it did. A request with no Origin header is not a CORS request and is allowed.
// Preflight requests (OPTIONS) get the methods and headers the widget uses.
func AllowOrigin(w http.ResponseWriter, r *http.Request, allowed []string) bool {
	origin := r.Header.Get("Origin")
	h := w.Header()
	h.Add("Vary", "Origin")
	if origin == "" {
		return true
	}
	if !OriginAllowed(origin, allowed) {
		return false
	}
	h.Set("Access-Control-Allow-Origin", origin)
	if r.Method == http.MethodOptions {
		h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
		h.Set("Access-Control-Allow-Headers", "Content-Type, Authorization")
		h.Set("Access-Control-Max-Age", "600")
	}
	return true
}

// OriginAllowed reports whether origin matches one of allowed exactly (scheme,
// host and port), or allowed holds "*".
func OriginAllowed(origin string, allowed []string) bool {
	origin = strings.TrimRight(strings.ToLower(origin), "/")
	return slices.ContainsFunc(allowed, func(a string) bool {
		a = strings.TrimRight(strings.ToLower(strings.TrimSpace(a)), "/")
		return a == "*" || a == origin
	})
}
