package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// IMDbReport says what an import of IMDb's datasets did to the catalog.
type IMDbReport struct {
	Added     int
	Updated   int // a movie with that imdb_id, or a matching one without any, changed
	Unchanged int
	// Skipped counts the titles left out, by reason.
	Skipped map[string]int
}

// ImportIMDb adds the movies that read hands to add, in one transaction:
// all of them land or none do. A movie whose imdb_id the catalog has is
// updated in place (its id, versions and audit log stay); one the catalog
// has by name and director but without an imdb_id, such as a bundled
// movie, takes the imdb_id and the new values. A title that breaks the
// catalog's rules (a name over 300 characters) is skipped and counted.
func (s *Store) ImportIMDb(ctx context.Context, read func(add func(NewMovie) error) error) (IMDbReport, error) {
	var report IMDbReport
	err := s.inCatalogTx(ctx, func(tx *sql.Tx) error {
		bulk, err := beginBulkLoad(ctx, tx, s.dialect, -1, true)
		if err != nil {
			return err
		}
		im := newIMDbImporter(tx, s.dialect)
		defer im.close()
		if err := im.readKnown(ctx); err != nil {
			return err
		}
		report = IMDbReport{Skipped: map[string]int{}}
		if err := read(func(m NewMovie) error { return im.add(ctx, m, &report) }); err != nil {
			return err
		}
		if err := im.ins.flush(ctx); err != nil {
			return err
		}
		return bulk.finish(ctx)
	})
	if err != nil {
		return IMDbReport{}, err
	}
	if report.Added+report.Updated > 0 {
		return report, s.OptimizeSearchIndex(ctx)
	}
	return report, nil
}

type imdbImporter struct {
	tx              *sql.Tx
	d               *dialect
	ins             *movieInserter
	byIMDbID, byKey *txStmt
	// knownIDs holds the imdb_ids the catalog has (as numbers) and
	// knownHashes the match_hash of its movies without one, read once:
	// two lookups per title were a sixth of a million-title import, and
	// most titles are new. Only a title found in them is looked up.
	knownIDs    map[uint64]bool
	knownHashes map[int64]bool
}

// readKnown fills knownIDs and knownHashes from the catalog.
func (im *imdbImporter) readKnown(ctx context.Context) error {
	im.knownIDs, im.knownHashes = map[uint64]bool{}, map[int64]bool{}
	rows, err := im.tx.QueryContext(ctx, "SELECT imdb_id, match_hash FROM movies")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id sql.NullString
		var hash int64
		if err := rows.Scan(&id, &hash); err != nil {
			return err
		}
		if id.Valid {
			im.knownIDs[imdbNumber(id.String)] = true
		} else {
			im.knownHashes[hash] = true
		}
	}
	return rows.Err()
}

// imdbNumber is the number of a valid imdb_id ("tt0076759" -> 76759).
func imdbNumber(id string) uint64 {
	n, _ := strconv.ParseUint(strings.TrimPrefix(id, "tt"), 10, 64)
	return n
}

func newIMDbImporter(tx *sql.Tx, d *dialect) *imdbImporter {
	return &imdbImporter{tx: tx, d: d, ins: newMovieInserter(tx, d),
		byIMDbID: newTxStmt(tx, selectMovies(d)+` WHERE m.imdb_id = ?`),
		byKey:    newTxStmt(tx, selectMovies(d)+` WHERE m.match_hash = ? AND m.imdb_id IS NULL ORDER BY m.id`),
	}
}

func (im *imdbImporter) close() {
	im.ins.Close()
	im.byIMDbID.Close()
	im.byKey.Close()
}

func (im *imdbImporter) add(ctx context.Context, m NewMovie, report *IMDbReport) error {
	m = m.Normalize()
	if m.IMDbID == "" {
		return errors.New("a title from IMDb's datasets has no imdb_id")
	}
	if err := m.Validate(); err != nil {
		var fe *FieldError
		if errors.As(err, &fe) {
			report.Skipped[fe.Field+" "+fe.Reason]++
			return nil
		}
		return err
	}
	before, found, err := im.existing(ctx, m)
	im.knownIDs[imdbNumber(m.IMDbID)] = true // added or updated below, if not already
	switch {
	case err != nil:
		return err
	case !found:
		if _, err := im.ins.insert(ctx, m); err != nil {
			return fmt.Errorf("%s: %w", m.IMDbID, err)
		}
		report.Added++
	case sameMovie(before, m):
		report.Unchanged++
	default:
		if err := im.update(ctx, before, m); err != nil {
			return fmt.Errorf("%s: %w", m.IMDbID, err)
		}
		report.Updated++
	}
	return nil
}

// existing finds the movie m updates: by imdb_id, else by name and
// director among movies that have none.
func (im *imdbImporter) existing(ctx context.Context, m NewMovie) (Movie, bool, error) {
	if im.knownIDs[imdbNumber(m.IMDbID)] {
		var r movieRow
		err := im.byIMDbID.QueryRowContext(ctx, m.IMDbID).Scan(r.targets()...)
		if err == nil {
			return r.movie(), true, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return Movie{}, false, err
		}
	}
	hash := matchHash(m.Name, m.Director)
	if !im.knownHashes[hash] {
		return Movie{}, false, nil
	}
	rows, err := im.byKey.QueryContext(ctx, hash)
	if err != nil {
		return Movie{}, false, err
	}
	same, err := scanMovies(rows)
	if err != nil {
		return Movie{}, false, err
	}
	for _, before := range same {
		if sameKey(before.Name, before.Director, m) {
			return before, true, nil
		}
	}
	return Movie{}, false, nil
}

func sameMovie(before Movie, m NewMovie) bool {
	return before.Name == m.Name && before.Director == m.Director && before.IMDBScore == m.IMDBScore &&
		before.Popularity == m.Popularity && before.IMDbID == m.IMDbID && before.Year == m.Year &&
		before.RuntimeMinutes == m.RuntimeMinutes && before.Votes == m.Votes && slices.Equal(before.Genres, sortedGenres(m.Genres))
}

func sortedGenres(g []string) []string {
	out := slices.Clone(g)
	slices.Sort(out)
	return out
}

// update rewrites a movie from IMDb's values; its id stays, its version
// moves on, and what derives from it follows, as an edit's does.
func (im *imdbImporter) update(ctx context.Context, before Movie, m NewMovie) error {
	// The update uncounts the old director through an inserter of its
	// own, so the directors this import counted so far must be written.
	if err := im.ins.flushRows(ctx); err != nil {
		return err
	}
	if err := im.ins.suggest.flush(ctx); err != nil {
		return err
	}
	if _, err := im.tx.ExecContext(ctx, `UPDATE movies SET name = ?, director = ?, popularity = ?, imdb_score = ?, match_hash = ?,
	imdb_id = ?, year = ?, runtime_minutes = ?, votes = ?, version = version + 1, updated_at = ? WHERE id = ?`,
		m.Name, m.Director, m.Popularity, m.IMDBScore, matchHash(m.Name, m.Director),
		m.IMDbID, nullIfZero(m.Year), nullIfZero(m.RuntimeMinutes), nullIfZero(m.Votes), now(), before.ID); err != nil {
		return fmt.Errorf("update movie: %w", err)
	}
	return reindexMovie(ctx, im.tx, im.d, before.ID, &before, &m)
}
