package db

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// indexedValue is one row of suggest_values, as a test sees it.
type indexedValue struct {
	Movies     int64
	Popularity float64
}

// suggestIndexFromTables reads what suggest_values holds, keyed by field
// and lowercased value.
func suggestIndexFromTables(t *testing.T, s *Store) map[string]indexedValue {
	t.Helper()
	rows, err := s.read.Query(`SELECT field, value, movies, popularity FROM suggest_values`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]indexedValue{}
	for rows.Next() {
		var field, value string
		var v indexedValue
		if err := rows.Scan(&field, &value, &v.Movies, &v.Popularity); err != nil {
			t.Fatal(err)
		}
		out[field+":"+strings.ToLower(value)] = v
	}
	return out
}

// suggestIndexFromMovies computes what suggest_values should hold from the
// movies table alone.
func suggestIndexFromMovies(t *testing.T, s *Store) map[string]indexedValue {
	t.Helper()
	rows, err := s.read.Query(`SELECT director, popularity FROM movies`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]indexedValue{}
	for rows.Next() {
		var director string
		var pop float64
		if err := rows.Scan(&director, &pop); err != nil {
			t.Fatal(err)
		}
		key := "director:" + strings.ToLower(director) // titles: suggest_pick.go
		v := out[key]
		v.Movies++
		v.Popularity = math.Max(v.Popularity, pop)
		out[key] = v
	}
	return out
}

func assertSuggestIndexMatchesMovies(t *testing.T, s *Store) {
	t.Helper()
	got, want := suggestIndexFromTables(t, s), suggestIndexFromMovies(t, s)
	for k, w := range want {
		g, ok := got[k]
		switch {
		case !ok:
			t.Errorf("%s is not indexed", k)
		case g != w:
			t.Errorf("%s: indexed %d movies, popularity %v; movies table says %d, %v", k, g.Movies, g.Popularity, w.Movies, w.Popularity)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s is indexed but no movie has it", k)
		}
	}
	if s.dialect == sqliteDialect {
		// directors_search holds every director (contentless, so only its
		// rowids can be read back).
		var missing, extra int
		if err := s.read.QueryRow(`SELECT
  (SELECT count(*) FROM suggest_values WHERE field = 'director' AND id NOT IN (SELECT rowid FROM directors_search)),
  (SELECT count(*) FROM directors_search WHERE rowid NOT IN (SELECT id FROM suggest_values WHERE field = 'director'))`).Scan(&missing, &extra); err != nil {
			t.Fatal(err)
		}
		if missing+extra > 0 {
			t.Errorf("directors_search lacks %d directors and has %d that are gone", missing, extra)
		}
	}
	var wrongGenres int
	if err := s.read.QueryRow(`SELECT count(*) FROM genres g
WHERE movies <> (SELECT count(*) FROM movie_genres WHERE genre_id = g.id)`).Scan(&wrongGenres); err != nil {
		t.Fatal(err)
	}
	if wrongGenres > 0 {
		t.Errorf("%d genres have a wrong movie count", wrongGenres)
	}
	var kept, counted int
	if err := s.read.QueryRow("SELECT ("+catalogSizeSQL+"), (SELECT count(*) FROM movies)").Scan(&kept, &counted); err != nil {
		t.Fatal(err)
	}
	if kept != counted {
		t.Errorf("catalog_size says %d movies; the table holds %d", kept, counted)
	}
}

func TestSuggestIndexFollowsEveryWrite(t *testing.T) {
	s := seededStore(t)
	ctx := context.Background()
	assertSuggestIndexMatchesMovies(t, s)

	// Two spellings of one title and of one director share a value.
	a, err := s.CreateMovie(ctx, NewMovie{Name: "Star Wars", Director: "george LUCAS", Genres: []string{"Drama"}, IMDBScore: 5, Popularity: 99.5}, "t")
	if err != nil {
		t.Fatal(err)
	}
	assertSuggestIndexMatchesMovies(t, s)
	steps := []struct {
		name string
		run  func() error
	}{
		{"rename to a new title and director", func() error {
			_, err := s.UpdateMovie(ctx, a.ID, nil, NewMovie{Name: "Étoile Noire", Director: "Agnès Varda", Genres: []string{"War"}, IMDBScore: 5, Popularity: 12}, "t")
			return err
		}},
		{"same title, lower popularity", func() error {
			_, err := s.UpdateMovie(ctx, a.ID, nil, NewMovie{Name: "Étoile Noire", Director: "Agnès Varda", Genres: []string{"War"}, IMDBScore: 5, Popularity: 3}, "t")
			return err
		}},
		{"delete", func() error { _, err := s.DeleteMovie(ctx, a.ID, "t"); return err }},
		{"restore", func() error { _, err := s.RestoreMovie(ctx, a.ID, "t"); return err }},
		{"delete a catalog movie whose director has others", func() error {
			l, err := s.ListMovies(ctx, ListQuery{Filter: Filter{Director: "spielberg"}, Sort: "score", Page: 1, PerPage: 1})
			if err != nil {
				return err
			}
			_, err = s.DeleteMovie(ctx, l.Movies[0].ID, "t")
			return err
		}},
		{"import", func() error {
			_, err := s.ImportMovies(ctx, []NewMovie{
				{Name: "Star Wars Star", Director: "Steven Spielberg", IMDBScore: 1, Popularity: 1},
				{Name: "Jaws 2", Director: "Jeannot Szwarc", Genres: []string{"Horror"}, IMDBScore: 5, Popularity: 40},
			}, nil)
			return err
		}},
	}
	for _, st := range steps {
		if err := st.run(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		t.Run(st.name, func(t *testing.T) { assertSuggestIndexMatchesMovies(t, s) })
	}
}

func TestSuggestBackfillIndexesAnOlderDatabase(t *testing.T) {
	skipOnMySQL(t, "it upgrades a SQLite file made by an older release")
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	// Build the database as release 4 (before autocomplete tables) left it.
	old, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.SeedBundledCatalog(ctx); err != nil {
		t.Fatal(err)
	}
	p, err := migrationProvider(old.write, sqliteDialect)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 4); err != nil {
		t.Fatal(err)
	}
	old.Close()

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var values int
	if err := s.read.QueryRow("SELECT count(*) FROM suggest_values").Scan(&values); err != nil {
		t.Fatal(err)
	}
	if values == 0 {
		t.Fatal("the backfill indexed nothing")
	}
	assertSuggestIndexMatchesMovies(t, s)
}

// TestSuggestStrategiesFindTheBest checks every way Suggest reads
// the index against ranking every indexed value: the ranks returned must be
// the best ranks there are (values may differ only among equal ranks).
func TestSuggestStrategiesFindTheBest(t *testing.T) {
	s := openTestStore(t)
	ctx := context.Background()
	var movies []NewMovie
	words := strings.Fields("Star Starry Stellar Station Storm Dark Night Dream Shadow Sea Seven Sun")
	people := strings.Fields("Steven Sofia Stanley Sergio Dario Denis Stella")
	for i := range 3000 {
		movies = append(movies, NewMovie{
			Name:       fmt.Sprintf("%s %s %d", words[i%len(words)], words[(i/len(words))%len(words)], i),
			Director:   people[i%len(people)] + " " + people[(i*7/3)%len(people)],
			IMDBScore:  5,
			Popularity: float64((i*7919)%1000) / 10,
		})
	}
	if _, err := s.ImportMovies(ctx, movies, nil); err != nil {
		t.Fatal(err)
	}
	defer func(c int) { collectLimit = c }(collectLimit)
	// Collected or walked by the rule, then all walked, then all collected.
	for _, collectLimit = range []int{2000, 0, 1 << 30} {
		for _, tc := range []struct{ field, q string }{
			{"name", "s"}, {"name", "st"}, {"name", "sta"}, {"name", "star"}, {"name", "stat"},
			{"name", "12"}, {"name", "1234"}, {"name", "dark"}, {"name", "nope"},
			{"name", "dark 1"}, {"name", "star dark"}, {"name", "sea st"}, {"name", "s d 1"},
			{"director", "s"}, {"director", "ste"}, {"director", "stel"}, {"director", "dario"},
		} {
			t.Run(fmt.Sprintf("collect=%d/%s=%s", collectLimit, tc.field, tc.q), func(t *testing.T) {
				got, err := s.Suggest(ctx, tc.field, tc.q)
				if err != nil {
					t.Fatal(err)
				}
				want := bestByBruteForce(t, s, tc.field, tc.q)
				if !slices.Equal(ranksOf(t, s, tc.field, got), ranksOf(t, s, tc.field, want)) {
					t.Errorf("got %v (ranks %v), want ranks %v (%v)", got, ranksOf(t, s, tc.field, got), ranksOf(t, s, tc.field, want), want)
				}
			})
		}
	}
}

// bestByBruteForce ranks every value of field against q in Go: every
// indexed director, or every title (ignoring case) of the movies table.
func bestByBruteForce(t *testing.T, s *Store, field, q string) []Suggestion {
	t.Helper()
	query := "SELECT id, value, movies, popularity FROM suggest_values WHERE field = ?"
	if field == "name" {
		query = "SELECT min(id), min(name), count(*), max(popularity) FROM movies WHERE ? = 'name' GROUP BY lower(name)"
	}
	rows, err := s.read.Query(query, field)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var all []candidate
	for rows.Next() {
		var c candidate
		var movies int64
		var pop float64
		if err := rows.Scan(&c.id, &c.value, &movies, &pop); err != nil {
			t.Fatal(err)
		}
		c.count, c.rank = int(movies), suggestRank(field, movies, pop)
		all = append(all, c)
	}
	return rankSuggestions(all, searchWords(q))
}

// ranksOf maps suggestions to (whole-prefix, rank) pairs, which the index
// must get exactly right.
func ranksOf(t *testing.T, s *Store, field string, sugs []Suggestion) []string {
	t.Helper()
	var out []string
	query := "SELECT popularity FROM suggest_values WHERE field = ? AND value = ?"
	if field == "name" {
		query = "SELECT max(popularity) FROM movies WHERE ? = 'name' AND lower(name) = lower(?)"
	}
	for _, sg := range sugs {
		var pop float64
		if err := s.read.QueryRow(query, field, sg.Value).Scan(&pop); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(suggestRank(field, int64(sg.Count), pop)))
	}
	return out
}

// TestSuggestHardCases are the cases a ranking by the longest word alone
// got wrong: a whole-value prefix behind many more popular matches, and one
// value crowding a walk through several matching words.
func TestSuggestHardCases(t *testing.T) {
	s := openTestStore(t)
	ctx := context.Background()
	movies := []NewMovie{
		{Name: "A Star Is Born", Director: "George Cukor", IMDBScore: 7, Popularity: 1},
		{Name: "The Godfather", Director: "Francis Ford Coppola", IMDBScore: 9, Popularity: 1},
	}
	for i := range 40 {
		movies = append(movies,
			NewMovie{Name: fmt.Sprintf("Dark Star Attack %d", i), Director: "X", IMDBScore: 5, Popularity: 50},
			NewMovie{Name: fmt.Sprintf("The Big Gun %d", i), Director: "Y", IMDBScore: 5, Popularity: 50})
	}
	for i := range 10 {
		movies = append(movies,
			NewMovie{Name: fmt.Sprintf("X%d Sa Sb Sc Sd Se", i), Director: "Z", IMDBScore: 5, Popularity: 90},
			NewMovie{Name: fmt.Sprintf("Y%d Sz", i), Director: "Z", IMDBScore: 5, Popularity: 80})
	}
	if _, err := s.ImportMovies(ctx, movies, nil); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		q, first string
		n        int
	}{
		{"a star", "A Star Is Born", 8},
		{"the g", "The Godfather", 8},
		{"the godf", "The Godfather", 1},
		{"s", "", 8},
	} {
		got, err := s.Suggest(ctx, "name", tc.q)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != tc.n || (tc.first != "" && got[0].Value != tc.first) {
			t.Errorf("%q: got %d %v, want %d starting with %q", tc.q, len(got), got, tc.n, tc.first)
		}
	}
}

// TestDirectorsStartingWithTheQueryOnceFolded: a director whose name
// starts with the query only once accents and hyphens are folded ("Éric
// Rohmer" for "eric r", "Jean-Luc Godard" for "jean l") ranks among the
// plain ones, even when eight of those start with it as typed.
func TestDirectorsStartingWithTheQueryOnceFolded(t *testing.T) {
	skipOnMySQL(t, "MySQL's collation folds accents but not hyphens")
	s := openTestStore(t)
	ctx := context.Background()
	var movies []NewMovie
	for i, name := range []string{"Éric Rohmer", "Jean-Luc Godard"} {
		for j := range 3 {
			movies = append(movies, NewMovie{Name: fmt.Sprintf("Film %d %d", i, j), Director: name, IMDBScore: 5})
		}
		for k := range 9 {
			movies = append(movies, NewMovie{Name: fmt.Sprintf("Other %d %d", i, k), Director: fmt.Sprintf("%s%c", strings.Fields(strings.ReplaceAll(name, "-", " "))[0][:1]+map[int]string{0: "ric R", 1: "ean L"}[i], 'a'+k), IMDBScore: 5})
		}
	}
	if _, err := s.ImportMovies(ctx, movies, nil); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]string{"eric r": "Éric Rohmer", "jean l": "Jean-Luc Godard", "jean-luc": "Jean-Luc Godard"} {
		got, err := s.Suggest(ctx, "director", q)
		if err != nil || len(got) == 0 || got[0].Value != want || got[0].Count != 3 {
			t.Errorf("%q: %v (%v), want %s first, with 3 movies", q, got, err, want)
		}
	}
}

// TestSuggestionsReadIndexes: the titles and directors starting with the
// query are a range of their index, the walks go down the rank order's
// index, and a director search finds its values by index.
func TestSuggestionsReadIndexes(t *testing.T) {
	skipOnMySQL(t, "it reads SQLite's query plans")
	s := seededStore(t)
	titles, targs := s.dialect.titleStarts([]string{"dark", "s"}).matchesSQL()
	directors, dargs := s.dialect.directorStarts([]string{"steven", "s"}).matchesSQL()
	byWords, wargs := s.dialect.directorHas([]string{"spiel"}).matchesSQL()
	for _, tc := range []struct {
		query string
		args  []any
		want  string
	}{
		{countSQL(titles, true), append(targs, 1), "SEARCH movies USING COVERING INDEX movies_by_name (name>? AND name<?)"},
		{s.titleSource().walk, []any{1, 0}, "SCAN movies USING INDEX movies_by_popularity"},
		{countSQL(directors, true), append(dargs, 1), "SCAN directors_search VIRTUAL TABLE INDEX 0:M"},
		{s.directorSource().walk, []any{1, 0}, "SEARCH suggest_values USING INDEX suggest_values_by_movies (field=?)"},
		{s.directorSource().collect(byWords), wargs, "SCAN directors_search VIRTUAL TABLE INDEX 0:M"},
	} {
		rows, err := s.read.Query("EXPLAIN QUERY PLAN "+tc.query, tc.args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan strings.Builder
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan.WriteString(detail + "\n")
		}
		rows.Close()
		sorts := strings.Contains(plan.String(), "TEMP B-TREE")
		if !strings.Contains(plan.String(), tc.want) || (sorts && !strings.Contains(tc.query, " IN (")) {
			t.Errorf("%s:\n%s\nwant %q, no sort", tc.query, plan.String(), tc.want)
		}
	}
}
