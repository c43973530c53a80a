package region

import (
	"embed"
	"encoding/json"
	"html/template"
	"io/fs"
	"net/http"

	"github.com/labstack/echo/v4"
)

// The region's screens: the live board (/) and the reports (/laporan),
// html/template pages with small vanilla JS modules, embedded; Bahasa
// Indonesia first, English with ?lang=en. Without a session a page
// shows the sign-in form.

//go:embed templates/*.html
var templatesFS embed.FS

//go:embed assets
var assetsRoot embed.FS

const assetsPrefix = "/region-static/"

var assetsFS = func() fs.FS {
	sub, err := fs.Sub(assetsRoot, "assets")
	if err != nil {
		panic(err)
	}
	return sub
}()

var pages = template.Must(template.New("").ParseFS(templatesFS, "templates/*.html"))

// texts are the screens' words, by language; the JS gets them too.
var texts = map[string]map[string]string{
	"id": {
		"lang": "id", "title_board": "Papan Pantau Region", "title_reports": "Laporan Region", "app": "Antrean MPP",
		"nav_board": "Papan pantau", "nav_reports": "Laporan", "logout": "Keluar", "other_lang": "English", "other_lang_code": "en",
		"login_title": "Masuk", "username": "Nama pengguna", "password": "Kata sandi", "login": "Masuk",
		"login_failed": "Nama pengguna atau kata sandi salah.",
		"sites":        "Situs", "waiting": "Menunggu", "open_counters": "Loket buka", "longest_wait": "Terlama menunggu",
		"issued": "Diambil", "served": "Dilayani", "served_today": "Dilayani hari ini", "no_show": "Tidak hadir", "ikm": "IKM 30 hari",
		"link": "Tautan", "last_event": "peristiwa terakhir", "behind": "tertinggal", "events": "peristiwa", "missing": "hilang",
		"all_sites": "Semua situs", "updated": "Diperbarui", "no_sites": "Belum ada situs yang mengirim data.",
		"minutes_ago": "mnt lalu", "just_now": "baru saja", "never": "belum ada", "offline": "tidak ada kabar",
		"from": "Dari", "to": "Sampai", "site": "Situs", "group_by": "Kelompokkan menurut", "show": "Tampilkan",
		"g_site": "Situs", "g_agency": "Instansi", "g_service": "Layanan", "g_counter": "Loket", "g_hour": "Jam", "g_day": "Hari",
		"summary": "Ringkasan pelayanan", "download_csv": "Unduh CSV", "label": "Nama", "cancelled": "Batal",
		"avg_wait": "Rata-rata tunggu", "p90_wait": "P90 tunggu", "avg_service": "Rata-rata layanan", "within_target": "Dalam target",
		"no_show_pct": "% tidak hadir", "ikm_title": "Indeks Kepuasan Masyarakat (IKM)", "respondents": "Responden",
		"grade": "Mutu", "performance": "Kinerja", "element": "Unsur", "average": "NRR", "overall": "Keseluruhan",
		"no_rows": "Tidak ada data untuk rentang ini.", "loading": "Memuat…", "error": "Gagal memuat",
		"min": "mnt", "hour_short": "j", "sec": "dtk", "today_note": "Angka hari ini dari hari kerja tiap situs.",
	},
	"en": {
		"lang": "en", "title_board": "Region Board", "title_reports": "Region Reports", "app": "Antrean MPP",
		"nav_board": "Board", "nav_reports": "Reports", "logout": "Sign out", "other_lang": "Bahasa Indonesia", "other_lang_code": "id",
		"login_title": "Sign in", "username": "Username", "password": "Password", "login": "Sign in",
		"login_failed": "Wrong username or password.",
		"sites":        "Sites", "waiting": "Waiting", "open_counters": "Open counters", "longest_wait": "Longest wait",
		"issued": "Issued", "served": "Served", "served_today": "Served today", "no_show": "No-shows", "ikm": "IKM 30 days",
		"link": "Link", "last_event": "last event", "behind": "behind", "events": "events", "missing": "missing",
		"all_sites": "All sites", "updated": "Updated", "no_sites": "No site has sent data yet.",
		"minutes_ago": "min ago", "just_now": "just now", "never": "none yet", "offline": "no news",
		"from": "From", "to": "To", "site": "Site", "group_by": "Group by", "show": "Show",
		"g_site": "Site", "g_agency": "Agency", "g_service": "Service", "g_counter": "Counter", "g_hour": "Hour", "g_day": "Day",
		"summary": "Service summary", "download_csv": "Download CSV", "label": "Name", "cancelled": "Cancelled",
		"avg_wait": "Average wait", "p90_wait": "P90 wait", "avg_service": "Average service", "within_target": "Within target",
		"no_show_pct": "No-show %", "ikm_title": "Community Satisfaction Index (IKM)", "respondents": "Respondents",
		"grade": "Grade", "performance": "Performance", "element": "Element", "average": "NRR", "overall": "Overall",
		"no_rows": "No data for this range.", "loading": "Loading…", "error": "Could not load",
		"min": "min", "hour_short": "h", "sec": "s", "today_note": "Today's figures are of each site's business day.",
	},
}

type pageData struct {
	Page     string
	T        map[string]string
	TJSON    template.JS
	SignedIn bool
	User     *User
	Today    string
}

func (r *Region) page(name string) echo.HandlerFunc {
	return func(c echo.Context) error {
		// The screens speak Bahasa Indonesia unless asked for English
		// (?lang=en, which their links keep): a browser's own language
		// does not decide.
		lang := "id"
		if c.QueryParam("lang") == "en" {
			lang = "en"
		}
		t := texts[lang]
		tj, _ := json.Marshal(t)
		cl := r.authenticate(c)
		d := pageData{Page: name, T: t, TJSON: template.JS(tj), SignedIn: cl.user != nil, User: cl.user,
			Today: r.cfg.Clock().Format("2006-01-02")}
		c.Response().Header().Set("Content-Type", "text/html; charset=utf-8")
		c.Response().Header().Set("Cache-Control", "no-store")
		c.Response().WriteHeader(http.StatusOK)
		return pages.ExecuteTemplate(c.Response(), "page.html", d)
	}
}
