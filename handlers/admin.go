package handlers

import (
	"context"
	"log/slog"

	"fimdb/db"
	"fimdb/views"

	"github.com/gofiber/fiber/v2"
)

// AdminStore is what the admin pages need from the database.
type AdminStore interface {
	Users(ctx context.Context) ([]db.User, error)
}

// Admin serves the administrators' pages.
type Admin struct {
	log   *slog.Logger
	store AdminStore
}

// NewAdmin builds the admin handlers.
func NewAdmin(log *slog.Logger, store AdminStore) *Admin {
	return &Admin{log: log, store: store}
}

// Home answers GET /admin: for now the accounts and their roles; the
// catalog editor joins it.
func (h *Admin) Home(c *fiber.Ctx) error {
	users, err := h.store.Users(c.UserContext())
	if err != nil {
		return err
	}
	if wantsJSON(c) {
		return c.JSON(fiber.Map{"users": users})
	}
	return render(c, fiber.StatusOK, views.AdminPage(users))
}
