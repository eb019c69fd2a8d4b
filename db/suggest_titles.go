package db

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Titles are suggested from the movies themselves, not from suggest_words:
// with a million mostly distinct titles, an index of every title word in
// rank order cost 1.2 GB of the catalog's 1.7. A title's rank is the best
// popularity among the movies that have it.
//
// Each of the two passes below (the titles starting with the whole query,
// then those having every query word) either collects its matches, when
// its index (the titles' or the search index) finds at most collectLimit
// of them, or else walks the
// movies from the most popular down and keeps those that match: a broad
// prefix matches a large share of the movies, so the walk meets enough of
// them early.
var collectLimit = 2000 // a variable so that tests can try both ways

const (
	// walkLimit bounds one walk; at a million movies a pass that matches
	// collectLimit of them meets its best titles within about
	// MaxSuggestions * 1,000,000 / 2,000 = 4,000 movies.
	walkLimit = 50_000
)

// titleCandidates finds the best titles for the query words.
func (s *Store) titleCandidates(ctx context.Context, words []string) ([]candidate, error) {
	folded := foldAll(words)
	query := strings.Join(folded, " ")
	whole := func(have []string) bool { return strings.HasPrefix(strings.Join(have, " "), query) }
	every := func(have []string) bool { return startsEveryWord(have, folded) }
	out, err := s.bestTitles(ctx, s.dialect.titleStarts(folded), whole)
	if err != nil {
		return nil, err
	}
	if len(out) < MaxSuggestions {
		more, err := s.bestTitles(ctx, s.dialect.compileFilter(Filter{Name: query}), every)
		if err != nil {
			return nil, err
		}
		out = append(out, more...)
	}
	return s.countTitles(ctx, dedupeBy(out, func(c candidate) string { return strings.ToLower(c.value) }))
}

// matcher selects one row per matching movie (see filterSQL).
type matcher interface {
	matchesSQL() (string, []any)
}

// bestTitles returns up to MaxSuggestions titles of the movies f matches,
// the most popular first, each once; keep says whether a title's folded
// words match (the walk tests each movie with it, and the collected ones
// are tested too, since MySQL's title prefix ignores accents differently).
func (s *Store) bestTitles(ctx context.Context, f matcher, keep func(words []string) bool) ([]candidate, error) {
	matches, args := f.matchesSQL()
	st, err := s.pooledStmt(ctx, countSQL(matches, true))
	if err != nil {
		return nil, err
	}
	var n int
	if err := st.QueryRowContext(ctx, append(args, collectLimit+1)...).Scan(&n); err != nil {
		return nil, fmt.Errorf("suggest titles: %w", err)
	}
	if n == 0 {
		return nil, nil
	}
	titles := titlePicker{keep: keep, seen: map[string]bool{}}
	query, qargs := "SELECT name, popularity FROM movies WHERE id IN ("+matches+") ORDER BY popularity DESC, id", args
	if n > collectLimit {
		query, qargs = "SELECT name, popularity FROM movies"+s.dialect.forceIndex(sortIndex[SortPopularity])+" ORDER BY popularity DESC, id LIMIT ? OFFSET ?", nil
	}
	if st, err = s.pooledStmt(ctx, query); err != nil {
		return nil, err
	}
	if n > collectLimit {
		_, _, err = walkInChunks(ctx, st, qargs, 256, walkLimit, titles.take)
	} else {
		var rows *sql.Rows
		if rows, err = st.QueryContext(ctx, qargs...); err == nil {
			_, _, err = eachRow(rows, titles.take)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("suggest titles: %w", err)
	}
	return titles.out, nil
}

// titlePicker keeps the first MaxSuggestions distinct titles that match.
type titlePicker struct {
	keep func(words []string) bool
	seen map[string]bool
	out  []candidate
}

// take keeps one title if it matches and is new, and says when enough are.
func (p *titlePicker) take(rows *sql.Rows) (enough bool, err error) {
	var c candidate
	if err := rows.Scan(&c.value, &c.rank); err != nil {
		return false, err
	}
	if key := strings.ToLower(c.value); !p.seen[key] && p.keep(foldedWords(c.value)) {
		p.seen[key] = true
		p.out = append(p.out, c)
	}
	return len(p.out) == MaxSuggestions, nil
}

// countTitles sets how many movies have each title (ignoring case), from
// the index of match_key, which starts with the lowercased title.
func (s *Store) countTitles(ctx context.Context, cands []candidate) ([]candidate, error) {
	st, err := s.pooledStmt(ctx, "SELECT count(*) FROM movies WHERE match_key >= ? AND match_key < ?")
	if err != nil {
		return nil, err
	}
	for i := range cands {
		lo, hi := prefixRange(strings.ToLower(cands[i].value) + "\x1f")
		if err := st.QueryRowContext(ctx, lo, hi).Scan(&cands[i].count); err != nil {
			return nil, fmt.Errorf("suggest titles: %w", err)
		}
	}
	return cands, nil
}
