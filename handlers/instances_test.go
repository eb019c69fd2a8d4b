package handlers

import (
	"context"
	"errors"
	"strings"
	"testing"

	"fimdb/db"
)

// TestTwoInstancesShareOneDatabase runs two instances of the app on one
// database, each with its own store, pools and caches, as two server
// processes behind a load balancer would be: a visitor may reach either.
func TestTwoInstancesShareOneDatabase(t *testing.T) {
	a, store := newTestApp(t)
	b := openTestApp(t, a.dsn)
	b.userToken, b.adminToken = a.userToken, a.adminToken

	t.Run("a session made on one holds on the other", func(t *testing.T) {
		br := newBrowser(t, a)
		if r := br.signIn(userEmail, testPassword, ""); r.status != 303 {
			t.Fatalf("sign in on the first: %d", r.status)
		}
		br.app = b
		if r := br.do("GET", "/listing", nil, nil); r.status != 200 || !strings.Contains(r.body, userEmail) {
			t.Errorf("the second instance does not know the session: %d", r.status)
		}
	})

	t.Run("an edit on one shows on the other's next listing", func(t *testing.T) {
		search := scenario{url: "/listing?name=godfather", headers: asJSON, as: asUser, wantStatus: 200, want: []string{`"The Godfather"`}}
		search.run(t, b) // now in the second instance's cache
		godfather, err := store.ListMovies(context.Background(), db.ListQuery{Filter: db.Filter{Name: "godfather"}, PerPage: 1})
		if err != nil || len(godfather.Movies) != 1 {
			t.Fatalf("find The Godfather: %v %v", godfather, err)
		}
		m := godfather.Movies[0]
		edit := db.NewMovie{Name: "The Godfather Redux", Director: m.Director, Genres: m.Genres, IMDBScore: m.IMDBScore, Popularity: m.Popularity}
		if _, err := store.UpdateMovie(context.Background(), m.ID, &m.Version, edit, adminEmail); err != nil {
			t.Fatal(err)
		}
		scenario{url: "/listing?name=godfather", headers: asJSON, as: asUser, wantStatus: 200,
			want: []string{`"The Godfather Redux"`}}.run(t, b)
		// A stale version is a conflict on the other instance too.
		stale := &m.Version
		var conflict *db.ConflictError
		if _, err := b.store.UpdateMovie(context.Background(), m.ID, stale, edit, adminEmail); !errors.As(err, &conflict) {
			t.Errorf("an update from a stale version on the second instance: %v, want a conflict", err)
		}
	})

	t.Run("failed sign-ins count across both", func(t *testing.T) {
		for i := range maxSignInFailures {
			br := newBrowser(t, []*testApp{a, b}[i%2])
			if r := br.signIn(adminEmail, "wrong password", ""); r.status != 401 {
				t.Fatalf("failure %d: %d, want 401", i+1, r.status)
			}
		}
		for _, app := range []*testApp{a, b} {
			if r := newBrowser(t, app).signIn(adminEmail, testPassword, ""); r.status != 429 {
				t.Errorf("after %d failures spread over both: %d, want 429", maxSignInFailures, r.status)
			}
		}
	})
}
