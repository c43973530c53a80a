package bench

import (
	"os"
	"strconv"
	"syscall"
	"time"
)

// fsType names the file system holding dir, and reports tmpfs/ramfs.
func fsType(dir string) (name string, inMemory bool) {
	var s syscall.Statfs_t
	if err := syscall.Statfs(dir, &s); err != nil {
		return "unknown (" + err.Error() + ")", false
	}
	switch uint64(s.Type) {
	case 0x01021994:
		return "tmpfs", true
	case 0x858458f6:
		return "ramfs", true
	case 0xEF53:
		return "ext2/3/4", false
	case 0x58465342:
		return "xfs", false
	case 0x9123683E:
		return "btrfs", false
	case 0x794c7630:
		return "overlayfs", false
	case 0x2fc12fc1:
		return "zfs", false
	}
	return "fs type 0x" + strconv.FormatUint(uint64(s.Type), 16), false
}

// dataSync is what bbolt calls on commit on Linux: fdatasync(2).
func dataSync(f *os.File) error { return syscall.Fdatasync(int(f.Fd())) }

// cpuTime is the CPU time (user and system) the process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
