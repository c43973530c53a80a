package region_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/mpp-digital/antrean/internal/natstest"
	"github.com/mpp-digital/antrean/natspub"
	"github.com/mpp-digital/antrean/region"
)

// BenchmarkRegionSteadyLag measures the region's lag when it keeps up:
// 216 malls (ANTREAN_BENCH_SITES) publish their events at a steady total
// rate (ANTREAN_BENCH_RATE events a second, 1,000 by default: more than
// twice what 216 malls send at a morning peak all at once, see
// BENCHMARKS.md) for ANTREAN_BENCH_SECONDS (60), round robin over the
// malls, each in its own seq order. The lag of an event runs from the
// stream's timestamp to the region's commit holding it; reported at p50,
// p99 and the most. BenchmarkRegionReplay measures the other case, a
// firehose the region cannot keep up with. Run with -benchtime 1x.
func BenchmarkRegionSteadyLag(b *testing.B) {
	sites := envInt("ANTREAN_BENCH_SITES", 216)
	rate := envInt("ANTREAN_BENCH_RATE", 1000)
	seconds := envInt("ANTREAN_BENCH_SECONDS", 60)
	perSite := max(1, rate*seconds/sites)
	evs, _, last := monthOfEvents(b, max(30, perSite/3+30))
	if len(evs) < perSite {
		b.Fatalf("%d events a mall, want %d", len(evs), perSite)
	}
	evs = evs[:perSite]
	payload := make([][]byte, len(evs))
	for i, e := range evs {
		if payload[i] = e.Record; payload[i] == nil {
			payload[i], _ = json.Marshal(e)
		}
	}
	ns := natstest.StartWith(b, server.Options{ServerName: "steady", JetStreamMaxMemory: 256 << 20, JetStreamMaxStore: 8 << 30})
	ids := make([]string, sites)
	for i := range ids {
		ids[i] = fmt.Sprintf("kab-%03d", i+1)
		addSite(b, ns.URL(), ids[i], fmt.Sprintf("MPP Kabupaten %03d", i+1), 1)
	}
	total := sites * perSite

	var mu sync.Mutex
	lags := make([]time.Duration, 0, total)
	allIn := make(chan struct{})
	rr := startRegion(b, ns.URL(), "", func(c *region.Config) {
		c.Clock = func() time.Time { return last }
		c.DiscoverEvery = time.Second
		c.Observe = func(_ string, _ uint64, stored time.Time) {
			now := time.Now()
			mu.Lock()
			lags = append(lags, now.Sub(stored))
			if len(lags) == total {
				close(allIn)
			}
			mu.Unlock()
		}
	})
	rr.R.Discover()

	// One pass, whatever b.N: the lag is the figure, not a time per op.
	{
		nc, err := nats.Connect(ns.URL())
		if err != nil {
			b.Fatal(err)
		}
		js, _ := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(1<<16))
		// One event every 1/rate s on average: a tick every millisecond
		// sends the events due by then, so the pace holds however the
		// scheduler wakes the loop.
		start := time.Now()
		tick := time.NewTicker(time.Millisecond)
		sent := 0
		for sent < total {
			<-tick.C
			due := min(total, int(time.Since(start).Seconds()*float64(rate))+1)
			for ; sent < due; sent++ {
				si, i := sent%sites, sent/sites
				m := nats.NewMsg(natspub.Subject(ids[si]))
				m.Data = payload[i]
				m.Header.Set(nats.MsgIdHdr, natspub.MsgID(ids[si], evs[i].Seq))
				m.Header.Set(natspub.HeaderSeq, strconv.FormatUint(evs[i].Seq, 10))
				m.Header.Set(natspub.HeaderType, evs[i].Type)
				if _, err := js.PublishMsgAsync(m); err != nil {
					b.Fatal(err)
				}
			}
		}
		tick.Stop()
		select {
		case <-js.PublishAsyncComplete():
		case <-time.After(time.Minute):
			b.Fatal("publish acknowledgements timed out")
		}
		published := time.Since(start)
		select {
		case <-allIn:
		case <-time.After(5 * time.Minute):
			mu.Lock()
			n := len(lags)
			mu.Unlock()
			b.Fatalf("the region applied %d of %d events", n, total)
		}
		nc.Close()
		mu.Lock()
		slices.Sort(lags)
		p50, p99, most := lags[len(lags)/2], lags[len(lags)*99/100], lags[len(lags)-1]
		mu.Unlock()
		b.ReportMetric(float64(total)/published.Seconds(), "events/s")
		b.ReportMetric(float64(p50.Microseconds())/1000, "lag-p50-ms")
		b.ReportMetric(float64(p99.Microseconds())/1000, "lag-p99-ms")
		b.ReportMetric(float64(most.Microseconds())/1000, "lag-max-ms")
		b.Logf("%d malls, %d events at %d/s in %v: lag p50 %v, p99 %v, most %v",
			sites, total, rate, published.Round(time.Millisecond), p50, p99, most)
	}
}
