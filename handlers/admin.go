package handlers

import (
	"context"
	"errors"
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
	MovieByID(ctx context.Context, id int64) (db.Movie, error)
}

// Admin serves the administrators' pages.
type Admin struct {
	log     *slog.Logger
	store   AdminStore
	catalog *Catalog
}

// NewAdmin builds the admin handlers; the table is the catalog's listing
// under another layout.
func NewAdmin(log *slog.Logger, store AdminStore, catalog *Catalog) *Admin {
	return &Admin{log: log, store: store, catalog: catalog}
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
	id, err := pathID(c)
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

// movieParam loads the movie named by the :id of the path.
func (h *Admin) movieParam(c *fiber.Ctx) (db.Movie, error) {
	id, err := pathID(c)
	if err != nil {
		return db.Movie{}, err
	}
	m, err := h.store.MovieByID(c.UserContext(), id)
	if errors.Is(err, db.ErrNotFound) {
		return db.Movie{}, noMovie(c.UserContext(), "validation.no_movie", id)
	}
	return m, err
}

// EditRow answers GET /admin/movies/:id/edit with the row as a form.
func (h *Admin) EditRow(c *fiber.Ctx) error {
	m, err := h.movieParam(c)
	if err != nil {
		return err
	}
	form := views.RowFormOf(m)
	if form.AllGenres, err = h.store.Genres(c.UserContext()); err != nil {
		return err
	}
	return render(c, fiber.StatusOK, views.MovieEditRow(form))
}

// Row answers GET /admin/movies/:id/row with the plain row (Cancel).
func (h *Admin) Row(c *fiber.Ctx) error {
	m, err := h.movieParam(c)
	if err != nil {
		return err
	}
	return render(c, fiber.StatusOK, views.MovieRow(m))
}

// NewMovieForm answers GET /admin/movies/new with the empty add form.
func (h *Admin) NewMovieForm(c *fiber.Ctx) error {
	genres, err := h.store.Genres(c.UserContext())
	if err != nil {
		return err
	}
	return render(c, fiber.StatusOK, views.AddMovieForm(views.RowForm{AllGenres: genres}, nil))
}
