package dynamolocal

import "syscall"

// sysProcAttr puts the server in its own process group, so Stop can signal
// the whole group, and asks Linux to kill it if the starting thread dies,
// so a crashed or timed-out test binary leaves no java process behind.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
