package db

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"fimdb/db/dbtest"
)

// TestListingCacheSeesEveryWrite checks that no catalog write, by this store
// or by another process's connection to the same file, leaves a stale
// listing, and that writes elsewhere do not count as catalog changes.
func TestListingCacheSeesEveryWrite(t *testing.T) {
	ctx := context.Background()
	path := dbtest.DSN(t, "cache")
	server := openAt(t, path)
	if _, err := server.SeedBundledCatalog(ctx); err != nil {
		t.Fatal(err)
	}
	q := ListQuery{Filter: Filter{Name: "zebra"}, PerPage: 10}
	total := func() int {
		t.Helper()
		l, err := server.ListMovies(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		return l.Total
	}
	catalogVersion := func() int64 {
		t.Helper()
		var v int64
		if err := server.read.QueryRow("SELECT value FROM app_meta WHERE `key` = 'catalog_version'").Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	genresBefore, err := server.Genres(ctx)
	if err != nil || len(genresBefore) == 0 {
		t.Fatalf("genres before any write: %v %v", genresBefore, err)
	}
	if n := total(); n != 0 {
		t.Fatalf("zebra before any write: %d", n)
	}

	// A write through the same store.
	if _, err := server.ImportMovies(ctx, []NewMovie{{Name: "Zebra One", Director: "A", Genres: []string{"Zoology"}, IMDBScore: 5, Popularity: 5}}, nil); err != nil {
		t.Fatal(err)
	}
	if n := total(); n != 1 {
		t.Errorf("after a write by the same store: total %d, want 1", n)
	}
	if g, err := server.Genres(ctx); err != nil || !slices.Contains(g, "Zoology") || len(g) != len(genresBefore)+1 {
		t.Errorf("genres after the write: %v %v", g, err)
	}

	// A write by another process (here: another store on the same file).
	other, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.ImportMovies(ctx, []NewMovie{{Name: "Zebra Two", Director: "B", IMDBScore: 5, Popularity: 5}}, nil); err != nil {
		t.Fatal(err)
	}
	if n := total(); n != 2 {
		t.Errorf("after a write by another connection: total %d, want 2", n)
	}

	// Deleting a movie (as admins will) and writing other tables.
	before := catalogVersion()
	var zebraOne int64
	if err := other.read.QueryRow("SELECT id FROM movies WHERE name = 'Zebra One'").Scan(&zebraOne); err != nil {
		t.Fatal(err)
	}
	if _, err := other.DeleteMovie(ctx, zebraOne, "t"); err != nil {
		t.Fatal(err)
	}
	if n := total(); n != 1 {
		t.Errorf("after a delete: total %d, want 1", n)
	}
	afterDelete := catalogVersion()
	if afterDelete == before {
		t.Fatalf("a delete left catalog_version at %d", before)
	}
	if _, err := server.write.Exec("INSERT INTO app_meta (`key`, value) VALUES ('unrelated', 'x')"); err != nil {
		t.Fatal(err)
	}
	if v := catalogVersion(); v != afterDelete {
		t.Errorf("a write outside the catalog moved catalog_version from %d to %d", afterDelete, v)
	}
}

func TestListingCacheKeysOnTheWholeQuery(t *testing.T) {
	s := seededStore(t)
	ctx := context.Background()
	for _, q := range []ListQuery{
		{Filter: Filter{Name: "star"}, PerPage: 2, Page: 1},
		{Filter: Filter{Name: "star"}, PerPage: 2, Page: 2},
		{Filter: Filter{Name: "star"}, PerPage: 3, Page: 1},
		{Filter: Filter{Name: "star"}, PerPage: 2, Page: 1, Sort: SortName},
		{Filter: Filter{Name: "star", Genre: "Sci-Fi"}, PerPage: 2, Page: 1},
	} {
		if _, err := s.ListMovies(ctx, q); err != nil { // the second call is served from the cache
			t.Fatal(err)
		}
		cached, err := s.ListMovies(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		fresh, err := s.listMovies(ctx, q.normalized())
		if err != nil {
			t.Fatal(err)
		}
		if len(fresh.Movies) == 0 {
			t.Fatalf("%+v: no movies, nothing compared", q)
		}
		if !slices.Equal(names(cached), names(fresh)) || cached.Total != fresh.Total || cached.Page != fresh.Page {
			t.Errorf("%+v: cached %v (%d), fresh %v (%d)", q, names(cached), cached.Total, names(fresh), fresh.Total)
		}
	}
}

// TestARequestSeesEveryWriteCommittedBeforeItBegan: a request may be
// answered from a catalog-version check that another request sent after
// it began, and from no older one, so a write committed before a request
// began is always in its answer.
func TestARequestSeesEveryWriteCommittedBeforeItBegan(t *testing.T) {
	ctx := context.Background()
	dsn := dbtest.DSN(t, "fresh")
	server, other := openAt(t, dsn), openAt(t, dsn)
	if _, err := server.SeedBundledCatalog(ctx); err != nil {
		t.Fatal(err)
	}
	q := ListQuery{Filter: Filter{Name: "zebra"}, PerPage: 10}
	total := func(ctx context.Context) int {
		t.Helper()
		l, err := server.ListMovies(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		return l.Total
	}
	add := func(name string) {
		t.Helper()
		m := NewMovie{Name: name, Director: "Someone", IMDBScore: 5, Popularity: 5}
		if _, err := other.CreateMovie(ctx, m, "test"); err != nil {
			t.Fatal(err)
		}
	}

	early := WithRequestStart(ctx, time.Now())
	if got := total(early); got != 0 {
		t.Fatalf("before any write: %d zebras", got)
	}
	add("Zebra One") // by another server, after early's request began
	if got := total(early); got != 0 {
		t.Errorf("the early request checked the version again (%d zebras): its first check answers for it", got)
	}
	if got := total(WithRequestStart(ctx, time.Now())); got != 1 {
		t.Errorf("a request that began after the write: %d zebras, want 1", got)
	}
	add("Zebra Two")
	if got := total(ctx); got != 2 {
		t.Errorf("a read with no request start: %d zebras, want 2", got)
	}
	add("Zebra Three")
	if got := total(early); got != 2 {
		t.Errorf("the early request after a later check: %d zebras, want the 2 that check saw", got)
	}
}

// TestLookingUpTheUserChecksTheCatalogVersion: the user lookup every
// request makes, by token or by session, reads the catalog version too, and
// that read answers for the request as a check of its own would: a page
// from the cache costs one statement.
func TestLookingUpTheUserChecksTheCatalogVersion(t *testing.T) {
	ctx := context.Background()
	dsn := dbtest.DSN(t, "fresh")
	server, other := openAt(t, dsn), openAt(t, dsn)
	if _, err := server.SeedBundledCatalog(ctx); err != nil {
		t.Fatal(err)
	}
	u, err := server.CreateUser(ctx, "viewer@example.com", "a long enough passphrase", RoleUser)
	if err != nil {
		t.Fatal(err)
	}
	token, err := server.CreateToken(ctx, u.Email)
	if err != nil {
		t.Fatal(err)
	}
	lookups := []struct {
		name   string
		lookup func(context.Context) error
	}{
		{"by token", func(ctx context.Context) error { _, err := server.UserByToken(ctx, token); return err }},
		{"by session", func(ctx context.Context) error { _, err := server.UserByID(ctx, u.ID); return err }},
	}
	q := ListQuery{Filter: Filter{Name: "zebra"}, PerPage: 10}
	for i, tc := range lookups {
		t.Run(tc.name, func(t *testing.T) {
			before := i // zebras added by the cases before this one
			if l, err := server.ListMovies(WithRequestStart(ctx, time.Now()), q); err != nil || l.Total != before {
				t.Fatalf("the listing kept in the cache: %d zebras (%v), want %d", l.Total, err, before)
			}
			request := WithRequestStart(ctx, time.Now())
			if err := tc.lookup(request); err != nil {
				t.Fatal(err)
			}
			if _, err := other.CreateMovie(ctx, NewMovie{Name: fmt.Sprintf("Zebra %d", i), Director: "Someone", IMDBScore: 5, Popularity: 5}, "test"); err != nil {
				t.Fatal(err)
			}
			l, err := server.ListMovies(request, q)
			if err != nil {
				t.Fatal(err)
			}
			if l.Total != before {
				t.Errorf("%d zebras, want the %d the lookup's version had: the listing checked the version again", l.Total, before)
			}
			if l, err = server.ListMovies(WithRequestStart(ctx, time.Now()), q); err != nil || l.Total != before+1 {
				t.Errorf("a later request: %d zebras (%v), want %d", l.Total, err, before+1)
			}
		})
	}
}

// TestARequestSeesItsOwnWrite: a version check that another request sent
// after this one began, but before this one's write committed, does not
// answer for it: an admin who deletes a movie gets a table without it.
func TestARequestSeesItsOwnWrite(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	if _, err := s.SeedBundledCatalog(ctx); err != nil {
		t.Fatal(err)
	}
	q := ListQuery{Filter: Filter{Name: "zebra"}, PerPage: 10}
	writer := WithRequestStart(ctx, time.Now())
	if l, err := s.ListMovies(WithRequestStart(ctx, time.Now()), q); err != nil || l.Total != 0 {
		t.Fatalf("another request's listing: %d, %v", l.Total, err)
	}
	if _, err := s.CreateMovie(writer, NewMovie{Name: "Zebra", Director: "Someone", IMDBScore: 5, Popularity: 5}, "test"); err != nil {
		t.Fatal(err)
	}
	if l, err := s.ListMovies(writer, q); err != nil || l.Total != 1 {
		t.Errorf("the writing request's listing after its write: %d zebras (%v), want 1", l.Total, err)
	}
}

// TestSuggestionsAreCachedUntilTheCatalogChanges: the same suggestion asked
// again comes from the cache, a catalog write by another server is seen by
// the next request, and the counters say which answers were cached.
func TestSuggestionsAreCachedUntilTheCatalogChanges(t *testing.T) {
	ctx := context.Background()
	dsn := dbtest.DSN(t, "fresh")
	server, other := openAt(t, dsn), openAt(t, dsn)
	if _, err := server.SeedBundledCatalog(ctx); err != nil {
		t.Fatal(err)
	}
	directors := func() []string {
		t.Helper()
		got, err := server.Suggest(WithRequestStart(ctx, time.Now()), "director", "Zebr")
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, s := range got {
			out = append(out, s.Value)
		}
		return out
	}
	before := server.CacheStats()
	if got := directors(); len(got) != 0 {
		t.Fatalf("directors called Zebr… before any: %v", got)
	}
	if got := directors(); len(got) != 0 {
		t.Fatalf("asked again: %v", got)
	}
	if _, err := other.CreateMovie(ctx, NewMovie{Name: "Stripes", Director: "Zebra Jones", IMDBScore: 5, Popularity: 5}, "test"); err != nil {
		t.Fatal(err)
	}
	if got := directors(); !slices.Equal(got, []string{"Zebra Jones"}) {
		t.Errorf("after another server's add: %v, want [Zebra Jones]", got)
	}
	// The same words with other spaces and punctuation around them are
	// the same question.
	if _, err := server.Suggest(WithRequestStart(ctx, time.Now()), "director", "  Zebr, "); err != nil {
		t.Fatal(err)
	}
	after := server.CacheStats()
	if hits, misses := after.SuggestionHits-before.SuggestionHits, after.SuggestionMisses-before.SuggestionMisses; hits != 2 || misses != 2 {
		t.Errorf("%d hits and %d misses, want 2 and 2", hits, misses)
	}
	q := ListQuery{Filter: Filter{Name: "star"}, PerPage: 10}
	for range 3 {
		if _, err := server.ListMovies(WithRequestStart(ctx, time.Now()), q); err != nil {
			t.Fatal(err)
		}
	}
	listed := server.CacheStats()
	if hits, misses := listed.ListingHits-after.ListingHits, listed.ListingMisses-after.ListingMisses; hits != 2 || misses != 1 {
		t.Errorf("listings: %d hits and %d misses, want 2 and 1", hits, misses)
	}
}
