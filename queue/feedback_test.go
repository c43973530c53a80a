package queue_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/queue"
)

func nine(v int) []int {
	s := make([]int, 9)
	for i := range s {
		s[i] = v
	}
	return s
}

// storedFeedback is every response the store holds, as JSON.
func (e *env) storedFeedback(from, to string) []string {
	e.t.Helper()
	var out []string
	err := e.db.Feedback(from, to, func(f *queue.Feedback) error {
		b, _ := json.Marshal(f)
		out = append(out, string(b))
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// refuseFeedback is refuse plus: no response stored and none marked.
func (e *env) refuseFeedback(cmd queue.SubmitFeedback, code string) {
	e.t.Helper()
	before := e.storedFeedback("0000-00-00", "9999-99-99")
	rated := e.st().Rated(cmd.TicketID)
	e.refuse(cmd, code)
	if after := e.storedFeedback("0000-00-00", "9999-99-99"); !slices.Equal(before, after) {
		e.t.Fatalf("refused %+v changed the stored responses:\nbefore %v\nafter %v", cmd, before, after)
	}
	if e.st().Rated(cmd.TicketID) != rated {
		e.t.Fatalf("refused %+v changed whether the ticket is rated", cmd)
	}
}

// served issues a ticket in svc-a, calls it at k1 and finishes it.
func (e *env) served() *queue.Ticket {
	e.t.Helper()
	t := e.issue("svc-a", false)
	e.act("k1", queue.ActNext)
	e.act("k1", queue.ActDone)
	return e.st().Ticket(t.ID)
}

// TestFeedback: one anonymous response per done ticket of today; every
// refusal changes nothing; the response and the rated mark survive a
// restart; the event names the ticket and service only.
func TestFeedback(t *testing.T) {
	e := newEnv(t, "Asia/Jakarta", "2026-11-26 08:00:00")
	e.openCounter("k1", "u1")
	waiting := e.issue("svc-c", false)
	done := e.served()
	if done.Status != queue.Done {
		t.Fatalf("served ticket is %s", done.Status)
	}

	good := queue.SubmitFeedback{TicketID: done.ID, Scores: []int{4, 3, 4, 2, 4, 4, 3, 4, 1},
		Profile: queue.Profile{Gender: "P", AgeBand: "30-39", Education: "S1", Occupation: "Wirausaha"}, Comment: "  Pelayanan cepat, terima kasih.  "}

	// Refusals, each changing nothing.
	e.refuseFeedback(queue.SubmitFeedback{TicketID: "20261126-999", Scores: nine(4)}, queue.ENotFound)
	e.refuseFeedback(queue.SubmitFeedback{TicketID: "nonsense", Scores: nine(4)}, queue.ENotFound)
	e.refuseFeedback(queue.SubmitFeedback{TicketID: waiting.ID, Scores: nine(4)}, queue.EInvalidTransition)
	bad := []queue.SubmitFeedback{
		{TicketID: done.ID, Scores: nine(4)[:8]},
		{TicketID: done.ID, Scores: append(nine(4), 4)},
		{TicketID: done.ID},
		{TicketID: done.ID, Scores: []int{4, 4, 4, 4, 0, 4, 4, 4, 4}},
		{TicketID: done.ID, Scores: []int{4, 4, 4, 4, 5, 4, 4, 4, 4}},
		{TicketID: done.ID, Scores: nine(4), Profile: queue.Profile{Gender: "X"}},
		{TicketID: done.ID, Scores: nine(4), Profile: queue.Profile{AgeBand: "17"}},
		{TicketID: done.ID, Scores: nine(4), Profile: queue.Profile{Education: "SMK"}},
		{TicketID: done.ID, Scores: nine(4), Profile: queue.Profile{Occupation: "pns"}},
		{TicketID: done.ID, Scores: nine(4), Comment: "baris\nbaru"},
		{TicketID: done.ID, Scores: nine(4), Comment: "tab\there"},
		{TicketID: done.ID, Scores: nine(4), Comment: "\x7f"},
		{TicketID: done.ID, Scores: nine(4), Comment: "\u0085"},
		{TicketID: done.ID, Scores: nine(4), Comment: "\xff"},
		{TicketID: done.ID, Scores: nine(4), Comment: strings.Repeat("é", queue.MaxCommentLen+1)},
	}
	for _, c := range bad {
		e.refuseFeedback(c, queue.EInvalid)
	}
	// A survey tablet of another counter: forbidden, whatever the body.
	e.refuseFeedback(queue.SubmitFeedback{TicketID: done.ID, Scores: nine(4), Counter: "k3"}, queue.EForbidden)
	e.refuseFeedback(queue.SubmitFeedback{TicketID: waiting.ID, Scores: nine(4), Counter: "k1"}, queue.EForbidden)

	// The longest comment is fine; this one is shorter.
	if _, err := e.apply(queue.SubmitFeedback{TicketID: done.ID, Scores: nine(4), Comment: strings.Repeat("é", queue.MaxCommentLen)}); err != nil {
		t.Fatalf("a comment of %d characters: %v", queue.MaxCommentLen, err)
	}
	// One response per ticket.
	e.refuseFeedback(good, queue.EAlreadyRated)
	e.refuseFeedback(queue.SubmitFeedback{TicketID: done.ID, Scores: nine(1), Counter: "k1"}, queue.EAlreadyRated)

	second := e.served()
	before := e.st().Seq
	v := e.must(good2(good, second.ID))
	f := v.(*queue.Feedback)
	if f.Comment != "Pelayanan cepat, terima kasih." || f.Channel != queue.FeedbackVisitor || f.ServiceID != "svc-a" || f.AgencyID != "ag-x" || f.CounterID != "k1" || f.Day != "2026-11-26" {
		t.Errorf("stored response %+v", f)
	}
	if f.Profile == nil || *f.Profile != good.Profile {
		t.Errorf("profile %+v, want %+v", f.Profile, good.Profile)
	}
	evs := e.events(before)
	if len(evs) != 1 || evs[0].Type != "feedback.received" || string(evs[0].Data) != `{"ticket_id":"`+second.ID+`","service_id":"svc-a","agency_id":"ag-x","scores":[4,3,4,2,4,4,3,4,1]}` {
		t.Errorf("events after the response: %v %s", types(evs), evs[0].Data)
	}
	if !e.st().Rated(second.ID) || !e.st().Rated(done.ID) || e.st().Rated(waiting.ID) {
		t.Error("rated marks wrong")
	}
	if e.st().SurveyOpen(second) || e.st().SurveyOpen(e.st().Ticket(waiting.ID)) {
		t.Error("SurveyOpen true for a rated or waiting ticket")
	}

	// A restart knows which tickets were rated.
	e.restart()
	if !e.st().Rated(second.ID) || !e.st().Rated(done.ID) {
		t.Fatal("after a restart the rated marks are gone")
	}
	e.refuseFeedback(good2(good, second.ID), queue.EAlreadyRated)
	stored := e.storedFeedback("2026-11-26", "2026-11-26")
	if len(stored) != 2 || !strings.Contains(stored[1], `"comment":"Pelayanan cepat, terima kasih."`) {
		t.Errorf("stored %v", stored)
	}
	if got := e.storedFeedback("2026-11-27", "2026-12-31"); len(got) != 0 {
		t.Errorf("responses of later days: %v", got)
	}

	// The next day: yesterday's done ticket can no longer be rated, and a
	// new day starts with nobody rated.
	third := e.served()
	e.at("2026-11-27 08:00:00")
	e.must(queue.Ping{}) // the roll at midnight
	e.refuseFeedback(queue.SubmitFeedback{TicketID: third.ID, Scores: nine(4)}, queue.ESurveyClosed)
	e.refuseFeedback(queue.SubmitFeedback{TicketID: third.ID, Scores: nine(4), Counter: "k1"}, queue.ENotFound)
	if e.st().Rated(done.ID) {
		t.Error("yesterday's rated marks stay in the new day")
	}
	e.checkSeqs()
}

func good2(c queue.SubmitFeedback, id string) queue.SubmitFeedback {
	c.TicketID = id
	return c
}

// TestFeedbackDeviceWindow: a survey tablet rates its counter's tickets
// for five minutes after done, not a second more.
func TestFeedbackDeviceWindow(t *testing.T) {
	e := newEnv(t, "Asia/Jakarta", "2026-11-26 08:00:00")
	e.openCounter("k1", "u1")
	a := e.served()
	b := e.served()
	e.now = a.DoneAt.Add(queue.SurveyWindow)
	f := e.must(queue.SubmitFeedback{TicketID: a.ID, Scores: nine(3), Counter: "k1"}).(*queue.Feedback)
	if f.Channel != queue.FeedbackDevice || f.Profile != nil {
		t.Errorf("tablet response %+v", f)
	}
	e.now = b.DoneAt.Add(queue.SurveyWindow + time.Second)
	e.refuseFeedback(queue.SubmitFeedback{TicketID: b.ID, Scores: nine(3), Counter: "k1"}, queue.ESurveyClosed)
	// The visitor's own page still may, until the day ends.
	e.must(queue.SubmitFeedback{TicketID: b.ID, Scores: nine(3)})
	if last := e.st().LastDone("k1"); last == nil || last.ID != b.ID {
		t.Errorf("LastDone(k1) = %v, want %s", last, b.ID)
	}
	if last := e.st().LastDone("k3"); last != nil {
		t.Errorf("LastDone(k3) = %v, want none", last)
	}
}

// TestFeedbackFollowsSiteElements: the number of answers is the site's
// number of elements at the time.
func TestFeedbackFollowsSiteElements(t *testing.T) {
	e := newEnv(t, "Asia/Jakarta", "2026-11-26 08:00:00")
	e.updateSite(func(s *queue.Site) { s.SKMElements = []string{"Kecepatan", "Keramahan", "Kenyamanan"} })
	e.openCounter("k1", "u1")
	a := e.served()
	e.refuseFeedback(queue.SubmitFeedback{TicketID: a.ID, Scores: nine(4)}, queue.EInvalid)
	e.must(queue.SubmitFeedback{TicketID: a.ID, Scores: []int{1, 2, 3}})
}

// TestSurveyDevice: a survey device needs an existing counter, and the
// counter cannot be deleted while the tablet stands at it.
func TestSurveyDevice(t *testing.T) {
	e := newEnv(t, "Asia/Jakarta", "2026-11-26 08:00:00")
	dev := func(d queue.Device) queue.PutDevice {
		d.ID, d.Name, d.TokenHash = "dev-1", "Tablet Loket 1", "h"
		return queue.PutDevice{Device: &d, Create: true}
	}
	e.refuse(dev(queue.Device{Kind: queue.DeviceSurvey}), queue.EInvalid)
	e.refuse(dev(queue.Device{Kind: queue.DeviceSurvey, CounterID: "k9"}), queue.EInvalid)
	e.refuse(dev(queue.Device{Kind: queue.DeviceSurvey, CounterID: "k1", Printer: "10.0.0.1:9100"}), queue.EInvalid)
	e.refuse(dev(queue.Device{Kind: queue.DeviceSurvey, CounterID: "k1", AgencyIDs: []string{"ag-x"}}), queue.EInvalid)
	e.refuse(dev(queue.Device{Kind: queue.DeviceKiosk, CounterID: "k1"}), queue.EInvalid)
	e.refuse(dev(queue.Device{Kind: queue.DeviceDisplay, CounterID: "k1"}), queue.EInvalid)
	d := e.must(dev(queue.Device{Kind: queue.DeviceSurvey, CounterID: "k1"})).(*queue.Device)
	if d.CounterID != "k1" || !reflect.DeepEqual(d.AgencyIDs, []string{}) {
		t.Errorf("device %+v", d)
	}
	e.refuse(queue.DeleteCounter{ID: "k1"}, queue.EInUse)
	e.restart()
	if got := e.st().Device("dev-1"); got == nil || got.CounterID != "k1" {
		t.Fatalf("after a restart the device is %+v", got)
	}
	e.must(queue.DeleteDevice{ID: "dev-1"})
	e.must(queue.DeleteCounter{ID: "k1"})
}
