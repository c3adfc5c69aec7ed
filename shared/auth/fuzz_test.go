package auth_test

import (
	"strings"
	"testing"
	"time"

	"github.com/livehelp/livehelp/shared/auth"
	"github.com/livehelp/livehelp/shared/livehelp"
)

// FuzzVerify feeds any token, as a visitor token, an operator session or a
// resume link, to Verify. The seeds are genuine tokens of each kind; the
// fuzzer tampers with them. Verify never panics, refuses with
// unauthorized, and accepts only a token whose signed part (claims) is
// byte for byte one the key signed, of the kind it was signed for.
func FuzzVerify(f *testing.F) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	s := auth.NewSigner([]byte(strings.Repeat("k", 32)), func() time.Time { return now })
	signed := map[string]string{} // payload part → kind
	genuine := []struct {
		kind string
		c    auth.Claims
	}{
		{auth.KindVisitor, auth.Claims{Subject: "v1", Site: "shop"}},
		{auth.KindSession, auth.Claims{Subject: "op1", Site: "shop", Session: "s1", Role: "admin"}},
		{auth.KindResume, auth.Claims{Subject: "v1", Site: "shop", Conversation: "c1"}},
	}
	for _, g := range genuine {
		tok := s.Sign(g.kind, g.c, time.Hour)
		payload, _, _ := strings.Cut(tok, ".")
		signed[payload] = g.kind
		for _, kind := range []string{auth.KindVisitor, auth.KindSession, auth.KindResume} {
			f.Add(kind, tok)
		}
	}
	f.Add(auth.KindVisitor, "")
	f.Add(auth.KindVisitor, ".")
	f.Add(auth.KindSession, "eyJzdWIiOiJvcDEifQ.")
	f.Add(auth.KindSession, strings.Repeat("a", 3000))
	f.Fuzz(func(t *testing.T, kind, token string) {
		c, err := s.Verify(kind, token)
		if err != nil {
			if livehelp.ErrorCode(err) != livehelp.EUNAUTHORIZED {
				t.Fatalf("Verify refused with %v, want unauthorized", err)
			}
			if c != (auth.Claims{}) {
				t.Fatalf("Verify refused but returned claims %+v", c)
			}
			return
		}
		payload, _, _ := strings.Cut(token, ".")
		if k, ok := signed[payload]; !ok || k != kind {
			t.Fatalf("Verify(%q, %q) accepted claims %+v that were never signed as %q", kind, token, c, kind)
		}
	})
}
