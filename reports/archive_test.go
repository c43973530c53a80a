package reports_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/internal/simdata"
	"github.com/mpp-digital/antrean/queue"
	"github.com/mpp-digital/antrean/reports"
	"github.com/mpp-digital/antrean/storage"
)

// TestArchivedDaysKeepTheirFigures: the summary report over a range gives
// the same rows, in every grouping, before the range's old days are
// archived, after, and after their summaries are lost (deleted, or of a
// format the binary cannot read): those are made again from the archive
// files, never "rebuilt" to zeros from tickets the database no longer
// holds.
func TestArchivedDaysKeepTheirFigures(t *testing.T) {
	dir := t.TempDir()
	db, err := storage.Open(dir, storage.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	wib, _ := time.LoadLocation("Asia/Jakarta")
	const today = "2026-09-13"
	g := simdata.New(wib, 0, 0)
	g.TicketsOnly = true
	if err := db.Commit(g.Setup()); err != nil {
		t.Fatal(err)
	}
	var days []string
	for d := addDay(today, -12); d < today; d = addDay(d, 1) {
		days = append(days, d)
		if err := db.Commit(g.Day(d, 300)); err != nil {
			t.Fatal(err)
		}
	}
	now, _ := time.ParseInLocation(time.DateTime, today+" 09:00:00", wib)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	eng, err := queue.Open(db, queue.Options{Clock: func() time.Time { return now }, Location: wib, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	rep := reports.New(eng, db, log)
	rep.Start()
	defer rep.Close()
	waitBuilt := func() {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			missing, err := db.ReportDays("", "", nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(missing) == 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("summaries still missing: %v", missing)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitBuilt()
	report := func() string {
		t.Helper()
		out := map[string][]reports.Row{}
		for _, g := range reports.Groupings {
			rows, err := rep.Summary(context.Background(), reports.Query{From: days[0], To: today, GroupBy: g}, eng.State(), false)
			if err != nil {
				t.Fatal(err)
			}
			out[g] = rows
		}
		raw, _ := json.Marshal(out)
		return string(raw)
	}
	before := report()
	var check map[string][]reports.Row
	json.Unmarshal([]byte(before), &check)
	issued := int64(0)
	for _, r := range check[reports.ByDay] {
		issued += r.Issued
	}
	if issued != 3600 {
		t.Fatalf("the report before archiving counts %d tickets, want 3600", issued)
	}

	cut := days[9]
	res, err := db.Archive(context.Background(), cut, storage.ArchiveOptions{})
	if err != nil || len(res.Days) != 9 || res.Records[storage.KindTickets] != 2700 {
		t.Fatalf("archive: %+v, %v", res, err)
	}
	if after := report(); after != before {
		t.Errorf("the report differs after archiving:\nbefore %s\nafter  %s", before, after)
	}

	// Lost summaries of archived days: listed as missing, made again
	// from the archive by the next report.
	lost := map[string][]byte{days[0]: nil, days[4]: nil, days[8]: nil}
	if err := db.PutReportDays(lost); err != nil {
		t.Fatal(err)
	}
	if missing, _ := db.ReportDays("", "", nil); len(missing) != 3 || missing[0] != days[0] || missing[2] != days[8] {
		t.Errorf("missing after losing three archived days' summaries: %v", missing)
	}
	if again := report(); again != before {
		t.Errorf("the report differs after archived days' summaries were made again:\nbefore %s\nafter  %s", before, again)
	}
	if missing, _ := db.ReportDays("", "", nil); len(missing) != 0 {
		t.Errorf("the report did not keep the summaries it made again: %v", missing)
	}
	// A summary of a format this binary does not read.
	if err := db.PutReportDays(map[string][]byte{days[2]: {99, 1, 2, 3}}); err != nil {
		t.Fatal(err)
	}
	if again := report(); again != before {
		t.Errorf("the report differs after an unreadable summary of an archived day:\nbefore %s\nafter  %s", before, again)
	}
}
