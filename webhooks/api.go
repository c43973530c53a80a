package webhooks

import (
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/mpp-digital/antrean/httpapi"
	"github.com/mpp-digital/antrean/queue"
)

// Mount adds API.md's webhook routes, for admins only:
//
//	POST   /api/v1/webhooks                   {url, events, secret} → 201 the webhook
//	GET    /api/v1/webhooks                   {webhooks}
//	DELETE /api/v1/webhooks/{id}              204
//	GET    /api/v1/webhooks/{id}/deliveries   {deliveries}
func Mount(api *httpapi.Server, d *Dispatcher) {
	h := &handlers{api: api, d: d}
	api.Route(http.MethodPost, "/webhooks", h.create, httpapi.Admin)
	api.Route(http.MethodGet, "/webhooks", h.list, httpapi.Admin)
	api.Route(http.MethodDelete, "/webhooks/:id", h.delete, httpapi.Admin)
	api.Route(http.MethodGet, "/webhooks/:id/deliveries", h.deliveries, httpapi.Admin)
}

type handlers struct {
	api *httpapi.Server
	d   *Dispatcher
}

// input is the body of POST /api/v1/webhooks.
type input struct {
	URL    string   `json:"url"`
	Events []string `json:"events"`
	Secret string   `json:"secret"`
}

// decodeInput reads and checks the body of POST /api/v1/webhooks (strict
// JSON, API.md's fields); the webhook it answers has no ID yet.
func decodeInput(c echo.Context) (*queue.Webhook, error) {
	var in input
	if err := httpapi.Decode(c, &in); err != nil {
		return nil, err
	}
	w := &queue.Webhook{URL: in.URL, Events: in.Events, Secret: in.Secret}
	if w.Events == nil {
		w.Events = []string{}
	}
	if err := w.Validate(); err != nil {
		return nil, err
	}
	return w, nil
}

func (h *handlers) create(c echo.Context) error {
	w, err := decodeInput(c)
	if err != nil {
		return err
	}
	w.ID = queue.NewID("whk")
	return h.api.Do(c, queue.CreateWebhook{Webhook: w}, func(_ *queue.State, v any) (int, any) {
		return http.StatusCreated, v // the secret is json:"-"
	})
}

func (h *handlers) list(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]any{"webhooks": h.api.Engine().State().Webhooks()})
}

func (h *handlers) delete(c echo.Context) error {
	return h.api.Do(c, queue.DeleteWebhook{ID: c.Param("id")}, func(*queue.State, any) (int, any) {
		return http.StatusNoContent, nil
	})
}

// deliveries answers the event being delivered, if any, then the last
// queue.WebhookDeliveriesKept delivered ones, newest first.
func (h *handlers) deliveries(c echo.Context) error {
	id := c.Param("id")
	st := h.api.Engine().State()
	if st.Webhook(id) == nil {
		return queue.NotFound()
	}
	done := st.WebhookDeliveries(id)
	out := make([]queue.WebhookDelivery, 0, len(done)+1)
	if p := h.d.Pending(id); p != nil && (len(done) == 0 || p.Seq > done[len(done)-1].Seq) {
		out = append(out, *p)
	}
	for _, d := range slices.Backward(done) {
		out = append(out, d)
	}
	return c.JSON(http.StatusOK, map[string]any{"deliveries": out})
}
