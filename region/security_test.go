package region_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/internal/natstest"
	"github.com/mpp-digital/antrean/natspub"
	"github.com/mpp-digital/antrean/region"
)

// The example accounts of deploy/nats/accounts.conf, loaded as they
// are: a mall publishes its own events with its own user, the region
// reads them with its own, and a mall's user can neither publish to
// another mall's subject, nor read another mall's events, nor delete a
// stream.
func TestSiteCannotPublishToAnotherSite(t *testing.T) {
	pw := map[string]string{
		"ANTREAN_REGION_NATS_PASSWORD":      "region-secret",
		"ANTREAN_OPERATOR_NATS_PASSWORD":    "operator-secret",
		"ANTREAN_SITE_BINTAN_NATS_PASSWORD": "bintan-secret",
		"ANTREAN_SITE_BATAM_NATS_PASSWORD":  "batam-secret",
		"ANTREAN_SYS_NATS_PASSWORD":         "sys-secret",
	}
	for k, v := range pw {
		t.Setenv(k, v)
	}
	opts, err := server.ProcessConfigFile("../deploy/nats/accounts.conf")
	if err != nil {
		t.Fatal(err)
	}
	ns := natstest.StartWith(t, *opts)
	hostport := strings.TrimPrefix(ns.URL(), "nats://")
	as := func(user, pass string) string { return fmt.Sprintf("nats://%s:%s@%s", user, pass, hostport) }

	addSite(t, as("operator", "operator-secret"), "bintan", "MPP Kabupaten Bintan", 1)
	addSite(t, as("operator", "operator-secret"), "batam", "MPP Kota Batam", 1)

	// Bintan's site publishes with its own user; the region reads.
	clock := apptest.NewClock(apptest.Workday.Add(-2 * time.Hour))
	s := startSite(t, as("site-bintan", "bintan-secret"), "bintan", "", clock)
	m := s.SetupMall()
	rr := startRegion(t, as("region", "region-secret"), "", func(c *region.Config) { c.Clock = clock.Now })
	newSim(t, s, m, 3).run(50)
	want := siteSeq(s)
	waitFor(t, "the region to read bintan's events", 20*time.Second, func() bool { return uint64(rr.Obs.count("bintan")) >= want })
	rr.Obs.checkOnceInOrder(t, "bintan", want)

	// Bintan's user tries batam's subject.
	var mu sync.Mutex
	var violations []string
	nc, err := nats.Connect(as("site-bintan", "bintan-secret"), nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
		mu.Lock()
		violations = append(violations, err.Error())
		mu.Unlock()
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := js.Publish(ctx, natspub.Subject("batam"), []byte(`{"seq":1,"type":"ticket.issued"}`), jetstream.WithMsgID(natspub.MsgID("batam", 1))); err == nil {
		t.Fatal("bintan's user published an event on batam's subject")
	}
	if _, err := nc.Subscribe(natspub.Subject("batam"), func(*nats.Msg) {}); err != nil {
		t.Fatal(err)
	}
	if _, err := js.Stream(ctx, natspub.StreamName("batam")); err == nil {
		t.Error("bintan's user read batam's stream")
	}
	dctx, dcancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer dcancel()
	if err := js.DeleteStream(dctx, natspub.StreamName("bintan")); err == nil {
		t.Error("bintan's user deleted its own stream")
	}
	waitFor(t, "the server to refuse both", 5*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		pub, sub := false, false
		for _, v := range violations {
			pub = pub || strings.Contains(v, `Publish to "antrean.batam.events"`)
			sub = sub || strings.Contains(v, `Subscription to "antrean.batam.events"`)
		}
		return pub && sub
	})

	// Batam's stream holds nothing, and the region saw nothing of batam.
	oc, err := nats.Connect(as("operator", "operator-secret"))
	if err != nil {
		t.Fatal(err)
	}
	defer oc.Close()
	ojs, _ := jetstream.New(oc)
	octx, ocancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer ocancel()
	st, err := ojs.Stream(octx, natspub.StreamName("batam"))
	if err != nil {
		t.Fatal(err)
	}
	if n := st.CachedInfo().State.Msgs; n != 0 {
		t.Errorf("batam's stream holds %d messages", n)
	}
	if n := rr.Obs.count("batam"); n != 0 {
		t.Errorf("the region applied %d events of batam", n)
	}

	// A wrong password is refused.
	if c, err := nats.Connect(as("site-bintan", "wrong"), nats.MaxReconnects(0)); err == nil {
		c.Close()
		t.Error("a wrong password connected")
	} else if !errors.Is(err, nats.ErrAuthorization) && !strings.Contains(strings.ToLower(err.Error()), "authorization") {
		t.Errorf("a wrong password: %v", err)
	}
}
