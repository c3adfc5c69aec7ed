package ctl

import (
	"bufio"
	"crypto/rand"
	"errors"
	"io"
	"strings"
)

// lineReader hands out standard input one line at a time, so one run can
// read an admin's password and then a new operator's.
type lineReader struct{ r *bufio.Reader }

// next returns the next line without its line ending, or io.EOF.
func (l *lineReader) next() (string, error) {
	line, err := l.r.ReadString('\n')
	if err != nil && (!errors.Is(err, io.EOF) || line == "") {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// password reads a password: the next line of standard input with
// --password-stdin, else from the terminal with echo off (twice when
// confirm). It never prints the password.
func (e *env) password(prompt string, confirm bool) (string, error) {
	if e.conn.passwordStdin {
		if e.stdin == nil {
			e.stdin = &lineReader{r: bufio.NewReader(e.io.In)}
		}
		p, err := e.stdin.next()
		if err != nil {
			return "", usagef("--password-stdin: standard input ended before a password was read")
		}
		return p, nil
	}
	if e.io.Terminal == nil {
		return "", usagef("no password: pipe it in with --password-stdin, run in a terminal to be asked, or use --generate-password")
	}
	p, err := e.io.Terminal.ReadPassword(prompt)
	if err != nil {
		return "", err
	}
	if confirm {
		again, err := e.io.Terminal.ReadPassword("Again: ")
		if err != nil {
			return "", err
		}
		if again != p {
			return "", usagef("the two passwords differ; nothing was changed")
		}
	}
	return p, nil
}

// newPassword returns the password for a new or reset account: generated
// (and marked for printing once) or read as password reads it, checked
// against the rules before anything is written.
func (e *env) newPassword(generate bool) (password string, generated bool, err error) {
	if generate {
		return generatePassword(), true, nil
	}
	if password, err = e.password("New password: ", true); err != nil {
		return "", false, err
	}
	return password, false, checkPassword(password)
}

// passwordAlphabet leaves out look-alikes (0/O, 1/l/I) so a generated
// password survives being read aloud or copied by hand.
const passwordAlphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// generatePassword returns 20 random characters (about 116 bits).
func generatePassword() string {
	b := make([]byte, 20)
	rand.Read(b) // crypto/rand.Read never returns an error (Go 1.24+)
	for i := range b {
		b[i] = passwordAlphabet[int(b[i])%len(passwordAlphabet)]
	}
	return string(b)
}
