package livehelp

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrorCodeAndMessage(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		code    string
		message string
	}{
		{"nil", nil, "", ""},
		{"domain", Errorf(ENOTFOUND, "site %q not found", "x"), ENOTFOUND, `site "x" not found`},
		{"wrapped", fmt.Errorf("store: get: %w", Errorf(ECONFLICT, "busy")), ECONFLICT, "busy"},
		{"foreign errors are internal and hide their text", errors.New("AccessDeniedException: arn:aws:..."), EINTERNAL, "An internal error has occurred."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ErrorCode(tt.err); got != tt.code {
				t.Errorf("ErrorCode = %q, want %q", got, tt.code)
			}
			if got := ErrorMessage(tt.err); got != tt.message {
				t.Errorf("ErrorMessage = %q, want %q", got, tt.message)
			}
		})
	}
}

func TestInvalidFields(t *testing.T) {
	err := fmt.Errorf("wrap: %w", Invalid("check the form", map[string]string{"email": "Enter a valid email address."}))
	if got := ErrorFields(err)["email"]; got != "Enter a valid email address." {
		t.Fatalf("field message = %q", got)
	}
	if !IsCode(err, EINVALID) {
		t.Fatal("IsCode(EINVALID) = false")
	}
}
