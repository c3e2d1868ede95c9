//go:build unix

package lambda

import (
	"os/exec"
	"syscall"
)

// ownProcessGroup makes the runtime process lead a process group, so that
// ending the sandbox also ends whatever the runtime started.
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// killProcessGroup kills the runtime process and its group.
func killProcessGroup(cmd *exec.Cmd) {
	if cmd == nil || cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	_ = cmd.Process.Kill()
}
