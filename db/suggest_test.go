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

// indexedValue is one row of suggest_values with its words, as a test sees it.
type indexedValue struct {
	Movies     int64
	Popularity float64
	Words      string // "first-word|word|word", sorted after the first
}

// suggestIndexFromTables reads what the autocomplete tables hold, keyed by
// field and folded value.
func suggestIndexFromTables(t *testing.T, s *Store) map[string]indexedValue {
	t.Helper()
	type value struct {
		field, value string
		indexedValue
		words []string // first words first, then by word
		all   map[string]bool
	}
	values := map[int64]*value{}
	rows, err := s.read.Query(`SELECT id, field, value, movies, popularity FROM suggest_values`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		v := &value{all: map[string]bool{}}
		if err := rows.Scan(&id, &v.field, &v.value, &v.Movies, &v.Popularity); err != nil {
			t.Fatal(err)
		}
		values[id] = v
	}
	rows.Close()
	rows, err = s.read.Query("SELECT value_id, word, field, `rank`, words FROM suggest_words ORDER BY value_id, first DESC, word")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var word, field, all string
		var rank float64
		if err := rows.Scan(&id, &word, &field, &rank, &all); err != nil {
			t.Fatal(err)
		}
		v := values[id]
		if v == nil {
			t.Errorf("word %q belongs to no value (%d)", word, id)
			continue
		}
		if field != v.field || rank != suggestRank(v.field, v.Movies, v.Popularity) {
			t.Errorf("%s %q: word %q carries a stale rank or field", v.field, v.value, word)
		}
		v.words = append(v.words, word)
		v.all[all] = true
	}
	rows.Close()
	out := map[string]indexedValue{}
	for _, v := range values {
		want := " " + strings.Join(foldedWords(v.value), " ")
		if len(v.all) != 1 || !v.all[want] {
			t.Errorf("%s %q: rows carry the words %v, want %q", v.field, v.value, v.all, want)
		}
		v.Words = strings.Join(v.words, "|")
		out[v.field+":"+strings.ToLower(v.value)] = v.indexedValue
	}
	return out
}

// suggestIndexFromMovies computes what the autocomplete tables should hold
// from the movies table alone.
func suggestIndexFromMovies(t *testing.T, s *Store) map[string]indexedValue {
	t.Helper()
	rows, err := s.read.Query(`SELECT name, director, popularity FROM movies`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]indexedValue{}
	for rows.Next() {
		var name, director string
		var pop float64
		if err := rows.Scan(&name, &director, &pop); err != nil {
			t.Fatal(err)
		}
		for field, value := range map[string]string{"director": director} { // titles: suggest_titles.go
			key := field + ":" + strings.ToLower(value)
			v := out[key]
			v.Movies++
			v.Popularity = math.Max(v.Popularity, pop)
			words := foldedWords(value)
			rest := slices.Clone(words[1:])
			slices.Sort(rest)
			rest = slices.Compact(rest)
			rest = slices.DeleteFunc(rest, func(w string) bool { return w == words[0] })
			v.Words = strings.Join(append([]string{words[0]}, rest...), "|")
			out[key] = v
		}
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
		case g.Movies != w.Movies || g.Popularity != w.Popularity:
			t.Errorf("%s: indexed %d movies, popularity %v; movies table says %d, %v", k, g.Movies, g.Popularity, w.Movies, w.Popularity)
		case g.Words != w.Words && !(strings.Count(g.Words, "|") == strings.Count(w.Words, "|") && wordsEqualAsSets(g.Words, w.Words)):
			t.Errorf("%s: indexed words %q, want %q", k, g.Words, w.Words)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s is indexed but no movie has it", k)
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

// wordsEqualAsSets compares "first|rest" word lists where a value's first
// word also appears later ("Star Wars Star"): only the sets must agree.
func wordsEqualAsSets(a, b string) bool {
	as, bs := strings.Split(a, "|"), strings.Split(b, "|")
	slices.Sort(as)
	slices.Sort(bs)
	return slices.Equal(as, bs)
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

// TestSuggestStrategiesFindTheBest checks every way textCandidates reads
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
	defer func(n, c int) { maxWalkedWords, collectLimit = n, c }(maxWalkedWords, collectLimit)
	// 1 sends every long director prefix down the range scan; titles are
	// collected or walked by their own rule, then all walked, then all
	// collected.
	for _, walked := range []int{64, 1, 0} {
		maxWalkedWords = max(walked, 1)
		collectLimit = map[int]int{64: 2000, 1: 0, 0: 1 << 30}[walked]
		for _, tc := range []struct{ field, q string }{
			{"name", "s"}, {"name", "st"}, {"name", "sta"}, {"name", "star"}, {"name", "stat"},
			{"name", "12"}, {"name", "1234"}, {"name", "dark"}, {"name", "nope"},
			{"name", "dark 1"}, {"name", "star dark"}, {"name", "sea st"}, {"name", "s d 1"},
			{"director", "s"}, {"director", "ste"}, {"director", "stel"}, {"director", "dario"},
		} {
			t.Run(fmt.Sprintf("walked=%d,collect=%d/%s=%s", maxWalkedWords, collectLimit, tc.field, tc.q), func(t *testing.T) {
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

func TestSuggestWalksReadIndexesInRankOrder(t *testing.T) {
	skipOnMySQL(t, "it reads SQLite's query plans")
	s := seededStore(t)
	for _, tc := range []struct {
		cond, index       string
		others            int
		firstMatch, whole bool
	}{
		{"w.word = ?", "suggest_words_by_word", 0, false, false},
		{"w.word = ?", "suggest_words_by_word", 2, false, true},
		{"substr(w.word, 1, 1) = ?", "suggest_words_by_p1", 0, true, false},
		{"substr(w.word, 1, 2) = ?", "suggest_words_by_p2", 1, true, true},
		{"substr(w.word, 1, 3) = ?", "suggest_words_by_p3", 0, true, false},
	} {
		args := []any{"name", "st", true, scanLimit}
		for range tc.others {
			args = append(args, " a")
		}
		if tc.firstMatch {
			args = append(args, " st")
		}
		if tc.whole {
			args = append(args, 3, " st")
		}
		rows, err := s.read.Query("EXPLAIN QUERY PLAN "+walkSQL(tc.cond, tc.others, tc.firstMatch, tc.whole), append(args, 8)...)
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
		// The walk itself must come off the index in rank order; only the
		// at most candidateLimit survivors may be sorted again.
		if !strings.Contains(plan.String(), "COVERING INDEX "+tc.index) || strings.Count(plan.String(), "TEMP B-TREE") > 1 {
			t.Errorf("%s: want a walk of %s without sorting it, plan:\n%s", tc.cond, tc.index, plan.String())
		}
		t.Logf("%s:\n%s", tc.cond, plan.String())
	}
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

func TestSQLWordsAreFewAndSelective(t *testing.T) {
	tests := []struct {
		q    string
		want []string
	}{
		{"star", []string{"star"}},
		{"st star", []string{"star"}},
		{"Star star STAR", []string{"star"}},
		{"the dark st", []string{"dark", "the", "st"}},
		{"a b c d e f ghij", []string{"ghij", "a", "b", "c"}},
		{strings.Repeat("a ", 150), []string{"a"}},
		{strings.Repeat("ab cd ", 100), []string{"ab", "cd"}},
	}
	for _, tc := range tests {
		if got := sqlWords(searchWords(tc.q)); !slices.Equal(got, tc.want) {
			t.Errorf("%q: %v, want %v", tc.q, got, tc.want)
		}
	}
}

// TestWordsWithPrefixListsEachWordOnce: a prefix matching a few words lists
// each of them once, in order, so autocomplete reads them word by word.
func TestWordsWithPrefixListsEachWordOnce(t *testing.T) {
	s := seededStore(t)
	for _, tt := range []struct {
		field, prefix string
		want          []string
	}{
		{"director", "hitch", []string{"hitchcock"}},
		{"director", "steven", []string{"steven", "stevens", "stevenson"}},
		{"director", "spiel", []string{"spielberg"}},
		{"director", "zzzz", nil},
	} {
		words, broad, err := s.wordsWithPrefix(context.Background(), tt.field, tt.prefix)
		if err != nil || broad || !slices.Equal(words, tt.want) {
			t.Errorf("%s %q: %q (broad %v, %v), want %q", tt.field, tt.prefix, words, broad, err, tt.want)
		}
	}
}

// TestTitleSuggestionsReadIndexes: the titles starting with the query are
// a range of movies_by_name, and the walk goes down movies_by_popularity.
func TestTitleSuggestionsReadIndexes(t *testing.T) {
	skipOnMySQL(t, "it reads SQLite's query plans")
	s := seededStore(t)
	matches, args := s.dialect.titleStarts([]string{"dark", "s"}).matchesSQL()
	for _, tc := range []struct {
		query string
		args  []any
		want  string
	}{
		{countSQL(matches, true), append(args, 1), "SEARCH movies USING COVERING INDEX movies_by_name (name>? AND name<?)"},
		{"SELECT name, popularity FROM movies" + s.dialect.forceIndex(sortIndex[SortPopularity]) + " ORDER BY popularity DESC, id LIMIT ? OFFSET ?", []any{1, 0}, "SCAN movies USING INDEX movies_by_popularity"},
	} {
		query, want := tc.query, tc.want
		rows, err := s.read.Query("EXPLAIN QUERY PLAN "+query, tc.args...)
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
		if !strings.Contains(plan.String(), want) || strings.Contains(plan.String(), "TEMP B-TREE") {
			t.Errorf("%s:\n%s\nwant %q, no sort", query, plan.String(), want)
		}
	}
}
