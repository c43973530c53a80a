// Command wsload is the websocket fan-out benchmark of BENCHMARKS.md: how
// long a call takes to reach the last of N connected lobby screens and
// phones, and how much server memory each idle connection costs, for
// Antrean's hub beside a bare gorilla/websocket broadcast.
//
// It has three roles, each a subcommand:
//
//	wsload server  --mode antrean|baseline [--addr 127.0.0.1:0] [--data DIR]
//	wsload clients --url ws://… --trigger http://… [--token T] --n 10000 [--pid PID --control http://…]
//	wsload bench   --n 1000,5000,10000 [--runs 3] [--triggers 30]
//
// server runs one server and prints one JSON line (its PID, feed URL,
// trigger URL and token, control URL) on standard output. In antrean mode
// it is the real app (app.Open + Serve, bbolt with fsync in DIR) with a
// small mall set up through the HTTP API: one agency, service and open
// counter and a few hundred waiting tickets; a trigger is the officer's
// POST /api/v1/counters/{id}/next. In baseline mode it is gorilla's chat
// example hub (see baseline.go); a trigger is POST /broadcast with the
// frames to send.
//
// clients opens N websocket connections spread over several 127.0.0.x
// source addresses, then sends triggers one at a time and timestamps, in
// its own clock, the trigger's send and each client's receipt of the
// ticket.called frame.
//
// bench is the driver: for each N and mode it starts a fresh server as a
// child process, runs the clients in its own process, and prints a table.
package main

import (
	"fmt"
	"os"
	"syscall"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: wsload server|clients|bench [flags]")
		return 2
	}
	raiseNoFile()
	var err error
	switch args[0] {
	case "server":
		err = serverMain(args[1:])
	case "clients":
		err = clientsMain(args[1:])
	case "bench":
		err = benchMain(args[1:])
	default:
		err = fmt.Errorf("unknown role %q: want server, clients or bench", args[0])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "wsload:", err)
		return 1
	}
	return 0
}

// raiseNoFile lifts the open-files limit to its hard maximum: 10,000
// connections need 10,000 descriptors on each side.
func raiseNoFile() {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return
	}
	if l.Cur < l.Max {
		l.Cur = l.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
	}
}

func noFileLimit() uint64 {
	var l syscall.Rlimit
	_ = syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l)
	return l.Cur
}
