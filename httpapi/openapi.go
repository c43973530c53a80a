package httpapi

import (
	_ "embed"
	"net/http"

	"github.com/labstack/echo/v4"
)

// openAPIDoc is the OpenAPI 3.1 twin of API.md for the routes the server
// implements, written by hand. openapi_test.go fails when it and the
// registered routes drift apart: a new /api route needs its operation here.
//
//go:embed openapi.json
var openAPIDoc []byte

// getOpenAPI serves GET /api/v1/openapi.json (public).
func (s *Server) getOpenAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, openAPIDoc)
}
