package storage

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/mpp-digital/antrean/queue"
	bolt "go.etcd.io/bbolt"
)

// Webhooks are kept in two buckets: webhooks (ID → the webhook with its
// secret and delivery cursor) and webhook_deliveries (webhook ID, '/',
// 8-byte big-endian seq → the delivery), the last deliveries the engine
// keeps of each webhook. Migration 2 → 3 makes both.

var (
	bktWebhooks          = []byte("webhooks")
	bktWebhookDeliveries = []byte("webhook_deliveries")
)

// migrateWebhooks is migration 2 → 3.
func migrateWebhooks(tx *bolt.Tx) error {
	for _, name := range [][]byte{bktWebhooks, bktWebhookDeliveries} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return nil
}

// webhookRec adds the webhook's hidden fields back for storage.
type webhookRec struct {
	*queue.Webhook
	Secret string `json:"secret"`
	After  uint64 `json:"after"`
}

type deliveryRec struct {
	*queue.WebhookDelivery
	WebhookID string `json:"webhook_id"`
}

func webhookRecord(w *queue.Webhook) any { return webhookRec{w, w.Secret, w.After} }

func deliveryRecord(d *queue.WebhookDelivery) any { return deliveryRec{d, d.WebhookID} }

func decodeWebhook(b []byte) (*queue.Webhook, error) {
	r := webhookRec{Webhook: new(queue.Webhook)}
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("storage: decode webhook: %w", err)
	}
	r.Webhook.Secret, r.Webhook.After = r.Secret, r.After
	return r.Webhook, nil
}

func decodeDelivery(b []byte) (*queue.WebhookDelivery, error) {
	r := deliveryRec{WebhookDelivery: new(queue.WebhookDelivery)}
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("storage: decode webhook delivery: %w", err)
	}
	r.WebhookDelivery.WebhookID = r.WebhookID
	return r.WebhookDelivery, nil
}

// encodeWebhookPut encodes the puts of webhooks and their deliveries; ok
// is false for other kinds.
func encodeWebhookPut(p queue.Put) (o op, ok bool, err error) {
	switch p.Kind {
	case queue.KindWebhook:
		o = op{bucket: bktWebhooks, key: []byte(p.ID)}
		o.val, err = encode(p, webhookRecord)
	case queue.KindWebhookDelivery:
		id, seq, valid := queue.ParseWebhookDeliveryID(p.ID)
		if !valid {
			return op{}, true, fmt.Errorf("storage: bad webhook delivery ID %q", p.ID)
		}
		o = op{bucket: bktWebhookDeliveries, key: append([]byte(id+"/"), u64(seq)...)}
		o.val, err = encode(p, deliveryRecord)
	default:
		return op{}, false, nil
	}
	return o, true, err
}

// loadWebhooks reads every webhook and kept delivery.
func loadWebhooks(tx *bolt.Tx, l *queue.Loaded) error {
	return errors.Join(
		loadAll(tx.Bucket(bktWebhooks), decodeWebhook, &l.Webhooks),
		loadAll(tx.Bucket(bktWebhookDeliveries), decodeDelivery, &l.WebhookDeliveries),
	)
}
