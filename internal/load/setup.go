package load

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Names of what the run creates in the mall when it signs in as admin.
// Counters and officers stay (closed) for the next run, which reuses them;
// kiosk devices are made afresh each run (a token is shown only once) and
// deleted at its end.
const (
	counterPrefix = "Loket Beban " // "Loket Beban 7": spoken "loket beban tujuh"
	officerPrefix = "beban."
	kioskPrefix   = "Kios Beban "
)

// mall is what the run plays with.
type mall struct {
	kiosks   []string  // kiosk device tokens
	officers []officer // each with its own counter
	services []service // open services the counters serve
	// pick is the service weights for a visitor: each counter's staff
	// time shared over the services it serves.
	weights  []float64
	agencies int

	// undo puts back what the setup changed (quotas, kiosk devices).
	undo []func(ctx context.Context) error
}

type officer struct {
	token   string
	counter counter
}

type counter struct {
	ID         string   `json:"id"`
	AgencyID   string   `json:"agency_id"`
	Name       string   `json:"name"`
	ServiceIDs []string `json:"service_ids"`
	Status     string   `json:"status"`
}

type service struct {
	ID       string `json:"id"`
	AgencyID string `json:"agency_id"`
	Code     string `json:"code"`
	Active   bool   `json:"active"`
	Quota    int    `json:"daily_quota"`
}

type boardService struct {
	ID           string `json:"id"`
	Open         bool   `json:"open"`
	ClosedReason string `json:"closed_reason"`
}

// setup gets the kiosks' and officers' tokens and the officers' counters:
// from the config's tokens, or by creating them as admin.
func (r *run) setup(ctx context.Context) (*mall, error) {
	cfg := r.cfg
	m := &mall{}
	admin := ""
	if cfg.AdminPassword != "" {
		var login struct{ Token string }
		if err := r.api.must(ctx, http.MethodPost, "/api/v1/login", "", map[string]string{"username": cfg.AdminUser, "password": cfg.AdminPassword}, http.StatusOK, &login); err != nil {
			return nil, fmt.Errorf("signing in as %s: %w", cfg.AdminUser, err)
		}
		admin = login.Token
	}
	fail := func(err error) (*mall, error) {
		m.restore(r.api)
		return nil, err
	}
	var svcs struct {
		Services []json.RawMessage `json:"services"`
	}
	if err := r.api.must(ctx, http.MethodGet, "/api/v1/services", "", nil, http.StatusOK, &svcs); err != nil {
		return fail(err)
	}
	all := map[string]service{}
	for _, raw := range svcs.Services {
		var s service
		if err := json.Unmarshal(raw, &s); err != nil {
			return fail(err)
		}
		all[s.ID] = s
		if admin != "" && !cfg.KeepQuotas && s.Active && s.Quota > 0 {
			if err := m.liftQuota(ctx, r.api, admin, s.ID, raw); err != nil {
				return fail(err)
			}
		}
	}
	// Which services take tickets now (after the quotas were lifted).
	var board struct {
		Services []boardService `json:"services"`
	}
	if err := r.api.must(ctx, http.MethodGet, "/api/v1/state", "", nil, http.StatusOK, &board); err != nil {
		return fail(err)
	}
	open := map[string]bool{}
	var why []string
	for _, b := range board.Services {
		if b.Open {
			open[b.ID] = true
		} else {
			why = append(why, all[b.ID].Code+": "+b.ClosedReason)
		}
	}
	if len(open) == 0 {
		return fail(fmt.Errorf("no service takes tickets now (%s): run against the demo mall (open round the clock) or in opening hours", strings.Join(why, ", ")))
	}

	if len(cfg.KioskTokens) > 0 {
		for i, tok := range cfg.KioskTokens {
			if err := r.api.must(ctx, http.MethodGet, "/api/v1/kiosk", tok, nil, http.StatusOK, nil); err != nil {
				return fail(fmt.Errorf("kiosk token %d: %w", i+1, err))
			}
		}
		m.kiosks = cfg.KioskTokens
	} else if err := m.makeKiosks(ctx, r.api, admin, cfg.Kiosks); err != nil {
		return fail(err)
	}

	if len(cfg.OfficerTokens) > 0 {
		err := m.counterForEach(ctx, r.api, cfg.OfficerTokens, open)
		if err != nil {
			return fail(err)
		}
	} else if err := m.makeOfficers(ctx, r.api, admin, cfg.Officers, all, open); err != nil {
		return fail(err)
	}

	// Visitors come for what is staffed: each counter's time is shared
	// over the open services it serves.
	idx := map[string]int{}
	agencies := map[string]bool{}
	for _, o := range m.officers {
		var served []string
		for _, id := range o.counter.ServiceIDs {
			if open[id] {
				served = append(served, id)
			}
		}
		for _, id := range served {
			i, ok := idx[id]
			if !ok {
				i = len(m.services)
				idx[id] = i
				m.services = append(m.services, all[id])
				m.weights = append(m.weights, 0)
				agencies[all[id].AgencyID] = true
			}
			m.weights[i] += 1 / float64(len(served))
		}
	}
	if len(m.services) == 0 {
		return fail(errors.New("the officers' counters serve no service that takes tickets now"))
	}
	m.agencies = len(agencies)
	return m, nil
}

// liftQuota sets a service's daily quota to none for the run and keeps
// its old body to put back.
func (m *mall) liftQuota(ctx context.Context, c *api, admin, id string, raw json.RawMessage) error {
	var body map[string]json.RawMessage
	if err := json.Unmarshal(raw, &body); err != nil {
		return err
	}
	body["daily_quota"] = json.RawMessage("0")
	if err := c.must(ctx, http.MethodPut, "/api/v1/services/"+id, admin, body, http.StatusOK, nil); err != nil {
		return fmt.Errorf("lifting the quota: %w", err)
	}
	m.undo = append(m.undo, func(ctx context.Context) error {
		return c.must(ctx, http.MethodPut, "/api/v1/services/"+id, admin, raw, http.StatusOK, nil)
	})
	return nil
}

// makeKiosks deletes the kiosk devices of earlier runs and creates n.
func (m *mall) makeKiosks(ctx context.Context, c *api, admin string, n int) error {
	var devs struct {
		Devices []struct {
			ID   string `json:"id"`
			Kind string `json:"kind"`
			Name string `json:"name"`
		} `json:"devices"`
	}
	if err := c.must(ctx, http.MethodGet, "/api/v1/devices", admin, nil, http.StatusOK, &devs); err != nil {
		return err
	}
	for _, d := range devs.Devices {
		if d.Kind == "kiosk" && strings.HasPrefix(d.Name, kioskPrefix) {
			// Best effort: a device that cannot go stays, unused.
			_, _ = c.do(ctx, http.MethodDelete, "/api/v1/devices/"+d.ID, admin, nil, false)
		}
	}
	for i := range n {
		var d struct {
			ID    string `json:"id"`
			Token string `json:"token"`
		}
		if err := c.must(ctx, http.MethodPost, "/api/v1/devices", admin, map[string]any{"kind": "kiosk", "name": fmt.Sprintf("%s%02d", kioskPrefix, i+1)}, http.StatusCreated, &d); err != nil {
			return fmt.Errorf("creating a kiosk: %w", err)
		}
		m.kiosks = append(m.kiosks, d.Token)
		m.undo = append(m.undo, func(ctx context.Context) error {
			return c.must(ctx, http.MethodDelete, "/api/v1/devices/"+d.ID, admin, nil, http.StatusNoContent, nil)
		})
	}
	return nil
}

// makeOfficers finds or creates n counters named "Loket Beban N", spread
// over the agencies with open services in proportion to the counters each
// has already, and an officer "beban.NN" for each with a new password;
// then signs them in.
func (m *mall) makeOfficers(ctx context.Context, c *api, admin string, n int, services map[string]service, open map[string]bool) error {
	var ctrs struct {
		Counters []counter `json:"counters"`
	}
	if err := c.must(ctx, http.MethodGet, "/api/v1/counters", "", nil, http.StatusOK, &ctrs); err != nil {
		return err
	}
	byName := map[string]counter{}
	weight := map[string]float64{}
	agencyServices := map[string][]string{}
	for id, s := range services {
		if open[id] {
			agencyServices[s.AgencyID] = append(agencyServices[s.AgencyID], id)
		}
	}
	for _, k := range ctrs.Counters {
		if strings.HasPrefix(k.Name, counterPrefix) {
			byName[k.Name] = k
		} else if len(agencyServices[k.AgencyID]) > 0 {
			weight[k.AgencyID]++
		}
	}
	var agencies []string
	for a := range agencyServices {
		slices.Sort(agencyServices[a])
		agencies = append(agencies, a)
		if weight[a] == 0 {
			weight[a] = 1
		}
	}
	sort.Strings(agencies)
	plan := apportion(n, agencies, weight)

	var users struct {
		Users []struct {
			ID       string `json:"id"`
			Username string `json:"username"`
		} `json:"users"`
	}
	if err := c.must(ctx, http.MethodGet, "/api/v1/users", admin, nil, http.StatusOK, &users); err != nil {
		return err
	}
	userID := map[string]string{}
	for _, u := range users.Users {
		userID[u.Username] = u.ID
	}
	password := "beban-" + newKey() // new each run; the officers are the run's own
	m.officers = make([]officer, n)
	for i := range n {
		name := fmt.Sprintf("%s%d", counterPrefix, i+1)
		k, ok := byName[name]
		if !ok {
			body := map[string]any{"agency_id": plan[i], "name": name, "service_ids": agencyServices[plan[i]]}
			if err := c.must(ctx, http.MethodPost, "/api/v1/counters", admin, body, http.StatusCreated, &k); err != nil {
				return fmt.Errorf("creating a counter: %w", err)
			}
		}
		username := fmt.Sprintf("%s%02d", officerPrefix, i+1)
		body := map[string]any{"username": username, "password": password, "role": "officer", "agency_id": k.AgencyID}
		if id, ok := userID[username]; ok {
			if err := c.must(ctx, http.MethodPut, "/api/v1/users/"+id, admin, body, http.StatusOK, nil); err != nil {
				return fmt.Errorf("resetting officer %s: %w", username, err)
			}
		} else if err := c.must(ctx, http.MethodPost, "/api/v1/users", admin, body, http.StatusCreated, nil); err != nil {
			return fmt.Errorf("creating officer %s: %w", username, err)
		}
		m.officers[i].counter = k
	}
	// Sign them in, a few at a time (the server hashes each password).
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		sem  = make(chan struct{}, 8)
	)
	for i := range m.officers {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			var login struct{ Token string }
			username := fmt.Sprintf("%s%02d", officerPrefix, i+1)
			err := c.must(ctx, http.MethodPost, "/api/v1/login", "", map[string]string{"username": username, "password": password}, http.StatusOK, &login)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, fmt.Errorf("signing in %s: %w", username, err))
				return
			}
			m.officers[i].token = login.Token
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// counterForEach gives each officer token a counter of its agency, closed
// ones first, none twice.
func (m *mall) counterForEach(ctx context.Context, c *api, tokens []string, open map[string]bool) error {
	var ctrs struct {
		Counters []counter `json:"counters"`
	}
	if err := c.must(ctx, http.MethodGet, "/api/v1/counters", "", nil, http.StatusOK, &ctrs); err != nil {
		return err
	}
	// Closed counters first, then by name.
	sort.SliceStable(ctrs.Counters, func(i, j int) bool {
		a, b := ctrs.Counters[i], ctrs.Counters[j]
		if (a.Status == "closed") != (b.Status == "closed") {
			return a.Status == "closed"
		}
		return a.Name < b.Name
	})
	taken := map[string]bool{}
	for i, tok := range tokens {
		var me struct {
			Username string `json:"username"`
			Role     string `json:"role"`
			AgencyID string `json:"agency_id"`
		}
		if err := c.must(ctx, http.MethodGet, "/api/v1/me", tok, nil, http.StatusOK, &me); err != nil {
			return fmt.Errorf("officer token %d: %w", i+1, err)
		}
		found := false
		for _, k := range ctrs.Counters {
			if taken[k.ID] || (me.AgencyID != "" && k.AgencyID != me.AgencyID) {
				continue
			}
			if !slices.ContainsFunc(k.ServiceIDs, func(id string) bool { return open[id] }) {
				continue
			}
			taken[k.ID] = true
			m.officers = append(m.officers, officer{token: tok, counter: k})
			found = true
			break
		}
		if !found {
			return fmt.Errorf("officer token %d (%s): no free counter of its agency serves an open service", i+1, me.Username)
		}
	}
	return nil
}

// restore undoes the setup's changes, newest first; best effort.
func (m *mall) restore(c *api) error {
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	var errs []error
	for i := len(m.undo) - 1; i >= 0; i-- {
		if err := m.undo[i](ctx); err != nil {
			errs = append(errs, err)
		}
	}
	m.undo = nil
	return errors.Join(errs...)
}

// apportion spreads n over keys in proportion to weight (largest
// remainder) and lists the key of each of the n, interleaved.
func apportion(n int, keys []string, weight map[string]float64) []string {
	total := 0.0
	for _, k := range keys {
		total += weight[k]
	}
	seats := map[string]int{}
	type rem struct {
		key string
		r   float64
	}
	var rems []rem
	given := 0
	for _, k := range keys {
		q := float64(n) * weight[k] / total
		seats[k] = int(q)
		given += int(q)
		rems = append(rems, rem{k, q - float64(int(q))})
	}
	sort.SliceStable(rems, func(i, j int) bool { return rems[i].r > rems[j].r })
	for i := 0; given < n; i++ {
		seats[rems[i%len(rems)].key]++
		given++
	}
	var out []string
	for len(out) < n {
		for _, k := range keys {
			if seats[k] > 0 {
				seats[k]--
				out = append(out, k)
			}
		}
	}
	return out
}
