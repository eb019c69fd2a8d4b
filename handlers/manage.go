package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"strings"

	"fimdb/db"
	"fimdb/views"

	"github.com/gofiber/fiber/v2"
	"github.com/invopop/ctxi18n/i18n"
)

// ManageStore is what the catalog API needs from the database.
type ManageStore interface {
	CreateMovie(ctx context.Context, m db.NewMovie, actor string) (db.Movie, error)
	CreateMovieOnce(ctx context.Context, key string, m db.NewMovie, actor string) (db.Movie, bool, error)
	UpdateMovie(ctx context.Context, id int64, version *int64, m db.NewMovie, actor string) (db.Movie, error)
	DeleteMovie(ctx context.Context, id int64, actor string) (db.Movie, error)
	RestoreMovie(ctx context.Context, id int64, actor string) (db.Movie, error)
}

// Manage serves the seed's catalog API: /manage/add, /manage/update and
// /manage/delete/:id, for administrators.
type Manage struct {
	log     *slog.Logger
	store   ManageStore
	catalog *Catalog // renders the refreshed admin table for htmx
}

// NewManage builds the catalog API handlers.
func NewManage(log *slog.Logger, store ManageStore, catalog *Catalog) *Manage {
	return &Manage{log: log, store: store, catalog: catalog}
}

// flexNumber is a number that scripts written for the original app send
// either as a JSON number or as a numeric string ("8.5").
type flexNumber struct {
	set   bool
	value float64
	bad   bool
	raw   string // as sent, to show back in a form
}

func (n *flexNumber) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		n.parse(s)
		return nil
	}
	n.parse(string(b))
	return nil
}

func (n *flexNumber) parse(s string) {
	n.raw = s
	s = strings.TrimSpace(s)
	if s == "" {
		return
	}
	n.set = true
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != f { // NaN is not a number a person meant
		n.bad = true
		return
	}
	n.value = f
}

// movieRequest is the seed's body for /manage/add and /manage/update.
type movieRequest struct {
	ID         flexNumber
	Version    flexNumber
	Name       string
	Director   string
	Popularity flexNumber
	IMDBScore  flexNumber
	Genres     string
}

// decodeMovieRequest reads a JSON or form body into one request.
func decodeMovieRequest(c *fiber.Ctx) (movieRequest, error) {
	if strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEApplicationJSON) {
		return decodeMovieJSON(c.UserContext(), c.Body())
	}
	var r movieRequest
	r.Name, r.Director, r.Genres = c.FormValue("movie_name"), c.FormValue("director"), c.FormValue("chip_genres")
	r.ID.parse(c.FormValue("id"))
	r.Version.parse(c.FormValue("version"))
	r.Popularity.parse(c.FormValue("popularity"))
	r.IMDBScore.parse(c.FormValue("imdb_score"))
	return r, nil
}

// decodeMovieJSON reads the seed's JSON body. Its keys match exactly, as
// the original app's did and as the API description says: encoding/json
// alone would also take "Movie_Name" for "movie_name".
func decodeMovieJSON(ctx context.Context, body []byte) (movieRequest, error) {
	var r movieRequest
	var sent map[string]json.RawMessage
	if err := json.Unmarshal(body, &sent); err != nil {
		return r, &inputError{"", i18n.T(ctx, "validation.bad_json")}
	}
	for _, f := range []struct {
		key  string
		into any
	}{
		{"id", &r.ID}, {"version", &r.Version}, {"movie_name", &r.Name}, {"director", &r.Director},
		{"popularity", &r.Popularity}, {"imdb_score", &r.IMDBScore}, {"chip_genres", &r.Genres},
	} {
		if raw, ok := sent[f.key]; ok {
			if err := json.Unmarshal(raw, f.into); err != nil {
				return r, fieldError(ctx, f.key, jsonKind(f.key), 0)
			}
		}
	}
	return r, nil
}

// jsonKind is the validation rule broken by a JSON value of the wrong type.
func jsonKind(field string) string {
	switch field {
	case "movie_name", "director", "chip_genres":
		return "not_text"
	}
	return "not_number"
}

// fieldError is a 400 naming field, with the sentence for rule
// (validation.<rule>) in the visitor's language.
func fieldError(ctx context.Context, field, rule string, limit int) *inputError {
	return &inputError{field, i18n.T(ctx, "validation."+rule, i18n.M{
		"label": i18n.T(ctx, "fields."+field), "field": field, "max": limit,
	})}
}

// movie checks the request and turns it into a movie to store.
func (r movieRequest) movie(ctx context.Context) (db.NewMovie, error) {
	for _, n := range []struct {
		field string
		num   flexNumber
	}{{"imdb_score", r.IMDBScore}, {"popularity", r.Popularity}} {
		if !n.num.set {
			return db.NewMovie{}, fieldError(ctx, n.field, "required", 0)
		}
		if n.num.bad {
			return db.NewMovie{}, fieldError(ctx, n.field, "not_number", 0)
		}
	}
	m := db.NewMovie{
		Name: r.Name, Director: r.Director, Genres: strings.Split(r.Genres, ","),
		IMDBScore: r.IMDBScore.value, Popularity: r.Popularity.value,
	}.Normalize()
	if err := m.Validate(); err != nil {
		return db.NewMovie{}, fieldInputError(ctx, err)
	}
	return m, nil
}

// fieldInputError turns the store's validation error into a 400 that names
// the field as the API spells it.
func fieldInputError(ctx context.Context, err error) error {
	var fe *db.FieldError
	if !errors.As(err, &fe) {
		return err
	}
	field := fe.Field
	if field == "genres" {
		field = "chip_genres"
	}
	return fieldError(ctx, field, fe.Rule, fe.Limit)
}

func wholeID(ctx context.Context, n flexNumber, field string) (int64, error) {
	if !n.set {
		return 0, fieldError(ctx, field, "required", 0)
	}
	if n.bad || n.value != float64(int64(n.value)) || n.value < 1 {
		return 0, fieldError(ctx, field, "positive_whole", 0)
	}
	return int64(n.value), nil
}

// pathID reads the :id of a route as a movie id: digits without leading
// zeros, so that each movie has one address (/movies/4, never /movies/04,
// /movies/4.0 or /movies/+4).
func pathID(c *fiber.Ctx) (int64, error) {
	raw := c.Params("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || raw[0] < '1' || raw[0] > '9' { // ParseInt also takes a sign and leading zeros
		return 0, fieldError(c.UserContext(), "id", "positive_whole", 0)
	}
	return id, nil
}

// noMovie is the 404 for an id that names no movie (key: validation.no_movie
// or validation.no_deleted_movie).
func noMovie(ctx context.Context, key string, id int64) error {
	return &statusError{fiber.StatusNotFound, i18n.T(ctx, key, i18n.M{"id": id})}
}

func actorOf(c *fiber.Ctx) string {
	if u := currentUser(c).user; u != nil {
		return u.Email
	}
	return "unknown"
}

// idempotencyKeyHeader names an add, so that a client whose add failed
// without an answer can send it again: fimdb adds the movie once.
const idempotencyKeyHeader = "Idempotency-Key"

// idempotencyKey reads the header: 1 to 255 printable ASCII characters.
func idempotencyKey(c *fiber.Ctx) (string, error) {
	sent := c.Request().Header.PeekAll(idempotencyKeyHeader)
	if len(sent) == 0 {
		return "", nil
	}
	key := string(sent[0])
	ok := len(sent) == 1 && len(key) <= 255 && strings.TrimSpace(key) != ""
	for i := 0; ok && i < len(key); i++ {
		ok = key[i] >= 0x20 && key[i] < 0x7f
	}
	if !ok {
		return "", &inputError{idempotencyKeyHeader, i18n.T(c.UserContext(), "validation.bad_idempotency_key")}
	}
	return key, nil
}

// create adds the movie, once per Idempotency-Key when the client sent one.
func (h *Manage) create(c *fiber.Ctx, key string, m db.NewMovie) (db.Movie, error) {
	if key == "" {
		return h.store.CreateMovie(c.UserContext(), m, actorOf(c))
	}
	created, replay, err := h.store.CreateMovieOnce(c.UserContext(), key, m, actorOf(c))
	if errors.Is(err, db.ErrIdempotencyKeyReused) {
		return created, &statusError{fiber.StatusUnprocessableEntity, i18n.T(c.UserContext(), "validation.idempotency_key_reused")}
	}
	if replay {
		c.Set("Idempotent-Replayed", "true")
	}
	return created, err
}

// Add answers POST /manage/add: 201 with the new movie. With an
// Idempotency-Key, a retry answers the first add's 201 again (marked
// Idempotent-Replayed) and adds nothing.
func (h *Manage) Add(c *fiber.Ctx) error {
	r, err := decodeMovieRequest(c)
	if err != nil {
		return err
	}
	key, err := idempotencyKey(c)
	if err != nil {
		return err
	}
	htmxForm := wantsFragment(c) && !wantsJSON(c)
	m, err := r.movie(c.UserContext())
	if err == nil {
		var created db.Movie
		if created, err = h.create(c, key, m); err == nil {
			if htmxForm {
				return render(c, fiber.StatusCreated, views.AddMovieForm(views.RowForm{AllGenres: h.genres(c)}, &created))
			}
			return c.Status(fiber.StatusCreated).JSON(created)
		}
		err = fieldInputError(c.UserContext(), err)
	}
	var ie *inputError
	if htmxForm && errors.As(err, &ie) {
		form := views.RowForm{Name: r.Name, Director: r.Director, Genres: r.Genres, AllGenres: h.genres(c),
			IMDBScore: r.IMDBScore.raw, Popularity: r.Popularity.raw, Field: ie.field, Problem: ie.message}
		return render(c, fiber.StatusBadRequest, views.AddMovieForm(form, nil))
	}
	return err
}

// conflictJSON shows both sides of an edit conflict so the client chooses.
type conflictJSON struct {
	Error   string   `json:"error"`
	Current db.Movie `json:"current"`
	Yours   any      `json:"yours"`
}

// Update answers POST /manage/update: 200 with the movie, 404 for an unknown
// id, 409 when a given version is stale. htmx edit rows get the row back, or
// the edit row again with the problem beside its field and nothing lost.
func (h *Manage) Update(c *fiber.Ctx) error {
	r, err := decodeMovieRequest(c)
	if err != nil {
		return err
	}
	if wantsFragment(c) && !wantsJSON(c) {
		return h.updateRow(c, r)
	}
	id, err := wholeID(c.UserContext(), r.ID, "id")
	if err != nil {
		return err
	}
	var version *int64
	if r.Version.set {
		v, err := wholeID(c.UserContext(), r.Version, "version")
		if err != nil {
			return err
		}
		version = &v
	}
	m, err := r.movie(c.UserContext())
	if err != nil {
		return err
	}
	updated, err := h.store.UpdateMovie(c.UserContext(), id, version, m, actorOf(c))
	var conflict *db.ConflictError
	switch {
	case errors.As(err, &conflict):
		return c.Status(fiber.StatusConflict).JSON(conflictJSON{
			Error:   i18n.T(c.UserContext(), "validation.stale"),
			Current: conflict.Current,
			Yours:   fiber.Map{"movie_name": m.Name, "director": m.Director, "genres": m.Genres, "imdb_score": m.IMDBScore, "popularity": m.Popularity, "version": *version},
		})
	case errors.Is(err, db.ErrNotFound):
		return noMovie(c.UserContext(), "validation.no_movie", id)
	case err != nil:
		return fieldInputError(c.UserContext(), err)
	}
	return c.JSON(updated)
}

// Delete answers DELETE /manage/delete/:id: 204, or 404 for an unknown id.
func (h *Manage) Delete(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	deleted, err := h.store.DeleteMovie(c.UserContext(), id, actorOf(c))
	if errors.Is(err, db.ErrNotFound) {
		return noMovie(c.UserContext(), "validation.no_movie", id)
	} else if err != nil {
		return err
	}
	if wantsFragment(c) && !wantsJSON(c) {
		// The admin table sends its search along; answering with the
		// refreshed results keeps the count and the pager right, and the
		// toast offers Undo.
		if err := h.catalog.serve(c, adminLayout); err != nil {
			return err
		}
		query := string(c.Request().URI().QueryString())
		return views.UndoToast(deleted, query).Render(c.UserContext(), c.Response().BodyWriter())
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// Restore answers POST /manage/restore/:id, the Undo of a delete: 200 with
// the movie back under its id (the refreshed admin table for htmx), 404 when
// there is no deletion to undo. The Undo toast's form posted by the browser
// itself (clicked before htmx wired it) is sent back to the admin table with
// the search it carries: POST, redirect, GET.
func (h *Manage) Restore(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	restored, err := h.store.RestoreMovie(c.UserContext(), id, actorOf(c))
	if errors.Is(err, db.ErrNotFound) {
		return noMovie(c.UserContext(), "validation.no_deleted_movie", id)
	} else if err != nil {
		return err
	}
	if wantsFragment(c) && !wantsJSON(c) {
		return h.catalog.serve(c, adminLayout)
	}
	if prefersHTML(c) {
		back := "/admin"
		if q := c.Request().URI().QueryString(); len(q) > 0 {
			back += "?" + string(q)
		}
		return c.Redirect(back, fiber.StatusSeeOther)
	}
	return c.JSON(restored)
}

// updateRow is Update for an htmx edit row.
func (h *Manage) updateRow(c *fiber.Ctx, r movieRequest) error {
	form := views.RowForm{Name: r.Name, Director: r.Director, Genres: r.Genres,
		IMDBScore: r.IMDBScore.raw, Popularity: r.Popularity.raw}
	id, err := wholeID(c.UserContext(), r.ID, "id")
	if err != nil {
		return err
	}
	form.ID = id
	var version *int64
	if r.Version.set {
		v, err := wholeID(c.UserContext(), r.Version, "version")
		if err != nil {
			return err
		}
		version, form.Version = &v, v
	}
	form.AllGenres = h.genres(c)
	problem := func(err error) error {
		var ie *inputError
		if !errors.As(err, &ie) {
			return err
		}
		form.Field, form.Problem = ie.field, ie.message
		return render(c, fiber.StatusBadRequest, views.MovieEditRow(form))
	}
	m, err := r.movie(c.UserContext())
	if err != nil {
		return problem(err)
	}
	updated, err := h.store.UpdateMovie(c.UserContext(), id, version, m, actorOf(c))
	var conflict *db.ConflictError
	switch {
	case errors.As(err, &conflict):
		// Saving again means "mine wins": the form now carries their version.
		form.Conflict, form.Version = &conflict.Current, conflict.Current.Version
		return render(c, fiber.StatusConflict, views.MovieEditRow(form))
	case errors.Is(err, db.ErrNotFound):
		return noMovie(c.UserContext(), "validation.no_movie", id)
	case err != nil:
		return problem(fieldInputError(c.UserContext(), err))
	}
	return render(c, fiber.StatusOK, views.MovieRow(updated))
}

// genres offers the catalog's genres to a form's autocomplete; a form
// without suggestions still works, so a failure is only logged.
func (h *Manage) genres(c *fiber.Ctx) []string {
	genres, err := h.catalog.store.Genres(c.UserContext())
	if err != nil {
		h.log.Error("genres for a form", "err", err)
	}
	return genres
}
