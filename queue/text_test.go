package queue

import (
	"errors"
	"testing"
)

// Text fields refuse control characters, naming the field; multi-line
// text (the running text) may hold tab and line breaks, names never.
func TestTextFieldsRefuseControlCharacters(t *testing.T) {
	bad := map[string]string{
		"NUL": "Loket\x001", "BEL": "Loket\a1", "ESC": "Loket \x1b[2J1", "DEL": "Loket\x7f1",
		"C1 CSI": "Loket\u009b1", "newline": "Loket\n1", "tab": "Loket\t1", "CR": "Loket\r1",
	}
	cases := []struct {
		field string
		// check validates an object whose field holds v.
		check func(v string) error
	}{
		{"name", func(v string) error { s := DefaultSite(); s.Name = v; return s.Validate() }},
		{"breaks[0].name", func(v string) error {
			s := DefaultSite()
			s.Breaks = []Break{{Name: v, Days: []string{"fri"}, From: "11:30", To: "13:00"}}
			return s.Validate()
		}},
		{"skm_elements[0]", func(v string) error { s := DefaultSite(); s.SKMElements = []string{v}; return s.Validate() }},
		{"name", func(v string) error { return (&Agency{Code: "DKP", Name: v}).Validate() }},
		{"short_name", func(v string) error { return (&Agency{Code: "DKP", Name: "Dukcapil", ShortName: v}).Validate() }},
		{"name", func(v string) error {
			s := DefaultService()
			s.Code, s.AgencyID, s.Name = "A", "agc_1", v
			return s.Validate()
		}},
		{"name_en", func(v string) error {
			s := DefaultService()
			s.Code, s.AgencyID, s.Name, s.NameEN = "A", "agc_1", "KTP", v
			return s.Validate()
		}},
		{"fee", func(v string) error {
			s := DefaultService()
			s.Code, s.AgencyID, s.Name, s.Fee = "A", "agc_1", "KTP", v
			return s.Validate()
		}},
		{"requirements[0]", func(v string) error {
			s := DefaultService()
			s.Code, s.AgencyID, s.Name, s.Requirements = "A", "agc_1", "KTP", []string{v}
			return s.Validate()
		}},
		{"name", func(v string) error {
			return (&Counter{AgencyID: "agc_1", Name: v, ServiceIDs: []string{"svc_1"}}).Validate()
		}},
		{"username", func(v string) error { return (&User{Username: v, Role: RoleGreeter}).Validate() }},
		{"name", func(v string) error { return (&Device{Kind: DeviceDisplay, Name: v}).Validate() }},
		{"printer", func(v string) error {
			return (&Device{Kind: DeviceKiosk, Name: "Kios", Printer: v + ":9100"}).Validate()
		}},
		{"reason", func(v string) error { return ValidText("reason", v, false, 100, false) }},
	}
	for _, c := range cases {
		if err := c.check("loket1"); err != nil {
			t.Fatalf("%s: a plain value refused: %v", c.field, err)
		}
		for what, v := range bad {
			err := c.check(v)
			var qe *Error
			if !errors.As(err, &qe) || qe.Code != EInvalid || qe.Fields[c.field] == "" {
				t.Errorf("%s with %s: %v, want invalid_input naming %s", c.field, what, err, c.field)
			}
		}
	}
}

func TestRunningTextMayHaveLines(t *testing.T) {
	s := DefaultSite()
	s.RunningText = "Selamat datang di MPP.\nLoket tutup pukul 15.00.\r\n\tTerima kasih."
	if err := s.Validate(); err != nil {
		t.Fatalf("running text with tab and line breaks: %v", err)
	}
	for _, v := range []string{"Selamat\x1b[5m datang", "bel\a", "nul\x00", "c1\u0085"} {
		s.RunningText = v
		var qe *Error
		if err := s.Validate(); !errors.As(err, &qe) || qe.Fields["running_text"] == "" {
			t.Errorf("running text %q: %v, want invalid_input naming running_text", v, err)
		}
	}
}
