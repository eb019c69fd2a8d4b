package imdb

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// row joins fields with tabs, as IMDb writes them.
func row(fields ...string) string { return strings.Join(fields, "\t") }

// The fixture, in IMDb's format. The rows are deliberately out of id order
// and full of \N, quotes and non-ASCII text.
var (
	basicsRows = []string{
		row("tt0076759", "movie", "Star Wars", "Star Wars", "0", "1977", `\N`, "121", "Action,Adventure,Fantasy"),
		row("tt9000004", "tvSeries", "Some Series", "Some Series", "0", "2001", "2004", "45", "Drama"),
		row("tt0211915", "movie", "Amélie", "Le fabuleux destin d'Amélie Poulain", "0", "2001", `\N`, "122", "Comedy,Romance"),
		row("tt9000006", "tvEpisode", "Episode 1", "Episode 1", "0", `\N`, `\N`, `\N`, `\N`),
		row("tt0245429", "movie", "千と千尋の神隠し", "千と千尋の神隠し", "0", "2001", `\N`, "125", "Animation,Adventure,Family"),
		row("tt9000001", "movie", `"Weird" Start`, `"Weird" Start`, "0", "2020", `\N`, "90", "Comedy"),
		row("tt0112870", "movie", "दिलवाले दुल्हनिया ले जायेंगे", "दिलवाले दुल्हनिया ले जायेंगे", "0", "1995", `\N`, "189", "Drama,Romance"),
		row("tt9000005", "short", "A Short", "A Short", "0", "2010", `\N`, "7", "Short"),
		row("tt9000002", "movie", `Say "Hello`, `\N`, `\N`, `\N`, `\N`, `\N`, `\N`),
		row("tt9000007", "movie", "Adult Film", "Adult Film", "1", "2005", `\N`, "80", "Adult"),
		row("tt9000003", "movie", "Four Hands", "Four Hands", "0", "2019", `\N`, "100", "Drama"),
		row("tt9000009", "movie", `\N`, "Original Only", "0", "2018", `\N`, "95", "Drama"),
		row("tt9000010", "movie", `\N`, `\N`, "0", "2018", `\N`, "95", "Drama"),
		row("tt9000008", "tvEpisode", "Episode 2", "Episode 2", "0", "2002", `\N`, "44", "Drama"),
	}
	ratingsRows = []string{
		row("tt9000009", "5.0", "999"),
		row("tt9000007", "4.0", "2000"),
		row("tt0076759", "8.6", "1400000"),
		row("tt0211915", "8.3", "800000"),
		row("tt0245429", "8.6", "900000"),
		row("tt0112870", "8.0", "1000"),
		row("tt9000001", "7.5", "1"),
		row("tt9000003", "6.1", "10"),
		row("tt9000005", "7.0", "50"),
		row("tt0000001", "5.7", "2100"),
	}
	crewRows = []string{
		row("tt0076759", "nm0000184", "nm0000184"),
		row("tt0112870", "nm0004417", "nm0004417,nm0000001"),
		row("tt0211915", "nm0000466", "nm0000466,nm0003789"),
		row("tt0245429", "nm0594503", "nm0594503"),
		row("tt9000002", `\N`, `\N`),
		row("tt9000003", "nm9000003,nm9999999,nm9000001,nm9000003,nm9000002", `\N`),
		row("tt9000004", "nm9000001", `\N`),
		row("tt9000007", "nm9000004", `\N`),
		row("tt9000009", "nm9000004", `\N`),
	}
	namesRows = []string{
		row("nm0000184", "George Lucas", "1944", `\N`, "writer,producer,director", "tt0076759,tt0080684"),
		row("nm0000466", "Jean-Pierre Jeunet", "1953", `\N`, "director,writer", "tt0211915"),
		row("nm0594503", "宮崎駿", "1941", `\N`, "writer,animation_department", "tt0245429"),
		row("nm0004417", "आदित्य चोपड़ा", "1971", `\N`, `\N`, `\N`),
		row("nm9000002", "Director B", `\N`, `\N`, "director", `\N`),
		row("nm9000001", "Director A", `\N`, `\N`, "director", `\N`),
		row("nm9000003", "Director C", "1960", "2020", "director", "tt9000003"),
		row("nm9000004", `\N`, `\N`, `\N`, `\N`, `\N`),
		row("nm0000001", "Fred Astaire", "1899", "1987", "actor,miscellaneous,producer", "tt0072308,tt0050419"),
	}
)

// Every title of the fixture that a filter may keep, in basics order.
var (
	starWars     = Title{"tt0076759", "movie", "Star Wars", 1977, 121, []string{"Action", "Adventure", "Fantasy"}, false, 8.6, true, 1400000, 100, []string{"George Lucas"}}
	amelie       = Title{"tt0211915", "movie", "Amélie", 2001, 122, []string{"Comedy", "Romance"}, false, 8.3, true, 800000, 98.4, []string{"Jean-Pierre Jeunet"}}
	spirited     = Title{"tt0245429", "movie", "千と千尋の神隠し", 2001, 125, []string{"Animation", "Adventure", "Family"}, false, 8.6, true, 900000, 99.2, []string{"宮崎駿"}}
	weird        = Title{"tt9000001", "movie", `"Weird" Start`, 2020, 90, []string{"Comedy"}, false, 7.5, true, 1, 5, []string{}}
	ddlj         = Title{"tt0112870", "movie", "दिलवाले दुल्हनिया ले जायेंगे", 1995, 189, []string{"Drama", "Romance"}, false, 8.0, true, 1000, 50, []string{"आदित्य चोपड़ा"}}
	short        = Title{"tt9000005", "short", "A Short", 2010, 7, []string{"Short"}, false, 7.0, true, 50, 28.5, []string{}}
	hello        = Title{"tt9000002", "movie", `Say "Hello`, 0, 0, []string{}, false, 0, false, 0, 0, []string{}}
	adult        = Title{"tt9000007", "movie", "Adult Film", 2005, 80, []string{"Adult"}, true, 4.0, true, 2000, 55, []string{}}
	fourHands    = Title{"tt9000003", "movie", "Four Hands", 2019, 100, []string{"Drama"}, false, 6.1, true, 10, 17.4, []string{"Director C", "Director A", "Director B"}}
	originalOnly = Title{"tt9000009", "movie", "Original Only", 2018, 95, []string{"Drama"}, false, 5.0, true, 999, 50, []string{}}
)

type fixture struct{ basics, ratings, crew, names string }

// writeFixture writes the four files, each gzip-compressed when gz says so
// (in the order basics, ratings, crew, names), under names that do not give
// away which is which.
func writeFixture(t *testing.T, gz string) fixture {
	t.Helper()
	dir := t.TempDir()
	write := func(i int, k kind, rows []string) string {
		return writeTSV(t, filepath.Join(dir, fmt.Sprintf("file%d", i)), gz[i] == 'z', k.header(), rows)
	}
	return fixture{
		basics:  write(0, titleBasics, basicsRows),
		ratings: write(1, titleRatings, ratingsRows),
		crew:    write(2, titleCrew, crewRows),
		names:   write(3, nameBasics, namesRows),
	}
}

func writeTSV(t testing.TB, path string, gz bool, header string, rows []string) string {
	t.Helper()
	data := []byte(header + "\n" + strings.Join(rows, "\n") + "\n")
	if len(rows) == 0 {
		data = []byte(header + "\n")
	}
	if gz {
		data = gzipped(data)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func gzipped(data []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(data)
	w.Close()
	return buf.Bytes()
}

func (f fixture) files() Files { return Files{f.basics, f.ratings, f.crew, f.names} }

// readAll runs Read and collects what it emits.
func readAll(t *testing.T, f Files, opts Options) ([]Title, Stats, error) {
	t.Helper()
	var titles []Title
	stats, err := Read(context.Background(), f, opts, func(title Title) error {
		titles = append(titles, title)
		return nil
	}, nil)
	return titles, stats, err
}

func checkTitles(t *testing.T, got, want []Title) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %d titles, want %d", len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("title %d:\n got %#v\nwant %#v", i, got[i], want[i])
		}
	}
}

func TestReadOptions(t *testing.T) {
	defaultSkips := map[string]int64{"title type tvSeries": 1, "title type tvEpisode": 2, "title type short": 1, "adult": 1, "no title": 1}
	tests := []struct {
		name     string
		opts     Options
		want     []Title
		skipped  map[string]int64
		unknownD int64
	}{
		{"defaults: movies, no adult", Options{},
			[]Title{starWars, amelie, spirited, weird, ddlj, hello, fourHands, originalOnly}, defaultSkips, 2},
		{"movies and shorts", Options{TitleTypes: []string{"short", "movie"}},
			[]Title{starWars, amelie, spirited, weird, ddlj, short, hello, fourHands, originalOnly},
			map[string]int64{"title type tvSeries": 1, "title type tvEpisode": 2, "adult": 1, "no title": 1}, 2},
		{"adult included", Options{IncludeAdult: true},
			[]Title{starWars, amelie, spirited, weird, ddlj, hello, adult, fourHands, originalOnly},
			map[string]int64{"title type tvSeries": 1, "title type tvEpisode": 2, "title type short": 1, "no title": 1}, 3},
		{"at least 1000 votes", Options{MinVotes: 1000},
			[]Title{starWars, amelie, spirited, ddlj},
			map[string]int64{"title type tvSeries": 1, "title type tvEpisode": 2, "title type short": 1, "adult": 1, "no title": 1, "fewer than 1000 votes": 4}, 0},
		{"tv episodes only", Options{TitleTypes: []string{"tvEpisode"}},
			[]Title{
				{"tt9000006", "tvEpisode", "Episode 1", 0, 0, []string{}, false, 0, false, 0, 0, []string{}},
				{"tt9000008", "tvEpisode", "Episode 2", 2002, 44, []string{"Drama"}, false, 0, false, 0, 0, []string{}},
			},
			map[string]int64{"title type tvSeries": 1, "title type short": 1, "title type movie": 10}, 0},
	}
	files := writeFixture(t, "pppp").files()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, stats, err := readAll(t, files, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			checkTitles(t, got, tt.want)
			want := Stats{Rows: int64(len(basicsRows)), Emitted: int64(len(tt.want)), Skipped: tt.skipped, UnknownDirectors: tt.unknownD}
			if !reflect.DeepEqual(stats, want) {
				t.Errorf("stats %+v, want %+v", stats, want)
			}
			var sum int64
			for _, n := range stats.Skipped {
				sum += n
			}
			if stats.Emitted+sum != stats.Rows {
				t.Errorf("emitted %d + skipped %d != rows %d", stats.Emitted, sum, stats.Rows)
			}
		})
	}
}

// Files are told apart by content, whatever their names, order and compression.
func TestIdentifyAnyOrderAndCompression(t *testing.T) {
	tests := []struct {
		name  string
		gz    string // per file, in basics, ratings, crew, names order: z for gzip, p for plain
		order func(fixture) []string
	}{
		{"plain, in order", "pppp", func(f fixture) []string { return []string{f.basics, f.ratings, f.crew, f.names} }},
		{"gzip, reversed", "zzzz", func(f fixture) []string { return []string{f.names, f.crew, f.ratings, f.basics} }},
		{"mixed, shuffled", "zpzp", func(f fixture) []string { return []string{f.crew, f.basics, f.names, f.ratings} }},
		{"mixed the other way", "pzpz", func(f fixture) []string { return []string{f.ratings, f.names, f.basics, f.crew} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := writeFixture(t, tt.gz)
			files, err := Identify(tt.order(fx)...)
			if err != nil {
				t.Fatal(err)
			}
			if files != fx.files() {
				t.Fatalf("Identify = %+v, want %+v", files, fx.files())
			}
			got, _, err := readAll(t, files, Options{})
			if err != nil {
				t.Fatal(err)
			}
			checkTitles(t, got, []Title{starWars, amelie, spirited, weird, ddlj, hello, fourHands, originalOnly})
		})
	}
}

// Optional files left out: no ratings, no directors, or directors without names.
func TestReadWithoutOptionalFiles(t *testing.T) {
	fx := writeFixture(t, "zpzp")
	unrated := func(t Title) Title {
		t.Rating, t.HasRating, t.Votes, t.Popularity = 0, false, 0, 0
		return t
	}
	undirected := func(t Title) Title { t.Directors = []string{}; return t }
	movies := []Title{starWars, amelie, spirited, weird, ddlj, hello, fourHands, originalOnly}
	tests := []struct {
		name     string
		files    Files
		change   func(Title) Title
		unknownD int64
	}{
		{"basics only", Files{Basics: fx.basics}, func(t Title) Title { return unrated(undirected(t)) }, 0},
		{"no ratings", Files{Basics: fx.basics, Crew: fx.crew, Names: fx.names}, unrated, 2},
		{"crew without names: every director unknown", Files{Basics: fx.basics, Ratings: fx.ratings, Crew: fx.crew}, undirected, 9},
		{"names without crew: names unused", Files{Basics: fx.basics, Ratings: fx.ratings, Names: fx.names}, undirected, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, stats, err := readAll(t, tt.files, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var want []Title
			for _, m := range movies {
				want = append(want, tt.change(m))
			}
			checkTitles(t, got, want)
			if stats.UnknownDirectors != tt.unknownD {
				t.Errorf("UnknownDirectors = %d, want %d", stats.UnknownDirectors, tt.unknownD)
			}
		})
	}
}

func TestReadRefusesBadFiles(t *testing.T) {
	fx := writeFixture(t, "pppp")
	tests := []struct {
		name  string
		files Files
		opts  Options
		want  string
	}{
		{"no basics", Files{Ratings: fx.ratings}, Options{}, "no title.basics file"},
		{"min votes without ratings", Files{Basics: fx.basics}, Options{MinVotes: 1}, "needs a title.ratings file"},
		{"ratings given as basics", Files{Basics: fx.ratings}, Options{}, fx.ratings + ` line 1: header "tconst\taverageRating\tnumVotes" is not title.basics's`},
		{"basics given as crew", Files{Basics: fx.basics, Crew: fx.basics}, Options{}, fx.basics + ` line 1: header "tconst\ttitleType`},
		{"missing file", Files{Basics: fx.basics + ".gone"}, Options{}, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := readAll(t, tt.files, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			if len(got) > 0 {
				t.Errorf("emitted %d titles before failing", len(got))
			}
		})
	}
}

func TestIdentifyErrors(t *testing.T) {
	dir := t.TempDir()
	file := func(name string, data string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	basics := file("b", titleBasics.header()+"\n")
	ratings := file("r", titleRatings.header()+"\n")
	ratings2 := file("r2.gz", string(gzipped([]byte(titleRatings.header()+"\n"))))
	unknown := file("u.tsv", "tconst\tsomething\n")
	spaces := file("s.tsv", strings.ReplaceAll(titleCrew.header(), "\t", " ")+"\n")
	empty := file("e.tsv", "")
	fakeGzip := file("f.gz", "\x1f\x8bnot really gzip")
	tests := []struct {
		name  string
		paths []string
		want  []string
	}{
		{"unknown header", []string{basics, unknown}, []string{unknown, `header "tconst\tsomething" is none of IMDb's`,
			"title.basics (tconst titleType primaryTitle originalTitle isAdult startYear endYear runtimeMinutes genres)",
			"title.ratings (tconst averageRating numVotes)", "title.crew (tconst directors writers)",
			"or name.basics (nconst primaryName birthYear deathYear primaryProfession knownForTitles)"}},
		{"spaces for tabs", []string{spaces}, []string{spaces, `"tconst directors writers" is none of IMDb's`}},
		{"two of one kind", []string{ratings, basics, ratings2}, []string{ratings + " and " + ratings2 + " are both title.ratings files"}},
		{"one file twice", []string{basics, ratings, basics}, []string{basics + " is given twice"}},
		{"no title.basics", []string{ratings}, []string{"no title.basics file among the 1 given", `"tconst\ttitleType`}},
		{"nothing given", nil, []string{"no title.basics file among the 0 given"}},
		{"empty file", []string{empty}, []string{empty + ": empty file, want a header row"}},
		{"bad gzip", []string{fakeGzip}, []string{fakeGzip + ": gzip: invalid header"}},
		{"missing file", []string{filepath.Join(dir, "gone")}, []string{"no such file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files, err := Identify(tt.paths...)
			if err == nil {
				t.Fatalf("Identify = %+v, want an error", files)
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	long := strings.Repeat("x", maxLine+10)
	tests := []struct {
		name    string
		kind    kind
		bad     string // a row appended to the fixture file of that kind
		column  string
		problem string
	}{
		{"too few fields", titleBasics, row("tt1", "movie", "X"), "originalTitle", "the line has 3 tab-separated fields, want 9"},
		{"too many fields", titleBasics, row("tt1", "movie", "X", "X", "0", "2000", `\N`, "90", "Drama", "extra"), "genres", "the line has 10 tab-separated fields, want 9"},
		{"empty line", titleRatings, "", "averageRating", "the line has 1 tab-separated fields, want 3"},
		{"tconst without tt", titleBasics, row("t0001", "movie", "X", "X", "0", "2000", `\N`, "90", "Drama"), "tconst", `"t0001" is not a tconst ("tt" and digits)`},
		{"nconst as tconst", titleBasics, row("nm0001", "movie", "X", "X", "0", "2000", `\N`, "90", "Drama"), "tconst", `"nm0001" is not a tconst`},
		{"bare tt", titleRatings, row("tt", "5.0", "3"), "tconst", `"tt" is not a tconst`},
		{"tconst too big", titleRatings, row("tt99999999999", "5.0", "3"), "tconst", `"tt99999999999" is not a tconst`},
		{"null tconst", titleCrew, row(`\N`, `\N`, `\N`), "tconst", `"\\N" is not a tconst`},
		{"bad start year", titleBasics, row("tt1", "movie", "X", "X", "0", "19x7", `\N`, "90", "Drama"), "startYear", `"19x7" is not a year`},
		{"five-digit end year", titleBasics, row("tt1", "tvSeries", "X", "X", "0", "2000", "20000", "90", "Drama"), "endYear", `"20000" is not a year`},
		{"bad runtime", titleBasics, row("tt1", "movie", "X", "X", "0", "2000", `\N`, "90m", "Drama"), "runtimeMinutes", `"90m" is not a whole number`},
		{"negative runtime", titleBasics, row("tt1", "movie", "X", "X", "0", "2000", `\N`, "-90", "Drama"), "runtimeMinutes", `"-90" is not a whole number`},
		{"bad isAdult", titleBasics, row("tt1", "movie", "X", "X", "2", "2000", `\N`, "90", "Drama"), "isAdult", `"2" is not 0 or 1`},
		{"invalid UTF-8", titleBasics, row("tt1", "movie", "Am\xe9lie", "X", "0", "2000", `\N`, "90", "Drama"), "primaryTitle", `"Am\xe9lie" is not valid UTF-8`},
		{"line too long", titleBasics, row("tt1", "movie", long, "X", "0", "2000", `\N`, "90", "Drama"), "", "the line is longer than 1 MiB"},
		{"duplicate of the last movie", titleBasics, basicsRows[11], "tconst", `"tt9000009" appears twice`},
		{"rating in words", titleRatings, row("tt1", "eleven", "3"), "averageRating", `"eleven" is not a rating from 0 to 10`},
		{"rating above 10", titleRatings, row("tt1", "11", "3"), "averageRating", `"11" is not a rating`},
		{"rating NaN", titleRatings, row("tt1", "NaN", "3"), "averageRating", `"NaN" is not a rating`},
		{"rating exponent", titleRatings, row("tt1", "1e1", "3"), "averageRating", `"1e1" is not a rating`},
		{"null rating", titleRatings, row("tt1", `\N`, "3"), "averageRating", `"\\N" is not a rating`},
		{"negative votes", titleRatings, row("tt1", "5.0", "-5"), "numVotes", `"-5" is not a whole number`},
		{"null votes", titleRatings, row("tt1", "5.0", `\N`), "numVotes", `a ratings row needs a number of votes`},
		{"second ratings row", titleRatings, row("tt0076759", "1.0", "5"), "tconst", `a second row for "tt0076759"`},
		{"tconst among directors", titleCrew, row("tt1", "nm1,tt2", `\N`), "directors", `"tt2" in "nm1,tt2" is not a nconst ("nm" and digits)`},
		{"empty director", titleCrew, row("tt1", "nm1,", `\N`), "directors", `"" in "nm1," is not a nconst`},
		{"bad writer", titleCrew, row("tt1", `\N`, "x"), "writers", `"x" in "x" is not a nconst`},
		{"second crew row", titleCrew, row("tt9000003", `\N`, `\N`), "tconst", `a second row for "tt9000003"`},
		{"tconst as nconst", nameBasics, row("tt1", "X", `\N`, `\N`, `\N`, `\N`), "nconst", `"tt1" is not a nconst`},
		{"bad birth year", nameBasics, row("nm1", "X", "abc", `\N`, `\N`, `\N`), "birthYear", `"abc" is not a year`},
		{"bad death year", nameBasics, row("nm1", "X", "1900", "19.5", `\N`, `\N`), "deathYear", `"19.5" is not a year`},
		{"bad known-for title", nameBasics, row("nm1", "X", `\N`, `\N`, `\N`, "tt1,nm2"), "knownForTitles", `"nm2" in "tt1,nm2" is not a tconst`},
		{"second names row", nameBasics, row("nm9000001", "Someone Else", `\N`, `\N`, `\N`, `\N`), "nconst", `a second row for "nm9000001"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := writeFixture(t, "zpzp")
			rows := map[kind][]string{titleBasics: basicsRows, titleRatings: ratingsRows, titleCrew: crewRows, nameBasics: namesRows}[tt.kind]
			path := map[kind]string{titleBasics: fx.basics, titleRatings: fx.ratings, titleCrew: fx.crew, nameBasics: fx.names}[tt.kind]
			writeTSV(t, path, tt.kind == titleBasics, tt.kind.header(), append(slices.Clone(rows), tt.bad))
			got, _, err := readAll(t, fx.files(), Options{})
			var perr *ParseError
			if !errors.As(err, &perr) {
				t.Fatalf("err = %v, want a *ParseError", err)
			}
			want := ParseError{File: path, Line: int64(len(rows) + 2), Column: tt.column}
			if perr.File != want.File || perr.Line != want.Line || perr.Column != want.Column || !strings.Contains(perr.Problem, tt.problem) {
				t.Errorf("got %+v, want %+v with a problem containing %q", *perr, want, tt.problem)
			}
			if len(got) > 0 {
				t.Errorf("emitted %d titles before the error", len(got))
			}
		})
	}
}

func TestParseErrorMessage(t *testing.T) {
	tests := []struct {
		err  ParseError
		want string
	}{
		{ParseError{"title.basics.tsv.gz", 1234, "startYear", `"19x7" is not a year`}, `title.basics.tsv.gz line 1234, column startYear: "19x7" is not a year`},
		{ParseError{"name.basics.tsv", 7, "", "the line is longer than 1 MiB"}, `name.basics.tsv line 7: the line is longer than 1 MiB`},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

// A duplicate that file order hides from pass 1 is caught when emitting.
func TestDuplicateOutOfOrder(t *testing.T) {
	fx := writeFixture(t, "pppp")
	writeTSV(t, fx.basics, false, titleBasics.header(), append(slices.Clone(basicsRows), basicsRows[0]))
	_, _, err := readAll(t, fx.files(), Options{})
	var perr *ParseError
	if !errors.As(err, &perr) || perr.Line != int64(len(basicsRows)+2) || perr.Column != "tconst" || !strings.Contains(perr.Problem, `"tt0076759" appears twice`) {
		t.Fatalf("err = %v, want a duplicate tt0076759 on line %d", err, len(basicsRows)+2)
	}
}

func TestDamagedGzip(t *testing.T) {
	small := gzipped([]byte(titleBasics.header() + "\n" + strings.Join(basicsRows, "\n") + "\n"))
	// Several of readAhead's chunks, so that the damage is met by a chunk
	// other than the first.
	var many []string
	for i := range 40_000 {
		many = append(many, row(fmt.Sprintf("tt%07d", i+1), "movie", fmt.Sprintf("Title %d", i), fmt.Sprintf("Title %d", i), "0", "1999", `\N`, "95", "Drama"))
	}
	large := gzipped([]byte(titleBasics.header() + "\n" + strings.Join(many, "\n") + "\n"))
	tests := []struct {
		name   string
		data   []byte
		damage func([]byte) []byte
		want   error
	}{
		{"cut in half", small, func(b []byte) []byte { return b[:len(b)/2] }, io.ErrUnexpectedEOF},
		{"trailer cut", small, func(b []byte) []byte { return b[:len(b)-4] }, io.ErrUnexpectedEOF},
		{"bad checksum", small, func(b []byte) []byte { b[len(b)-8] ^= 0xff; return b }, gzip.ErrChecksum},
		{"a large file cut in half", large, func(b []byte) []byte { return b[:len(b)/2] }, io.ErrUnexpectedEOF},
		{"a large file's trailer cut", large, func(b []byte) []byte { return b[:len(b)-4] }, io.ErrUnexpectedEOF},
		{"a large file's checksum", large, func(b []byte) []byte { b[len(b)-8] ^= 0xff; return b }, gzip.ErrChecksum},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "title.basics.tsv.gz")
			if err := os.WriteFile(path, tt.damage(slices.Clone(tt.data)), 0o644); err != nil {
				t.Fatal(err)
			}
			got, _, err := readAll(t, Files{Basics: path}, Options{})
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("err = %v, want %v naming %s", err, tt.want, path)
			}
			if len(got) > 0 {
				t.Errorf("emitted %d titles", len(got))
			}
		})
	}
}

func TestPopularity(t *testing.T) {
	tests := []struct {
		votes int64
		want  float64
	}{
		{-1, 0}, {0, 0}, {1, 5.0}, {10, 17.4}, {100, 33.4}, {1000, 50.0}, {10_000, 66.7},
		{100_000, 83.3}, {999_999, 100}, {PopularityFullVotes, 100}, {3_000_000, 100},
	}
	for _, tt := range tests {
		if got := Popularity(tt.votes); got != tt.want {
			t.Errorf("Popularity(%d) = %v, want %v", tt.votes, got, tt.want)
		}
	}
}

func TestProgress(t *testing.T) {
	fx := writeFixture(t, "zpzp")
	type pass struct {
		file string
		rows int
	}
	want := []pass{{file: fx.basics, rows: len(basicsRows)}, {file: fx.ratings, rows: len(ratingsRows)},
		{file: fx.crew, rows: len(crewRows)}, {file: fx.names, rows: len(namesRows)}, {file: fx.basics, rows: len(basicsRows)}}
	var got []Progress
	_, err := Read(context.Background(), fx.files(), Options{}, func(Title) error { return nil }, func(p Progress) { got = append(got, p) })
	if err != nil {
		t.Fatal(err)
	}
	// Small files: one report as each pass starts, one as it ends.
	if len(got) != 2*len(want) {
		t.Fatalf("got %d reports, want %d: %+v", len(got), 2*len(want), got)
	}
	for i, w := range want {
		st, err := os.Stat(w.file)
		if err != nil {
			t.Fatal(err)
		}
		start, end := got[2*i], got[2*i+1]
		if start != (Progress{Pass: i + 1, Passes: 5, File: w.file, Rows: 0, Bytes: start.Bytes, TotalBytes: st.Size()}) {
			t.Errorf("pass %d starts with %+v", i+1, start)
		}
		if end != (Progress{Pass: i + 1, Passes: 5, File: w.file, Rows: int64(w.rows), Bytes: st.Size(), TotalBytes: st.Size()}) {
			t.Errorf("pass %d ends with %+v, want all %d rows and bytes", i+1, end, w.rows)
		}
	}
}

// writeMany writes a title.basics of n rows of which movies are movies,
// spread evenly, with a ratings and a crew row for each title and names for
// up to 50,000 directors.
func writeMany(t testing.TB, dir string, n, movies int) Files {
	t.Helper()
	others := []string{"tvEpisode", "tvEpisode", "tvEpisode", "tvEpisode", "short", "tvSeries", "video"}
	var basics, ratings, crew, names []string
	for i := range n {
		id := fmt.Sprintf("tt%07d", i+1)
		typ := others[i%len(others)]
		if i%(n/movies) == 0 {
			typ = "movie"
		}
		basics = append(basics, row(id, typ, fmt.Sprintf("Title number %d", i), fmt.Sprintf("Original title %d", i), "0", "1999", `\N`, "95", "Drama,Comedy"))
		ratings = append(ratings, row(id, "6.5", fmt.Sprint(i%5000)))
		crew = append(crew, row(id, fmt.Sprintf("nm%07d,nm%07d", i%50000, (i+1)%50000), fmt.Sprintf("nm%07d", i%777)))
	}
	for i := range min(n, 50000) {
		names = append(names, row(fmt.Sprintf("nm%07d", i), fmt.Sprintf("Person %d", i), "1950", `\N`, "director", "tt0000001"))
	}
	return Files{
		Basics:  writeTSV(t, filepath.Join(dir, "basics"), false, titleBasics.header(), basics),
		Ratings: writeTSV(t, filepath.Join(dir, "ratings"), false, titleRatings.header(), ratings),
		Crew:    writeTSV(t, filepath.Join(dir, "crew"), false, titleCrew.header(), crew),
		Names:   writeTSV(t, filepath.Join(dir, "names"), false, nameBasics.header(), names),
	}
}

// TestMemoryStaysFlat reads title.basics files of different sizes and logs
// the heap in use while reading: it should follow the titles selected, not
// the rows read. Only a loose bound is asserted; the numbers are for people.
func TestMemoryStaysFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and reads a few hundred thousand rows")
	}
	tests := []struct{ rows, movies int }{
		{50_000, 5_000},
		{200_000, 5_000},
		{200_000, 20_000},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d rows, %d movies", tt.rows, tt.movies), func(t *testing.T) {
			files := writeMany(t, t.TempDir(), tt.rows, tt.movies)
			var before, m runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			var peak uint64
			sample := func(Progress) {
				runtime.ReadMemStats(&m)
				peak = max(peak, m.HeapInuse)
			}
			var kept []string // a caller keeps something per title; ids stand for it
			start := time.Now()
			stats, err := Read(context.Background(), files, Options{}, func(title Title) error {
				kept = append(kept, title.IMDbID)
				return nil
			}, sample)
			elapsed := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			runtime.ReadMemStats(&m)
			allocated := m.TotalAlloc - before.TotalAlloc
			runtime.GC()
			runtime.ReadMemStats(&m)
			if stats.Emitted != int64(tt.movies) || len(kept) != tt.movies {
				t.Fatalf("emitted %d, want %d", stats.Emitted, tt.movies)
			}
			t.Logf("heap in use: %.1f MiB before, peak %.1f MiB while reading, %.1f MiB after (with the %d ids kept); allocated %.0f bytes per basics row; %.0f basics rows/s through all 5 passes",
				mib(before.HeapInuse), mib(peak), mib(m.HeapInuse), len(kept), float64(allocated)/float64(tt.rows), float64(tt.rows)/elapsed.Seconds())
			if grown := peak - before.HeapInuse; grown > 100<<20 {
				t.Errorf("heap grew by %.1f MiB while reading", mib(grown))
			}
		})
	}
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }

// BenchmarkRead reads 200,000 title.basics rows (20,000 movies) with their
// ratings, crew and names, plain and gzip-compressed.
func BenchmarkRead(b *testing.B) {
	for _, gz := range []bool{false, true} {
		b.Run(map[bool]string{false: "plain", true: "gzip"}[gz], func(b *testing.B) {
			dir := b.TempDir()
			files := writeMany(b, dir, 200_000, 20_000)
			if gz {
				for _, p := range []string{files.Basics, files.Ratings, files.Crew, files.Names} {
					data, err := os.ReadFile(p)
					if err != nil {
						b.Fatal(err)
					}
					if err := os.WriteFile(p, gzipped(data), 0o644); err != nil {
						b.Fatal(err)
					}
				}
			}
			for b.Loop() {
				_, err := Read(context.Background(), files, Options{}, func(Title) error { return nil }, nil)
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(200_000*b.N)/b.Elapsed().Seconds(), "basics_rows/s")
		})
	}
}

func TestCancel(t *testing.T) {
	files := writeMany(t, t.TempDir(), 60_000, 6_000)
	tests := []struct {
		name        string
		preCancel   bool
		cancelPass  int // cancel when this pass is first reported
		cancelAfter int // cancel after this many titles emitted
		maxEmitted  int
	}{
		{"before Read", true, 0, 0, 0},
		{"in pass 1", false, 1, 0, 0},
		{"in pass 3", false, 3, 0, 0},
		{"while emitting", false, 0, 10, 10 + checkEvery},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.preCancel {
				cancel()
			}
			emitted := 0
			_, err := Read(ctx, files, Options{}, func(Title) error {
				if emitted++; emitted == tt.cancelAfter {
					cancel()
				}
				return nil
			}, func(p Progress) {
				if p.Pass == tt.cancelPass {
					cancel()
				}
			})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want context.Canceled", err)
			}
			if emitted > tt.maxEmitted {
				t.Errorf("%d titles emitted, want at most %d", emitted, tt.maxEmitted)
			}
		})
	}
}

func TestEmitError(t *testing.T) {
	errStop := errors.New("stop")
	calls := 0
	stats, err := Read(context.Background(), writeFixture(t, "pppp").files(), Options{}, func(Title) error {
		if calls++; calls == 2 {
			return errStop
		}
		return nil
	}, nil)
	if !errors.Is(err, errStop) || calls != 2 || stats.Emitted != 1 {
		t.Fatalf("err %v after %d calls, %d emitted; want errStop after 2 calls, 1 emitted", err, calls, stats.Emitted)
	}
}

func TestCursor(t *testing.T) {
	set := idSet{3, 5, 8, 13, 21}
	tests := []struct {
		name    string
		lookups []uint32
	}{
		{"ascending, every id", []uint32{1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 20, 21, 22}},
		{"ascending, set only", []uint32{3, 5, 8, 13, 21}},
		{"descending", []uint32{30, 21, 13, 12, 8, 5, 4, 3, 0}},
		{"repeats", []uint32{5, 5, 8, 8, 21, 21, 3, 3}},
		{"jumps", []uint32{21, 3, 13, 5, 30, 0, 8}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cur := cursor{set: set}
			for _, id := range tt.lookups {
				i, ok := cur.index(id)
				wi, wok := set.index(id)
				if ok != wok || ok && i != wi {
					t.Fatalf("index(%d) = %d, %v; want %d, %v", id, i, ok, wi, wok)
				}
			}
		})
	}
}
