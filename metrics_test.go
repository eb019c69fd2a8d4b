package main

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"fimdb/db"
)

// scrape reads a Prometheus text exposition into series → value, a series
// written as the exposition writes it: name{label="value",...}.
func scrape(t *testing.T, u string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %d\n%s", u, resp.StatusCode, body)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("a line that is not a sample: %q", line)
		}
		out[line[:i]] = v
	}
	return out
}

// serveForTest runs serve on a fresh database until the test ends and
// returns a viewer's token. It waits until the app answers.
func serveForTest(t *testing.T, cfg serveConfig) string {
	t.Helper()
	db.PasswordCost = 4
	t.Setenv("FIMDB_ADMIN_PASSWORD", "a long enough admin passphrase")
	if _, errOut, err := runCLI(t, "user", "add", "--db", cfg.dbPath, "--password", "a long enough passphrase", "viewer@example.com"); err != nil {
		t.Fatalf("user add: %v\n%s", err, errOut)
	}
	out, errOut, err := runCLI(t, "token", "create", "--db", cfg.dbPath, "viewer@example.com")
	if err != nil {
		t.Fatalf("token create: %v\n%s", err, errOut)
	}
	token := strings.TrimSpace(out[strings.LastIndexByte(strings.TrimSpace(out), '\n')+1:])
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	for range 300 {
		if resp, err := http.Get("http://" + cfg.addr + "/healthz"); err == nil {
			resp.Body.Close()
			return token
		}
		time.Sleep(50 * time.Millisecond) // waiting for the listener, not timing anything
	}
	t.Fatal("serve never answered")
	return ""
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// failSignIns signs in with a wrong password until fimdb throttles the
// address, and returns how many tries were refused as wrong.
func failSignIns(t *testing.T, base string) int {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for tries := 0; tries < 20; tries++ {
		resp, err := client.Get(base + "/login")
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		m := csrfInput.FindSubmatch(page)
		if m == nil {
			t.Fatalf("no CSRF token on the sign-in page")
		}
		form := url.Values{"_csrf": {string(m[1])}, "email": {"viewer@example.com"}, "password": {"not the passphrase"}}
		resp, err = client.PostForm(base+"/login", form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests {
			return tries
		}
	}
	t.Fatal("20 wrong passwords and no 429")
	return 0
}

// TestMetricsMoveWithRequests: with --metrics-addr, /metrics on that
// address counts requests by route pattern, the caches' hits and misses,
// refused and throttled sign-ins, the catalog and the pools; the app's own
// address does not serve them.
func TestMetricsMoveWithRequests(t *testing.T) {
	clearEnv(t, fimdbEnv...)
	cfg := serveConfig{addr: freeAddr(t), metricsAddr: freeAddr(t), dbPath: filepath.Join(t.TempDir(), "fimdb.db")}
	token := serveForTest(t, cfg)
	base, metricsURL := "http://"+cfg.addr, "http://"+cfg.metricsAddr+"/metrics"
	get := func(path string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
	}

	before := scrape(t, metricsURL)
	for range 3 {
		get("/listing?name=Star")
	}
	for range 2 {
		get("/suggest?field=director&q=spiel")
	}
	get("/movies/1")
	refused := failSignIns(t, base)
	after := scrape(t, metricsURL)

	moved := func(series string) float64 { return after[series] - before[series] }
	for _, tc := range []struct {
		series string
		min    float64 // at least this much more than before
		max    float64 // and at most this much (0: no bound)
	}{
		{`fimdb_http_requests_total{method="GET",route="/listing",status="200"}`, 3, 3},
		{`fimdb_http_request_duration_seconds_count{method="GET",route="/listing"}`, 3, 3},
		{`fimdb_http_requests_total{method="GET",route="/suggest",status="200"}`, 2, 2},
		{`fimdb_http_requests_total{method="GET",route="/movies/:id",status="200"}`, 1, 1},
		{`fimdb_http_requests_total{method="POST",route="/login",status="429"}`, 1, 1},
		{`fimdb_cache_requests_total{cache="listing",result="hit"}`, 2, 0},
		{`fimdb_cache_requests_total{cache="suggestion",result="miss"}`, 1, 1},
		{`fimdb_cache_requests_total{cache="suggestion",result="hit"}`, 1, 1},
		{`fimdb_sign_in_failures_total`, float64(refused), float64(refused)},
		{`fimdb_sign_in_throttled_total`, 1, 1},
	} {
		if d := moved(tc.series); d < tc.min || (tc.max > 0 && d > tc.max) {
			t.Errorf("%s moved by %v, want %v to %v", tc.series, d, tc.min, tc.max)
		}
	}
	if refused < 1 {
		t.Errorf("throttled before any wrong password was refused")
	}
	if n := after["fimdb_catalog_movies"]; n != 246 {
		t.Errorf("fimdb_catalog_movies = %v, want the 246 bundled", n)
	}
	for _, want := range []string{`fimdb_build_info{backend="sqlite",goversion=`, `go_sql_open_connections{db_name="read"}`, `go_sql_open_connections{db_name="write"}`, `process_resident_memory_bytes`} {
		found := false
		for series := range after {
			found = found || strings.HasPrefix(series, want)
		}
		if !found {
			t.Errorf("no series %s…", want)
		}
	}
	for series := range after {
		if strings.Contains(series, "Star") || strings.Contains(series, "spiel") || strings.Contains(series, "/movies/1") {
			t.Errorf("a series names a URL, not a route: %s", series)
		}
	}

	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode == 200 || strings.Contains(string(body), "fimdb_http_requests_total") {
		t.Errorf("the app's own address serves the metrics: %d", resp.StatusCode)
	}
}

// TestMetricsAddressThatCannotBeListenedOn: serve says so and stops.
func TestMetricsAddressThatCannotBeListenedOn(t *testing.T) {
	clearEnv(t, fimdbEnv...)
	db.PasswordCost = 4
	t.Setenv("FIMDB_ADMIN_PASSWORD", "a long enough admin passphrase")
	cfg := serveConfig{addr: freeAddr(t), metricsAddr: "127.0.0.1:99999", dbPath: filepath.Join(t.TempDir(), "fimdb.db")}
	err := serve(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--metrics-addr") {
		t.Errorf("serve with an impossible --metrics-addr: %v", err)
	}
}
