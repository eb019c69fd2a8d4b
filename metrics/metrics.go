// Package metrics counts what an operator of fimdb watches, in Prometheus's
// text format, on a listener of its own (fimdb serve --metrics-addr) so
// that the numbers are never public by accident.
package metrics

import (
	"context"
	"database/sql"
	"log/slog"
	"net/http"
	"runtime"
	"strconv"
	"time"

	"fimdb/db"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Store is what the metrics read from the database when scraped.
type Store interface {
	CacheStats() db.CacheStats
	CatalogSize(ctx context.Context) (int64, error)
	Pools() map[string]*sql.DB
	Backend() string
}

// Metrics holds fimdb's series. Its methods are safe for concurrent use.
type Metrics struct {
	registry        *prometheus.Registry
	requests        *prometheus.CounterVec
	durations       *prometheus.HistogramVec
	signInFailures  prometheus.Counter
	signInThrottled prometheus.Counter
}

// catalogSizeTimeout bounds the one statement a scrape makes.
const catalogSizeTimeout = 2 * time.Second

// New registers every series, reading store's at each scrape; version is
// the binary's.
func New(store Store, version string, log *slog.Logger) *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fimdb_http_requests_total",
			Help: "HTTP requests answered, by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		durations: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "fimdb_http_request_duration_seconds",
			Help: "Time to answer an HTTP request, by route pattern and method.",
			// From a cached page (well under a millisecond) to a broad
			// search on a cold catalog of a million movies.
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "method"}),
		signInFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "fimdb_sign_in_failures_total",
			Help: "Sign-ins refused for a wrong email or password.",
		}),
		signInThrottled: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "fimdb_sign_in_throttled_total",
			Help: "Sign-in tries refused because too many failed before (429).",
		}),
	}
	buildInfo := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "fimdb_build_info",
		Help:        "Always 1; the labels say which fimdb runs, on which backend.",
		ConstLabels: prometheus.Labels{"version": version, "goversion": runtime.Version(), "backend": store.Backend()},
	})
	buildInfo.Set(1)
	m.registry.MustRegister(
		m.requests, m.durations, m.signInFailures, m.signInThrottled, buildInfo,
		storeCollector{store: store, log: log},
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	for name, pool := range store.Pools() {
		m.registry.MustRegister(collectors.NewDBStatsCollector(pool, name))
	}
	return m
}

// Handler serves the metrics for a scraper.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

// ObserveRequest counts an answered request. route is its pattern, never
// its path: every movie id and search would otherwise be a series.
func (m *Metrics) ObserveRequest(route, method string, status int, took time.Duration) {
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.durations.WithLabelValues(route, method).Observe(took.Seconds())
}

// SignInFailed counts a sign-in with a wrong email or password.
func (m *Metrics) SignInFailed() { m.signInFailures.Inc() }

// SignInThrottled counts a sign-in refused for too many failures.
func (m *Metrics) SignInThrottled() { m.signInThrottled.Inc() }

// storeCollector reads the caches' counters and the catalog's size when
// scraped.
type storeCollector struct {
	store Store
	log   *slog.Logger
}

var (
	cacheRequestsDesc = prometheus.NewDesc("fimdb_cache_requests_total",
		"Listings and suggestions asked of the read cache, by cache and result (hit or miss).",
		[]string{"cache", "result"}, nil)
	catalogMoviesDesc = prometheus.NewDesc("fimdb_catalog_movies",
		"Movies in the catalog.", nil, nil)
)

func (c storeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- cacheRequestsDesc
	ch <- catalogMoviesDesc
}

func (c storeCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.store.CacheStats()
	for _, v := range []struct {
		cache, result string
		n             uint64
	}{
		{"listing", "hit", st.ListingHits}, {"listing", "miss", st.ListingMisses},
		{"suggestion", "hit", st.SuggestionHits}, {"suggestion", "miss", st.SuggestionMisses},
	} {
		ch <- prometheus.MustNewConstMetric(cacheRequestsDesc, prometheus.CounterValue, float64(v.n), v.cache, v.result)
	}
	ctx, cancel := context.WithTimeout(context.Background(), catalogSizeTimeout)
	defer cancel()
	n, err := c.store.CatalogSize(ctx)
	if err != nil {
		// The series goes missing, which an alert on absent() sees.
		c.log.Error("metrics: catalog size", "err", err)
		return
	}
	ch <- prometheus.MustNewConstMetric(catalogMoviesDesc, prometheus.GaugeValue, float64(n))
}
