package kiosk_test

import (
	"fmt"
	"net"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/internal/apptest"
)

// stuckPrinter is a loopback address whose connections hang: a listening
// socket with a full accept queue (backlog 0, one connection pending and
// never accepted) drops further SYNs, as a printer that is off the
// network does.
func stuckPrinter(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)
	for range 3 {
		c, err := net.DialTimeout("tcp", addr, 300*time.Millisecond)
		if err != nil {
			return addr // the queue is full: dials hang from here on
		}
		t.Cleanup(func() { c.Close() })
	}
	t.Skip("could not fill the accept queue of a loopback socket")
	return ""
}

// A printer that never answers holds the ticket's answer for at most
// the 3 s of API.md, and the ticket is issued all the same.
func TestPrinterStuckGivesUpAfterThreeSeconds(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{Start: apptest.Workday})
	m := s.SetupMall()
	token := kioskWithPrinter(t, s, stuckPrinter(t))
	start := time.Now()
	r, a := issueAs(t, s, token, m.ServiceA1.ID, "tap-1")
	took := time.Since(start)
	t.Logf("a printer off the network: answered %d printed=%v after %v", r.Status, a.Printed, took.Round(time.Millisecond))
	if r.Status != http.StatusCreated || a.Printed {
		t.Fatalf("issue: %d %s", r.Status, r.Body)
	}
	if took < 2900*time.Millisecond || took > 4*time.Second {
		t.Errorf("the answer took %v, want the printer's 3 s limit", took)
	}
	if n := ticketCount(t, s); n != 1 {
		t.Errorf("%d tickets, want 1", n)
	}
}
