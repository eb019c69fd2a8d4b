package handlers

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"fimdb/db"
)

// TestMoviePage: /movies/:id as a page, an htmx fragment and JSON, with
// links to the genre and director listings, more by the director, and
// administrators' actions for administrators only.
func TestMoviePage(t *testing.T) {
	app, store := newTestApp(t)
	psycho, err := store.MovieByID(context.Background(), 4)
	if err != nil || psycho.Name != "Psycho" {
		t.Fatalf("bundled movie 4: %+v, %v", psycho, err)
	}
	markup, err := store.CreateMovie(context.Background(), db.NewMovie{Name: "<b>Bold</b>", Director: "A & B", IMDBScore: 5, Popularity: 5,
		IMDbID: "tt0000042", Year: 1999, RuntimeMinutes: 95, Votes: 1234}, "test")
	if err != nil {
		t.Fatal(err)
	}
	id := itoa(markup.ID)
	for _, sc := range []scenario{
		{name: "the page", url: "/movies/4", wantStatus: 200, wantType: "text/html", want: []string{
			"<title>Psycho · fimdb</title>", `data-testid="movie-title">Psycho</h1>`, `href="/listing?director=Alfred+Hitchcock"`,
			`href="/listing?genre=`, `data-testid="more-by"`, "More by Alfred Hitchcock", `>Vertigo</a>`, `href="/movies/20"`,
		}, notWant: []string{`data-testid="movie-admin"`, `>Psycho</a></h3>`}},
		{name: "for an administrator", url: "/movies/4", as: asAdmin, wantStatus: 200, want: []string{
			`data-testid="movie-admin"`, `href="/admin?name=Psycho"`, `hx-get="/admin/movies/4/history"`}},
		{name: "a fragment", url: "/movies/4", headers: htmx, wantStatus: 200, want: []string{`id="movie"`, "Psycho"}, notWant: []string{"<html", "<title>"}},
		{name: "IMDb's fields, markup escaped", url: "/movies/" + id, wantStatus: 200, want: []string{
			"<title>&lt;b&gt;Bold&lt;/b&gt; (1999) · fimdb</title>", `data-testid="movie-facts">1999 · 95 min</p>`, "1,234 votes",
			`href="https://www.imdb.com/title/tt0000042/"`, `href="/listing?director=A+%26+B"`}, notWant: []string{"<b>Bold</b>", `data-testid="more-by"`}},
		{name: "in German", url: "/movies/" + id + "?lang=de", wantStatus: 200, want: []string{"95 Min.", "1.234 Stimmen", "Alle Filme"}},
		{name: "an unknown id", url: "/movies/999999", wantStatus: 404, want: []string{"There is no movie with id 999999."}},
		{name: "not an id", url: "/movies/abc", wantStatus: 400},
		{name: "one address per movie: no leading zero", url: "/movies/04", wantStatus: 400},
		{name: "one address per movie: no decimals", url: "/movies/4.0", wantStatus: 400},
		{name: "one address per movie: no sign", url: "/movies/+4", wantStatus: 400},
		{name: "signed out", url: "/movies/4", as: anonymous, headers: map[string]string{"Accept": "text/html"}, wantStatus: 303},
		{name: "signed out, JSON", url: "/movies/4", as: anonymous, headers: asJSON, wantStatus: 401},
	} {
		t.Run(sc.name, func(t *testing.T) { sc.run(t, app) })
	}

	var got struct {
		Movie db.Movie   `json:"movie"`
		More  []db.Movie `json:"more_by_director"`
	}
	if status := getJSON(t, app, "/movies/4", &got); status != 200 || got.Movie.Name != "Psycho" || len(got.More) != 6 {
		t.Fatalf("JSON: %d %+v", status, got)
	}
	for i, m := range got.More {
		if m.Director != "Alfred Hitchcock" || m.ID == 4 || (i > 0 && m.Popularity > got.More[i-1].Popularity) {
			t.Errorf("more by the director, #%d: %+v", i, m)
		}
	}
	raw, _ := json.Marshal(got.Movie)
	if strings.Contains(string(raw), "imdb_id") {
		t.Errorf("a bundled movie's JSON has IMDb's keys: %s", raw)
	}
}

// TestCardsAndRowsLinkToTheMoviePage: every card in the listing and every
// row in the admin table names its movie with a link to its page.
func TestCardsAndRowsLinkToTheMoviePage(t *testing.T) {
	app, _ := newTestApp(t)
	scenario{url: "/listing?name=psycho", wantStatus: 200, want: []string{`<a href="/movies/4">Psycho</a></h3>`}}.run(t, app)
	scenario{url: "/admin?name=psycho", as: asAdmin, wantStatus: 200, want: []string{`<a href="/movies/4" data-testid="movie-name">Psycho</a>`}}.run(t, app)
}
