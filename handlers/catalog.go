package handlers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"fimdb/db"
	"fimdb/views"

	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"
	"github.com/invopop/ctxi18n/i18n"
)

// CatalogStore is what the catalog pages need from the database. A
// listing's Version must change whenever the catalog does: rendered
// results are kept until it moves.
type CatalogStore interface {
	ListMovies(ctx context.Context, q db.ListQuery) (db.Listing, error)
	Genres(ctx context.Context) ([]string, error)
	MovieByID(ctx context.Context, id int64) (db.Movie, error)
	MoviesByDirector(ctx context.Context, director string, except int64, limit int) ([]db.Movie, error)
	Listed(ctx context.Context, q db.ListQuery) (*db.MovieRows, error)
}

// Catalog serves the movie listing.
type Catalog struct {
	log     *slog.Logger
	store   CatalogStore
	results *resultsCache
	// csvSlots bounds the CSV downloads served at once: each holds a read
	// connection for as long as its client takes to read.
	csvSlots chan struct{}
}

// maxCSVStreams is how many CSV downloads an instance serves at once; the
// SQLite read pool has at least four connections, which every request's
// sign-in check needs too.
const maxCSVStreams = 2

// csvTimeout bounds a CSV download, however slowly its client reads.
const csvTimeout = 10 * time.Minute

// NewCatalog builds the catalog handlers.
func NewCatalog(log *slog.Logger, store CatalogStore) *Catalog {
	return &Catalog{log: log, store: store, results: newResultsCache(), csvSlots: make(chan struct{}, maxCSVStreams)}
}

// listingJSON is the documented JSON shape of a listing.
type listingJSON struct {
	Page   int        `json:"page"`
	Items  int        `json:"items"`
	Total  int        `json:"total"`
	Movies []db.Movie `json:"movies"`
}

// layout is how a listing is shown: its path, its page and its results
// fragment. The catalog and the admin table share everything else.
type layout struct {
	base     string
	page     func(views.ListingView) templ.Component
	fragment func(views.ListingView) templ.Component
	// main, when set, is the page's content below the app bar, kept
	// rendered like the fragment (the admin page's holds a form of its own
	// per page, so it has none).
	main func(views.ListingView) templ.Component
}

var (
	catalogLayout = layout{"/listing", views.ListingPage, views.ListingResults, views.ListingMain}
	adminLayout   = layout{"/admin", views.AdminPage, views.AdminResults, nil}
)

// Listing answers GET /listing as a page, an htmx fragment or JSON.
func (h *Catalog) Listing(c *fiber.Ctx) error {
	return h.serve(c, catalogLayout)
}

func (h *Catalog) serve(c *fiber.Ctx, l layout) error {
	varyOnRepresentation(c)
	q, err := parseListQuery(c)
	if err != nil {
		return h.badListing(c, l, q, err)
	}
	if wantsCSV(c) {
		return h.streamCSV(c, q)
	}
	// Scripts get the documented exact total; people typing get the first
	// page at once, and "more than" where counting would keep them waiting.
	answerJSON := wantsJSON(c)
	q.ExactTotal = answerJSON
	listing, err := h.store.ListMovies(c.UserContext(), q)
	if err != nil {
		return err
	}
	if answerJSON {
		return c.JSON(listingJSON{Page: listing.Page, Items: listing.PerPage, Total: listing.Total, Movies: listing.Movies})
	}
	q.Page, q.PerPage = listing.Page, listing.PerPage
	v := views.ListingView{Base: l.base, Query: q, Listing: listing}
	results, err := h.results.render(c.UserContext(), l.base, "results", v, l.fragment)
	if err != nil {
		return err
	}
	v.Results = renderedHTML(results)
	if wantsFragment(c) {
		return render(c, fiber.StatusOK, v.Results)
	}
	if v.Genres, err = h.store.Genres(c.UserContext()); err != nil {
		return err
	}
	if l.main != nil {
		main, err := h.results.render(c.UserContext(), l.base, "main", v, l.main)
		if err != nil {
			return err
		}
		v.Main = renderedHTML(main)
	}
	return render(c, fiber.StatusOK, l.page(v))
}

// checkSearchText refuses text too long for a search field, or, for the
// fields searched word by word, with too many different words.
func checkSearchText(ctx context.Context, field, text string, byWords bool) error {
	msg := func(key string, max int) error {
		return &inputError{field, i18n.T(ctx, key, i18n.M{"label": i18n.T(ctx, "fields."+field), "field": field, "max": max})}
	}
	if utf8.RuneCountInString(text) > db.MaxTextLen {
		return msg("errors.too_long", db.MaxTextLen)
	}
	if byWords && db.SearchWordCount(text) > db.MaxSearchWords {
		return msg("errors.too_many_words", db.MaxSearchWords)
	}
	return nil
}

// wantsCSV reports whether the client asks for the listing as CSV, with
// ?format=csv (a link can set no Accept header) or by preferring text/csv.
func wantsCSV(c *fiber.Ctx) bool {
	return c.Query("format") == "csv" ||
		c.Accepts(fiber.MIMETextHTML, fiber.MIMEApplicationJSON, mimeTextCSV) == mimeTextCSV
}

const mimeTextCSV = "text/csv"

// streamCSV answers with every movie the listing's filter matches, in its
// order, as CSV written while the database reads them: a whole catalog is
// never held in memory. The query starts here, so that a database that
// fails answers 500; a failure after that drops the connection rather than
// end the file as if it were whole.
func (h *Catalog) streamCSV(c *fiber.Ctx, q db.ListQuery) error {
	select {
	case h.csvSlots <- struct{}{}:
	default:
		c.Set(fiber.HeaderRetryAfter, "10")
		return &statusError{fiber.StatusServiceUnavailable, i18n.T(c.UserContext(), "errors.busy")}
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.UserContext()), csvTimeout)
	rows, err := h.store.Listed(ctx, q)
	if err != nil {
		cancel()
		<-h.csvSlots
		return err
	}
	pr, pw := io.Pipe()
	// The writer outlives this handler, when c belongs to the next request:
	// it takes copies of what it needs.
	log, id, slots := h.log, requestID(c), h.csvSlots
	go func() {
		defer func() { <-slots }()
		defer cancel()
		defer rows.Close()
		defer func() {
			if p := recover(); p != nil {
				log.Error("CSV listing failed", "request_id", id, "err", p)
				pw.CloseWithError(fmt.Errorf("panic: %v", p))
			}
		}()
		_, err := db.WriteCSV(pw, rows)
		if err != nil && !errors.Is(err, io.ErrClosedPipe) { // not the client leaving
			log.Error("CSV listing cut short", "request_id", id, "err", err)
		}
		pw.CloseWithError(err) // nil ends the body; an error drops the connection
	}()
	c.Set(fiber.HeaderContentType, mimeTextCSV+"; charset=utf-8; header=present")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="fimdb-movies.csv"`)
	c.Context().SetBodyStream(pr, -1)
	return nil
}

// badListing shows a parameter error where the results would be, keeping
// the rest of the page (and what the user typed) in place.
func (h *Catalog) badListing(c *fiber.Ctx, l layout, q db.ListQuery, err error) error {
	var ie *inputError
	if !errors.As(err, &ie) || wantsJSON(c) {
		return err
	}
	v := views.ListingView{Base: l.base, Query: q, Err: &views.InputError{Field: ie.field, Message: ie.message}}
	if wantsFragment(c) {
		return render(c, fiber.StatusBadRequest, l.fragment(v))
	}
	genres, gerr := h.store.Genres(c.UserContext())
	if gerr != nil {
		return gerr
	}
	v.Genres = genres
	return render(c, fiber.StatusBadRequest, l.page(v))
}

// parseListQuery reads the listing parameters. Text is copied because Fiber
// reuses its buffers. It returns what it could read even on error, so the
// form can be shown again as the user filled it.
func parseListQuery(c *fiber.Ctx) (db.ListQuery, error) {
	ctx := c.UserContext()
	q := db.ListQuery{
		Filter: db.Filter{
			Name:     strings.Clone(c.Query("name")),
			Director: strings.Clone(c.Query("director")),
			Genre:    strings.TrimSpace(strings.Clone(c.Query("genre"))),
		},
		Sort:    db.SortScore,
		Page:    1,
		PerPage: db.DefaultPerPage,
	}
	for _, f := range []struct{ name, value string }{{"name", q.Name}, {"director", q.Director}, {"genre", q.Genre}} {
		if err := checkSearchText(ctx, f.name, f.value, f.name != "genre"); err != nil {
			return q, err
		}
	}
	var err error
	if q.Page, err = intParam(c, "p", 1, 1, int(^uint32(0)>>1)); err != nil {
		return q, err
	}
	if q.PerPage, err = intParam(c, "items", db.DefaultPerPage, 1, db.MaxPerPage); err != nil {
		return q, err
	}
	if s := c.Query("sort"); s != "" {
		if !db.Sort(s).Valid() {
			return q, &inputError{"sort", i18n.T(ctx, "errors.sort")}
		}
		q.Sort = db.Sort(strings.Clone(s))
	}
	return q, nil
}

// intParam reads a whole-number query parameter, clamping it into [lo, hi].
// An empty value gives def; a value that is not a number is an input error.
func intParam(c *fiber.Ctx, name string, def, lo, hi int) (int, error) {
	raw := strings.TrimSpace(c.Query(name))
	if raw == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return def, &inputError{name, i18n.T(c.UserContext(), "errors.whole_number", i18n.M{"label": i18n.T(c.UserContext(), "fields."+name), "field": name})}
	}
	return int(min(max(n, int64(lo)), int64(hi))), nil
}

// moreByDirector is how many other movies by its director a movie page shows.
const moreByDirector = 8

// movieJSON is a movie page for scripts.
type movieJSON struct {
	Movie          db.Movie   `json:"movie"`
	MoreByDirector []db.Movie `json:"more_by_director"`
}

// Movie answers GET /movies/:id: one movie with everything the catalog
// knows about it and more by its director, as a page, an htmx fragment or
// JSON.
func (h *Catalog) Movie(c *fiber.Ctx) error {
	varyOnRepresentation(c)
	id, err := pathID(c)
	if err != nil {
		return err
	}
	m, err := h.store.MovieByID(c.UserContext(), id)
	if errors.Is(err, db.ErrNotFound) {
		return noMovie(c.UserContext(), "validation.no_movie", id)
	}
	if err != nil {
		return err
	}
	more, err := h.store.MoviesByDirector(c.UserContext(), m.Director, m.ID, moreByDirector)
	if err != nil {
		return err
	}
	if wantsJSON(c) {
		return c.JSON(movieJSON{Movie: m, MoreByDirector: more})
	}
	v := views.MovieView{Movie: m, More: more}
	if wantsFragment(c) {
		return render(c, fiber.StatusOK, views.MovieDetail(v))
	}
	return render(c, fiber.StatusOK, views.MoviePage(v))
}
