package queue

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// DefaultSKMElements are the nine elements (unsur) of PermenPANRB 14/2017.
var DefaultSKMElements = []string{
	"Persyaratan",
	"Sistem, mekanisme, dan prosedur",
	"Waktu penyelesaian",
	"Biaya/tarif",
	"Produk spesifikasi jenis pelayanan",
	"Kompetensi pelaksana",
	"Perilaku pelaksana",
	"Penanganan pengaduan, saran dan masukan",
	"Sarana dan prasarana",
}

// DefaultSite returns the site settings with API.md's defaults.
func DefaultSite() *Site {
	return &Site{
		Name:                "Mal Pelayanan Publik",
		Timezone:            "Asia/Jakarta",
		Weekdays:            []string{"mon", "tue", "wed", "thu", "fri"},
		Opens:               "08:00",
		Closes:              "15:00",
		IssueOpensBeforeMin: 15,
		Breaks:              []Break{},
		Holidays:            []string{},
		SpecialDays:         []SpecialDay{},
		PriorityInterleave:  2,
		CheckinBeforeMin:    30,
		CheckinAfterMin:     15,
		TicketPaperMM:       80,
		SKMElements:         slices.Clone(DefaultSKMElements),
		SKMWeightMode:       "exact",
		RetentionDays:       30,
	}
}

// DefaultService returns a service with API.md's defaults.
func DefaultService() *Service {
	return &Service{
		Requirements:   []string{},
		RequirementsEN: []string{},
		TargetWaitMin:  15,
		AvgServiceMin:  10,
		SlotMinutes:    30,
		SlotCapacity:   5,
		OnlineSharePct: 50,
		Active:         true,
	}
}

var weekdayNames = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// parseClock reads "HH:MM" (00:00–24:00) as minutes after midnight.
func parseClock(s string) (int, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	h, err1 := strconv.Atoi(s[:2])
	m, err2 := strconv.Atoi(s[3:])
	if err1 != nil || err2 != nil || h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, false
	}
	return h*60 + m, true
}

func fmtClock(min int) string { return fmt.Sprintf("%02d.%02d", min/60, min%60) }

// Hours returns the hours a service runs on the local date of now, in
// minutes after midnight; ok is false on a day it is closed.
func (s *State) Hours(svc *Service, now time.Time) (opens, closes int, ok bool) {
	site := s.Site
	local := now.In(s.Loc)
	date := local.Format(DateLayout)
	if slices.Contains(site.Holidays, date) {
		return 0, 0, false
	}
	dayOpens, dayCloses := site.Opens, site.Closes
	special := false
	for _, sd := range site.SpecialDays {
		if sd.Date == date {
			if sd.Opens == "" || sd.Closes == "" {
				return 0, 0, false
			}
			dayOpens, dayCloses, special = sd.Opens, sd.Closes, true
		}
	}
	if !special && !slices.Contains(site.Weekdays, weekdayNames[local.Weekday()]) {
		return 0, 0, false
	}
	o, _ := parseClock(dayOpens)
	c, _ := parseClock(dayCloses)
	if so, ok := parseClock(svc.Opens); ok && svc.Opens != "" {
		o = max(o, so)
	}
	if sc, ok := parseClock(svc.Closes); ok && svc.Closes != "" {
		c = min(c, sc)
	}
	return o, c, o < c
}

// CanIssue reports whether a ticket for svc can be taken at now: the
// service is active, today is a service day, the machine has opened
// (issue_opens_before_min before the service) and the service has not
// closed, and the quota is not used up.
func (s *State) CanIssue(svc *Service, now time.Time) error {
	if !svc.Active {
		return Errorf(EServiceClosed, "This service is not available.", "Layanan ini tidak tersedia.")
	}
	opens, closes, ok := s.Hours(svc, now)
	if !ok {
		return Errorf(EServiceClosed, "The service is closed today.", "Layanan tutup hari ini.")
	}
	local := now.In(s.Loc)
	min := local.Hour()*60 + local.Minute()
	if min < opens-s.Site.IssueOpensBeforeMin {
		return Errorf(EServiceClosed, "The service opens at %s.", "Layanan buka pukul %s.", fmtClock(opens))
	}
	if min >= closes {
		return Errorf(EServiceClosed, "The service closed at %s today.", "Layanan sudah tutup pukul %s.", fmtClock(closes))
	}
	if s.QuotaLeft(svc.ID) == 0 {
		return errQuota
	}
	return nil
}

var (
	serviceCodeRE = regexp.MustCompile(`^[A-Z]{1,3}$`)
	agencyCodeRE  = regexp.MustCompile(`^[A-Z0-9]{1,10}$`)
	usernameRE    = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,39}$`)
	dateRE        = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

// fields collects validation failures by field name.
type fields map[string]string

func (f fields) add(name, why string) {
	if _, ok := f[name]; !ok {
		f[name] = why
	}
}

func (f fields) err() error {
	if len(f) == 0 {
		return nil
	}
	return Invalid(f)
}

// text checks a single-line text field: names, labels, reasons. Control
// characters (C0, DEL, C1: NUL, BEL, ESC, line breaks, ...) are refused:
// they would ring, move the cursor or cut the line on a thermal printer,
// a terminal or a log, and no name needs one.
func (f fields) text(name, v string, required bool, maxLen int) {
	f.textOf(name, v, required, maxLen, false)
}

// multiline checks a text field that may hold several lines (the lobby's
// running text, comments): tab, line feed and carriage return are
// allowed, other control characters are not.
func (f fields) multiline(name, v string, required bool, maxLen int) {
	f.textOf(name, v, required, maxLen, true)
}

func (f fields) textOf(name, v string, required bool, maxLen int, multiline bool) {
	switch {
	case required && strings.TrimSpace(v) == "":
		f.add(name, "required")
	case utf8.RuneCountInString(v) > maxLen:
		f.add(name, fmt.Sprintf("at most %d characters", maxLen))
	case !utf8.ValidString(v):
		f.add(name, "not valid UTF-8")
	case hasControl(v, multiline):
		if multiline {
			f.add(name, "no control characters other than tab and line breaks")
		} else {
			f.add(name, "no control characters (line breaks, tabs, ESC, ...)")
		}
	}
}

// hasControl reports whether s holds a control character (Unicode Cc:
// U+0000–U+001F, U+007F–U+009F); multi-line text may hold tab, line feed
// and carriage return.
func hasControl(s string, multiline bool) bool {
	for _, r := range s {
		if unicode.IsControl(r) && !(multiline && (r == '\t' || r == '\n' || r == '\r')) {
			return true
		}
	}
	return false
}

// ValidText checks a text field of a request the way the engine's own
// objects are checked (length, UTF-8, control characters; multi-line
// text may hold tab and line breaks), for the feature packages' bodies.
// The error is 400 invalid_input naming the field.
func ValidText(name, v string, required bool, maxLen int, multiline bool) error {
	f := fields{}
	f.textOf(name, v, required, maxLen, multiline)
	return f.err()
}

func (f fields) clock(name, v string, allowEmpty bool) {
	if v == "" && allowEmpty {
		return
	}
	if _, ok := parseClock(v); !ok {
		f.add(name, "a time as HH:MM")
	}
}

func (f fields) date(name, v string) {
	if !dateRE.MatchString(v) {
		f.add(name, "a date as YYYY-MM-DD")
		return
	}
	if _, err := time.Parse(DateLayout, v); err != nil {
		f.add(name, "not a real date")
	}
}

func (f fields) between(name string, v, lo, hi int) {
	if v < lo || v > hi {
		f.add(name, fmt.Sprintf("between %d and %d", lo, hi))
	}
}

func (f fields) days(name string, days []string) {
	seen := map[string]bool{}
	for _, d := range days {
		if !slices.Contains(weekdayNames, d) || seen[d] {
			f.add(name, "weekdays as mon, tue, … without repeats")
			return
		}
		seen[d] = true
	}
}

// Validate checks the site settings.
func (s *Site) Validate() error {
	f := fields{}
	f.text("name", s.Name, true, 120)
	if _, err := time.LoadLocation(s.Timezone); err != nil || s.Timezone == "" || s.Timezone == "Local" {
		f.add("timezone", "an IANA time zone such as Asia/Jakarta")
	}
	if s.BaseURL != "" {
		u, err := url.Parse(s.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			f.add("base_url", "an absolute http(s) URL")
		}
	}
	if len(s.Weekdays) == 0 {
		f.add("weekdays", "at least one day")
	}
	f.days("weekdays", s.Weekdays)
	f.clock("opens", s.Opens, false)
	f.clock("closes", s.Closes, false)
	if o, ok1 := parseClock(s.Opens); ok1 {
		if c, ok2 := parseClock(s.Closes); ok2 && o >= c {
			f.add("closes", "after opens")
		}
	}
	f.between("issue_opens_before_min", s.IssueOpensBeforeMin, 0, 240)
	for i, b := range s.Breaks {
		n := fmt.Sprintf("breaks[%d]", i)
		f.text(n+".name", b.Name, true, 60)
		f.text(n+".name_en", b.NameEN, false, 60)
		f.days(n+".days", b.Days)
		f.clock(n+".from", b.From, false)
		f.clock(n+".to", b.To, false)
		if o, ok1 := parseClock(b.From); ok1 {
			if c, ok2 := parseClock(b.To); ok2 && o >= c {
				f.add(n+".to", "after from")
			}
		}
	}
	for i, h := range s.Holidays {
		f.date(fmt.Sprintf("holidays[%d]", i), h)
	}
	for i, sd := range s.SpecialDays {
		n := fmt.Sprintf("special_days[%d]", i)
		f.date(n+".date", sd.Date)
		if (sd.Opens == "") != (sd.Closes == "") {
			f.add(n, "both opens and closes, or neither (closed)")
		}
		f.clock(n+".opens", sd.Opens, true)
		f.clock(n+".closes", sd.Closes, true)
	}
	f.between("priority_interleave", s.PriorityInterleave, 0, 20)
	f.between("checkin_before_min", s.CheckinBeforeMin, 0, 240)
	f.between("checkin_after_min", s.CheckinAfterMin, 0, 240)
	if s.TicketPaperMM != 58 && s.TicketPaperMM != 80 {
		f.add("ticket_paper_mm", "58 or 80")
	}
	f.multiline("running_text", s.RunningText, false, 1000)
	f.multiline("running_text_en", s.RunningTextEN, false, 1000)
	if len(s.SKMElements) == 0 || len(s.SKMElements) > 20 {
		f.add("skm_elements", "between 1 and 20 elements")
	}
	for i, e := range s.SKMElements {
		f.text(fmt.Sprintf("skm_elements[%d]", i), e, true, 120)
	}
	if !slices.Contains([]string{"exact", "0.111", "0.11"}, s.SKMWeightMode) {
		f.add("skm_weight_mode", `one of "exact", "0.111", "0.11"`)
	}
	f.between("retention_days", s.RetentionDays, 1, 3660)
	return f.err()
}

// Validate checks an agency's own fields.
func (a *Agency) Validate() error {
	f := fields{}
	if !agencyCodeRE.MatchString(a.Code) {
		f.add("code", "1 to 10 of A–Z and 0–9")
	}
	f.text("name", a.Name, true, 120)
	f.text("short_name", a.ShortName, false, 40)
	f.text("name_en", a.NameEN, false, 120)
	f.text("short_name_en", a.ShortNameEN, false, 40)
	return f.err()
}

// Validate checks a service's own fields.
func (s *Service) Validate() error {
	f := fields{}
	if !serviceCodeRE.MatchString(s.Code) {
		f.add("code", "1 to 3 of A–Z")
	}
	f.text("agency_id", s.AgencyID, true, 64)
	f.text("name", s.Name, true, 120)
	f.text("name_en", s.NameEN, false, 120)
	f.text("fee", s.Fee, false, 200)
	f.text("fee_en", s.FeeEN, false, 200)
	if len(s.Requirements) > 30 {
		f.add("requirements", "at most 30")
	}
	for i, r := range s.Requirements {
		f.text(fmt.Sprintf("requirements[%d]", i), r, true, 200)
	}
	// The English requirements translate the Indonesian ones line by line
	// (a visitor's checklist is the same list in either language), or are
	// left out altogether.
	if len(s.RequirementsEN) > 0 && len(s.RequirementsEN) != len(s.Requirements) {
		f.add("requirements_en", "one per requirement, in the same order, or none")
	}
	for i, r := range s.RequirementsEN {
		f.text(fmt.Sprintf("requirements_en[%d]", i), r, true, 200)
	}
	f.between("daily_quota", s.DailyQuota, 0, 100000)
	f.clock("opens", s.Opens, true)
	f.clock("closes", s.Closes, true)
	if o, ok1 := parseClock(s.Opens); ok1 {
		if c, ok2 := parseClock(s.Closes); ok2 && o >= c {
			f.add("closes", "after opens")
		}
	}
	f.between("target_wait_min", s.TargetWaitMin, 1, 600)
	f.between("avg_service_min", s.AvgServiceMin, 1, 600)
	f.between("slot_minutes", s.SlotMinutes, 5, 240)
	f.between("slot_capacity", s.SlotCapacity, 1, 1000)
	f.between("online_share_pct", s.OnlineSharePct, 0, 100)
	return f.err()
}

// Validate checks a counter's own fields.
func (c *Counter) Validate() error {
	f := fields{}
	f.text("agency_id", c.AgencyID, true, 64)
	f.text("name", c.Name, true, 60)
	f.text("name_en", c.NameEN, false, 60)
	if len(c.ServiceIDs) == 0 {
		f.add("service_ids", "at least one service")
	}
	if len(c.ServiceIDs) > 50 {
		f.add("service_ids", "at most 50")
	}
	return f.err()
}

// Validate checks a user's own fields; the password is checked where it
// is hashed.
func (u *User) Validate() error {
	f := fields{}
	if !usernameRE.MatchString(u.Username) {
		f.add("username", "2 to 40 of a–z, 0–9, '.', '_' and '-', starting with a letter or digit")
	}
	switch u.Role {
	case RoleAdmin:
		if u.AgencyID != "" {
			f.add("agency_id", "an admin belongs to no agency")
		}
	case RoleSupervisor, RoleOfficer:
		if u.AgencyID == "" {
			f.add("agency_id", "required for this role")
		}
	case RoleGreeter:
	default:
		f.add("role", "one of admin, supervisor, officer, greeter")
	}
	return f.err()
}

// Validate checks a device's own fields.
func (d *Device) Validate() error {
	f := fields{}
	if d.Kind != DeviceKiosk && d.Kind != DeviceDisplay && d.Kind != DeviceSurvey {
		f.add("kind", "kiosk, display or survey")
	}
	f.text("name", d.Name, true, 60)
	if d.Printer != "" {
		if d.Kind != DeviceKiosk {
			f.add("printer", "only kiosks have a printer")
		} else if host, port, err := net.SplitHostPort(d.Printer); err != nil || host == "" || port == "" || hasControl(d.Printer, false) {
			f.add("printer", "host:port of an ESC/POS network printer")
		}
	}
	if d.Kind != DeviceDisplay && len(d.AgencyIDs) > 0 {
		f.add("agency_ids", "only displays have a zone")
	}
	switch {
	case d.Kind == DeviceSurvey && d.CounterID == "":
		f.add("counter_id", "required: the counter the survey tablet stands at")
	case d.Kind != DeviceSurvey && d.CounterID != "":
		f.add("counter_id", "only survey devices have a counter")
	}
	return f.err()
}

// MinPasswordLen is API.md's shortest password.
const MinPasswordLen = 10
