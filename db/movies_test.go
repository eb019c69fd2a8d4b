package db

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"fimdb/db/dbtest"
)

// seededStore is a fresh database with the bundled catalog and a few movies
// whose accents and punctuation the catalog lacks.
func seededStore(t testing.TB) *Store {
	t.Helper()
	s := openTestStore(t)
	ctx := context.Background()
	if _, err := s.SeedBundledCatalog(ctx); err != nil {
		t.Fatal(err)
	}
	extra := []NewMovie{
		{Name: "Amélie", Director: "Jean-Pierre Jeunet", Genres: []string{"Comedy", "Romance"}, IMDBScore: 8.3, Popularity: 83},
		{Name: "Ça", Director: "Tommy Lee Wallace", Genres: []string{"Horror"}, IMDBScore: 6.8, Popularity: 50},
		{Name: "Crouching Tiger, Hidden Dragon", Director: "Ang Lee", Genres: []string{"Action"}, IMDBScore: 7.9, Popularity: 70},
	}
	if _, err := s.ImportMovies(ctx, extra, nil); err != nil {
		t.Fatal(err)
	}
	return s
}

func names(l Listing) []string {
	out := make([]string, len(l.Movies))
	for i, m := range l.Movies {
		out[i] = m.Name
	}
	return out
}

func TestListMoviesSearchSemantics(t *testing.T) {
	s := seededStore(t)
	tests := []struct {
		name      string
		filter    Filter
		wantTotal int
		want      []string // must all be in the result
		notWant   []string // must all be absent
	}{
		{"no filter", Filter{}, 249, nil, nil},
		{"word prefix of the title", Filter{Name: "godf"}, 1, []string{"The Godfather"}, nil},
		{"prefix of a later word", Filter{Name: "empire"}, 1, []string{"Star Wars : Episode V - The Empire Strikes Back"}, nil},
		{"word prefix, not substring", Filter{Name: "star"}, 7, []string{"Star Wars", "The Tonight Show Starring Johnny Carson"}, []string{"American Idol : The Search for a Superstar"}},
		{"case-insensitive", Filter{Name: "STAR wars"}, 4, []string{"Star Wars"}, []string{"Star Trek"}},
		{"every word must match", Filter{Name: "star trek next"}, 1, []string{"Star Trek : The Next Generation"}, nil},
		{"word order does not matter", Filter{Name: "wars star"}, 4, []string{"Star Wars"}, nil},
		{"accent in data, none in query", Filter{Name: "amelie"}, 1, []string{"Amélie"}, nil},
		{"accent in query and data", Filter{Name: "AMÉL"}, 1, []string{"Amélie"}, nil},
		{"cedilla folded", Filter{Name: "ca"}, -1, []string{"Ça"}, nil},
		{"punctuation splits words", Filter{Director: "pierre"}, 1, []string{"Amélie"}, nil},
		{"punctuation in the query", Filter{Name: "tiger, hidden"}, 1, []string{"Crouching Tiger, Hidden Dragon"}, nil},
		{"director word prefix", Filter{Director: "steven"}, 10, []string{"Jaws", "Shane"}, nil}, // George Stevens too
		{"director two words", Filter{Director: "steven spielberg"}, 6, []string{"Jaws", "Jurassic Park"}, []string{"Shane"}},
		{"director last name prefix", Filter{Director: "spiel"}, 6, []string{"Duel"}, nil},
		{"genre exact, any case", Filter{Genre: "thriller"}, 51, []string{"Psycho"}, nil},
		{"genre is not a prefix match", Filter{Genre: "Thrill"}, 0, nil, nil},
		{"unknown genre", Filter{Genre: "Nope"}, 0, nil, nil},
		{"name AND director", Filter{Name: "star", Director: "lucas"}, 2, []string{"Star Wars", "Star Wars : Episode I - The Phantom Menace"}, nil},
		{"name AND genre", Filter{Name: "star", Genre: "Sci-Fi"}, -1, []string{"Star Wars"}, []string{"The Tonight Show Starring Johnny Carson"}},
		{"all three filters", Filter{Name: "jaws", Director: "spielberg", Genre: "Thriller"}, 1, []string{"Jaws"}, nil},
		{"no match", Filter{Name: "zzzzzz"}, 0, nil, nil},
		{"FTS syntax is only text", Filter{Name: `star" OR "trek`}, 0, nil, nil},
		{"FTS operators are words", Filter{Name: "NOT star"}, 0, nil, nil},
		{"only punctuation filters nothing", Filter{Name: `"*()`}, 249, nil, nil},
		{"column filter syntax is text", Filter{Name: "director:lucas"}, 0, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := s.ListMovies(context.Background(), ListQuery{Filter: tt.filter, PerPage: MaxPerPage})
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantTotal >= 0 && l.Total != tt.wantTotal {
				t.Errorf("total = %d, want %d (got %v)", l.Total, tt.wantTotal, names(l))
			}
			got := names(l)
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("missing %q in %v", w, got)
				}
			}
			for _, w := range tt.notWant {
				if slices.Contains(got, w) {
					t.Errorf("unexpected %q in result", w)
				}
			}
		})
	}
}

func TestListMoviesSortAndPaging(t *testing.T) {
	s := seededStore(t)
	ctx := context.Background()
	all, err := s.ListMovies(ctx, ListQuery{PerPage: MaxPerPage, Page: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Movies) != MaxPerPage {
		t.Fatalf("default order: %d movies, want a full page of %d", len(all.Movies), MaxPerPage)
	}
	for i := 1; i < len(all.Movies); i++ {
		a, b := all.Movies[i-1], all.Movies[i]
		if a.IMDBScore < b.IMDBScore || (a.IMDBScore == b.IMDBScore && a.ID > b.ID) {
			t.Fatalf("default order is not score descending then id: %v before %v", a, b)
		}
	}
	// A whole page of each order (an empty or failed one proves nothing),
	// compared as SQLite's NOCASE compares (ASCII case only), ties by id.
	sorted := []struct {
		sort Sort
		cmp  func(a, b Movie) int
	}{
		{SortName, func(a, b Movie) int {
			return cmp.Or(strings.Compare(asciiLower(a.Name), asciiLower(b.Name)), cmp.Compare(a.ID, b.ID))
		}},
		{SortPopularity, func(a, b Movie) int { return cmp.Or(cmp.Compare(b.Popularity, a.Popularity), cmp.Compare(a.ID, b.ID)) }},
	}
	for _, o := range sorted {
		l, err := s.ListMovies(ctx, ListQuery{Sort: o.sort, PerPage: MaxPerPage})
		if err != nil {
			t.Fatalf("sort=%s: %v", o.sort, err)
		}
		if len(l.Movies) != MaxPerPage {
			t.Fatalf("sort=%s: %d movies, want a full page of %d", o.sort, len(l.Movies), MaxPerPage)
		}
		for i := 1; i < len(l.Movies); i++ {
			if a, b := l.Movies[i-1], l.Movies[i]; o.cmp(a, b) > 0 {
				t.Errorf("sort=%s: %q (%v, id %d) before %q (%v, id %d)", o.sort, a.Name, a.Popularity, a.ID, b.Name, b.Popularity, b.ID)
			}
		}
	}

	// Walking the pages visits every movie exactly once.
	seen := map[int64]bool{}
	for p := 1; p <= 5; p++ {
		l, err := s.ListMovies(ctx, ListQuery{Sort: SortPopularity, Page: p, PerPage: 50})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range l.Movies {
			if seen[m.ID] {
				t.Fatalf("movie %d on two pages", m.ID)
			}
			seen[m.ID] = true
		}
	}
	if len(seen) != 249 {
		t.Errorf("pages held %d movies, want 249", len(seen))
	}

	pages := []struct {
		name                  string
		q                     ListQuery
		wantPage, wantPerPage int
		wantFirst, wantLast   int
		wantLen               int
	}{
		{"first page", ListQuery{Page: 1, PerPage: 50}, 1, 50, 1, 50, 50},
		{"last partial page", ListQuery{Page: 5, PerPage: 50}, 5, 50, 201, 249, 49},
		{"past the end clamps to the last page", ListQuery{Page: 99, PerPage: 50}, 5, 50, 201, 249, 49},
		{"page zero clamps to 1", ListQuery{Page: 0, PerPage: 50}, 1, 50, 1, 50, 50},
		{"negative page clamps to 1", ListQuery{Page: -3, PerPage: 50}, 1, 50, 1, 50, 50},
		{"per page capped", ListQuery{Page: 1, PerPage: 5000}, 1, 200, 1, 200, 200},
		{"per page at least 1", ListQuery{Page: 2, PerPage: 0}, 2, 1, 2, 2, 1},
		{"empty result is page 1 of 1", ListQuery{Filter: Filter{Name: "zzzz"}, Page: 3, PerPage: 50}, 1, 50, 0, -1, 0},
	}
	for _, tt := range pages {
		t.Run(tt.name, func(t *testing.T) {
			l, err := s.ListMovies(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if l.Page != tt.wantPage || l.PerPage != tt.wantPerPage || l.First() != tt.wantFirst || l.Last() != tt.wantLast || len(l.Movies) != tt.wantLen {
				t.Errorf("page %d per %d movies %d-%d (%d), want page %d per %d movies %d-%d (%d)",
					l.Page, l.PerPage, l.First(), l.Last(), len(l.Movies), tt.wantPage, tt.wantPerPage, tt.wantFirst, tt.wantLast, tt.wantLen)
			}
		})
	}
}

func TestMovieGenresAreTrimmedAndNormalised(t *testing.T) {
	s := seededStore(t)
	ctx := context.Background()
	l, err := s.ListMovies(ctx, ListQuery{Filter: Filter{Name: "wizard of oz"}, PerPage: 10})
	if err != nil || len(l.Movies) != 1 {
		t.Fatalf("wizard of oz: %v %v", err, names(l))
	}
	want := []string{"Adventure", "Family", "Fantasy", "Musical"}
	if !slices.Equal(l.Movies[0].Genres, want) {
		t.Errorf("genres = %q, want %q", l.Movies[0].Genres, want)
	}
	genres, err := s.Genres(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range genres {
		if g != strings.TrimSpace(g) {
			t.Errorf("genre %q has stray spaces", g)
		}
	}
	var n int
	if err := s.read.QueryRow("SELECT count(*) FROM genres WHERE name = 'Thriller'").Scan(&n); err != nil || n != 1 {
		t.Errorf("Thriller stored %d times (%v), want once", n, err)
	}
}

// TestSearchUsesIndexes proves that the count reads only the indexes and
// that both ways of reading a page go through an index, never a scan of the
// movies table ("SCAN movies" followed by a newline, with no index).
func TestSearchUsesIndexes(t *testing.T) {
	s := seededStore(t)
	tests := []struct {
		name string
		q    ListQuery
		want []string
	}{
		// Sorted by score, a page is the first matches of the search
		// index, in its order: no sort, and no reading of other matches.
		{"title search", ListQuery{Filter: Filter{Name: "star"}, Sort: SortScore}, []string{
			"-- count\nSCAN movies_search VIRTUAL TABLE INDEX",
			"-- page, in the search index's order\nCO-ROUTINE p\nSCAN movies_search VIRTUAL TABLE INDEX 64:",
			"SCAN p\nSEARCH m USING INTEGER PRIMARY KEY (rowid=?)\nCORRELATED SCALAR SUBQUERY"}},
		{"title and genre by score", ListQuery{Filter: Filter{Name: "star", Genre: "Sci-Fi"}}, []string{
			"CO-ROUTINE p\nSCAN movies_search VIRTUAL TABLE INDEX 64:", "SEARCH mg USING PRIMARY KEY (movie_id=? AND genre_id=?)"}},
		{"director search by name", ListQuery{Filter: Filter{Director: "spiel"}, Sort: SortName}, []string{
			"SCAN movies USING INDEX movies_by_name", "SCAN movies_search VIRTUAL TABLE INDEX"}},
		{"genre filter", ListQuery{Filter: Filter{Genre: "Drama"}, Sort: SortPopularity}, []string{
			"SCAN movies USING INDEX movies_by_popularity", "SEARCH mg USING PRIMARY KEY (movie_id=? AND genre_id=?)"}},
		{"title and genre by popularity", ListQuery{Filter: Filter{Name: "star", Genre: "Sci-Fi"}, Sort: SortPopularity}, []string{
			"MERGE (INTERSECT)\nLEFT\nSCAN movies_search VIRTUAL TABLE INDEX", "RIGHT\nSEARCH movie_genres USING COVERING INDEX movie_genres_by_genre (genre_id=?)"}},
		{"unfiltered", ListQuery{Sort: SortScore}, []string{"SCAN movies USING INDEX movies_by_score"}},
	}
	skipOnMySQL(t, "it reads SQLite's query plans")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := s.ExplainListQuery(context.Background(), tt.q)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(plan, w) {
					t.Errorf("plan lacks %q:\n%s", w, plan)
				}
			}
			if strings.Contains(plan, "SCAN movies\n") {
				t.Errorf("plan scans the movies table:\n%s", plan)
			}
			if page, ordered := strings.CutPrefix(plan[strings.Index(plan, "-- page"):], "-- page, in the search index's order"); ordered && strings.Count(page, "TEMP B-TREE") > 0 {
				t.Errorf("the page in the search index's order is sorted again:\n%s", plan)
			}
		})
	}
}

// TestPageStrategiesAgree checks that walking the sort index and collecting
// the matches return the same page, for every filter shape and order.
func TestPageStrategiesAgree(t *testing.T) {
	s := seededStore(t)
	ids := func(q ListQuery, walk bool) []int64 {
		query, args := s.pageSQL(q.normalized(), walk)
		rows, err := s.read.Query(query, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []int64
		for rows.Next() {
			m, err := scanMovie(rows)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, m.ID)
		}
		return out
	}
	filters := []Filter{{}, {Name: "the"}, {Name: "s"}, {Director: "a"}, {Genre: "Drama"}, {Name: "the", Genre: "Drama"}, {Genre: "Nope"},
		{Name: "ame"}, {Name: "ca"}, {Name: "star wa"}, {Director: "lee", Name: "c"}, {Name: "crouching tiger hidden"}}
	for _, f := range filters {
		for _, sort := range Sorts {
			for _, page := range []int{1, 2, 4} {
				q := ListQuery{Filter: f, Sort: sort, Page: page, PerPage: 20}
				walk, collect := ids(q, true), ids(q, false)
				if !slices.Equal(walk, collect) {
					t.Errorf("%+v: walking gave %v, collecting gave %v", q, walk, collect)
				}
				if f.Name == "" && f.Director == "" {
					continue
				}
				// A text search walked in Go (walkText) matches words as the
				// search index does.
				tx, err := s.read.Begin()
				if err != nil {
					t.Fatal(err)
				}
				inGo, complete, err := s.walkText(context.Background(), tx, q.normalized())
				tx.Rollback()
				if err != nil || !complete {
					t.Fatal(complete, err)
				}
				var got []int64
				for _, m := range inGo {
					got = append(got, m.ID)
				}
				if !slices.Equal(got, collect) {
					t.Errorf("%+v: walking in Go gave %v, collecting gave %v", q, got, collect)
				}
			}
		}
	}
}

func TestWalkSortIndexChoosesTheCheaperWay(t *testing.T) {
	tests := []struct {
		name                 string
		page, perPage        int
		matches, catalogSize int
		want                 bool
	}{
		{"half the catalog matches: walk", 1, 50, 500_000, 1_000_000, true},
		{"a few hundred match: collect", 1, 50, 300, 1_000_000, false},
		{"deep page of a broad match: collect", 5000, 50, 500_000, 1_000_000, false},
		{"nothing matches", 1, 50, 0, 1_000_000, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := walkSortIndex(ListQuery{Page: tt.page, PerPage: tt.perPage}, tt.matches, tt.catalogSize)
			if got != tt.want {
				t.Errorf("walkSortIndex = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestEveryListingStatementIsPreparedUpFront guards against a deadlock: a
// statement prepared on the pool while every connection is held by a read
// transaction waits forever.
func TestEveryListingStatementIsPreparedUpFront(t *testing.T) {
	s := openTestStore(t)
	prepared := map[string]bool{}
	s.readStmts.Range(func(k, _ any) bool {
		prepared[k.(string)] = true
		return true
	})
	filters := []Filter{{}, {Name: "star"}, {Director: "lee"}, {Genre: "Drama"}, {Name: "a", Genre: "Drama"}}
	if !dbtest.MySQL() {
		// One FTS5 expression holds every word; on MySQL each word is a
		// condition of its own, and such queries are prepared on the
		// transaction's connection (see readStmt).
		filters = append(filters, Filter{Name: "a", Director: "b"})
	}
	for _, f := range filters {
		matches, _ := s.dialect.compileFilter(f).matchesSQL()
		count := countSQL(matches, true)
		switch {
		case f.Name == "" && f.Director == "" && f.Genre != "":
			count = genreSizeSQL
		case f.Name == "" && f.Director == "":
			count = catalogSizeSQL
		}
		if !prepared[count] {
			t.Errorf("count for %+v is not prepared", f)
		}
		for _, sort := range Sorts {
			for _, walk := range []bool{false, true} {
				if q, _ := s.pageSQL(ListQuery{Filter: f, Sort: sort}, walk); !prepared[q] {
					t.Errorf("page for %+v %s walk=%v is not prepared", f, sort, walk)
				}
			}
		}
	}
}

// TestListMoviesUnderConcurrency runs more concurrent listings than the read
// pool has connections, with every filter shape, and must finish.
func TestListMoviesUnderConcurrency(t *testing.T) {
	s := seededStore(t)
	ctx := context.Background()
	filters := []Filter{{}, {Name: "s"}, {Genre: "Drama"}, {Name: "the", Genre: "Drama"}, {Director: "a"}}
	errs := make(chan error, 64)
	for i := range 64 {
		go func() {
			_, err := s.ListMovies(ctx, ListQuery{Filter: filters[i%len(filters)], Sort: Sorts[i%len(Sorts)], Page: 1 + i%3, PerPage: 20})
			errs <- err
		}()
	}
	for range 64 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// asciiLower folds ASCII letters only, as SQLite's NOCASE collation does.
func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

// assertSearchIndexMatchesMovies checks SQLite's search index row for row:
// every movie under its key (its score and id), and nothing else.
func assertSearchIndexMatchesMovies(t *testing.T, s *Store) {
	t.Helper()
	if s.dialect != sqliteDialect {
		return // MySQL's movie_words is checked by searchIndexIsWhole
	}
	var missing, extra int
	err := s.read.QueryRow(`SELECT
	(SELECT count(*) FROM (SELECT `+searchKeySQL+` FROM movies EXCEPT SELECT rowid FROM movies_search)),
	(SELECT count(*) FROM (SELECT rowid FROM movies_search EXCEPT SELECT `+searchKeySQL+` FROM movies))`).Scan(&missing, &extra)
	if err != nil {
		t.Fatal(err)
	}
	if missing != 0 || extra != 0 {
		t.Errorf("search index: %d movies missing, %d rows of no movie", missing, extra)
	}
	if _, err := s.write.Exec("INSERT INTO movies_search (movies_search, rank) VALUES ('integrity-check', 1)"); err != nil {
		t.Errorf("search index: %v", err)
	}
}

// TestSearchIndexOrderIsTheScoreOrder pages through text searches sorted by
// score, which read the search index in its key order, and compares them
// with the same search sorted by SQL's ORDER BY imdb_score DESC, id: equal
// and close scores, the extremes, and keys moved by updates, restores and
// deletes.
func TestSearchIndexOrderIsTheScoreOrder(t *testing.T) {
	s := seededStore(t)
	ctx := context.Background()
	var ids []int64
	for i, score := range []float64{7.25, 7.25, 7.26, 7.249, 0, 10, 9.999, 7.3, 0.004} {
		m, err := s.CreateMovie(ctx, NewMovie{Name: fmt.Sprintf("Keyed Star %d", i), Director: "Key Maker", Genres: []string{"Drama"}, IMDBScore: score, Popularity: 50}, "t")
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	update := func(id int64, score float64) {
		m, err := s.MovieByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		nm := NewMovie{Name: m.Name, Director: m.Director, Genres: m.Genres, IMDBScore: score, Popularity: m.Popularity}
		if _, err := s.UpdateMovie(ctx, id, &m.Version, nm, "t"); err != nil {
			t.Fatal(err)
		}
	}
	update(ids[0], 9.5)
	update(ids[5], 1)
	if _, err := s.DeleteMovie(ctx, ids[2], "t"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteMovie(ctx, ids[3], "t"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RestoreMovie(ctx, ids[3], "t"); err != nil {
		t.Fatal(err)
	}
	assertSearchIndexMatchesMovies(t, s)

	bySQL := func(f Filter, page, perPage int) []int64 {
		where, args := s.dialect.compileFilter(f).whereSQL(false)
		rows, err := s.read.Query("SELECT id FROM movies"+where+" ORDER BY imdb_score DESC, id LIMIT ? OFFSET ?", append(args, perPage, (page-1)*perPage)...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			out = append(out, id)
		}
		return out
	}
	for _, f := range []Filter{{Name: "keyed"}, {Name: "star"}, {Director: "key"}, {Name: "s"}, {Name: "the", Genre: "drama"}, {Director: "maker", Genre: "Drama"}, {Name: "nothing-matches"}} {
		for page := 1; page <= 4; page++ {
			q := ListQuery{Filter: f, Page: page, PerPage: 3, ExactTotal: true}
			l, err := s.ListMoviesUncached(bgCtx, q)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, m := range l.Movies {
				got = append(got, m.ID)
			}
			if want := bySQL(f, l.Page, 3); !slices.Equal(got, want) {
				t.Errorf("%+v page %d: %v, want %v", f, page, got, want)
			}
		}
	}
	if m, err := s.MovieByID(ctx, ids[3]); err != nil || m.IMDBScore != 7.25 {
		t.Errorf("a score of 7.249 is kept as %v (%v), want 7.25: two decimals", m.IMDBScore, err)
	}
}

// TestBroadSearchesCountPastThePageOnly checks the count of a search that
// is not asked to be exact: it stops countStep past the page and says
// "more than", every page up to there can be read, pages still tile the
// result, and an exact count (what JSON asks for) is the whole number.
func TestBroadSearchesCountPastThePageOnly(t *testing.T) {
	s := seededStore(t)
	defer func(step int) { countStep = step }(countStep)
	countStep = 20
	exact := func(f Filter) int {
		l, err := s.ListMoviesUncached(bgCtx, ListQuery{Filter: f, ExactTotal: true})
		if err != nil {
			t.Fatal(err)
		}
		return l.Total
	}
	the := Filter{Name: "the"}
	all := exact(the)
	if all <= 60 {
		t.Fatalf("%d movies match %+v; the test needs more than 60", all, the)
	}
	tests := []struct {
		name     string
		q        ListQuery
		total    int
		atLeast  bool
		wantPage int
	}{
		{"first page", ListQuery{Filter: the, PerPage: 10}, 20, true, 1},
		{"whole pages: 30 a page counts to 60, not 40", ListQuery{Filter: the, PerPage: 30}, 60, true, 1},
		{"page 2 counts to the next step", ListQuery{Filter: the, PerPage: 10, Page: 2}, 40, true, 2},
		{"page 5 of 10", ListQuery{Filter: the, PerPage: 10, Page: 5}, 60, true, 5},
		{"past the end: exact, clamped", ListQuery{Filter: the, PerPage: 10, Page: 1000}, all, false, (all + 9) / 10},
		{"exact total asked", ListQuery{Filter: the, PerPage: 10, ExactTotal: true}, all, false, 1},
		{"narrow search: exact", ListQuery{Filter: Filter{Name: "godfather"}, PerPage: 10}, exact(Filter{Name: "godfather"}), false, 1},
		{"genre alone: exact", ListQuery{Filter: Filter{Genre: "Drama"}, PerPage: 10}, exact(Filter{Genre: "Drama"}), false, 1},
		{"text and genre", ListQuery{Filter: Filter{Name: "the", Genre: "Drama"}, PerPage: 5}, 20, true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := s.ListMoviesUncached(bgCtx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if l.Total != tt.total || l.AtLeast != tt.atLeast || l.Page != tt.wantPage {
				t.Errorf("total %d (at least: %v), page %d; want %d (%v), page %d", l.Total, l.AtLeast, l.Page, tt.total, tt.atLeast, tt.wantPage)
			}
			if len(l.Movies) == 0 {
				t.Error("no movies on the page")
			}
		})
	}
	// Page after page of the capped count tiles the exact listing.
	for _, sort := range Sorts {
		var capped, full []int64
		for page := 1; ; page++ {
			l, err := s.ListMoviesUncached(bgCtx, ListQuery{Filter: the, Sort: sort, Page: page, PerPage: 7})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range l.Movies {
				capped = append(capped, m.ID)
			}
			if page >= l.Pages() && !l.AtLeast {
				break
			}
		}
		l, err := s.ListMoviesUncached(bgCtx, ListQuery{Filter: the, Sort: sort, PerPage: MaxPerPage, ExactTotal: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range l.Movies {
			full = append(full, m.ID)
		}
		if !slices.Equal(capped, full) {
			t.Errorf("%s: capped pages give %d movies %v, want %v", sort, len(capped), capped, full)
		}
	}
}

// TestAWalkThatGivesUpCollects: when walkText meets too few matches in its
// limit (matches bunched in one part of the order), the page is collected,
// and it is the same page.
func TestAWalkThatGivesUpCollects(t *testing.T) {
	s := seededStore(t)
	defer func(n int) { walkTextLimit = n }(walkTextLimit)
	for _, q := range []ListQuery{
		{Filter: Filter{Name: "the"}, Sort: SortName, PerPage: 10, Page: 2},
		{Filter: Filter{Name: "s"}, Sort: SortPopularity, PerPage: 7},
		{Filter: Filter{Director: "a", Genre: "Drama"}, Sort: SortName, PerPage: 5, Page: 3},
	} {
		walkTextLimit = 1 << 30
		walked, err := s.ListMoviesUncached(bgCtx, q)
		if err != nil {
			t.Fatal(err)
		}
		walkTextLimit = 3
		collected, err := s.ListMoviesUncached(bgCtx, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(walked.Movies) == 0 || !slices.EqualFunc(walked.Movies, collected.Movies, func(a, b Movie) bool { return a.ID == b.ID }) {
			t.Errorf("%+v: walked %v, collected %v", q, names(walked), names(collected))
		}
	}
}

// TestRestoreKeepsScoresToTwoDecimals: a movie deleted before scores were
// rounded comes back rounded, under the key the search index expects.
func TestRestoreKeepsScoresToTwoDecimals(t *testing.T) {
	s := seededStore(t)
	m, err := s.CreateMovie(bgCtx, NewMovie{Name: "Old Score", Director: "Ann Tique", IMDBScore: 7.25, Popularity: 5}, "t")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteMovie(bgCtx, m.ID, "t"); err != nil {
		t.Fatal(err)
	}
	// As an older release recorded it.
	if _, err := s.write.Exec("UPDATE audit_log SET `before` = replace(`before`, '\"imdb_score\":7.25', '\"imdb_score\":7.249') WHERE movie_id = ? AND action = 'delete'", m.ID); err != nil {
		t.Fatal(err)
	}
	back, err := s.RestoreMovie(bgCtx, m.ID, "t")
	if err != nil || back.IMDBScore != 7.25 {
		t.Fatalf("restored with score %v (%v), want 7.25", back.IMDBScore, err)
	}
	assertSearchIndexMatchesMovies(t, s)
}

// TestSearchesOfManyWords: up to MaxSearchWords different words in each
// of title and director are searched (on MySQL too, where the planner once
// took minutes over them); one more is refused.
func TestSearchesOfManyWords(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	if _, err := s.SeedBundledCatalog(ctx); err != nil {
		t.Fatal(err)
	}
	// Short prefixes that start many words, as the fuzzer's did: the
	// planner has real ranges to weigh.
	words := func(n int, prefix string) string {
		var w []string
		for i := range n {
			w = append(w, fmt.Sprintf("%c%s", 'a'+i%26, strings.Repeat(prefix, i/26)))
		}
		return strings.Join(w, " ")
	}
	// Repeats count once.
	most := Filter{Name: words(MaxSearchWords, "t") + " " + words(MaxSearchWords, "t"), Director: words(MaxSearchWords, "d")}
	tests := []struct {
		name    string
		f       Filter
		wantErr bool
	}{
		{"the most words in both fields", most, false},
		{"the most, in a genre", Filter{Name: most.Name, Director: most.Director, Genre: "Drama"}, false},
		{"one word too many in the title", Filter{Name: words(MaxSearchWords+1, "t")}, true},
		{"one word too many for the director", Filter{Director: words(MaxSearchWords+1, "d")}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, sort := range Sorts {
				q := ListQuery{Filter: tc.f, Sort: sort, PerPage: 10}
				_, err := s.ListMovies(ctx, q)
				if tc.wantErr != errors.Is(err, ErrTooManyWords) || (!tc.wantErr && err != nil) {
					t.Errorf("%s: %v", sort, err)
				}
				q.ExactTotal = true
				if _, err := s.ListMoviesUncached(ctx, q); tc.wantErr != errors.Is(err, ErrTooManyWords) || (!tc.wantErr && err != nil) {
					t.Errorf("%s, exact: %v", sort, err)
				}
			}
			if _, err := s.Suggest(ctx, "name", tc.f.Name+" "); tc.f.Name != "" && tc.wantErr != errors.Is(err, ErrTooManyWords) {
				t.Errorf("suggest: %v", err)
			}
		})
	}
}
