package region

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/mpp-digital/antrean/natspub"
)

// siteConsumer follows one site's stream.
type siteConsumer struct {
	site, stream string
	cancel       context.CancelFunc
}

// discover looks for site streams now and every DiscoverEvery, and
// follows each new one.
func (r *Region) discover() {
	defer r.wg.Done()
	t := time.NewTicker(r.cfg.DiscoverEvery)
	defer t.Stop()
	for {
		r.discoverOnce()
		select {
		case <-t.C:
		case <-r.ctx.Done():
			return
		}
	}
}

// Discover looks for new site streams at once (tests; the operator's
// add-site does not need it: the next look finds the stream).
func (r *Region) Discover() { r.discoverOnce() }

func (r *Region) discoverOnce() {
	ctx, cancel := context.WithTimeout(r.ctx, 10*time.Second)
	defer cancel()
	lister := r.js.ListStreams(ctx, jetstream.WithStreamListSubject(natspub.SubjectWildcard))
	for info := range lister.Info() {
		name := info.Config.Name
		site, ok := strings.CutPrefix(name, "ANTREAN_")
		if !ok || !natspub.ValidSiteID(site) {
			continue
		}
		r.noteSiteName(site, info.Config.Description)
		r.mu.Lock()
		_, known := r.consumers[site]
		if !known && r.ctx.Err() == nil {
			cctx, ccancel := context.WithCancel(r.ctx)
			r.consumers[site] = &siteConsumer{site: site, stream: name, cancel: ccancel}
			r.wg.Add(1)
			go r.follow(cctx, site, name)
		}
		r.mu.Unlock()
	}
	if err := lister.Err(); err != nil && r.ctx.Err() == nil {
		r.log.Warn("region: listing the site streams", "err", err)
		r.setErr("listing streams: " + err.Error())
	} else if err == nil {
		r.setErr("")
	}
}

// noteSiteName keeps a site's name, from its stream's description.
func (r *Region) noteSiteName(site, name string) {
	r.do(func() {
		s := r.sites[site]
		if s == nil {
			s = newSite(site)
			r.sites[site] = s
		}
		if s.Name == name {
			return
		}
		s.Name = name
		b, _ := json.Marshal(&s.siteMeta)
		if err := r.store.Update(func(put func(string, []byte, []byte) error) error { return put("sites", []byte(site), b) }); err != nil {
			r.log.Warn("region: storing a site's name", "site", site, "err", err)
		}
		r.board.Store(nil)
	})
}

// follow hands a site's messages to the writer until ctx ends, making
// its consumer again after an error.
func (r *Region) follow(ctx context.Context, site, stream string) {
	defer r.wg.Done()
	wait := time.Second
	var handed uint64 // the stream seq last handed to the writer
	for ctx.Err() == nil {
		delivered, err := r.followOnce(ctx, site, stream, &handed)
		if ctx.Err() != nil {
			return
		}
		if delivered {
			// It worked for a while: a new failure (a node dying, a
			// leader moving) starts the backoff again from a second.
			wait = time.Second
		}
		if err != nil {
			r.log.Warn("region: following a site's stream", "site", site, "err", err, "retry_in", wait)
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return
		}
		wait = min(2*wait, 30*time.Second)
	}
}

// errGap is followOnce's answer when its consumer skipped messages.
var errGap = errors.New("the consumer skipped messages; reading the stream again from the region's data")

// followOnce hands the messages of one consumer to the writer in stream
// order. It refuses a gap: when a consumer's leader moves (its node
// died), the messages the old pull had delivered but not yet handed on
// are gone from this side while the consumer counts them delivered; the
// next message is past them, and acknowledging it (ack-all) would drop
// them for good. The consumer is made again from what the region's data
// holds instead, and the writer passes over what it has already.
func (r *Region) followOnce(ctx context.Context, site, stream string, handed *uint64) (delivered bool, err error) {
	cons, stored, fresh, err := r.consumer(ctx, site, stream, false)
	if err != nil {
		return false, err
	}
	next := max(stored, *handed) + 1
	if fresh {
		// A new consumer starts after stored: what the writer has not
		// applied yet comes again.
		next = stored + 1
	}
	// A fresh consumer's first message may be past next: the stream no
	// longer holds the ones before (its limits); the writer counts them
	// missing.
	first := fresh
	// Short pulls with a heartbeat: when the consumer's leader dies with
	// its node, the iterator notices within seconds (two missed
	// heartbeats) and the consumer is looked up again on the new leader.
	it, err := cons.Messages(jetstream.PullMaxMessages(512), jetstream.PullExpiry(10*time.Second), jetstream.PullHeartbeat(2*time.Second))
	if err != nil {
		return false, err
	}
	stopped := make(chan struct{})
	defer close(stopped)
	go func() {
		select {
		case <-ctx.Done():
			it.Stop()
		case <-stopped:
			it.Stop()
		}
	}()
	for {
		m, err := it.Next()
		if err != nil {
			if errors.Is(err, jetstream.ErrMsgIteratorClosed) && ctx.Err() != nil {
				return delivered, nil
			}
			return delivered, err
		}
		if md, err := m.Metadata(); err == nil {
			seq := md.Sequence.Stream
			if seq > next && !first {
				r.log.Warn("region: a site's consumer skipped messages; making it again", "site", site, "want", next, "got", seq)
				if _, _, _, err := r.consumer(ctx, site, stream, true); err != nil {
					return delivered, err
				}
				return delivered, errGap
			}
			first = false
			if seq >= next {
				next = seq + 1
				*handed = seq
			}
		}
		select {
		case r.in <- inMsg{site: site, msg: m}:
			delivered = true
		case <-ctx.Done():
			return delivered, nil
		}
	}
}

// consumer returns the region's durable consumer on a site's stream,
// made afresh when the stream's acknowledged position is past what the
// region's store holds (its data is older than its consumer: lost,
// restored or new), so that every event the store lacks comes again.
//
// It returns the consumer, the stream seq the region's data holds, and
// whether the consumer was made afresh (it then starts after that seq).
// With renew the consumer is always made afresh.
func (r *Region) consumer(ctx context.Context, site, stream string, renew bool) (_ jetstream.Consumer, stored uint64, fresh bool, _ error) {
	r.do(func() {
		if s := r.sites[site]; s != nil {
			stored = s.StreamSeq
		}
	})
	c, err := r.js.Consumer(ctx, stream, r.cfg.Consumer)
	switch {
	case err == nil:
		info := c.CachedInfo()
		if !renew && info.AckFloor.Stream <= stored && info.Config.AckPolicy == jetstream.AckAllPolicy {
			return c, stored, false, nil
		}
		if !renew {
			r.log.Info("region: the consumer is ahead of the region's data; reading the stream again from what the data holds",
				"site", site, "consumer_ack_floor", info.AckFloor.Stream, "stored", stored)
		}
		if err := r.js.DeleteConsumer(ctx, stream, r.cfg.Consumer); err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
			return nil, stored, false, err
		}
	case !errors.Is(err, jetstream.ErrConsumerNotFound):
		return nil, stored, false, err
	}
	cfg := jetstream.ConsumerConfig{
		Durable:       r.cfg.Consumer,
		Description:   "antrean region server",
		FilterSubject: natspub.Subject(site),
		AckPolicy:     jetstream.AckAllPolicy,
		AckWait:       5 * time.Minute,
		MaxAckPending: 20000,
		DeliverPolicy: jetstream.DeliverAllPolicy,
	}
	if stored > 0 {
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, stored+1
	}
	c, err = r.js.CreateConsumer(ctx, stream, cfg)
	return c, stored, err == nil, err
}
