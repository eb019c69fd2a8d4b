package db

import (
	"bytes"
	"context"
	"database/sql"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"
	"unicode/utf8"
)

//go:embed seed/imdb.json
var bundledCatalog []byte

// Limits shared by every way a movie enters the catalog.
const (
	MaxTextLen    = 300
	MaxIMDBScore  = 10
	MaxPopularity = 100
)

// NewMovie is a movie that is not stored yet.
type NewMovie struct {
	Name       string
	Director   string
	Genres     []string
	IMDBScore  float64
	Popularity float64
	// From IMDb's datasets; zero when unknown. A movie with an IMDbID may
	// have no director: IMDb lists none for some titles.
	IMDbID         string
	Year           int
	RuntimeMinutes int
	Votes          int64
}

// The bounds of the fields from IMDb's datasets.
const (
	MinYear, MaxYear  = 1800, 2200
	MaxRuntimeMinutes = 100_000
)

// nullIfZero stores an unknown (zero) value as NULL.
func nullIfZero[T comparable](v T) any {
	var zero T
	if v == zero {
		return nil
	}
	return v
}

// FieldError says which field of a movie is wrong and why: Reason is an
// English phrase for logs and the command line; Rule and Limit let the web
// side say it in the visitor's language.
type FieldError struct {
	Field  string
	Reason string
	Rule   string // "required", "too_long", "out_of_range" or "genre_too_long"
	Limit  int
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// Normalize trims the text fields and trims and de-duplicates the genres
// case-insensitively, keeping the first spelling of each.
func (m NewMovie) Normalize() NewMovie {
	m.Name = strings.TrimSpace(m.Name)
	m.Director = strings.TrimSpace(m.Director)
	seen := map[string]bool{}
	genres := make([]string, 0, len(m.Genres))
	for _, g := range m.Genres {
		g = strings.TrimSpace(g)
		key := strings.ToLower(g)
		if g == "" || seen[key] {
			continue
		}
		seen[key] = true
		genres = append(genres, g)
	}
	m.Genres = genres
	// Two decimals, which is more than any score is shown with: the search
	// index orders by the score to two decimals (migration 13), and so must
	// every listing that pages through it.
	m.IMDBScore = roundScore(m.IMDBScore)
	return m
}

// roundScore keeps a score to two decimals.
func roundScore(score float64) float64 { return math.Round(score*100) / 100 }

// Validate checks a normalized movie against the catalog's rules.
func (m NewMovie) Validate() error {
	for _, f := range []struct{ field, value string }{{"movie_name", m.Name}, {"director", m.Director}} {
		if f.value == "" && !(f.field == "director" && m.IMDbID != "") {
			return &FieldError{f.field, "must not be empty", "required", 0}
		}
		if utf8.RuneCountInString(f.value) > MaxTextLen {
			return &FieldError{f.field, fmt.Sprintf("must be at most %d characters", MaxTextLen), "too_long", MaxTextLen}
		}
	}
	if !(m.IMDBScore >= 0 && m.IMDBScore <= MaxIMDBScore) {
		return &FieldError{"imdb_score", fmt.Sprintf("must be between 0 and %d", MaxIMDBScore), "out_of_range", MaxIMDBScore}
	}
	if !(m.Popularity >= 0 && m.Popularity <= MaxPopularity) {
		return &FieldError{"popularity", fmt.Sprintf("must be between 0 and %d", MaxPopularity), "out_of_range", MaxPopularity}
	}
	for _, g := range m.Genres {
		if utf8.RuneCountInString(g) > MaxTextLen {
			return &FieldError{"genres", fmt.Sprintf("a genre must be at most %d characters", MaxTextLen), "genre_too_long", MaxTextLen}
		}
	}
	return m.validateIMDbFields()
}

func (m NewMovie) validateIMDbFields() error {
	switch {
	case m.IMDbID != "" && !validIMDbID(m.IMDbID):
		return &FieldError{"imdb_id", `must be "tt" and digits, as IMDb writes it`, "bad_imdb_id", 0}
	case m.Year != 0 && (m.Year < MinYear || m.Year > MaxYear):
		return &FieldError{"year", fmt.Sprintf("must be between %d and %d", MinYear, MaxYear), "out_of_range", MaxYear}
	case m.RuntimeMinutes < 0 || m.RuntimeMinutes > MaxRuntimeMinutes:
		return &FieldError{"runtime_minutes", fmt.Sprintf("must be between 0 and %d", MaxRuntimeMinutes), "out_of_range", MaxRuntimeMinutes}
	case m.Votes < 0:
		return &FieldError{"votes", "must not be negative", "out_of_range", 0}
	}
	return nil
}

func validIMDbID(s string) bool {
	if len(s) < 3 || len(s) > 16 || !strings.HasPrefix(s, "tt") {
		return false
	}
	for _, r := range s[2:] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// catalogEntry is one movie in the seed's JSON format (the shape of imdb.json).
type catalogEntry struct {
	Popularity *float64 `json:"99popularity"`
	Director   *string  `json:"director"`
	Genre      []string `json:"genre"`
	IMDBScore  *float64 `json:"imdb_score"`
	Name       *string  `json:"name"`
	// Optional, as fimdb export writes them for movies from IMDb's datasets.
	IMDbID         string `json:"imdb_id"`
	Year           int    `json:"year"`
	RuntimeMinutes int    `json:"runtime_minutes"`
	Votes          int64  `json:"votes"`
}

// CatalogError points at the place in a catalog file that is wrong.
type CatalogError struct {
	Line, Column int
	Offset       int64
	Entry        int // 1-based movie number, 0 when the file is not valid JSON
	Reason       string
}

func (e *CatalogError) Error() string {
	where := fmt.Sprintf("line %d, column %d (byte offset %d)", e.Line, e.Column, e.Offset)
	if e.Entry > 0 {
		return fmt.Sprintf("%s, movie #%d: %s", where, e.Entry, e.Reason)
	}
	return where + ": " + e.Reason
}

// DecodeCatalog reads a whole catalog file in the seed's JSON format: an array
// of movies. It returns every movie or, for the first problem found, a
// *CatalogError with its line and offset; it never returns part of a file.
func DecodeCatalog(r io.Reader) ([]NewMovie, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	fail := func(offset int64, entry int, reason string) error {
		line, col := position(data, offset)
		return &CatalogError{Line: line, Column: col, Offset: offset, Entry: entry, Reason: reason}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return nil, syntaxFailure(data, fail)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, fail(0, 0, "the file must be a JSON array of movies")
	}
	var out []NewMovie
	for dec.More() {
		start := dec.InputOffset()
		var e catalogEntry
		if err := dec.Decode(&e); err != nil {
			return nil, syntaxFailure(data, fail)
		}
		m, err := e.movie()
		if err != nil {
			return nil, fail(skipSpace(data, start), len(out)+1, err.Error())
		}
		out = append(out, m)
	}
	if _, err := dec.Token(); err != nil {
		return nil, syntaxFailure(data, fail)
	}
	end := dec.InputOffset()
	if _, err := dec.Token(); err != io.EOF {
		return nil, fail(skipSpace(data, end), 0, "unexpected data after the closing ]")
	}
	return out, nil
}

func (e catalogEntry) movie() (NewMovie, error) {
	switch {
	case e.Name == nil:
		return NewMovie{}, errors.New(`"name" is missing`)
	case e.Director == nil:
		return NewMovie{}, errors.New(`"director" is missing`)
	case e.IMDBScore == nil:
		return NewMovie{}, errors.New(`"imdb_score" is missing`)
	case e.Popularity == nil:
		return NewMovie{}, errors.New(`"99popularity" is missing`)
	}
	m := NewMovie{Name: *e.Name, Director: *e.Director, Genres: e.Genre,
		IMDBScore: *e.IMDBScore, Popularity: *e.Popularity,
		IMDbID: e.IMDbID, Year: e.Year, RuntimeMinutes: e.RuntimeMinutes, Votes: e.Votes}.Normalize()
	if err := m.Validate(); err != nil {
		var fe *FieldError
		if errors.As(err, &fe) {
			return NewMovie{}, fmt.Errorf("%s %s", catalogField(fe.Field), fe.Reason)
		}
		return NewMovie{}, err
	}
	return m, nil
}

// catalogField names a field as the catalog file spells it.
func catalogField(field string) string {
	switch field {
	case "movie_name":
		return `"name"`
	case "popularity":
		return `"99popularity"`
	case "genres":
		return `"genre"`
	}
	return `"` + field + `"`
}

// syntaxFailure locates a decoding error. json.Decoder reports offsets
// relative to its buffer, so the whole file is parsed once more with
// json.Unmarshal, whose offsets are absolute ("after reading Offset bytes",
// hence the -1 to point at the offending byte).
func syntaxFailure(data []byte, fail func(int64, int, string) error) error {
	var entries []catalogEntry
	err := json.Unmarshal(data, &entries)
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn) && syn.Offset >= int64(len(data)):
		return fail(int64(len(data)), 0, "the file ends before the JSON array is closed")
	case errors.As(err, &syn):
		return fail(syn.Offset-1, 0, syn.Error())
	case errors.As(err, &typ) && typ.Field != "":
		return fail(typ.Offset-1, 0, fmt.Sprintf("%q must be a %s, not a %s", typ.Field, typ.Type, typ.Value))
	case errors.As(err, &typ):
		return fail(typ.Offset-1, 0, fmt.Sprintf("expected a %s, found a %s", typ.Type, typ.Value))
	case err != nil:
		return fail(0, 0, err.Error())
	}
	return fail(0, 0, "the file is not a JSON array of movies")
}

// position turns a byte offset into a 1-based line and column.
func position(data []byte, offset int64) (line, col int) {
	offset = min(max(offset, 0), int64(len(data)))
	before := data[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	col = utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:]) + 1
	return line, col
}

// skipSpace moves an offset past JSON whitespace and a separating comma, so
// that it points at the value that follows.
func skipSpace(data []byte, off int64) int64 {
	for off < int64(len(data)) && strings.ContainsRune(" \t\r\n,", rune(data[off])) {
		off++
	}
	return off
}

// Skipped is a movie an import left out, and why.
type Skipped struct {
	Entry  int // 1-based position in the imported list
	Name   string
	Reason string
}

// ImportReport says what an import did.
type ImportReport struct {
	Added   int
	Skipped []Skipped
}

// ImportMovies adds movies in one transaction: either all the additions land
// or none do. A movie whose name and director (ignoring case) are already in
// the catalog, or earlier in the same list, is skipped. progress, when not
// nil, is called once per movie handled.
func (s *Store) ImportMovies(ctx context.Context, movies []NewMovie, progress func()) (ImportReport, error) {
	var report ImportReport
	err := s.inCatalogTx(ctx, func(tx *sql.Tx) error {
		var err error
		report, err = importMovies(ctx, tx, s.dialect, movies, progress)
		return err
	})
	if err != nil {
		return ImportReport{}, err
	}
	if report.Added > 0 {
		return report, s.OptimizeSearchIndex(ctx)
	}
	return report, nil
}

func importMovies(ctx context.Context, tx *sql.Tx, d *dialect, movies []NewMovie, progress func()) (ImportReport, error) {
	var report ImportReport
	bulk, err := beginBulkLoad(ctx, tx, d, len(movies), false)
	if err != nil {
		return report, err
	}
	known, knownIDs, err := catalogHashes(ctx, tx)
	if err != nil {
		return report, err
	}
	exists, err := tx.PrepareContext(ctx, "SELECT name, director FROM movies WHERE match_hash = ?")
	if err != nil {
		return report, err
	}
	defer exists.Close()
	ins := newMovieInserter(tx, d)
	defer ins.Close()
	inFile, idsInFile := map[string]bool{}, map[uint64]bool{}
	for i, m := range movies {
		if progress != nil {
			progress()
		}
		m = m.Normalize()
		if err := m.Validate(); err != nil {
			return report, fmt.Errorf("movie #%d: %w", i+1, err)
		}
		if m.IMDbID != "" {
			// A movie from IMDb's datasets is the same movie by its id alone
			// (two titles may share a name and have no director).
			if reason := imdbIDSeen(knownIDs, idsInFile, imdbNumber(m.IMDbID)); reason != "" {
				report.Skipped = append(report.Skipped, Skipped{i + 1, m.Name, reason})
				continue
			}
			if _, err := ins.insert(ctx, m); err != nil {
				return report, fmt.Errorf("movie #%d: %w", i+1, err)
			}
			report.Added++
			continue
		}
		key := matchKey(m.Name, m.Director)
		if inFile[key] {
			report.Skipped = append(report.Skipped, Skipped{i + 1, m.Name, "listed earlier in the same file"})
			continue
		}
		inFile[key] = true
		dup, hash := false, hashKey(key)
		if known[hash] {
			if dup, err = inCatalog(ctx, exists, hash, m); err != nil {
				return report, err
			}
		}
		if dup {
			report.Skipped = append(report.Skipped, Skipped{i + 1, m.Name, "already in the catalog (same name and director)"})
			continue
		}
		if _, err := ins.insert(ctx, m); err != nil {
			return report, fmt.Errorf("movie #%d: %w", i+1, err)
		}
		report.Added++
	}
	if err := ins.flush(ctx); err != nil {
		return report, err
	}
	return report, bulk.finish(ctx)
}

// imdbIDSeen says why a movie with IMDb number id is skipped, or "" when
// it is new to both the catalog and the file, which it then joins.
func imdbIDSeen(inCatalog, inFile map[uint64]bool, id uint64) string {
	switch {
	case inFile[id]:
		return "listed earlier in the same file (same IMDb id)"
	case inCatalog[id]:
		return "already in the catalog (same IMDb id)"
	}
	inFile[id] = true
	return ""
}

// catalogHashes reads the match_hash of every movie in the catalog, so that
// an import looks up only the movies whose hash the catalog has (likely
// duplicates): a lookup per movie was a tenth of a million-movie import.
// It reads the catalog's IMDb ids (as numbers) in the same pass.
func catalogHashes(ctx context.Context, tx *sql.Tx) (hashes map[int64]bool, imdbIDs map[uint64]bool, err error) {
	rows, err := tx.QueryContext(ctx, "SELECT match_hash, imdb_id FROM movies")
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	hashes, imdbIDs = map[int64]bool{}, map[uint64]bool{}
	for rows.Next() {
		var h int64
		var id sql.NullString
		if err := rows.Scan(&h, &id); err != nil {
			return nil, nil, err
		}
		hashes[h] = true
		if id.Valid {
			imdbIDs[imdbNumber(id.String)] = true
		}
	}
	return hashes, imdbIDs, rows.Err()
}

// inCatalog says whether the catalog has a movie of m's name and director
// (ignoring case), whose match_hash is hash; byHash selects the name and
// director of the movies of a match_hash.
func inCatalog(ctx context.Context, byHash *sql.Stmt, hash int64, m NewMovie) (bool, error) {
	rows, err := byHash.QueryContext(ctx, hash)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	for rows.Next() {
		var name, director string
		if err := rows.Scan(&name, &director); err != nil {
			return false, err
		}
		if sameKey(name, director, m) {
			return true, nil
		}
	}
	return false, rows.Err()
}

// movieInserter inserts movies and their genres with prepared statements,
// remembering genre ids so a large import looks each genre up once. It
// keeps what derives from movies in step: genre counts, the autocomplete
// index and, where Go keeps it, the search index. Genre links and search
// words wait in batches (see rowBatch) until flush or until a read of them.
type movieInserter struct {
	tx                    *sql.Tx
	d                     *dialect
	movie, genre, genreID *txStmt
	links, words          *rowBatch // words is nil where Go keeps no search index
	genreIDs              map[string]int64
	// genreCounts holds each genre's change in movies until flush, and
	// movies the catalog's.
	genreCounts map[int64]int64
	movies      int64
	suggest     *suggestIndexer
}

func newMovieInserter(tx *sql.Tx, d *dialect) *movieInserter {
	ins := &movieInserter{tx: tx, d: d, genreIDs: map[string]int64{}, genreCounts: map[int64]int64{},
		links: newRowBatch(tx, "INSERT INTO movie_genres (movie_id, genre_id) VALUES ", "", 2)}
	if d.indexesWords {
		ins.words = newRowBatch(tx, "INSERT INTO movie_words (field, word, movie_id) VALUES ", "", 3)
	}
	ins.movie = newTxStmt(tx, `INSERT INTO movies (name, director, popularity, imdb_score, match_hash, created_at, updated_at,
	imdb_id, year, runtime_minutes, votes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	ins.genre = newTxStmt(tx, d.insertGenre)
	ins.genreID = newTxStmt(tx, `SELECT id FROM genres WHERE name = ?`)
	ins.suggest = newSuggestIndexer(tx, d)
	return ins
}

func (ins *movieInserter) Close() {
	for _, st := range []*txStmt{ins.movie, ins.genre, ins.genreID} {
		st.Close()
	}
	for _, b := range []*rowBatch{ins.links, ins.words} {
		if b != nil {
			b.Close()
		}
	}
	if ins.suggest != nil {
		ins.suggest.Close()
	}
}

func (ins *movieInserter) insert(ctx context.Context, m NewMovie) (int64, error) {
	at := now()
	res, err := ins.movie.ExecContext(ctx, m.Name, m.Director, m.Popularity, m.IMDBScore, matchHash(m.Name, m.Director), at, at,
		nullIfZero(m.IMDbID), nullIfZero(m.Year), nullIfZero(m.RuntimeMinutes), nullIfZero(m.Votes))
	if err != nil {
		return 0, fmt.Errorf("insert movie: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	ins.movies++
	if err := ins.indexed(ctx, id, m); err != nil {
		return 0, err
	}
	return id, nil
}

// indexed brings what derives from movie id, whose row now holds m, up to
// date: its genres, its search words and its autocomplete entries.
func (ins *movieInserter) indexed(ctx context.Context, id int64, m NewMovie) error {
	if err := ins.indexWords(ctx, id, m); err != nil {
		return err
	}
	if err := ins.suggest.addMovie(ctx, m.Director, m.Popularity); err != nil {
		return err
	}
	return ins.linkGenres(ctx, id, m.Genres)
}

// indexWords adds movie id's folded title and director words to the search
// index, where Go keeps it.
func (ins *movieInserter) indexWords(ctx context.Context, id int64, m NewMovie) error {
	if ins.words == nil {
		return nil
	}
	for _, w := range searchIndexWords(m.Name, m.Director) {
		if err := ins.words.add(ctx, w.field, w.word, id); err != nil {
			return fmt.Errorf("search index: %w", err)
		}
	}
	return nil
}

// searchIndexWords are a movie's rows in movie_words: each distinct folded
// word of its title (field "name") and of its director, once per field.
func searchIndexWords(name, director string) []fieldWord {
	var out []fieldWord
	for _, col := range []struct{ field, value string }{{"name", name}, {"director", director}} {
		seen := map[string]bool{}
		for _, w := range foldedWords(col.value) {
			if !seen[w] {
				seen[w] = true
				out = append(out, fieldWord{col.field, w})
			}
		}
	}
	return out
}

// unindex removes what derives from movie id, once its row is gone or
// changed: its genre links (counted off) and its search words.
func (ins *movieInserter) unindex(ctx context.Context, id int64) error {
	if err := ins.flushRows(ctx); err != nil {
		return err
	}
	rows, err := ins.tx.QueryContext(ctx, "SELECT genre_id FROM movie_genres WHERE movie_id = ?", id)
	if err != nil {
		return err
	}
	var genres []int64
	for rows.Next() {
		var g int64
		if err := rows.Scan(&g); err != nil {
			rows.Close()
			return err
		}
		genres = append(genres, g)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for _, g := range genres {
		ins.genreCounts[g]--
	}
	if _, err := ins.tx.ExecContext(ctx, "DELETE FROM movie_genres WHERE movie_id = ?", id); err != nil {
		return fmt.Errorf("unlink genres: %w", err)
	}
	if ins.words != nil {
		if _, err := ins.tx.ExecContext(ctx, "DELETE FROM movie_words WHERE movie_id = ?", id); err != nil {
			return fmt.Errorf("search index: %w", err)
		}
	}
	return nil
}

// linkGenres gives movie id, which has no genres yet, the named genres,
// creating any that are new. Two names can be one genre (MySQL's collation
// ignores accents), so links are told apart by genre id.
func (ins *movieInserter) linkGenres(ctx context.Context, id int64, genres []string) error {
	linked := make([]int64, 0, len(genres))
	for _, g := range genres {
		gid, err := ins.genreIDFor(ctx, g)
		if err != nil {
			return err
		}
		if slices.Contains(linked, gid) {
			continue
		}
		linked = append(linked, gid)
		if err := ins.links.add(ctx, id, gid); err != nil {
			return fmt.Errorf("link genre: %w", err)
		}
		ins.genreCounts[gid]++
	}
	return nil
}

// flushRows sends the genre links and search words still in batches.
func (ins *movieInserter) flushRows(ctx context.Context) error {
	if err := ins.links.flush(ctx); err != nil {
		return fmt.Errorf("link genre: %w", err)
	}
	if ins.words != nil {
		if err := ins.words.flush(ctx); err != nil {
			return fmt.Errorf("search index: %w", err)
		}
	}
	return nil
}

// flush writes the rows and counts changed since the last flush. Call it
// before the transaction commits and before reading what it wrote. Genres
// are written in id order, so two transactions never wait for each other's
// rows in opposite orders.
func (ins *movieInserter) flush(ctx context.Context) error {
	if err := ins.flushRows(ctx); err != nil {
		return err
	}
	ids := slices.Sorted(maps.Keys(ins.genreCounts))
	for _, id := range ids {
		if delta := ins.genreCounts[id]; delta != 0 {
			if _, err := ins.tx.ExecContext(ctx, "UPDATE genres SET movies = movies + ? WHERE id = ?", delta, id); err != nil {
				return fmt.Errorf("genre count: %w", err)
			}
		}
	}
	clear(ins.genreCounts)
	if ins.movies != 0 {
		if _, err := ins.tx.ExecContext(ctx, addToCatalogSizeSQL, ins.movies); err != nil {
			return fmt.Errorf("catalog size: %w", err)
		}
		ins.movies = 0
	}
	return ins.suggest.flush(ctx)
}

// The catalog's size is kept in app_meta by the code that adds and removes
// movies: counting the movies table on every uncached listing cost a scan of
// an index (on MySQL 8-43 ms at 100,000 movies).
const (
	catalogSizeSQL      = "SELECT value FROM app_meta WHERE `key` = 'catalog_size'"
	addToCatalogSizeSQL = "UPDATE app_meta SET value = value + ? WHERE `key` = 'catalog_size'"
)

func (ins *movieInserter) genreIDFor(ctx context.Context, name string) (int64, error) {
	key := strings.ToLower(name)
	if id, ok := ins.genreIDs[key]; ok {
		return id, nil
	}
	if _, err := ins.genre.ExecContext(ctx, name); err != nil {
		return 0, fmt.Errorf("insert genre: %w", err)
	}
	var id int64
	if err := ins.genreID.QueryRowContext(ctx, name).Scan(&id); err != nil {
		return 0, fmt.Errorf("genre id: %w", err)
	}
	ins.genreIDs[key] = id
	return id, nil
}

const seededKey = "bundled_catalog_loaded"

// SeedBundledCatalog loads the catalog embedded in the binary the first time
// it runs on a database, and only if that database holds no movies yet (a
// catalog imported before the first start is kept alone). Either way it
// marks the database seeded, so it does nothing ever after, even once every
// movie has been deleted. It reports how many movies it added.
//
// The mark, the check for movies and the load are one write transaction,
// begun IMMEDIATE (the writer's _txlock) so it holds the write lock before
// it reads: two processes starting at once on one file, or an import
// running beside, cannot both load, nor load beside movies not yet seen.
func (s *Store) SeedBundledCatalog(ctx context.Context) (int, error) {
	movies, err := DecodeCatalog(bytes.NewReader(bundledCatalog))
	if err != nil {
		return 0, fmt.Errorf("bundled catalog: %w", err)
	}
	added := 0
	err = s.inCatalogTx(ctx, func(tx *sql.Tx) error {
		added = 0 // a transaction MySQL rolled back runs again
		res, err := tx.ExecContext(ctx, s.dialect.insertSeededMark, seededKey)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // decided by an earlier start
		}
		var hasMovies bool
		if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM movies)").Scan(&hasMovies); err != nil {
			return err
		}
		if hasMovies {
			return nil // a catalog was imported before the first start
		}
		report, err := importMovies(ctx, tx, s.dialect, movies, nil)
		added = report.Added
		return err
	})
	if err != nil || added == 0 {
		return added, err
	}
	return added, s.OptimizeSearchIndex(ctx)
}
