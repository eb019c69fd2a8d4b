//go:build !linux

package cluster

import "syscall"

// sysProcAttr puts a child in its own process group, so that the Ctrl-C a
// terminal sends to the launcher's group reaches the launcher alone.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
