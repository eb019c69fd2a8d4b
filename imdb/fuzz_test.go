package imdb

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzRead: any body of title.basics, title.ratings and title.crew under
// their headers is read to the end or refused with a ParseError that names
// a line; never a panic, and every title emitted is whole.
func FuzzRead(f *testing.F) {
	for _, seed := range [][3]string{
		{"tt0076759\tmovie\tStar Wars\tStar Wars\t0\t1977\t\\N\t121\tAction,Adventure,Fantasy", "tt0076759\t8.6\t1400000", "tt0076759\tnm0000184\t\\N"},
		{"tt1\tmovie\t\"Quoted\tx\t0\t\\N\t\\N\t\\N\t\\N", "", ""},
		{"tt2\tshort\tShort\tShort\t1\t2020\t\\N\t5\tShort\ntt3\tmovie\tÉté\tÉté\t0\t1999\t\\N\t90\tDrama", "tt3\t7\t10\ntt3\t7\t10", "tt3\tnm1,nm2\tnm3"},
		{"tt4\tmovie\tx", "", ""},
		{"xx5\tmovie\ty\ty\t0\t99999\t\\N\t-1\t\\N", "tt5\tten\t-3", "tt5\t\\N\t\\N"},
		{"tt6\tmovie\tz\tz\t2\t2000\t\\N\t1\t,,", "tt6\t11\t1e9", "tt6\tnm\t"},
	} {
		f.Add(seed[0], seed[1], seed[2])
	}
	f.Fuzz(func(t *testing.T, basics, ratings, crew string) {
		dir := t.TempDir()
		write := func(name string, k kind, body string) string {
			path := filepath.Join(dir, name)
			if err := os.WriteFile(path, []byte(k.header()+"\n"+body), 0o600); err != nil {
				t.Fatal(err)
			}
			return path
		}
		files := Files{Basics: write("basics.tsv", titleBasics, basics), Ratings: write("ratings.tsv", titleRatings, ratings), Crew: write("crew.tsv", titleCrew, crew)}
		_, err := Read(context.Background(), files, Options{TitleTypes: []string{"movie", "short"}, IncludeAdult: true}, func(ti Title) error {
			if !strings.HasPrefix(ti.IMDbID, "tt") || ti.Genres == nil || ti.Directors == nil || !utf8.ValidString(ti.Name) {
				t.Fatalf("a title that is not whole: %+v", ti)
			}
			if ti.Popularity < 0 || ti.Popularity > 100 || ti.Votes < 0 {
				t.Fatalf("out of range: %+v", ti)
			}
			return nil
		}, nil)
		var pe *ParseError
		if err != nil && (!errors.As(err, &pe) || pe.Line < 1) {
			t.Fatalf("not a ParseError with a line: %v", err)
		}
	})
}
