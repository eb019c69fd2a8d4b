package handlers

import (
	"fimdb/i18n"
	"fimdb/views"

	"github.com/gofiber/fiber/v2"
)

// LangCookie remembers a language picked with ?lang= (the switcher).
const LangCookie = "fimdb_lang"

// langCookieAge keeps the choice for a year.
const langCookieAge = 365 * 24 * 60 * 60

// withLocale puts the visitor's locale into the user context, where views
// and handlers find it: ?lang= first (and remembered), then the cookie,
// then Accept-Language, then English.
func withLocale(secureCookies bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		code := requestLocale(c)
		query, cookie := c.Query("lang"), c.Cookies(LangCookie)
		if chosen, ok := i18n.Supported(query); ok && chosen != cookie {
			c.Cookie(&fiber.Cookie{
				Name: LangCookie, Value: chosen, Path: "/", MaxAge: langCookieAge,
				SameSite: fiber.CookieSameSiteLaxMode, Secure: secureCookies, HTTPOnly: true,
			})
		}
		ctx, err := i18n.WithLocale(c.UserContext(), code)
		if err != nil {
			return err
		}
		// Read only while the page renders; the views' memo copies what it
		// keeps, since fasthttp reuses these bytes for the next request.
		c.SetUserContext(views.WithPageURL(ctx, c.OriginalURL()))
		c.Set(fiber.HeaderContentLanguage, code)
		c.Vary(fiber.HeaderAcceptLanguage, fiber.HeaderCookie)
		return c.Next()
	}
}

// requestLocale is the locale a request asks for (see i18n.Negotiate).
func requestLocale(c *fiber.Ctx) string {
	return i18n.Negotiate(c.Query("lang"), c.Cookies(LangCookie), c.Get(fiber.HeaderAcceptLanguage))
}
