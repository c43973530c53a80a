package survey_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/internal/browsertest"
	"github.com/mpp-digital/antrean/queue"
)

// stored reads the responses of the test's day from the store.
func stored(t *testing.T, w *world) []*queue.Feedback {
	t.Helper()
	var out []*queue.Feedback
	if err := w.s.App.DB.Feedback("2026-11-26", "2026-11-26", func(f *queue.Feedback) error { out = append(out, f); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkLayout fails on sideways scrolling and on survey tap targets
// under 48 px.
func checkLayout(t *testing.T, b *browsertest.Browser, label string) {
	t.Helper()
	var wide bool
	b.Eval(`document.documentElement.scrollWidth > window.innerWidth + 1`, &wide)
	if wide {
		t.Errorf("%s: the page is wider than the screen", label)
	}
	var small []string
	b.Eval(`[...document.querySelectorAll(".skm-answer, .skm-chip, .skm-submit, .skm-link, .lang-button")]
		.filter(e => e.offsetParent !== null)
		.map(e => [e, e.getBoundingClientRect()])
		.filter(([e, r]) => r.height < 48 || r.width < 48)
		.map(([e, r]) => e.textContent.trim() + " " + Math.round(r.width) + "×" + Math.round(r.height))`, &small)
	if len(small) > 0 {
		t.Errorf("%s: tap targets under 48 px: %v", label, small)
	}
}

// answer taps the given answers card by card, from the first.
func answer(t *testing.T, b *browsertest.Browser, scores []int) {
	t.Helper()
	for i, v := range scores {
		b.WaitFor(fmt.Sprintf(`document.querySelector(".skm-card")?.dataset.element === "U%d"`, i+1), 3*time.Second)
		b.Click(fmt.Sprintf(`.skm-card .skm-a%d`, v))
	}
}

// answerAll answers every element and waits for the profile step.
func answerAll(t *testing.T, b *browsertest.Browser, scores []int) {
	t.Helper()
	answer(t, b, scores)
	b.WaitVisible(".skm-profile", 3*time.Second)
}

// TestVisitorSurvey: on the visitor's phone (390×844, then 360×640) the
// survey appears when the ticket is done, one element per card; the
// answers, profile and comment reach the store once; a reload thanks
// instead of asking again; English comes with the language switch.
func TestVisitorSurvey(t *testing.T) {
	w := newWorld(t)
	s, m := w.s, w.m
	a := s.Issue(m, m.ServiceA1.ID, false)
	w.act(m.CounterA.ID, "next")

	b := browsertest.New(t, browsertest.Options{Width: 390, Height: 844})
	b.Open(a.StatusURL)
	b.WaitFor(`window.__antrean && window.__antrean.ready`, 5*time.Second)
	var hidden bool
	b.Eval(`document.getElementById("survey").hidden`, &hidden)
	if !hidden {
		t.Error("the survey shows before the ticket is done")
	}
	// Done while the page is open: the survey comes live.
	w.act(m.CounterA.ID, "done")
	b.WaitVisible("#survey .skm-card", 3*time.Second)
	b.Eval(`document.getElementById("survey").scrollIntoView()`, nil)
	if got := b.Text(".skm-card .skm-legend"); got != "U1 Persyaratan" {
		t.Errorf("first card %q", got)
	}
	var labels []string
	b.Eval(`[...document.querySelectorAll(".skm-card .skm-answer")].map(e => e.textContent.trim())`, &labels)
	if strings.Join(labels, "|") != "Tidak baik|Kurang baik|Baik|Sangat baik" {
		t.Errorf("answers %q", labels)
	}
	checkLayout(t, b, "first card 390×844")
	b.Screenshot("card-390x844")
	b.Axe("visitor survey card (id)")

	scores := []int{4, 3, 4, 4, 3, 4, 4, 2, 4}
	answer(t, b, scores[:3])
	// Back to the second card: its answer is still chosen.
	b.WaitFor(`document.querySelector(".skm-card")?.dataset.element === "U4"`, 3*time.Second)
	b.Click(".skm-back")
	b.WaitFor(`document.querySelector(".skm-card")?.dataset.element === "U3"`, 3*time.Second)
	var checked string
	b.Eval(`document.querySelector('.skm-answer[aria-checked="true"]')?.dataset.score || ""`, &checked)
	if checked != "4" {
		t.Errorf("U3's answer after going back: %q", checked)
	}
	b.Click(".skm-next")
	for i := 3; i < 9; i++ {
		b.WaitFor(fmt.Sprintf(`document.querySelector(".skm-card")?.dataset.element === "U%d"`, i+1), 3*time.Second)
		b.Click(fmt.Sprintf(`.skm-card .skm-a%d`, scores[i]))
	}
	b.WaitVisible(".skm-profile", 3*time.Second)
	b.Click(`.skm-chip[data-field="gender"][data-value="P"]`)
	b.Click(`.skm-chip[data-field="age_band"][data-value="30-39"]`)
	b.Click(`.skm-chip[data-field="occupation"][data-value="PNS"]`)
	b.Click(`.skm-chip[data-field="occupation"][data-value="PNS"]`) // a second tap clears
	b.Type("#skm-comment", "Petugas ramah.\nRuang tunggu sejuk.")
	checkLayout(t, b, "profile 390×844")
	b.Screenshot("profile-390x844")
	b.Axe("visitor survey profile (id)")
	b.Click(".skm-submit")
	b.WaitVisible(`.skm-done[data-result="ok"]`, 5*time.Second)
	b.Screenshot("thanks-390x844")
	b.Axe("visitor survey thanks (id)")

	got := stored(t, w)
	if len(got) != 1 {
		t.Fatalf("stored %d responses, want 1", len(got))
	}
	f := got[0]
	if fmt.Sprint(f.Scores) != fmt.Sprint(scores) || f.Profile == nil || *f.Profile != (queue.Profile{Gender: "P", AgeBand: "30-39"}) ||
		f.Comment != "Petugas ramah. Ruang tunggu sejuk." || f.Channel != queue.FeedbackVisitor {
		t.Errorf("stored %+v %+v", f, f.Profile)
	}

	// A reload thanks; it does not ask again.
	b.Open(a.StatusURL)
	b.WaitFor(`window.__antrean && window.__antrean.ready`, 5*time.Second)
	b.WaitVisible(`.skm-done[data-result="rated"]`, 3*time.Second)
	var cards int
	b.Eval(`document.querySelectorAll(".skm-card, .skm-profile").length`, &cards)
	if cards != 0 || !strings.Contains(b.Text(".skm-done"), "sudah menilai") {
		t.Errorf("after a reload: %d form parts, %q", cards, b.Text(".skm-done"))
	}
	b.Eval(`document.getElementById("survey").scrollIntoView()`, nil)
	b.Screenshot("rated-after-reload-390x844")

	// 360×640, in English.
	c := w.served()
	b.Viewport(360, 640)
	b.Open(c.StatusURL + "&lang=en")
	b.WaitFor(`window.__antrean && window.__antrean.ready`, 5*time.Second)
	b.WaitVisible("#survey .skm-card", 3*time.Second)
	b.Eval(`document.getElementById("survey").scrollIntoView()`, nil)
	b.Eval(`[...document.querySelectorAll(".skm-card .skm-answer")].map(e => e.textContent.trim())`, &labels)
	if strings.Join(labels, "|") != "Not good|Fair|Good|Very good" || b.Text(".skm-card .skm-legend") != "U1 Requirements" {
		t.Errorf("English card: %q %q", b.Text(".skm-card .skm-legend"), labels)
	}
	checkLayout(t, b, "card 360×640")
	b.Screenshot("card-en-360x640")
	b.Axe("visitor survey card (en)")
	answerAll(t, b, []int{1, 2, 3, 4, 1, 2, 3, 4, 1})
	checkLayout(t, b, "profile 360×640")
	b.Axe("visitor survey profile (en)")
	b.Click(".skm-submit")
	b.WaitVisible(`.skm-done[data-result="ok"]`, 5*time.Second)
	if n := len(stored(t, w)); n != 2 {
		t.Errorf("stored %d responses, want 2", n)
	}
	b.NoErrors()
}

// TestSurveyTablet: a survey tablet pairs with its token, waits idle,
// shows the survey when its counter finishes a ticket, posts with its
// token, thanks and goes back to idle; after the window a reload stays
// idle; an unpaired tablet says how to pair.
func TestSurveyTablet(t *testing.T) {
	w := newWorld(t)
	s, m := w.s, w.m
	tok := w.surveyDevice(m.CounterA.ID)
	b := browsertest.New(t, browsertest.Options{Width: 1280, Height: 800})
	b.Open(s.URL + "/survey?device=" + tok)
	b.WaitFor(`window.__antrean && window.__antrean.ready && window.__antrean.screen === "idle"`, 5*time.Second)
	var href string
	b.Eval(`location.href`, &href)
	if strings.Contains(href, "device=") {
		t.Errorf("the token stays in the address bar: %s", href)
	}
	if got := b.Text("#counter"); got != "Loket 1 · Dukcapil" {
		t.Errorf("counter %q", got)
	}
	b.WaitFor(`document.documentElement.dataset.conn === "online"`, 5*time.Second)
	b.Screenshot("idle-1280x800")
	b.Axe("survey tablet idle (id)")

	// Counter B finishing a ticket does not concern this tablet.
	s.MustJSON(http.MethodPost, "/api/v1/counters/"+m.CounterB.ID+"/open", m.Tokens["officerB"], nil, http.StatusOK, nil)
	s.Issue(m, m.ServiceB1.ID, false)
	s.MustJSON(http.MethodPost, "/api/v1/counters/"+m.CounterB.ID+"/next", m.Tokens["officerB"], nil, http.StatusOK, nil)
	s.MustJSON(http.MethodPost, "/api/v1/counters/"+m.CounterB.ID+"/done", m.Tokens["officerB"], nil, http.StatusOK, nil)

	a := w.served()
	b.WaitFor(`window.__antrean.screen === "rate"`, 3*time.Second)
	if got := b.Text("#rate-heading"); !strings.Contains(got, a.Ticket.Number) {
		t.Errorf("heading %q, want the number %s", got, a.Ticket.Number)
	}
	var ticket string
	b.Eval(`window.__antrean.ticket`, &ticket)
	if ticket != a.Ticket.ID {
		t.Errorf("rating %s, want %s", ticket, a.Ticket.ID)
	}
	checkLayout(t, b, "tablet card")
	b.Screenshot("rate-1280x800")
	b.Axe("survey tablet card (id)")
	answerAll(t, b, []int{4, 4, 4, 3, 4, 4, 4, 3, 4})
	b.Screenshot("profile-1280x800")
	b.Axe("survey tablet profile (id)")
	b.Click(".skm-submit")
	b.WaitVisible(`.skm-done[data-result="ok"]`, 5*time.Second)
	b.Screenshot("thanks-1280x800")
	b.Axe("survey tablet thanks (id)")
	got := stored(t, w)
	if len(got) != 1 || got[0].Channel != queue.FeedbackDevice || got[0].TicketID != a.Ticket.ID || got[0].Profile != nil {
		t.Fatalf("stored %+v", got)
	}
	b.WaitFor(`window.__antrean.screen === "idle"`, 12*time.Second)

	// In English, then the next visitor: done, and a reload while the
	// window is open brings the survey back.
	b.Click("#lang-en")
	b.WaitFor(`document.documentElement.lang === "en"`, 3*time.Second)
	b.Axe("survey tablet idle (en)")
	c := w.served()
	b.WaitFor(`window.__antrean.screen === "rate"`, 3*time.Second)
	b.Axe("survey tablet card (en)")
	b.Open(s.URL + "/survey")
	b.WaitFor(`window.__antrean.ready && window.__antrean.screen === "rate" && window.__antrean.ticket === "`+c.Ticket.ID+`"`, 5*time.Second)
	b.WaitFor(`document.documentElement.dataset.conn === "online"`, 5*time.Second)
	// The server's window passes while the visitor answers: the tablet
	// is told the survey closed.
	s.Clock.Add(5*time.Minute + time.Second)
	answerAll(t, b, []int{3, 3, 3, 3, 3, 3, 3, 3, 3})
	b.Axe("survey tablet profile (en)")
	b.Click(".skm-submit")
	b.WaitVisible(`.skm-done[data-result="closed"]`, 5*time.Second)
	b.Axe("survey tablet closed (en)")
	b.Open(s.URL + "/survey")
	b.WaitFor(`window.__antrean.ready && window.__antrean.screen === "idle"`, 5*time.Second)

	// Portrait.
	b.Viewport(800, 1280)
	d := w.served()
	b.WaitFor(`window.__antrean.screen === "rate" && window.__antrean.ticket === "`+d.Ticket.ID+`"`, 3*time.Second)
	checkLayout(t, b, "tablet portrait")
	b.Screenshot("rate-800x1280")

	// Unpaired: without a token, and with a revoked one.
	b.Eval(`localStorage.clear()`, nil)
	b.Open(s.URL + "/survey")
	b.WaitFor(`window.__antrean.ready && window.__antrean.screen === "unpaired"`, 5*time.Second)
	b.Screenshot("unpaired-800x1280")
	b.Axe("survey tablet unpaired (id)")
	b.Open(s.URL + "/survey?device=" + apptest.AdminPassword)
	b.WaitFor(`window.__antrean.ready && window.__antrean.screen === "unpaired"`, 5*time.Second)
	if !strings.Contains(b.Text("#unpaired-problem"), "dicabut") {
		t.Errorf("unknown token: %q", b.Text("#unpaired-problem"))
	}
	var kept string
	b.Eval(`localStorage.getItem("antrean.survey.device") || ""`, &kept)
	if kept != "" {
		t.Errorf("an unknown token is kept: %q", kept)
	}
	b.NoErrors(`401 \(Unauthorized\)`, `409 \(Conflict\)`)
}
