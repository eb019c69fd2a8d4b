package handlers

import (
	"bytes"
	"strings"

	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"
)

// render writes a component into a buffer first, so a failing template never
// sends half a page, then sends it with status. It renders with the user
// context, which carries the locale (fasthttp's own context does not).
func render(c *fiber.Ctx, status int, component templ.Component) error {
	var buf bytes.Buffer
	if err := component.Render(c.UserContext(), &buf); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Status(status).Send(buf.Bytes())
}

// varyOnRepresentation marks a response as depending on the headers that
// pick between page, fragment and JSON, so no cache serves one for another.
func varyOnRepresentation(c *fiber.Ctx) {
	c.Vary("HX-Request", "HX-History-Restore-Request", "Accept")
}

// wantsJSON reports whether the client prefers JSON to HTML.
func wantsJSON(c *fiber.Ctx) bool {
	return c.Accepts(fiber.MIMETextHTML, fiber.MIMEApplicationJSON) == fiber.MIMEApplicationJSON
}

// wantsFragment reports whether htmx asked for a partial swap. A history
// restore asks for the whole page even though it comes from htmx.
func wantsFragment(c *fiber.Ctx) bool {
	return strings.EqualFold(c.Get("HX-Request"), "true") &&
		!strings.EqualFold(c.Get("HX-History-Restore-Request"), "true")
}
