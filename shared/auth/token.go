package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// Token kinds. A token verifies only as the kind it was signed for.
const (
	KindVisitor = "visitor" // a browser's visitor identity, kept in localStorage
	KindSession = "session" // an operator's console session
	KindResume  = "resume"  // an emailed link that reopens one conversation
)

// Claims is what a token asserts.
type Claims struct {
	Subject      string `json:"sub"`            // visitor or operator id
	Site         string `json:"site"`           // site id
	Conversation string `json:"conv,omitempty"` // resume links: the conversation
	Session      string `json:"sid,omitempty"`  // operator sessions: revocable session id
	Role         string `json:"role,omitempty"` // operator sessions: operator or admin
	Expires      int64  `json:"exp"`            // unix seconds
}

// Signer signs and verifies tokens with one key and one clock.
type Signer struct {
	key []byte
	now func() time.Time
}

// NewSigner returns a Signer. key must be at least 32 bytes; now may be nil
// for time.Now.
func NewSigner(key []byte, now func() time.Time) *Signer {
	if now == nil {
		now = time.Now
	}
	return &Signer{key: append([]byte(nil), key...), now: now}
}

// enc is strict: each token has exactly one spelling.
var enc = base64.RawURLEncoding.Strict()

// Sign returns a token of the given kind for c, expiring after ttl.
func (s *Signer) Sign(kind string, c Claims, ttl time.Duration) string {
	c.Expires = s.now().Add(ttl).Unix()
	payload, _ := json.Marshal(c) // Claims has only strings and ints: cannot fail
	p := enc.EncodeToString(payload)
	return p + "." + enc.EncodeToString(s.mac(kind, p))
}

// Verify checks a token of the given kind and returns its claims. It returns
// an EUNAUTHORIZED error for a malformed, tampered, foreign-kind or expired token.
func (s *Signer) Verify(kind, token string) (Claims, error) {
	var c Claims
	if len(token) > 2048 {
		return c, livehelp.Errorf(livehelp.EUNAUTHORIZED, "The token is not valid.")
	}
	p, sig, ok := strings.Cut(token, ".")
	if !ok || p == "" || sig == "" {
		return c, livehelp.Errorf(livehelp.EUNAUTHORIZED, "The token is not valid.")
	}
	got, err := enc.DecodeString(sig)
	if err != nil || !hmac.Equal(got, s.mac(kind, p)) {
		return c, livehelp.Errorf(livehelp.EUNAUTHORIZED, "The token is not valid.")
	}
	raw, err := enc.DecodeString(p)
	if err != nil || json.Unmarshal(raw, &c) != nil || c.Subject == "" {
		return Claims{}, livehelp.Errorf(livehelp.EUNAUTHORIZED, "The token is not valid.")
	}
	if s.now().Unix() >= c.Expires {
		return Claims{}, livehelp.Errorf(livehelp.EUNAUTHORIZED, "The token has expired.")
	}
	return c, nil
}

func (s *Signer) mac(kind, payload string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(payload))
	return m.Sum(nil)
}
