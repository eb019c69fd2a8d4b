package handlers

import (
	_ "embed"

	"github.com/gofiber/fiber/v2"
)

// openAPIDocument describes the JSON API. The handler tests check every
// request they make and every answer they get against it (openapi_test.go),
// so it cannot drift from what the handlers do.
//
//go:embed openapi.json
var openAPIDocument []byte

// openAPI answers GET /openapi.json. A new build may change the document
// at the same URL, so clients revalidate it by its ETag.
func openAPI() fiber.Handler {
	return unversionedFile(newStaticFile(openAPIDocument, fiber.MIMEApplicationJSON), "no-cache")
}
