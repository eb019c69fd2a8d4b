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
	case "name":
		candidates, err = s.titleCandidates(ctx, words)
	case "director":
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

// scanLimit bounds the index rows one walk reads while it checks the other
// query words, so that rare combinations of common prefixes ("th qz") cost
// the same as any other query. A combination found nowhere in the best
// scanLimit values of its longest word is looked for through the next one.
const scanLimit = 2000

// maxSQLWords is how many query words the index walk checks; further words
// (someone pasting a paragraph) are checked in Go on what it returns.
const maxSQLWords = 4

// maxWalkedWords is how many distinct indexed words a prefix may match and
// still be read word by word (each walk stops after candidateLimit rows).
// Broader prefixes ("s", "19") read the one-to-three-letter prefix indexes,
// already in rank order; longer broad prefixes are rare and read the range.
var maxWalkedWords = 64

// textCandidates finds the best titles or directors for words. Values that
// start with the whole query come from one walk; the best by rank from
// walks driven by the longest query word, then the next, until enough are
// found. Every walk reads a bounded number of index rows.
func (s *Store) textCandidates(ctx context.Context, field string, words []string) ([]candidate, error) {
	var out []candidate
	if len(words) > 1 {
		all := foldAll(words)
		got, err := s.walkPrefix(ctx, field, all[0], walk{first: []bool{true}, whole: " " + strings.Join(all, " ")})
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	drivers := sqlWords(words)
	for _, d := range drivers {
		others := slices.DeleteFunc(slices.Clone(drivers), func(w string) bool { return w == d })
		got, err := s.walkPrefix(ctx, field, d, walk{first: []bool{true, false}, others: others})
		if err != nil {
			return nil, err
		}
		out = dedupeBy(append(out, got...), func(c candidate) int64 { return c.id })
		if len(out) >= MaxSuggestions {
			break
		}
	}
	return out, nil
}

// sqlWords folds the query words, drops repeats and words that start
// another query word ("star st" needs only "star"), and keeps the
// maxSQLWords longest, longest (most selective) first. Go checks every
// query word on what the walks return.
func sqlWords(words []string) []string {
	folded := foldAll(words)
	var kept []string
	for i, w := range folded {
		repeated := slices.Contains(folded[:i], w)
		covered := slices.ContainsFunc(folded, func(o string) bool { return o != w && strings.HasPrefix(o, w) })
		if !repeated && !covered {
			kept = append(kept, w)
		}
	}
	slices.SortStableFunc(kept, func(a, b string) int { return utf8.RuneCountInString(b) - utf8.RuneCountInString(a) })
	return kept[:min(len(kept), maxSQLWords)]
}

// foldedWords are value's search words, folded: what suggest_words stores
// and what query words are compared with.
func foldedWords(value string) []string { return foldAll(searchWords(value)) }

func foldAll(words []string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = Fold(w)
	}
	return out
}

// walk says what an index walk keeps besides its driving word.
type walk struct {
	first  []bool   // walk values whose first word matched (true), others (false), in this order
	others []string // every value must have a word starting with each
	whole  string   // when set, the value's words must start with it (" a star")
}

// walkPrefix walks the values having a word that starts with prefix, by
// the cheapest index for it.
func (s *Store) walkPrefix(ctx context.Context, field, prefix string, w walk) ([]candidate, error) {
	if n := utf8.RuneCountInString(prefix); n <= 3 {
		return s.walkWords(ctx, field, s.dialect.wordPrefix(n), []any{prefix}, prefix, w)
	}
	exact, broad, err := s.wordsWithPrefix(ctx, field, prefix)
	if err != nil {
		return nil, err
	}
	if broad {
		lo, hi := prefixRange(prefix)
		return s.walkWords(ctx, field, "w.word >= ? AND w.word < ?", []any{lo, hi}, prefix, w)
	}
	var out []candidate
	for _, word := range exact {
		got, err := s.walkWords(ctx, field, "w.word = ?", []any{word}, "", w)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

// wordsWithPrefix lists the distinct indexed words starting with prefix, by
// seeking from one to the next; broad reports more than maxWalkedWords.
func (s *Store) wordsWithPrefix(ctx context.Context, field, prefix string) (words []string, broad bool, err error) {
	lo, hi := prefixRange(prefix)
	for len(words) <= maxWalkedWords {
		query := nextWordSQL
		if len(words) == 0 {
			query = firstWordSQL
		}
		st, err := s.pooledStmt(ctx, query)
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
		lo = w
	}
	return nil, true, nil
}

// The first indexed word in [lo, hi), and the first after lo. "After w" is
// word > w, not word >= w + "\x00": MySQL's PAD SPACE collations compare
// "abc\x00" equal to "abc", which found the same word again and again.
const (
	firstWordSQL = `SELECT word FROM suggest_words
WHERE field = ? AND word >= ? AND word < ? ORDER BY word LIMIT 1`
	nextWordSQL = `SELECT word FROM suggest_words
WHERE field = ? AND word > ? AND word < ? ORDER BY word LIMIT 1`
)

// walkWords reads the best values whose word satisfies cond (a fixed SQL
// fragment; the words go in args), once per w.first, in rank order straight
// off an index. A non-empty prefix means several words of one value may
// match; only its first matching word counts, so one value cannot crowd
// others out of the walk.
func (s *Store) walkWords(ctx context.Context, field, cond string, args []any, prefix string, w walk) ([]candidate, error) {
	params := append([]any{field}, args...)
	params = append(params, nil) // first, set per walk below
	firstArg := len(params) - 1
	params = append(params, scanLimit)
	for _, o := range w.others {
		params = append(params, " "+o) // a word of the value starts with o
	}
	if prefix != "" {
		params = append(params, " "+prefix)
	}
	if w.whole != "" {
		params = append(params, utf8.RuneCountInString(w.whole), w.whole)
	}
	params = append(params, candidateLimit)
	st, err := s.pooledStmt(ctx, walkSQL(cond, len(w.others), prefix != "", w.whole != ""))
	if err != nil {
		return nil, err
	}
	var out []candidate
	for _, first := range w.first {
		params[firstArg] = first
		if out, err = appendCandidates(ctx, out, st, field, params); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// walkSQL reads at most scanLimit index rows through the word condition
// cond, in rank order, and keeps the values that pass the checks: each other
// query word against the words the index row carries, the first matching
// word (firstMatch), the whole-value prefix (whole).
func walkSQL(cond string, others int, firstMatch, whole bool) string {
	var b strings.Builder
	b.WriteString(`SELECT v.id, v.value, v.movies, v.popularity FROM (
  SELECT w.value_id, w.word, w.` + "`rank`" + `, w.words FROM suggest_words w
  WHERE w.field = ? AND ` + cond + ` AND w.first = ?
  ORDER BY w.` + "`rank`" + ` DESC LIMIT ?) AS w
JOIN suggest_values v ON v.id = w.value_id
WHERE 1`)
	for range others {
		b.WriteString(` AND instr(w.words, ?) > 0`)
	}
	if firstMatch {
		b.WriteString(` AND instr(w.words, ?) = instr(w.words, concat(' ', w.word))`)
	}
	if whole {
		b.WriteString(` AND substr(w.words, 1, ?) = ?`)
	}
	b.WriteString(`
ORDER BY w.` + "`rank`" + ` DESC LIMIT ?`)
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

// dedupeBy keeps the first candidate of each key, in order: a value can
// match through two of its words ("Star Starry") or two walked words, and
// a title through both passes.
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
