package display

import (
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"slices"
	"strings"

	"github.com/mpp-digital/antrean/internal/token"
	"github.com/mpp-digital/antrean/queue"
	"github.com/mpp-digital/antrean/web"
)

// The offline voice: one clip per word, letter and phrase of a call,
// made by voice/generate.sh with espeak-ng and sox.
//
//go:generate sh voice/generate.sh

var (
	//go:embed assets
	assetsFS embed.FS
	//go:embed voice/clips voice/clips.json
	voiceFS embed.FS
	//go:embed i18n/*.json
	i18nFS embed.FS
	//go:embed display.html
	pageHTML string
)

var (
	// Assets serves the lobby screen's script and style sheet at
	// /display/assets/.
	Assets = web.MustAssets(web.Sub(assetsFS, "assets"), "/display/assets/")
	// Voice serves the offline voice at /display/voice/: clips.json and
	// clips/*.wav.
	Voice = web.MustAssets(web.Sub(voiceFS, "voice"), "/display/voice/")

	catalog = web.Common.Merge(web.MustCatalog(i18nFS, "i18n"))
	page    = template.Must(template.New("display").Parse(pageHTML))
)

// Page serves the lobby display, GET /display: all agencies, one zone
// with ?agency=ID[,ID…], or a display device's zone with ?device=TOKEN.
// The page itself carries only the site's public settings; the numbers
// come over the public websocket feed.
type Page struct {
	Engine *queue.Engine
}

// pageConfig is what the script starts from, rendered into the page as
// JSON data.
type pageConfig struct {
	Lang     string       `json:"lang"`
	Site     siteConfig   `json:"site"`
	Agencies []agencyInfo `json:"agencies"`
	// Zone is the agencies shown; nil shows all.
	Zone []string `json:"zone"`
	// Device is set when the page was opened with a valid ?device=: the
	// script keeps the token and takes it out of the address bar.
	Device bool `json:"device"`
	// Error is "device_unknown" or "agency_unknown".
	Error string `json:"error,omitempty"`
	Voice struct {
		Index string `json:"index"`
		Base  string `json:"base"`
	} `json:"voice"`
}

type siteConfig struct {
	Name        string `json:"name"`
	Timezone    string `json:"timezone"`
	Opens       string `json:"opens"`
	Closes      string `json:"closes"`
	RunningText string `json:"running_text"`
}

type agencyInfo struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	ShortName string `json:"short_name"`
}

type pageData struct {
	Lang    string
	Site    siteConfig
	Config  pageConfig
	Catalog map[string]string
	Error   string
	T       func(string) string
	Static  func(string) string
	Asset   func(string) string
}

// ServeHTTP renders the page. An unknown device token or agency answers
// 404 with a page that says so (and makes the browser forget the token).
func (p *Page) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	lang := web.Lang(r)
	st := p.Engine.State()
	site := st.Site
	cfg := pageConfig{
		Lang: lang,
		Site: siteConfig{Name: site.Name, Timezone: site.Timezone, Opens: site.Opens, Closes: site.Closes, RunningText: site.RunningTextIn(lang)},
	}
	cfg.Voice.Index = Voice.URL("clips.json")
	cfg.Voice.Base = Voice.Prefix() + "clips/"
	for _, a := range st.Agencies() {
		// In English the English names, falling back to the Indonesian
		// (the script shows short_name, else name).
		cfg.Agencies = append(cfg.Agencies, agencyInfo{ID: a.ID, Name: a.NameIn(lang), ShortName: a.Label(lang)})
	}
	if cfg.Agencies == nil {
		cfg.Agencies = []agencyInfo{}
	}
	q := r.URL.Query()
	switch {
	case q.Has("device"):
		d := st.DeviceByTokenHash(token.Hash(q.Get("device")))
		if d == nil || d.Kind != queue.DeviceDisplay {
			cfg.Error = "device_unknown"
			break
		}
		cfg.Device = true
		if len(d.AgencyIDs) > 0 {
			cfg.Zone = slices.Clone(d.AgencyIDs)
		}
	case q.Get("agency") != "":
		for _, id := range strings.Split(q.Get("agency"), ",") {
			id = strings.TrimSpace(id)
			if id == "" {
				continue
			}
			if st.Agency(id) == nil {
				cfg.Error = "agency_unknown"
				break
			}
			cfg.Zone = append(cfg.Zone, id)
		}
	}
	tr := func(key string) string { return catalog.T(lang, key) }
	data := pageData{
		Lang: lang, Site: cfg.Site, Config: cfg, Catalog: catalog.For(lang), T: tr,
		Static: web.Static.URL, Asset: Assets.URL,
	}
	status := http.StatusOK
	if cfg.Error != "" {
		data.Error = tr("error." + cfg.Error)
		status = http.StatusNotFound
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = page.Execute(w, data)
}

// VoiceFiles is the embedded voice folder: clips.json and clips/*.wav.
func VoiceFiles() fs.FS { return web.Sub(voiceFS, "voice") }

// Catalog is the lobby screen's translations (shared ones included).
func Catalog() web.Catalog { return catalog }
