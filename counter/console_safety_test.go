package counter_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"

	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/internal/browsertest"
	"github.com/mpp-digital/antrean/queue"
)

// openConsole signs the officer in at the console and enters the counter.
func openConsole(t *testing.T, s *apptest.Server, user, counterID string) *browsertest.Browser {
	t.Helper()
	b := browsertest.New(t, browsertest.Options{Width: 1366, Height: 768})
	b.Open(s.URL + "/counter")
	b.WaitFor(`window.__antrean && window.__antrean.ready`, 10*time.Second)
	signIn(b, user, apptest.StaffPassword)
	b.WaitVisible(`#picker-view [data-counter="`+counterID+`"]`, 5*time.Second)
	b.Click(`#picker-view [data-counter="` + counterID + `"]`)
	b.WaitFor(`window.__antrean.state.view === "console" && window.__antrean.state.counter && window.__antrean.state.counter.id === `+fmt.Sprintf("%q", counterID), 5*time.Second)
	return b
}

// calledEvents counts the ticket.called events of each number.
func calledEvents(t *testing.T, s *apptest.Server) map[string]int {
	t.Helper()
	var evs struct {
		Events []struct {
			Type string          `json:"type"`
			Data json.RawMessage `json:"data"`
		} `json:"events"`
	}
	s.MustJSON(http.MethodGet, "/api/v1/events?limit=10000", s.Admin, nil, http.StatusOK, &evs)
	out := map[string]int{}
	for _, e := range evs.Events {
		if e.Type == "ticket.called" {
			var d struct{ Ticket struct{ Number string } }
			_ = json.Unmarshal(e.Data, &d)
			out[d.Ticket.Number]++
		}
	}
	return out
}

// TestConsoleNextAppliedOnce: "next" sent twice with one idempotency key
// through the console's own request code calls one visitor; a retry after
// a lost answer reuses the press's key and calls one visitor; a double
// press of F1 calls one visitor. Nobody is skipped.
func TestConsoleNextAppliedOnce(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{Start: apptest.Workday})
	m := s.SetupMall()
	ctr := m.CounterA.ID
	s.MustJSON(http.MethodPost, "/api/v1/counters/"+ctr+"/open", m.Tokens["officerA"], nil, http.StatusOK, nil)
	var tickets []apptest.IssueAnswer
	for i := 0; i < 5; i++ {
		tickets = append(tickets, s.Issue(m, m.ServiceA1.ID, false))
	}
	b := openConsole(t, s, m.Users["officerA"].Username, ctr)

	// 1. The same "next" twice with one key, through send() — the function
	// every press of the console goes through.
	var twice struct {
		First    string `json:"first"`
		Second   string `json:"second"`
		Replayed bool   `json:"replayed"`
		Same     bool   `json:"same"`
	}
	b.Eval(`(async () => {
		const a = window.__antrean;
		const r1 = await a.send("next", null, "press-1");
		const r2 = await a.send("next", null, "press-1");
		return {first: r1.data.current.number, second: r2.data.current.number, replayed: r2.replayed,
			same: JSON.stringify(r1.data) === JSON.stringify(r2.data)};
	})()`, &twice)
	if twice.First != "A001" || twice.Second != "A001" || !twice.Replayed || !twice.Same {
		t.Errorf("next twice with one key: %+v, want A001 twice, the second a replay of the first", twice)
	}
	if p := visitor(t, s, tickets[1]); p.Status != "waiting" || p.Position == nil || *p.Position != 1 {
		t.Errorf("A002 after the repeated next: %+v, want waiting first in line", p)
	}
	if c := calledEvents(t, s); c["A001"] != 1 || c["A002"] != 0 {
		t.Errorf("called events after the repeated next: %v, want A001 once", c)
	}

	// Two presses at once through act(): the second is refused while the
	// first is in flight.
	var both []any
	b.Eval(`(async () => {
		const a = window.__antrean;
		const rs = await Promise.all([a.act("next"), a.act("next")]);
		return rs.map((r) => r && r.data && r.data.current ? r.data.current.number : null);
	})()`, &both)
	if fmt.Sprint(both) != "[A002 <nil>]" {
		t.Errorf("two presses at once: %v, want A002 and a refusal", both)
	}

	// 2. A press whose answer is lost on the way back: the console retries
	// with the same key and gets the first answer.
	b.Eval(`(() => {
		window.__keys = [];
		const real = window.fetch;
		let dropped = false;
		window.fetch = async (url, opts) => {
			if (String(url).endsWith("/next") && opts && opts.method === "POST") {
				window.__keys.push(opts.headers["Idempotency-Key"]);
				const res = await real(url, opts);
				if (!dropped) {
					dropped = true;
					await res.text();
					throw new TypeError("Failed to fetch (test: the answer was lost)");
				}
				return res;
			}
			return real(url, opts);
		};
	})()`, nil)
	// Past the double-press guard of the last call.
	b.WaitFor(`Date.now() - window.__antrean.state.lastCallAt > 1300`, 3*time.Second)
	press(b, kb.F1, "A002 selesai · A003 dipanggil.")
	var keys []string
	b.Eval(`window.__keys`, &keys)
	if len(keys) != 2 || keys[0] == "" || keys[0] != keys[1] {
		t.Errorf("Idempotency-Keys of the press and its retry: %q, want one key twice", keys)
	}
	if c := calledEvents(t, s); c["A003"] != 1 || c["A004"] != 0 {
		t.Errorf("called events after the retried press: %v, want A003 once and A004 not yet", c)
	}
	if p := visitor(t, s, tickets[3]); p.Status != "waiting" || p.Position == nil || *p.Position != 1 {
		t.Errorf("A004 after the retried press: %+v, want waiting first in line", p)
	}

	// 3. F1 pressed twice in a row: one call (the second press is taken as
	// a double press and explained).
	b.WaitFor(`Date.now() - window.__antrean.state.lastCallAt > 1300`, 3*time.Second)
	b.Keys(kb.F1 + kb.F1)
	b.WaitFor(`!window.__antrean.state.busy && window.__antrean.state.counter.current && window.__antrean.state.counter.current.number === "A004"`, 5*time.Second)
	time.Sleep(300 * time.Millisecond)
	if c := calledEvents(t, s); c["A004"] != 1 || c["A005"] != 0 {
		t.Errorf("called events after F1 F1: %v, want A004 once and A005 not yet", c)
	}
	if p := visitor(t, s, tickets[4]); p.Status != "waiting" {
		t.Errorf("A005 after a double press: %+v, want still waiting", p)
	}
	b.NoErrors(allowed...)
}

// TestConsoleCookieSession: the console holds only the cookie session
// (HttpOnly) and its CSRF token in memory; an officer's cookie session
// cannot act on another agency's counter nor read admin data (403); an
// unsafe request without the CSRF token, or with a wrong one, is refused
// (403 csrf_failed) and changes nothing.
func TestConsoleCookieSession(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{Start: apptest.Workday})
	m := s.SetupMall()
	b := openConsole(t, s, m.Users["officerA"].Username, m.CounterA.ID)

	var got map[string]string
	b.Eval(fmt.Sprintf(`(async () => {
		const a = window.__antrean, csrf = a.session.csrf, out = {};
		const call = async (name, method, path, headers, body) => {
			const res = await fetch(path, {method, credentials: "same-origin", headers: {...headers, ...(body ? {"Content-Type": "application/json"} : {})}, body: body ? JSON.stringify(body) : undefined});
			let code = "";
			try { code = (await res.json()).error?.code || ""; } catch {}
			out[name] = res.status + " " + code;
		};
		const ok = {"X-CSRF-Token": csrf};
		await call("other agency's counter: open", "POST", "/api/v1/counters/%[1]s/open", ok);
		await call("other agency's counter: next", "POST", "/api/v1/counters/%[1]s/next", {...ok, "Idempotency-Key": "k1"});
		await call("other agency's tickets", "GET", "/api/v1/tickets?service_id=%[2]s", {});
		await call("users", "GET", "/api/v1/users", {});
		await call("devices", "GET", "/api/v1/devices", {});
		await call("events", "GET", "/api/v1/events", {});
		await call("backup", "GET", "/api/v1/backup", {});
		await call("site settings", "PUT", "/api/v1/site", ok, {name: "Diretas"});
		await call("new agency", "POST", "/api/v1/agencies", ok, {code: "X", name: "X"});
		await call("own counter without CSRF", "POST", "/api/v1/counters/%[3]s/open", {});
		await call("own counter with a wrong CSRF", "POST", "/api/v1/counters/%[3]s/open", {"X-CSRF-Token": "wrong"});
		await call("logout without CSRF", "POST", "/api/v1/logout", {});
		try {
			await a.session.request("POST", "/api/v1/counters/%[1]s/next", {idempotencyKey: "k2"});
			out["console's request code, other agency"] = "allowed";
		} catch (err) {
			out["console's request code, other agency"] = err.status + " " + err.code;
		}
		await call("own counter with CSRF", "POST", "/api/v1/counters/%[3]s/open", ok);
		out.cookie = document.cookie.includes("antrean_session") ? "readable" : "httponly";
		const stored = JSON.stringify({...localStorage}) + JSON.stringify({...sessionStorage});
		out.storage = /st_[A-Za-z0-9]/.test(stored) ? "holds a token" : "no token";
		out.csrf = csrf ? "in memory" : "missing";
		return out;
	})()`, m.CounterB.ID, m.ServiceB1.ID, m.CounterA.ID), &got)

	want := map[string]string{
		"other agency's counter: open":         "403 forbidden",
		"other agency's counter: next":         "403 forbidden",
		"other agency's tickets":               "403 forbidden",
		"users":                                "403 forbidden",
		"devices":                              "403 forbidden",
		"events":                               "403 forbidden",
		"backup":                               "403 forbidden",
		"site settings":                        "403 forbidden",
		"new agency":                           "403 forbidden",
		"own counter without CSRF":             "403 csrf_failed",
		"own counter with a wrong CSRF":        "403 csrf_failed",
		"logout without CSRF":                  "403 csrf_failed",
		"console's request code, other agency": "403 forbidden",
		"own counter with CSRF":                "200 ",
		"cookie":                               "httponly",
		"storage":                              "no token",
		"csrf":                                 "in memory",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %q, want %q", k, got[k], w)
		}
	}
	// Nothing the refused requests asked for happened.
	var kb queue.CounterView
	s.MustJSON(http.MethodGet, "/api/v1/counters/"+m.CounterB.ID, "", nil, http.StatusOK, &kb)
	if kb.Status != queue.CounterClosed {
		t.Errorf("agency B's counter is %s after the refused requests", kb.Status)
	}
	var site queue.Site
	s.MustJSON(http.MethodGet, "/api/v1/site", "", nil, http.StatusOK, &site)
	if strings.Contains(site.Name, "Diretas") {
		t.Errorf("the site was renamed by an officer")
	}
	// The session still works after the refused logout.
	b.WaitFor(`window.__antrean.session.request("GET", "/api/v1/me").then((r) => r.status === 200)`, 3*time.Second)

	// In English, after a reload: the same session and the same counter.
	b.Open(s.URL + "/counter?lang=en")
	b.WaitFor(`window.__antrean && window.__antrean.ready && window.__antrean.state.view === "console"`, 5*time.Second)
	b.WaitText("#act-next", "Next", time.Second)
	b.WaitText("#counter-state", "Open", 2*time.Second)
	b.Screenshot("console-en-1366x768")
	b.NoErrors(`status of 40[13]`)
}
