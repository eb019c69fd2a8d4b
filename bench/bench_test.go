// Package bench measures fimdb's listing and search at catalog sizes from
// the bundled 246 movies up to synthetic catalogs of 100,000 (and, with
// FIMDB_BENCH_SIZES, any other size). Run it with `make bench`.
package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"fimdb/bench/synth"
	"fimdb/db"
	"fimdb/handlers"
	"fimdb/i18n"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// catalog is a database of a given size and the app serving it.
type catalog struct {
	size  int
	store *db.Store
	app   *fiber.App
	auth  string // Authorization header of a signed-in viewer
}

var (
	catalogs []*catalog
	tmpDir   string
)

func TestMain(m *testing.M) {
	code := func() int {
		if err := i18n.Load(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		var err error
		if tmpDir, err = os.MkdirTemp("", "fimdb-bench-"); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(tmpDir)
		if dsn := os.Getenv("FIMDB_BENCH_DB"); dsn != "" && benchmarking() {
			c, err := openCatalog(dsn)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			defer c.store.Close()
			catalogs = append(catalogs, c)
		} else if benchmarking() {
			for _, n := range sizes() {
				c, err := buildCatalog(n)
				if err != nil {
					fmt.Fprintln(os.Stderr, err)
					return 1
				}
				defer c.store.Close()
				catalogs = append(catalogs, c)
			}
		}
		return m.Run()
	}()
	os.Exit(code)
}

func benchmarking() bool {
	for _, a := range os.Args {
		if strings.HasPrefix(a, "-test.bench") {
			return true
		}
	}
	return false
}

// sizes are the catalog sizes to measure: the bundled catalog alone, then
// the bundled catalog plus synthetic movies up to each size.
func sizes() []int {
	spec := os.Getenv("FIMDB_BENCH_SIZES")
	if spec == "" {
		spec = "246,100000"
	}
	var out []int
	for _, f := range strings.Split(spec, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err == nil && n >= 246 {
			out = append(out, n)
		}
	}
	return out
}

// buildCatalog makes (or, with FIMDB_BENCH_CACHE=dir, reuses from dir) a
// catalog of n movies. Building a million takes minutes; a cached catalog
// is only valid for the schema and generator it was built with, so empty
// the directory after changing either.
func buildCatalog(n int) (*catalog, error) {
	ctx := context.Background()
	start := time.Now()
	dir, cached := os.LookupEnv("FIMDB_BENCH_CACHE")
	if !cached {
		dir = tmpDir
	}
	path := filepath.Join(dir, fmt.Sprintf("catalog-%d.db", n))
	_, statErr := os.Stat(path + ".complete")
	reuse := cached && statErr == nil
	store, err := db.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	if !reuse {
		if _, err := store.SeedBundledCatalog(ctx); err != nil {
			return nil, err
		}
		if n > 246 {
			if _, err := store.ImportMovies(ctx, synth.Movies(n-246, 1), nil); err != nil {
				return nil, err
			}
		}
		fmt.Fprintf(os.Stderr, "built a catalog of %d movies in %s\n", n, time.Since(start).Round(time.Millisecond))
		if cached {
			if err := os.WriteFile(path+".complete", nil, 0o644); err != nil {
				return nil, err
			}
		}
	} else {
		fmt.Fprintf(os.Stderr, "reusing the catalog of %d movies in %s\n", n, path)
	}
	return serveCatalog(store, n)
}

// openCatalog measures the catalog of FIMDB_BENCH_DB (a --db value: a
// SQLite file or a mysql:// URL, filled by `fimdb import`) as it is.
func openCatalog(dsn string) (*catalog, error) {
	ctx := context.Background()
	store, err := db.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	n, err := store.CountMovies(ctx)
	if err != nil {
		return nil, err
	}
	return serveCatalog(store, n)
}

// serveCatalog signs a viewer in to store's catalog of n movies and serves it.
func serveCatalog(store *db.Store, n int) (*catalog, error) {
	ctx := context.Background()
	email := fmt.Sprintf("bench-%d@example.com", time.Now().UnixNano())
	if _, err := store.CreateUser(ctx, email, "bench passphrase", db.RoleUser); err != nil {
		return nil, err
	}
	token, err := store.CreateToken(ctx, email)
	if err != nil {
		return nil, err
	}
	return &catalog{size: n, store: store, app: handlers.New(handlers.Deps{Store: store}), auth: "Bearer " + token}, nil
}

// requests are the listing requests measured, as live search sends them.
var requests = []struct{ name, url string }{
	{"all", "/listing"},
	{"page-5", "/listing?p=5"},
	{"name=star", "/listing?name=star"},
	{"name=s", "/listing?name=s"},
	{"name=the-dark", "/listing?name=the%20dark"},
	{"director=steven", "/listing?director=steven"},
	{"genre=Drama", "/listing?genre=Drama"},
	{"genre=Drama&name=the", "/listing?genre=Drama&name=the"},
	{"name=the&sort=name", "/listing?name=the&sort=name"},
	{"no-match", "/listing?name=zzzzqx"},
}

// BenchmarkListingFragment measures the htmx results fragment through the
// whole Fiber handler chain (routing, parsing, cache or SQL, rendering),
// without the network. A repeated URL is served from the listing cache after
// its first request, as a popular search is in production; the cost of a new
// search is db's BenchmarkSearchUncached. p50 and p99 are per-request
// latencies under b.RunParallel.
func BenchmarkListingFragment(b *testing.B) {
	for _, c := range catalogs {
		for _, r := range requests {
			b.Run(fmt.Sprintf("movies=%d/%s", c.size, r.name), func(b *testing.B) {
				benchHandler(b, c.app, r.url, map[string]string{"HX-Request": "true", "Authorization": c.auth})
			})
		}
	}
}

// BenchmarkListingJSON measures the JSON API for the same requests.
func BenchmarkListingJSON(b *testing.B) {
	for _, c := range catalogs {
		for _, r := range requests[:4] {
			b.Run(fmt.Sprintf("movies=%d/%s", c.size, r.name), func(b *testing.B) {
				benchHandler(b, c.app, r.url, map[string]string{"Accept": "application/json", "Authorization": c.auth})
			})
		}
	}
}

// BenchmarkListingPage measures the full HTML page (form, genres, results).
func BenchmarkListingPage(b *testing.B) {
	for _, c := range catalogs {
		b.Run(fmt.Sprintf("movies=%d/name=star", c.size), func(b *testing.B) {
			benchHandler(b, c.app, "/listing?name=star", map[string]string{"Authorization": c.auth})
		})
	}
}

func benchHandler(b *testing.B, app *fiber.App, url string, headers map[string]string) {
	handler := app.Handler()
	var mu sync.Mutex
	var latencies []time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var ctx fasthttp.RequestCtx
		local := make([]time.Duration, 0, 1024)
		for pb.Next() {
			// Reset as fasthttp's server does between requests; user values
			// carry Fiber's user context and would otherwise pile up.
			ctx.Request.Reset()
			ctx.Response.Reset()
			ctx.ResetUserValues()
			ctx.Request.SetRequestURI(url)
			for k, v := range headers {
				ctx.Request.Header.Set(k, v)
			}
			start := time.Now()
			handler(&ctx)
			local = append(local, time.Since(start))
			if ctx.Response.StatusCode() != fiber.StatusOK {
				b.Errorf("%s: status %d", url, ctx.Response.StatusCode())
				return
			}
		}
		mu.Lock()
		latencies = append(latencies, local...)
		mu.Unlock()
	})
	b.StopTimer()
	slices.Sort(latencies)
	if len(latencies) > 0 {
		b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, "p99-ms")
	}
}

// BenchmarkTypedFragment measures each keystroke of searches typed letter
// by letter, as live search sends them (the htmx results fragment), through
// the whole app with nothing cached: the listing's SQL, rendering and
// everything around them, one request at a time. p50, p99 and the slowest
// are over every keystroke of both searches; sub-benchmarks report each.
func BenchmarkTypedFragment(b *testing.B) {
	for _, c := range catalogs {
		c.store.MeasureUncachedReads(true)
		handler := c.app.Handler()
		var all []time.Duration
		for _, typing := range []struct{ param, text string }{{"name", "star wars"}, {"director", "steven spielberg"}} {
			for _, prefix := range synth.Keystrokes(typing.text) {
				url := "/listing?" + typing.param + "=" + strings.ReplaceAll(prefix, " ", "+")
				b.Run(fmt.Sprintf("movies=%d/%s=%s", c.size, typing.param, prefix), func(b *testing.B) {
					var ctx fasthttp.RequestCtx
					var took []time.Duration
					for b.Loop() {
						ctx.Request.Reset()
						ctx.Response.Reset()
						ctx.ResetUserValues()
						ctx.Request.SetRequestURI(url)
						ctx.Request.Header.Set("Authorization", c.auth)
						ctx.Request.Header.Set("HX-Request", "true")
						start := time.Now()
						handler(&ctx)
						took = append(took, time.Since(start))
						if ctx.Response.StatusCode() != fiber.StatusOK {
							b.Fatalf("%s: status %d", url, ctx.Response.StatusCode())
						}
					}
					reportLatencies(b, took)
					all = append(all, took...)
				})
			}
		}
		b.Run(fmt.Sprintf("movies=%d/every-keystroke", c.size), func(b *testing.B) {
			for b.Loop() {
			}
			reportLatencies(b, all)
		})
		c.store.MeasureUncachedReads(false)
	}
}

// reportLatencies reports the p50, p99 and slowest of latencies.
func reportLatencies(b *testing.B, latencies []time.Duration) {
	if len(latencies) == 0 {
		return
	}
	sorted := slices.Sorted(slices.Values(latencies))
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(sorted[len(sorted)/2]), "p50-ms")
	b.ReportMetric(ms(sorted[len(sorted)*99/100]), "p99-ms")
	b.ReportMetric(ms(sorted[len(sorted)-1]), "max-ms")
}

// BenchmarkListMoviesCached measures the store on a repeated query, which
// the listing cache answers; db's BenchmarkSearchUncached measures the SQL.
func BenchmarkListMoviesCached(b *testing.B) {
	for _, c := range catalogs {
		for _, f := range []db.Filter{{Name: "star"}, {Genre: "Drama"}, {Name: "the", Genre: "Drama"}} {
			b.Run(fmt.Sprintf("movies=%d/%+v", c.size, f), func(b *testing.B) {
				for b.Loop() {
					if _, err := c.store.ListMovies(context.Background(), db.ListQuery{Filter: f, PerPage: 50}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// TestSyntheticCatalogIsDeterministic guards the generator that every
// benchmark depends on: the same seed must give the same catalog.
func TestSyntheticCatalogIsDeterministic(t *testing.T) {
	a, b := synth.Movies(1000, 7), synth.Movies(1000, 7)
	for i := range a {
		if a[i].Name != b[i].Name || a[i].Director != b[i].Director || a[i].IMDBScore != b[i].IMDBScore ||
			!slices.Equal(a[i].Genres, b[i].Genres) {
			t.Fatalf("movie %d differs between runs: %+v vs %+v", i, a[i], b[i])
		}
	}
	if c := synth.Movies(1000, 8); c[0].Name == a[0].Name && c[1].Name == a[1].Name && c[2].Name == a[2].Name {
		t.Error("another seed gave the same catalog")
	}
	for _, m := range a {
		if err := m.Normalize().Validate(); err != nil {
			t.Fatalf("generated an invalid movie %+v: %v", m, err)
		}
	}
}

// suggestRequests are autocomplete requests as people type them: short
// prefixes are the expensive ones.
var suggestRequests = []struct{ name, url string }{
	{"director=s", "/suggest?field=director&q=s"},
	{"director=spie", "/suggest?field=director&q=spie"},
	{"name=st", "/suggest?field=name&q=st"},
	{"name=dark-sta", "/suggest?field=name&q=dark%20sta"},
	{"genre=dr", "/suggest?field=genre&q=dr"},
	{"name=the-s", "/suggest?field=name&q=the%20s"},
	{"name=th-qz", "/suggest?field=name&q=th%20qz"}, // two common prefixes that never meet
	{"name=100-words", "/suggest?field=name&q=" + strings.Repeat("ab%20cd%20", 50)},
}

// BenchmarkSuggest measures /suggest through the whole handler chain, each
// request computed as if new (the suggestion cache off); p50 and p99 are
// per-request latencies under b.RunParallel.
func BenchmarkSuggest(b *testing.B) {
	for _, c := range catalogs {
		c.store.MeasureUncachedReads(true)
		defer c.store.MeasureUncachedReads(false)
		for _, r := range suggestRequests {
			b.Run(fmt.Sprintf("movies=%d/%s", c.size, r.name), func(b *testing.B) {
				benchHandler(b, c.app, r.url, map[string]string{"Accept": "application/json", "Authorization": c.auth})
			})
		}
	}
}
