package display_test

import (
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/mpp-digital/antrean/app"
	"github.com/mpp-digital/antrean/display"
	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/queue"
)

// A public after= at most 1,000 events behind is replayed; further behind
// it gets a snapshot (a replay costs a read and an encoding per event,
// for anyone who asks). The default, not a lowered MaxReplay.
func TestReplayCap(t *testing.T) {
	s := apptest.Start(t, apptest.Options{Configure: func(c *app.Config) { c.NoSync = true }})
	m := s.SetupMall()
	if s.App.Feed.MaxReplay != 0 || display.DefaultMaxReplay != 1000 {
		t.Fatalf("MaxReplay %d, default %d; want the default, 1000", s.App.Feed.MaxReplay, display.DefaultMaxReplay)
	}
	start := currentSeq(t, s)
	// 1,001 public events (ticket.issued), issued by 8 at once so that
	// they commit in groups.
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < 1001; i += 8 {
				if _, err := issueRaw(s, m.Tokens["kiosk"], m.ServiceA1.ID); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	cur := currentSeq(t, s)
	if cur-start != 1001 {
		t.Fatalf("%d events, want 1001", cur-start)
	}
	// 1,000 behind: exactly those, no snapshot.
	r := connect(t, s, "after="+strconv.FormatUint(cur-1000, 10))
	got := r.events(1000)
	if got[0].Seq != cur-999 || got[999].Seq != cur {
		t.Fatalf("replayed %d..%d, want %d..%d", got[0].Seq, got[999].Seq, cur-999, cur)
	}
	// 1,001 behind: a snapshot of now.
	o := connect(t, s, "after="+strconv.FormatUint(cur-1001, 10))
	if f := o.snapshot(); f.Seq != cur {
		t.Fatalf("snapshot at %d, want %d", f.Seq, cur)
	}
	// Staff still page through them.
	var page struct {
		Events []queue.Event `json:"events"`
	}
	s.MustJSON(http.MethodGet, "/api/v1/events?after="+strconv.FormatUint(start, 10)+"&limit=2000", s.Admin, nil, http.StatusOK, &page)
	if len(page.Events) != 1001 {
		t.Fatalf("the event log pages %d events, want 1001", len(page.Events))
	}
}
