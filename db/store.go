// Package db holds every SQL statement fimdb runs. Handlers call methods on
// Store; nothing outside this package builds SQL. A Store runs on SQLite
// (a file path) or MySQL (a mysql:// URL); what differs between the two is
// in dialect_sqlite.go and dialect_mysql.go.
package db

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pressly/goose/v3"
	"golang.org/x/sync/singleflight"
)

//go:embed migrations/sqlite/*.sql migrations/mysql/*.sql
var migrations embed.FS

// ErrNotFound is returned when a row asked for by id does not exist.
var ErrNotFound = errors.New("not found")

// Store is fimdb's database.
type Store struct {
	dialect *dialect
	path    string // the --db value, without a password
	write   *sql.DB
	read    *sql.DB
	// readStmts caches prepared read statements by their SQL: parsing
	// dominated the cost of a small listing before it.
	readStmts sync.Map // string -> *sql.Stmt
	cache     *readCache
	cacheDB   *sql.DB
	// listingCalls merges concurrent identical listing queries.
	listingCalls singleflight.Group
	// uncachedReads makes every listing and suggestion run its SQL (see
	// MeasureUncachedReads).
	uncachedReads atomic.Bool
}

// MeasureUncachedReads, on, makes every listing and suggestion run its SQL,
// and every listing belong to no catalog version, so that nothing derived
// from it (the handlers' rendered results) is kept either: what a new
// search costs through the whole app, for benchmarks. Production never
// calls it.
func (s *Store) MeasureUncachedReads(on bool) { s.uncachedReads.Store(on) }

// Open opens the database that dsn names and migrates its schema to the
// newest version: a mysql://USER:PASSWORD@HOST:PORT/DBNAME URL, or else the
// path of a SQLite file (created if needed).
func Open(ctx context.Context, dsn string) (*Store, error) {
	switch {
	case IsMySQL(dsn):
		return openMySQL(ctx, dsn)
	case isURL(dsn):
		return nil, fmt.Errorf("%s: fimdb knows two kinds of database, a SQLite file path and mysql://USER:PASSWORD@HOST:3306/DBNAME", Redact(dsn))
	}
	return openSQLite(ctx, dsn)
}

// newStore finishes opening: versions is the pool the listing cache reads
// the catalog version from.
func newStore(ctx context.Context, d *dialect, path string, write, read, versions *sql.DB) (*Store, error) {
	s := &Store{dialect: d, path: path, write: write, read: read, cacheDB: versions}
	var err error
	if s.cache, err = newReadCache(ctx, versions); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.prepareReads(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// DB is the writer handle, for packages that need the raw connection (the
// session storage shares it so that all writes queue in one place).
func (s *Store) DB() *sql.DB { return s.write }

// Backend is "sqlite" or "mysql".
func (s *Store) Backend() string { return s.dialect.name }

// Close closes the connection pools.
func (s *Store) Close() error {
	s.readStmts.Range(func(_, st any) bool {
		st.(*sql.Stmt).Close()
		return true
	})
	var errs []error
	if s.cache != nil {
		errs = append(errs, s.cache.close())
	}
	closed := map[*sql.DB]bool{}
	for _, pool := range []*sql.DB{s.cacheDB, s.read, s.write} {
		if pool != nil && !closed[pool] {
			closed[pool] = true
			errs = append(errs, pool.Close())
		}
	}
	return errors.Join(errs...)
}

// readStmt returns the statement for query bound to tx. Statements are
// prepared on the pool when the store opens; preparing one here would need
// a second connection while tx holds one, and under load every connection
// can be held by a transaction waiting for another: a deadlock. So a query
// that was not prepared up front is prepared on tx's own connection.
func (s *Store) readStmt(ctx context.Context, tx *sql.Tx, query string) (*sql.Stmt, error) {
	if st, ok := s.readStmts.Load(query); ok {
		return tx.StmtContext(ctx, st.(*sql.Stmt)), nil
	}
	return tx.PrepareContext(ctx, query)
}

// pooledStmt returns query prepared on the read pool, preparing it the first
// time. Only for queries run outside a transaction (see readStmt).
func (s *Store) pooledStmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := s.readStmts.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := s.read.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	if prev, loaded := s.readStmts.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// prepareReads prepares every read statement the store can run, so that
// readStmt always finds them.
func (s *Store) prepareReads(ctx context.Context) error {
	for _, query := range s.readQueries() {
		st, err := s.read.PrepareContext(ctx, query)
		if err != nil {
			return fmt.Errorf("prepare %q: %w", query, err)
		}
		s.readStmts.Store(query, st)
	}
	return nil
}

// Ping checks that the database answers a query.
func (s *Store) Ping(ctx context.Context) error {
	return s.read.PingContext(ctx)
}

// migrate applies the backend's migrations that the database lacks.
func migrate(ctx context.Context, db *sql.DB, d *dialect) error {
	p, err := migrationProvider(db, d)
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// migrationProvider runs the backend's embedded SQL migrations and its Go
// ones.
func migrationProvider(db *sql.DB, d *dialect) (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations/"+d.migrations)
	if err != nil {
		return nil, err
	}
	p, err := goose.NewProvider(d.goose, db, sub, goose.WithGoMigrations(d.goMigrations...))
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return p, nil
}

// SchemaVersion is the newest migration applied to the database.
func (s *Store) SchemaVersion(ctx context.Context) (int64, error) {
	p, err := migrationProvider(s.write, s.dialect)
	if err != nil {
		return 0, err
	}
	return p.GetDBVersion(ctx)
}

// Path is the database as --db named it, without a password.
func (s *Store) Path() string { return s.path }

// now is the time written into created_at, updated_at and the audit log:
// ISO 8601 in UTC with milliseconds, as text on both backends.
func now() string { return time.Now().UTC().Format(timeLayout) }

// timeLayout is how fimdb stores times: UTC, sorting as text.
const timeLayout = "2006-01-02T15:04:05.000Z"

// inWriteTx runs fn in a write transaction, committing when fn succeeds. A
// transaction MySQL rolled back for a deadlock runs again, a few times.
func (s *Store) inWriteTx(ctx context.Context, fn func(*sql.Tx) error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		if err = s.tryWriteTx(ctx, fn); err == nil || !s.dialect.isRetryable(err) {
			return err
		}
		time.Sleep(time.Duration(attempt+1) * 10 * time.Millisecond)
	}
	return err
}

func (s *Store) tryWriteTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// inCatalogTx runs fn in a write transaction that changes the catalog. It
// first moves the catalog version on, which also queues catalog writers
// behind one another on that row's lock, on MySQL as on SQLite (where the
// writer holds the whole file): every read fn makes sees the catalog as the
// previous writer left it, so a version check cannot race another server.
func (s *Store) inCatalogTx(ctx context.Context, fn func(*sql.Tx) error) error {
	err := s.inWriteTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, bumpCatalogVersionSQL); err != nil {
			return fmt.Errorf("catalog version: %w", err)
		}
		return fn(tx)
	})
	// Even a failed commit may have reached the database (a connection
	// lost during COMMIT): the next read checks the version either way.
	s.cache.wrote()
	return err
}

const bumpCatalogVersionSQL = "UPDATE app_meta SET value = value + 1 WHERE `key` = 'catalog_version'"

// CatalogSize is the number of movies in the catalog, as the catalog keeps
// it (no count of the movies table, which takes a while at a million).
func (s *Store) CatalogSize(ctx context.Context) (int64, error) {
	var n int64
	err := s.read.QueryRowContext(ctx, catalogSizeSQL).Scan(&n)
	return n, err
}

// Pools are the store's connection pools by name, for their statistics:
// SQLite's writer, readers and catalog-version connection, or MySQL's one
// pool, "shared".
func (s *Store) Pools() map[string]*sql.DB {
	if s.read == s.write {
		return map[string]*sql.DB{"shared": s.write}
	}
	return map[string]*sql.DB{"write": s.write, "read": s.read, "version": s.cacheDB}
}
