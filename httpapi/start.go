package httpapi

import (
	"html/template"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/mpp-digital/antrean/queue"
	"github.com/mpp-digital/antrean/web"
)

// startPage is the root page: what this server is and where to go. The
// screens link here as they arrive.
var startPage = template.Must(template.New("start").Parse(`<!doctype html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Site.Name}} — Antrean</title>
<link rel="icon" href="{{.Icon}}" type="image/svg+xml">
<link rel="stylesheet" href="{{.Tokens}}">
<link rel="stylesheet" href="{{.Staff}}">
</head>
<body class="staff">
<header class="topbar">
<div class="brand"><span class="site">{{.Site.Name}}</span><span class="app">Antrean — sistem antrean Mal Pelayanan Publik</span></div>
</header>
<main class="start">
<h1>Pilih layar <span class="hint" lang="en">Choose a screen</span></h1>
<ul class="start-grid">
<li class="card"><h2><a href="/display">Layar antrean lobi</a></h2>
<p>Nomor yang dipanggil dan suaranya, untuk TV di ruang tunggu. <a href="/display?lang=en" lang="en">English</a></p>
<p class="hint" lang="en">Lobby display: called numbers, spoken.</p></li>
<li class="card"><h2><a href="/kiosk">Kios antrean</a></h2>
<p>Pengunjung mengambil nomor. Pasangkan kios dengan tautan perangkat dari Admin, atau masuk sebagai petugas informasi.</p>
<p class="hint" lang="en">Ticket kiosk: pair it with its device link, or sign in as a greeter.</p></li>
<li class="card"><h2><a href="/booking">Booking online</a></h2>
<p>Pengunjung memesan jadwal dari ponsel, lalu check-in di kios dengan kode booking. <a href="/booking?lang=en" lang="en">English</a></p>
<p class="hint" lang="en">Online booking: book a time from a phone, then check in at the kiosk with the code.</p></li>
<li class="card"><h2><a href="/counter">Konsol petugas loket</a></h2>
<p>Petugas memanggil nomor berikutnya di loketnya.</p>
<p class="hint" lang="en">Officer console: call the next number at a counter.</p></li>
<li class="card"><h2><a href="/admin">Admin</a></h2>
<p>Atur instansi, layanan, loket, petugas dan perangkat.</p>
<p class="hint" lang="en">Set up agencies, services, counters, staff and devices.</p></li>
</ul>
<p class="hint">Untuk integrasi <span lang="en">(for integrators)</span>:
<a href="/api/v1/openapi.json">OpenAPI</a> ·
<a href="/api/v1/state">status antrean (JSON)</a> ·
<a href="/api/v1/services">layanan (JSON)</a> ·
<a href="/healthz">kesehatan server</a></p>
</main>
</body>
</html>
`))

func (s *Server) start(c echo.Context) error {
	c.Response().Header().Set("Content-Type", "text/html; charset=utf-8")
	c.Response().WriteHeader(http.StatusOK)
	return startPage.Execute(c.Response(), struct {
		Site                *queue.Site
		Icon, Tokens, Staff string
	}{s.engine.State().Site, web.Static.URL("favicon.svg"), web.Static.URL("tokens.css"), web.Static.URL("staff.css")})
}
