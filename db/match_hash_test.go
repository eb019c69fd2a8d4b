package db

import (
	"context"
	"fmt"
	"slices"
	"testing"
)

// TestDuplicatesAreFoundByNameNotHash: with every key hashing alike, the
// imports still tell movies apart by name and director (ignoring case,
// accents included), as they do with the real hash.
func TestDuplicatesAreFoundByNameNotHash(t *testing.T) {
	ctx := context.Background()
	defer func(h func(string) int64) { hashKey = h }(hashKey)
	for _, collide := range []bool{false, true} {
		t.Run(fmt.Sprintf("collide=%v", collide), func(t *testing.T) {
			if collide {
				hashKey = func(string) int64 { return 7 }
			}
			s := openTestStore(t)
			report, err := s.ImportMovies(ctx, []NewMovie{
				{Name: "Étoile", Director: "Agnès Varda", IMDBScore: 5},
				{Name: "Etoile", Director: "Agnès Varda", IMDBScore: 5},
				{Name: "Étoile", Director: "Someone Else", IMDBScore: 5},
			}, nil)
			if err != nil || report.Added != 3 {
				t.Fatalf("added %d (%v), want 3", report.Added, err)
			}
			report, err = s.ImportMovies(ctx, []NewMovie{
				{Name: "ÉTOILE", Director: "AGNÈS VARDA", IMDBScore: 5},
				{Name: "Étoile 2", Director: "Agnès Varda", IMDBScore: 5},
			}, nil)
			if err != nil || report.Added != 1 || len(report.Skipped) != 1 || report.Skipped[0].Name != "ÉTOILE" {
				t.Fatalf("second import: %+v (%v), want ÉTOILE skipped and one added", report, err)
			}
			// IMDb's import takes over the movie of that name and director.
			r, err := s.ImportIMDb(ctx, imdbMovies(NewMovie{Name: "etoile", Director: "agnès varda", IMDbID: "tt0000042", IMDBScore: 6}))
			if err != nil || r.Updated != 1 || r.Added != 0 {
				t.Fatalf("imdb import: %+v (%v), want one update", r, err)
			}
			l, err := s.ListMoviesUncached(ctx, ListQuery{Filter: Filter{Name: "etoile"}, ExactTotal: true, Page: 1, PerPage: 50})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range l.Movies {
				got = append(got, m.Name+"/"+m.Director+"/"+m.IMDbID)
			}
			slices.Sort(got)
			want := []string{"Étoile 2/Agnès Varda/", "Étoile/Agnès Varda/", "Étoile/Someone Else/", "etoile/agnès varda/tt0000042"}
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("movies %q, want %q", got, want)
			}
		})
	}
}

// TestMatchHashMigrationGoesBothWays: the migration that replaced match_key
// by match_hash, run down and up again on a catalog, gives every movie its
// key and then its hash.
func TestMatchHashMigrationGoesBothWays(t *testing.T) {
	ctx := context.Background()
	s := seededStore(t)
	version := map[bool]int64{false: 16, true: 7}[s.dialect == mysqlDialect]
	p, err := migrationProvider(s.write, s.dialect)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, version-1); err != nil {
		t.Fatal(err)
	}
	for m, key := range columnByMovie(t, s, "match_key") {
		if key != matchKey(m[0], m[1]) {
			t.Errorf("%q by %q: match_key %v, want %q", m[0], m[1], key, matchKey(m[0], m[1]))
		}
	}
	if s.dialect == mysqlDialect {
		// A run that failed after its first ALTER (MySQL commits each one)
		// left the new column behind: the next run goes on from there.
		if _, err := s.write.Exec("ALTER TABLE movies ADD COLUMN match_hash BIGINT NOT NULL DEFAULT 0"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.UpTo(ctx, version); err != nil {
		t.Fatal(err)
	}
	for m, hash := range columnByMovie(t, s, "match_hash") {
		if hash != fmt.Sprint(matchHash(m[0], m[1])) {
			t.Errorf("%q by %q: match_hash %v, want %d", m[0], m[1], hash, matchHash(m[0], m[1]))
		}
	}
	if _, err := s.ImportMovies(ctx, []NewMovie{{Name: "the godfather", Director: "FRANCIS FORD COPPOLA", IMDBScore: 1}}, nil); err != nil {
		t.Fatal(err)
	}
	assertSearchIndexMatchesMovies(t, s)
}

// columnByMovie reads one column of every movie, by name and director.
func columnByMovie(t *testing.T, s *Store, column string) map[[2]string]string {
	t.Helper()
	rows, err := s.write.Query("SELECT name, director, " + column + " FROM movies")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[[2]string]string{}
	for rows.Next() {
		var m [2]string
		var v any
		if err := rows.Scan(&m[0], &m[1], &v); err != nil {
			t.Fatal(err)
		}
		if b, ok := v.([]byte); ok {
			v = string(b)
		}
		out[m] = fmt.Sprint(v)
	}
	if len(out) < 200 {
		t.Fatalf("%d movies", len(out))
	}
	return out
}
