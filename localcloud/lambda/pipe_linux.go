package lambda

import (
	"os"

	"golang.org/x/sys/unix"
)

// pipePending is how many bytes wait to be read from the pipe f.
func pipePending(f *os.File) int {
	n := 0
	if raw, err := f.SyscallConn(); err == nil {
		_ = raw.Control(func(fd uintptr) { n, _ = unix.IoctlGetInt(int(fd), unix.TIOCINQ) })
	}
	return n
}
