package main

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fimdb/db"
	"fimdb/imdb"
)

// tsv writes a file in IMDb's format: a header row, then the rows, tabs
// between fields, gzip-compressed when the name ends in .gz.
func tsv(t *testing.T, dir, name string, rows ...string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	text := strings.Join(rows, "\n") + "\n"
	if !strings.HasSuffix(name, ".gz") {
		f.WriteString(text)
		return path
	}
	z := gzip.NewWriter(f)
	z.Write([]byte(text))
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

const (
	basicsHeader  = "tconst\ttitleType\tprimaryTitle\toriginalTitle\tisAdult\tstartYear\tendYear\truntimeMinutes\tgenres"
	ratingsHeader = "tconst\taverageRating\tnumVotes"
	crewHeader    = "tconst\tdirectors\twriters"
	namesHeader   = "nconst\tprimaryName\tbirthYear\tdeathYear\tprimaryProfession\tknownForTitles"
)

// imdbFiles are four small datasets: movies with and without ratings and
// crew, two directors, quotes and non-ASCII in titles, and titles of other
// types and adult ones, which the default options leave out.
func imdbFiles(t *testing.T, dir string, rating string) []string {
	return []string{
		// Given in another order than IMDb names them: recognised by header.
		tsv(t, dir, "title.ratings.tsv", ratingsHeader, "tt0133093\t"+rating+"\t2100000", "tt0211915\t8.3\t800000"),
		tsv(t, dir, "title.basics.tsv.gz", basicsHeader,
			"tt0133093\tmovie\tThe Matrix\tThe Matrix\t0\t1999\t\\N\t136\tAction,Sci-Fi",
			"tt0211915\tmovie\tAmélie\tLe fabuleux destin d'Amélie Poulain\t0\t2001\t\\N\t122\tComedy,Romance",
			"tt9000001\tmovie\t\"Quoted\" at the start\t\\N\t0\t\\N\t\\N\t\\N\t\\N",
			"tt9000002\ttvSeries\tA Series\tA Series\t0\t2010\t2012\t45\tDrama",
			"tt9000003\tmovie\tAn Adult Title\tAn Adult Title\t1\t2005\t\\N\t90\tAdult"),
		tsv(t, dir, "title.crew.tsv.gz", crewHeader, "tt0133093\tnm0905154,nm0905152\t\\N", "tt0211915\tnm0000466\tnm0000466"),
		tsv(t, dir, "name.basics.tsv", namesHeader,
			"nm0905152\tLilly Wachowski\t1967\t\\N\tdirector\ttt0133093",
			"nm0905154\tLana Wachowski\t1965\t\\N\tdirector\ttt0133093",
			"nm0000466\tJean-Pierre Jeunet\t1953\t\\N\tdirector\ttt0211915"),
	}
}

func movieByIMDbID(t *testing.T, path, id string) db.Movie {
	t.Helper()
	s, err := db.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	l, err := s.ListMovies(t.Context(), db.ListQuery{PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range l.Movies {
		if m.IMDbID == id {
			return m
		}
	}
	t.Fatalf("no movie has imdb_id %s", id)
	return db.Movie{}
}

// TestImportIMDbDatasets: `fimdb import` recognises IMDb's files by their
// header rows (plain or gzip), imports the movies, and a second run
// updates what changed instead of adding it again.
func TestImportIMDbDatasets(t *testing.T) {
	dir, dbPath := t.TempDir(), filepath.Join(t.TempDir(), "imdb.db")
	stdout, _, err := runCLI(t, append([]string{"import", "--db", dbPath}, imdbFiles(t, dir, "8.7")...)...)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	for _, want := range []string{"3 added, 0 updated, 0 unchanged, 2 skipped.", "skipped 1: adult", "skipped 1: title type tvSeries"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout)
		}
	}
	matrix := movieByIMDbID(t, dbPath, "tt0133093")
	if matrix.Name != "The Matrix" || matrix.Director != "Lana Wachowski, Lilly Wachowski" || matrix.Year != 1999 ||
		matrix.RuntimeMinutes != 136 || matrix.Votes != 2_100_000 || matrix.IMDBScore != 8.7 || matrix.Popularity == 0 ||
		strings.Join(matrix.Genres, ",") != "Action,Sci-Fi" {
		t.Errorf("The Matrix: %+v", matrix)
	}
	if q := movieByIMDbID(t, dbPath, "tt9000001"); q.Name != `"Quoted" at the start` || q.Director != "" || q.Year != 0 || q.Votes != 0 {
		t.Errorf("a title with nothing but a name: %+v", q)
	}

	stdout, _, err = runCLI(t, append([]string{"import", "--db", dbPath, "--format", "imdb"}, imdbFiles(t, t.TempDir(), "8.8")...)...)
	if err != nil {
		t.Fatalf("second import: %v", err)
	}
	if !strings.Contains(stdout, "0 added, 1 updated, 2 unchanged, 2 skipped.") {
		t.Errorf("second summary:\n%s", stdout)
	}
	if again := movieByIMDbID(t, dbPath, "tt0133093"); again.ID != matrix.ID || again.IMDBScore != 8.8 || again.Version != matrix.Version+1 {
		t.Errorf("The Matrix after a new rating: %+v (was %+v)", again, matrix)
	}
	if n := countMovies(t, dbPath); n != 3 {
		t.Errorf("%d movies after two imports, want 3", n)
	}

	stdout, _, err = runCLI(t, append([]string{"import", "--db", dbPath, "--title-types", "movie,tvSeries", "--include-adult", "--min-votes", "1"}, imdbFiles(t, t.TempDir(), "8.8")...)...)
	if err != nil {
		t.Fatalf("third import: %v", err)
	}
	if !strings.Contains(stdout, "0 added, 0 updated, 2 unchanged, 3 skipped.") || !strings.Contains(stdout, "fewer than 1 vote") {
		t.Errorf("with --min-votes 1 (only two titles have ratings):\n%s", stdout)
	}
}

func TestImportIMDbRejectsBadInput(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "imdb.db")
	good := imdbFiles(t, t.TempDir(), "8.7")
	dir := t.TempDir()
	badYear := tsv(t, dir, "title.basics.tsv", basicsHeader, "tt0133093\tmovie\tThe Matrix\tThe Matrix\t0\t1999\t\\N\t136\tAction", "tt0211915\tmovie\tAmélie\tAmélie\t0\t20x1\t\\N\t122\tComedy")
	unknown := tsv(t, dir, "other.tsv", "id\tname", "1\tx")
	for _, tt := range []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"a malformed line", []string{badYear}, "line 3, column startYear"},
		{"a file that is not a dataset", []string{good[1], unknown}, "other.tsv"},
		{"two files of one kind", []string{good[1], good[1]}, "title.basics"},
		{"no title.basics", []string{good[0]}, "title.basics"},
		{"an unknown format", []string{"--format", "xml", good[1]}, "--format is json or imdb"},
		{"two JSON files", []string{writeFile(t, "a.json", "[]"), writeFile(t, "b.json", "[]")}, "a JSON import takes one file"},
		{"negative votes", []string{"--min-votes", "-1", good[1]}, "--min-votes cannot be negative"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runCLI(t, append([]string{"import", "--db", dbPath}, tt.args...)...)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
			}
			if exit, ok := err.(interface{ ExitCode() int }); !ok || exit.ExitCode() == 0 {
				t.Errorf("exit code not set: %v", err)
			}
		})
	}
	if _, err := os.Stat(dbPath); err == nil {
		if n := countMovies(t, dbPath); n != 0 {
			t.Errorf("rejected imports left %d movies", n)
		}
	}
}

// TestPipelinedHandsOverEveryTitleInOrder: titles read in one goroutine
// reach add in the other in order, and an error on either side stops both
// and is returned.
func TestPipelinedHandsOverEveryTitleInOrder(t *testing.T) {
	readErr, addErr := errors.New("line 7: malformed"), errors.New("disk full")
	for _, tc := range []struct {
		name              string
		titles, failAt    int
		failReading, want error
	}{
		{name: "all", titles: 2000},
		{name: "none", titles: 0},
		{name: "reading fails", titles: 1500, failReading: readErr, want: readErr},
		{name: "adding fails", titles: 100_000, failAt: 700, want: addErr},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var read int
			var got []string
			err := pipelined(context.Background(), func(ctx context.Context, emit func(imdb.Title) error) error {
				for i := range tc.titles {
					if err := emit(imdb.Title{IMDbID: fmt.Sprintf("tt%07d", i)}); err != nil {
						return err
					}
					read++
				}
				return tc.failReading
			}, func(title imdb.Title) error {
				if tc.failAt > 0 && len(got) == tc.failAt {
					return addErr
				}
				got = append(got, title.IMDbID)
				return nil
			})
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			for i, id := range got {
				if id != fmt.Sprintf("tt%07d", i) {
					t.Fatalf("title %d is %s", i, id)
				}
			}
			if tc.want == nil && len(got) != tc.titles {
				t.Errorf("added %d of %d", len(got), tc.titles)
			}
			if tc.failAt > 0 && read == tc.titles {
				t.Errorf("the reader read all %d titles after adding failed", read)
			}
		})
	}
}
