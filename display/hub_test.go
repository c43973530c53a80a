package display_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"go.uber.org/goleak"

	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/internal/browsertest"
	"github.com/mpp-digital/antrean/queue"
)

// TestMain checks that no goroutine outlives the tests: every server is
// stopped by its test's cleanup, so a websocket pump still running at the
// end is a leak.
// The lobby screens' tests share a Chromium (browsertest), ended first.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(browsertest.Main(m))
}

// wait bounds every wait for a message.
const wait = 5 * time.Second

func wsURL(s *apptest.Server, query string) string {
	u := strings.Replace(s.URL, "http", "ws", 1) + "/api/v1/ws"
	if query != "" {
		u += "?" + query
	}
	return u
}

// wsMsg is one message read by a client, or the error that ended it.
type wsMsg struct {
	raw []byte
	at  time.Time
	err error
}

// wsClient reads its connection in its own goroutine, so that a test can
// wait for a message with a timeout, or check that none comes.
type wsClient struct {
	t    *testing.T
	conn *websocket.Conn
	in   chan wsMsg
	done chan struct{}
}

func dial(s *apptest.Server, query string, header http.Header) (*websocket.Conn, *http.Response, error) {
	d := websocket.Dialer{HandshakeTimeout: wait}
	conn, resp, err := d.Dial(wsURL(s, query), header)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	return conn, resp, err
}

func connect(t *testing.T, s *apptest.Server, query string) *wsClient {
	t.Helper()
	conn, resp, err := dial(s, query, nil)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial ws?%s: %v (status %d)", query, err, status)
	}
	return reader(t, conn)
}

func reader(t *testing.T, conn *websocket.Conn) *wsClient {
	c := &wsClient{t: t, conn: conn, in: make(chan wsMsg, 10000), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		for {
			_, b, err := conn.ReadMessage()
			c.in <- wsMsg{raw: b, at: time.Now(), err: err}
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(c.close)
	return c
}

func (c *wsClient) close() {
	c.conn.Close()
	<-c.done
}

// next returns the next message; the connection ending or no message
// within d fails the test.
func (c *wsClient) next(d time.Duration) wsMsg {
	c.t.Helper()
	select {
	case m := <-c.in:
		if m.err != nil {
			c.t.Fatalf("websocket ended: %v", m.err)
		}
		return m
	case <-time.After(d):
		c.t.Fatalf("no message within %v", d)
	}
	return wsMsg{}
}

// quiet fails when a message arrives within d.
func (c *wsClient) quiet(d time.Duration) {
	c.t.Helper()
	select {
	case m := <-c.in:
		c.t.Fatalf("unexpected message %s (err %v)", m.raw, m.err)
	case <-time.After(d):
	}
}

// end waits for the connection to end and returns why, with the messages
// that came before; still open after d fails the test.
func (c *wsClient) end(d time.Duration) ([]wsMsg, error) {
	c.t.Helper()
	var before []wsMsg
	deadline := time.After(d)
	for {
		select {
		case m := <-c.in:
			if m.err != nil {
				return before, m.err
			}
			before = append(before, m)
		case <-deadline:
			c.t.Fatalf("the connection is still open after %v", d)
			return nil, nil
		}
	}
}

// frame is any message of the feeds: an event {seq, type, at, data}, a
// snapshot or a ticket message {type, seq, data}.
type frame struct {
	Seq  uint64          `json:"seq"`
	Type string          `json:"type"`
	At   time.Time       `json:"at"`
	Data json.RawMessage `json:"data"`
}

func decode(t *testing.T, raw []byte) frame {
	t.Helper()
	var f frame
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatalf("decoding %s: %v", raw, err)
	}
	return f
}

func (c *wsClient) frame(d time.Duration) frame {
	c.t.Helper()
	return decode(c.t, c.next(d).raw)
}

func (c *wsClient) snapshot() frame {
	c.t.Helper()
	f := c.frame(wait)
	if f.Type != "snapshot" {
		c.t.Fatalf("first message is %q, want a snapshot", f.Type)
	}
	return f
}

// events reads n event messages.
func (c *wsClient) events(n int) []frame {
	c.t.Helper()
	out := make([]frame, 0, n)
	for len(out) < n {
		f := c.frame(wait)
		if f.Type == "snapshot" || f.Type == "ticket" {
			c.t.Fatalf("got a %s in the middle of the events (after %d of %d)", f.Type, len(out), n)
		}
		out = append(out, f)
	}
	return out
}

func publicType(typ string) bool {
	return strings.HasPrefix(typ, "ticket.") || strings.HasPrefix(typ, "counter.") ||
		typ == "config.changed" || typ == "day.started"
}

// publicLog reads the public events after `after` from the event log.
func publicLog(t *testing.T, s *apptest.Server, after uint64) []queue.Event {
	t.Helper()
	var out []queue.Event
	for {
		var page struct {
			Events    []queue.Event `json:"events"`
			NextAfter uint64        `json:"next_after"`
		}
		s.MustJSON(http.MethodGet, fmt.Sprintf("/api/v1/events?after=%d&limit=10000", after), s.Admin, nil, http.StatusOK, &page)
		if len(page.Events) == 0 {
			return out
		}
		for _, ev := range page.Events {
			if publicType(ev.Type) {
				out = append(out, ev)
			}
		}
		after = page.NextAfter
	}
}

// currentSeq is the seq of the live state.
func currentSeq(t *testing.T, s *apptest.Server) uint64 {
	t.Helper()
	var b queue.Board
	s.MustJSON(http.MethodGet, "/api/v1/state", "", nil, http.StatusOK, &b)
	return b.Seq
}

// sameEvents checks that the client got exactly the logged events, in
// order, each once, with the same content.
func sameEvents(t *testing.T, got []frame, want []queue.Event) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d events, the log has %d: got %v, want %v", len(got), len(want), seqs(got), logSeqs(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Seq != w.Seq || g.Type != w.Type || !g.At.Equal(w.At) || !jsonEqual(g.Data, w.Data) {
			t.Fatalf("event %d: got seq %d %s at %v %s, want seq %d %s at %v %s", i, g.Seq, g.Type, g.At, g.Data, w.Seq, w.Type, w.At, w.Data)
		}
		if i > 0 && g.Seq <= got[i-1].Seq {
			t.Fatalf("seq %d after %d", g.Seq, got[i-1].Seq)
		}
	}
}

func seqs(fs []frame) []uint64 {
	var out []uint64
	for _, f := range fs {
		out = append(out, f.Seq)
	}
	return out
}

func logSeqs(evs []queue.Event) []uint64 {
	var out []uint64
	for _, e := range evs {
		out = append(out, e.Seq)
	}
	return out
}

func jsonEqual(a, b []byte) bool {
	var x, y bytes.Buffer
	if json.Compact(&x, a) != nil || json.Compact(&y, b) != nil {
		return false
	}
	return bytes.Equal(x.Bytes(), y.Bytes())
}

func act(t *testing.T, s *apptest.Server, token, counterID, action string) *apptest.Response {
	t.Helper()
	r := s.Do(http.MethodPost, "/api/v1/counters/"+counterID+"/"+action, token, nil)
	if r.Status != http.StatusOK && r.Status != http.StatusNoContent {
		t.Fatalf("%s at %s: %d %s", action, counterID, r.Status, r.Body)
	}
	return r
}

// issueRaw issues a ticket without the testing.T, for other goroutines.
func issueRaw(s *apptest.Server, token, serviceID string) (apptest.IssueAnswer, error) {
	var out apptest.IssueAnswer
	body := fmt.Sprintf(`{"service_id":%q,"priority":false}`, serviceID)
	req, err := http.NewRequest(http.MethodPost, s.URL+"/api/v1/tickets", strings.NewReader(body))
	if err != nil {
		return out, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return out, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return out, fmt.Errorf("issue: status %d", resp.StatusCode)
	}
	return out, json.NewDecoder(resp.Body).Decode(&out)
}

// waitClients waits until the hub holds n clients (a client is added
// just after its upgrade answer is sent, and removed after it ends).
func waitClients(t *testing.T, s *apptest.Server, n int) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for s.App.Hub.Clients() != n {
		if time.Now().After(deadline) {
			t.Fatalf("the hub holds %d clients, want %d", s.App.Hub.Clients(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// changeSite makes a config.changed event.
func changeSite(t *testing.T, s *apptest.Server, text string) {
	t.Helper()
	var site map[string]any
	s.MustJSON(http.MethodGet, "/api/v1/site", "", nil, http.StatusOK, &site)
	site["running_text"] = text
	s.MustJSON(http.MethodPut, "/api/v1/site", s.Admin, site, http.StatusOK, nil)
}

// 1. The first message is the snapshot of the live state; then every
// public event in seq order, each once, exactly as in the event log —
// with tickets issued concurrently, counters acting, a config change and
// the midnight roll.
func TestPublicFeedSnapshotThenEvents(t *testing.T) {
	jakarta, _ := time.LoadLocation("Asia/Jakarta")
	s := apptest.Start(t, apptest.Options{Start: time.Date(2026, 11, 26, 23, 40, 0, 0, jakarta)})
	m := s.SetupMall()

	var state json.RawMessage
	s.MustJSON(http.MethodGet, "/api/v1/state", "", nil, http.StatusOK, &state)
	a := connect(t, s, "")
	b := connect(t, s, "")
	snap := a.snapshot()
	snapB := b.snapshot()
	n := currentSeq(t, s)
	if snap.Seq != n || snapB.Seq != n {
		t.Fatalf("snapshot seqs %d, %d; the state is at %d", snap.Seq, snapB.Seq, n)
	}
	if !jsonEqual(snap.Data, state) {
		t.Fatalf("snapshot data\n%s\nis not GET /api/v1/state\n%s", snap.Data, state)
	}
	var board queue.Board
	if err := json.Unmarshal(snap.Data, &board); err != nil || board.Seq != n || len(board.Services) != 3 || len(board.Counters) != 2 {
		t.Fatalf("snapshot board %+v (%v)", board, err)
	}

	// Tickets issued from several goroutines share commits.
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				svc := []string{m.ServiceA1.ID, m.ServiceA2.ID, m.ServiceB1.ID}[(g+i)%3]
				if _, err := issueRaw(s, m.Tokens["kiosk"], svc); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	act(t, s, m.Tokens["officerA"], m.CounterA.ID, "open")
	act(t, s, m.Tokens["officerB"], m.CounterB.ID, "open")
	act(t, s, m.Tokens["officerA"], m.CounterA.ID, "next")
	act(t, s, m.Tokens["officerA"], m.CounterA.ID, "recall")
	act(t, s, m.Tokens["officerA"], m.CounterA.ID, "start")
	act(t, s, m.Tokens["officerA"], m.CounterA.ID, "next")
	act(t, s, m.Tokens["officerB"], m.CounterB.ID, "next")
	act(t, s, m.Tokens["officerB"], m.CounterB.ID, "no-show")
	act(t, s, m.Tokens["officerA"], m.CounterA.ID, "pause")
	changeSite(t, s, "Selamat datang")
	// Past midnight: the next command rolls the day (day.started, the
	// waiting tickets expire, counters close).
	s.Clock.Add(30 * time.Minute)
	s.Admin = s.Login("admin", apptest.AdminPassword)
	s.Issue(m, m.ServiceA1.ID, false)

	want := publicLog(t, s, n)
	types := map[string]bool{}
	for _, ev := range want {
		types[ev.Type] = true
	}
	for _, typ := range []string{"ticket.issued", "ticket.called", "ticket.recalled", "ticket.serving", "ticket.done", "ticket.no_show", "ticket.expired", "counter.opened", "counter.paused", "config.changed", "day.started"} {
		if !types[typ] {
			t.Errorf("the scenario made no %s event; types: %v", typ, types)
		}
	}
	gotA := a.events(len(want))
	gotB := b.events(len(want))
	sameEvents(t, gotA, want)
	sameEvents(t, gotB, want)
	a.quiet(200 * time.Millisecond)

	// Each once: the next message is the next event, not a repeat.
	s.Issue(m, m.ServiceA2.ID, false)
	more := publicLog(t, s, want[len(want)-1].Seq)
	sameEvents(t, a.events(len(more)), more)
	sameEvents(t, b.events(len(more)), more)
	a.quiet(200 * time.Millisecond)
	b.quiet(0)
}

// 2. A client that comes back with after=SEQ gets exactly the events it
// missed and no snapshot; at the current seq, nothing until the next
// event; too far behind, or ahead of the server, a snapshot.
func TestResume(t *testing.T) {
	s := apptest.Start(t, apptest.Options{Start: apptest.Workday})
	m := s.SetupMall()

	c := connect(t, s, "")
	n := c.snapshot().Seq
	s.Issue(m, m.ServiceA1.ID, false)
	s.Issue(m, m.ServiceB1.ID, false)
	got := c.events(2)
	sameEvents(t, got, publicLog(t, s, n))
	last := got[1].Seq
	c.close()

	// Missed while away: tickets, counter actions, config.
	for i := 0; i < 5; i++ {
		s.Issue(m, m.ServiceA1.ID, false)
	}
	act(t, s, m.Tokens["officerA"], m.CounterA.ID, "open")
	act(t, s, m.Tokens["officerA"], m.CounterA.ID, "next")
	changeSite(t, s, "Loket tutup pukul 15.00")
	missed := publicLog(t, s, last)
	if len(missed) < 8 {
		t.Fatalf("only %d missed events", len(missed))
	}

	r := connect(t, s, "after="+strconv.FormatUint(last, 10))
	sameEvents(t, r.events(len(missed)), missed)
	r.quiet(200 * time.Millisecond)
	// Then live, in order, no repeat.
	s.Issue(m, m.ServiceA2.ID, false)
	live := publicLog(t, s, missed[len(missed)-1].Seq)
	sameEvents(t, r.events(len(live)), live)

	// At the current seq: nothing until the next event, which comes alone.
	cur := currentSeq(t, s)
	q := connect(t, s, "after="+strconv.FormatUint(cur, 10))
	q.quiet(300 * time.Millisecond)
	s.Issue(m, m.ServiceA2.ID, false)
	sameEvents(t, q.events(1), publicLog(t, s, cur))
	q.quiet(100 * time.Millisecond)

	// Too far behind: a snapshot of now, then live events.
	s.App.Feed.MaxReplay = 3
	old := currentSeq(t, s)
	for i := 0; i < 5; i++ {
		s.Issue(m, m.ServiceA1.ID, false)
	}
	cur = currentSeq(t, s)
	if cur-old <= 3 {
		t.Fatalf("only %d events", cur-old)
	}
	o := connect(t, s, "after="+strconv.FormatUint(old, 10))
	if f := o.snapshot(); f.Seq != cur {
		t.Fatalf("snapshot at %d, want %d", f.Seq, cur)
	}
	o.quiet(200 * time.Millisecond)
	// Within MaxReplay: still a replay.
	w := connect(t, s, "after="+strconv.FormatUint(cur-3, 10))
	recent := publicLog(t, s, cur-3)
	sameEvents(t, w.events(len(recent)), recent)
	w.quiet(100 * time.Millisecond)
	s.Issue(m, m.ServiceB1.ID, false)
	next := publicLog(t, s, cur)
	sameEvents(t, o.events(len(next)), next)
	sameEvents(t, w.events(len(next)), next)

	// Ahead of the server (a screen that saw another database): a snapshot.
	cur = currentSeq(t, s)
	f := connect(t, s, "after="+strconv.FormatUint(cur+1000, 10))
	if snap := f.snapshot(); snap.Seq != cur {
		t.Fatalf("snapshot at %d, want %d", snap.Seq, cur)
	}
	f.quiet(100 * time.Millisecond)

	// A malformed after is refused before the upgrade.
	for _, bad := range []string{"abc", "-1", "1.5"} {
		_, resp, err := dial(s, "after="+bad, nil)
		if err == nil || resp == nil || resp.StatusCode != http.StatusBadRequest {
			t.Errorf("after=%s: %v %v, want 400", bad, err, resp)
		}
	}
}

// dialSlow connects a public-feed client with small socket buffers; the
// test reads it only when it says so.
func dialSlow(t *testing.T, s *apptest.Server) *websocket.Conn {
	t.Helper()
	d := websocket.Dialer{
		HandshakeTimeout: wait,
		NetDial: (&net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
			var err error
			if cerr := rc.Control(func(fd uintptr) { err = shrinkSocket(fd) }); cerr != nil {
				return cerr
			}
			return err
		}}).Dial,
	}
	conn, resp, err := d.Dial(wsURL(s, ""), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	t.Cleanup(func() { conn.Close() })
	return conn
}

// 3. A client that stops reading is cut off within a bounded time, and
// resumes from where it was; the others get every event on time meanwhile.
func TestSlowConsumer(t *testing.T) {
	s := apptest.Start(t, apptest.Options{Start: apptest.Workday})
	m := s.SetupMall()
	s.App.Hub.QueueSize = 16

	fast := connect(t, s, "")
	n := fast.snapshot().Seq

	// The slow client never reads, through a tiny receive buffer.
	slowConn := dialSlow(t, s)
	waitClients(t, s, 2)

	// Every event carries the long service name.
	long := strings.TrimSpace(strings.Repeat("Layanan dengan nama yang sangat panjang ", 3))
	var svc queue.Service
	s.MustJSON(http.MethodPost, "/api/v1/services", s.Admin, map[string]any{"agency_id": m.AgencyA.ID, "code": "L", "name": long, "requirements": []string{"KTP-el"}}, http.StatusCreated, &svc)

	type issued struct {
		id   string
		at   time.Time // the answer, which comes after the commit
		took time.Duration
	}
	var sent []issued
	cutAt := time.Time{}
	start := time.Now()
	for i := 0; i < 20000 && time.Since(start) < 30*time.Second; i++ {
		t0 := time.Now()
		a, err := issueRaw(s, m.Tokens["kiosk"], svc.ID)
		if err != nil {
			t.Fatal(err)
		}
		sent = append(sent, issued{a.Ticket.ID, time.Now(), time.Since(t0)})
		if cutAt.IsZero() && s.App.Hub.Clients() == 1 {
			cutAt = time.Now()
		}
		if !cutAt.IsZero() && i >= 100 {
			break
		}
	}
	waitClients(t, s, 1)
	if cutAt.IsZero() {
		cutAt = time.Now()
	}
	t.Logf("%d events sent; slow client cut off after %v", len(sent), cutAt.Sub(start))
	// The engine never waits on a socket.
	for _, is := range sent {
		if is.took > 2*time.Second {
			t.Errorf("issuing %s took %v", is.id, is.took)
		}
	}
	answered := map[string]time.Time{}
	for _, is := range sent {
		answered[is.id] = is.at
	}

	// The fast client got every event, in order, each within 2 s of its
	// commit (the issue answer comes after the commit).
	want := publicLog(t, s, n)
	var got []frame
	var arrived []time.Time
	for len(got) < len(want) {
		msg := fast.next(wait)
		got = append(got, decode(t, msg.raw))
		arrived = append(arrived, msg.at)
	}
	sameEvents(t, got, want)
	byID := map[string]time.Time{}
	for i, f := range got {
		var data struct{ Ticket struct{ ID string } }
		json.Unmarshal(f.Data, &data)
		byID[data.Ticket.ID] = arrived[i]
	}
	for _, is := range sent {
		at, ok := byID[is.id]
		if !ok {
			t.Fatalf("ticket %s never reached the fast client", is.id)
		}
		if lag := at.Sub(is.at); lag > 2*time.Second {
			t.Errorf("ticket %s reached the fast client %v after its commit", is.id, lag)
		}
	}

	// The slow client, reading at last, finds a prefix of the feed and
	// then the end of the connection, not more events.
	slowConn.SetReadDeadline(time.Now().Add(wait))
	var slowGot []frame
	var endErr error
	for {
		_, raw, err := slowConn.ReadMessage()
		if err != nil {
			endErr = err
			break
		}
		slowGot = append(slowGot, decode(t, raw))
	}
	var ne net.Error
	if errors.As(endErr, &ne) && ne.Timeout() {
		t.Fatalf("the slow client's connection did not end: %v", endErr)
	}
	if len(slowGot) == 0 || slowGot[0].Type != "snapshot" {
		t.Fatalf("the slow client got %d messages, first not a snapshot", len(slowGot))
	}
	evs := slowGot[1:]
	slowWant := publicLog(t, s, slowGot[0].Seq)
	if len(evs) >= len(slowWant) {
		t.Fatalf("the slow client got all %d events; it was never behind", len(evs))
	}
	sameEvents(t, evs, slowWant[:len(evs)])
	t.Logf("the slow client got %d of %d events, then %v", len(evs), len(slowWant), endErr)
	// Its queue overflowed when the event after the one being written and
	// the QueueSize queued behind it was published: the cut follows at once,
	// not after a write timeout.
	overflow := min(len(evs)+s.App.Hub.QueueSize+1, len(slowWant)-1)
	var data struct{ Ticket struct{ ID string } }
	json.Unmarshal(slowWant[overflow].Data, &data)
	if at, ok := answered[data.Ticket.ID]; !ok {
		t.Errorf("event %d is not an issue", slowWant[overflow].Seq)
	} else if lag := cutAt.Sub(at); lag > time.Second {
		t.Errorf("the slow client was cut off %v after its queue overflowed", lag)
	}

	// It resumes with after= and gets exactly the rest.
	lastSeq := slowGot[0].Seq
	if len(evs) > 0 {
		lastSeq = evs[len(evs)-1].Seq
	}
	back := connect(t, s, "after="+strconv.FormatUint(lastSeq, 10))
	sameEvents(t, back.events(len(slowWant)-len(evs)), slowWant[len(evs):])
	back.quiet(100 * time.Millisecond)
}

type ticketMsg struct {
	Type string          `json:"type"`
	Seq  uint64          `json:"seq"`
	Data json.RawMessage `json:"data"`
}

type publicTicket struct {
	ID          string `json:"id"`
	Number      string `json:"number"`
	Status      string `json:"status"`
	Position    *int   `json:"position"`
	PeopleAhead *int   `json:"people_ahead"`
	EtaMin      *int   `json:"eta_min"`
	CounterName string `json:"counter_name"`
}

// 4. The ticket feed sends the ticket's public view, then only changes of
// that ticket; a wrong key is refused exactly like a missing ticket.
func TestTicketFeed(t *testing.T) {
	s := apptest.Start(t, apptest.Options{Start: apptest.Workday})
	m := s.SetupMall()
	x1 := s.Issue(m, m.ServiceA1.ID, false)
	x2 := s.Issue(m, m.ServiceA1.ID, false)
	me := s.Issue(m, m.ServiceA1.ID, false)
	key := me.Key()
	if len(key) < 16 {
		t.Fatalf("ticket key %q", key)
	}
	others := []apptest.IssueAnswer{x1, x2}

	c := connect(t, s, "ticket="+me.Ticket.ID+"&k="+key)
	// read returns the next ticket message and checks that it is about
	// this ticket only, with no key.
	read := func() publicTicket {
		t.Helper()
		raw := c.next(wait).raw
		var msg ticketMsg
		if err := json.Unmarshal(raw, &msg); err != nil || msg.Type != "ticket" {
			t.Fatalf("ticket feed message %s (%v)", raw, err)
		}
		var fields map[string]any
		json.Unmarshal(msg.Data, &fields)
		for _, k := range []string{"key", "k", "status_url", "qr_url"} {
			if _, ok := fields[k]; ok {
				t.Fatalf("ticket feed message has %q: %s", k, raw)
			}
		}
		if bytes.Contains(raw, []byte(key)) {
			t.Fatalf("ticket feed message carries the key: %s", raw)
		}
		for _, o := range others {
			if bytes.Contains(raw, []byte(o.Ticket.ID)) || bytes.Contains(raw, []byte(`"`+o.Ticket.Number+`"`)) {
				t.Fatalf("ticket feed message names another ticket %s: %s", o.Ticket.Number, raw)
			}
		}
		var p publicTicket
		json.Unmarshal(msg.Data, &p)
		if p.ID != me.Ticket.ID || p.Number != me.Ticket.Number {
			t.Fatalf("ticket feed message about %s %s, want %s %s", p.ID, p.Number, me.Ticket.ID, me.Ticket.Number)
		}
		return p
	}
	// readUntil reads until the ticket is in the wanted state.
	readUntil := func(what string, ok func(publicTicket) bool) publicTicket {
		t.Helper()
		for i := 0; i < 10; i++ {
			if p := read(); ok(p) {
				return p
			}
		}
		t.Fatalf("the ticket feed never showed %s", what)
		return publicTicket{}
	}
	at := func(pos int) func(publicTicket) bool {
		return func(p publicTicket) bool {
			return p.Status == "waiting" && p.Position != nil && *p.Position == pos && p.PeopleAhead != nil && *p.PeopleAhead == pos-1
		}
	}

	first := read()
	if !at(3)(first) {
		t.Fatalf("first message %+v, want waiting at position 3", first)
	}
	// Someone behind, and someone in another agency: no change of mine.
	behind := s.Issue(m, m.ServiceA1.ID, false)
	other := s.Issue(m, m.ServiceB1.ID, false)
	others = append(others, behind, other)
	c.quiet(300 * time.Millisecond)

	act(t, s, m.Tokens["officerA"], m.CounterA.ID, "open") // my estimate appears
	act(t, s, m.Tokens["officerB"], m.CounterB.ID, "open")
	act(t, s, m.Tokens["officerB"], m.CounterB.ID, "next") // another agency's call
	act(t, s, m.Tokens["officerA"], m.CounterA.ID, "next") // x1 called
	readUntil("position 2", at(2))
	act(t, s, m.Tokens["officerA"], m.CounterA.ID, "next") // x2 called
	readUntil("position 1", at(1))
	act(t, s, m.Tokens["officerA"], m.CounterA.ID, "next") // me
	p := readUntil("called", func(p publicTicket) bool { return p.Status == "called" })
	if p.CounterName != m.CounterA.Name || p.Position != nil || p.PeopleAhead != nil {
		t.Fatalf("called: %+v, want counter %q and no position", p, m.CounterA.Name)
	}
	act(t, s, m.Tokens["officerA"], m.CounterA.ID, "next") // me done, behind called
	readUntil("done", func(p publicTicket) bool { return p.Status == "done" })
	c.quiet(200 * time.Millisecond)

	// A wrong, missing or absent key is a 404, like a ticket that does not
	// exist, and no socket.
	missing := func(query string) {
		t.Helper()
		conn, resp, err := dial(s, query, nil)
		if err == nil {
			conn.Close()
			t.Fatalf("ws?%s: upgraded, want 404", query)
		}
		if resp == nil || resp.StatusCode != http.StatusNotFound {
			t.Fatalf("ws?%s: %v %v, want 404", query, err, resp)
		}
	}
	missing("ticket=" + me.Ticket.ID + "&k=" + other.Key())
	missing("ticket=" + me.Ticket.ID + "&k=" + strings.ToUpper(key))
	missing("ticket=" + me.Ticket.ID + "&k=")
	missing("ticket=" + me.Ticket.ID)
	missing("ticket=tkt_nope&k=" + key)
	missing("k=" + key)
	r1 := s.Do(http.MethodGet, "/api/v1/ws?ticket="+me.Ticket.ID+"&k=wrong", "", nil)
	r2 := s.Do(http.MethodGet, "/api/v1/ws?ticket=tkt_nope&k=wrong", "", nil)
	if r1.Status != http.StatusNotFound || r2.Status != http.StatusNotFound || !bytes.Equal(r1.Body, r2.Body) {
		t.Fatalf("wrong key: %d %s; missing ticket: %d %s", r1.Status, r1.Body, r2.Status, r2.Body)
	}
}

// 5. Nothing on the public feed — snapshot, live events, replay — carries
// a ticket's key.
func TestPublicFeedHasNoKeys(t *testing.T) {
	s := apptest.Start(t, apptest.Options{Start: apptest.Workday})
	m := s.SetupMall()
	var keys []string
	issue := func(svc string, priority bool) apptest.IssueAnswer {
		a := s.Issue(m, svc, priority)
		if len(a.Key()) < 16 {
			t.Fatalf("ticket key %q", a.Key())
		}
		keys = append(keys, a.Key())
		return a
	}
	issue(m.ServiceA1.ID, false)
	c := connect(t, s, "")
	n := c.snapshot().Seq
	var raws [][]byte
	issue(m.ServiceA1.ID, true)
	issue(m.ServiceA2.ID, false)
	issue(m.ServiceB1.ID, false)
	b := issue(m.ServiceB1.ID, false)
	act(t, s, m.Tokens["officerA"], m.CounterA.ID, "open")
	act(t, s, m.Tokens["officerA"], m.CounterA.ID, "next")
	act(t, s, m.Tokens["officerA"], m.CounterA.ID, "recall")
	var tr queue.Counter
	s.MustJSON(http.MethodPost, "/api/v1/counters/"+m.CounterA.ID+"/transfer", m.Tokens["officerA"], map[string]string{"service_id": m.ServiceB1.ID}, http.StatusOK, &tr)
	if r := s.Do(http.MethodDelete, "/api/v1/tickets/"+b.Ticket.ID+"?k="+b.Key(), "", nil); r.Status != http.StatusNoContent {
		t.Fatalf("cancel: %d %s", r.Status, r.Body)
	}
	want := publicLog(t, s, n)
	for i := 0; i < len(want); i++ {
		raws = append(raws, c.next(wait).raw)
	}
	// A snapshot with tickets at counters and in recent calls, and a replay.
	raws = append(raws, connect(t, s, "").next(wait).raw)
	r := connect(t, s, "after="+strconv.FormatUint(n, 10))
	for i := 0; i < len(want); i++ {
		raws = append(raws, r.next(wait).raw)
	}
	types := map[string]bool{}
	for _, raw := range raws {
		types[decode(t, raw).Type] = true
		for _, k := range keys {
			if bytes.Contains(raw, []byte(k)) {
				t.Fatalf("the public feed carries a ticket key: %s", raw)
			}
		}
		if bytes.Contains(raw, []byte("?k=")) || bytes.Contains(raw, []byte(`"key"`)) {
			t.Fatalf("the public feed carries a key field: %s", raw)
		}
	}
	for _, typ := range []string{"snapshot", "ticket.issued", "ticket.called", "ticket.recalled", "ticket.transferred", "ticket.cancelled"} {
		if !types[typ] {
			t.Errorf("no %s message checked", typ)
		}
	}
}

// 6. Stopping the server closes every socket with 1001 "going away", and
// leaves no goroutine behind.
func TestShutdownClosesWith1001(t *testing.T) {
	// What runs now (a shared Chromium of the screens' tests) is not
	// this server's.
	before := goleak.IgnoreCurrent()
	s := apptest.Start(t, apptest.Options{Start: apptest.Workday})
	m := s.SetupMall()
	tk := s.Issue(m, m.ServiceA1.ID, false)
	pub := connect(t, s, "")
	pub.snapshot()
	resumed := connect(t, s, "after="+strconv.FormatUint(currentSeq(t, s), 10))
	tf := connect(t, s, "ticket="+tk.Ticket.ID+"&k="+tk.Key())
	tf.next(wait)
	resumed.quiet(100 * time.Millisecond)
	waitClients(t, s, 3)

	stopped := make(chan struct{})
	go func() { s.Stop(); close(stopped) }()
	for name, c := range map[string]*wsClient{"public": pub, "resumed": resumed, "ticket": tf} {
		_, err := c.end(wait)
		if !websocket.IsCloseError(err, websocket.CloseGoingAway) {
			t.Errorf("%s feed ended with %v, want close 1001", name, err)
		}
	}
	select {
	case <-stopped:
	case <-time.After(15 * time.Second):
		t.Fatal("the server did not stop")
	}
	if n := s.App.Hub.Clients(); n != 0 {
		t.Fatalf("%d clients after the stop", n)
	}
	pub.close()
	resumed.close()
	tf.close()
	http.DefaultClient.CloseIdleConnections()
	// Anything left that did not run before the test is this server's.
	goleak.VerifyNone(t, before)

	// A stopped server takes no new sockets.
	if _, _, err := dial(s, "", nil); err == nil {
		t.Fatal("dialled a stopped server")
	}
}

// 6b. A client that stopped reading, with its socket full, does not hold
// the shutdown up: the server stops promptly and leaves no goroutine.
func TestShutdownWithStuckClient(t *testing.T) {
	// What runs now (a shared Chromium of the screens' tests) is not
	// this server's.
	before := goleak.IgnoreCurrent()
	s := apptest.Start(t, apptest.Options{Start: apptest.Workday})
	m := s.SetupMall()
	s.App.Hub.QueueSize = 1 << 20 // never cut off for being slow: only the shutdown ends it
	pub := connect(t, s, "")
	n := pub.snapshot().Seq
	stuck := dialSlow(t, s)
	waitClients(t, s, 2)
	for i := 0; i < 800; i++ {
		if _, err := issueRaw(s, m.Tokens["kiosk"], m.ServiceA1.ID); err != nil {
			t.Fatal(err)
		}
	}
	want := publicLog(t, s, n)
	pub.events(len(want))

	t0 := time.Now()
	s.Stop()
	took := time.Since(t0)
	if _, err := pub.end(wait); !websocket.IsCloseError(err, websocket.CloseGoingAway) {
		t.Errorf("the reading client ended with %v, want close 1001", err)
	}
	if took > 3*time.Second {
		t.Errorf("stopping took %v", took)
	}
	// The stuck client finds part of the feed, then the end.
	stuck.SetReadDeadline(time.Now().Add(wait))
	got := 0
	var err error
	for {
		if _, _, err = stuck.ReadMessage(); err != nil {
			break
		}
		got++
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the stuck client's connection did not end: %v", err)
	}
	if got > len(want) {
		t.Fatalf("the stuck client got %d messages; it was never stuck", got)
	}
	t.Logf("stopped in %v; the stuck client got %d of %d events, then %v", took, got-1, len(want), err)
	pub.close()
	stuck.Close()
	http.DefaultClient.CloseIdleConnections()
	goleak.VerifyNone(t, before)
}

// 7. A client sends only pings: small messages are dropped, one over the
// read limit ends the connection; a client's ping gets a pong.
func TestReadLimitAndPong(t *testing.T) {
	s := apptest.Start(t, apptest.Options{Start: apptest.Workday})
	m := s.SetupMall()
	conn, _, err := dial(s, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	pongs := make(chan string, 1)
	conn.SetPongHandler(func(data string) error { pongs <- data; return nil })
	c := reader(t, conn)
	n := c.snapshot().Seq

	if err := conn.WriteControl(websocket.PingMessage, []byte("halo"), time.Now().Add(wait)); err != nil {
		t.Fatal(err)
	}
	select {
	case p := <-pongs:
		if p != "halo" {
			t.Fatalf("pong %q", p)
		}
	case <-time.After(wait):
		t.Fatal("no pong")
	}

	// A small message is read and dropped; the feed goes on.
	if err := conn.WriteMessage(websocket.TextMessage, bytes.Repeat([]byte("x"), 500)); err != nil {
		t.Fatal(err)
	}
	s.Issue(m, m.ServiceA1.ID, false)
	sameEvents(t, c.events(1), publicLog(t, s, n))

	// Over 512 bytes: the server closes the connection.
	if err := conn.WriteMessage(websocket.TextMessage, bytes.Repeat([]byte("x"), 600)); err != nil {
		t.Fatal(err)
	}
	before, err := c.end(wait)
	if len(before) != 0 {
		t.Errorf("%d messages before the end", len(before))
	}
	if websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway) {
		t.Errorf("ended with %v", err)
	}
	t.Logf("ended with %v", err)
	waitClients(t, s, 0)
}

// 8. The ticket feed (a visitor's page) accepts only its own origin; the
// public feed, which carries only public data, any.
func TestOrigin(t *testing.T) {
	s := apptest.Start(t, apptest.Options{Start: apptest.Workday})
	m := s.SetupMall()
	tk := s.Issue(m, m.ServiceA1.ID, false)
	q := "ticket=" + tk.Ticket.ID + "&k=" + tk.Key()
	evil := http.Header{"Origin": {"http://evil.example"}}
	same := http.Header{"Origin": {s.URL}}

	if conn, resp, err := dial(s, q, evil); err == nil {
		conn.Close()
		t.Fatal("the ticket feed upgraded for http://evil.example")
	} else if resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("evil origin: %v %v, want 403", err, resp)
	}
	for name, h := range map[string]http.Header{"same origin": same, "no origin": nil} {
		conn, resp, err := dial(s, q, h)
		if err != nil {
			t.Fatalf("%s: %v %v", name, err, resp)
		}
		c := reader(t, conn)
		if f := c.frame(wait); f.Type != "ticket" {
			t.Fatalf("%s: first message %q", name, f.Type)
		}
		c.close()
	}

	for name, h := range map[string]http.Header{"evil origin": evil, "same origin": same} {
		conn, resp, err := dial(s, "", h)
		if err != nil {
			t.Fatalf("public feed, %s: %v %v", name, err, resp)
		}
		reader(t, conn).snapshot()
	}
}
