package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"fimdb/db"
	"fimdb/db/dbtest"
	"fimdb/i18n"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/crypto/bcrypt"
)

func TestMain(m *testing.M) {
	if err := i18n.Load(); err != nil {
		panic(err)
	}
	db.PasswordCost = bcrypt.MinCost // hashing stays real, only cheaper
	code := m.Run()
	if code == 0 && ranEveryTest() {
		if missing := contract.unchecked(); len(missing) > 0 {
			fmt.Fprintf(os.Stderr, "FAIL: openapi.json describes answers no test saw; test them or take them out:\n\t%s\n", strings.Join(missing, "\n\t"))
			code = 1
		}
	}
	os.Exit(code)
}

// ranEveryTest tells whether this run ran the whole package, as make test
// does, rather than the tests some -run or -skip picks.
func ranEveryTest() bool {
	for _, name := range []string{"test.run", "test.skip", "test.fuzz", "test.list"} {
		if f := flag.Lookup(name); f != nil && f.Value.String() != "" {
			return false
		}
	}
	return true
}

// Accounts every test app has.
const (
	userEmail     = "viewer@example.com"
	adminEmail    = "boss@example.com"
	testPassword  = "correct horse battery"
	anonymous     = "anonymous"
	asUser        = "user"
	asAdmin       = "admin"
	asBadToken    = "bad-token"
	asUserSession = "user-session"
)

// testApp is the real app over a fresh SQLite file with the bundled catalog
// loaded, as on a first start, plus a user and an admin with API tokens.
type testApp struct {
	*fiber.App
	store                 *db.Store
	dsn                   string // the database, for another instance to share
	userToken, adminToken string
	logs                  *logRecorder // what the app logged, as JSON lines
}

// logRecorder keeps what a JSON slog handler writes.
type logRecorder struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (r *logRecorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.buf.Write(p)
}

// take returns the records logged since the last take, and their lines.
func (r *logRecorder) take(t *testing.T) (records []map[string]any, lines []string) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for line := range strings.Lines(r.buf.String()) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("a log line that is not JSON: %q", line)
		}
		records, lines = append(records, rec), append(lines, line)
	}
	r.buf.Reset()
	return records, lines
}

func newTestApp(t testing.TB) (*testApp, *db.Store) {
	t.Helper()
	ta := openTestApp(t, dbtest.DSN(t, "fimdb"))
	ctx := context.Background()
	if _, err := ta.store.SeedBundledCatalog(ctx); err != nil {
		t.Fatal(err)
	}
	store := ta.store
	var err error
	for _, acct := range []struct {
		email, role string
		token       *string
	}{{userEmail, db.RoleUser, &ta.userToken}, {adminEmail, db.RoleAdmin, &ta.adminToken}} {
		if _, err := store.CreateUser(ctx, acct.email, testPassword, acct.role); err != nil {
			t.Fatal(err)
		}
		if *acct.token, err = store.CreateToken(ctx, acct.email); err != nil {
			t.Fatal(err)
		}
	}
	return ta, store
}

// openTestApp is the real app over the database dsn names, as a server
// process would run it: its own store, pools and caches.
func openTestApp(t testing.TB, dsn string) *testApp {
	t.Helper()
	store, err := db.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	logs := &logRecorder{}
	ta := &testApp{App: New(Deps{Store: store, Log: slog.New(slog.NewJSONHandler(logs, nil))}), store: store, dsn: dsn, logs: logs}
	t.Cleanup(func() {
		ta.Shutdown()
		store.Close()
	})
	return ta
}

// authorize adds the credentials of a role to a request.
func (ta *testApp) authorize(req *http.Request, as string) {
	switch as {
	case asUser, "":
		req.Header.Set("Authorization", "Bearer "+ta.userToken)
	case asAdmin:
		req.Header.Set("Authorization", "Bearer "+ta.adminToken)
	case asBadToken:
		req.Header.Set("Authorization", "Bearer fimdb_not-a-real-token")
	}
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
	as         string // who sends it: asUser (the default), asAdmin, anonymous, asBadToken
	body       string // form body for unsafe methods
}

func (sc scenario) run(t *testing.T, app *testApp) *http.Response {
	t.Helper()
	method := sc.method
	if method == "" {
		method = http.MethodGet
	}
	var reqBody io.Reader
	if sc.body != "" {
		reqBody = strings.NewReader(sc.body)
	}
	req := httptest.NewRequest(method, sc.url, reqBody)
	if sc.body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	app.authorize(req, sc.as)
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

func getJSON(t *testing.T, app *testApp, url string, into any) int {
	t.Helper()
	return getJSONAs(t, app, asUser, url, into)
}

// getJSONAs is getJSON sent as the given role.
func getJSONAs(t *testing.T, app *testApp, as, url string, into any) int {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Accept", "application/json")
	app.authorize(req, as)
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
