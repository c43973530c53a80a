package storage_test

import (
	"testing"

	"github.com/mpp-digital/antrean/queue"
)

// TestWebhookRoundTrip: every field of a webhook (its secret and cursor
// included) and of its deliveries survives Commit, Close, Open and Load;
// deletes remove them; a malformed delivery ID is refused.
func TestWebhookRoundTrip(t *testing.T) {
	dir := t.TempDir()
	db := open(t, dir)
	n := 0
	w := filled[queue.Webhook](t, &n)
	d1 := filled[queue.WebhookDelivery](t, &n)
	d2 := filled[queue.WebhookDelivery](t, &n)
	d1.WebhookID, d2.WebhookID = w.ID, w.ID
	d1.Seq, d2.Seq = 300, 2 // stored in seq order: 2 before 300
	commit(t, db, &queue.Batch{Puts: []queue.Put{
		{Kind: queue.KindWebhook, ID: w.ID, Value: w},
		{Kind: queue.KindWebhookDelivery, ID: queue.WebhookDeliveryID(w.ID, d1.Seq), Value: d1},
		{Kind: queue.KindWebhookDelivery, ID: queue.WebhookDeliveryID(w.ID, d2.Seq), Value: d2},
	}})
	db.Close()

	db = open(t, dir)
	l := load(t, db)
	equal(t, "webhooks", l.Webhooks, []*queue.Webhook{w})
	equal(t, "deliveries", l.WebhookDeliveries, []*queue.WebhookDelivery{d2, d1})

	commit(t, db, &queue.Batch{Puts: []queue.Put{
		{Kind: queue.KindWebhook, ID: w.ID},
		{Kind: queue.KindWebhookDelivery, ID: queue.WebhookDeliveryID(w.ID, d1.Seq)},
		{Kind: queue.KindWebhookDelivery, ID: queue.WebhookDeliveryID(w.ID, d2.Seq)},
	}})
	if l := load(t, db); len(l.Webhooks) != 0 || len(l.WebhookDeliveries) != 0 {
		t.Errorf("after deletes: %+v %+v", l.Webhooks, l.WebhookDeliveries)
	}
	for _, id := range []string{"whk_x", "whk_x/", "/1", "whk_x/01", "whk_x/-1", "whk_x/1x"} {
		err := db.Commit(&queue.Batch{Puts: []queue.Put{{Kind: queue.KindWebhookDelivery, ID: id, Value: d1}}})
		if err == nil {
			t.Errorf("delivery ID %q accepted", id)
		}
	}
}
