package handlers

import "github.com/gofiber/fiber/v2"

// contentSecurityPolicy allows only the app's own scripts and styles (htmx
// is configured to inject no inline styles), data: images for Beer CSS's
// backgrounds, no fonts at all (icons are inline SVG and text uses the
// system's fonts), and no framing by anyone.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'none'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

// securityHeaders sets the headers every response carries. Pages hold the
// viewer's email and CSRF token, so nothing is cached unless a handler says
// so (the fingerprinted assets do).
func securityHeaders(c *fiber.Ctx) error {
	h := &c.Response().Header
	h.Set(fiber.HeaderCacheControl, "no-store")
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	return c.Next()
}
