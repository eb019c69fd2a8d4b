package views

import (
	"strings"
	"unicode"

	"fimdb/db"
)

// Segment is a piece of a suggestion, marked when it matched the query.
type Segment struct {
	Text  string
	Match bool
}

// SuggestView is what the suggestions fragment shows.
type SuggestView struct {
	Field       string
	Query       string
	Suggestions []db.Suggestion
}

// highlight splits value into segments, marking the start of every word
// that a query word is the prefix of (ignoring case and accents). The
// segments are plain text: templ escapes them like any other.
func highlight(value, query string) []Segment {
	words := strings.FieldsFunc(query, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
	var out []Segment
	add := func(text string, match bool) {
		if text == "" {
			return
		}
		if n := len(out); n > 0 && out[n-1].Match == match {
			out[n-1].Text += text
			return
		}
		out = append(out, Segment{text, match})
	}
	rs := []rune(value)
	for i := 0; i < len(rs); {
		if !unicode.IsLetter(rs[i]) && !unicode.IsNumber(rs[i]) {
			add(string(rs[i]), false)
			i++
			continue
		}
		j := i
		for j < len(rs) && (unicode.IsLetter(rs[j]) || unicode.IsNumber(rs[j]) || unicode.Is(unicode.Mn, rs[j])) {
			j++
		}
		word := rs[i:j]
		n := matchedPrefix(word, words)
		add(string(word[:n]), true)
		add(string(word[n:]), false)
		i = j
	}
	return out
}

// matchedPrefix is how many runes of word the longest matching query word
// covers (0 when none matches).
func matchedPrefix(word []rune, queries []string) int {
	best := 0
	for _, q := range queries {
		fq := db.Fold(q)
		for k := 1; k <= len(word); k++ {
			if db.Fold(string(word[:k])) == fq {
				best = max(best, k)
				break
			}
		}
	}
	return best
}
