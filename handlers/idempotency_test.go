package handlers

import (
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"fimdb/db"
)

// addWithKey posts a JSON add with an Idempotency-Key, with a bearer token.
func addWithKey(t *testing.T, app *testApp, token, key, body string) (status int, replayed string, out map[string]any) {
	t.Helper()
	req := httptest.NewRequest("POST", "/manage/add", strings.NewReader(body))
	req.Header.Set("Content-Type", jsonBody)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("not JSON (%d): %.300s", resp.StatusCode, data)
	}
	return resp.StatusCode, resp.Header.Get("Idempotent-Replayed"), out
}

const (
	heat  = `{"movie_name":"Heat","director":"Michael Mann","popularity":80,"chip_genres":"Crime","imdb_score":8.3}`
	heat2 = `{"movie_name":"Heat","director":"Michael Mann","popularity":"80","chip_genres":" Crime","imdb_score":"8.3"}`
	alien = `{"movie_name":"Alien","director":"Ridley Scott","popularity":88,"chip_genres":"Horror","imdb_score":8.5}`
)

// TestAnAddRetriedWithItsIdempotencyKeyAddsOnce: a client that lost an
// add's answer sends it again with the same key and gets the first answer,
// whichever instance it reaches; the catalog holds the movie once.
func TestAnAddRetriedWithItsIdempotencyKeyAddsOnce(t *testing.T) {
	app, store := newTestApp(t)
	other := openTestApp(t, app.dsn) // a second instance on the same database
	ctx := context.Background()
	if _, err := store.CreateUser(ctx, "second-admin@example.com", testPassword, db.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	secondAdmin, err := store.CreateToken(ctx, "second-admin@example.com")
	if err != nil {
		t.Fatal(err)
	}

	type step struct {
		name         string
		app          *testApp
		token        string
		key, body    string
		wantStatus   int
		wantReplayed bool
		wantSameAs   string // the key whose first add this answer repeats
		wantAdded    int
		wantField    string
	}
	steps := []step{
		{name: "a first add with a key", app: app, token: app.adminToken, key: "add-heat-1", body: heat, wantStatus: 201, wantAdded: 1},
		{name: "its retry on the same instance", app: app, token: app.adminToken, key: "add-heat-1", body: heat, wantStatus: 201, wantReplayed: true, wantSameAs: "add-heat-1"},
		{name: "its retry on another instance, numbers as strings", app: other, token: app.adminToken, key: "add-heat-1", body: heat2, wantStatus: 201, wantReplayed: true, wantSameAs: "add-heat-1"},
		{name: "the key with another movie", app: other, token: app.adminToken, key: "add-heat-1", body: alien, wantStatus: 422},
		{name: "the same key from another admin is theirs", app: app, token: secondAdmin, key: "add-heat-1", body: heat, wantStatus: 201, wantAdded: 1},
		{name: "a new key adds again", app: app, token: app.adminToken, key: "add-heat-2", body: heat, wantStatus: 201, wantAdded: 1},
		{name: "no key adds every time", app: app, token: app.adminToken, body: heat, wantStatus: 201, wantAdded: 1},
		{name: "a key too long", app: app, token: app.adminToken, key: strings.Repeat("k", 256), body: heat, wantStatus: 400, wantField: "Idempotency-Key"},
		{name: "a key of spaces", app: app, token: app.adminToken, key: "   ", body: heat, wantStatus: 400, wantField: "Idempotency-Key"},
		{name: "a key with a control character", app: app, token: app.adminToken, key: "a\x01b", body: heat, wantStatus: 400, wantField: "Idempotency-Key"},
		{name: "a key that is not ASCII", app: app, token: app.adminToken, key: "clé", body: heat, wantStatus: 400, wantField: "Idempotency-Key"},
		{name: "a bad movie with a key adds nothing", app: app, token: app.adminToken, key: "bad-1", body: `{"movie_name":"","director":"B","popularity":1,"imdb_score":1}`, wantStatus: 400, wantField: "movie_name"},
		{name: "a longest key", app: app, token: app.adminToken, key: strings.Repeat("k", 255), body: alien, wantStatus: 201, wantAdded: 1},
	}
	firstID := map[string]any{}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			before, _ := store.CountMovies(ctx)
			status, replayed, out := addWithKey(t, s.app, s.token, s.key, s.body)
			after, _ := store.CountMovies(ctx)
			if status != s.wantStatus || (replayed == "true") != s.wantReplayed {
				t.Fatalf("status %d, Idempotent-Replayed %q: %v; want %d, %v", status, replayed, out, s.wantStatus, s.wantReplayed)
			}
			if after-before != s.wantAdded {
				t.Errorf("the catalog grew by %d, want %d", after-before, s.wantAdded)
			}
			if s.wantField != "" && out["field"] != s.wantField {
				t.Errorf("error %v, want field %s", out, s.wantField)
			}
			if status != 201 {
				if out["error"] == "" {
					t.Errorf("no sentence for the error: %v", out)
				}
				return
			}
			if s.wantSameAs != "" && out["id"] != firstID[s.wantSameAs] {
				t.Errorf("the replay answered id %v, the first add %v", out["id"], firstID[s.wantSameAs])
			}
			if _, seen := firstID[s.key]; !seen && s.token == app.adminToken {
				firstID[s.key] = out["id"]
			}
		})
	}
}

// TestConcurrentRetriesOfOneAddAddOnce: retries that race one another on
// two instances still add one movie, and all of them answer its id.
func TestConcurrentRetriesOfOneAddAddOnce(t *testing.T) {
	app, store := newTestApp(t)
	other := openTestApp(t, app.dsn)
	ctx := context.Background()
	before, _ := store.CountMovies(ctx)
	const tries = 8
	ids := make([]any, tries)
	statuses := make([]int, tries)
	var wg sync.WaitGroup
	for i := range tries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			instance := app
			if i%2 == 1 {
				instance = other
			}
			var out map[string]any
			statuses[i], _, out = addWithKey(t, instance, app.adminToken, "race-1", heat)
			ids[i] = out["id"]
		}()
	}
	wg.Wait()
	after, _ := store.CountMovies(ctx)
	if after != before+1 {
		t.Errorf("%d concurrent tries added %d movies, want 1", tries, after-before)
	}
	for i := range tries {
		if statuses[i] != 201 || ids[i] != ids[0] {
			t.Errorf("try %d: %d, id %v; want 201, id %v", i, statuses[i], ids[i], ids[0])
		}
	}
}

// TestTheAddFormSendsAKeyOfItsOwn: each rendered add form carries its own
// Idempotency-Key, so Save pressed again after a lost answer adds once.
func TestTheAddFormSendsAKeyOfItsOwn(t *testing.T) {
	app, store := newTestApp(t)
	keyOf := regexp.MustCompile(`Idempotency-Key&#34;:&#34;(add-[0-9a-f]{32})&#34;`)
	formKey := func() string {
		t.Helper()
		page := scenario{url: "/admin/movies/new", headers: htmx, as: asAdmin, wantStatus: 200}.run(t, app)
		body, _ := io.ReadAll(page.Body)
		m := keyOf.FindStringSubmatch(string(body))
		if m == nil {
			t.Fatalf("the add form has no Idempotency-Key: %.400s", body)
		}
		return m[1]
	}
	first, second := formKey(), formKey()
	if first == second {
		t.Fatalf("two forms share the key %s", first)
	}
	ctx := context.Background()
	before, _ := store.CountMovies(ctx)
	for try := range 2 {
		save := scenario{method: "POST", url: "/manage/add", as: asAdmin, wantStatus: 201,
			headers: map[string]string{"HX-Request": "true", "Idempotency-Key": first},
			body:    "movie_name=Arrival&director=Denis+Villeneuve&chip_genres=Sci-Fi&imdb_score=7.9&popularity=79"}
		save.run(t, app)
		if after, _ := store.CountMovies(ctx); after != before+1 {
			t.Errorf("after Save %d: %d movies added, want 1", try+1, after-before)
		}
	}
	// The same form's key with another movie adds nothing and says why
	// where the form is.
	scenario{method: "POST", url: "/manage/add", as: asAdmin, wantStatus: 422, wantType: htmlType,
		headers: map[string]string{"HX-Request": "true", "Idempotency-Key": first},
		body:    "movie_name=Sicario&director=Denis+Villeneuve&chip_genres=Crime&imdb_score=7.6&popularity=76"}.run(t, app)
	if after, _ := store.CountMovies(ctx); after != before+1 {
		t.Errorf("a reused key added a movie")
	}
}
