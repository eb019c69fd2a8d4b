package db

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// MaxSuggestions is how many suggestions one request returns at most.
const MaxSuggestions = 8

// Suggestion is one autocomplete value and how many movies have it.
type Suggestion struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Suggest returns up to MaxSuggestions values of field ("name", "director"
// or "genre") whose words start with the words of q, ignoring case and
// accents. Values that start with the whole query rank first; then titles
// rank by popularity, directors and genres by how many movies they have.
func (s *Store) Suggest(ctx context.Context, field, q string) ([]Suggestion, error) {
	words := searchWords(q)
	if len(words) == 0 {
		return []Suggestion{}, nil
	}
	var candidates []candidate
	var err error
	switch field {
	case "name", "director":
		candidates, err = s.textCandidates(ctx, field, words)
	case "genre":
		candidates, err = s.genreCandidates(ctx)
	default:
		return nil, fmt.Errorf("suggest: unknown field %q", field)
	}
	if err != nil {
		return nil, err
	}
	return rankSuggestions(candidates, words), nil
}

type candidate struct {
	value string
	count int
	rank  float64 // popularity for titles, count otherwise
}

// candidateLimit bounds what one suggestion reads: the best candidates by
// the secondary order, re-ranked in Go with full Unicode folding.
const candidateLimit = 200

func (s *Store) textCandidates(ctx context.Context, field string, words []string) ([]candidate, error) {
	var terms []string
	for _, w := range words {
		terms = append(terms, field+` : "`+w+`"*`)
	}
	order := "max(popularity) DESC"
	if field == "director" {
		order = "count(*) DESC"
	}
	// field is "name" or "director", checked by Suggest; text goes only into arguments.
	query := `SELECT ` + field + `, count(*), max(popularity) FROM movies
WHERE id IN (SELECT rowid FROM movies_fts WHERE movies_fts MATCH ?)
GROUP BY ` + field + ` COLLATE NOCASE ORDER BY ` + order + ` LIMIT ?`
	rows, err := s.read.QueryContext(ctx, query, strings.Join(terms, " AND "), candidateLimit)
	if err != nil {
		return nil, fmt.Errorf("suggest %s: %w", field, err)
	}
	defer rows.Close()
	var out []candidate
	for rows.Next() {
		var c candidate
		var pop float64
		if err := rows.Scan(&c.value, &c.count, &pop); err != nil {
			return nil, err
		}
		c.rank = float64(c.count)
		if field == "name" {
			c.rank = pop
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (s *Store) genreCandidates(ctx context.Context) ([]candidate, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT g.name, count(*) FROM genres g
JOIN movie_genres mg ON mg.genre_id = g.id GROUP BY g.id`)
	if err != nil {
		return nil, fmt.Errorf("suggest genre: %w", err)
	}
	defer rows.Close()
	var out []candidate
	for rows.Next() {
		var c candidate
		if err := rows.Scan(&c.value, &c.count); err != nil {
			return nil, err
		}
		c.rank = float64(c.count)
		out = append(out, c)
	}
	return out, rows.Err()
}

// rankSuggestions keeps the candidates whose words start with every query
// word and orders them: whole-value prefix first, then rank, then value.
func rankSuggestions(cands []candidate, words []string) []Suggestion {
	query := Fold(strings.Join(words, " "))
	type scored struct {
		candidate
		whole bool
	}
	var kept []scored
	for _, c := range cands {
		if !MatchesWords(c.value, words) {
			continue
		}
		kept = append(kept, scored{c, strings.HasPrefix(Fold(strings.Join(searchWords(c.value), " ")), query)})
	}
	slices.SortStableFunc(kept, func(a, b scored) int {
		switch {
		case a.whole != b.whole:
			if a.whole {
				return -1
			}
			return 1
		case a.rank != b.rank:
			if a.rank > b.rank {
				return -1
			}
			return 1
		}
		return strings.Compare(a.value, b.value)
	})
	out := make([]Suggestion, 0, MaxSuggestions)
	for _, k := range kept[:min(len(kept), MaxSuggestions)] {
		out = append(out, Suggestion{Value: k.value, Count: k.count})
	}
	return out
}

// MatchesWords reports whether every query word starts a word of value,
// ignoring case and accents: the search semantics, in Go.
func MatchesWords(value string, words []string) bool {
	have := searchWords(value)
	for i := range have {
		have[i] = Fold(have[i])
	}
	for _, w := range words {
		w = Fold(w)
		if !slices.ContainsFunc(have, func(h string) bool { return strings.HasPrefix(h, w) }) {
			return false
		}
	}
	return true
}

// Fold lowercases s and removes its accents ("Amélie" -> "amelie").
func Fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(out)
}
