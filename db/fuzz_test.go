package db

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"unicode/utf8"
)

// FuzzDecodeCatalog: any file gives every movie, each valid, or one error
// that points at a place in the file; never a panic, never part of a file.
func FuzzDecodeCatalog(f *testing.F) {
	for _, seed := range []string{
		`[]`,
		`[{"name":"Star Wars","director":"George Lucas","genre":[" Action","Sci-Fi"],"imdb_score":8.8,"99popularity":88}]`,
		`[{"name":"Ran","director":"","genre":[],"imdb_score":8.2,"99popularity":81,"imdb_id":"tt0089881","year":1985,"runtime_minutes":162,"votes":131000}]`,
		`[{"name":"x","director":"y","imdb_score":"8","99popularity":1}]`,
		`[{"name":"x","director":"y","imdb_score":11,"99popularity":1}]`,
		`[{"name":"x"}`,
		`{"name":"x"}`,
		"[\n{\"name\":\"\u00e9\",\"director\":\"d\",\"imdb_score\":1e308,\"99popularity\":-0}]\n]",
		"\xef\xbb\xbf[]",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		movies, err := DecodeCatalog(bytes.NewReader(data))
		if err != nil {
			if movies != nil {
				t.Fatalf("an error (%v) and %d movies", err, len(movies))
			}
			var ce *CatalogError
			if !errors.As(err, &ce) {
				t.Fatalf("not a CatalogError: %v", err)
			}
			if ce.Line < 1 || ce.Column < 1 || ce.Offset < 0 || ce.Offset > int64(len(data)) {
				t.Fatalf("the error points nowhere in %d bytes: %+v", len(data), ce)
			}
			return
		}
		for i, m := range movies {
			if err := m.Validate(); err != nil {
				t.Fatalf("movie #%d decoded but invalid: %v", i+1, err)
			}
		}
	})
}

// FuzzSuggest: any query a person types into autocomplete is answered,
// never with an error, with at most MaxSuggestions suggestions that are values of
// the field; FTS5's syntax (quotes, NEAR, ^, *, column filters) is only
// text to it.
func FuzzSuggest(f *testing.F) {
	for _, seed := range []struct{ field, q string }{
		{"name", "star w"}, {"director", "steven spiel"}, {"genre", "dr"},
		{"name", `"star" OR wars*`}, {"director", "NEAR(a b)"}, {"name", "^the"},
		{"name", "name:star"}, {"director", "é\u0301ric"}, {"name", "\x00"}, {"name", "\u200b"},
		{"name", "हिन्दी"}, {"director", "-a +b"}, {"name", "a AND (b"},
	} {
		f.Add(seed.field, seed.q)
	}
	s := openTestStore(f)
	if _, err := s.SeedBundledCatalog(context.Background()); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, field, q string) {
		if utf8.RuneCountInString(q) > MaxTextLen {
			return // the handler refuses these before the store sees them
		}
		switch field {
		case "name", "director", "genre":
		default:
			field = "name"
		}
		got, err := s.Suggest(context.Background(), field, q)
		if errors.Is(err, ErrTooManyWords) && SearchWordCount(q) > MaxSearchWords {
			return // the handler refuses these too, with a 400
		}
		if err != nil {
			t.Fatalf("Suggest(%q, %q): %v", field, q, err)
		}
		if len(got) > MaxSuggestions {
			t.Fatalf("Suggest(%q, %q): %d suggestions", field, q, len(got))
		}
		for _, sg := range got {
			if sg.Value == "" {
				t.Fatalf("Suggest(%q, %q): an empty suggestion", field, q)
			}
		}
	})
}
