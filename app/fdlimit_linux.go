package app

import "syscall"

// openFilesLimit is the process's soft RLIMIT_NOFILE (Go has raised it to
// the hard limit at start), or 0 when unknown or unlimited.
func openFilesLimit() int {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil || rl.Cur > 1<<30 {
		return 0
	}
	return int(rl.Cur)
}
