package handlers

import (
	"strings"

	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"
)

// render writes a component into the response body, which fasthttp buffers
// (and pools) until the handler returns: a failing template is wiped and
// never sends half a page. It renders with the user context, which carries
// the locale (fasthttp's own context does not).
func render(c *fiber.Ctx, status int, component templ.Component) error {
	c.Response().ResetBody()
	if err := component.Render(c.UserContext(), c.Response().BodyWriter()); err != nil {
		c.Response().ResetBody()
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Status(status)
	return nil
}

// varyOnRepresentation marks a response as depending on the headers that
// pick between page, fragment and JSON, so no cache serves one for another.
func varyOnRepresentation(c *fiber.Ctx) {
	c.Vary("HX-Request", "HX-History-Restore-Request", "Accept")
}

// wantsJSON reports whether the client prefers JSON to HTML. The catalog
// API (/manage/...) answers scripts in JSON, so there a client that names
// neither (curl's */*, or no Accept at all) gets its errors in JSON too, as
// the original app's scripts expect.
func wantsJSON(c *fiber.Ctx) bool {
	switch c.Accepts(fiber.MIMETextHTML, fiber.MIMEApplicationJSON) {
	case fiber.MIMEApplicationJSON:
		return true
	case fiber.MIMETextHTML:
		return isCatalogAPI(c.Path()) && !prefersHTML(c) && !wantsFragment(c)
	}
	return false
}

// prefersHTML reports whether the client asks for HTML ahead of JSON, as a
// browser does; a client that names neither (curl's */*) gets JSON.
func prefersHTML(c *fiber.Ctx) bool {
	return c.Accepts(fiber.MIMEApplicationJSON, fiber.MIMETextHTML) == fiber.MIMETextHTML
}

// wantsFragment reports whether htmx asked for a partial swap. A history
// restore asks for the whole page even though it comes from htmx.
func wantsFragment(c *fiber.Ctx) bool {
	return strings.EqualFold(c.Get("HX-Request"), "true") &&
		!strings.EqualFold(c.Get("HX-History-Restore-Request"), "true")
}

// isCatalogAPI tells whether a path is under /manage, in any case, as
// Fiber routes it.
func isCatalogAPI(path string) bool {
	const prefix = "/manage"
	return len(path) >= len(prefix) && strings.EqualFold(path[:len(prefix)], prefix) &&
		(len(path) == len(prefix) || path[len(prefix)] == '/')
}
