package main

// ARCHITECTURE.md, the engine: "A crash loses no acknowledged command; a
// command that was not acknowledged either committed whole or not at all",
// and "A number is never issued twice in one day for one service, crash or
// not". These tests kill the real binary with SIGKILL under load and
// restart it on the same data folder.

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/queue"
	"github.com/mpp-digital/antrean/storage"
)

// dayService keys tickets: numbers restart per service each day.
type dayService struct{ day, service string }

// ticketNumber is the sequence in a number: "M042" of service M is 42.
func ticketNumber(t testing.TB, number, code string) int {
	t.Helper()
	digits, ok := strings.CutPrefix(number, code)
	n, err := strconv.Atoi(digits)
	if !ok || err != nil || len(digits) < 3 || n < 1 {
		t.Fatalf("ticket number %q is not %s and at least three digits", number, code)
	}
	return n
}

// checkStored checks one view of the stored tickets (list gives the
// tickets of a day and service) against the acknowledged ones: every
// acknowledged ticket is there with its number, and each day's numbers of
// each service are 1..n without a duplicate or a hole. It returns n per day
// and service, and how many tickets were stored in all.
func checkStored(t testing.TB, label string, list func(day, serviceID string) []ticket, svcs []service, days []string, acked []ticket) (map[dayService]int, int) {
	t.Helper()
	highest := map[dayService]int{}
	stored := map[string]ticket{}
	for _, day := range days {
		for _, s := range svcs {
			tickets := list(day, s.ID)
			seen := map[int]string{}
			for _, tk := range tickets {
				n := ticketNumber(t, tk.Number, s.Code)
				if other, dup := seen[n]; dup {
					t.Fatalf("%s: number %s is held by tickets %s and %s", label, tk.Number, other, tk.ID)
				}
				seen[n] = tk.ID
				if _, dup := stored[tk.ID]; dup {
					t.Fatalf("%s: ticket %s listed twice", label, tk.ID)
				}
				stored[tk.ID] = tk
			}
			for n := 1; n <= len(tickets); n++ {
				if _, ok := seen[n]; !ok {
					t.Fatalf("%s: service %s on %s has %d tickets but no number %d", label, s.Code, day, len(tickets), n)
				}
			}
			highest[dayService{day, s.ID}] = len(tickets)
		}
	}
	for _, a := range acked {
		got, ok := stored[a.ID]
		if !ok {
			t.Fatalf("%s: acknowledged ticket %s (%s) is lost", label, a.ID, a.Number)
		}
		if got.Number != a.Number || got.ServiceID != a.ServiceID || got.Day != a.Day {
			t.Fatalf("%s: acknowledged ticket %s was %s of %s on %s, is stored as %s of %s on %s",
				label, a.ID, a.Number, a.ServiceID, a.Day, got.Number, got.ServiceID, got.Day)
		}
	}
	return highest, len(stored)
}

func serverDay(t testing.TB, base string) string {
	t.Helper()
	var st struct {
		Day string `json:"day"`
	}
	mustJSON(t, http.MethodGet, base+"/api/v1/state", "", nil, http.StatusOK, &st)
	return st.Day
}

func daysOf(today string, acked []ticket) []string {
	days := []string{today}
	for _, a := range acked {
		if !slices.Contains(days, a.Day) {
			days = append(days, a.Day)
		}
	}
	return days
}

func TestCrashKeepsAcknowledgedTickets(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and restarts the server several times")
	}
	const (
		rounds  = 5
		clients = 32
	)
	data := t.TempDir()
	// Many clients share one kiosk's token: no per-kiosk rate limit here.
	env := []string{"ANTREAN_ADMIN_PASSWORD=" + adminPW, "ANTREAN_ISSUE_LIMIT=off"}
	var (
		acked []ticket // every acknowledged ticket, all rounds
		svcs  []service
		kiosk string
		byID  = map[string]service{}
	)
	for round := 1; round <= rounds; round++ {
		label := fmt.Sprintf("round %d", round)
		p := startServer(t, "demo", data, env)
		if round == 1 {
			svcs, kiosk = unlimited(t, p.url), kioskToken(t, data)
			for _, s := range svcs {
				byID[s.ID] = s
			}
		}
		admin := login(t, p.url, "admin", adminPW)
		list := func(day, sid string) []ticket { return listTickets(t, p.url, admin, day, sid) }
		highest, total := checkStored(t, label+", after the restart", list, svcs, daysOf(serverDay(t, p.url), acked), acked)
		if round > 1 {
			t.Logf("%s: restarted; all %d acknowledged tickets found among %d stored, numbers 1..n per service", label, len(acked), total)
		}

		// Load: clients issue tickets until the server is killed.
		tr := &http.Transport{MaxIdleConnsPerHost: clients * 2}
		c := &http.Client{Transport: tr, Timeout: 15 * time.Second}
		var (
			mu         sync.Mutex
			roundAcks  []ticket
			unexpected []string
			killed     atomic.Bool
			refused    atomic.Int64
			wg         sync.WaitGroup
			stop       = make(chan struct{})
		)
		for i := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := 0; ; n++ {
					select {
					case <-stop:
						return
					default:
					}
					s := svcs[(i+n)%len(svcs)]
					status, raw, err := request(c, http.MethodPost, p.url+"/api/v1/tickets", kiosk, map[string]any{"service_id": s.ID})
					mu.Lock()
					switch {
					case err != nil && killed.Load():
						refused.Add(1)
					case err != nil:
						unexpected = append(unexpected, err.Error())
					case status != http.StatusCreated:
						unexpected = append(unexpected, fmt.Sprintf("%d %s", status, raw))
					default:
						var out struct{ Ticket ticket }
						if err := json.Unmarshal(raw, &out); err != nil || out.Ticket.ID == "" || out.Ticket.ServiceID != s.ID {
							unexpected = append(unexpected, fmt.Sprintf("201 with %s (%v)", raw, err))
						} else {
							roundAcks = append(roundAcks, out.Ticket)
						}
					}
					mu.Unlock()
					if err != nil {
						time.Sleep(5 * time.Millisecond)
					}
				}
			}()
		}
		load := time.Duration(300+rand.IntN(501)) * time.Millisecond
		time.Sleep(load)
		mu.Lock()
		before := len(roundAcks)
		mu.Unlock()
		killed.Store(true)
		p.kill()
		close(stop)
		wg.Wait()
		tr.CloseIdleConnections()

		if len(unexpected) > 0 {
			t.Fatalf("%s: %d unexpected answers before the kill, first: %s", label, len(unexpected), unexpected[0])
		}
		if len(roundAcks) == 0 {
			t.Fatalf("%s: no ticket was acknowledged in %v of load", label, load)
		}
		// Numbering goes on after the highest number stored before.
		for _, a := range roundAcks {
			s := byID[a.ServiceID]
			if n := ticketNumber(t, a.Number, s.Code); n <= highest[dayService{a.Day, a.ServiceID}] {
				t.Fatalf("%s: ticket %s got %s, but %s already had %d numbers that day", label, a.ID, a.Number, s.Code, highest[dayService{a.Day, a.ServiceID}])
			}
		}
		t.Logf("%s: SIGKILL after %v of load by %d clients: %d tickets acknowledged (%d by the moment of the kill), %d requests refused after it",
			label, load, clients, len(roundAcks), before, refused.Load())
		acked = append(acked, roundAcks...)
	}

	// The child is dead: read the folder directly, as the next start would.
	db, err := storage.Open(data, storage.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("opening the data after the last kill: %v", err)
	}
	defer db.Close()
	loaded, err := db.Load()
	if err != nil {
		t.Fatal(err)
	}
	list := func(day, sid string) []ticket {
		ts, err := db.Tickets(queue.TicketFilter{Day: day, ServiceIDs: []string{sid}})
		if err != nil {
			t.Fatal(err)
		}
		out := make([]ticket, len(ts))
		for i, tk := range ts {
			out[i] = ticket{ID: tk.ID, Number: tk.Number, ServiceID: tk.ServiceID, Day: tk.Day}
		}
		return out
	}
	days := daysOf(loaded.Day, acked)
	_, total := checkStored(t, "after the last kill (storage)", list, svcs, days, acked)

	// Each stored ticket committed whole: with exactly one ticket.issued
	// event, and the event log has no gap.
	evs, err := db.Events(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	issued := map[string]int{}
	for i, e := range evs {
		if e.Seq != uint64(i+1) {
			t.Fatalf("event %d has seq %d: a gap in the log", i, e.Seq)
		}
		if e.Type == "ticket.issued" {
			var d struct {
				Ticket struct{ ID, Number string }
			}
			if err := json.Unmarshal(e.Data, &d); err != nil {
				t.Fatal(err)
			}
			issued[d.Ticket.ID]++
		}
	}
	for _, day := range days {
		ts, err := db.Tickets(queue.TicketFilter{Day: day})
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range ts {
			if issued[tk.ID] != 1 {
				t.Fatalf("ticket %s (%s) has %d ticket.issued events, want 1", tk.ID, tk.Number, issued[tk.ID])
			}
			delete(issued, tk.ID)
		}
	}
	for id := range issued {
		t.Fatalf("a ticket.issued event for %s, which is not stored", id)
	}
	t.Logf("after %d crashes: %d acknowledged tickets, %d stored (the rest committed but unanswered), %d events without a gap",
		rounds, len(acked), total, len(evs))
}

// After SIGTERM and a restart, numbering, the event log, counters and
// logins go on where they were.
func TestRestartContinuity(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	env := []string{"ANTREAN_ADMIN_PASSWORD=" + adminPW}
	p := startServer(t, "demo", data, env)
	kiosk := kioskToken(t, data)
	svcs := unlimited(t, p.url)
	admin := login(t, p.url, "admin", adminPW)
	officer := login(t, p.url, "petugas.sam", "demo-antrean")

	// A counter of the officer's agency that serves svcs[?].
	var ctrs struct {
		Counters []struct {
			ID         string   `json:"id"`
			AgencyID   string   `json:"agency_id"`
			ServiceIDs []string `json:"service_ids"`
		}
	}
	mustJSON(t, http.MethodGet, p.url+"/api/v1/counters", "", nil, http.StatusOK, &ctrs)
	var me struct {
		AgencyID string `json:"agency_id"`
	}
	mustJSON(t, http.MethodGet, p.url+"/api/v1/me", officer, nil, http.StatusOK, &me)
	var counterID string
	var svc service
	for _, c := range ctrs.Counters {
		for _, s := range svcs {
			if c.AgencyID == me.AgencyID && slices.Contains(c.ServiceIDs, s.ID) && counterID == "" {
				counterID, svc = c.ID, s
			}
		}
	}
	if counterID == "" {
		t.Fatal("no counter of SAM serves a service without quota")
	}

	var last ticket
	for range 3 {
		last = issue(t, p.url, kiosk, svc.ID)
	}
	mustJSON(t, http.MethodPost, p.url+"/api/v1/counters/"+counterID+"/open", officer, nil, http.StatusOK, nil)
	var called struct {
		Current *ticket `json:"current"`
	}
	mustJSON(t, http.MethodPost, p.url+"/api/v1/counters/"+counterID+"/next", officer, nil, http.StatusOK, &called)
	if called.Current == nil || called.Current.Number != svc.Code+"001" {
		t.Fatalf("next called %+v, want %s001", called.Current, svc.Code)
	}
	before := allEvents(t, p.url, admin)
	checkSeqs(t, before)
	p.stop()

	q := startServer(t, "demo", data, env)
	// Logins from before the restart still work.
	mustJSON(t, http.MethodGet, q.url+"/api/v1/me", admin, nil, http.StatusOK, nil)
	mustJSON(t, http.MethodGet, q.url+"/api/v1/me", officer, nil, http.StatusOK, nil)

	// Numbering continues.
	next := issue(t, q.url, kiosk, svc.ID)
	if want := ticketNumber(t, last.Number, svc.Code) + 1; next.Day == last.Day && ticketNumber(t, next.Number, svc.Code) != want {
		t.Errorf("the first ticket after the restart is %s, want %s%03d", next.Number, svc.Code, want)
	}
	// The counter is still open with its ticket: next finishes it and calls
	// the second.
	mustJSON(t, http.MethodPost, q.url+"/api/v1/counters/"+counterID+"/next", officer, nil, http.StatusOK, &called)
	if called.Current == nil || called.Current.Number != svc.Code+"002" {
		t.Errorf("next after the restart called %+v, want %s002", called.Current, svc.Code)
	}

	// The event log goes on without a gap and keeps what it held.
	after := allEvents(t, q.url, admin)
	checkSeqs(t, after)
	if len(after) <= len(before) {
		t.Fatalf("%d events after the restart, %d before", len(after), len(before))
	}
	for i, e := range before {
		if a := after[i]; a.Seq != e.Seq || a.Type != e.Type || string(a.Data) != string(e.Data) {
			t.Fatalf("event %d changed over the restart: %s %s → %s %s", e.Seq, e.Type, e.Data, a.Type, a.Data)
		}
	}
	var issuedSeq, doneSeq uint64
	for _, e := range after[len(before):] {
		var d struct{ Ticket struct{ ID string } }
		json.Unmarshal(e.Data, &d)
		switch {
		case e.Type == "ticket.issued" && d.Ticket.ID == next.ID:
			issuedSeq = e.Seq
		case e.Type == "ticket.done":
			doneSeq = e.Seq
		}
	}
	if issuedSeq == 0 || doneSeq == 0 {
		t.Errorf("the events after the restart lack the issue of %s or the done of %s001: %d events from seq %d", next.Number, svc.Code, len(after)-len(before), before[len(before)-1].Seq+1)
	}
	t.Logf("restart: %d events before, %d after, seq continues at %d; %s follows %s", len(before), len(after), before[len(before)-1].Seq+1, next.Number, last.Number)
	q.stop()
}
