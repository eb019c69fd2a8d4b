package handlers

import (
	"bytes"
	"context"
	"io"
	"sync"

	"fimdb/db"
	l10n "fimdb/i18n"
	"fimdb/views"

	"github.com/a-h/templ"
)

// maxCachedResultBytes bounds the rendered results kept; when full the
// cache starts over, as the listing cache does.
const maxCachedResultBytes = 32 << 20

// resultsKey is everything a rendered results section depends on: where it
// is shown (the catalog or the admin table), the query and the language,
// and which part of the page it is (the results, or the catalog's main
// content around them). It does not depend on who is looking.
type resultsKey struct {
	base   string
	part   string
	query  db.ListQuery
	locale string
}

// resultsCache keeps rendered results sections for the catalog version
// they were rendered from; a listing from a newer version empties it.
type resultsCache struct {
	mu      sync.Mutex
	version int64
	bytes   int
	entries map[resultsKey][]byte
}

func newResultsCache() *resultsCache {
	return &resultsCache{entries: map[resultsKey][]byte{}}
}

// render returns the part of v that fragment renders, from the cache when
// this part of this query was rendered for the same catalog version.
func (rc *resultsCache) render(ctx context.Context, base, part string, v views.ListingView, fragment func(views.ListingView) templ.Component) ([]byte, error) {
	key := resultsKey{base, part, v.Query, l10n.Code(ctx)}
	version := v.Listing.Version
	if b, ok := rc.get(key, version); ok {
		return b, nil
	}
	var buf bytes.Buffer
	if err := fragment(v).Render(ctx, &buf); err != nil {
		return nil, err
	}
	rc.put(key, version, buf.Bytes())
	return buf.Bytes(), nil
}

func (rc *resultsCache) get(key resultsKey, version int64) ([]byte, bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if version != rc.version {
		return nil, false
	}
	b, ok := rc.entries[key]
	return b, ok
}

func (rc *resultsCache) put(key resultsKey, version int64, b []byte) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	switch {
	case version < rc.version:
		return // rendered from an older catalog than the cache holds
	case version > rc.version || rc.bytes+len(b) > maxCachedResultBytes:
		clear(rc.entries)
		rc.version, rc.bytes = version, 0
	}
	rc.entries[key] = b
	rc.bytes += len(b)
}

// renderedHTML is a results section rendered earlier by templ (so already
// escaped), written as it is.
func renderedHTML(b []byte) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}
