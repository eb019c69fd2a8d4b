package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// CopyReport says what Store.CopyTo put into the target.
type CopyReport struct {
	Movies, Genres, Users, Tokens, Audit int
	// MergedGenres lists the genres that the target holds as one because
	// it compares names differently (MySQL ignores accents, SQLite only
	// case): `"Comedie" into "Comédie"`. Their movies moved with them.
	MergedGenres []string
}

// TargetNotEmptyError is CopyTo refusing a target that already holds an
// installation of its own.
type TargetNotEmptyError struct {
	Movies, Users, Audit int
}

func (e *TargetNotEmptyError) Error() string {
	return fmt.Sprintf("the target database already holds %s, %s and %s",
		plural(e.Movies, "movie", "movies"), plural(e.Users, "account", "accounts"), plural(e.Audit, "audit entry", "audit entries"))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// copyBatch is how many rows one read of the source returns and one INSERT
// on the target writes: 500 movies are 4,500 placeholders, well below
// MySQL's limit of 65,535 and SQLite's of 32,766.
const copyBatch = 500

// copyStatementBytes ends an INSERT early when its text values reach it
// (audit entries carry whole movies), far below MySQL's max_allowed_packet.
const copyStatementBytes = 2 << 20

// CopyTo copies the whole installation in s into dst: the movies with their
// ids, versions and timestamps, the genres and genre links, the accounts
// (password hashes as they are, so everyone signs in as before), the API
// tokens, the audit log, the catalog version and the bundled-catalog mark.
// Sessions are not copied: everyone signs in again. It works between any
// two backends.
//
// The source is read in batches from one snapshot, so a server may keep
// running on it. The target is written in one transaction: if anything
// fails it is left as it was. A target that already holds movies, accounts
// or audit entries is refused with a *TargetNotEmptyError, unless force
// is set: then what it holds is replaced.
//
// The search index is filled for every movie (SQLite's FTS5 triggers do it,
// on MySQL movie_words is written here), and the next movie id is put past
// every id the source ever used, the audit log's deleted movies included.
// The autocomplete index is copied as it is between backends of one kind;
// from one kind to the other it is rebuilt from the movies, because the two
// group values differently (MySQL ignores accents, SQLite only case).
func (s *Store) CopyTo(ctx context.Context, dst *Store, force bool) (CopyReport, error) {
	if sameDatabase(s, dst) {
		return CopyReport{}, errors.New("the source and the target are the same database")
	}
	// One snapshot for every batch, whatever the server's default.
	src, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: s.dialect.snapshot})
	if err != nil {
		return CopyReport{}, fmt.Errorf("read the source: %w", err)
	}
	defer src.Rollback()
	c := &copier{src: src, from: s.dialect, to: dst.dialect, genreIDs: map[int64]int64{}, stmts: map[stmtKey]*sql.Stmt{}}
	defer c.close()
	// The snapshot starts with the first read: take it before the target
	// changes at all.
	meta, err := c.readAll(ctx, c.src, "SELECT `key`, value FROM app_meta ORDER BY `key`", []kind{text, text})
	if err != nil {
		return CopyReport{}, fmt.Errorf("read the source: %w", err)
	}
	err = dst.tryWriteTx(ctx, func(tx *sql.Tx) error {
		c.dst = tx
		return c.run(ctx, meta, force)
	})
	if err != nil {
		return CopyReport{}, fmt.Errorf("%w; the target is unchanged", err)
	}
	if err := dst.OptimizeSearchIndex(ctx); err != nil {
		return c.report, fmt.Errorf("the copy is done, but: %w", err)
	}
	return c.report, nil
}

// sameDatabase reports whether a and b name one database, as far as their
// --db values tell.
func sameDatabase(a, b *Store) bool {
	return a == b || (a.dialect == b.dialect && a.dialect.sameDatabase(a.path, b.path))
}

// copier is one CopyTo: it reads src and writes dst.
type copier struct {
	src, dst *sql.Tx
	from, to *dialect
	report   CopyReport
	// genreIDs maps a source genre to the target genre it was merged into.
	genreIDs map[int64]int64
	// maxMovieID is the highest movie id seen in movies or the audit log.
	maxMovieID int64
	// maxCopiedID is the highest id in movies.
	maxCopiedID int64
	stmts       map[stmtKey]*sql.Stmt
}

type stmtKey struct {
	tx    *sql.Tx
	query string
}

func (c *copier) close() {
	for _, st := range c.stmts {
		st.Close()
	}
}

// kind is how a column's values are read, so that each reaches the target
// with the type it had (MySQL sends text as bytes, which SQLite would
// store as a BLOB).
type kind int

const (
	integer kind = iota
	real
	text
	nullText
	nullInteger
)

// copyTable is a table copied row for row. Its first column is an integer
// key the rows are read in order of.
type copyTable struct {
	name    string
	columns []string
	kinds   []kind
	order   string // ORDER BY, the key first
}

var (
	genresTable = copyTable{"genres", []string{"id", "name", "movies"}, []kind{integer, text, integer}, "id"}
	moviesTable = copyTable{"movies",
		// Not MySQL's generated name_sort.
		[]string{"id", "name", "director", "popularity", "imdb_score", "match_hash", "version", "created_at", "updated_at",
			"imdb_id", "year", "runtime_minutes", "votes"},
		[]kind{integer, text, text, real, real, integer, integer, text, text, nullText, nullInteger, nullInteger, nullInteger}, "id"}
	linksTable  = copyTable{"movie_genres", []string{"movie_id", "genre_id"}, []kind{integer, integer}, "movie_id, genre_id"}
	valuesTable = copyTable{"suggest_values", []string{"id", "field", "value", "movies", "popularity"},
		[]kind{integer, text, text, integer, real}, "id"}
	usersTable = copyTable{"users", []string{"id", "email", "password_hash", "role", "created_at", "updated_at"},
		[]kind{integer, text, text, text, text, text}, "id"}
	tokensTable = copyTable{"api_tokens", []string{"id", "user_id", "token_hash", "created_at", "revoked_at"},
		[]kind{integer, integer, text, text, nullText}, "id"}
	auditTable = copyTable{"audit_log", []string{"id", "movie_id", "actor", "action", "at", "`before`", "`after`"},
		[]kind{integer, integer, text, text, text, nullText, nullText}, "id"}
)

func (t copyTable) selectSQL(where string) string {
	return "SELECT " + strings.Join(t.columns, ", ") + " FROM " + t.name + " WHERE " + t.columns[0] + where + " ORDER BY " + t.order
}

// run copies everything, in the target's transaction.
func (c *copier) run(ctx context.Context, meta [][]any, force bool) error {
	// Moving the catalog version on first queues the copy behind catalog
	// writers, as inCatalogTx does.
	if _, err := c.dst.ExecContext(ctx, bumpCatalogVersionSQL); err != nil {
		return fmt.Errorf("catalog version: %w", err)
	}
	var held TargetNotEmptyError
	if err := c.dst.QueryRowContext(ctx, "SELECT (SELECT count(*) FROM movies), (SELECT count(*) FROM users), (SELECT count(*) FROM audit_log)").
		Scan(&held.Movies, &held.Users, &held.Audit); err != nil {
		return fmt.Errorf("read the target: %w", err)
	}
	if !force && held != (TargetNotEmptyError{}) {
		return &held
	}
	steps := []struct {
		what string
		fn   func(context.Context) error
	}{
		{"clear the target", c.clear},
		{"copy genres", c.copyGenres},
		{"copy movies", c.copyMovies},
		{"copy the autocomplete index", c.copySuggest},
		{"copy accounts", func(ctx context.Context) (err error) {
			c.report.Users, err = c.copyRows(ctx, usersTable, "", nil)
			if err != nil && c.to.isDuplicate(err) {
				err = fmt.Errorf("two accounts' emails are one to the target, which compares them ignoring case and accents: %w", err)
			}
			return err
		}},
		{"copy API tokens", func(ctx context.Context) (err error) {
			c.report.Tokens, err = c.copyRows(ctx, tokensTable, "", nil)
			return err
		}},
		{"copy the audit log", func(ctx context.Context) (err error) {
			c.report.Audit, err = c.copyRows(ctx, auditTable, "", func(rows [][]any) error {
				for _, r := range rows {
					c.maxMovieID = max(c.maxMovieID, r[1].(int64))
				}
				return nil
			})
			return err
		}},
		{"copy app_meta", func(ctx context.Context) error { return c.copyMeta(ctx, meta) }},
		{"set the next movie id", c.reserveMovieIDs},
	}
	for _, step := range steps {
		if err := step.fn(ctx); err != nil {
			return fmt.Errorf("%s: %w", step.what, err)
		}
	}
	return nil
}

// clear empties the target's catalog, accounts, audit log, add keys and sessions (a
// session names an account by id, and the ids are about to change hands).
func (c *copier) clear(ctx context.Context) error {
	tables := []string{"suggest_values", "movie_genres"}
	if c.to.indexesWords {
		tables = append(tables, "movie_words")
	}
	tables = append(tables, "movies", "genres", "api_tokens", "users", "audit_log", "idempotency_keys")
	sessions, err := c.hasTable(ctx, "fiber_storage")
	if err != nil {
		return err
	}
	if sessions {
		tables = append(tables, "fiber_storage")
	}
	for _, t := range tables {
		if _, err := c.dst.ExecContext(ctx, "DELETE FROM "+t); err != nil {
			return fmt.Errorf("%s: %w", t, err)
		}
	}
	_, err = c.dst.ExecContext(ctx, "DELETE FROM app_meta WHERE `key` <> 'catalog_version'")
	return err
}

// hasTable reports whether the target has the table: the session store
// creates fiber_storage on SQLite when a server first starts.
func (c *copier) hasTable(ctx context.Context, name string) (bool, error) {
	var n int
	err := c.dst.QueryRowContext(ctx, c.to.tableExistsSQL, name).Scan(&n)
	return n > 0, err
}

// copyRows copies table t in batches in key order and returns how many
// rows it copied. tail ends each INSERT. each, when not nil, is called
// with every batch once the batch is written.
func (c *copier) copyRows(ctx context.Context, t copyTable, tail string, each func([][]any) error) (int, error) {
	w := c.inserter(t.name, t.columns, tail)
	n := 0
	for after := int64(0); ; {
		rows, err := c.readAll(ctx, c.src, t.selectSQL(" > ?")+" LIMIT ?", t.kinds, after, copyBatch)
		if err != nil || len(rows) == 0 {
			return n, err
		}
		for _, r := range rows {
			if err := w.add(ctx, r); err != nil {
				return n, err
			}
		}
		if err := w.flush(ctx); err != nil {
			return n, err
		}
		if each != nil {
			if err := each(rows); err != nil {
				return n, err
			}
		}
		n += len(rows)
		after = rows[len(rows)-1][0].(int64)
	}
}

// span reads the rows of t whose key is between the keys of the first and
// last of rows.
func (c *copier) span(ctx context.Context, t copyTable, rows [][]any) ([][]any, error) {
	return c.readAll(ctx, c.src, t.selectSQL(" BETWEEN ? AND ?"), t.kinds, rows[0][0], rows[len(rows)-1][0])
}

// copyGenres copies the genres with their ids and counts. Two genres that
// the target holds as one (it ignores accents where the source did not)
// become one: the first keeps its id and the other's movies.
func (c *copier) copyGenres(ctx context.Context) error {
	// Genres are few (tens, thousands at most), so they are kept to find
	// the ones merged.
	var all [][]any
	if _, err := c.copyRows(ctx, genresTable, c.to.ignoreDuplicates("id"), func(rows [][]any) error {
		all = append(all, rows...)
		return nil
	}); err != nil {
		return err
	}
	ids, err := c.readAll(ctx, c.dst, "SELECT id FROM genres", []kind{integer})
	if err != nil {
		return err
	}
	c.report.Genres = len(ids)
	if len(ids) == len(all) {
		return nil
	}
	present := map[int64]bool{}
	for _, r := range ids {
		present[r[0].(int64)] = true
	}
	for _, g := range all {
		id, name := g[0].(int64), g[1].(string)
		if present[id] {
			continue
		}
		var into int64
		var intoName string
		if err := c.dst.QueryRowContext(ctx, "SELECT id, name FROM genres WHERE name = ?"+c.to.nocase, name).Scan(&into, &intoName); err != nil {
			return fmt.Errorf("genre %q: %w", name, err)
		}
		c.genreIDs[id] = into
		c.report.MergedGenres = append(c.report.MergedGenres, fmt.Sprintf("%q into %q", name, intoName))
	}
	return nil
}

// copyMovies copies the movies with their genre links and fills the
// target's search index: SQLite's triggers fill FTS5 as the rows arrive,
// MySQL's movie_words is written here.
func (c *copier) copyMovies(ctx context.Context) error {
	links := c.inserter(linksTable.name, linksTable.columns, c.to.ignoreDuplicates("movie_id"))
	var words *inserter
	if c.to.indexesWords {
		words = c.inserter("movie_words", []string{"field", "word", "movie_id"}, "")
	}
	n, err := c.copyRows(ctx, moviesTable, "", func(movies [][]any) error {
		for _, m := range movies {
			if words == nil {
				break // SQLite's triggers index the movies
			}
			for _, w := range searchIndexWords(m[1].(string), m[2].(string)) {
				if err := words.add(ctx, []any{w.field, w.word, m[0]}); err != nil {
					return err
				}
			}
		}
		rows, err := c.span(ctx, linksTable, movies)
		if err != nil {
			return err
		}
		for _, l := range rows {
			if into, ok := c.genreIDs[l[1].(int64)]; ok {
				l[1] = into
			}
			if err := links.add(ctx, l); err != nil {
				return err
			}
		}
		c.maxCopiedID = movies[len(movies)-1][0].(int64)
		return nil
	})
	if err != nil {
		return err
	}
	c.report.Movies = n
	c.maxMovieID = max(c.maxMovieID, c.maxCopiedID)
	if err := links.flush(ctx); err != nil {
		return err
	}
	if words != nil {
		if err := words.flush(ctx); err != nil {
			return err
		}
	}
	if len(c.genreIDs) == 0 {
		return nil
	}
	// Merged genres count their movies again: a movie may have had both.
	for _, into := range c.genreIDs {
		if _, err := c.dst.ExecContext(ctx, "UPDATE genres SET movies = (SELECT count(*) FROM movie_genres WHERE genre_id = ?) WHERE id = ?", into, into); err != nil {
			return fmt.Errorf("genre count: %w", err)
		}
	}
	return nil
}

// copySuggest copies the autocomplete index as it is between backends of
// one kind, or rebuilds it on the target.
func (c *copier) copySuggest(ctx context.Context) error {
	if c.from != c.to {
		return c.rebuildSuggest(ctx)
	}
	_, err := c.copyRows(ctx, valuesTable, "", nil)
	return err
}

// rebuildSuggest indexes the copied movies for autocomplete as the target
// would have, had they been added there in id order: one value per
// director as the target compares them, spelled as its first movie spells
// it, with its movie count and best popularity. (Titles are suggested
// from the movies themselves.)
func (c *copier) rebuildSuggest(ctx context.Context) error {
	_, err := c.dst.ExecContext(ctx, `INSERT INTO suggest_values (field, value, movies, popularity)
SELECT 'director', m.director, g.n, g.p
  FROM (SELECT min(id) AS first, count(*) AS n, max(popularity) AS p FROM movies GROUP BY director`+c.to.nocase+`) g
  JOIN movies m ON m.id = g.first
 ORDER BY g.first`)
	if err != nil {
		return fmt.Errorf("director values: %w", err)
	}
	return nil
}

// copyMeta copies app_meta (the bundled-catalog mark) and moves the
// catalog version to the source's, or past the target's own: either way
// to a value the target has not had, so no cached page outlives the copy.
func (c *copier) copyMeta(ctx context.Context, meta [][]any) error {
	var bumped int64
	if err := c.dst.QueryRowContext(ctx, "SELECT value FROM app_meta WHERE `key` = 'catalog_version'").Scan(&bumped); err != nil {
		return fmt.Errorf("catalog version: %w", err)
	}
	version := bumped
	for _, r := range meta {
		key, value := r[0].(string), r[1].(string)
		if key == "catalog_size" {
			continue // counted on the target below
		}
		if key != "catalog_version" {
			if _, err := c.dst.ExecContext(ctx, "INSERT INTO app_meta (`key`, value) VALUES (?, ?)", key, value); err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
			continue
		}
		v, err := strconv.ParseInt(value, 10, 64)
		if err != nil {
			return fmt.Errorf("the source's catalog version %q: %w", value, err)
		}
		version = max(version, v)
	}
	if _, err := c.dst.ExecContext(ctx, "UPDATE app_meta SET value = ? WHERE `key` = 'catalog_version'", strconv.FormatInt(version, 10)); err != nil {
		return err
	}
	if _, err := c.dst.ExecContext(ctx, "DELETE FROM app_meta WHERE `key` = 'catalog_size'"); err != nil {
		return err
	}
	_, err := c.dst.ExecContext(ctx, "INSERT INTO app_meta (`key`, value) SELECT 'catalog_size', count(*) FROM movies")
	return err
}

// reserveMovieIDs makes the target hand out movie ids above every id the
// source used, those only the audit log remembers included (a deleted
// movie keeps its id for Undo). The other tables need nothing: rows
// inserted with their ids move the target's counters past them.
func (c *copier) reserveMovieIDs(ctx context.Context) error {
	return c.to.reserveMovieIDs(ctx, c.dst, c.maxMovieID, c.maxCopiedID)
}

// readAll runs query on tx and returns its rows, each value read as kinds
// says. The rows are all read before it returns, so the connection is free
// for the next statement.
func (c *copier) readAll(ctx context.Context, tx *sql.Tx, query string, kinds []kind, args ...any) ([][]any, error) {
	st, err := c.prepare(ctx, tx, query)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]any
	dest := make([]any, len(kinds))
	for i, k := range kinds {
		switch k {
		case integer:
			dest[i] = new(int64)
		case real:
			dest[i] = new(float64)
		case text:
			dest[i] = new(string)
		case nullText:
			dest[i] = new(sql.NullString)
		case nullInteger:
			dest[i] = new(sql.NullInt64)
		}
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		row := make([]any, len(kinds))
		for i, d := range dest {
			switch d := d.(type) {
			case *int64:
				row[i] = *d
			case *float64:
				row[i] = *d
			case *string:
				row[i] = *d
			case *sql.NullString:
				if d.Valid {
					row[i] = d.String
				}
			case *sql.NullInt64:
				if d.Valid {
					row[i] = d.Int64
				}
			}
		}
		out = append(out, row)
	}
	return out, rows.Err()
}

// prepare returns query prepared on tx, preparing it the first time: the
// queries run once per batch are parsed once. The copier closes them.
func (c *copier) prepare(ctx context.Context, tx *sql.Tx, query string) (*sql.Stmt, error) {
	key := stmtKey{tx, query}
	if st, ok := c.stmts[key]; ok {
		return st, nil
	}
	st, err := tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.stmts[key] = st
	return st, nil
}

// inserter writes rows into one table of the target with multi-row
// INSERTs of up to copyBatch rows, fewer when their text passes
// copyStatementBytes. The statement for a full batch is prepared once.
type inserter struct {
	c          *copier
	table      string
	head, tail string
	width      int
	full       *sql.Stmt
	args       []any
	bytes      int
}

func (c *copier) inserter(table string, columns []string, tail string) *inserter {
	return &inserter{c: c, table: table, width: len(columns), tail: tail,
		head: "INSERT INTO " + table + " (" + strings.Join(columns, ", ") + ") VALUES "}
}

func (w *inserter) add(ctx context.Context, row []any) error {
	w.args = append(w.args, row...)
	for _, v := range row {
		if s, ok := v.(string); ok {
			w.bytes += len(s)
		}
	}
	if len(w.args) >= copyBatch*w.width || w.bytes >= copyStatementBytes {
		return w.flush(ctx)
	}
	return nil
}

func (w *inserter) flush(ctx context.Context) error {
	n := len(w.args) / w.width
	if n == 0 {
		return nil
	}
	var err error
	if n == copyBatch {
		if w.full == nil {
			w.full, err = w.c.prepare(ctx, w.c.dst, w.sql(n))
		}
		if err == nil {
			_, err = w.full.ExecContext(ctx, w.args...)
		}
	} else {
		_, err = w.c.dst.ExecContext(ctx, w.sql(n), w.args...)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", w.table, err)
	}
	clear(w.args)
	w.args, w.bytes = w.args[:0], 0
	return nil
}

func (w *inserter) sql(rows int) string {
	row := "(" + strings.Repeat("?, ", w.width-1) + "?)"
	return w.head + strings.Repeat(row+", ", rows-1) + row + w.tail
}
