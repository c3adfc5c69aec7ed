package livehelp

import (
	"errors"
	"fmt"
)

// Error codes: the stable vocabulary every transport maps to responses.
const (
	EINVALID      = "invalid"      // bad input; the caller can fix it
	EUNAUTHORIZED = "unauthorized" // missing, expired or tampered credentials
	EFORBIDDEN    = "forbidden"    // authenticated but not allowed
	ENOTFOUND     = "not_found"    // the thing does not exist (or is not yours)
	ECONFLICT     = "conflict"     // a concurrent change or a state that forbids the action
	ERATELIMITED  = "rate_limited" // too many requests; try later
	EINTERNAL     = "internal"     // our fault; details are logged, never returned
)

// Error is a domain error: a stable Code for programs, a Message for people and,
// for validation errors, per-field messages keyed by field name.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("livehelp error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error carrying per-field messages.
func Invalid(message string, fields map[string]string) *Error {
	return &Error{Code: EINVALID, Message: message, Fields: fields}
}

// ErrorCode returns the code of the first *Error in err's chain, "" for nil
// and EINTERNAL for any other error.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the human message of the first *Error in err's chain,
// or a generic message for internal errors, so AWS details never leak.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "An internal error has occurred."
}

// ErrorFields returns the per-field messages of a validation error, if any.
func ErrorFields(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// IsCode reports whether err carries the given code.
func IsCode(err error, code string) bool { return ErrorCode(err) == code }
