package imdb

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"slices"
)

// How often a pass looks at ctx and reports progress, in rows: often
// enough to stop within milliseconds, rarely enough to cost nothing.
const (
	checkEvery    = 1 << 12
	progressEvery = 1 << 16
)

// Why pass 1 leaves a title out.
type skip int

const (
	keep skip = iota
	skipType
	skipAdult
	skipNoTitle
)

// reader holds what the passes gather, one entry per selected title in
// slices indexed like selected: no per-title struct, map or string until
// the title is emitted.
type reader struct {
	files        Files
	opts         Options
	types        map[string]bool
	progress     func(Progress)
	pass, passes int
	strs         interner

	rows     int64    // title.basics data rows (pass 1)
	ids      []uint32 // selected tconsts in file order (pass 1)
	selected idSet

	rating []float64
	votes  []int64
	rated  bitset

	dirStart, dirCount []uint32 // a title's directors are directors[start:start+count]
	directors          []uint32 // nconsts, in each crew field's order
	crewed             bitset

	people idSet    // the nconsts in directors
	names  []string // indexed like people; "" when unknown
	named  bitset

	skipped              [4]int64 // by skip
	skippedTypes         map[string]int64
	skippedVotes         int64
	emitted, unknownDirs int64
}

func newReader(f Files, opts Options, progress func(Progress)) *reader {
	r := &reader{files: f, opts: opts, progress: progress, strs: interner{}, types: map[string]bool{}, skippedTypes: map[string]int64{}}
	if len(opts.TitleTypes) == 0 {
		r.opts.TitleTypes = []string{"movie"}
	}
	for _, t := range r.opts.TitleTypes {
		r.types[t] = true
	}
	r.passes = 2
	for _, p := range []string{f.Ratings, f.Crew} {
		if p != "" {
			r.passes++
		}
	}
	if r.readsNames() {
		r.passes++
	}
	return r
}

func (r *reader) readsNames() bool { return r.files.Crew != "" && r.files.Names != "" }

func (r *reader) run(ctx context.Context, emit func(Title) error) error {
	if err := r.selectTitles(ctx); err != nil {
		return err
	}
	if r.files.Ratings != "" {
		if err := r.readRatings(ctx); err != nil {
			return err
		}
	}
	r.dropFewVotes()
	if r.files.Crew != "" {
		if err := r.readCrew(ctx); err != nil {
			return err
		}
	}
	if r.readsNames() {
		if err := r.readNames(ctx); err != nil {
			return err
		}
	}
	return r.emitTitles(ctx, emit)
}

// scan reads one file from its header to its end, calling row for each
// data row, checking ctx and reporting progress on the way.
func (r *reader) scan(ctx context.Context, path string, k kind, row func(*tsvFile) error) error {
	r.pass++
	if err := ctx.Err(); err != nil {
		return err
	}
	t, err := openTSV(path)
	if err != nil {
		return err
	}
	defer t.close()
	if err := t.expect(k); err != nil {
		return err
	}
	r.report(t)
	for {
		ok, err := t.next()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		if t.rows()%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if t.rows()%progressEvery == 0 {
			r.report(t)
		}
		if err := row(t); err != nil {
			return err
		}
	}
	r.report(t)
	return nil
}

func (r *reader) report(t *tsvFile) {
	if r.progress != nil {
		r.progress(Progress{Pass: r.pass, Passes: r.passes, File: t.path, Rows: t.rows(), Bytes: t.read.n.Load(), TotalBytes: t.size})
	}
}

// basicsRow is a parsed title.basics row; its slices point into the line.
type basicsRow struct {
	tconst, titleType, name, genres []byte // name is nil when the title has none
	id                              uint32
	adult                           bool
	year, runtime                   int
}

func parseBasics(t *tsvFile) (row basicsRow, err error) {
	f := t.fields
	row.tconst, row.titleType, row.genres = f[bTconst], f[bTitleType], f[bGenres]
	for _, col := range []int{bPrimaryTitle, bOriginalTitle} {
		if row.name == nil && !isNull(f[col]) {
			row.name = f[col]
		}
	}
	if row.id, err = t.id(bTconst, "tt"); err != nil {
		return row, err
	}
	if row.adult, err = t.flag(bIsAdult); err != nil {
		return row, err
	}
	if row.year, err = t.year(bStartYear); err != nil {
		return row, err
	}
	if _, err = t.year(bEndYear); err != nil {
		return row, err
	}
	runtime, err := t.count(bRuntime, math.MaxInt32)
	row.runtime = int(runtime)
	return row, err
}

func (r *reader) skip(row basicsRow) skip {
	switch {
	case !r.types[string(row.titleType)]:
		return skipType
	case row.adult && !r.opts.IncludeAdult:
		return skipAdult
	case row.name == nil:
		return skipNoTitle
	}
	return keep
}

// selectTitles is pass 1: the ids of the titles opts keep.
func (r *reader) selectTitles(ctx context.Context) error {
	err := r.scan(ctx, r.files.Basics, titleBasics, func(t *tsvFile) error {
		row, err := parseBasics(t)
		if err != nil {
			return err
		}
		r.rows++
		why := r.skip(row)
		switch {
		case why == skipType:
			r.skippedTypes[r.strs.get(row.titleType)]++
		case why != keep:
			r.skipped[why]++
		case len(r.ids) > 0 && r.ids[len(r.ids)-1] == row.id:
			// Caught here in sorted files, before anything is emitted;
			// elsewhere pass 5 catches it.
			return t.errorf(bTconst, "%s appears twice", quote(row.tconst))
		default:
			r.ids = append(r.ids, row.id)
		}
		return nil
	})
	r.selected, r.ids = newIDSet(r.ids), nil
	n := len(r.selected)
	r.rating, r.votes, r.rated = make([]float64, n), make([]int64, n), newBitset(n)
	return err
}

// readRatings is pass 2: rating and votes of the selected titles.
func (r *reader) readRatings(ctx context.Context) error {
	cur := cursor{set: r.selected}
	return r.scan(ctx, r.files.Ratings, titleRatings, func(t *tsvFile) error {
		id, err := t.id(rTconst, "tt")
		if err != nil {
			return err
		}
		rating, err := t.rating(rRating)
		if err != nil {
			return err
		}
		votes, err := t.count(rVotes, math.MaxInt64)
		if err != nil {
			return err
		}
		if isNull(t.fields[rVotes]) {
			return t.errorf(rVotes, `\N: a ratings row needs a number of votes`)
		}
		i, ok := cur.index(id)
		if !ok {
			return nil
		}
		if r.rated.testAndSet(i) {
			return t.errorf(rTconst, "a second row for %s", quote(t.fields[rTconst]))
		}
		r.rating[i], r.votes[i] = rating, votes
		return nil
	})
}

// dropFewVotes applies MinVotes as soon as the votes are known, so that
// crew and names are kept for fewer titles.
func (r *reader) dropFewVotes() {
	if r.opts.MinVotes <= 0 {
		return
	}
	kept, rated := 0, newBitset(len(r.selected))
	for i, id := range r.selected {
		if r.votes[i] < r.opts.MinVotes {
			r.skippedVotes++
			continue
		}
		r.selected[kept], r.rating[kept], r.votes[kept] = id, r.rating[i], r.votes[i]
		if r.rated.has(i) {
			rated.set(kept)
		}
		kept++
	}
	r.selected, r.rating, r.votes, r.rated = r.selected[:kept], r.rating[:kept], r.votes[:kept], rated
}

// readCrew is pass 3: the directors of the selected titles.
func (r *reader) readCrew(ctx context.Context) error {
	n := len(r.selected)
	r.dirStart, r.dirCount, r.crewed = make([]uint32, n), make([]uint32, n), newBitset(n)
	cur := cursor{set: r.selected}
	var writers []uint32
	return r.scan(ctx, r.files.Crew, titleCrew, func(t *tsvFile) error {
		id, err := t.id(cTconst, "tt")
		if err != nil {
			return err
		}
		start := len(r.directors)
		if r.directors, err = t.idList(cDirectors, "nm", r.directors); err != nil {
			return err
		}
		if writers, err = t.idList(cWriters, "nm", writers[:0]); err != nil {
			return err
		}
		i, ok := cur.index(id)
		if !ok {
			r.directors = r.directors[:start]
			return nil
		}
		if r.crewed.testAndSet(i) {
			return t.errorf(cTconst, "a second row for %s", quote(t.fields[cTconst]))
		}
		r.dirStart[i], r.dirCount[i] = uint32(start), uint32(len(r.directors)-start)
		return nil
	})
}

// readNames is pass 4: the names of the directors kept.
func (r *reader) readNames(ctx context.Context) error {
	r.people = newIDSet(slices.Clone(r.directors))
	r.names, r.named = make([]string, len(r.people)), newBitset(len(r.people))
	cur := cursor{set: r.people}
	var known []uint32
	return r.scan(ctx, r.files.Names, nameBasics, func(t *tsvFile) error {
		id, err := t.id(nNconst, "nm")
		if err != nil {
			return err
		}
		for _, col := range []int{nBirthYear, nDeathYear} {
			if _, err := t.year(col); err != nil {
				return err
			}
		}
		if known, err = t.idList(nKnownFor, "tt", known[:0]); err != nil {
			return err
		}
		i, ok := cur.index(id)
		if !ok {
			return nil
		}
		if r.named.testAndSet(i) {
			return t.errorf(nNconst, "a second row for %s", quote(t.fields[nNconst]))
		}
		if name := t.fields[nName]; !isNull(name) {
			r.names[i] = string(name)
		}
		return nil
	})
}

// emitTitles is pass 5: title.basics again, each selected title joined.
func (r *reader) emitTitles(ctx context.Context, emit func(Title) error) error {
	cur := cursor{set: r.selected}
	emitted := newBitset(len(r.selected))
	var rows int64
	err := r.scan(ctx, r.files.Basics, titleBasics, func(t *tsvFile) error {
		row, err := parseBasics(t)
		if err != nil {
			return err
		}
		rows++
		if r.skip(row) != keep {
			return nil
		}
		i, ok := cur.index(row.id)
		if !ok {
			return nil
		}
		if emitted.testAndSet(i) {
			return t.errorf(bTconst, "%s appears twice", quote(row.tconst))
		}
		if err := emit(r.title(row, i)); err != nil {
			return err
		}
		r.emitted++
		return nil
	})
	if err == nil && rows != r.rows {
		err = fmt.Errorf("%s changed while being read: %d rows, then %d", r.files.Basics, r.rows, rows)
	}
	return err
}

func (r *reader) title(row basicsRow, i int) Title {
	title := Title{
		IMDbID:         string(row.tconst),
		Type:           r.strs.get(row.titleType),
		Name:           string(row.name),
		Year:           row.year,
		RuntimeMinutes: row.runtime,
		Genres:         r.genres(row.genres),
		Adult:          row.adult,
		HasRating:      r.rated.has(i),
		Votes:          r.votes[i],
		Popularity:     Popularity(r.votes[i]),
		Directors:      r.directorNames(i),
	}
	if title.HasRating {
		title.Rating = r.rating[i]
	}
	return title
}

func (r *reader) genres(b []byte) []string {
	genres := []string{}
	if isNull(b) {
		return genres
	}
	for g := range bytes.SplitSeq(b, []byte{','}) {
		if len(g) > 0 {
			genres = append(genres, r.strs.get(g))
		}
	}
	return genres
}

func (r *reader) directorNames(i int) []string {
	names := []string{}
	if r.dirCount == nil {
		return names
	}
	ids := r.directors[r.dirStart[i] : r.dirStart[i]+r.dirCount[i]]
	for k, id := range ids {
		if slices.Contains(ids[:k], id) {
			continue
		}
		j, ok := r.people.index(id)
		if !ok || r.names[j] == "" {
			r.unknownDirs++
			continue
		}
		names = append(names, r.names[j])
	}
	return names
}

func (r *reader) stats() Stats {
	s := Stats{Rows: r.rows, Emitted: r.emitted, UnknownDirectors: r.unknownDirs, Skipped: map[string]int64{}}
	add := func(reason string, n int64) {
		if n > 0 {
			s.Skipped[reason] = n
		}
	}
	for typ, n := range r.skippedTypes {
		add("title type "+typ, n)
	}
	add("adult", r.skipped[skipAdult])
	add("no title", r.skipped[skipNoTitle])
	add(fmt.Sprintf("fewer than %d votes", r.opts.MinVotes), r.skippedVotes)
	return s
}
