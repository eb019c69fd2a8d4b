package handlers

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fimdb/db"
	"fimdb/i18n"

	"github.com/gofiber/fiber/v2"
)

func TestMain(m *testing.M) {
	if err := i18n.Load(); err != nil {
		panic(err)
	}
	os.Exit(m.Run())
}

// newTestApp is the real app over a fresh SQLite file with the bundled
// catalog loaded, as on a first start.
func newTestApp(t testing.TB) (*fiber.App, *db.Store) {
	t.Helper()
	ctx := context.Background()
	store, err := db.Open(ctx, filepath.Join(t.TempDir(), "fimdb.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if _, err := store.SeedBundledCatalog(ctx); err != nil {
		t.Fatal(err)
	}
	return New(Deps{Store: store}), store
}

// scenario is one request and what its answer must (and must not) hold.
type scenario struct {
	name       string
	method     string
	url        string
	headers    map[string]string
	wantStatus int
	wantType   string // prefix of Content-Type
	want       []string
	notWant    []string
	wantHeader map[string]string
}

func (sc scenario) run(t *testing.T, app *fiber.App) *http.Response {
	t.Helper()
	method := sc.method
	if method == "" {
		method = http.MethodGet
	}
	req := httptest.NewRequest(method, sc.url, nil)
	for k, v := range sc.headers {
		req.Header.Set(k, v)
	}
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != sc.wantStatus {
		t.Errorf("status = %d, want %d; body:\n%.600s", resp.StatusCode, sc.wantStatus, body)
	}
	if ct := resp.Header.Get("Content-Type"); sc.wantType != "" && !strings.HasPrefix(ct, sc.wantType) {
		t.Errorf("Content-Type = %q, want %q", ct, sc.wantType)
	}
	for _, w := range sc.want {
		if !strings.Contains(string(body), w) {
			t.Errorf("body lacks %q; body:\n%.600s", w, body)
		}
	}
	for _, w := range sc.notWant {
		if strings.Contains(string(body), w) {
			t.Errorf("body has %q", w)
		}
	}
	for k, v := range sc.wantHeader {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
	resp.Body = io.NopCloser(strings.NewReader(string(body)))
	return resp
}

func getJSON(t *testing.T, app *fiber.App, url string, into any) int {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Accept", "application/json")
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
		t.Fatalf("decode %s: %v", url, err)
	}
	return resp.StatusCode
}
