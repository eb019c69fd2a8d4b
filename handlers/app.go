// Package handlers turns HTTP requests into calls on the db store and
// renders the views. Routes and middleware groups are assembled in New.
package handlers

import (
	"log/slog"
	"time"

	"fimdb/db"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/recover"
)

// Deps is what the handlers need from the rest of the program.
type Deps struct {
	Store *db.Store
	Log   *slog.Logger
	// RequireUser guards the pages that need a signed-in user. Nil lets
	// everyone in; accounts plug their middleware in here.
	RequireUser fiber.Handler
}

// BodyLimit caps request bodies; nothing fimdb accepts comes near it.
const BodyLimit = 1 << 20

// New builds the Fiber app with every route.
func New(d Deps) *fiber.App {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	app := fiber.New(fiber.Config{
		AppName:               "fimdb",
		DisableStartupMessage: true,
		ErrorHandler:          errorHandler(d.Log),
		BodyLimit:             BodyLimit,
		ReadTimeout:           15 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           120 * time.Second,
	})
	app.Use(recover.New())
	app.Use(compress.New(compress.Config{Level: compress.LevelBestSpeed}))
	app.Use(withLocale)

	app.Get("/healthz", health(d.Store))
	app.Get("/static/:version/*", staticAssets())
	app.Get("/", func(c *fiber.Ctx) error { return c.Redirect("/listing", fiber.StatusFound) })

	signedIn := app.Group("", orPass(d.RequireUser))
	catalog := NewCatalog(d.Log, d.Store)
	signedIn.Get("/listing", catalog.Listing)

	app.Use(notFound)
	return app
}

func orPass(h fiber.Handler) fiber.Handler {
	if h != nil {
		return h
	}
	return func(c *fiber.Ctx) error { return c.Next() }
}
