//go:build !linux

package dynamolocal

import "syscall"

// sysProcAttr puts the server in its own process group, so Stop can signal
// the whole group.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
