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
	CatalogStore
	Users(ctx context.Context) ([]db.User, error)
	AuditLog(ctx context.Context, movieID int64) ([]db.AuditEntry, error)
}

// Admin serves the administrators' pages.
type Admin struct {
	log     *slog.Logger
	store   AdminStore
	catalog *Catalog
}

// NewAdmin builds the admin handlers.
func NewAdmin(log *slog.Logger, store AdminStore) *Admin {
	return &Admin{log: log, store: store, catalog: NewCatalog(log, store)}
}

// Home answers GET /admin: the catalog as a table, with the listing's
// search, genres, sorting and pager (and its page / fragment / JSON forms).
func (h *Admin) Home(c *fiber.Ctx) error {
	return h.catalog.serve(c, adminLayout)
}

// Accounts answers GET /admin/accounts.
func (h *Admin) Accounts(c *fiber.Ctx) error {
	users, err := h.store.Users(c.UserContext())
	if err != nil {
		return err
	}
	if wantsJSON(c) {
		return c.JSON(fiber.Map{"users": users})
	}
	return render(c, fiber.StatusOK, views.AccountsPage(users))
}

// History answers GET /admin/movies/:id/history: who changed the movie,
// when, and what, newest first.
func (h *Admin) History(c *fiber.Ctx) error {
	var n flexNumber
	n.parse(c.Params("id"))
	id, err := wholeID(n, "id")
	if err != nil {
		return err
	}
	entries, err := h.store.AuditLog(c.UserContext(), id)
	if err != nil {
		return err
	}
	if wantsJSON(c) {
		return c.JSON(fiber.Map{"movie_id": id, "changes": entries})
	}
	return render(c, fiber.StatusOK, views.MovieHistory(id, entries))
}
