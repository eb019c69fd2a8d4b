package db

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// maxCachedListings and maxCachedSuggestions bound the caches; when full
// one starts over, which is cheap and keeps the hot entries coming back
// within a request.
const (
	maxCachedListings    = 4096
	maxCachedSuggestions = 8192
)

// readCache keeps listing results and suggestions until the catalog changes. Every write
// to movies and their genres moves app_meta's catalog_version on (see
// inCatalogTx), so writes by other processes or servers, such as `fimdb
// import` beside a running server, invalidate it as surely as the server's
// own, while session writes do not.
type readCache struct {
	versionStmt *sql.Stmt // the check, prepared once: parsing it cost more than running it

	mu        sync.Mutex
	version   int64
	checkedAt time.Time // when the check that read version was sent
	wroteAt   time.Time // when this store last committed a catalog write
	listings  map[ListQuery]Listing
	suggested map[suggestKey][]Suggestion
	genres    []string

	stats cacheCounters
}

// suggestKey is what suggestions depend on: the field and the query's
// words (see searchWords).
type suggestKey struct{ field, words string }

// cacheCounters count answers from the caches and answers computed, for
// the operators' metrics.
type cacheCounters struct {
	listingHits, listingMisses, suggestHits, suggestMisses atomic.Uint64
}

// CacheStats are the read caches' counts since the store opened.
type CacheStats struct {
	ListingHits, ListingMisses, SuggestionHits, SuggestionMisses uint64
}

// CacheStats counts the listings and suggestions answered from the cache
// and those computed.
func (s *Store) CacheStats() CacheStats {
	st := &s.cache.stats
	return CacheStats{
		ListingHits: st.listingHits.Load(), ListingMisses: st.listingMisses.Load(),
		SuggestionHits: st.suggestHits.Load(), SuggestionMisses: st.suggestMisses.Load(),
	}
}

// catalogVersion reads the catalog version as an expression, so that the
// statement every request makes anyway (its user, by token or session) can
// read it too and spare the request a second round trip.
const catalogVersion = "(SELECT value FROM app_meta WHERE `key` = 'catalog_version')"

type requestStartKey struct{}

// WithRequestStart tells the store when the request that ctx serves began.
// A request must see every write committed before it began, and no more
// is promised: so a catalog-version check sent after that moment, by this
// request or a concurrent one, answers for it too. Without it every read
// checks the version itself.
func WithRequestStart(ctx context.Context, start time.Time) context.Context {
	return context.WithValue(ctx, requestStartKey{}, start)
}

func newReadCache(ctx context.Context, db *sql.DB) (*readCache, error) {
	st, err := db.PrepareContext(ctx, "SELECT "+catalogVersion)
	if err != nil {
		return nil, fmt.Errorf("cache statement: %w", err)
	}
	return &readCache{versionStmt: st, version: -1, listings: map[ListQuery]Listing{}, suggested: map[suggestKey][]Suggestion{}}, nil
}

// sync brings the cache up to the catalog's version, dropping everything
// when it changed, unless a check sent since ctx's request began, and since
// this store's last catalog write, has done so already: a request that
// writes must see its own write. The check runs without c.mu: under load, requests would
// otherwise queue behind one another's database round trip.
func (c *readCache) sync(ctx context.Context) error {
	start, known := ctx.Value(requestStartKey{}).(time.Time)
	c.mu.Lock()
	fresh := known && !c.checkedAt.IsZero() && !c.checkedAt.Before(start) && !c.checkedAt.Before(c.wroteAt)
	c.mu.Unlock()
	if fresh {
		return nil
	}
	sent := time.Now()
	var v int64
	if err := c.versionStmt.QueryRowContext(ctx).Scan(&v); err != nil {
		return fmt.Errorf("catalog version: %w", err)
	}
	c.observe(sent, v)
	return nil
}

// observe records version v, read by a statement sent at sent: by sync's
// own check, or by a statement that reads it along with something every
// request needs (see catalogVersionColumn). An answer to an older check
// that arrives late changes nothing.
func (c *readCache) observe(sent time.Time, v int64) {
	if c == nil { // a store opened only to write, as tests of old schemas do
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if sent.After(c.checkedAt) {
		c.checkedAt = sent
		if v != c.version {
			c.version = v
			clear(c.listings)
			clear(c.suggested)
			c.genres = nil
		}
	}
}

// listing returns a cached result for q and the version it must be stored
// under if it has to be computed.
func (c *readCache) listing(ctx context.Context, q ListQuery) (Listing, int64, bool, error) {
	if err := c.sync(ctx); err != nil {
		return Listing{}, 0, false, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	l, ok := c.listings[q]
	countHit(ok, &c.stats.listingHits, &c.stats.listingMisses)
	return l, c.version, ok, nil
}

func countHit(hit bool, hits, misses *atomic.Uint64) {
	if hit {
		hits.Add(1)
	} else {
		misses.Add(1)
	}
}

// suggestions returns the cached suggestions for k and the version they
// must be stored under if they have to be computed.
func (c *readCache) suggestions(ctx context.Context, k suggestKey) ([]Suggestion, int64, bool, error) {
	if err := c.sync(ctx); err != nil {
		return nil, 0, false, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	out, ok := c.suggested[k]
	countHit(ok, &c.stats.suggestHits, &c.stats.suggestMisses)
	return out, c.version, ok, nil
}

// storeSuggestions keeps out unless the database changed while it was
// computed.
func (c *readCache) storeSuggestions(k suggestKey, version int64, out []Suggestion) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if version == c.version {
		keep(c.suggested, maxCachedSuggestions, k, out)
	}
}

// storeListing keeps l unless the database changed while it was computed.
func (c *readCache) storeListing(q ListQuery, version int64, l Listing) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if version == c.version {
		keep(c.listings, maxCachedListings, q, l)
	}
}

// keep puts v in m under k, emptying m first when it holds max entries.
func keep[K comparable, V any](m map[K]V, max int, k K, v V) {
	if len(m) >= max {
		clear(m)
	}
	m[k] = v
}

func (c *readCache) cachedGenres(ctx context.Context) ([]string, int64, error) {
	if err := c.sync(ctx); err != nil {
		return nil, 0, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.genres, c.version, nil
}

func (c *readCache) storeGenres(version int64, genres []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if version == c.version {
		c.genres = genres
	}
}

// wrote records that a catalog write by this store has committed: only a
// check sent after now sees it.
func (c *readCache) wrote() {
	if c == nil { // a store opened only to write, as tests of old schemas do
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.wroteAt = time.Now()
}

func (c *readCache) close() error {
	return c.versionStmt.Close()
}
