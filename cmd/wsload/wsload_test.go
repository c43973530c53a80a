package main

import (
	"os"
	"testing"
	"time"
)

// TestMain lets the test binary stand in for wsload as the driver's
// server child.
func TestMain(m *testing.M) {
	if os.Getenv("WSLOAD_CHILD") == "1" {
		os.Exit(run(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// TestSmallBench runs both servers with a few clients: every client gets
// every call, and the baseline is sent Antrean's own frames.
func TestSmallBench(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers")
	}
	sources, err := parseSources("127.0.0.1-127.0.0.3")
	if err != nil {
		t.Fatal(err)
	}
	var frames []string
	for _, mode := range []string{"antrean", "baseline"} {
		srv, err := startChild(mode)
		if err != nil {
			t.Fatal(err)
		}
		res, err := measure(clientConfig{
			Mode: mode, URL: srv.info.WS, Trigger: srv.info.Trigger, Token: srv.info.Token,
			PID: srv.info.PID, Control: srv.info.Control, Frames: frames, KeepFrames: mode == "antrean",
			N: 50, Sources: sources, Warmup: 1, Triggers: 5, Gap: time.Millisecond, Settle: 10 * time.Millisecond,
		})
		srv.stop()
		if err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
		if res.Missing != 0 || len(res.Last) != 5 || res.RSSBefore == 0 || res.Stats.Clients != 50 {
			t.Fatalf("%s: %+v", mode, res)
		}
		if mode == "antrean" {
			if len(res.Frames) == 0 {
				t.Fatal("no frames kept")
			}
			frames = res.Frames
		}
	}
}
