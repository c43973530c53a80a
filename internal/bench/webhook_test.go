package bench

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/internal/apptest"
)

// BenchmarkHTTPIssueWebhooks is BenchmarkHTTPIssue (POST /api/v1/tickets
// from httpClients keep-alive clients, real bbolt with fsync) beside the
// same with webhooks registered, all in one run:
//
//	webhooks=none         no webhook: the reference
//	webhooks=slow         one webhook whose receiver answers each event after 3 s
//	webhooks=slow-x20     the most a site may have (queue.MaxWebhooks), all to that receiver
//	webhooks=fast         one webhook whose receiver answers at once (each
//	                      delivered event costs the engine one AdvanceWebhook)
//
// Every ticket is an event every webhook wants. A slow receiver must not
// slow issuing: the ratio slow/none is the figure of BENCHMARKS.md.
// "delivered" is how many events the receivers took during the run.
func BenchmarkHTTPIssueWebhooks(b *testing.B) {
	for _, c := range []struct {
		name  string
		hooks int
		delay time.Duration
	}{
		{"none", 0, 0},
		{"slow", 1, 3 * time.Second},
		{"slow-x20", 20, 3 * time.Second},
		{"fast", 1, 0},
	} {
		b.Run("webhooks="+c.name, func(b *testing.B) {
			// The receiver first: cleanups run last in, first out, so the
			// server (and its deliveries in flight) stops before it.
			rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if c.delay > 0 {
					select {
					case <-time.After(c.delay):
					case <-r.Context().Done():
						return
					}
				}
				w.WriteHeader(http.StatusNoContent)
			}))
			b.Cleanup(rcv.Close)
			srv := apptest.Start(b, apptest.Options{Data: benchDir(b)})
			mall := srv.SetupMall()
			ids := make([]string, 0, c.hooks)
			for range c.hooks {
				var w struct{ ID string }
				srv.MustJSON(http.MethodPost, "/api/v1/webhooks", srv.Admin,
					map[string]any{"url": rcv.URL + "/antrean", "secret": "bench-secret-0123456789"}, http.StatusCreated, &w)
				ids = append(ids, w.ID)
			}
			body, _ := json.Marshal(map[string]any{"service_id": mall.ServiceA1.ID, "priority": false})
			client := httpClient(b)
			url, token := srv.URL+"/api/v1/tickets", mall.Tokens["kiosk"]
			warmUp(b, func() error { return post(client, url, token, body, http.StatusCreated) })
			before := delivered(srv, ids)
			drive(b, httpClients, "req", func(int) error {
				return post(client, url, token, body, http.StatusCreated)
			})
			if c.hooks > 0 {
				b.ReportMetric(float64(delivered(srv, ids)-before), "delivered")
			}
		})
	}
}

// delivered sums the webhooks' cursors: each moves by one for each
// event delivered (every event here is one the webhooks want).
func delivered(srv *apptest.Server, ids []string) uint64 {
	var n uint64
	st := srv.App.Engine.State()
	for _, id := range ids {
		n += st.Webhook(id).After
	}
	return n
}

// BenchmarkHTTPIssueSlowWebhookPaired measures the same as
// BenchmarkHTTPIssueWebhooks' slow/none ratio on a machine others share:
// two servers run side by side, one without webhooks and one with
// webhooks (1, or the 20 a site may have) whose receiver answers each
// event after 3 s, and the clients issue in blocks of pairBlock tickets,
// alternating between them (A B B A, ...), so that a burst of someone
// else's work falls on both sides alike. b.N is the tickets per side.
// It reports each side's req/s and their ratio (slow/none); hooks=0 is
// the control, two servers without webhooks, whose ratio shows what
// pairing alone gives.
func BenchmarkHTTPIssueSlowWebhookPaired(b *testing.B) {
	for _, hooks := range []int{0, 1, 20} {
		b.Run("hooks="+strconv.Itoa(hooks), func(b *testing.B) {
			rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-time.After(3 * time.Second):
				case <-r.Context().Done():
					return
				}
				w.WriteHeader(http.StatusNoContent)
			}))
			b.Cleanup(rcv.Close)
			type side struct {
				srv     *apptest.Server
				client  *http.Client // its own: one transport's idle pool holds 64 connections in all
				url     string
				token   string
				body    []byte
				elapsed time.Duration
				ids     []string
			}
			open := func(hooks int) *side {
				srv := apptest.Start(b, apptest.Options{Data: benchDir(b)})
				mall := srv.SetupMall()
				s := &side{srv: srv, client: httpClient(b), url: srv.URL + "/api/v1/tickets", token: mall.Tokens["kiosk"]}
				s.body, _ = json.Marshal(map[string]any{"service_id": mall.ServiceA1.ID, "priority": false})
				for range hooks {
					var w struct{ ID string }
					srv.MustJSON(http.MethodPost, "/api/v1/webhooks", srv.Admin,
						map[string]any{"url": rcv.URL + "/antrean", "secret": "bench-secret-0123456789"}, http.StatusCreated, &w)
					s.ids = append(s.ids, w.ID)
				}
				return s
			}
			none, slow := open(0), open(hooks)
			for _, s := range []*side{none, slow} {
				warmUp(b, func() error { return post(s.client, s.url, s.token, s.body, http.StatusCreated) })
			}
			before := delivered(slow.srv, slow.ids)
			b.ResetTimer()
			order := []*side{none, slow, slow, none}
			for done := 0; done < b.N; {
				n := min(pairBlock, b.N-done)
				for i := range 2 {
					s := order[(done/pairBlock*2+i)%4]
					d, err := burst(s.client, s.url, s.token, s.body, n)
					if err != nil {
						b.Fatal(err)
					}
					s.elapsed += d
				}
				done += n
			}
			b.StopTimer()
			rn := float64(b.N) / none.elapsed.Seconds()
			rs := float64(b.N) / slow.elapsed.Seconds()
			b.ReportMetric(rn, "none-req/s")
			b.ReportMetric(rs, "slow-req/s")
			b.ReportMetric(rs/rn, "slow/none")
			b.ReportMetric(float64(delivered(slow.srv, slow.ids)-before), "delivered")
		})
	}
}

// pairBlock is how many tickets one side issues before the other's turn.
const pairBlock = 100

// burst sends n POSTs from httpClients goroutines and answers how long
// they took.
func burst(client *http.Client, url, token string, body []byte, n int) (time.Duration, error) {
	var (
		next atomic.Int64
		wg   sync.WaitGroup
		errs = make(chan error, httpClients)
	)
	start := time.Now()
	for range httpClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				if err := post(client, url, token, body, http.StatusCreated); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	d := time.Since(start)
	close(errs)
	return d, <-errs
}
