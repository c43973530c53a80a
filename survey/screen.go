package survey

import (
	"github.com/labstack/echo/v4"

	"github.com/mpp-digital/antrean/queue"
)

func mountScreen(e *echo.Echo, eng *queue.Engine) {}
