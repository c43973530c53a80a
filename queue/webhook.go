package queue

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Webhooks: an integrator (the MPP Digital portal, an agency's system)
// registers a URL and gets every committed event of the types it chose,
// POSTed in seq order and signed with its secret. Registration and the
// delivery cursor are state like any other and change through the engine;
// the deliveries themselves happen outside it (package webhooks), which
// reads the event log from the store and reports each delivered event back
// with AdvanceWebhook.

// Kinds of the records a webhook writes: the webhook itself (with its
// secret and cursor) and one record per delivered event, the last
// WebhookDeliveriesKept of each webhook. A delivery's Put ID is
// "WEBHOOK_ID/SEQ" (WebhookDeliveryID).
const (
	KindWebhook         = "webhook"
	KindWebhookDelivery = "webhook_delivery"
)

// Limits of webhooks.
const (
	// MaxWebhooks bounds the webhooks of a site: each has its own
	// goroutine and connection to its receiver.
	MaxWebhooks = 20
	// WebhookDeliveriesKept is how many delivered events of each webhook
	// the deliveries list keeps, the newest.
	WebhookDeliveriesKept = 100
	// Webhook secrets have between these many characters.
	MinWebhookSecretLen = 16
	MaxWebhookSecretLen = 256
	maxWebhookURLLen    = 2000
)

// EventTypes are the event types of API.md, every one a webhook may ask
// for, including those of features that emit none yet (bookings,
// feedback): a subscription to them starts working when they do.
var EventTypes = []string{
	"ticket.issued", "ticket.called", "ticket.recalled", "ticket.serving",
	"ticket.done", "ticket.no_show", "ticket.transferred", "ticket.cancelled",
	"ticket.expired",
	"counter.opened", "counter.paused", "counter.closed",
	"booking.created", "booking.cancelled", "booking.checked_in",
	"booking.rescheduled", "booking.expired", // beyond API.md's list
	"feedback.received",
	"config.changed",
	"day.started",
}

// Webhook is a registered receiver of events. Secret signs each delivery
// and never leaves the server; After is the delivery cursor: the last seq
// delivered or passed over by the type filter, so deliveries go on after
// it, also after a restart.
type Webhook struct {
	ID  string `json:"id"`
	URL string `json:"url"`
	// Events are the types delivered; empty means every type.
	Events    []string  `json:"events"`
	CreatedAt time.Time `json:"created_at"`

	Secret string `json:"-"`
	After  uint64 `json:"-"`
}

// Wants reports whether the webhook delivers events of type typ.
func (w *Webhook) Wants(typ string) bool {
	return len(w.Events) == 0 || slices.Contains(w.Events, typ)
}

// Delivery statuses: pending while the event is being sent or waits for
// its next attempt, delivered after a 2xx answer.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
)

// WebhookDelivery is the outcome of sending one event to one webhook.
type WebhookDelivery struct {
	WebhookID string `json:"-"`
	Seq       uint64 `json:"seq"`
	Type      string `json:"type"`
	// Attempts counts the requests made, the successful one included.
	Attempts int    `json:"attempts"`
	Status   string `json:"status"`
	// LastError says why the last failed attempt failed ("" when none did).
	LastError   string     `json:"last_error"`
	DeliveredAt *time.Time `json:"delivered_at"`
}

// WebhookDeliveryID is the Put ID of a delivery record.
func WebhookDeliveryID(webhookID string, seq uint64) string {
	return webhookID + "/" + strconv.FormatUint(seq, 10)
}

// ParseWebhookDeliveryID splits a delivery record's Put ID.
func ParseWebhookDeliveryID(id string) (webhookID string, seq uint64, ok bool) {
	w, s, found := strings.Cut(id, "/")
	if !found || w == "" {
		return "", 0, false
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || strconv.FormatUint(n, 10) != s {
		return "", 0, false
	}
	return w, n, true
}

// Validate checks a webhook's own fields.
func (w *Webhook) Validate() error {
	f := fields{}
	u, err := url.Parse(w.URL)
	switch {
	case strings.TrimSpace(w.URL) == "":
		f.add("url", "required")
	case utf8.RuneCountInString(w.URL) > maxWebhookURLLen:
		f.add("url", fmt.Sprintf("at most %d characters", maxWebhookURLLen))
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" ||
		u.User != nil || u.Fragment != "" || hasControl(w.URL, false):
		f.add("url", "an absolute http(s) URL")
	}
	seen := map[string]bool{}
	for _, typ := range w.Events {
		if !slices.Contains(EventTypes, typ) || seen[typ] {
			f.add("events", "event types of API.md, each once")
			break
		}
		seen[typ] = true
	}
	switch n := utf8.RuneCountInString(w.Secret); {
	case w.Secret == "":
		f.add("secret", "required")
	case !utf8.ValidString(w.Secret) || hasControl(w.Secret, false):
		f.add("secret", "printable characters only")
	case n < MinWebhookSecretLen:
		f.add("secret", fmt.Sprintf("at least %d characters", MinWebhookSecretLen))
	case n > MaxWebhookSecretLen:
		f.add("secret", fmt.Sprintf("at most %d characters", MaxWebhookSecretLen))
	}
	return f.err()
}

// Webhooks lists the webhooks, oldest first.
func (s *State) Webhooks() []*Webhook {
	out := sortedValues(s.webhooks, func(w *Webhook) string { return w.ID })
	slices.SortStableFunc(out, func(a, b *Webhook) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out
}

// Webhook returns a webhook or nil.
func (s *State) Webhook(id string) *Webhook { return s.webhooks[id] }

// WebhookDeliveries returns the webhook's kept deliveries, oldest first.
func (s *State) WebhookDeliveries(id string) []WebhookDelivery { return s.deliveries[id] }

// loadWebhooks fills the state's webhooks from what the store held.
func (s *State) loadWebhooks(ld *Loaded) {
	s.webhooks = map[string]*Webhook{}
	s.deliveries = map[string][]WebhookDelivery{}
	for _, w := range ld.Webhooks {
		s.webhooks[w.ID] = w
	}
	for _, d := range ld.WebhookDeliveries {
		if s.webhooks[d.WebhookID] != nil {
			s.deliveries[d.WebhookID] = append(s.deliveries[d.WebhookID], *d)
		}
	}
	for id, ds := range s.deliveries {
		slices.SortFunc(ds, func(a, b WebhookDelivery) int { return cmp.Compare(a.Seq, b.Seq) })
		if len(ds) > WebhookDeliveriesKept {
			s.deliveries[id] = ds[len(ds)-WebhookDeliveriesKept:]
		}
	}
}

// CreateWebhook registers a webhook. Its deliveries start with the first
// event after its own config.changed.
type CreateWebhook struct{ Webhook *Webhook }

var errTooManyWebhooks = Errorf(ELimitReached, "A site has at most %d webhooks; delete one first.", "Paling banyak %d webhook per situs; hapus salah satu dahulu.", MaxWebhooks)

func (c CreateWebhook) apply(tx *txn) (any, error) {
	st, w := tx.st, *c.Webhook
	if err := checkExists(st.webhooks, w.ID, true); err != nil {
		return nil, err
	}
	if err := w.Validate(); err != nil {
		return nil, err
	}
	if len(st.webhooks) >= MaxWebhooks {
		return nil, errTooManyWebhooks
	}
	if w.Events == nil {
		w.Events = []string{}
	}
	w.CreatedAt = st.now
	tx.configChanged("webhook", w.ID)
	w.After = st.Seq // its own registration is not delivered
	mutable(tx, "webhooks", &st.webhooks)[w.ID] = &w
	tx.put(KindWebhook, w.ID, &w)
	return &w, nil
}

// DeleteWebhook removes a webhook and its deliveries; an event being sent
// to it is not retried.
type DeleteWebhook struct{ ID string }

func (c DeleteWebhook) apply(tx *txn) (any, error) {
	st := tx.st
	if st.webhooks[c.ID] == nil {
		return nil, errNotFound
	}
	for _, d := range st.deliveries[c.ID] {
		tx.put(KindWebhookDelivery, WebhookDeliveryID(c.ID, d.Seq), nil)
	}
	delete(mutable(tx, "deliveries", &st.deliveries), c.ID)
	delete(mutable(tx, "webhooks", &st.webhooks), c.ID)
	tx.put(KindWebhook, c.ID, nil)
	tx.configChanged("webhook", c.ID)
	return nil, nil
}

// AdvanceWebhook moves a webhook's cursor to Seq: the event Seq was
// delivered (Delivery, which is recorded with the time of the command),
// or the events up to Seq were passed over by the webhook's type filter
// (Delivery nil). It emits no event: a delivery must not make another.
// A cursor never moves back; an advance to where it already is changes
// nothing.
type AdvanceWebhook struct {
	ID       string
	Seq      uint64
	Delivery *WebhookDelivery
}

func (c AdvanceWebhook) apply(tx *txn) (any, error) {
	st := tx.st
	w := st.webhooks[c.ID]
	if w == nil {
		return nil, errNotFound
	}
	if c.Seq > st.Seq {
		return nil, Invalid(map[string]string{"seq": "not yet committed"})
	}
	if c.Seq <= w.After {
		return w, nil
	}
	nw := *w
	nw.After = c.Seq
	mutable(tx, "webhooks", &st.webhooks)[nw.ID] = &nw
	tx.put(KindWebhook, nw.ID, &nw)
	if c.Delivery != nil {
		d := *c.Delivery
		at := st.now
		d.WebhookID, d.Seq, d.Status, d.DeliveredAt = nw.ID, c.Seq, DeliveryDelivered, &at
		old := st.deliveries[nw.ID]
		if len(old) >= WebhookDeliveriesKept {
			for _, gone := range old[:len(old)+1-WebhookDeliveriesKept] {
				tx.put(KindWebhookDelivery, WebhookDeliveryID(nw.ID, gone.Seq), nil)
			}
		}
		mutable(tx, "deliveries", &st.deliveries)[nw.ID] = appendKept(old, d, WebhookDeliveriesKept)
		tx.put(KindWebhookDelivery, WebhookDeliveryID(nw.ID, d.Seq), &d)
	}
	return &nw, nil
}
