package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/mpp-digital/antrean/app"
	"github.com/mpp-digital/antrean/internal/procstat"
	"github.com/mpp-digital/antrean/queue"
)

// serverInfo is the line a server prints when it is ready.
type serverInfo struct {
	Mode    string `json:"mode"`
	PID     int    `json:"pid"`
	WS      string `json:"ws"`
	Trigger string `json:"trigger"`
	Token   string `json:"token,omitempty"`
	Control string `json:"control"`
}

// serverStats is what the control endpoint reports.
type serverStats struct {
	Clients    int    `json:"clients"`
	Goroutines int    `json:"goroutines"`
	HeapInuse  uint64 `json:"heap_inuse"`
	StackInuse uint64 `json:"stack_inuse"`
	Sys        uint64 `json:"sys"`
	RSS        uint64 `json:"rss"`
}

func serverMain(args []string) error {
	// The scheduler setting of the antrean binary, for both modes alike.
	app.TuneProcs()
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	mode := fs.String("mode", "antrean", "antrean (the real app) or baseline (a bare gorilla/websocket broadcast)")
	addr := fs.String("addr", "127.0.0.1:0", "where to serve websockets and triggers")
	data := fs.String("data", "", "antrean: a new or empty data folder (default: a temp folder, removed at exit)")
	control := fs.String("control", "127.0.0.1:0", "where to serve /gc, /stats and /debug/pprof/")
	tickets := fs.Int("tickets", 300, "antrean: waiting tickets to set up (one is called per trigger)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var (
		info    serverInfo
		clients func() int
		stop    func()
	)
	switch *mode {
	case "antrean":
		dir := *data
		if dir == "" {
			tmp, err := os.MkdirTemp("", "wsload-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(tmp)
			dir = tmp
		}
		a, err := startAntrean(*addr, dir, *tickets, &info)
		if err != nil {
			return err
		}
		clients = a.Hub.Clients
		stop = func() { a.Close() }
	case "baseline":
		b, err := startBaseline(*addr, &info)
		if err != nil {
			return err
		}
		clients = b.hub.count
		stop = b.close
	default:
		return fmt.Errorf("--mode %q: want antrean or baseline", *mode)
	}
	ctl, err := net.Listen("tcp", *control)
	if err != nil {
		return err
	}
	go http.Serve(ctl, controlMux(clients))
	info.Mode = *mode
	info.PID = os.Getpid()
	info.Control = "http://" + ctl.Addr().String()
	line, _ := json.Marshal(info)
	fmt.Println(string(line))

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	done := make(chan struct{})
	go func() { stop(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
	}
	return nil
}

func controlMux(clients func() int) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/gc", func(w http.ResponseWriter, r *http.Request) {
		runtime.GC()
		debug.FreeOSMemory()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("/stats", func(w http.ResponseWriter, r *http.Request) {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		rss, _ := procstat.RSS(os.Getpid())
		json.NewEncoder(w).Encode(serverStats{
			Clients: clients(), Goroutines: runtime.NumGoroutine(),
			HeapInuse: ms.HeapInuse, StackInuse: ms.StackInuse, Sys: ms.Sys, RSS: rss,
		})
	})
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	return mux
}

// startAntrean runs the real app and sets up a small mall through its
// API: one agency, service and counter, an officer who opens it, and
// waiting tickets.
func startAntrean(addr, dir string, tickets int, info *serverInfo) (*app.App, error) {
	const adminPW, staffPW = "wsload-admin-1", "wsload-staff-1"
	a, err := app.Open(app.Config{
		Addr: addr, Data: dir, AdminPassword: adminPW, BcryptCost: 4,
		// Every load client dials from this machine: no websocket caps.
		WSPerAddr: -1, WSMax: -1,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		return nil, err
	}
	if err := a.Serve(); err != nil {
		return nil, err
	}
	api := &apiClient{base: a.URL + "/api/v1"}
	var tok struct{ Token string }
	var id struct{ ID string }
	login := func(user, pw string) (string, error) {
		err := api.do("POST", "/login", "", map[string]string{"username": user, "password": pw}, 200, &tok)
		return tok.Token, err
	}
	admin, err := login("admin", adminPW)
	if err != nil {
		return nil, err
	}
	site := queue.DefaultSite()
	site.Name = "MPP Beban"
	site.Weekdays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	site.Opens, site.Closes = "00:00", "24:00"
	if err := api.do("PUT", "/site", admin, site, 200, nil); err != nil {
		return nil, err
	}
	if err := api.do("POST", "/agencies", admin, map[string]string{"code": "DKP", "name": "Dinas Kependudukan dan Pencatatan Sipil", "short_name": "Dukcapil"}, 201, &id); err != nil {
		return nil, err
	}
	agency := id.ID
	if err := api.do("POST", "/services", admin, map[string]any{"agency_id": agency, "code": "A", "name": "Perekaman KTP-el", "requirements": []string{"KTP-el"}}, 201, &id); err != nil {
		return nil, err
	}
	service := id.ID
	if err := api.do("POST", "/counters", admin, map[string]any{"agency_id": agency, "name": "Loket 3", "service_ids": []string{service}}, 201, &id); err != nil {
		return nil, err
	}
	counter := id.ID
	if err := api.do("POST", "/users", admin, map[string]string{"username": "petugas", "password": staffPW, "role": queue.RoleOfficer, "agency_id": agency}, 201, nil); err != nil {
		return nil, err
	}
	officer, err := login("petugas", staffPW)
	if err != nil {
		return nil, err
	}
	if err := api.do("POST", "/counters/"+counter+"/open", officer, nil, 200, nil); err != nil {
		return nil, err
	}
	for i := 0; i < tickets; i++ {
		// The officer issues them: a kiosk's issuing is rate limited.
		if err := api.do("POST", "/tickets", officer, map[string]any{"service_id": service}, 201, nil); err != nil {
			return nil, err
		}
	}
	info.WS = "ws" + strings.TrimPrefix(a.URL, "http") + "/api/v1/ws"
	info.Trigger = api.base + "/counters/" + counter + "/next"
	info.Token = officer
	return a, nil
}

type apiClient struct{ base string }

func (c *apiClient) do(method, path, token string, body any, want int, out any) error {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, raw)
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}
