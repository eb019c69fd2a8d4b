// Package db holds every SQL statement fimdb runs. Handlers call methods on
// Store; nothing outside this package builds SQL.
package db

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"runtime"
	"sync"

	"github.com/pressly/goose/v3"
	"golang.org/x/sync/singleflight"
	_ "modernc.org/sqlite" // registers the CGO-free "sqlite" driver
)

//go:embed migrations/*.sql
var migrations embed.FS

// ErrNotFound is returned when a row asked for by id does not exist.
var ErrNotFound = errors.New("not found")

// Store is fimdb's database. SQLite allows one writer at a time, so writes go
// through a single connection (no SQLITE_BUSY between our own writers) while
// reads use a pool that WAL lets run beside the writer.
type Store struct {
	path  string
	write *sql.DB
	read  *sql.DB
	// readStmts caches prepared read statements by their SQL: parsing
	// dominated the cost of a small listing before it.
	readStmts sync.Map // string -> *sql.Stmt
	cache     *readCache
	cacheDB   *sql.DB
	// listingCalls merges concurrent identical listing queries.
	listingCalls singleflight.Group
}

// Open opens (creating if needed) the SQLite database at path and migrates
// its schema to the newest version.
func Open(ctx context.Context, path string) (*Store, error) {
	write, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	if err := migrate(ctx, write); err != nil {
		write.Close()
		return nil, err
	}
	read, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	conns := max(4, 2*runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(conns)
	read.SetMaxIdleConns(conns)
	s := &Store{path: path, write: write, read: read}
	if s.cacheDB, err = sql.Open("sqlite", dsn(path, false)); err != nil {
		s.Close()
		return nil, err
	}
	if s.cache, err = newReadCache(ctx, s.cacheDB); err != nil {
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

// Close closes both connection pools.
func (s *Store) Close() error {
	s.readStmts.Range(func(_, st any) bool {
		st.(*sql.Stmt).Close()
		return true
	})
	var errs []error
	if s.cache != nil {
		errs = append(errs, s.cache.close())
	}
	if s.cacheDB != nil {
		errs = append(errs, s.cacheDB.Close())
	}
	return errors.Join(append(errs, s.read.Close(), s.write.Close())...)
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
	for _, query := range readQueries() {
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

// dsn puts every pragma in the connection string: a PRAGMA run with Exec would
// only reach one connection of the pool. busy_timeout comes first so that the
// others never fail on a briefly locked file.
func dsn(path string, writer bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
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

func migrate(ctx context.Context, db *sql.DB) error {
	p, err := migrationProvider(db)
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// migrationProvider runs the embedded SQL migrations and the Go ones.
func migrationProvider(db *sql.DB) (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, sub, goose.WithGoMigrations(suggestBackfill))
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return p, nil
}

// Path is the database file's path.
func (s *Store) Path() string { return s.path }
