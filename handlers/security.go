package handlers

import (
	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

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
	if !clientOf(c).https {
		return c.Next()
	}
	h.Set(fiber.HeaderStrictTransportSecurity, "max-age=31536000")
	err := c.Next()
	markCookiesSecure(h)
	return err
}

// markCookiesSecure keeps every cookie of a response to a visitor on HTTPS
// off plain HTTP, with or without --secure-cookies.
func markCookiesSecure(h *fasthttp.ResponseHeader) {
	var cookies []*fasthttp.Cookie
	h.VisitAllCookie(func(_, value []byte) {
		ck := fasthttp.AcquireCookie()
		if ck.ParseBytes(value) == nil && !ck.Secure() {
			cookies = append(cookies, ck)
			return
		}
		fasthttp.ReleaseCookie(ck)
	})
	for _, ck := range cookies {
		ck.SetSecure(true)
		h.SetCookie(ck)
		fasthttp.ReleaseCookie(ck)
	}
}
