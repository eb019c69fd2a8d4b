package db

import (
	"context"
	"database/sql"
	"errors"
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
	id    int64
	value string
	count int
	rank  float64 // popularity for titles, count otherwise
}

// candidateLimit bounds what one index walk returns: the best values for
// the walked word, re-ranked in Go with the whole-value rule.
const candidateLimit = 32

// maxWalkedWords is how many distinct indexed words a prefix may match and
// still be read word by word (each walk stops after candidateLimit rows).
// Broader prefixes ("s", "19") read the one-to-three-letter prefix indexes,
// already in rank order; longer broad prefixes are rare and read the range.
var maxWalkedWords = 64

// textCandidates finds the best titles or directors for words. It walks the
// index for the longest (most selective) query word and checks the other
// words per value, so its cost follows candidateLimit, not the catalog.
func (s *Store) textCandidates(ctx context.Context, field string, words []string) ([]candidate, error) {
	folded := make([]string, len(words))
	driver := 0
	for i, w := range words {
		folded[i] = Fold(w)
		if utf8.RuneCountInString(folded[i]) > utf8.RuneCountInString(folded[driver]) {
			driver = i
		}
	}
	prefix := folded[driver]
	others := slices.Delete(slices.Clone(folded), driver, driver+1)

	if n := utf8.RuneCountInString(prefix); n <= 3 {
		cond := fmt.Sprintf("substr(w.word, 1, %d) = ?", n)
		got, err := s.walkWords(ctx, field, cond, []any{prefix}, others)
		return dedupeCandidates(got), err
	}
	exact, broad, err := s.wordsWithPrefix(ctx, field, prefix)
	if err != nil {
		return nil, err
	}
	if broad {
		lo, hi := prefixRange(prefix)
		got, err := s.walkWords(ctx, field, "w.word >= ? AND w.word < ?", []any{lo, hi}, others)
		return dedupeCandidates(got), err
	}
	var out []candidate
	for _, w := range exact {
		got, err := s.walkWords(ctx, field, "w.word = ?", []any{w}, others)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return dedupeCandidates(out), nil
}

// wordsWithPrefix lists the distinct indexed words starting with prefix, by
// seeking from one to the next; broad reports more than maxWalkedWords.
func (s *Store) wordsWithPrefix(ctx context.Context, field, prefix string) (words []string, broad bool, err error) {
	lo, hi := prefixRange(prefix)
	for len(words) <= maxWalkedWords {
		st, err := s.pooledStmt(ctx, nextWordSQL)
		if err != nil {
			return nil, false, err
		}
		var w string
		err = st.QueryRowContext(ctx, field, lo, hi).Scan(&w)
		if errors.Is(err, sql.ErrNoRows) {
			return words, false, nil
		}
		if err != nil {
			return nil, false, fmt.Errorf("suggest words: %w", err)
		}
		words = append(words, w)
		lo = w + "\x00" // the next distinct word
	}
	return nil, true, nil
}

const nextWordSQL = `SELECT word FROM suggest_words
WHERE field = ? AND word >= ? AND word < ? ORDER BY word LIMIT 1`

// walkWords reads the best values whose word satisfies cond (a fixed SQL
// fragment; the words go in args) and that have a word starting with each
// of others. It walks twice, values whose first word matched and then the
// others, each in rank order straight off an index: together they hold the
// best candidateLimit by rank and by the whole-value-prefix rule.
func (s *Store) walkWords(ctx context.Context, field, cond string, args []any, others []string) ([]candidate, error) {
	params := append([]any{field}, args...)
	params = append(params, nil) // first, set per walk below
	firstArg := len(params) - 1
	for _, o := range others {
		lo, hi := prefixRange(o)
		params = append(params, lo, hi)
	}
	params = append(params, candidateLimit)
	st, err := s.pooledStmt(ctx, walkSQL(cond, len(others)))
	if err != nil {
		return nil, err
	}
	var out []candidate
	for _, first := range []bool{true, false} {
		params[firstArg] = first
		if out, err = appendCandidates(ctx, out, st, field, params); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// walkSQL reads values through the word condition cond, with one EXISTS
// per other query word.
func walkSQL(cond string, others int) string {
	var b strings.Builder
	b.WriteString(`SELECT v.id, v.value, v.movies, v.popularity FROM suggest_words w
JOIN suggest_values v ON v.id = w.value_id
WHERE w.field = ? AND ` + cond + ` AND w.first = ?`)
	for range others {
		b.WriteString(`
  AND EXISTS (SELECT 1 FROM suggest_words o WHERE o.value_id = w.value_id AND o.word >= ? AND o.word < ?)`)
	}
	b.WriteString(`
ORDER BY w.rank DESC LIMIT ?`)
	return b.String()
}

func appendCandidates(ctx context.Context, out []candidate, st *sql.Stmt, field string, params []any) ([]candidate, error) {
	rows, err := st.QueryContext(ctx, params...)
	if err != nil {
		return nil, fmt.Errorf("suggest %s: %w", field, err)
	}
	defer rows.Close()
	for rows.Next() {
		var c candidate
		var movies int64
		var popularity float64
		if err := rows.Scan(&c.id, &c.value, &movies, &popularity); err != nil {
			return nil, err
		}
		c.count = int(movies)
		c.rank = suggestRank(field, movies, popularity)
		out = append(out, c)
	}
	return out, rows.Err()
}

// prefixRange is the half-open range of indexed words that start with p.
func prefixRange(p string) (lo, hi string) {
	return p, p + string(utf8.MaxRune)
}

// dedupeCandidates keeps each value once: a value can match through two of
// its words ("Star Starry") or two walked words.
func dedupeCandidates(cands []candidate) []candidate {
	seen := make(map[int64]bool, len(cands))
	out := cands[:0]
	for _, c := range cands {
		if !seen[c.id] {
			seen[c.id] = true
			out = append(out, c)
		}
	}
	return out
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
