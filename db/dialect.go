package db

import (
	"context"
	"database/sql"

	"github.com/pressly/goose/v3"
)

// dialect is everything that differs between fimdb's two backends: each
// backend fills one in (dialect_sqlite.go, dialect_mysql.go) and the rest of
// the package writes SQL that both accept. Identifiers that MySQL reserves
// (key, rank, before, after) are quoted with backticks, which SQLite accepts.
type dialect struct {
	name  string // "sqlite" or "mysql", as Store.Backend reports it
	goose goose.Dialect
	// migrations is the folder under migrations/ with this backend's schema.
	migrations   string
	goMigrations []*goose.Migration

	// nocase follows a text comparison or ordering that must ignore case
	// (on MySQL the columns' collation already does).
	nocase string
	// emailIs is the condition "users.email is the argument, ignoring case".
	emailIs string
	// nameOrder sorts by title ignoring case, then by id.
	nameOrder string
	// genreList is an expression for movie m's genre names joined by \x1f.
	genreList string
	// forceIndex follows "FROM movies" to make the planner walk index.
	forceIndex func(index string) string

	// Inserts that do nothing (and report no row affected) when the row
	// exists, and upserts, each for its statement's arguments.
	insertSeededMark string // key
	insertGenre      string // name
	upsertKeyValue   string // k, v, e (fiber_storage)
	// suggestValueConflict follows the rows of a multi-row INSERT INTO
	// suggest_values (field, value, movies, popularity): a value that
	// exists, ignoring case, adds the movies and keeps the best popularity.
	suggestValueConflict string

	// indexesWords says Go keeps movie_words, the search index, in step
	// with movies (SQLite's FTS5 triggers keep its own).
	indexesWords bool

	// compileFilter turns the listing's filters into SQL.
	compileFilter func(Filter) filterSQL
	// titleStarts matches the movies whose title starts with the folded
	// words (the last one a prefix): "star wa" finds "Star Wars".
	titleStarts func(words []string) matcher
	// titleCount counts the movies titled as the argument, ignoring case
	// (by movies_by_name).
	titleCount string
	// directorStarts matches the suggest_values ids of the directors
	// whose name starts with the folded words, and directorHas a set of
	// directors that holds all of those having a word that starts with
	// each (on MySQL a larger one: the suggestions' own check narrows it).
	directorStarts, directorHas func(words []string) matcher

	// What `fimdb copy` needs: the isolation that gives a read transaction
	// one snapshot, the query telling whether the table named by its
	// argument exists, the end of an INSERT that skips rows whose key
	// exists (col is any column of the table), whether two --db values
	// name one database, and how to make the movies table hand out ids
	// above maxID once rows up to copiedID have been inserted.
	snapshot         sql.IsolationLevel
	tableExistsSQL   string
	ignoreDuplicates func(col string) string
	sameDatabase     func(a, b string) bool
	reserveMovieIDs  func(ctx context.Context, tx *sql.Tx, maxID, copiedID int64) error

	// isDuplicate reports a unique-constraint violation.
	isDuplicate func(error) bool
	// isRetryable reports an error after which the same write transaction
	// may simply run again (a deadlock on MySQL).
	isRetryable func(error) bool
}

// filterSQL is a listing filter compiled for one backend. Text from the
// visitor goes only into the arguments, never into the SQL.
type filterSQL interface {
	empty() bool
	// matchesSQL selects one row per matching movie, for counting.
	matchesSQL() (string, []any)
	// pageIDsSQL, where the backend's search index yields its matches in
	// the order sort asks for, selects them in that order as k, a key
	// that keeps the order and holds the movie id in its low 32 bits; a
	// LIMIT and an OFFSET follow. ok is false where it cannot.
	pageIDsSQL(sort Sort) (query string, args []any, ok bool)
	// whereSQL is the filter as a WHERE clause over movies. walk says the
	// query reads movies in a sort index's order, testing each one.
	whereSQL(walk bool) (string, []any)
}

// genreIDSQL is the id of the genre named by the argument, ignoring case.
const genreIDSQL = "(SELECT id FROM genres WHERE name = ?)"
