package display_test

import (
	"encoding/json"
	"io/fs"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/mpp-digital/antrean/display"
	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/queue"
	"github.com/mpp-digital/antrean/web"
)

var configRe = regexp.MustCompile(`(?s)<script type="application/json" id="display-config">(.*?)</script>`)

type pageConfig struct {
	Lang   string   `json:"lang"`
	Zone   []string `json:"zone"`
	Device bool     `json:"device"`
	Error  string   `json:"error"`
	Site   struct {
		Name     string `json:"name"`
		Timezone string `json:"timezone"`
	} `json:"site"`
	Voice struct{ Index, Base string } `json:"voice"`
}

func displayConfig(t *testing.T, body []byte) pageConfig {
	t.Helper()
	m := configRe.FindSubmatch(body)
	if m == nil {
		t.Fatalf("no display-config in the page:\n%s", body)
	}
	var c pageConfig
	if err := json.Unmarshal(m[1], &c); err != nil {
		t.Fatalf("display-config: %v\n%s", err, m[1])
	}
	return c
}

func TestPage(t *testing.T) {
	s := apptest.Start(t, apptest.Options{Start: apptest.Workday})
	m := s.SetupMall()
	var zoned struct{ ID, Token string }
	s.MustJSON(http.MethodPost, "/api/v1/devices", s.Admin, map[string]any{"kind": "display", "name": "Lobi Polres", "agency_ids": []string{m.AgencyB.ID}}, http.StatusCreated, &zoned)

	r := s.Do(http.MethodGet, "/display", "", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("GET /display: %d %s", r.Status, r.Body)
	}
	for h, want := range map[string]string{
		"Content-Type":           "text/html; charset=utf-8",
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "no-referrer",
		// The screen sets its clock by the server's: the engine's.
		"Date": "Thu, 26 Nov 2026 03:00:00 GMT",
	} {
		if got := r.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP = %q", csp)
	}
	body := string(r.Body)
	for _, want := range []string{`<html lang="id">`, "NOMOR ANTREAN", "PANGGILAN TERAKHIR", "MPP Uji", `aria-live="polite"`} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// No inline script or style: the CSP would block them.
	if regexp.MustCompile(`<script>|<script type="module">|style="|<style`).MatchString(body) {
		t.Errorf("page has inline script or style")
	}
	c := displayConfig(t, r.Body)
	if c.Lang != "id" || c.Zone != nil || c.Device || c.Error != "" || c.Site.Name != "MPP Uji" || c.Site.Timezone != "Asia/Jakarta" {
		t.Errorf("config = %+v", c)
	}

	r = s.Do(http.MethodGet, "/display?lang=en", "", nil)
	if !strings.Contains(string(r.Body), `<html lang="en">`) || !strings.Contains(string(r.Body), "TICKET NUMBER") {
		t.Errorf("?lang=en is not English")
	}

	r = s.Do(http.MethodGet, "/display?agency="+m.AgencyA.ID, "", nil)
	if c := displayConfig(t, r.Body); r.Status != http.StatusOK || len(c.Zone) != 1 || c.Zone[0] != m.AgencyA.ID {
		t.Errorf("?agency=: %d %+v", r.Status, c)
	}

	r = s.Do(http.MethodGet, "/display?device="+zoned.Token, "", nil)
	if c := displayConfig(t, r.Body); r.Status != http.StatusOK || !c.Device || len(c.Zone) != 1 || c.Zone[0] != m.AgencyB.ID {
		t.Errorf("?device= (zoned): %d %+v", r.Status, c)
	}
	r = s.Do(http.MethodGet, "/display?device="+m.Tokens["display"], "", nil)
	if c := displayConfig(t, r.Body); r.Status != http.StatusOK || !c.Device || c.Zone != nil {
		t.Errorf("?device= (all agencies): %d %+v", r.Status, c)
	}
	// A kiosk's token is not a display's; a wrong token is unknown.
	for _, tok := range []string{m.Tokens["kiosk"], "nope"} {
		r = s.Do(http.MethodGet, "/display?device="+tok, "", nil)
		if c := displayConfig(t, r.Body); r.Status != http.StatusNotFound || c.Error != "device_unknown" || c.Device {
			t.Errorf("?device=%s: %d %+v", tok, r.Status, c)
		}
		if !strings.Contains(string(r.Body), "tidak dikenal") {
			t.Errorf("unknown device page does not say so")
		}
	}
	r = s.Do(http.MethodGet, "/display?agency=agc_nope", "", nil)
	if c := displayConfig(t, r.Body); r.Status != http.StatusNotFound || c.Error != "agency_unknown" {
		t.Errorf("?agency=unknown: %d %+v", r.Status, c)
	}

	// The files the page names are served, with the right types.
	for _, tc := range []struct{ path, ctype string }{
		{"/display/assets/display.js", "text/javascript; charset=utf-8"},
		{"/display/assets/voice.js", "text/javascript; charset=utf-8"},
		{"/display/assets/announcer.js", "text/javascript; charset=utf-8"},
		{"/display/assets/display.css", "text/css; charset=utf-8"},
		{"/static/live.js", "text/javascript; charset=utf-8"},
		{"/static/i18n.js", "text/javascript; charset=utf-8"},
		{"/static/tokens.css", "text/css; charset=utf-8"},
		{c.Voice.Index, "application/json"},
		{c.Voice.Base + "dua.wav", "audio/wav"},
	} {
		r := s.Do(http.MethodGet, tc.path, "", nil)
		if r.Status != http.StatusOK || r.Header.Get("Content-Type") != tc.ctype {
			t.Errorf("GET %s: %d %q", tc.path, r.Status, r.Header.Get("Content-Type"))
		}
	}
	for _, src := range regexp.MustCompile(`(?:src|href)="(/[^"]+)"`).FindAllStringSubmatch(body, -1) {
		r := s.Do(http.MethodGet, strings.ReplaceAll(src[1], "&amp;", "&"), "", nil)
		if r.Status != http.StatusOK || !strings.Contains(r.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("GET %s: %d, Cache-Control %q", src[1], r.Status, r.Header.Get("Cache-Control"))
		}
	}
}

// clipIndex reads the embedded clips.json.
func clipIndex(t *testing.T) map[string]struct {
	File string  `json:"file"`
	Dur  float64 `json:"dur"`
} {
	t.Helper()
	raw, err := fs.ReadFile(display.VoiceFiles(), "clips.json")
	if err != nil {
		t.Fatal(err)
	}
	var idx map[string]struct {
		File string  `json:"file"`
		Dur  float64 `json:"dur"`
	}
	if err := json.Unmarshal(raw, &idx); err != nil {
		t.Fatal(err)
	}
	return idx
}

// TestVoiceClips checks the offline voice: every clip the index names
// exists, they stay small, and every word a call can contain has a clip.
func TestVoiceClips(t *testing.T) {
	idx := clipIndex(t)
	total := 0
	for key, e := range idx {
		raw, err := fs.ReadFile(display.VoiceFiles(), "clips/"+e.File)
		if err != nil {
			t.Errorf("clip %q: %v", key, err)
			continue
		}
		total += len(raw)
		if string(raw[:4]) != "RIFF" || string(raw[8:12]) != "WAVE" {
			t.Errorf("clip %q is not a WAV file", key)
		}
		if e.Dur <= 0.05 || e.Dur > 2 {
			t.Errorf("clip %q lasts %.3f s", key, e.Dur)
		}
	}
	if total > 1536<<10 {
		t.Errorf("clips total %d KiB, want under 1.5 MiB", total>>10)
	}
	words := map[string]bool{}
	add := func(text string) {
		for w := range strings.FieldsSeq(strings.NewReplacer(",", " ", ".", " ").Replace(text)) {
			words[w] = true
		}
	}
	for n := 0; n <= 999999; n += 1 + n/50 {
		add(queue.NumberWords(n))
	}
	for c := 'A'; c <= 'Z'; c++ {
		add(string(c))
	}
	add(queue.Announce("A012", "Loket 3", "", false).ID)
	add(queue.Announce("B7", "Meja 12", "", false).ID)
	for w := range words {
		key := w
		if len(w) > 1 {
			key = strings.ToLower(w)
		}
		if key == "nomor" || key == "antrean" || key == "silakan" || key == "menuju" {
			continue // spoken as the phrases "nomor antrean", "silakan menuju"
		}
		if _, ok := idx[key]; !ok {
			t.Errorf("no clip for %q", key)
		}
	}
	for _, phrase := range []string{"nomor antrean", "silakan menuju"} {
		if _, ok := idx[phrase]; !ok {
			t.Errorf("no clip for %q", phrase)
		}
	}
}

func TestCatalogues(t *testing.T) {
	if missing := display.Catalog().Missing(); len(missing) > 0 {
		t.Errorf("translations missing: %v", missing)
	}
	if missing := web.Common.Missing(); len(missing) > 0 {
		t.Errorf("common translations missing: %v", missing)
	}
}
