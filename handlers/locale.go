package handlers

import (
	"fimdb/i18n"

	"github.com/gofiber/fiber/v2"
	"github.com/invopop/ctxi18n"
)

// withLocale puts the visitor's locale into the user context, where views
// find it. Only English exists yet; negotiation comes with the translations.
func withLocale(c *fiber.Ctx) error {
	ctx, err := ctxi18n.WithLocale(c.UserContext(), i18n.Default)
	if err != nil {
		return err
	}
	c.SetUserContext(ctx)
	return c.Next()
}
