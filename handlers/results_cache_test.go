package handlers

import (
	"context"
	"testing"

	"fimdb/db"
)

// TestRenderedResultsAreKeptPerPlaceLanguageAndCatalog: results sections are
// rendered once and reused, so reuse must never cross a language, the
// catalog/admin boundary, or a change to the catalog.
func TestRenderedResultsAreKeptPerPlaceLanguageAndCatalog(t *testing.T) {
	app, store := newTestApp(t)
	htmx := map[string]string{"HX-Request": "true"}
	spanish := map[string]string{"HX-Request": "true", "Accept-Language": "es"}
	steps := []scenario{
		{name: "English", url: "/listing?name=star", headers: htmx, wantStatus: 200, want: []string{"7 movies", `data-testid="movie"`}},
		{name: "Spanish, same query", url: "/listing?name=star", headers: spanish, wantStatus: 200, want: []string{"7 películas"}, notWant: []string{"7 movies"}},
		{name: "English again", url: "/listing?name=star", headers: htmx, wantStatus: 200, want: []string{"7 movies"}, notWant: []string{"películas"}},
		{name: "admin table, same query", url: "/admin?name=star", headers: htmx, as: asAdmin, wantStatus: 200, want: []string{`data-testid="movie-table"`, `hx-delete="/manage/delete/`}},
		{name: "catalog again", url: "/listing?name=star", headers: htmx, wantStatus: 200, notWant: []string{`data-testid="movie-table"`}},
		{name: "full page embeds the same results", url: "/listing?name=star", wantStatus: 200, want: []string{"<!doctype html>", "7 movies", `id="search"`, `value="star"`}},
		// The page's main content (form and results) is kept too, per
		// query and language, but the app bar around it is whose it is.
		{name: "full page, Spanish", url: "/listing?name=star", headers: map[string]string{"Accept-Language": "es"}, wantStatus: 200, want: []string{"7 películas", `value="star"`}, notWant: []string{"7 movies"}},
		{name: "full page, another query", url: "/listing?name=alien", wantStatus: 200, want: []string{`value="alien"`}, notWant: []string{`value="star"`}},
		{name: "full page, an admin", url: "/listing?name=star", as: asAdmin, wantStatus: 200, want: []string{"7 movies", adminEmail, `data-testid="admin-link"`}},
		{name: "full page, a viewer again", url: "/listing?name=star", wantStatus: 200, want: []string{"7 movies"}, notWant: []string{adminEmail, `data-testid="admin-link"`}},
	}
	for _, sc := range steps {
		t.Run(sc.name, func(t *testing.T) { sc.run(t, app) })
	}

	ctx := context.Background()
	m, err := store.MovieByID(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.UpdateMovie(ctx, m.ID, nil, db.NewMovie{Name: "Star Wars (Special Edition)", Director: m.Director, Genres: m.Genres, IMDBScore: m.IMDBScore, Popularity: m.Popularity}, adminEmail); err != nil {
		t.Fatal(err)
	}
	for _, sc := range []scenario{
		{name: "after an edit, English", url: "/listing?name=star", headers: htmx, wantStatus: 200, want: []string{"Star Wars (Special Edition)"}},
		{name: "after an edit, Spanish", url: "/listing?name=star", headers: spanish, wantStatus: 200, want: []string{"Star Wars (Special Edition)", "7 películas"}},
		{name: "after an edit, admin", url: "/admin?name=star", headers: htmx, as: asAdmin, wantStatus: 200, want: []string{"Star Wars (Special Edition)"}},
		{name: "after an edit, full page", url: "/listing?name=star", wantStatus: 200, want: []string{"Star Wars (Special Edition)", `value="star"`}},
	} {
		t.Run(sc.name, func(t *testing.T) { sc.run(t, app) })
	}
}
