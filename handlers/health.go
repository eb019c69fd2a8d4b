package handlers

import (
	"context"
	"time"

	"fimdb/db"

	"github.com/gofiber/fiber/v2"
)

// health answers liveness and readiness probes: 503 while the instance
// drains, so that it gets no new traffic, and 503 when the database does
// not answer, since fimdb is useless without it.
func health(store *db.Store, draining func() bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if draining() {
			c.Set(fiber.HeaderCacheControl, "no-store")
			return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "draining"})
		}
		ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
		defer cancel()
		c.Set(fiber.HeaderCacheControl, "no-store")
		if err := store.Ping(ctx); err != nil {
			return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable"})
		}
		return c.JSON(fiber.Map{"status": "ok"})
	}
}

// lifecycleHeaders names the instance on every response, when it has a
// name, and closes each connection once the instance drains: a proxy that
// kept one open would otherwise send its next request just as the
// instance closes it.
func lifecycleHeaders(instance string, draining func() bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if instance != "" {
			c.Set("X-Fimdb-Instance", instance)
		}
		if draining() {
			c.Context().SetConnectionClose()
		}
		return c.Next()
	}
}
