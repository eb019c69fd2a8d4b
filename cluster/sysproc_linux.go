package cluster

import "syscall"

// sysProcAttr puts a child in its own process group, so that the Ctrl-C a
// terminal sends to the launcher's group reaches the launcher alone (which
// then stops the cluster in order), and has the kernel send it SIGTERM if
// the launcher dies without stopping it.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}
