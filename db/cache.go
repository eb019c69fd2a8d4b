package db

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// maxCachedListings bounds the listing cache; when full it starts over,
// which is cheap and keeps the hot entries coming back within a request.
const maxCachedListings = 4096

// readCache keeps listing results until the catalog changes. Every write
// to movies and their genres moves app_meta's catalog_version on (see
// inCatalogTx), so writes by other processes or servers, such as `fimdb
// import` beside a running server, invalidate it as surely as the server's
// own, while session writes do not.
type readCache struct {
	versionStmt *sql.Stmt // the check, prepared once: parsing it cost more than running it

	mu       sync.Mutex
	version  int64
	listings map[ListQuery]Listing
	genres   []string
}

func newReadCache(ctx context.Context, db *sql.DB) (*readCache, error) {
	st, err := db.PrepareContext(ctx, "SELECT value FROM app_meta WHERE `key` = 'catalog_version'")
	if err != nil {
		return nil, fmt.Errorf("cache statement: %w", err)
	}
	return &readCache{versionStmt: st, version: -1, listings: map[ListQuery]Listing{}}, nil
}

// sync drops everything when the catalog changed since the last call.
// Callers hold c.mu.
func (c *readCache) sync(ctx context.Context) error {
	var v int64
	if err := c.versionStmt.QueryRowContext(ctx).Scan(&v); err != nil {
		return fmt.Errorf("catalog version: %w", err)
	}
	if v != c.version {
		c.version = v
		clear(c.listings)
		c.genres = nil
	}
	return nil
}

// listing returns a cached result for q and the version it must be stored
// under if it has to be computed.
func (c *readCache) listing(ctx context.Context, q ListQuery) (Listing, int64, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.sync(ctx); err != nil {
		return Listing{}, 0, false, err
	}
	l, ok := c.listings[q]
	return l, c.version, ok, nil
}

// storeListing keeps l unless the database changed while it was computed.
func (c *readCache) storeListing(q ListQuery, version int64, l Listing) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if version != c.version {
		return
	}
	if len(c.listings) >= maxCachedListings {
		clear(c.listings)
	}
	c.listings[q] = l
}

func (c *readCache) cachedGenres(ctx context.Context) ([]string, int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.sync(ctx); err != nil {
		return nil, 0, err
	}
	return c.genres, c.version, nil
}

func (c *readCache) storeGenres(version int64, genres []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if version == c.version {
		c.genres = genres
	}
}

func (c *readCache) close() error {
	return c.versionStmt.Close()
}
