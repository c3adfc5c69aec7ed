//go:build linux || darwin

package ctl

import (
	"syscall"
	"unsafe"
)

func ioctl(fd int, req uintptr, t *syscall.Termios) error {
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), req, uintptr(unsafe.Pointer(t))); e != 0 {
		return e
	}
	return nil
}

// isTerminal reports whether fd is a terminal.
func isTerminal(fd int) bool {
	var t syscall.Termios
	return ioctl(fd, ioctlGet, &t) == nil
}

// echoOff turns off echo on the terminal fd and returns a function that
// restores the previous settings.
func echoOff(fd int) (restore func(), err error) {
	var old syscall.Termios
	if err := ioctl(fd, ioctlGet, &old); err != nil {
		return nil, err
	}
	t := old
	t.Lflag &^= syscall.ECHO
	t.Lflag |= syscall.ICANON | syscall.ISIG
	if err := ioctl(fd, ioctlSet, &t); err != nil {
		return nil, err
	}
	return func() { _ = ioctl(fd, ioctlSet, &old) }, nil
}
