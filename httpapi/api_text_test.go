package httpapi_test

// Text fields refuse control characters with 400 invalid_input naming
// the field (API.md, Limits): names of the site, agencies, services,
// counters, users and devices, and the pause reason, never hold one; the
// running text (a textarea) may hold tab and line breaks, nothing else.

import (
	"net/http"
	"testing"

	"github.com/mpp-digital/antrean/internal/apptest"
)

func TestTextFieldsRefuseControlCharacters(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{})
	m := s.SetupMall()
	off := m.Tokens["officerA"]
	apiActOK(t, s, off, m.CounterA.ID, "open", nil)

	var site map[string]any
	s.MustJSON(http.MethodGet, "/api/v1/site", "", nil, http.StatusOK, &site)
	withSite := func(field string, v any) map[string]any {
		b := map[string]any{}
		for k, x := range site {
			b[k] = x
		}
		b[field] = v
		return b
	}
	cases := []struct {
		name, method, path, token string
		body                      func(v string) any
		field                     string
	}{
		{"site name", http.MethodPut, "/api/v1/site", s.Admin, func(v string) any { return withSite("name", v) }, "name"},
		{"site break name", http.MethodPut, "/api/v1/site", s.Admin, func(v string) any {
			return withSite("breaks", []map[string]any{{"name": v, "days": []string{"fri"}, "from": "11:30", "to": "13:00"}})
		}, "breaks[0].name"},
		{"agency name", http.MethodPost, "/api/v1/agencies", s.Admin, func(v string) any {
			return map[string]string{"code": "BPJ", "name": v}
		}, "name"},
		{"agency short name", http.MethodPut, "/api/v1/agencies/" + m.AgencyA.ID, s.Admin, func(v string) any {
			return map[string]string{"code": "DKP", "name": "Dinas Kependudukan", "short_name": v}
		}, "short_name"},
		{"service name", http.MethodPost, "/api/v1/services", s.Admin, func(v string) any {
			return map[string]any{"agency_id": m.AgencyA.ID, "code": "C", "name": v}
		}, "name"},
		{"service requirement", http.MethodPost, "/api/v1/services", m.Tokens["supervisorA"], func(v string) any {
			return map[string]any{"agency_id": m.AgencyA.ID, "code": "C", "name": "Akta", "requirements": []string{v}}
		}, "requirements[0]"},
		{"counter name", http.MethodPost, "/api/v1/counters", s.Admin, func(v string) any {
			return map[string]any{"agency_id": m.AgencyA.ID, "name": v, "service_ids": []string{m.ServiceA1.ID}}
		}, "name"},
		{"username", http.MethodPost, "/api/v1/users", s.Admin, func(v string) any {
			return map[string]string{"username": v, "password": apptest.StaffPassword, "role": "greeter"}
		}, "username"},
		{"device name", http.MethodPost, "/api/v1/devices", s.Admin, func(v string) any {
			return map[string]string{"kind": "display", "name": v}
		}, "name"},
		{"kiosk printer", http.MethodPost, "/api/v1/devices", s.Admin, func(v string) any {
			return map[string]string{"kind": "kiosk", "name": "Kios", "printer": v + ":9100"}
		}, "printer"},
		{"pause reason", http.MethodPost, "/api/v1/counters/" + m.CounterA.ID + "/pause", off, func(v string) any {
			return map[string]string{"reason": v}
		}, "reason"},
	}
	bad := map[string]string{"NUL": "nama\x00", "BEL": "na\ama", "ESC": "\x1b[31mnama", "newline": "na\nma", "tab": "na\tma", "DEL": "na\x7fma", "C1": "na\u0085ma"}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for what, v := range bad {
				r := s.Do(c.method, c.path, c.token, c.body(v))
				if r.Status != http.StatusBadRequest {
					t.Fatalf("%s: status %d, want 400: %s", what, r.Status, r.Body)
				}
				apiWantFields(t, r, c.field)
			}
		})
	}

	t.Run("running text", func(t *testing.T) {
		r := s.Do(http.MethodPut, "/api/v1/site", s.Admin, withSite("running_text", "Selamat datang.\nLoket tutup 15.00.\r\n\tTerima kasih."))
		apiWantStatus(t, r, http.StatusOK)
		for what, v := range map[string]string{"ESC": "Selamat \x1b[5mdatang", "BEL": "\a", "NUL": "a\x00b", "vertical tab": "a\vb"} {
			r := s.Do(http.MethodPut, "/api/v1/site", s.Admin, withSite("running_text", v))
			if r.Status != http.StatusBadRequest {
				t.Fatalf("%s: status %d, want 400", what, r.Status)
			}
			apiWantFields(t, r, "running_text")
		}
	})
	// Nothing refused was kept.
	var ags struct {
		Agencies []map[string]any `json:"agencies"`
	}
	s.MustJSON(http.MethodGet, "/api/v1/agencies", "", nil, http.StatusOK, &ags)
	if len(ags.Agencies) != 2 {
		t.Fatalf("%d agencies after refused creations", len(ags.Agencies))
	}
}
