package db_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

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
	ctx := context.Background()
	for _, n := range benchSizes() {
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
		for _, q := range []db.ListQuery{
			{},
			{Filter: db.Filter{Name: "star"}},
			{Filter: db.Filter{Name: "s"}},
			{Filter: db.Filter{Name: "the dark"}},
			{Filter: db.Filter{Director: "steven"}},
			{Filter: db.Filter{Genre: "Drama"}},
			{Filter: db.Filter{Name: "the", Genre: "Drama"}},
			{Filter: db.Filter{Name: "the"}, Sort: db.SortName},
			{Page: 20},
		} {
			q.PerPage = 50
			b.Run(fmt.Sprintf("movies=%d/%+v/sort=%s/p=%d", n, q.Filter, q.Sort, q.Page), func(b *testing.B) {
				for b.Loop() {
					if _, err := store.ListMoviesUncached(q); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		store.Close()
	}
}
