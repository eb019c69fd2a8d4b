package db_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"fimdb/bench/synth"
	"fimdb/db"
)

// benchSizes are the catalog sizes of BenchmarkSearchUncached; set
// FIMDB_BENCH_SIZES (comma-separated) for others.
func benchSizes() []int {
	spec := os.Getenv("FIMDB_BENCH_SIZES")
	if spec == "" {
		spec = "246,100000"
	}
	var out []int
	for _, f := range strings.Split(spec, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil && n >= 246 {
			out = append(out, n)
		}
	}
	return out
}

// BenchmarkSearchUncached measures the SQL of a listing that is not in the
// cache yet: what each new keystroke of a live search costs.
func BenchmarkSearchUncached(b *testing.B) {
	benchStores(b, func(label string, store *db.Store) {
		for _, q := range []db.ListQuery{
			{},
			{Filter: db.Filter{Name: "star"}},
			{Filter: db.Filter{Name: "s"}},
			{Filter: db.Filter{Name: "s"}, Sort: db.SortPopularity},
			{Filter: db.Filter{Name: "s"}, Sort: db.SortName},
			{Filter: db.Filter{Name: "star"}, Sort: db.SortPopularity},
			{Filter: db.Filter{Name: "the dark"}},
			{Filter: db.Filter{Director: "steven"}},
			{Filter: db.Filter{Genre: "Drama"}},
			{Filter: db.Filter{Name: "the", Genre: "Drama"}},
			{Filter: db.Filter{Name: "the"}, Sort: db.SortName},
			{Page: 20},
		} {
			q.PerPage = 50
			b.Run(fmt.Sprintf("%s/%+v/sort=%s/p=%d", label, q.Filter, q.Sort, q.Page), func(b *testing.B) {
				for b.Loop() {
					if _, err := store.ListMoviesUncached(context.Background(), q); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	})
}

// benchStores calls each with the catalogs to measure. FIMDB_BENCH_DB, when
// set, is the --db of a catalog built before (a SQLite file or a mysql://
// URL, filled by `fimdb import`), measured as it is, so both backends can
// be measured on the same movies; otherwise each is a SQLite catalog of a
// size of benchSizes, built here.
func benchStores(b *testing.B, each func(label string, store *db.Store)) {
	ctx := context.Background()
	if dsn := os.Getenv("FIMDB_BENCH_DB"); dsn != "" {
		store, err := db.Open(ctx, dsn)
		if err != nil {
			b.Fatal(err)
		}
		defer store.Close()
		n, err := store.CountMovies(ctx)
		if err != nil {
			b.Fatal(err)
		}
		each(fmt.Sprintf("%s/movies=%d", store.Backend(), n), store)
		return
	}
	for _, n := range benchSizes() {
		store := newBenchCatalog(b, n)
		each(fmt.Sprintf("%s/movies=%d", store.Backend(), n), store)
		store.Close()
	}
}

// newBenchCatalog is a new SQLite catalog of n movies: the bundled ones and
// synthetic ones. The caller closes it.
func newBenchCatalog(b *testing.B, n int) *db.Store {
	ctx := context.Background()
	store, err := db.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := store.SeedBundledCatalog(ctx); err != nil {
		b.Fatal(err)
	}
	if n > 246 {
		if _, err := store.ImportMovies(ctx, synth.Movies(n-246, 1), nil); err != nil {
			b.Fatal(err)
		}
	}
	return store
}

// timed runs fn b.N times and reports the p50, p99 and slowest run.
func timed(b *testing.B, fn func() error) {
	var latencies []time.Duration
	for b.Loop() {
		start := time.Now()
		if err := fn(); err != nil {
			b.Fatal(err)
		}
		latencies = append(latencies, time.Since(start))
	}
	slices.Sort(latencies)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(latencies[len(latencies)/2]), "p50-ms")
	b.ReportMetric(ms(latencies[len(latencies)*99/100]), "p99-ms")
	b.ReportMetric(ms(latencies[len(latencies)-1]), "max-ms")
}

// BenchmarkTypedSearch measures each keystroke of searches typed letter by
// letter, as live search sends them, without the listing cache.
func BenchmarkTypedSearch(b *testing.B) {
	benchStores(b, func(label string, store *db.Store) {
		for _, typing := range []struct {
			filter func(string) db.Filter
			text   string
		}{
			{func(s string) db.Filter { return db.Filter{Name: s} }, "star wars"},
			{func(s string) db.Filter { return db.Filter{Director: s} }, "steven spielberg"},
		} {
			for _, prefix := range synth.Keystrokes(typing.text) {
				q := db.ListQuery{Filter: typing.filter(prefix), PerPage: 50}
				b.Run(fmt.Sprintf("%s/%+v", label, q.Filter), func(b *testing.B) {
					timed(b, func() error { _, err := store.ListMoviesUncached(context.Background(), q); return err })
				})
			}
		}
	})
}

// BenchmarkTypedSuggest measures autocomplete (never cached) on each
// keystroke of a title and a director typed letter by letter.
func BenchmarkTypedSuggest(b *testing.B) {
	ctx := context.Background()
	benchStores(b, func(label string, store *db.Store) {
		store.MeasureUncachedReads(true) // every keystroke as if new
		defer store.MeasureUncachedReads(false)
		for _, typing := range []struct{ field, text string }{{"name", "dark star"}, {"director", "steven spielberg"}, {"director", "spielberg"}} {
			for _, prefix := range synth.Keystrokes(typing.text) {
				b.Run(fmt.Sprintf("%s/%s=%s", label, typing.field, prefix), func(b *testing.B) {
					timed(b, func() error { _, err := store.Suggest(ctx, typing.field, prefix); return err })
				})
			}
		}
	})
}
