package db

import (
	"context"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func imdbMovies(ms ...NewMovie) func(add func(NewMovie) error) error {
	return func(add func(NewMovie) error) error {
		for _, m := range ms {
			if err := add(m); err != nil {
				return err
			}
		}
		return nil
	}
}

// TestImportIMDbAddsUpdatesAndLeavesAlone: a second import of IMDb's
// datasets updates what the first added, by imdb_id, keeping ids; a
// bundled movie with the same name and director takes its imdb_id.
func TestImportIMDbAddsUpdatesAndLeavesAlone(t *testing.T) {
	s := openTestStore(t)
	ctx := context.Background()
	if _, err := s.SeedBundledCatalog(ctx); err != nil {
		t.Fatal(err)
	}
	starWars := NewMovie{Name: "Star Wars", Director: "George Lucas", Genres: []string{"Action", "Adventure", "Fantasy"},
		IMDBScore: 8.6, Popularity: 98.2, IMDbID: "tt0076759", Year: 1977, RuntimeMinutes: 121, Votes: 1_400_000}
	twoDirectors := NewMovie{Name: "The Matrix", Director: "Lana Wachowski, Lilly Wachowski", Genres: []string{"Action", "Sci-Fi"},
		IMDBScore: 8.7, Popularity: 99, IMDbID: "tt0133093", Year: 1999, RuntimeMinutes: 136, Votes: 2_100_000}
	noDirector := NewMovie{Name: `"Untitled" project`, Genres: []string{}, IMDbID: "tt9999999", Year: 2030}
	tooLong := NewMovie{Name: strings.Repeat("n", MaxTextLen+1), Director: "X", IMDbID: "tt0000002"}
	rerated := twoDirectors
	rerated.IMDBScore, rerated.Votes = 8.8, 2_200_000

	before, _ := s.CountMovies(ctx)
	for _, step := range []struct {
		name                      string
		titles                    []NewMovie
		added, updated, unchanged int
		skipped                   string
		wantMovies                int
	}{
		{"a first import", []NewMovie{starWars, twoDirectors, noDirector, tooLong}, 2, 1, 0, "movie_name must be at most 300 characters: 1", before + 2},
		{"the same again", []NewMovie{starWars, twoDirectors, noDirector}, 0, 0, 3, "", before + 2},
		{"a new rating", []NewMovie{starWars, rerated}, 0, 1, 1, "", before + 2},
	} {
		t.Run(step.name, func(t *testing.T) {
			r, err := s.ImportIMDb(ctx, imdbMovies(step.titles...))
			if err != nil {
				t.Fatal(err)
			}
			var skipped []string
			for reason, n := range r.Skipped {
				skipped = append(skipped, reason+": "+strconv.Itoa(n))
			}
			if r.Added != step.added || r.Updated != step.updated || r.Unchanged != step.unchanged || strings.Join(skipped, "; ") != step.skipped {
				t.Errorf("report %+v, want %d added, %d updated, %d unchanged, skipped %q", r, step.added, step.updated, step.unchanged, step.skipped)
			}
			if n, _ := s.CountMovies(ctx); n != step.wantMovies {
				t.Errorf("%d movies, want %d", n, step.wantMovies)
			}
		})
	}
	// The bundled Star Wars (id 2) took the imdb_id: no second Star Wars.
	sw, err := s.MovieByID(ctx, 2)
	if err != nil || sw.IMDbID != "tt0076759" || sw.Year != 1977 || sw.Votes != 1_400_000 {
		t.Errorf("bundled Star Wars after the import: %+v, %v", sw, err)
	}
	l, err := s.ListMovies(ctx, ListQuery{Filter: Filter{Name: "matrix", Director: "lilly"}})
	if err != nil || l.Total != 1 || l.Movies[0].IMDBScore != 8.8 || l.Movies[0].Version != 2 || l.Movies[0].Director != "Lana Wachowski, Lilly Wachowski" {
		t.Errorf("The Matrix after two imports: %+v, %v", l.Movies, err)
	}
	if l, err := s.ListMovies(ctx, ListQuery{Filter: Filter{Name: "untitled"}}); err != nil || l.Total != 1 || l.Movies[0].Director != "" {
		t.Errorf("a title without a director: %+v, %v", l.Movies, err)
	}
}

// TestImportIMDbThatFailsChangesNothing: an import stopped part-way (a
// malformed line, Ctrl-C) leaves the catalog as it was.
func TestImportIMDbThatFailsChangesNothing(t *testing.T) {
	s := openTestStore(t)
	ctx := context.Background()
	if _, err := s.SeedBundledCatalog(ctx); err != nil {
		t.Fatal(err)
	}
	before := everyRow(t, s)
	stop := errors.New("title.basics.tsv line 3, column startYear: \"19x7\" is not a year")
	_, err := s.ImportIMDb(ctx, func(add func(NewMovie) error) error {
		if err := add(NewMovie{Name: "Heat", Director: "Michael Mann", IMDbID: "tt0113277", Year: 1995}); err != nil {
			return err
		}
		if err := add(NewMovie{Name: "Star Wars", Director: "George Lucas", IMDbID: "tt0076759", Year: 1977}); err != nil {
			return err
		}
		return stop
	})
	if !errors.Is(err, stop) {
		t.Fatalf("err = %v, want the reader's", err)
	}
	if after := everyRow(t, s); !reflect.DeepEqual(before, after) {
		t.Error("a failed import changed the database")
	}
}
