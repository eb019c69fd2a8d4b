package db

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
)

// TestIMDbFieldsAreKeptAndShownOnlyWhenKnown: the fields of IMDb's
// datasets are stored and read back; a movie without them keeps the JSON
// the original app's scripts know, key for key.
func TestIMDbFieldsAreKeptAndShownOnlyWhenKnown(t *testing.T) {
	s := openTestStore(t)
	ctx := context.Background()
	withIMDb := NewMovie{Name: "Star Wars", Director: "George Lucas", Genres: []string{"Sci-Fi"}, IMDBScore: 8.6, Popularity: 98,
		IMDbID: "tt0076759", Year: 1977, RuntimeMinutes: 121, Votes: 1_400_000}
	without := NewMovie{Name: "Heat", Director: "Michael Mann", IMDBScore: 8.3, Popularity: 80}
	for _, tt := range []struct {
		name     string
		movie    NewMovie
		wantKeys string
	}{
		{"from IMDb", withIMDb, "director genres id imdb_id imdb_score name popularity runtime_minutes version votes year"},
		{"added by hand", without, "director genres id imdb_score name popularity version"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			created, err := s.CreateMovie(ctx, tt.movie, "test")
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.MovieByID(ctx, created.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.IMDbID != tt.movie.IMDbID || got.Year != tt.movie.Year || got.RuntimeMinutes != tt.movie.RuntimeMinutes || got.Votes != tt.movie.Votes {
				t.Errorf("read back %+v, want the fields of %+v", got, tt.movie)
			}
			if l, err := s.ListMovies(ctx, ListQuery{Filter: Filter{Name: tt.movie.Name}}); err != nil || len(l.Movies) == 0 || l.Movies[0].Year != tt.movie.Year {
				t.Errorf("listing: %+v, %v", l.Movies, err)
			}
			var keys map[string]any
			b, _ := json.Marshal(got)
			json.Unmarshal(b, &keys)
			var names []string
			for k := range keys {
				names = append(names, k)
			}
			slices.Sort(names)
			if got := strings.Join(names, " "); got != tt.wantKeys {
				t.Errorf("JSON keys %q, want %q", got, tt.wantKeys)
			}
		})
	}
}

func TestIMDbFieldsAreValidated(t *testing.T) {
	base := NewMovie{Name: "A", Director: "B", IMDBScore: 5, Popularity: 5}
	for _, tt := range []struct {
		name      string
		change    func(*NewMovie)
		wantField string // "" when valid
	}{
		{"none of them", func(*NewMovie) {}, ""},
		{"all of them", func(m *NewMovie) { m.IMDbID, m.Year, m.RuntimeMinutes, m.Votes = "tt0000001", 1894, 1, 2100 }, ""},
		{"no director, from IMDb", func(m *NewMovie) { m.Director, m.IMDbID = "", "tt0000001" }, ""},
		{"no director, by hand", func(m *NewMovie) { m.Director = "" }, "director"},
		{"a name id", func(m *NewMovie) { m.IMDbID = "nm0000001" }, "imdb_id"},
		{"tt alone", func(m *NewMovie) { m.IMDbID = "tt" }, "imdb_id"},
		{"letters after tt", func(m *NewMovie) { m.IMDbID = "tt12a4" }, "imdb_id"},
		{"a year too early", func(m *NewMovie) { m.Year = 1700 }, "year"},
		{"a year too late", func(m *NewMovie) { m.Year = 2500 }, "year"},
		{"a negative runtime", func(m *NewMovie) { m.RuntimeMinutes = -1 }, "runtime_minutes"},
		{"a runtime too long", func(m *NewMovie) { m.RuntimeMinutes = MaxRuntimeMinutes + 1 }, "runtime_minutes"},
		{"negative votes", func(m *NewMovie) { m.Votes = -1 }, "votes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := base
			tt.change(&m)
			err := m.Normalize().Validate()
			var fe *FieldError
			switch {
			case tt.wantField == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.wantField != "" && (!errors.As(err, &fe) || fe.Field != tt.wantField):
				t.Errorf("error %v, want one about %s", err, tt.wantField)
			}
		})
	}
}
