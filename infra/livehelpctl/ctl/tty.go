package ctl

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// tty is the Terminal of an interactive standard input.
type tty struct {
	in  *os.File
	out *os.File
	r   *bufio.Reader
}

func (t *tty) reader() *bufio.Reader {
	if t.r == nil {
		t.r = bufio.NewReader(t.in)
	}
	return t.r
}

// ReadPassword prints prompt and reads a line with echo turned off; echo
// is restored even when reading fails.
func (t *tty) ReadPassword(prompt string) (string, error) {
	fmt.Fprint(t.out, prompt)
	restore, err := echoOff(int(t.in.Fd()))
	if err != nil {
		return "", fmt.Errorf("turn terminal echo off: %w", err)
	}
	line, err := t.reader().ReadString('\n')
	restore()
	fmt.Fprintln(t.out)
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// Confirm prints question and reads y or yes (any case) as yes.
func (t *tty) Confirm(question string) (bool, error) {
	fmt.Fprint(t.out, question+" [y/N] ")
	line, err := t.reader().ReadString('\n')
	if err != nil {
		return false, err
	}
	a := strings.ToLower(strings.TrimSpace(line))
	return a == "y" || a == "yes", nil
}
