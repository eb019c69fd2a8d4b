package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"fimdb/imdb"
)

// testOther is -other's default.
const testMovies, testOther = 400, 15

// TestIMDbFormatImports writes the datasets and reads them back with the
// importer's reader, default options: exactly -n movies come out, each
// complete, and every director has a name.
func TestIMDbFormatImports(t *testing.T) {
	dir := t.TempDir()
	if err := run([]string{"-format", "imdb", "-n", strconv.Itoa(testMovies), "-dir", dir}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	paths, _ := filepath.Glob(filepath.Join(dir, "*.tsv.gz"))
	if len(paths) != 4 {
		t.Fatalf("wrote %v, want 4 .tsv.gz files", paths)
	}
	files, err := imdb.Identify(paths...)
	if err != nil {
		t.Fatal(err)
	}
	if files.Basics == "" || files.Ratings == "" || files.Crew == "" || files.Names == "" {
		t.Fatalf("Identify found %+v, want all four files", files)
	}

	tconst := regexp.MustCompile(`^tt[0-9]{7,}$`)
	seen := map[string]bool{}
	var rated, directed int
	stats, err := imdb.Read(context.Background(), files, imdb.Options{}, func(ti imdb.Title) error {
		switch {
		case !tconst.MatchString(ti.IMDbID) || seen[ti.IMDbID]:
			t.Errorf("tconst %q: malformed or seen twice", ti.IMDbID)
		case ti.Type != "movie" || ti.Adult:
			t.Errorf("%s: type %q, adult %v", ti.IMDbID, ti.Type, ti.Adult)
		case ti.Name == "" || !utf8.ValidString(ti.Name):
			t.Errorf("%s: name %q", ti.IMDbID, ti.Name)
		case ti.Year != 0 && (ti.Year < 1894 || ti.Year > 2030), ti.RuntimeMinutes < 0 || ti.RuntimeMinutes > 600:
			t.Errorf("%s: year %d, runtime %d", ti.IMDbID, ti.Year, ti.RuntimeMinutes)
		case ti.HasRating && (ti.Votes < 5 || ti.Rating < 1 || ti.Rating > 10):
			t.Errorf("%s: rating %v, votes %d", ti.IMDbID, ti.Rating, ti.Votes)
		}
		seen[ti.IMDbID] = true
		if ti.HasRating {
			rated++
		}
		if len(ti.Directors) > 0 {
			directed++
		}
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Emitted != testMovies || len(seen) != testMovies {
		t.Errorf("emitted %d movies (%d distinct), want -n = %d", stats.Emitted, len(seen), testMovies)
	}
	if want := int64(testMovies * (1 + testOther)); stats.Rows != want {
		t.Errorf("title.basics has %d rows, want %d", stats.Rows, want)
	}
	if stats.UnknownDirectors != 0 {
		t.Errorf("%d directors have no name in name.basics", stats.UnknownDirectors)
	}
	if stats.Skipped["adult"] == 0 || stats.Skipped["title type tvEpisode"] < stats.Rows/2 {
		t.Errorf("skipped %v: want some adult movies and mostly episodes", stats.Skipped)
	}
	if rated < testMovies*3/4 || rated > testMovies*19/20 || directed < testMovies*4/5 {
		t.Errorf("%d of %d movies rated, %d directed: want about 85%% and 92%%", rated, testMovies, directed)
	}

	// Every title of every type reads back, and the other files are whole.
	all := imdb.Options{TitleTypes: titleTypes(t, files.Basics), IncludeAdult: true}
	stats, err = imdb.Read(context.Background(), files, all, func(imdb.Title) error { return nil }, nil)
	if err != nil || stats.Emitted != stats.Rows {
		t.Errorf("all types, adult included: emitted %d of %d rows, err %v", stats.Emitted, stats.Rows, err)
	}

	basics := gunzip(t, files.Basics)
	for _, want := range []string{"\t\"", "\"\t", "é", `\N`, "\tvideo\t", "\tshort\t"} {
		if !strings.Contains(basics, want) {
			t.Errorf("title.basics has no %q", want)
		}
	}
}

func TestIMDbFormatIsDeterministic(t *testing.T) {
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	for _, args := range [][]string{{"-dir", a}, {"-dir", b}, {"-dir", c, "-seed", "2"}} {
		if err := run(append([]string{"-format", "imdb", "-n", "50", "-other", "3"}, args...), io.Discard, io.Discard); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"title.basics", "title.ratings", "title.crew", "name.basics"} {
		file := name + ".tsv.gz"
		if gunzip(t, filepath.Join(a, file)) != gunzip(t, filepath.Join(b, file)) {
			t.Errorf("%s differs for the same seed", file)
		}
		if gunzip(t, filepath.Join(a, file)) == gunzip(t, filepath.Join(c, file)) {
			t.Errorf("%s is the same for seeds 1 and 2", file)
		}
	}
}

// TestJSONFormat: the default stays the seed's JSON array.
func TestJSONFormat(t *testing.T) {
	var out bytes.Buffer
	if err := run([]string{"-n", "2"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if s := out.String(); !strings.HasPrefix(s, "[\n{\"99popularity\":") || !strings.HasSuffix(s, "}\n]\n") || strings.Count(s, "imdb_score") != 2 {
		t.Errorf("JSON output:\n%s", s)
	}
}

func titleTypes(t *testing.T, basics string) []string {
	seen := map[string]bool{}
	var types []string
	for i, line := range strings.Split(strings.TrimSuffix(gunzip(t, basics), "\n"), "\n") {
		if typ := strings.Split(line, "\t")[1]; i > 0 && !seen[typ] {
			seen[typ] = true
			types = append(types, typ)
		}
	}
	return types
}

func gunzip(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
