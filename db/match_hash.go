package db

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/pressly/goose/v3"
)

// matchHash identifies a movie for duplicate detection: same name and
// director, ignoring case (Unicode-aware, unlike SQLite's lower()). The
// catalog keeps this 64-bit hash of matchKey, not the key itself: the key
// and its index were 100 MB of an IMDb-format million movies. Two movies
// whose keys hash alike are told apart by their names (sameKey).
func matchHash(name, director string) int64 { return hashKey(matchKey(name, director)) }

// hashKey is FNV-1a, 64 bits. (A variable so that tests can make every
// key collide.)
var hashKey = func(key string) int64 {
	h := fnv.New64a()
	h.Write([]byte(key))
	return int64(h.Sum64())
}

// matchKey is what matchHash hashes.
func matchKey(name, director string) string {
	return strings.ToLower(strings.TrimSpace(name)) + "\x1f" + strings.ToLower(strings.TrimSpace(director))
}

// sameKey says whether a movie found by its hash is really m's.
func sameKey(name, director string, m NewMovie) bool {
	return matchKey(name, director) == matchKey(m.Name, m.Director)
}

// The migrations that replace match_key by match_hash (16 on SQLite, 7 on
// MySQL). They are Go because the hash is.
var (
	sqliteMatchHash = goose.NewGoMigration(16,
		&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
			return execAll(ctx, tx, []string{"ALTER TABLE movies ADD COLUMN match_hash INTEGER NOT NULL DEFAULT 0"},
				fillMatchHashes, []string{
					"DROP INDEX movies_by_match_key",
					"ALTER TABLE movies DROP COLUMN match_key",
					"CREATE INDEX movies_by_match_hash ON movies (match_hash)",
				})
		}},
		&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
			return execAll(ctx, tx, []string{"ALTER TABLE movies ADD COLUMN match_key TEXT NOT NULL DEFAULT ''"},
				fillMatchKeys, []string{
					"DROP INDEX movies_by_match_hash",
					"ALTER TABLE movies DROP COLUMN match_hash",
					"CREATE INDEX movies_by_match_key ON movies (match_key)",
				})
		}})
	// MySQL commits each ALTER on its own, so these run outside a
	// transaction. Each ALTER is atomic and filling is idempotent; the
	// column that the first ALTER adds may be there from a run that failed
	// later, so it is added only when missing.
	mysqlMatchHash = goose.NewGoMigration(7,
		&goose.GoFunc{RunDB: func(ctx context.Context, db *sql.DB) error {
			return execAll(ctx, db, addMySQLColumn(ctx, db, "match_hash", "BIGINT NOT NULL DEFAULT 0"),
				fillMatchHashes, []string{"ALTER TABLE movies DROP INDEX movies_by_match_key, DROP COLUMN match_key, ADD INDEX movies_by_match_hash (match_hash)"})
		}},
		&goose.GoFunc{RunDB: func(ctx context.Context, db *sql.DB) error {
			return execAll(ctx, db, addMySQLColumn(ctx, db, "match_key", "VARCHAR(610) COLLATE utf8mb4_bin NOT NULL DEFAULT ''"),
				fillMatchKeys, []string{"ALTER TABLE movies DROP INDEX movies_by_match_hash, DROP COLUMN match_hash, ADD INDEX movies_by_match_key (match_key)"})
		}})
)

// addMySQLColumn is the ALTER that adds column to movies, or none when
// the column is there (or cannot be looked up: the ALTER then says why).
func addMySQLColumn(ctx context.Context, db *sql.DB, column, definition string) []string {
	var n int
	err := db.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.columns
WHERE table_schema = DATABASE() AND table_name = 'movies' AND column_name = ?`, column).Scan(&n)
	if err == nil && n > 0 {
		return nil
	}
	return []string{"ALTER TABLE movies ADD COLUMN " + column + " " + definition}
}

// execer is a *sql.Tx or a *sql.DB.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func execAll(ctx context.Context, db execer, before []string, fill func(context.Context, execer) error, after []string) error {
	for _, q := range before {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	if err := fill(ctx, db); err != nil {
		return err
	}
	for _, q := range after {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

func fillMatchHashes(ctx context.Context, db execer) error {
	return fillMovies(ctx, db, "match_hash", func(name, director string) any { return matchHash(name, director) })
}

func fillMatchKeys(ctx context.Context, db execer) error {
	return fillMovies(ctx, db, "match_key", func(name, director string) any { return matchKey(name, director) })
}

// fillMovies sets column of every movie to value(name, director), a
// thousand movies a statement.
func fillMovies(ctx context.Context, db execer, column string, value func(name, director string) any) error {
	for after := int64(0); ; {
		rows, err := db.QueryContext(ctx, "SELECT id, name, director FROM movies WHERE id > ? ORDER BY id LIMIT ?", after, batchRows)
		if err != nil {
			return err
		}
		var cases strings.Builder
		var args, ids []any
		for rows.Next() {
			var id int64
			var name, director string
			if err := rows.Scan(&id, &name, &director); err != nil {
				rows.Close()
				return err
			}
			cases.WriteString(" WHEN ? THEN ?")
			args = append(args, id, value(name, director))
			ids = append(ids, id)
			after = id
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		query := fmt.Sprintf("UPDATE movies SET %s = CASE id%s END WHERE id IN (?%s)", column, cases.String(), strings.Repeat(", ?", len(ids)-1))
		if _, err := db.ExecContext(ctx, query, append(args, ids...)...); err != nil {
			return fmt.Errorf("%s: %w", column, err)
		}
	}
}
