package handlers

import (
	"context"
	"time"

	"fimdb/db"

	"github.com/gofiber/fiber/v2"
)

// health answers liveness probes; it also checks that the database answers,
// since fimdb is useless without it.
func health(store *db.Store) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
		defer cancel()
		c.Set(fiber.HeaderCacheControl, "no-store")
		if err := store.Ping(ctx); err != nil {
			return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable"})
		}
		return c.JSON(fiber.Map{"status": "ok"})
	}
}
