package views

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"fimdb/db"
	l10n "fimdb/i18n"
)

// TestMovieCardShowsWhatIsKnown: a movie from IMDb's datasets shows its
// year, runtime and votes in the visitor's language; a movie without them
// (or without a director) shows no empty line for them.
func TestMovieCardShowsWhatIsKnown(t *testing.T) {
	if err := l10n.Load(); err != nil {
		t.Fatal(err)
	}
	fromIMDb := db.Movie{ID: 1, Name: "Star Wars", Director: "George Lucas", IMDBScore: 8.6, Popularity: 98,
		IMDbID: "tt0076759", Year: 1977, RuntimeMinutes: 121, Votes: 1_400_000}
	noDirector := db.Movie{ID: 2, Name: "Untitled", Year: 2030}
	byHand := db.Movie{ID: 3, Name: "Heat", Director: "Michael Mann", IMDBScore: 8.3, Popularity: 80}
	for _, tt := range []struct {
		name, locale string
		movie        db.Movie
		want         []string
		notWant      []string
	}{
		{"from IMDb", "en", fromIMDb, []string{`data-testid="movie-facts">1977 · 121 min · 1,400,000 votes</p>`, `data-testid="movie-director">George Lucas`}, nil},
		{"from IMDb, in German", "de", fromIMDb, []string{`1977 · 121 Min. · 1.400.000 Stimmen`}, nil},
		{"one vote", "en", db.Movie{ID: 4, Name: "X", Director: "Y", Votes: 1}, []string{`>1 vote</p>`}, nil},
		{"no director", "en", noDirector, []string{`data-testid="movie-facts">2030</p>`}, []string{`movie-director`}},
		{"added by hand", "en", byHand, []string{`data-testid="movie-director">Michael Mann`}, []string{`movie-facts`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx, err := l10n.WithLocale(context.Background(), tt.locale)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := MovieCard(tt.movie, newCardLabels(ctx)).Render(ctx, &buf); err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(buf.String(), w) {
					t.Errorf("card lacks %q:\n%s", w, buf.String())
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(buf.String(), w) {
					t.Errorf("card has %q:\n%s", w, buf.String())
				}
			}
		})
	}
}
