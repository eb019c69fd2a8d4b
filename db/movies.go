package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// Movie is one catalog entry as the API and the views see it.
type Movie struct {
	ID         int64    `json:"id"`
	Name       string   `json:"name"`
	Director   string   `json:"director"`
	Genres     []string `json:"genres"`
	IMDBScore  float64  `json:"imdb_score"`
	Popularity float64  `json:"popularity"`
	Version    int64    `json:"version"`
	// From IMDb's datasets (fimdb import --format imdb); absent otherwise.
	IMDbID         string `json:"imdb_id,omitempty"`
	Year           int    `json:"year,omitempty"`
	RuntimeMinutes int    `json:"runtime_minutes,omitempty"`
	Votes          int64  `json:"votes,omitempty"`
}

// Sort is a listing order.
type Sort string

// The listing orders; every order ends with the id so pages never overlap.
const (
	SortScore      Sort = "score"
	SortPopularity Sort = "popularity"
	SortName       Sort = "name"
)

// Sorts lists the orders in the sequence the UI offers them.
var Sorts = []Sort{SortScore, SortPopularity, SortName}

// Valid reports whether s is one of the known orders.
func (s Sort) Valid() bool {
	for _, known := range Sorts {
		if s == known {
			return true
		}
	}
	return false
}

// sortIndex names the index that yields each order without sorting.
var sortIndex = map[Sort]string{
	SortScore:      "movies_by_score",
	SortPopularity: "movies_by_popularity",
	SortName:       "movies_by_name",
}

// orderBy is the ORDER BY of each sort.
func (d *dialect) orderBy(s Sort) string {
	switch s {
	case SortPopularity:
		return "popularity DESC, id"
	case SortName:
		return d.nameOrder
	}
	return "imdb_score DESC, id"
}

// Paging limits of the listing.
const (
	DefaultPerPage = 50
	MaxPerPage     = 200
)

// Filter narrows the catalog. Empty fields do not filter.
type Filter struct {
	Name     string
	Director string
	Genre    string
}

// ListQuery asks for one page of the filtered catalog.
type ListQuery struct {
	Filter
	Sort    Sort
	Page    int // 1-based; clamped to the pages that exist
	PerPage int // clamped to 1..MaxPerPage
	// ExactTotal counts every match. Otherwise a broad search counts up
	// to the first thousand or so past its page, and the listing says
	// "more than" (Listing.AtLeast): a person typing "s" into a million
	// movies needs the first page now, not the number 375,694.
	ExactTotal bool
}

// Listing is one page of movies and where it sits in the whole result.
type Listing struct {
	Movies []Movie
	Total  int
	// AtLeast says more than Total movies match: the count stopped there.
	AtLeast bool
	Page    int
	PerPage int
	// Version is the catalog version the listing reflects: anything
	// derived from it (a rendered page) is valid while the catalog stays
	// at that version.
	Version int64
}

// Pages is the number of pages the result fills; an empty result has one
// (empty) page so that "page 1 of 1" stays true. With AtLeast, more pages
// follow.
func (l Listing) Pages() int {
	if l.Total == 0 {
		return 1
	}
	return (l.Total + l.PerPage - 1) / l.PerPage
}

// First is the 1-based position of the page's first movie (0 when empty).
func (l Listing) First() int {
	if len(l.Movies) == 0 {
		return 0
	}
	return (l.Page-1)*l.PerPage + 1
}

// Last is the 1-based position of the page's last movie.
func (l Listing) Last() int {
	return l.First() + len(l.Movies) - 1
}

// ListMovies returns one page of the movies matching q, with the total count.
// The count and the page come from one read transaction, so they agree.
// Results are cached until the database changes; callers must treat the
// returned movies as read-only.
func (s *Store) ListMovies(ctx context.Context, q ListQuery) (Listing, error) {
	if s.uncachedReads.Load() {
		return s.ListMoviesUncached(ctx, q)
	}
	q = q.normalized()
	cached, version, ok, err := s.cache.listing(ctx, q)
	if err != nil || ok {
		return cached, err
	}
	// Concurrent misses for one query run it once: when a popular search
	// first arrives, fifty clients must not run fifty identical scans.
	key := fmt.Sprintf("%d\x00%#v", version, q)
	v, err, _ := s.listingCalls.Do(key, func() (any, error) {
		// Shared by every waiting caller, so no one caller's cancellation
		// may fail the others.
		l, err := s.listMovies(context.WithoutCancel(ctx), q)
		if err == nil {
			l.Version = version
			s.cache.storeListing(q, version, l)
		}
		return l, err
	})
	if err != nil {
		return Listing{}, err
	}
	return v.(Listing), nil
}

// ListMoviesUncached runs the SQL of a listing without the result cache:
// what a new search costs, for benchmarks.
func (s *Store) ListMoviesUncached(ctx context.Context, q ListQuery) (Listing, error) {
	l, err := s.listMovies(ctx, q.normalized())
	l.Version = -1 // belongs to no catalog version: nothing derived from it is kept
	return l, err
}

// listMovies computes a listing; the cache never holds one of too many
// words, so only this path checks for them.
func (s *Store) listMovies(ctx context.Context, q ListQuery) (Listing, error) {
	if q.tooManyWords() {
		return Listing{}, ErrTooManyWords
	}
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return Listing{}, err
	}
	defer tx.Rollback()

	out := Listing{PerPage: q.PerPage}
	catalogSize, err := s.count(ctx, tx, catalogSizeSQL, nil)
	if err != nil {
		return Listing{}, err
	}
	if out.Total, out.AtLeast, err = s.countMatches(ctx, tx, q, catalogSize); err != nil {
		return Listing{}, err
	}
	out.Page = min(max(q.Page, 1), out.Pages()) // countMatches counted past q.Page
	q.Page = out.Page
	if s.walksTextInGo(q, out, catalogSize) {
		movies, complete, err := s.walkText(ctx, tx, q)
		if err != nil || complete {
			out.Movies = movies
			return out, err
		}
	}

	pageQuery, args := s.pageSQL(q, walkSortIndex(q, out.Total, catalogSize))
	st, err := s.readStmt(ctx, tx, pageQuery)
	if err != nil {
		return Listing{}, fmt.Errorf("list movies: %w", err)
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return Listing{}, fmt.Errorf("list movies: %w", err)
	}
	out.Movies, err = scanMovies(rows)
	return out, err
}

func (s *Store) count(ctx context.Context, tx *sql.Tx, query string, args []any) (int, error) {
	st, err := s.readStmt(ctx, tx, query)
	if err != nil {
		return 0, fmt.Errorf("count: %w", err)
	}
	var n int
	if err := st.QueryRowContext(ctx, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count: %w", err)
	}
	return n, nil
}

// countLimit is where a count that is not asked to be exact stops: a
// thousand, or the next thousand past the page asked for, so that every
// page up to it can be shown and clamped. (Ten thousand was most of the
// time of "star w" at a million movies, and of "the" in Drama.)
func countLimit(q ListQuery) int {
	past := q.Page * q.PerPage
	limit := (past/countStep + 1) * countStep
	// Whole pages, so that "of more than 34 pages" is true with 30 a page.
	return (limit + q.PerPage - 1) / q.PerPage * q.PerPage
}

// countStep is how far past the page a count goes (a variable so that
// tests can count small catalogs the way big ones are counted).
var countStep = 1_000

// countMatches counts the movies matching q's filter: up to countLimit,
// reporting atLeast when more match, unless q asks for the exact total.
func (s *Store) countMatches(ctx context.Context, tx *sql.Tx, q ListQuery, catalogSize int) (n int, atLeast bool, err error) {
	f := s.dialect.compileFilter(q.Filter)
	switch {
	case f.empty():
		return catalogSize, false, nil
	case q.Name == "" && q.Director == "":
		// Kept with the genre's links (genres.movies), as catalogSize is.
		n, err := s.count(ctx, tx, genreSizeSQL, []any{strings.TrimSpace(q.Genre)})
		return n, false, err
	}
	matches, args := f.matchesSQL()
	if q.ExactTotal {
		n, err := s.count(ctx, tx, countSQL(matches, false), args)
		return n, false, err
	}
	limit := countLimit(q)
	if n, err = s.count(ctx, tx, countSQL(matches, true), append(args, limit+1)); err != nil {
		return 0, false, err
	}
	if n > limit {
		return limit, true, nil
	}
	return n, false, nil
}

// countSQL counts the rows of matches; capped, it stops at the argument
// that follows matches' own.
func countSQL(matches string, capped bool) string {
	if capped {
		return "SELECT count(*) FROM (" + matches + " LIMIT ?) c"
	}
	return "SELECT count(*) FROM (" + matches + ") c"
}

// genreSizeSQL is the number of movies of the genre named by the argument.
const genreSizeSQL = "SELECT coalesce((SELECT movies FROM genres WHERE name = ?), 0)"

// readQueries lists every statement ListMovies can run: each filter shape
// (text, genre, both, neither) in each order, read either way.
func (s *Store) readQueries() []string {
	var out []string
	add := func(q string, _ []any) { out = append(out, q) }
	add(catalogSizeSQL, nil)
	add(genreSizeSQL, nil)
	for _, f := range []Filter{{Name: "x"}, {Name: "x", Genre: "x"}} {
		matches, _ := s.dialect.compileFilter(f).matchesSQL()
		add(countSQL(matches, true), nil)
	}
	for _, f := range []Filter{{}, {Name: "x"}, {Genre: "x"}, {Name: "x", Genre: "x"}} {
		for _, sort := range Sorts {
			for _, walk := range []bool{false, true} {
				add(s.pageSQL(ListQuery{Filter: f, Sort: sort}, walk))
			}
		}
	}
	return out
}

// walkSortIndex decides how to find a page of matches. Walking the sort
// index and testing each movie stops after the page, but reads about
// (offset+limit) * catalogSize/matches movies; collecting the matches and
// sorting them costs about as many steps as there are matches. Broad
// filters walk, narrow ones collect.
func walkSortIndex(q ListQuery, matches, catalogSize int) bool {
	if matches == 0 {
		return false
	}
	wanted := (q.Page-1)*q.PerPage + q.PerPage
	return float64(wanted)*float64(catalogSize)/float64(matches) < float64(matches)
}

// walksTextInGo says whether a text search's page is read by walkText: in
// an order the search index does not keep, when the matches are many (more
// than the count went to, or enough by walkSortIndex). Collecting 375,694
// matches of "s" to sort them by popularity took half a second at a
// million movies.
func (s *Store) walksTextInGo(q ListQuery, counted Listing, catalogSize int) bool {
	if q.Name == "" && q.Director == "" {
		return false
	}
	if _, _, ordered := s.dialect.compileFilter(q.Filter).pageIDsSQL(q.Sort); ordered {
		return false
	}
	return counted.AtLeast || walkSortIndex(q, counted.Total, catalogSize)
}

// walkText reads a page of a text search by walking the sort order's index
// and testing each movie's title and director in Go, folded as the search
// index folds them (the genre, if any, in SQL); it stops after the page.
// Matches are not spread evenly in every order ("the" starts a third of
// the titles, all under T by title), so after walkTextLimit movies it
// gives up (complete is false) and the page is collected instead.
func (s *Store) walkText(ctx context.Context, tx *sql.Tx, q ListQuery) (page []Movie, complete bool, err error) {
	where, args := s.dialect.compileFilter(Filter{Genre: q.Genre}).whereSQL(true)
	st, err := s.readStmt(ctx, tx, "SELECT id, name, director FROM movies"+s.dialect.forceIndex(sortIndex[q.Sort])+where+" ORDER BY "+s.dialect.orderBy(q.Sort)+" LIMIT ? OFFSET ?")
	if err != nil {
		return nil, false, fmt.Errorf("list movies: %w", err)
	}
	w := textWalk{name: foldedWords(q.Name), director: foldedWords(q.Director), skip: (q.Page - 1) * q.PerPage, want: q.PerPage}
	walked, full, err := walkInChunks(ctx, st, args, 512, walkTextLimit, w.take)
	if err != nil {
		return nil, false, fmt.Errorf("list movies: %w", err)
	}
	if !full && walked >= walkTextLimit {
		return nil, false, nil
	}
	page, err = moviesByIDs(ctx, tx, s.dialect, w.ids)
	return page, err == nil, err
}

// textWalk keeps the matching ids of walkText's page.
type textWalk struct {
	name, director []string
	skip, want     int
	ids            []int64
}

// take tests one movie of the walk and says when the page is full.
func (w *textWalk) take(rows *sql.Rows) (full bool, err error) {
	var id int64
	var name, director string
	if err := rows.Scan(&id, &name, &director); err != nil {
		return false, err
	}
	switch {
	case !startsEveryWord(foldedWords(name), w.name) || !startsEveryWord(foldedWords(director), w.director):
	case w.skip > 0:
		w.skip--
	default:
		w.ids = append(w.ids, id)
	}
	return len(w.ids) == w.want, nil
}

// walkInChunks runs st, whose last two arguments are a LIMIT and an
// OFFSET, over growing chunks of rows (first, then twice as many, ...) up
// to limit rows in all, handing each row to take until it says stop. A
// MySQL client reads every row of a result it closes early, and a broad
// search needs only the first few hundred. It reports how many rows it
// read and whether take stopped it.
func walkInChunks(ctx context.Context, st *sql.Stmt, args []any, first, limit int, take func(*sql.Rows) (stop bool, err error)) (walked int, stopped bool, err error) {
	for chunk := first; walked < limit; chunk *= 2 {
		chunk = min(chunk, limit-walked)
		rows, err := st.QueryContext(ctx, append(slices.Clone(args), chunk, walked)...)
		if err != nil {
			return walked, false, err
		}
		n, stopped, err := eachRow(rows, take)
		walked += n
		if err != nil || stopped || n < chunk { // n < chunk: the whole order is read
			return walked, stopped, err
		}
	}
	return walked, false, nil
}

// eachRow hands rows to take until it says stop, closes them, and reports
// how many it read and whether take stopped it.
func eachRow(rows *sql.Rows, take func(*sql.Rows) (stop bool, err error)) (n int, stopped bool, err error) {
	defer rows.Close()
	for rows.Next() {
		n++
		if stopped, err = take(rows); err != nil || stopped {
			return n, stopped, err
		}
	}
	return n, false, rows.Err()
}

// walkTextLimit bounds walkText (a variable so that tests can reach it).
var walkTextLimit = 20_000

// moviesByIDs reads the movies with these ids, in this order.
func moviesByIDs(ctx context.Context, tx *sql.Tx, d *dialect, ids []int64) ([]Movie, error) {
	out := make([]Movie, 0, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := tx.QueryContext(ctx, selectMovies(d)+" WHERE m.id IN (?"+strings.Repeat(", ?", len(ids)-1)+")", args...)
	if err != nil {
		return nil, fmt.Errorf("list movies: %w", err)
	}
	movies, err := scanMovies(rows)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]Movie, len(movies))
	for _, m := range movies {
		byID[m.ID] = m
	}
	for _, id := range ids {
		out = append(out, byID[id])
	}
	return out, nil
}

// ExplainListQuery returns SQLite's query plans for the count and for both
// ways of reading the page, one step per line.
func (s *Store) ExplainListQuery(ctx context.Context, q ListQuery) (string, error) {
	if s.dialect != sqliteDialect {
		return "", errors.New("query plans are explained on SQLite only")
	}
	q = q.normalized()
	var b strings.Builder
	countQuery, countArgs := s.dialect.compileFilter(q.Filter).matchesSQL()
	countQuery = countSQL(countQuery, false)
	collect, collectArgs := s.pageSQL(q, false)
	walk, walkArgs := s.pageSQL(q, true)
	type step struct {
		title string
		query string
		args  []any
	}
	steps := []step{{"count", countQuery, countArgs}, {"page, collect and sort", collect, collectArgs}, {"page, walk the sort index", walk, walkArgs}}
	if _, _, ok := s.dialect.compileFilter(q.Filter).pageIDsSQL(q.Sort); ok {
		steps = []step{steps[0], {"page, in the search index's order", collect, collectArgs}}
	}
	for _, step := range steps {
		b.WriteString("-- " + step.title + "\n")
		rows, err := s.read.QueryContext(ctx, "EXPLAIN QUERY PLAN "+step.query, step.args...)
		if err != nil {
			return "", err
		}
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				rows.Close()
				return "", err
			}
			b.WriteString(detail + "\n")
		}
		rows.Close()
	}
	return b.String(), nil
}

func (q ListQuery) normalized() ListQuery {
	if !q.Sort.Valid() {
		q.Sort = SortScore
	}
	q.PerPage = min(max(q.PerPage, 1), MaxPerPage)
	q.Page = max(q.Page, 1)
	q.Genre = strings.TrimSpace(q.Genre)
	return q
}

// pageSQL selects one page. The inner query finds the page's movies; genres
// are gathered only for the rows of that page.
func (s *Store) pageSQL(q ListQuery, walk bool) (string, []any) {
	f := s.dialect.compileFilter(q.Filter)
	limit := []any{q.PerPage, (q.Page - 1) * q.PerPage}
	if ids, args, ok := f.pageIDsSQL(q.Sort); ok {
		return `SELECT ` + movieColumns + `,
	` + s.dialect.genreList + `
FROM (` + ids + ` LIMIT ? OFFSET ?) p
JOIN movies m ON m.id = (p.k & 4294967295)
ORDER BY p.k`, append(args, limit...)
	}
	where, args := f.whereSQL(walk)
	from := "movies"
	if walk {
		from += s.dialect.forceIndex(sortIndex[q.Sort])
	}
	order := s.dialect.orderBy(q.Sort)
	query := `SELECT ` + movieColumns + `,
	` + s.dialect.genreList + `
FROM (SELECT * FROM ` + from + where + ` ORDER BY ` + order + ` LIMIT ? OFFSET ?) m
ORDER BY ` + order
	return query, append(args, limit...)
}

// movieColumns are what a Movie is read from, in movieRow's order, before
// the genre list.
const movieColumns = `m.id, m.name, m.director, m.popularity, m.imdb_score, m.version, m.imdb_id, m.year, m.runtime_minutes, m.votes`

// selectMovies reads movies m as movieRow receives them; a WHERE follows.
func selectMovies(d *dialect) string {
	return "SELECT " + movieColumns + ", " + d.genreList + "\nFROM movies m"
}

// movieRow receives movieColumns and the genre list.
type movieRow struct {
	m                    Movie
	imdbID, genres       sql.NullString
	year, runtime, votes sql.NullInt64
}

func (r *movieRow) targets() []any {
	return []any{&r.m.ID, &r.m.Name, &r.m.Director, &r.m.Popularity, &r.m.IMDBScore, &r.m.Version,
		&r.imdbID, &r.year, &r.runtime, &r.votes, &r.genres}
}

func (r *movieRow) movie() Movie {
	m := r.m
	m.IMDbID, m.Year, m.RuntimeMinutes, m.Votes = r.imdbID.String, int(r.year.Int64), int(r.runtime.Int64), r.votes.Int64
	// Sorted in Go: an ORDER BY inside group_concat costs a temporary
	// b-tree per movie.
	m.Genres = splitGenres(r.genres.String)
	return m
}

// scanMovies reads every movie of rows (none is an empty list, not nil)
// and closes them.
func scanMovies(rows *sql.Rows) ([]Movie, error) {
	defer rows.Close()
	out := []Movie{}
	for rows.Next() {
		m, err := scanMovie(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func scanMovie(rows *sql.Rows) (Movie, error) {
	var r movieRow
	if err := rows.Scan(r.targets()...); err != nil {
		return Movie{}, fmt.Errorf("scan movie: %w", err)
	}
	return r.movie(), nil
}

// MaxSearchWords is how many different words a search may have in one
// field. The longest titles have about fifteen; a query of dozens made
// MariaDB's planner weigh join orders for over ten minutes (found by
// FuzzSuggest), and MySQL joins at most 61 tables.
const MaxSearchWords = 20

// ErrTooManyWords is a search with more than MaxSearchWords different
// words in a field.
var ErrTooManyWords = fmt.Errorf("a search may have at most %d different words in a field", MaxSearchWords)

// SearchWordCount is how many different words q has, as search counts them.
func SearchWordCount(q string) int {
	words := foldAll(searchWords(q))
	slices.Sort(words)
	return len(slices.Compact(words))
}

// tooManyWords reports whether a field of f has more than MaxSearchWords.
func (f Filter) tooManyWords() bool {
	return SearchWordCount(f.Name) > MaxSearchWords || SearchWordCount(f.Director) > MaxSearchWords
}

// searchWords splits a query into the words the FTS index holds. Combining
// marks are dropped: the index folds accents away, so "e" plus a combining
// acute must search like "e".
func searchWords(q string) []string {
	q = strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Mn, r) {
			return -1
		}
		return r
	}, q)
	return strings.FieldsFunc(q, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r)
	})
}

// Genres lists the genres that at least one movie has, by name. The list is
// cached until the database changes; callers must not modify it.
func (s *Store) Genres(ctx context.Context) ([]string, error) {
	cached, version, err := s.cache.cachedGenres(ctx)
	if err != nil || cached != nil {
		return cached, err
	}
	genres, err := s.genres(ctx)
	if err == nil {
		s.cache.storeGenres(version, genres)
	}
	return genres, err
}

func (s *Store) genres(ctx context.Context) ([]string, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT name FROM genres g
WHERE EXISTS (SELECT 1 FROM movie_genres mg WHERE mg.genre_id = g.id)
ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list genres: %w", err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var g string
		if err := rows.Scan(&g); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// CountMovies returns the number of movies in the catalog.
func (s *Store) CountMovies(ctx context.Context) (int, error) {
	var n int
	err := s.read.QueryRowContext(ctx, "SELECT count(*) FROM movies").Scan(&n)
	return n, err
}

// MoviesByDirector returns up to limit other movies credited to exactly
// this director (ignoring case), the most popular first: a movie page's
// "more by this director".
func (s *Store) MoviesByDirector(ctx context.Context, director string, except int64, limit int) ([]Movie, error) {
	if director == "" {
		return []Movie{}, nil
	}
	st, err := s.pooledStmt(ctx, selectMovies(s.dialect)+` WHERE m.director = ?`+s.dialect.nocase+` AND m.id <> ? ORDER BY m.popularity DESC, m.id LIMIT ?`)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, director, except, limit)
	if err != nil {
		return nil, fmt.Errorf("movies by %s: %w", director, err)
	}
	return scanMovies(rows)
}
