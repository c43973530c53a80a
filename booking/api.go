package booking

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/mpp-digital/antrean/httpapi"
	"github.com/mpp-digital/antrean/internal/ticketurl"
	"github.com/mpp-digital/antrean/queue"
)

// The API of online booking (API.md, "Online booking (MPP Digital)").

type handlers struct {
	api     *httpapi.Server
	engine  *queue.Engine
	creates *limiter
	guesses *limiter
}

func (h *handlers) routes() {
	a := h.api
	a.Route(http.MethodGet, "/services/:id/slots", h.slots)
	a.Route(http.MethodPost, "/bookings", h.create)
	a.Route(http.MethodGet, "/bookings/:code", h.get)
	a.Route(http.MethodDelete, "/bookings/:code", h.cancel)
	a.Route(http.MethodPost, "/bookings/:code/reschedule", h.reschedule)
	a.Route(http.MethodGet, "/bookings/:code/booking.ics", h.ics)
	a.Route(http.MethodGet, "/bookings/:code/qr.png", h.qr)
	a.Route(http.MethodPost, "/bookings/:code/check-in", h.checkIn, httpapi.Kiosk, httpapi.Greeter, httpapi.Admin)
}

// --- slots

// SlotList is the answer of GET /api/v1/services/{id}/slots.
type SlotList struct {
	Date  string       `json:"date"`
	Slots []queue.Slot `json:"slots"`
	// PlacesLeft is the day's online places left (the service's online
	// share of its quota), null when only the slots limit them.
	PlacesLeft *int `json:"places_left"`
}

func (h *handlers) slots(c echo.Context) error {
	st := h.engine.State()
	svc := st.Service(c.Param("id"))
	if svc == nil {
		return queue.NotFound()
	}
	now := h.engine.Now()
	date := c.QueryParam("date")
	if date == "" {
		date = now.In(st.Loc).Format(queue.DateLayout)
	}
	slots, err := st.Slots(svc, date, now)
	if err != nil {
		return err
	}
	list := SlotList{Date: date, Slots: slots}
	if left := st.DayPlacesLeft(svc, date); left >= 0 && queue.OnlinePlaces(svc) != 0 {
		list.PlacesLeft = &left
	} else if queue.OnlinePlaces(svc) == 0 {
		zero := 0
		list.PlacesLeft = &zero
	}
	return c.JSON(http.StatusOK, list)
}

// --- making a booking

// createBody is the body of POST /api/v1/bookings.
type createBody struct {
	ServiceID string `json:"service_id"`
	Date      string `json:"date"`
	Start     string `json:"start"`
	Name      string `json:"name"`
	Phone     string `json:"phone"`
	NIK       string `json:"nik"`
}

// Created is the answer of POST /api/v1/bookings.
type Created struct {
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
	PrivacyNotice Notice    `json:"privacy_notice"`
}

// Notice is a text in both languages.
type Notice struct {
	ID string `json:"id"`
	EN string `json:"en"`
}

// PrivacyNotice says what a booking keeps and for how long (API.md: the
// booking page shows it before submission, and the answer carries it).
func PrivacyNotice(site *queue.Site) Notice {
	d := site.RetentionDays
	return Notice{
		ID: fmt.Sprintf("Kami menyimpan nama dan nomor HP Anda (serta 4 digit terakhir NIK dan sidik NIK yang disandikan, bila layanan memerlukan NIK) hanya untuk booking ini: untuk check-in dan agar satu orang memegang satu booking per layanan per hari. Data ini tidak pernah tampil di layar publik dan dihapus %d hari setelah tanggal booking, atau segera bila booking dibatalkan (UU 27/2022 tentang Pelindungan Data Pribadi).", d),
		EN: fmt.Sprintf("We keep your name and phone number (and, where the service requires a NIK, its last 4 digits and a keyed fingerprint of it) for this booking only: for check-in, and so that one person holds one booking per service and day. They never appear on public screens and are erased %d days after the booking's date, or at once when the booking is cancelled (Law 27/2022 on Personal Data Protection).", d),
	}
}

func (h *handlers) create(c echo.Context) error {
	if err := h.limitCreate(c); err != nil {
		return err
	}
	var b createBody
	if err := httpapi.Decode(c, &b); err != nil {
		return err
	}
	if b.ServiceID == "" {
		return queue.Invalid(map[string]string{"service_id": "required"})
	}
	if h.engine.State().Service(b.ServiceID) == nil {
		return queue.NotFound()
	}
	if b.NIK != "" && h.engine.State().BookingSecret() == nil {
		if err := h.ensureSecret(c); err != nil {
			return err
		}
	}
	code, err := h.freshCode()
	if err != nil {
		return err
	}
	base := h.api.BaseURL(c)
	cmd := queue.CreateBooking{ID: queue.NewID("bkg"), Code: code, ServiceID: b.ServiceID, Date: b.Date, Start: b.Start, Name: b.Name, Phone: b.Phone, NIK: b.NIK}
	return h.api.Do(c, cmd, func(st *queue.State, v any) (int, any) {
		bk := v.(*queue.Booking)
		opens, closes := st.CheckinWindow(bk)
		return http.StatusCreated, &Created{
			Code: bk.Code, ServiceID: bk.ServiceID, Date: bk.Date, Start: bk.Start, End: bk.End,
			QRURL: qrURL(base, bk.Code), ICSURL: icsURL(base, bk.Code), ManageURL: ManageURL(base, bk.Code),
			CheckinOpens: opens, CheckinCloses: closes, PrivacyNotice: PrivacyNotice(st.Site),
		}
	})
}

// limitCreate answers 429 when the client books too fast. A repeat of an
// answered request (same Idempotency-Key) books nothing and is let
// through to get its answer.
func (h *handlers) limitCreate(c echo.Context) error {
	if k := c.Request().Header.Get("Idempotency-Key"); k != "" && h.api.Replays(c, k) {
		return nil
	}
	if wait := h.creates.take(clientKey(c), time.Now()); wait > 0 {
		return rateLimited(c, wait, "Too many bookings from here; try again in %d s.", "Terlalu banyak booking dari sini; coba lagi dalam %d detik.")
	}
	return nil
}

// ensureSecret gives the site its key of NIK hashes, once.
func (h *handlers) ensureSecret(c echo.Context) error {
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return err
	}
	_, err := h.engine.Apply(c.Request().Context(), time.Time{}, queue.EnsureBookingSecret{Secret: secret})
	return err
}

// freshCode draws a code no booking has: not in the state (the command
// checks again) nor in the store. With 31^8 codes a second draw is all
// but never needed.
func (h *handlers) freshCode() (string, error) {
	for range 5 {
		code := queue.NewBookingCode()
		if h.engine.State().Booking(code) != nil {
			continue
		}
		old, err := h.engine.Store().Booking(code)
		if err != nil {
			return "", err
		}
		if old == nil {
			return code, nil
		}
	}
	return "", fmt.Errorf("booking: no fresh code after 5 draws")
}

// --- the holder of a code

// View is a booking as its holder sees it: the NIK and the phone number
// masked to their last 4 digits.
type View struct {
	Code          string   `json:"code"`
	Status        string   `json:"status"`
	ServiceID     string   `json:"service_id"`
	ServiceName   string   `json:"service_name"`
	ServiceNameEN string   `json:"service_name_en"`
	AgencyID      string   `json:"agency_id"`
	AgencyName    string   `json:"agency_name"`
	AgencyNameEN  string   `json:"agency_name_en"`
	Date          string   `json:"date"`
	Start         string   `json:"start"`
	End           string   `json:"end"`
	Name          string   `json:"name"`
	Phone         string   `json:"phone"`
	NIK           string   `json:"nik"`
	Requirements  []string `json:"requirements"`
	// RequirementsEN and FeeEN are the requirements and the fee in
	// English, the Indonesian ones when the service has none.
	RequirementsEN []string   `json:"requirements_en"`
	Fee            string     `json:"fee"`
	FeeEN          string     `json:"fee_en"`
	CheckinOpens   time.Time  `json:"checkin_opens"`
	CheckinCloses  time.Time  `json:"checkin_closes"`
	Rescheduled    bool       `json:"rescheduled"`
	CanReschedule  bool       `json:"can_reschedule"`
	CanCancel      bool       `json:"can_cancel"`
	Ticket         *TicketRef `json:"ticket"`
	QRURL          string     `json:"qr_url"`
	ICSURL         string     `json:"ics_url"`
}

// TicketRef is the ticket a check-in issued, with its visitor page.
type TicketRef struct {
	ID        string `json:"id"`
	Number    string `json:"number"`
	StatusURL string `json:"status_url"`
}

func (h *handlers) view(st *queue.State, b *queue.Booking, base string, now time.Time) *View {
	opens, closes := st.CheckinWindow(b)
	v := &View{
		Code: b.Code, Status: st.BookingStatus(b, now), ServiceID: b.ServiceID, AgencyID: b.AgencyID,
		Date: b.Date, Start: b.Start, End: b.End,
		Name: b.Name, Phone: queue.MaskLast4(b.Phone), NIK: "",
		Requirements: []string{}, RequirementsEN: []string{}, CheckinOpens: opens, CheckinCloses: closes,
		Rescheduled: b.RescheduledAt != nil, CanReschedule: st.CanReschedule(b, now),
		QRURL: qrURL(base, b.Code), ICSURL: icsURL(base, b.Code),
	}
	v.CanCancel = v.Status == queue.BookingBooked
	if b.NIKLast4 != "" {
		v.NIK = strings.Repeat("*", 12) + b.NIKLast4
	}
	if svc := st.Service(b.ServiceID); svc != nil {
		v.ServiceName, v.ServiceNameEN, v.Fee, v.FeeEN = svc.Name, svc.NameEN, svc.Fee, svc.FeeIn("en")
		if svc.Requirements != nil {
			v.Requirements = svc.Requirements
		}
		if r := svc.RequirementsIn("en"); r != nil {
			v.RequirementsEN = r
		}
	}
	if a := st.Agency(b.AgencyID); a != nil {
		v.AgencyName, v.AgencyNameEN = a.Label("id"), a.Label("en")
	}
	if b.TicketID != "" {
		t := st.Ticket(b.TicketID)
		if t == nil {
			t, _ = h.engine.Store().Ticket(b.TicketID)
		}
		if t != nil {
			v.Ticket = &TicketRef{ID: t.ID, Number: t.Number, StatusURL: ticketurl.Status(base, t)}
		}
	}
	return v
}

// find looks a booking up by the code in the path. A code that matches
// nothing spends one of the client's guesses; a client with none left
// gets 429 for any code, so that a guesser learns nothing more until it
// waits.
func (h *handlers) find(c echo.Context) (*queue.Booking, *queue.State, error) {
	key, now := clientKey(c), time.Now()
	if wait := h.guesses.empty(key, now); wait > 0 {
		return nil, nil, rateLimited(c, wait, "Too many unknown booking codes; try again in %d s.", "Terlalu banyak kode booking yang tidak dikenal; coba lagi dalam %d detik.")
	}
	var (
		b   *queue.Booking
		st  = h.engine.State()
		err error
	)
	if code, ok := queue.ParseBookingCode(c.Param("code")); ok {
		if b, st, err = h.engine.FindBooking(code); err != nil {
			return nil, nil, err
		}
	}
	if b == nil {
		h.guesses.take(key, now)
		return nil, nil, errNoBooking
	}
	return b, st, nil
}

var errNoBooking = queue.Errorf(queue.ENotFound, "No booking has this code; check it and try again.", "Tidak ada booking dengan kode ini; periksa kembali kodenya.")

func (h *handlers) get(c echo.Context) error {
	b, st, err := h.find(c)
	if err != nil {
		return err
	}
	// A member of staff reading a booking reads personal data: logged
	// (API.md, audit: booking.viewed). A visitor's own look is not.
	if err := h.api.RecordAudit(c, "booking.viewed", "booking", b.ID); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, h.view(st, b, h.api.BaseURL(c), h.engine.Now()))
}

func (h *handlers) cancel(c echo.Context) error {
	b, st, err := h.find(c)
	if err != nil {
		return err
	}
	if st.Booking(b.Code) == nil {
		// Of a day that is over.
		if b.Status == queue.BookingCancelled {
			return c.NoContent(http.StatusNoContent)
		}
		return st.BookingClosed(b, h.engine.Now())
	}
	return h.api.Do(c, queue.CancelBooking{Code: b.Code}, func(*queue.State, any) (int, any) { return http.StatusNoContent, nil })
}

// rescheduleBody is the body of POST /api/v1/bookings/{code}/reschedule.
type rescheduleBody struct {
	Date  string `json:"date"`
	Start string `json:"start"`
}

func (h *handlers) reschedule(c echo.Context) error {
	b, st, err := h.find(c)
	if err != nil {
		return err
	}
	var body rescheduleBody
	if err := httpapi.Decode(c, &body); err != nil {
		return err
	}
	if st.Booking(b.Code) == nil {
		if err := st.BookingClosed(b, h.engine.Now()); err != nil {
			return err
		}
	}
	base := h.api.BaseURL(c)
	return h.api.Do(c, queue.RescheduleBooking{Code: b.Code, Date: body.Date, Start: body.Start}, func(st *queue.State, v any) (int, any) {
		return http.StatusOK, h.viewAt(st, v.(*queue.Booking), base)
	})
}

// viewAt is view for a render on the engine's goroutine: the state is
// the new one, and there are no store reads (a booking that just moved
// has no ticket).
func (h *handlers) viewAt(st *queue.State, b *queue.Booking, base string) *View {
	bb := *b
	bb.TicketID = ""
	return h.view(st, &bb, base, st.Now())
}

func (h *handlers) qr(c echo.Context) error {
	b, _, err := h.find(c)
	if err != nil {
		return err
	}
	png, err := qrcode.Encode(ManageURL(h.api.BaseURL(c), b.Code), qrcode.Medium, 320)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "private, max-age=86400")
	return c.Blob(http.StatusOK, "image/png", png)
}

func (h *handlers) ics(c echo.Context) error {
	b, st, err := h.find(c)
	if err != nil {
		return err
	}
	h2 := c.Response().Header()
	h2.Set("Content-Disposition", `attachment; filename="booking-`+b.Code+`.ics"`)
	return c.Blob(http.StatusOK, "text/calendar; charset=utf-8", calendar(st, b, h.api.BaseURL(c), httpapi.PrefersEnglish(c.Request())))
}

// --- check-in

func (h *handlers) checkIn(c echo.Context) error {
	b, st, err := h.find(c)
	if err != nil {
		return err
	}
	// A greeter of an agency checks in its own services' bookings only.
	caller := httpapi.CallerOf(c)
	if a := caller.Agency(); caller.Kind() == httpapi.Greeter && a != "" && a != b.AgencyID {
		return httpapi.Forbidden()
	}
	if st.Booking(b.Code) == nil {
		// Of a day that is over: expired, checked in or cancelled.
		if err := st.BookingClosed(b, h.engine.Now()); err != nil {
			return err
		}
		return queue.Errorf(queue.EExpired, "This booking's day is over; please take a regular ticket.", "Hari booking ini sudah lewat; silakan ambil nomor antrean biasa.")
	}
	return h.api.Issue(c, queue.CheckInBooking{Code: b.Code, Key: queue.RandomString(16)})
}

// --- URLs

// ManageURL is the booking's page: what its QR code holds, a URL ending
// in the code.
func ManageURL(base, code string) string { return base + "/booking/" + url.PathEscape(code) }

func qrURL(base, code string) string {
	return base + "/api/v1/bookings/" + url.PathEscape(code) + "/qr.png"
}

func icsURL(base, code string) string {
	return base + "/api/v1/bookings/" + url.PathEscape(code) + "/booking.ics"
}
