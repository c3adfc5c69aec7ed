package auth

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/livehelp/livehelp/shared/livehelp"
)

func TestSignVerify(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	s := NewSigner([]byte("0123456789abcdef0123456789abcdef"), clock)
	other := NewSigner([]byte("ffffffffffffffffffffffffffffffff"), clock)
	c := Claims{Subject: "v1", Site: "demo", Conversation: "c1"}
	tok := s.Sign(KindResume, c, time.Hour)

	got, err := s.Verify(KindResume, tok)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	c.Expires = now.Add(time.Hour).Unix()
	if diff := cmp.Diff(c, got); diff != "" {
		t.Errorf("claims (-want +got):\n%s", diff)
	}

	payload, sig, _ := strings.Cut(tok, ".")
	forged := s.Sign(KindResume, Claims{Subject: "v2", Site: "demo", Conversation: "c2"}, time.Hour)
	forgedPayload, _, _ := strings.Cut(forged, ".")
	bad := []struct {
		name, kind, token string
		signer            *Signer
	}{
		{"other kind", KindSession, tok, s},
		{"other key", KindResume, tok, other},
		{"swapped payload", KindResume, forgedPayload + "." + sig, s},
		{"truncated signature", KindResume, payload + "." + sig[:10], s},
		{"no dot", KindResume, payload, s},
		{"empty", KindResume, "", s},
		{"garbage", KindResume, "!!!.???", s},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.signer.Verify(tt.kind, tt.token); !livehelp.IsCode(err, livehelp.EUNAUTHORIZED) {
				t.Fatalf("Verify = %v, want unauthorized", err)
			}
		})
	}

	now = now.Add(time.Hour)
	if _, err := s.Verify(KindResume, tok); !livehelp.IsCode(err, livehelp.EUNAUTHORIZED) {
		t.Fatalf("expired token: err = %v", err)
	}
}

func TestPassword(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !CheckPassword(h, "correct horse battery") || CheckPassword(h, "correct horse batterY") {
		t.Fatal("CheckPassword does not tell right from wrong")
	}
	if _, err := HashPassword("short"); !livehelp.IsCode(err, livehelp.EINVALID) {
		t.Fatalf("short password: %v", err)
	}
}
