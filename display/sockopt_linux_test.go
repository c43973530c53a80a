package display_test

import "syscall"

// shrinkSocket makes a client socket a poor reader before it connects: a
// small receive buffer, and a small MSS so that the server's send buffer
// (sized by MSS × congestion window) stays small too. Without it a client
// that stops reading is only noticed after megabytes of loopback buffers.
func shrinkSocket(fd uintptr) error {
	if err := syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 16<<10); err != nil {
		return err
	}
	return syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_MAXSEG, 1024)
}
