package auth

import (
	"crypto/rand"
	"encoding/hex"

	"golang.org/x/crypto/bcrypt"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// MinPasswordLength is the shortest password an operator may choose.
const MinPasswordLength = 10

// HashPassword returns a bcrypt hash of password. It returns EINVALID for a
// password that is too short or longer than bcrypt accepts (72 bytes).
func HashPassword(password string) (string, error) {
	if len(password) < MinPasswordLength || len(password) > 72 {
		return "", livehelp.Invalid("The password is not acceptable.", map[string]string{
			"password": "Use 10 to 72 characters.",
		})
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return "", err
	}
	return string(h), nil
}

// CheckPassword reports whether password matches hash.
func CheckPassword(hash, password string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

// NewID returns a random 128-bit identifier, hex encoded.
func NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("auth: crypto/rand failed: " + err.Error())
	}
	return hex.EncodeToString(b[:])
}

// NewKey returns a random 32-byte signing key.
func NewKey() []byte {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("auth: crypto/rand failed: " + err.Error())
	}
	return b
}
