package booking_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	_ "image/png"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/mpp-digital/antrean/booking"
	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/queue"
)

// The tests run a real server (bbolt in t.TempDir(), real HTTP) on a
// fixed clock in the mall of apptest.SetupMall: Asia/Jakarta, open every
// day around the clock, check-in from 30 minutes before a slot to 15
// after. 2026-11-26 is a Thursday.

var jakarta = func() *time.Location {
	l, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		panic(err)
	}
	return l
}()

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04:05", s, jakarta)
	if err != nil {
		panic(err)
	}
	return t
}

func startMall(t *testing.T, o apptest.Options) (*apptest.Server, *apptest.Mall) {
	t.Helper()
	if o.Start.IsZero() && o.Clock == nil {
		o.Start = at("2026-11-26 07:00:00")
	}
	s := apptest.Start(t, o)
	return s, s.SetupMall()
}

// created is the answer of POST /api/v1/bookings.
type created struct {
	Code          string    `json:"code"`
	ServiceID     string    `json:"service_id"`
	Date          string    `json:"date"`
	Start         string    `json:"start"`
	End           string    `json:"end"`
	QRURL         string    `json:"qr_url"`
	ICSURL        string    `json:"ics_url"`
	ManageURL     string    `json:"manage_url"`
	CheckinOpens  time.Time `json:"checkin_opens"`
	CheckinCloses time.Time `json:"checkin_closes"`
	PrivacyNotice struct {
		ID string `json:"id"`
		EN string `json:"en"`
	} `json:"privacy_notice"`
}

func body(service, date, start, phone string) map[string]string {
	return map[string]string{"service_id": service, "date": date, "start": start, "name": "Siti Rahayu", "phone": phone}
}

func book(t *testing.T, s *apptest.Server, service, date, start, phone string) created {
	t.Helper()
	var c created
	s.MustJSON(http.MethodPost, "/api/v1/bookings", "", body(service, date, start, phone), http.StatusCreated, &c)
	return c
}

// view is GET /api/v1/bookings/{code}.
type view struct {
	Code, Status, Name, Phone, NIK, Date, Start, End string
	Rescheduled                                      bool `json:"rescheduled"`
	CanReschedule                                    bool `json:"can_reschedule"`
	CanCancel                                        bool `json:"can_cancel"`
	Ticket                                           *struct {
		ID        string `json:"id"`
		Number    string `json:"number"`
		StatusURL string `json:"status_url"`
	} `json:"ticket"`
}

func getView(t *testing.T, s *apptest.Server, code string) view {
	t.Helper()
	var v view
	s.MustJSON(http.MethodGet, "/api/v1/bookings/"+code, "", nil, http.StatusOK, &v)
	return v
}

func wantCode(t *testing.T, r *apptest.Response, status int, code string) {
	t.Helper()
	if r.Status != status || r.ErrorCode() != code {
		t.Errorf("answered %d %s, want %d %s", r.Status, r.Body, status, code)
	}
}

// TestBookingCheckInAndCall: a booking made through the API is checked
// in at the kiosk within its window (idempotently), and its ticket is
// called before a walk-in who came earlier. Events tell of it without
// personal data.
func TestBookingCheckInAndCall(t *testing.T) {
	s, m := startMall(t, apptest.Options{})
	kiosk := m.Tokens["kiosk"]
	c := book(t, s, m.ServiceA1.ID, "2026-11-26", "09:00", "0812 3456 7890")
	if len(c.Code) != 8 || c.End != "09:30" || !strings.HasSuffix(c.ManageURL, "/booking/"+c.Code) ||
		!c.CheckinOpens.Equal(at("2026-11-26 08:30:00")) || !c.CheckinCloses.Equal(at("2026-11-26 09:15:00")) {
		t.Fatalf("created: %+v", c)
	}
	if !strings.Contains(c.PrivacyNotice.ID, "30 hari") || !strings.Contains(c.PrivacyNotice.EN, "30 days") {
		t.Errorf("privacy notice: %+v", c.PrivacyNotice)
	}
	var slots booking.SlotList
	s.MustJSON(http.MethodGet, "/api/v1/services/"+m.ServiceA1.ID+"/slots?date=2026-11-26", "", nil, http.StatusOK, &slots)
	for _, sl := range slots.Slots {
		if sl.Start == "09:00" && (sl.Booked != 1 || sl.Capacity != 5) {
			t.Errorf("the 09:00 slot: %+v", sl)
		}
	}

	s.Clock.Set(at("2026-11-26 08:29:59"))
	r := s.Do(http.MethodPost, "/api/v1/bookings/"+c.Code+"/check-in", kiosk, nil)
	wantCode(t, r, http.StatusConflict, queue.ETooEarly)
	if !strings.Contains(string(r.Body), "08.30 WIB") {
		t.Errorf("too early says %s; want when it opens", r.Body)
	}
	s.Clock.Set(at("2026-11-26 08:35:00"))
	walkIn := s.Issue(m, m.ServiceA1.ID, false)

	// The check-in, by its lower-case code as a scanner may type it,
	// twice with one key: one ticket.
	path := "/api/v1/bookings/" + strings.ToLower(c.Code) + "/check-in"
	r = s.Do(http.MethodPost, path, kiosk, nil, "Idempotency-Key", "scan-1")
	var a apptest.IssueAnswer
	if r.Status != http.StatusCreated {
		t.Fatalf("check-in: %d %s", r.Status, r.Body)
	}
	r.JSON(t, &a)
	if a.Ticket.Channel != queue.ChannelBooking || a.Ticket.Number != "A002" || a.Position != 1 || a.Key() == "" {
		t.Fatalf("check-in answer: %s", r.Body)
	}
	again := s.Do(http.MethodPost, path, kiosk, nil, "Idempotency-Key", "scan-1")
	if again.Status != http.StatusCreated || !bytes.Equal(again.Body, r.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("the repeat: %d %s", again.Status, again.Body)
	}
	r = s.Do(http.MethodPost, path, kiosk, nil, "Idempotency-Key", "scan-2")
	wantCode(t, r, http.StatusConflict, queue.EAlreadyCheckedIn)
	if !strings.Contains(string(r.Body), "A002") {
		t.Errorf("already checked in says %s; want the ticket's number", r.Body)
	}

	// The officer calls next: the booking before the earlier walk-in.
	off := m.Tokens["officerA"]
	s.MustJSON(http.MethodPost, "/api/v1/counters/"+m.CounterA.ID+"/open", off, nil, http.StatusOK, nil)
	var k queue.CounterView
	s.MustJSON(http.MethodPost, "/api/v1/counters/"+m.CounterA.ID+"/next", off, nil, http.StatusOK, &k)
	if k.Current == nil || k.Current.Number != "A002" {
		t.Fatalf("next called %+v, want the booking's A002 before the walk-in %s", k.Current, walkIn.Ticket.Number)
	}
	s.MustJSON(http.MethodPost, "/api/v1/counters/"+m.CounterA.ID+"/next", off, nil, http.StatusOK, &k)
	if k.Current == nil || k.Current.Number != walkIn.Ticket.Number {
		t.Fatalf("then %+v, want the walk-in", k.Current)
	}

	v := getView(t, s, c.Code)
	if v.Status != queue.BookingCheckedIn || v.Ticket == nil || v.Ticket.Number != "A002" || !strings.Contains(v.Ticket.StatusURL, "/t/"+a.Ticket.ID+"?k=") {
		t.Errorf("the booking after check-in: %+v", v)
	}
	if v.Phone != "**********7890" || v.Name != "Siti Rahayu" || v.CanCancel || v.CanReschedule {
		t.Errorf("the holder's view: %+v", v)
	}

	// The event log: booking events with {booking: {id, service_id, date,
	// start}} only; no event anywhere carries the code, name or phone.
	var evs struct{ Events []queue.Event }
	s.MustJSON(http.MethodGet, "/api/v1/events?limit=10000", s.Admin, nil, http.StatusOK, &evs)
	var types []string
	for _, ev := range evs.Events {
		raw := string(ev.Data)
		for _, secret := range []string{c.Code, "Siti", "7890", "+62812"} {
			if strings.Contains(raw, secret) {
				t.Errorf("%s carries %q: %s", ev.Type, secret, raw)
			}
		}
		if strings.HasPrefix(ev.Type, "booking.") {
			types = append(types, ev.Type)
			var d map[string]map[string]string
			if err := json.Unmarshal(ev.Data, &d); err != nil || len(d) != 1 || len(d["booking"]) != 4 || d["booking"]["service_id"] != m.ServiceA1.ID || d["booking"]["start"] != "09:00" {
				t.Errorf("%s data %s", ev.Type, raw)
			}
		}
	}
	if strings.Join(types, " ") != "booking.created booking.checked_in" {
		t.Errorf("booking events: %v", types)
	}
}

// TestBookingCheckinWindowHTTP: the window's edges through the API,
// with the clock at exactly checkin_before_min before the start, a
// second before, exactly checkin_after_min after, and a second after.
func TestBookingCheckinWindowHTTP(t *testing.T) {
	s, m := startMall(t, apptest.Options{})
	kiosk := m.Tokens["kiosk"]
	b9 := book(t, s, m.ServiceA1.ID, "2026-11-26", "09:00", "081200000001")
	b10 := book(t, s, m.ServiceA1.ID, "2026-11-26", "10:00", "081200000002")
	b11 := book(t, s, m.ServiceA1.ID, "2026-11-26", "11:00", "081200000003")
	check := func(code, clock string, status int, errCode string) {
		t.Helper()
		s.Clock.Set(at("2026-11-26 " + clock))
		r := s.Do(http.MethodPost, "/api/v1/bookings/"+code+"/check-in", kiosk, nil)
		if r.Status != status || r.ErrorCode() != errCode {
			t.Errorf("check-in of the %s booking at %s: %d %s, want %d %q", code, clock, r.Status, r.Body, status, errCode)
		}
	}
	check(b9.Code, "08:29:59", http.StatusConflict, queue.ETooEarly)
	check(b9.Code, "08:30:00", http.StatusCreated, "")
	check(b10.Code, "10:15:00", http.StatusCreated, "")
	check(b11.Code, "11:15:01", http.StatusConflict, queue.EExpired)
	if v := getView(t, s, b11.Code); v.Status != queue.BookingExpired || v.CanCancel {
		t.Errorf("after its window: %+v", v)
	}
	wantCode(t, s.Do(http.MethodDelete, "/api/v1/bookings/"+b11.Code, "", nil), http.StatusConflict, queue.EExpired)
}

// TestBookingRules: bad input, capacity, one per person, the NIK, the
// reschedule once, cancel, and who may check in.
func TestBookingRules(t *testing.T) {
	s, m := startMall(t, apptest.Options{})
	A1 := m.ServiceA1.ID
	post := func(b any) *apptest.Response { return s.Do(http.MethodPost, "/api/v1/bookings", "", b) }

	for _, c := range []struct {
		name string
		body any
		want int
		code string
	}{
		{"no service", map[string]string{"date": "2026-11-27", "start": "09:00", "name": "x", "phone": "081234567890"}, 400, queue.EInvalid},
		{"unknown service", body("svc_nope", "2026-11-27", "09:00", "081234567890"), 404, queue.ENotFound},
		{"yesterday", body(A1, "2026-11-25", "09:00", "081234567890"), 400, queue.EInvalid},
		{"15 days ahead", body(A1, "2026-12-11", "09:00", "081234567890"), 400, queue.EInvalid},
		{"no such date", body(A1, "2026-02-30", "09:00", "081234567890"), 400, queue.EInvalid},
		{"not a slot", body(A1, "2026-11-27", "09:10", "081234567890"), 400, queue.EInvalid},
		{"a slot that ended", body(A1, "2026-11-26", "06:30", "081234567890"), 400, queue.EInvalid},
		{"bad phone", body(A1, "2026-11-27", "09:00", "+1 202 555 0100"), 400, queue.EInvalid},
		{"NIK where none is taken", map[string]string{"service_id": A1, "date": "2026-11-27", "start": "09:00", "name": "x", "phone": "081234567890", "nik": "3171012345678901"}, 400, queue.EInvalid},
		{"unknown field", map[string]string{"service_id": A1, "date": "2026-11-27", "start": "09:00", "name": "x", "phone": "081234567890", "email": "x@y"}, 400, queue.EInvalid},
		{"trailing data", `{"service_id": "` + A1 + `", "date": "2026-11-27", "start": "09:00", "name": "x", "phone": "081234567890"} {}`, 400, queue.EInvalid},
		{"control character", body(A1, "2026-11-27", "09:00", "081234567890\u0000"), 400, queue.EInvalid},
	} {
		r := post(c.body)
		if r.Status != c.want || r.ErrorCode() != c.code {
			t.Errorf("%s: %d %s, want %d %s", c.name, r.Status, r.Body, c.want, c.code)
		}
	}

	// One active booking per phone (in any of its forms), per service
	// and day.
	first := book(t, s, A1, "2026-11-27", "09:00", "0812-1111-2222")
	wantCode(t, post(body(A1, "2026-11-27", "13:00", "+62 812 1111 2222")), http.StatusConflict, queue.EAlreadyBooked)
	book(t, s, A1, "2026-11-28", "09:00", "081211112222")

	// A slot of 2 places.
	svc := *s.App.Engine.State().Service(m.ServiceA2.ID)
	svc.SlotCapacity, svc.RequiresNIK = 2, true
	s.MustJSON(http.MethodPut, "/api/v1/services/"+svc.ID, s.Admin, svc, http.StatusOK, nil)
	nikBody := func(phone, nik string) map[string]string {
		b := body(svc.ID, "2026-11-27", "10:00", phone)
		b["nik"] = nik
		return b
	}
	var withNIK created
	s.MustJSON(http.MethodPost, "/api/v1/bookings", "", nikBody("081200000010", "3171 0123 4567 8901"), http.StatusCreated, &withNIK)
	if v := getView(t, s, withNIK.Code); v.NIK != "************8901" {
		t.Errorf("NIK shown as %q", v.NIK)
	}
	wantCode(t, post(nikBody("081200000011", "3171012345678901")), http.StatusConflict, queue.EAlreadyBooked)
	wantCode(t, post(nikBody("081200000011", "")), http.StatusBadRequest, queue.EInvalid)
	s.MustJSON(http.MethodPost, "/api/v1/bookings", "", nikBody("081200000011", "3171012345678902"), http.StatusCreated, nil)
	wantCode(t, post(nikBody("081200000012", "3171012345678903")), http.StatusConflict, queue.ESlotFull)

	// Reschedule once.
	rs := func(code, date, start string) *apptest.Response {
		return s.Do(http.MethodPost, "/api/v1/bookings/"+code+"/reschedule", "", map[string]string{"date": date, "start": start})
	}
	wantCode(t, rs(first.Code, "2026-11-27", "09:00"), http.StatusBadRequest, queue.EInvalid)
	r := rs(first.Code, "2026-11-27", "11:30")
	var moved view
	if r.Status != http.StatusOK {
		t.Fatalf("reschedule: %d %s", r.Status, r.Body)
	}
	r.JSON(t, &moved)
	if moved.Start != "11:30" || moved.End != "12:00" || !moved.Rescheduled || moved.CanReschedule {
		t.Errorf("moved: %+v", moved)
	}
	wantCode(t, rs(first.Code, "2026-11-27", "12:00"), http.StatusConflict, queue.EAlreadyRescheduled)
	other := book(t, s, A1, "2026-11-29", "09:00", "081211112222")
	wantCode(t, s.Do(http.MethodPost, "/api/v1/bookings/"+other.Code+"/reschedule", "", map[string]string{"date": "2026-11-29"}), http.StatusBadRequest, queue.EInvalid)
	// Not to a day the phone holds a booking of already.
	wantCode(t, rs(other.Code, "2026-11-28", "13:00"), http.StatusConflict, queue.EAlreadyBooked)

	// Cancel: 204, personal fields gone at once, cancelling again changes
	// nothing, and the code checks in no more.
	s.MustJSON(http.MethodDelete, "/api/v1/bookings/"+withNIK.Code, "", nil, http.StatusNoContent, nil)
	if v := getView(t, s, withNIK.Code); v.Status != queue.BookingCancelled || v.Name != "" || v.Phone != "" || v.NIK != "" || v.CanCancel {
		t.Errorf("cancelled: %+v", v)
	}
	s.MustJSON(http.MethodDelete, "/api/v1/bookings/"+withNIK.Code, "", nil, http.StatusNoContent, nil)
	wantCode(t, s.Do(http.MethodPost, "/api/v1/bookings/"+withNIK.Code+"/check-in", m.Tokens["kiosk"], nil), http.StatusConflict, queue.EBookingCancelled)
	wantCode(t, rs(withNIK.Code, "2026-11-27", "13:00"), http.StatusConflict, queue.EBookingCancelled)
	// Its place is free again.
	s.MustJSON(http.MethodPost, "/api/v1/bookings", "", nikBody("081200000012", "3171012345678903"), http.StatusCreated, nil)

	// Who checks in: greeters of the booking's agency or of none, the
	// kiosk; a greeter of another agency is refused, whoever holds the code.
	s.Clock.Set(at("2026-11-27 11:10:00"))
	login := func(who string) string { return s.Login(m.Users[who].Username, apptest.StaffPassword) } // a day on: sessions ended
	wantCode(t, s.Do(http.MethodPost, "/api/v1/bookings/"+first.Code+"/check-in", login("greeterB"), nil), http.StatusForbidden, queue.EForbidden)
	wantCode(t, s.Do(http.MethodPost, "/api/v1/bookings/"+first.Code+"/check-in", login("officerA"), nil), http.StatusForbidden, queue.EForbidden)
	wantCode(t, s.Do(http.MethodPost, "/api/v1/bookings/"+first.Code+"/check-in", "", nil), http.StatusUnauthorized, queue.EUnauthenticated)
	s.MustJSON(http.MethodPost, "/api/v1/bookings/"+first.Code+"/check-in", login("greeterA"), nil, http.StatusCreated, nil)

	// Unknown and malformed codes look the same.
	for _, code := range []string{"ZZZZZZZZ", "nope", "0OOOOOOO"} {
		wantCode(t, s.Do(http.MethodGet, "/api/v1/bookings/"+code, "", nil), http.StatusNotFound, queue.ENotFound)
	}
}

// TestBookingDayOverAndPurge: yesterday's booking answers from the store;
// its personal fields go retention_days full days after its date.
func TestBookingDayOverAndPurge(t *testing.T) {
	s, m := startMall(t, apptest.Options{})
	c := book(t, s, m.ServiceA1.ID, "2026-11-27", "09:00", "081234567890")
	s.Clock.Set(at("2026-11-28 08:00:00"))
	s.MustJSON(http.MethodGet, "/readyz", "", nil, http.StatusOK, nil) // a command: the day rolls
	v := getView(t, s, c.Code)
	if v.Status != queue.BookingExpired || v.Name == "" {
		t.Errorf("the day after: %+v", v)
	}
	wantCode(t, s.Do(http.MethodPost, "/api/v1/bookings/"+c.Code+"/check-in", m.Tokens["kiosk"], nil), http.StatusConflict, queue.EExpired)
	// Retention 30 days: kept through 2026-12-27, erased when the 28th begins.
	s.Clock.Set(at("2026-12-27 23:59:59"))
	s.MustJSON(http.MethodGet, "/readyz", "", nil, http.StatusOK, nil)
	if v := getView(t, s, c.Code); v.Name == "" || v.Phone == "" {
		t.Errorf("erased before the retention ended: %+v", v)
	}
	s.Clock.Set(at("2026-12-28 00:00:00"))
	s.MustJSON(http.MethodGet, "/readyz", "", nil, http.StatusOK, nil)
	if v := getView(t, s, c.Code); v.Name != "" || v.Phone != "" || v.Status != queue.BookingExpired || v.Date != "2026-11-27" {
		t.Errorf("after the retention: %+v", v)
	}
}

// TestThousandBookingsForHundredPlaces: 1,000 people book at once for a
// service whose day has 100 online places (quota 200, online share 50 %):
// exactly 100 get a code, the others slot_full, and the slots say so.
func TestThousandBookingsForHundredPlaces(t *testing.T) {
	s, m := startMall(t, apptest.Options{BookingLimit: booking.Limit{Burst: 5000, Every: time.Millisecond}})
	svc := *s.App.Engine.State().Service(m.ServiceB1.ID)
	svc.DailyQuota, svc.OnlineSharePct, svc.SlotCapacity = 200, 50, 1000
	s.MustJSON(http.MethodPut, "/api/v1/services/"+svc.ID, s.Admin, svc, http.StatusOK, nil)
	const n = 1000
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 64, MaxIdleConnsPerHost: 64}, Timeout: 60 * time.Second}
	starts := []string{"08:00", "08:30", "09:00", "13:00", "14:30"}
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		counts = map[int]int{}
		codes  = map[string]bool{}
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			raw, _ := json.Marshal(body(svc.ID, "2026-11-27", starts[i%len(starts)], fmt.Sprintf("0857%08d", i)))
			resp, err := client.Post(s.URL+"/api/v1/bookings", "application/json", bytes.NewReader(raw))
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			var c created
			json.Unmarshal(b, &c)
			mu.Lock()
			defer mu.Unlock()
			counts[resp.StatusCode]++
			if resp.StatusCode == http.StatusCreated {
				if codes[c.Code] {
					t.Errorf("code %s given twice", c.Code)
				}
				codes[c.Code] = true
			} else if !strings.Contains(string(b), queue.ESlotFull) {
				t.Errorf("%d %s", resp.StatusCode, b)
			}
		}()
	}
	wg.Wait()
	if counts[http.StatusCreated] != 100 || counts[http.StatusConflict] != n-100 {
		t.Fatalf("answers %v, want 100 × 201 and %d × 409", counts, n-100)
	}
	var slots booking.SlotList
	s.MustJSON(http.MethodGet, "/api/v1/services/"+svc.ID+"/slots?date=2026-11-27", "", nil, http.StatusOK, &slots)
	total := 0
	for _, sl := range slots.Slots {
		total += sl.Booked
		if sl.Capacity != sl.Booked {
			t.Errorf("slot %s of a full day: %d of %d", sl.Start, sl.Booked, sl.Capacity)
		}
	}
	if total != 100 {
		t.Errorf("the slots hold %d bookings, want 100", total)
	}
}

// TestBookingRateLimits: one client makes so many bookings, then 429;
// and tries so many unknown codes, then meets 429 with Retry-After for
// any code, known ones too, while a kiosk counts on its own.
func TestBookingRateLimits(t *testing.T) {
	s, m := startMall(t, apptest.Options{
		BookingLimit: booking.Limit{Burst: 3, Every: time.Hour},
		GuessLimit:   booking.Limit{Burst: 5, Every: time.Hour},
	})
	var first created
	r := s.Do(http.MethodPost, "/api/v1/bookings", "", body(m.ServiceA1.ID, "2026-11-27", "09:00", "081200000001"), "Idempotency-Key", "k1")
	if r.Status != http.StatusCreated {
		t.Fatalf("first booking: %d %s", r.Status, r.Body)
	}
	r.JSON(t, &first)
	book(t, s, m.ServiceA1.ID, "2026-11-27", "09:00", "081200000002")
	book(t, s, m.ServiceA1.ID, "2026-11-27", "09:00", "081200000003")
	r = s.Do(http.MethodPost, "/api/v1/bookings", "", body(m.ServiceA1.ID, "2026-11-27", "09:00", "081200000004"))
	wantCode(t, r, http.StatusTooManyRequests, queue.ERateLimited)
	if ra := r.Header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Errorf("Retry-After %q", ra)
	}
	// The repeat of an answered request gets its answer.
	r = s.Do(http.MethodPost, "/api/v1/bookings", "", body(m.ServiceA1.ID, "2026-11-27", "09:00", "081200000001"), "Idempotency-Key", "k1")
	if r.Status != http.StatusCreated || r.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("replay while limited: %d %s", r.Status, r.Body)
	}

	// Five unknown codes, through every code route.
	for _, path := range []string{"/api/v1/bookings/ZZZZZZZZ", "/api/v1/bookings/ZZZZZZZY/booking.ics", "/api/v1/bookings/ZZZZZZZX/qr.png", "/api/v1/bookings/bad"} {
		wantCode(t, s.Do(http.MethodGet, path, "", nil), http.StatusNotFound, queue.ENotFound)
	}
	wantCode(t, s.Do(http.MethodDelete, "/api/v1/bookings/ZZZZZZZW", "", nil), http.StatusNotFound, queue.ENotFound)
	// The sixth lookup, of a real code, is refused.
	r = s.Do(http.MethodGet, "/api/v1/bookings/"+first.Code, "", nil)
	wantCode(t, r, http.StatusTooManyRequests, queue.ERateLimited)
	if ra := r.Header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Errorf("Retry-After %q", ra)
	}
	wantCode(t, s.Do(http.MethodPost, "/api/v1/bookings/"+first.Code+"/reschedule", "", map[string]string{"date": "2026-11-27", "start": "10:00"}), http.StatusTooManyRequests, queue.ERateLimited)
	// The kiosk has its own count.
	s.Clock.Set(at("2026-11-27 08:40:00"))
	s.MustJSON(http.MethodPost, "/api/v1/bookings/"+first.Code+"/check-in", m.Tokens["kiosk"], nil, http.StatusCreated, nil)
}

// TestBookingCalendarAndQR: the .ics file is a well-formed calendar of
// the slot, and the QR code holds the booking's page, a URL ending in
// its code, which reads back as the code.
func TestBookingCalendarAndQR(t *testing.T) {
	s, m := startMall(t, apptest.Options{})
	c := book(t, s, m.ServiceA1.ID, "2026-11-27", "09:00", "081234567890")
	r := s.Do(http.MethodGet, "/api/v1/bookings/"+c.Code+"/booking.ics", "", nil)
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/calendar") || !strings.Contains(r.Header.Get("Content-Disposition"), "booking-"+c.Code+".ics") {
		t.Fatalf("ics: %d %v", r.Status, r.Header)
	}
	ics := string(r.Body)
	for _, want := range []string{"BEGIN:VCALENDAR\r\n", "DTSTART:20261127T020000Z\r\n", "DTEND:20261127T023000Z\r\n", "UID:", "END:VCALENDAR\r\n", "TRIGGER:-PT1H"} {
		if !strings.Contains(ics, want) {
			t.Errorf("ics lacks %q:\n%s", want, ics)
		}
	}
	unfolded := strings.ReplaceAll(ics, "\r\n ", "")
	if !strings.Contains(unfolded, booking.FormatCode(c.Code)) || !strings.Contains(unfolded, "08.30 WIB") || !strings.Contains(unfolded, "KTP-el") {
		t.Errorf("ics description: %s", unfolded)
	}
	for _, line := range strings.Split(strings.TrimSuffix(ics, "\r\n"), "\r\n") {
		if len(line) > 75 || strings.Contains(line, "\n") {
			t.Errorf("ics line of %d octets: %q", len(line), line)
		}
	}
	for _, l := range []string{"Siti", "7890"} {
		if strings.Contains(ics, l) {
			t.Errorf("the calendar file carries %q", l)
		}
	}
	r = s.Do(http.MethodGet, "/api/v1/bookings/"+c.Code+"/qr.png", "", nil)
	img, _, err := image.Decode(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatalf("qr.png: %d %v", r.Status, err)
	}
	bmp, _ := gozxing.NewBinaryBitmapFromImage(img)
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.GetText() != c.ManageURL {
		t.Errorf("QR holds %q, want %q", res.GetText(), c.ManageURL)
	}
	if code, ok := queue.ParseBookingCode(res.GetText()); !ok || code != c.Code {
		t.Errorf("the QR's text reads as code %q", code)
	}
}

// TestBookingPageServes: /booking is served with the shared headers, in
// both languages, listing only services that take bookings; /booking/CODE
// opens that code; both catalogues have every key.
func TestBookingPageServes(t *testing.T) {
	s, m := startMall(t, apptest.Options{})
	svc := *s.App.Engine.State().Service(m.ServiceB1.ID)
	svc.OnlineSharePct = 0
	s.MustJSON(http.MethodPut, "/api/v1/services/"+svc.ID, s.Admin, svc, http.StatusOK, nil)
	r := s.Do(http.MethodGet, "/booking", "", nil)
	page := string(r.Body)
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") || r.Header.Get("Content-Security-Policy") == "" ||
		r.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("GET /booking: %d %v", r.Status, r.Header)
	}
	if !strings.Contains(page, `<html lang="id">`) || !strings.Contains(page, "Pilih instansi") || !strings.Contains(page, m.ServiceA1.ID) || strings.Contains(page, svc.ID) {
		t.Errorf("the page lists the wrong services or language:\n%s", page)
	}
	if en := string(s.Do(http.MethodGet, "/booking?lang=en", "", nil).Body); !strings.Contains(en, `<html lang="en">`) || !strings.Contains(en, "Choose an agency") {
		t.Errorf("English page: %s", en)
	}
	c := book(t, s, m.ServiceA1.ID, "2026-11-27", "09:00", "081234567890")
	if p := string(s.Do(http.MethodGet, "/booking/"+strings.ToLower(c.Code), "", nil).Body); !strings.Contains(p, `"code":"`+c.Code+`"`) {
		t.Errorf("/booking/CODE does not open the code")
	}
	if r := s.Do(http.MethodGet, "/booking/assets/booking.js", "", nil); r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/javascript") {
		t.Errorf("booking.js: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	if missing := booking.Catalog().Missing(); len(missing["id"]) > 0 || len(missing["en"]) > 0 {
		t.Errorf("catalogue keys missing: %v", missing)
	}
	// Every key the script names is in the catalogue.
	js, err := os.ReadFile("assets/booking.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range regexp.MustCompile(`\bt\("([a-z_.]*[a-z_])"`).FindAllStringSubmatch(string(js), -1) {
		if _, ok := booking.Catalog()["id"][k[1]]; !ok {
			t.Errorf("booking.js names %q, which the catalogue lacks", k[1])
		}
	}
	for _, st := range []string{queue.BookingBooked, queue.BookingCheckedIn, queue.BookingCancelled, queue.BookingExpired} {
		if _, ok := booking.Catalog()["en"]["bstatus."+st]; !ok {
			t.Errorf("no words for the status %s", st)
		}
	}
}
