package db

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Titles are suggested from the movies themselves and directors from
// suggest_values, without an index of their words: with a million mostly
// distinct titles, such an index cost 1.2 GB of the catalog's 1.7, and
// directors' words 219 MB of an IMDb-format million's 796 MB. A title's
// rank is the best popularity among the movies that have it; a
// director's, the number of movies they made.
//
// Each of the two passes below (the values starting with the whole query,
// then those having every query word) either collects its matches, when
// its index (the values' own or the search index) finds at most
// collectLimit of them, or else walks the values from the best rank down
// and keeps those that match: a broad prefix matches a large share of
// them, so the walk meets enough of them early.
var collectLimit = 2000 // a variable so that tests can try both ways

const (
	// walkLimit bounds one walk; at a million movies a pass that matches
	// collectLimit of them meets its best titles within about
	// MaxSuggestions * 1,000,000 / 2,000 = 4,000 movies.
	walkLimit = 50_000
)

// pickSource is where one field's suggestions are read: each query selects
// a value, its rank and its movie count (0 where countTitles sets it).
type pickSource struct {
	// collect reads, best first, the rows whose ids the SQL passed selects.
	collect func(ids string) string
	// walk reads every row, best first; LIMIT and OFFSET follow.
	walk string
}

func (s *Store) titleSource() pickSource {
	return pickSource{
		collect: func(ids string) string {
			return "SELECT name, popularity, 0 FROM movies WHERE id IN (" + ids + ") ORDER BY popularity DESC, id"
		},
		walk: "SELECT name, popularity, 0 FROM movies" + s.dialect.forceIndex(sortIndex[SortPopularity]) + " ORDER BY popularity DESC, id LIMIT ? OFFSET ?",
	}
}

func (s *Store) directorSource() pickSource {
	return pickSource{
		collect: func(ids string) string {
			return "SELECT value, movies, movies FROM suggest_values WHERE id IN (" + ids + ") ORDER BY movies DESC, id"
		},
		walk: "SELECT value, movies, movies FROM suggest_values" + s.dialect.forceIndex("suggest_values_by_movies") +
			" WHERE field = 'director' ORDER BY movies DESC, id LIMIT ? OFFSET ?",
	}
}

// titleCandidates finds the best titles for the query words.
func (s *Store) titleCandidates(ctx context.Context, words []string) ([]candidate, error) {
	folded := foldAll(words)
	every := s.dialect.compileFilter(Filter{Name: strings.Join(folded, " ")})
	out, err := s.bestOfTwoPasses(ctx, s.titleSource(), folded, s.dialect.titleStarts(folded), every)
	if err != nil {
		return nil, err
	}
	return s.countTitles(ctx, dedupeBy(out, func(c candidate) string { return strings.ToLower(c.value) }))
}

// directorCandidates finds the best directors for the query words.
func (s *Store) directorCandidates(ctx context.Context, words []string) ([]candidate, error) {
	folded := foldAll(words)
	out, err := s.bestOfTwoPasses(ctx, s.directorSource(), folded, s.dialect.directorStarts(folded), s.dialect.directorHas(folded))
	if err != nil {
		return nil, err
	}
	return dedupeBy(out, func(c candidate) string { return strings.ToLower(c.value) }), nil
}

// bestOfTwoPasses picks the best values starting with the whole query
// (starts), then, if they are too few, the best having every query word.
func (s *Store) bestOfTwoPasses(ctx context.Context, src pickSource, folded []string, starts, every matcher) ([]candidate, error) {
	query := strings.Join(folded, " ")
	whole := func(have []string) bool { return strings.HasPrefix(strings.Join(have, " "), query) }
	all := func(have []string) bool { return startsEveryWord(have, folded) }
	out, err := s.best(ctx, src, starts, whole)
	if err != nil || len(out) >= MaxSuggestions {
		return out, err
	}
	more, err := s.best(ctx, src, every, all)
	return append(out, more...), err
}

// directorsOf selects the suggest_values ids of the directors of the
// movies a filter matches (once per movie): MySQL's way to the directors
// having every query word, through movie_words.
type directorsOf struct{ movies matcher }

func (d directorsOf) matchesSQL() (string, []any) {
	movies, args := d.movies.matchesSQL()
	return `SELECT v.id FROM movies m JOIN suggest_values v ON v.field = 'director' AND v.value = m.director
WHERE m.id IN (` + movies + `)`, args
}

// matcher selects one row per match (see filterSQL).
type matcher interface {
	matchesSQL() (string, []any)
}

// best returns up to MaxSuggestions values of the rows f matches, the
// best first, each once (ignoring case); keep says whether a value's
// folded words match (the walk tests each row with it, and the collected
// ones are tested too, since MySQL's prefixes ignore accents differently).
func (s *Store) best(ctx context.Context, src pickSource, f matcher, keep func(words []string) bool) ([]candidate, error) {
	matches, args := f.matchesSQL()
	st, err := s.pooledStmt(ctx, countSQL(matches, true))
	if err != nil {
		return nil, err
	}
	var n int
	if err := st.QueryRowContext(ctx, append(args, collectLimit+1)...).Scan(&n); err != nil {
		return nil, fmt.Errorf("suggest: %w", err)
	}
	if n == 0 {
		return nil, nil
	}
	picked := picker{keep: keep, seen: map[string]bool{}}
	walk := n > collectLimit
	query, qargs := src.collect(matches), args
	if walk {
		query, qargs = src.walk, nil
	}
	if st, err = s.pooledStmt(ctx, query); err != nil {
		return nil, err
	}
	if walk {
		_, _, err = walkInChunks(ctx, st, qargs, 256, walkLimit, picked.take)
	} else {
		var rows *sql.Rows
		if rows, err = st.QueryContext(ctx, qargs...); err == nil {
			_, _, err = eachRow(rows, picked.take)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("suggest: %w", err)
	}
	return picked.out, nil
}

// picker keeps the first MaxSuggestions distinct values that match.
type picker struct {
	keep func(words []string) bool
	seen map[string]bool
	out  []candidate
}

// take keeps one value if it matches and is new, and says when enough are.
func (p *picker) take(rows *sql.Rows) (enough bool, err error) {
	var c candidate
	if err := rows.Scan(&c.value, &c.rank, &c.count); err != nil {
		return false, err
	}
	if key := strings.ToLower(c.value); !p.seen[key] && p.keep(foldedWords(c.value)) {
		p.seen[key] = true
		p.out = append(p.out, c)
	}
	return len(p.out) == MaxSuggestions, nil
}

// countTitles sets how many movies have each title, ignoring case.
func (s *Store) countTitles(ctx context.Context, cands []candidate) ([]candidate, error) {
	st, err := s.pooledStmt(ctx, s.dialect.titleCount)
	if err != nil {
		return nil, err
	}
	for i := range cands {
		if err := st.QueryRowContext(ctx, cands[i].value).Scan(&cands[i].count); err != nil {
			return nil, fmt.Errorf("suggest titles: %w", err)
		}
	}
	return cands, nil
}
