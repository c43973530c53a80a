package app

import (
	"log/slog"
)

// descriptorReserve is how many file descriptors are kept for all but
// websockets: the database, the listener, API requests of kiosks,
// consoles and screens, printers, backups.
const descriptorReserve = 1024

// fitDescriptors returns the websocket cap to use: wsMax, or less when
// the process may not open that many files (limit; 0: unknown) with some
// to spare. Go raises
// the soft RLIMIT_NOFILE to the hard limit when a program starts (on
// Linux and other Unix systems), so the hard limit is what there is; a
// cap above it would never bind, and a flood of websockets would take
// the last descriptor: no request, not even /healthz, would be answered.
func fitDescriptors(wsMax, limit int, log *slog.Logger) int {
	if wsMax < 0 || limit <= 0 {
		return wsMax
	}
	room := limit - min(descriptorReserve, limit/2)
	if wsMax <= room {
		return wsMax
	}
	log.Warn("the open files limit leaves room for fewer websockets than ANTREAN_WS_MAX; raise LimitNOFILE (systemd) or ulimit -n to serve more",
		"ws_max", wsMax, "open_files_limit", limit, "ws_max_now", room)
	return max(1, room)
}
