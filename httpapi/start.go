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
</head>
<body>
<main>
<h1>{{.Site.Name}}</h1>
<p>Sistem antrean Mal Pelayanan Publik.</p>
<ul>
<li><a href="/display">Layar antrean lobi</a> (<a href="/display?lang=en">English</a>)</li>
<li><a href="/kiosk">Kios antrean</a> (dipasangkan dengan tautan perangkat, atau petugas informasi yang sudah masuk)</li>
<li><a href="/counter">Konsol petugas loket</a></li>
<li><a href="/admin">Admin</a></li>
<li><a href="/api/v1/state">Status antrean saat ini (JSON)</a></li>
<li><a href="/api/v1/services">Layanan (JSON)</a></li>
<li><a href="/healthz">Kesehatan server</a></li>
</ul>
<p lang="en">Queue system of a public service mall. The JSON API is described in API.md.</p>
</main>
</body>
</html>
`))

func (s *Server) start(c echo.Context) error {
	c.Response().Header().Set("Content-Type", "text/html; charset=utf-8")
	c.Response().WriteHeader(http.StatusOK)
	return startPage.Execute(c.Response(), struct {
		Site         *queue.Site
		Icon, Tokens string
	}{s.engine.State().Site, web.Static.URL("favicon.svg"), web.Static.URL("tokens.css")})
}
