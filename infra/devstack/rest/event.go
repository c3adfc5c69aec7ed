package rest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"hash/fnv"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// event builds the proxy request API Gateway sends for r.
func (h *Handler) event(r *http.Request, res *resource, params map[string]string, body []byte, requestID string) events.APIGatewayProxyRequest {
	now := h.cfg.Now()
	sourceIP := clientIP(r)
	path := strings.TrimPrefix(r.URL.Path, "/"+h.cfg.Stage)
	if path == "" {
		path = "/"
	}
	headers, multiHeaders := h.headers(r, sourceIP)
	if len(params) == 0 {
		params = nil
	}
	e := events.APIGatewayProxyRequest{
		Resource:          res.path,
		Path:              path,
		HTTPMethod:        r.Method,
		Headers:           headers,
		MultiValueHeaders: multiHeaders,
		PathParameters:    params,
		StageVariables:    h.cfg.StageVariables,
		RequestContext: events.APIGatewayProxyRequestContext{
			AccountID:         h.cfg.AccountID,
			ResourceID:        resourceID(res.path),
			Stage:             h.cfg.Stage,
			RequestID:         requestID,
			ExtendedRequestID: strings.ReplaceAll(newUUID(), "-", "")[:16],
			Identity: events.APIGatewayRequestIdentity{
				SourceIP:  sourceIP,
				UserAgent: r.UserAgent(),
			},
			ResourcePath:     res.path,
			Path:             r.URL.Path,
			HTTPMethod:       r.Method,
			RequestTime:      now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			RequestTimeEpoch: now.UnixMilli(),
			APIID:            h.cfg.APIID,
			Protocol:         r.Proto,
			DomainName:       r.Host,
			DomainPrefix:     strings.SplitN(r.Host, ".", 2)[0],
		},
	}
	if q := r.URL.Query(); len(q) > 0 {
		e.QueryStringParameters = make(map[string]string, len(q))
		e.MultiValueQueryStringParameters = make(map[string][]string, len(q))
		for k, vs := range q {
			e.QueryStringParameters[k] = vs[len(vs)-1]
			e.MultiValueQueryStringParameters[k] = vs
		}
	}
	if len(body) > 0 {
		if h.isBinary(r.Header.Get("Content-Type"), body) {
			e.Body = base64.StdEncoding.EncodeToString(body)
			e.IsBase64Encoded = true
		} else {
			e.Body = string(body)
		}
	}
	return e
}

// headers returns the single- and multi-value header maps, with the Host
// header and the X-Forwarded-* headers API Gateway adds.
func (h *Handler) headers(r *http.Request, sourceIP string) (map[string]string, map[string][]string) {
	multi := make(map[string][]string, len(r.Header)+4)
	for k, vs := range r.Header {
		multi[k] = append([]string(nil), vs...)
	}
	multi["Host"] = []string{r.Host}
	forwarded := sourceIP
	if prev := r.Header.Values("X-Forwarded-For"); len(prev) > 0 {
		forwarded = strings.Join(prev, ", ") + ", " + sourceIP
	}
	multi["X-Forwarded-For"] = []string{forwarded}
	multi["X-Forwarded-Proto"] = []string{"http"}
	if _, port, err := net.SplitHostPort(r.Host); err == nil {
		multi["X-Forwarded-Port"] = []string{port}
	} else {
		multi["X-Forwarded-Port"] = []string{"80"}
	}
	single := make(map[string]string, len(multi))
	for k, vs := range multi {
		single[k] = vs[len(vs)-1]
	}
	return single, multi
}

// isBinary reports whether a request body is sent base64-encoded: its
// type is a configured binary media type, or not a text type, or the
// body is not valid UTF-8.
func (h *Handler) isBinary(contentType string, body []byte) bool {
	mediaType, _, err := mime.ParseMediaType(contentType)
	if contentType == "" || err != nil {
		mediaType = ""
	}
	for _, b := range h.cfg.BinaryMediaTypes {
		if matchMediaType(b, mediaType) {
			return true
		}
	}
	return !isText(mediaType) || !utf8.Valid(body)
}

func matchMediaType(pattern, mediaType string) bool {
	if pattern == "*/*" || pattern == mediaType {
		return true
	}
	if prefix, ok := strings.CutSuffix(pattern, "/*"); ok {
		return strings.HasPrefix(mediaType, prefix+"/")
	}
	return false
}

// isText reports whether a media type carries text. A missing type is
// treated as text.
func isText(mediaType string) bool {
	switch {
	case mediaType == "",
		strings.HasPrefix(mediaType, "text/"),
		strings.HasSuffix(mediaType, "+json"),
		strings.HasSuffix(mediaType, "+xml"):
		return true
	}
	switch mediaType {
	case "application/json", "application/xml", "application/javascript",
		"application/x-www-form-urlencoded", "application/graphql", "application/x-ndjson":
		return true
	}
	return false
}

// clientIP is the address of the TCP peer.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// resourceID derives a stable API Gateway style resource id (6
// characters) from the resource path.
func resourceID(path string) string {
	f := fnv.New32a()
	f.Write([]byte(path))
	id := strconv.FormatUint(uint64(f.Sum32()), 36)
	return (id + "000000")[:6]
}

// newUUID returns a random version-4 UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	s := hex.EncodeToString(b[:])
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
}
