package db

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

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
	if field != "name" && field != "director" && field != "genre" {
		return nil, fmt.Errorf("suggest: unknown field %q", field)
	}
	if s.uncachedReads.Load() {
		return s.suggest(ctx, field, words)
	}
	key := suggestKey{field, strings.Join(words, " ")}
	cached, version, ok, err := s.cache.suggestions(ctx, key)
	if err != nil || ok {
		return cached, err
	}
	out, err := s.suggest(ctx, field, words)
	if err == nil {
		s.cache.storeSuggestions(key, version, out)
	}
	return out, err
}

// suggest ranks the values of field that words could be the start of.
func (s *Store) suggest(ctx context.Context, field string, words []string) ([]Suggestion, error) {
	if SearchWordCount(strings.Join(words, " ")) > MaxSearchWords {
		return nil, ErrTooManyWords // never cached, so checked only here
	}
	var candidates []candidate
	var err error
	switch field {
	case "name":
		candidates, err = s.titleCandidates(ctx, words)
	case "director":
		candidates, err = s.directorCandidates(ctx, words)
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
	id    int64
	value string
	count int
	rank  float64 // popularity for titles, count otherwise
}

// foldedWords are value's search words, folded: what query words are
// compared with.
func foldedWords(value string) []string { return foldAll(searchWords(value)) }

func foldAll(words []string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = Fold(w)
	}
	return out
}

// prefixRange is the half-open range of the strings that start with p.
func prefixRange(p string) (lo, hi string) {
	return p, p + string(utf8.MaxRune)
}

// dedupeBy keeps the first candidate of each key, in order: a value can
// match through both passes.
func dedupeBy[K comparable](cands []candidate, key func(candidate) K) []candidate {
	seen := make(map[K]bool, len(cands))
	return slices.DeleteFunc(cands, func(c candidate) bool {
		k := key(c)
		if seen[k] {
			return true
		}
		seen[k] = true
		return false
	})
}

func (s *Store) genreCandidates(ctx context.Context) ([]candidate, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, name, movies FROM genres WHERE movies > 0`)
	if err != nil {
		return nil, fmt.Errorf("suggest genre: %w", err)
	}
	defer rows.Close()
	var out []candidate
	for rows.Next() {
		var c candidate
		if err := rows.Scan(&c.id, &c.value, &c.count); err != nil {
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
	folded := foldAll(words)
	query := strings.Join(folded, " ")
	type scored struct {
		candidate
		whole bool
	}
	var kept []scored
	for _, c := range cands {
		have := foldedWords(c.value)
		if !startsEveryWord(have, folded) {
			continue
		}
		kept = append(kept, scored{c, strings.HasPrefix(strings.Join(have, " "), query)})
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

// startsEveryWord reports whether each of the folded query words starts one
// of the folded words have.
func startsEveryWord(have, query []string) bool {
	for _, w := range query {
		if !slices.ContainsFunc(have, func(h string) bool { return strings.HasPrefix(h, w) }) {
			return false
		}
	}
	return true
}

// Fold lowercases s and removes its accents ("Amélie" -> "amelie").
func Fold(s string) string {
	if isASCII(s) {
		return strings.ToLower(s) // nothing to decompose: skip x/text's tables
	}
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(out)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
