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

// TestImportsIndexEveryMovieForSearch: an import indexes the movies it adds
// for search in one go at its end (bulkLoad); afterwards the index
// holds every movie under its key, new movies are indexed one by one
// again, and an import that fails leaves both as they were.
// TestImportsLeaveThePageCacheAsItWas: an import shrinks the page cache
// while it sorts its movies for the search index, and gives the
// connection its own size back, for the server's writes that follow.
func TestImportsLeaveThePageCacheAsItWas(t *testing.T) {
	s := openTestStore(t)
	if s.dialect != sqliteDialect {
		t.Skip("the page cache is SQLite's")
	}
	ctx := context.Background()
	cacheSize := func() int {
		var n int
		if err := s.write.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := cacheSize()
	if before == bulkSortCacheSize {
		t.Fatalf("the page cache is already %d, so the test cannot tell", before)
	}
	if _, err := s.ImportMovies(ctx, []NewMovie{{Name: "Zyzzyva Rising", Director: "Ann Other", IMDBScore: 6}}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ImportIMDb(ctx, imdbMovies(NewMovie{Name: "Quokka Dawn", Director: "Eff Gee", IMDbID: "tt7000002", IMDBScore: 1})); err != nil {
		t.Fatal(err)
	}
	if after := cacheSize(); after != before {
		t.Errorf("after the imports the page cache is %d, want %d", after, before)
	}
}

func TestImportsIndexEveryMovieForSearch(t *testing.T) {
	s := openTestStore(t)
	ctx := context.Background()
	if _, err := s.SeedBundledCatalog(ctx); err != nil {
		t.Fatal(err)
	}
	assertSearchIndexMatchesMovies(t, s)
	if _, err := s.ImportMovies(ctx, []NewMovie{
		{Name: "Zyzzyva Rising", Director: "Ann Other", Genres: []string{"Drama"}, IMDBScore: 6.25, Popularity: 10},
		{Name: "Zyzzyva Falls", Director: "Ann Other", Genres: []string{"Drama"}, IMDBScore: 7, Popularity: 20},
	}, nil); err != nil {
		t.Fatal(err)
	}
	assertSearchIndexMatchesMovies(t, s)
	first := NewMovie{Name: "Quokka Qdays", Director: "Bee Dee", IMDbID: "tt7000001", IMDBScore: 5, Year: 2001}
	again := first
	// The same tconst twice in one import, the second time by another
	// director: the first one's count goes with it.
	again.Name, again.Director, again.IMDBScore = "Quokka Nights", "Cee Dee", 9.5
	rerated := NewMovie{Name: "Star Wars", Director: "George Lucas", IMDbID: "tt0076759", IMDBScore: 8.61, Year: 1977}
	if _, err := s.ImportIMDb(ctx, imdbMovies(first, again, rerated, NewMovie{Name: "Quokka Dawn", Director: "Eff Gee", IMDbID: "tt7000002", IMDBScore: 1})); err != nil {
		t.Fatal(err)
	}
	assertSearchIndexMatchesMovies(t, s)
	assertSuggestIndexMatchesMovies(t, s)
	for name, want := range map[string]int{"quokka": 2, "nights": 1, "qdays": 0, "zyzzyva": 2} {
		if l, err := s.ListMoviesUncached(ctx, ListQuery{Filter: Filter{Name: name}, ExactTotal: true}); err != nil || l.Total != want {
			t.Errorf("%q finds %d movies (%v), want %d", name, l.Total, err, want)
		}
	}
	if _, err := s.ImportIMDb(ctx, func(add func(NewMovie) error) error {
		if err := add(NewMovie{Name: "Wombat", Director: "C", IMDbID: "tt7000003"}); err != nil {
			return err
		}
		return errors.New("line 3: malformed")
	}); err == nil {
		t.Fatal("the failed import succeeded")
	}
	m, err := s.CreateMovie(ctx, NewMovie{Name: "Numbat", Director: "D", IMDBScore: 4}, "t")
	if err != nil {
		t.Fatal(err)
	}
	assertSearchIndexMatchesMovies(t, s)
	if l, err := s.ListMoviesUncached(ctx, ListQuery{Filter: Filter{Name: "numbat"}}); err != nil || l.Total != 1 || l.Movies[0].ID != m.ID {
		t.Errorf("a movie added after the imports is not found: %+v %v", l.Movies, err)
	}
}

// TestImportsLeaveTheSchemaAsItWas: what a bulk load drops (the search
// trigger, and the sort indexes when it rebuilds them) is back after every
// kind of import, whether it rebuilt the indexes or kept them, succeeded
// or failed.
func TestImportsLeaveTheSchemaAsItWas(t *testing.T) {
	skipOnMySQL(t, "bulk loads are SQLite's")
	ctx := context.Background()
	defer func(n int) { rebuildLimit = n }(rebuildLimit)
	for _, limit := range []int{rebuildLimit, 0} {
		rebuildLimit = limit
		s := openTestStore(t)
		if _, err := s.SeedBundledCatalog(ctx); err != nil {
			t.Fatal(err)
		}
		before, movies := schemaOf(t, s.read)
		steps := map[string]func() error{
			"json": func() error {
				_, err := s.ImportMovies(ctx, []NewMovie{{Name: "Zyzzyva", Director: "A", IMDBScore: 5}}, nil)
				return err
			},
			"json, failing": func() error {
				_, err := s.ImportMovies(ctx, []NewMovie{{Name: "Zyzzyva 2", Director: "A", IMDBScore: 5}, {Name: ""}}, nil)
				return err
			},
			"imdb": func() error {
				_, err := s.ImportIMDb(ctx, imdbMovies(NewMovie{Name: "Quokka", Director: "B", IMDbID: "tt7000001", IMDBScore: 5}))
				return err
			},
			"imdb, failing": func() error {
				_, err := s.ImportIMDb(ctx, func(add func(NewMovie) error) error {
					if err := add(NewMovie{Name: "Wombat", Director: "C", IMDbID: "tt7000003"}); err != nil {
						return err
					}
					return errors.New("line 3: malformed")
				})
				return err
			},
		}
		for name, step := range steps {
			err := step()
			if failing := strings.Contains(name, "failing"); failing != (err != nil) {
				t.Fatalf("limit %d, %s: err = %v", limit, name, err)
			}
			if after, table := schemaOf(t, s.read); !reflect.DeepEqual(after, before) || table != movies {
				t.Errorf("limit %d, %s: the schema changed:\n%v\nwas\n%v", limit, name, after, before)
			}
		}
		assertSearchIndexMatchesMovies(t, s)
	}
}
