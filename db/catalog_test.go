package db

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestDecodeCatalogRejectsMalformedFiles(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		wantLine int
		wantCol  int
		wantIn   string
	}{
		{"not JSON", "hello", 1, 1, "invalid character"},
		{"object instead of array", `{"name": "x"}`, 1, 1, "JSON array"},
		{"syntax error on line 3", "[\n  {\"name\": \"A\", \"director\": \"B\", \"imdb_score\": 1, \"99popularity\": 2},\n  {\"name\": \"C\",, }\n]", 3, 16, "invalid character ','"},
		{"truncated", "[\n  {\"name\": \"A\"", 2, 15, "ends before"},
		{"wrong type", "[\n {\"name\": 5, \"director\": \"B\", \"imdb_score\": 1, \"99popularity\": 2}]", 2, 11, `"name" must be a string`},
		{"missing field", "[\n {\"name\": \"A\", \"imdb_score\": 1, \"99popularity\": 2}]", 2, 2, `movie #1: "director" is missing`},
		{"score out of range", "[{\"name\": \"A\", \"director\": \"B\", \"imdb_score\": 1, \"99popularity\": 2},\n{\"name\": \"A\", \"director\": \"B\", \"imdb_score\": 11, \"99popularity\": 2}]", 2, 1, `movie #2: "imdb_score" must be between 0 and 10`},
		{"empty name", `[{"name": "  ", "director": "B", "imdb_score": 1, "99popularity": 2}]`, 1, 2, `"name" must not be empty`},
		{"trailing data", `[] []`, 1, 4, "after the closing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			movies, err := DecodeCatalog(strings.NewReader(tt.file))
			var ce *CatalogError
			if !errors.As(err, &ce) {
				t.Fatalf("got %d movies and error %v, want a *CatalogError", len(movies), err)
			}
			if movies != nil {
				t.Errorf("returned %d movies with the error", len(movies))
			}
			if ce.Line != tt.wantLine || ce.Column != tt.wantCol || !strings.Contains(ce.Error(), tt.wantIn) {
				t.Errorf("error %q at line %d col %d, want line %d col %d containing %q", ce.Error(), ce.Line, ce.Column, tt.wantLine, tt.wantCol, tt.wantIn)
			}
		})
	}
}

func TestDecodeCatalogReadsTheSeedFormat(t *testing.T) {
	movies, err := DecodeCatalog(strings.NewReader(`[{"99popularity": 83.0, "director": " Victor Fleming ",
		"genre": ["Adventure", " Family", "family", ""], "imdb_score": 8.3, "name": "The Wizard of Oz", "extra": true}]`))
	if err != nil {
		t.Fatal(err)
	}
	want := NewMovie{Name: "The Wizard of Oz", Director: "Victor Fleming", Genres: []string{"Adventure", "Family"}, IMDBScore: 8.3, Popularity: 83}
	if len(movies) != 1 || movies[0].Name != want.Name || movies[0].Director != want.Director ||
		strings.Join(movies[0].Genres, ",") != "Adventure,Family" || movies[0].IMDBScore != 8.3 || movies[0].Popularity != 83 {
		t.Errorf("got %+v, want %+v", movies, want)
	}
}

func TestImportMoviesSkipsDuplicatesIgnoringCase(t *testing.T) {
	s := seededStore(t)
	ctx := context.Background()
	before, _ := s.CountMovies(ctx)
	report, err := s.ImportMovies(ctx, []NewMovie{
		{Name: "STAR WARS", Director: "george lucas", IMDBScore: 8, Popularity: 80},    // in the catalog
		{Name: "amélie", Director: "JEAN-PIERRE JEUNET", IMDBScore: 8, Popularity: 80}, // Unicode case folding
		{Name: "Brand New", Director: "Someone", Genres: []string{" Drama "}, IMDBScore: 5, Popularity: 5},
		{Name: "brand new", Director: "SOMEONE", IMDBScore: 5, Popularity: 5},          // earlier in the same file
		{Name: "Star Wars", Director: "Another Director", IMDBScore: 5, Popularity: 5}, // same name, other director
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if report.Added != 2 || len(report.Skipped) != 3 {
		t.Fatalf("added %d skipped %+v, want 2 added and 3 skipped", report.Added, report.Skipped)
	}
	for i, want := range []struct {
		entry  int
		reason string
	}{{1, "already in the catalog"}, {2, "already in the catalog"}, {4, "earlier in the same file"}} {
		got := report.Skipped[i]
		if got.Entry != want.entry || !strings.Contains(got.Reason, want.reason) {
			t.Errorf("skipped[%d] = %+v, want entry %d with %q", i, got, want.entry, want.reason)
		}
	}
	after, _ := s.CountMovies(ctx)
	if after != before+2 {
		t.Errorf("catalog grew from %d to %d, want +2", before, after)
	}
}

func TestImportMoviesIsAllOrNothing(t *testing.T) {
	s := seededStore(t)
	ctx := context.Background()
	before, _ := s.CountMovies(ctx)
	_, err := s.ImportMovies(ctx, []NewMovie{
		{Name: "Fine", Director: "Someone", IMDBScore: 5, Popularity: 5},
		{Name: "Broken", Director: "Someone", IMDBScore: 50, Popularity: 5},
	}, nil)
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "imdb_score" {
		t.Fatalf("err = %v, want an imdb_score FieldError", err)
	}
	if after, _ := s.CountMovies(ctx); after != before {
		t.Errorf("a failed import changed the catalog from %d to %d movies", before, after)
	}
}

// An import larger than one batch sends its genre links and words in
// several multi-row INSERTs: the counts and the search must see them all,
// and two genre names that are one genre (MySQL ignores accents) must link
// a movie once.
func TestImportMoviesInBatches(t *testing.T) {
	s := seededStore(t)
	ctx := context.Background()
	var movies []NewMovie
	for i := range 2*batchRows + 7 {
		movies = append(movies, NewMovie{Name: fmt.Sprintf("Batched Zyxwv %d", i), Director: "Batch Director",
			Genres: []string{"Drama", "Café", "Cafe"}, IMDBScore: 5, Popularity: 5})
	}
	report, err := s.ImportMovies(ctx, movies, nil)
	if err != nil || report.Added != len(movies) {
		t.Fatalf("added %d, err %v, want %d added", report.Added, err, len(movies))
	}
	var wrong int
	if err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM genres g
WHERE g.movies <> (SELECT count(*) FROM movie_genres mg WHERE mg.genre_id = g.id)`).Scan(&wrong); err != nil {
		t.Fatal(err)
	}
	if wrong != 0 {
		t.Errorf("%d genres count their movies wrong", wrong)
	}
	l, err := s.ListMovies(ctx, ListQuery{Filter: Filter{Name: "zyxwv"}, PerPage: 5, ExactTotal: true})
	if err != nil || l.Total != len(movies) {
		t.Fatalf("search found %d, err %v, want %d", l.Total, err, len(movies))
	}
	sugg, err := s.Suggest(ctx, "name", "batched zyx")
	if err != nil || len(sugg) == 0 {
		t.Errorf("suggest found %v, err %v", sugg, err)
	}
}
