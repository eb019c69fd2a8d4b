package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite" // registers the CGO-free "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"
)

// sqliteDialect searches with FTS5, whose unicode61 tokenizer folds case
// and accents the way Fold does.
var sqliteDialect = &dialect{
	name:       "sqlite",
	goose:      goose.DialectSQLite3,
	migrations: "sqlite",
	nocase:     " COLLATE NOCASE",
	nameOrder:  "name COLLATE NOCASE, id",
	emailIs:    "email = ?", // the column is COLLATE NOCASE
	genreList: `(SELECT group_concat(g.name, char(31))
	   FROM movie_genres mg JOIN genres g ON g.id = mg.genre_id
	  WHERE mg.movie_id = m.id)`,
	forceIndex: func(index string) string { return " INDEXED BY " + index },

	insertSeededMark: "INSERT INTO app_meta (`key`, value) VALUES (?, 'yes') ON CONFLICT (`key`) DO NOTHING",
	insertGenre:      `INSERT INTO genres (name) VALUES (?) ON CONFLICT (name) DO NOTHING`,
	upsertKeyValue:   `INSERT INTO fiber_storage (k, v, e) VALUES (?, ?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v, e = excluded.e`,
	suggestValueConflict: `
ON CONFLICT (field, value COLLATE NOCASE) DO UPDATE SET movies = movies + excluded.movies, popularity = max(popularity, excluded.popularity)`,

	compileFilter: func(f Filter) filterSQL {
		return ftsFilter{match: matchExpr(f), genre: strings.TrimSpace(f.Genre)}
	},
	// A range of movies_by_name. (An FTS5 phrase at the start of the
	// title, ^"dark s"*, also folds accents, but read the positions of
	// every title word starting with s: 15-30 ms at a million movies.)
	titleStarts:      func(words []string) matcher { return titleRange{strings.Join(words, " ")} },
	titleCount:       "SELECT count(*) FROM movies WHERE name = ? COLLATE NOCASE",
	directorStarts:   func(words []string) matcher { return directorMatch{words, true} },
	directorHas:      func(words []string) matcher { return directorMatch{words, false} },
	snapshot:         sql.LevelDefault, // a read transaction is one snapshot
	tableExistsSQL:   "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?",
	ignoreDuplicates: func(string) string { return " ON CONFLICT DO NOTHING" },
	sameDatabase:     sameSQLiteFile,
	reserveMovieIDs:  reserveSQLiteMovieIDs,

	isDuplicate: func(err error) bool { return strings.Contains(err.Error(), "UNIQUE constraint failed") },
	isRetryable: func(error) bool { return false },
}

// The backfill (migration 6) indexes with this dialect, so it joins it here
// rather than in its literal.
func init() { sqliteDialect.goMigrations = []*goose.Migration{suggestBackfill, sqliteMatchHash} }

// sameSQLiteFile reports whether two paths name one file.
func sameSQLiteFile(a, b string) bool {
	ia, errA := os.Stat(a)
	ib, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(ia, ib)
}

// reserveSQLiteMovieIDs raises AUTOINCREMENT's high-water mark.
func reserveSQLiteMovieIDs(ctx context.Context, tx *sql.Tx, maxID, _ int64) error {
	var seq sql.NullInt64
	if err := tx.QueryRowContext(ctx, "SELECT max(seq) FROM sqlite_sequence WHERE name = 'movies'").Scan(&seq); err != nil {
		return err
	}
	var err error
	switch {
	case !seq.Valid:
		_, err = tx.ExecContext(ctx, "INSERT INTO sqlite_sequence (name, seq) VALUES ('movies', ?)", maxID)
	case seq.Int64 < maxID:
		_, err = tx.ExecContext(ctx, "UPDATE sqlite_sequence SET seq = ? WHERE name = 'movies'", maxID)
	}
	return err
}

// openSQLite opens the database file at path. SQLite allows one writer at a
// time, so writes go through a single connection (no SQLITE_BUSY between
// our own writers) while reads use a pool that WAL lets run beside it.
func openSQLite(ctx context.Context, path string) (*Store, error) {
	write, err := sql.Open("sqlite", sqliteDSN(path, true))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	if err := migrateSQLite(ctx, write); err != nil {
		write.Close()
		return nil, err
	}
	read, err := sql.Open("sqlite", sqliteDSN(path, false))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	conns := max(4, 2*runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(conns)
	read.SetMaxIdleConns(conns)
	// The catalog version is read before every cached listing: on one
	// connection of its own, with its statement prepared once, the check
	// is a single cheap read that never waits for the pool.
	versions, err := sql.Open("sqlite", sqliteDSN(path, false))
	if err != nil {
		write.Close()
		read.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	versions.SetMaxOpenConns(1)
	return newStore(ctx, sqliteDialect, path, write, read, versions)
}

// migrateSQLite applies the migrations under a lock: two processes
// starting at once on a new file would both find it unmigrated, and goose
// would record (or, for migration 7, run) a migration twice.
func migrateSQLite(ctx context.Context, write *sql.DB) error {
	unlock, err := lockSQLiteMigrations(ctx, write)
	if err != nil {
		return err
	}
	defer unlock()
	return migrate(ctx, write, sqliteDialect)
}

// Migration locks older than staleMigrationLock were left by a process
// that died while migrating; waiting stops after maxMigrationWait.
const (
	staleMigrationLock = 30 * time.Minute
	maxMigrationWait   = 5 * time.Minute
)

// lockSQLiteMigrations takes the migration lock: the one row of a table of
// its own, which only one process can insert.
func lockSQLiteMigrations(ctx context.Context, db *sql.DB) (unlock func(), err error) {
	deadline := time.Now().Add(maxMigrationWait)
	for {
		taken, err := tryMigrationLock(ctx, db)
		switch {
		case err != nil && !sqliteBusy(err):
			return nil, fmt.Errorf("migration lock: %w", err)
		case taken:
			return func() {
				db.ExecContext(context.WithoutCancel(ctx), "DELETE FROM fimdb_migration_lock")
			}, nil
		case err == nil: // another process holds it: unless it died holding it
			if _, err := db.ExecContext(ctx, "DELETE FROM fimdb_migration_lock WHERE taken_at < ?", time.Now().Add(-staleMigrationLock).Unix()); err != nil && !sqliteBusy(err) {
				return nil, fmt.Errorf("migration lock: %w", err)
			}
		}
		if time.Now().After(deadline) {
			return nil, errors.New("another fimdb has been migrating this database for five minutes; try again when it is done")
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func tryMigrationLock(ctx context.Context, db *sql.DB) (bool, error) {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS fimdb_migration_lock (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    taken_at INTEGER NOT NULL
)`); err != nil {
		return false, err
	}
	res, err := db.ExecContext(ctx, "INSERT INTO fimdb_migration_lock (id, taken_at) VALUES (1, ?) ON CONFLICT DO NOTHING", time.Now().Unix())
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// sqliteBusy reports SQLite's "database is locked" that its busy timeout
// does not wait out: while another process makes a new file (its first
// connection switches it to WAL) the others' first statements fail at
// once. Taking the migration lock is then tried again.
func sqliteBusy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
}

// sqliteDSN puts every pragma in the connection string: a PRAGMA run with
// Exec would only reach one connection of the pool. busy_timeout comes
// first so that the others never fail on a briefly locked file; 30 s, since
// another process's write (several instances loading the bundled catalog
// at once, under the race detector on a busy machine) took longer than 5.
func sqliteDSN(path string, writer bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(30000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "cache_size(-32000)")
	if writer {
		q.Set("_txlock", "immediate")
	} else {
		q.Add("_pragma", "query_only(1)")
	}
	return "file:" + path + "?" + q.Encode()
}

// ftsFilter is the listing filter over the FTS5 index: match is the FTS5
// expression for the text fields, genre the genre's name.
type ftsFilter struct {
	match string
	genre string
}

func (f ftsFilter) empty() bool { return f.match == "" && f.genre == "" }

// titleRange matches the titles that start with prefix, ignoring ASCII
// case (movies_by_name's order).
type titleRange struct{ prefix string }

func (t titleRange) matchesSQL() (string, []any) {
	lo, hi := prefixRange(t.prefix)
	return "SELECT id FROM movies WHERE name >= ? COLLATE NOCASE AND name < ? COLLATE NOCASE", []any{lo, hi}
}

// directorMatch matches the directors in directors_search (migration 17)
// having a word that starts with each of words or, with start, whose name
// starts with the words (a phrase anchored at its first word, the last
// one a prefix), folded as the search folds them: "eric r" finds "Éric
// Rohmer", "jean l" "Jean-Luc Godard".
type directorMatch struct {
	words []string
	start bool
}

func (d directorMatch) matchesSQL() (string, []any) {
	var terms []string
	for _, w := range d.words {
		for _, t := range searchWords(w) {
			terms = append(terms, `"`+t+`"`)
		}
	}
	expr := strings.Join(terms, "* AND ") + "*"
	if d.start {
		expr = "^ " + strings.Join(terms, " + ") + " *"
	}
	return "SELECT rowid AS id FROM directors_search WHERE directors_search MATCH ?", []any{expr}
}

// The search index (migration 13) keys each movie by its score, then its
// id, so that MATCH hands out matches in the listing's default order:
// searchKeySQL is a movie's key, searchIDSQL the movie id in a key.
const (
	searchKeySQL = "((1000 - CAST(round(imdb_score * 100) AS INTEGER)) << 32) | id"
	searchIDSQL  = "(rowid & 4294967295)"
)

// textSQL lists the movies matching the text filters, in score order.
const textSQL = "SELECT " + searchIDSQL + " AS id FROM movies_search WHERE movies_search MATCH ?"

// bothSQL lists the movies matching text and genre.
const bothSQL = textSQL + " INTERSECT SELECT movie_id FROM movie_genres WHERE genre_id = " + genreIDSQL

// matchesSQL lists the matching movies from the indexes alone.
func (f ftsFilter) matchesSQL() (string, []any) {
	switch {
	case f.match != "" && f.genre != "":
		// In the index's order, testing the genre of each: a count that
		// stops at a limit reads only that far (INTERSECT reads both
		// sides whole first: 160 ms for "the" in Drama at a million).
		return textSQL + " AND EXISTS (SELECT 1 FROM movie_genres mg WHERE mg.movie_id = " + searchIDSQL + " AND mg.genre_id = " + genreIDSQL + ")", []any{f.match, f.genre}
	case f.match != "":
		return textSQL, []any{f.match}
	case f.genre != "":
		return "SELECT movie_id FROM movie_genres WHERE genre_id = " + genreIDSQL, []any{f.genre}
	}
	return "SELECT id FROM movies", nil
}

// pageIDsSQL: a text search sorted by score reads its page straight off
// the search index, in key order, testing the genre (if any) per match: it
// stops after the page, however many movies match.
func (f ftsFilter) pageIDsSQL(sort Sort) (string, []any, bool) {
	if f.match == "" || sort != SortScore {
		return "", nil, false
	}
	query := "SELECT rowid AS k FROM movies_search WHERE movies_search MATCH ?"
	args := []any{f.match}
	if f.genre != "" {
		query += " AND EXISTS (SELECT 1 FROM movie_genres mg WHERE mg.movie_id = " + searchIDSQL + " AND mg.genre_id = " + genreIDSQL + ")"
		args = append(args, f.genre)
	}
	return query + " ORDER BY rowid", args, true
}

// whereSQL: when walking the sort index, the genre is tested per movie
// (EXISTS on the primary key); when collecting, the genre's movies are read
// from its index.
func (f ftsFilter) whereSQL(walk bool) (string, []any) {
	if !walk && f.match != "" && f.genre != "" {
		return " WHERE id IN (" + bothSQL + ")", []any{f.match, f.genre}
	}
	var conds []string
	var args []any
	if f.match != "" {
		conds = append(conds, "id IN ("+textSQL+")")
		args = append(args, f.match)
	}
	if f.genre != "" {
		conds = append(conds, genreCond(walk))
		args = append(args, f.genre)
	}
	return joinWhere(conds), args
}

// genreCond keeps the movies of the genre named by the argument.
func genreCond(walk bool) string {
	if walk {
		return "EXISTS (SELECT 1 FROM movie_genres mg WHERE mg.movie_id = movies.id AND mg.genre_id = " + genreIDSQL + ")"
	}
	return "id IN (SELECT movie_id FROM movie_genres WHERE genre_id = " + genreIDSQL + ")"
}

func joinWhere(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

// matchExpr builds the FTS5 query for the name and director filters: every
// word must be the prefix of a word in its column. Words are split the way
// the unicode61 tokenizer splits them and quoted, so no user input is ever
// read as FTS5 syntax.
func matchExpr(f Filter) string {
	var terms []string
	for _, col := range []struct{ name, query string }{{"name", f.Name}, {"director", f.Director}} {
		for _, w := range searchWords(col.query) {
			terms = append(terms, col.name+` : "`+w+`"*`)
		}
	}
	return strings.Join(terms, " AND ")
}

// OptimizeSearchIndex merges SQLite's full-text index into one segment.
// Every write transaction adds a segment, and each search reads all of
// them: on the bundled catalog a search took 90µs before and 22µs after.
// MySQL's word index needs no such step.
func (s *Store) OptimizeSearchIndex(ctx context.Context) error {
	if s.dialect != sqliteDialect {
		return nil
	}
	_, err := s.write.ExecContext(ctx, "INSERT INTO movies_search (movies_search) VALUES ('optimize')")
	if err != nil {
		return fmt.Errorf("optimize search index: %w", err)
	}
	return nil
}

// bulkLoad makes an import into SQLite write what derives from its movies
// in bulk at its end instead of row by row. All of it happens inside the
// import's transaction: readers keep their snapshot (old schema and all),
// and a failed import undoes it.
//
//   - The search index: FTS5 writes what it holds in memory to disk at
//     every statement's savepoint, so migration 13's trigger, run per
//     insert, wrote a segment per movie and spent a third of an import
//     merging them. The trigger is dropped, and the import's movies are
//     indexed by one statement at the end.
//   - The sort indexes (score, popularity, title), and the director's for
//     an import that only adds, when the catalog is small or the import at
//     least doubles it: inserting a million movies into each of them, at
//     random places, was a third of a million-movie import. They are
//     dropped and made again by CREATE INDEX, which sorts. The import's
//     own lookups (by match_hash and imdb_id, and by director when an
//     update uncounts one) keep their indexes.
//
// What is dropped is made again from its own SQL in sqlite_schema.
type bulkLoad struct {
	tx *sql.Tx
	// after is the highest movie id ever handed out before the import:
	// the movies above it are the import's.
	after int64
	// recreate holds the CREATE statements of what was dropped.
	recreate []string
}

// rebuildLimit is the catalog size up to which an import of unknown size
// rebuilds the sort indexes: rebuilding them over 100,000 movies costs
// about a second, which no import of that size notices. (A variable so
// that tests can try both ways.)
var rebuildLimit = 100_000

// beginBulkLoad starts a bulk load on SQLite for an import of adding
// movies (-1: not known in advance) that may also update some; on MySQL,
// whose word index Go writes in batches already, it returns nil, which
// does nothing.
func beginBulkLoad(ctx context.Context, tx *sql.Tx, d *dialect, adding int, updates bool) (*bulkLoad, error) {
	if d != sqliteDialect {
		return nil, nil
	}
	b := &bulkLoad{tx: tx}
	var trigger string
	err := tx.QueryRowContext(ctx, "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = 'movies_search_insert'").Scan(&trigger)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil // before migration 13 (an upgrade test's old schema) there is none
	}
	if err != nil {
		return nil, fmt.Errorf("bulk load: %w", err)
	}
	var existing int
	if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(seq), 0), ("+catalogSizeSQL+") FROM sqlite_sequence WHERE name = 'movies'").Scan(&b.after, &existing); err != nil {
		return nil, fmt.Errorf("bulk load: %w", err)
	}
	drop := []string{"DROP TRIGGER movies_search_insert"}
	b.recreate = append(b.recreate, trigger)
	if existing <= rebuildLimit || adding >= existing {
		names := slices.Collect(maps.Values(sortIndex))
		if !updates {
			names = append(names, "movies_by_director")
		}
		indexes, err := indexesSQL(ctx, tx, names)
		if err != nil {
			return nil, err
		}
		for name, create := range indexes {
			drop = append(drop, "DROP INDEX "+name)
			b.recreate = append(b.recreate, create)
		}
	}
	for _, q := range drop {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return nil, fmt.Errorf("bulk load: %w", err)
		}
	}
	return b, nil
}

// indexesSQL maps each named index to its CREATE statement.
func indexesSQL(ctx context.Context, tx *sql.Tx, names []string) (map[string]string, error) {
	out := map[string]string{}
	for _, name := range names {
		var create string
		if err := tx.QueryRowContext(ctx, "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?", name).Scan(&create); err != nil {
			return nil, fmt.Errorf("bulk load: index %s: %w", name, err)
		}
		out[name] = create
	}
	return out, nil
}

// bulkSortCacheSize is the page cache (in SQLite's -KiB form) while an
// import sorts its movies for the search index.
const bulkSortCacheSize = -8000

// finish indexes the import's movies for search and makes again what
// begin dropped. A movie the import added and then updated (a title twice
// in IMDb's file) was indexed by the update trigger already; indexing it
// again under the same key writes a newer entry that hides the older one
// until the optimize after the import merges them
// (TestImportsIndexEveryMovieForSearch).
func (b *bulkLoad) finish(ctx context.Context) (err error) {
	if b == nil {
		return nil
	}
	var cacheSize int
	if err := b.tx.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&cacheSize); err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	restoreCache := fmt.Sprintf("PRAGMA cache_size = %d", cacheSize)
	defer func() {
		// A pragma outlives a rollback, and the connection goes back to the
		// pool. Best effort: a transaction that its context ended is gone,
		// and its connection keeps the smaller cache (slower, never wrong).
		if err != nil {
			b.tx.ExecContext(context.WithoutCancel(ctx), restoreCache)
		}
	}()
	// FTS5 collects words in memory and writes them out as a new segment
	// whenever a rowid is lower than the one before: in the movies' order
	// (ids, whose keys are in score order) that was nearly every movie, and
	// merging those segments was half of a million-movie import. In key
	// order it writes a segment per 8 MB of words (hashsize, 1 MB by
	// default) and merges nothing (the import optimizes the index once it
	// has committed). The sort's memory is bounded by the page cache,
	// which is made smaller while it runs to keep the import's peak down.
	const setOption = "INSERT INTO movies_search (movies_search, rank) VALUES (?, ?)"
	for _, step := range []struct {
		query string
		args  []any
	}{
		{setOption, []any{"hashsize", 8 << 20}},
		{setOption, []any{"automerge", 0}},
		{fmt.Sprintf("PRAGMA cache_size = %d", bulkSortCacheSize), nil},
		{"INSERT INTO movies_search (rowid, name, director) SELECT " + searchKeySQL + ", name, director FROM movies WHERE id > ? ORDER BY 1", []any{b.after}},
		{restoreCache, nil},
		{setOption, []any{"hashsize", 1 << 20}},
		{setOption, []any{"automerge", 4}},
	} {
		if _, err := b.tx.ExecContext(ctx, step.query, step.args...); err != nil {
			return fmt.Errorf("search index: %w", err)
		}
	}
	for _, create := range b.recreate {
		if _, err := b.tx.ExecContext(ctx, create); err != nil {
			return fmt.Errorf("bulk load: %w", err)
		}
	}
	return nil
}
