//go:build !linux && !darwin

package ctl

import "errors"

// isTerminal reports false: without termios there is no safe prompt, so
// passwords come from --password-stdin or --generate-password.
func isTerminal(int) bool { return false }

func echoOff(int) (func(), error) { return nil, errors.New("not supported on this system") }
