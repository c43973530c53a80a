package reports_test

import (
	"testing"
)

// TestSummaryOneDay: one day in a WIB site, about 150 tickets, every
// grouping against the test's own record: first from the summary the
// builder wrote when the day rolled, then from tickets after the summary
// was deleted; and the next morning from the live state.
func TestSummaryOneDay(t *testing.T) {
	s := newSim(t, "Asia/Jakarta")
	s.run("2026-11-26", 1, 150)
	s.covered()
	s.waitBuilt()
	day, today := s.days[0], s.days[1]
	ranges := [][2]string{{day, day}, {today, today}, {day, today}}
	s.checkAll(ranges)

	s.dropSummaries([]string{day})
	if have, _ := s.stored(); len(have) != 0 {
		t.Fatalf("summaries left after the drop: %v", have)
	}
	s.checkAll(ranges)
	if have, missing := s.stored(); len(have) != 1 || have[0] != day || len(missing) != 1 {
		t.Errorf("after a report over a day without summary: stored %v, missing %v; want %s stored again", have, missing, day)
	}
}

// TestSummaryThirtyDays: thirty days of a WITA site across a month's end,
// and today. Every grouping, per agency and for all, over each single
// day, the thirty days, the month's end, all of it with today, and a
// range into days to come; first from the summaries written at the
// rolls, then with all of them deleted and made again from the tickets,
// then with one unreadable.
func TestSummaryThirtyDays(t *testing.T) {
	if testing.Short() {
		t.Skip("thirty simulated days")
	}
	s := newSim(t, "Asia/Makassar")
	s.run("2026-01-17", 30, 30)
	s.covered()
	s.waitBuilt()
	first, last, today := s.days[0], s.days[29], s.days[30]
	ranges := [][2]string{{first, last}, {first, today}, {"2026-01-29", "2026-02-03"}, {today, "2026-03-31"}, {"2025-12-01", "2026-01-16"}}
	for _, d := range s.days {
		ranges = append(ranges, [2]string{d, d})
	}
	s.checkAll(ranges)

	s.dropSummaries(s.days[:30])
	s.checkAll([][2]string{{first, today}, {"2026-01-31", "2026-02-01"}})
	if have, missing := s.stored(); len(have) != 30 || len(missing) != 1 {
		t.Errorf("after reports over days without summaries: %d stored, missing %v; want all 30 stored again", len(have), missing)
	}
	s.checkAll(ranges)

	if err := s.db.PutReportDays(map[string][]byte{"2026-02-01": []byte("\x01\x05garbage")}); err != nil {
		t.Fatal(err)
	}
	s.checkAll([][2]string{{"2026-01-31", "2026-02-02"}})
}

// TestSummaryAcrossMonthWIT: a WIT site (UTC+9) over the end of March:
// the hours are the site's, and each day is the site's date.
func TestSummaryAcrossMonthWIT(t *testing.T) {
	s := newSim(t, "Asia/Jayapura")
	s.run("2026-03-30", 3, 40)
	s.covered()
	s.waitBuilt()
	ranges := [][2]string{{s.days[0], s.days[3]}, {"2026-03-31", "2026-04-01"}}
	for _, d := range s.days {
		ranges = append(ranges, [2]string{d, d})
	}
	s.checkAll(ranges)
	s.dropSummaries(s.days[:3])
	s.checkAll(ranges)
}
