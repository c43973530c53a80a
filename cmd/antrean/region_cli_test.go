package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/internal/natstest"
)

// The commands as an operator runs them: add-site makes a mall's stream,
// `antrean demo --nats URL --site-id CODE` publishes to it (and says so in
// /readyz and /metrics), and `antrean region --nats URL --data DIR` shows
// the mall's ticket on its board.
func TestRegionCommands(t *testing.T) {
	ns := natstest.Start(t)
	r := runCLI(t, nil, "", "region", "add-site", "--nats", ns.URL(), "--site-id", "bintan", "--name", "MPP Kabupaten Bintan")
	if r.code != 0 || !strings.Contains(r.stdout, "stream ANTREAN_bintan") {
		t.Fatalf("add-site: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, nil, "", "region", "--data", t.TempDir()); r.code != 2 || !strings.Contains(r.stderr, "--nats") {
		t.Errorf("region without --nats: %d %s", r.code, r.stderr)
	}

	siteData := t.TempDir()
	site := startServer(t, "demo", siteData, []string{"ANTREAN_NATS_URL=" + ns.URL(), "ANTREAN_SITE_ID=bintan"})
	issue(t, site.url, kioskToken(t, siteData), unlimited(t, site.url)[0].ID)

	reg := startServer(t, "region", t.TempDir(), []string{"ANTREAN_REGION_ADMIN_PASSWORD=region-admin-pw"}, "--nats", ns.URL())
	token := login(t, reg.url, "admin", "region-admin-pw")
	board := waitBoardTicket(t, reg.url, token)
	if board.Sites[0].Name != "MPP Kabupaten Bintan" {
		t.Errorf("board: %+v", board.Sites[0])
	}

	var ready struct {
		Details struct {
			NATS struct {
				Connected bool   `json:"connected"`
				SiteID    string `json:"site_id"`
				LagEvents uint64 `json:"lag_events"`
			} `json:"nats"`
		} `json:"details"`
	}
	mustJSON(t, http.MethodGet, site.url+"/readyz", "", nil, http.StatusOK, &ready)
	if n := ready.Details.NATS; !n.Connected || n.SiteID != "bintan" {
		t.Errorf("the site's /readyz nats: %+v", n)
	}
	resp, err := http.Get(site.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `antrean_nats_connected{site_id="bintan"} 1`) || !strings.Contains(string(body), `antrean_nats_lag_events{site_id="bintan"}`) {
		t.Errorf("the site's /metrics has no publisher state")
	}
	if code, _ := reg.term(); code != 0 {
		t.Errorf("region exit code %d", code)
	}
}

// The same over TLS, as README's province runs it: a NATS server that
// takes TLS only, and the province's CA handed to each command —
// add-site's --nats-ca, the mall's ANTREAN_NATS_CA, the region's
// --nats-ca. add-site without the CA fails and says why (it said
// "nats: outbound buffer limit exceeded").
func TestRegionCommandsOverTLS(t *testing.T) {
	ca := natstest.NewCA(t, "Antrean Provinsi CA")
	cert, key := ca.Issue("nats-1", "127.0.0.1", "localhost")
	ns := natstest.StartTLS(t, cert, key, "")

	r := runCLI(t, nil, "", "region", "add-site", "--nats", ns.URL(), "--site-id", "bintan", "--name", "MPP Kabupaten Bintan")
	if r.code != 1 || !strings.Contains(r.stderr, "certificate signed by unknown authority") || !strings.Contains(r.stderr, "--nats-ca") || r.elapsed > 10*time.Second {
		t.Errorf("add-site without the CA: exit %d after %v\n%s", r.code, r.elapsed, r.stderr)
	}
	r = runCLI(t, nil, "", "region", "add-site", "--nats", ns.URL(), "--nats-ca", ca.File, "--site-id", "bintan", "--name", "MPP Kabupaten Bintan")
	if r.code != 0 || !strings.Contains(r.stdout, "stream ANTREAN_bintan") {
		t.Fatalf("add-site with --nats-ca: %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	siteData := t.TempDir()
	site := startServer(t, "demo", siteData, []string{"ANTREAN_NATS_URL=" + ns.URL(), "ANTREAN_NATS_CA=" + ca.File, "ANTREAN_SITE_ID=bintan"})
	issue(t, site.url, kioskToken(t, siteData), unlimited(t, site.url)[0].ID)

	reg := startServer(t, "region", t.TempDir(), []string{"ANTREAN_REGION_ADMIN_PASSWORD=region-admin-pw"}, "--nats", ns.URL(), "--nats-ca", ca.File)
	token := login(t, reg.url, "admin", "region-admin-pw")
	waitBoardTicket(t, reg.url, token)
	if code, _ := reg.term(); code != 0 {
		t.Errorf("region exit code %d", code)
	}
}

// regionBoard is what the region's board says of its sites.
type regionBoard struct {
	Sites []struct {
		SiteID string `json:"site_id"`
		Name   string `json:"name"`
		Issued int    `json:"issued"`
	}
}

// waitBoardTicket waits (the real binaries keep real time) until the
// region's board shows one site with one ticket issued, and returns it.
func waitBoardTicket(t *testing.T, url, token string) regionBoard {
	t.Helper()
	var board regionBoard
	deadline := time.Now().Add(20 * time.Second)
	for {
		mustJSON(t, http.MethodGet, url+"/api/v1/board", token, nil, http.StatusOK, &board)
		if len(board.Sites) == 1 && board.Sites[0].Issued == 1 {
			return board
		}
		if time.Now().After(deadline) {
			t.Fatalf("the region's board: %+v", board)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
