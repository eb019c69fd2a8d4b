package db

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ConflictError is an update based on a version of the movie that someone
// else has changed since; Current is the movie as it is now.
type ConflictError struct {
	Current Movie
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("movie %d changed since version you edited (now version %d)", e.Current.ID, e.Current.Version)
}

// AuditEntry is one recorded change.
type AuditEntry struct {
	ID      int64  `json:"id"`
	MovieID int64  `json:"movie_id"`
	Actor   string `json:"actor"`
	Action  string `json:"action"`
	At      string `json:"at"`
	Before  *Movie `json:"before"`
	After   *Movie `json:"after"`
}

// MovieByID returns one movie, or ErrNotFound.
func (s *Store) MovieByID(ctx context.Context, id int64) (Movie, error) {
	return movieByID(ctx, s.read, s.dialect, id)
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func movieByID(ctx context.Context, q queryer, d *dialect, id int64) (Movie, error) {
	var r movieRow
	err := q.QueryRowContext(ctx, selectMovies(d)+" WHERE m.id = ?", id).Scan(r.targets()...)
	if errors.Is(err, sql.ErrNoRows) {
		return Movie{}, ErrNotFound
	}
	if err != nil {
		return Movie{}, fmt.Errorf("movie %d: %w", id, err)
	}
	return r.movie(), nil
}

func splitGenres(s string) []string {
	if s == "" {
		return []string{}
	}
	out := strings.Split(s, "\x1f")
	slices.Sort(out)
	return out
}

// CreateMovie adds a movie and records who did it.
func (s *Store) CreateMovie(ctx context.Context, m NewMovie, actor string) (Movie, error) {
	m = m.Normalize()
	if err := m.Validate(); err != nil {
		return Movie{}, err
	}
	var out Movie
	err := s.inCatalogTx(ctx, func(tx *sql.Tx) (err error) {
		out, err = createMovie(ctx, tx, s.dialect, m, actor)
		return err
	})
	return out, err
}

func createMovie(ctx context.Context, tx *sql.Tx, d *dialect, m NewMovie, actor string) (Movie, error) {
	ins := newMovieInserter(tx, d)
	defer ins.Close()
	id, err := ins.insert(ctx, m)
	if err != nil {
		return Movie{}, err
	}
	if err := ins.flush(ctx); err != nil {
		return Movie{}, err
	}
	out, err := movieByID(ctx, tx, d, id)
	if err != nil {
		return Movie{}, err
	}
	return out, audit(ctx, tx, id, actor, "create", nil, &out)
}

// IdempotencyKeyTTL is how long an add's Idempotency-Key is remembered.
const IdempotencyKeyTTL = 24 * time.Hour

// ErrIdempotencyKeyReused is an Idempotency-Key sent again with a
// different movie: the client has a bug, and neither add is safe to guess.
var ErrIdempotencyKeyReused = errors.New("this Idempotency-Key was used for a different movie")

// replayed carries an earlier add's result out of a transaction that is
// rolled back, so that a retry does not move the catalog version.
type replayed struct{ movie Movie }

func (replayed) Error() string { return "replayed" }

// CreateMovieOnce adds a movie like CreateMovie, unless actor already
// added one with key in the last IdempotencyKeyTTL: then it adds nothing
// and returns that add's movie, as it was answered then, with replay true.
// The key is stored in the add's own transaction, so an add is recorded
// with its key or not at all.
func (s *Store) CreateMovieOnce(ctx context.Context, key string, m NewMovie, actor string) (out Movie, replay bool, err error) {
	m = m.Normalize()
	if err := m.Validate(); err != nil {
		return Movie{}, false, err
	}
	request, err := json.Marshal(m)
	if err != nil {
		return Movie{}, false, err
	}
	hash := fmt.Sprintf("%x", sha256.Sum256(request))
	err = s.inCatalogTx(ctx, func(tx *sql.Tx) error {
		at := time.Now().UTC()
		if _, err := tx.ExecContext(ctx, "DELETE FROM idempotency_keys WHERE created_at < ?", at.Add(-IdempotencyKeyTTL).Format(timeLayout)); err != nil {
			return fmt.Errorf("expire idempotency keys: %w", err)
		}
		var seenHash, response string
		err := tx.QueryRowContext(ctx, "SELECT request_hash, response FROM idempotency_keys WHERE actor = ? AND k = ?", actor, key).Scan(&seenHash, &response)
		switch {
		case err == nil && seenHash != hash:
			return ErrIdempotencyKeyReused
		case err == nil:
			var earlier Movie
			if err := json.Unmarshal([]byte(response), &earlier); err != nil {
				return fmt.Errorf("idempotency key %q: %w", key, err)
			}
			return replayed{earlier}
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if out, err = createMovie(ctx, tx, s.dialect, m, actor); err != nil {
			return err
		}
		answer, err := json.Marshal(out)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO idempotency_keys (actor, k, request_hash, response, created_at) VALUES (?, ?, ?, ?, ?)",
			actor, key, hash, string(answer), at.Format(timeLayout))
		return err
	})
	var r replayed
	if errors.As(err, &r) {
		return r.movie, true, nil
	}
	return out, false, err
}

// UpdateMovie replaces a movie's fields and genres. When version is not nil
// and the movie has moved past it, nothing changes and a *ConflictError
// carries the current movie.
func (s *Store) UpdateMovie(ctx context.Context, id int64, version *int64, m NewMovie, actor string) (Movie, error) {
	m = m.Normalize()
	if err := m.Validate(); err != nil {
		return Movie{}, err
	}
	var out Movie
	err := s.inCatalogTx(ctx, func(tx *sql.Tx) error {
		before, err := movieByID(ctx, tx, s.dialect, id)
		if err != nil {
			return err
		}
		if version != nil && *version != before.Version {
			return &ConflictError{Current: before}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE movies SET name = ?, director = ?, popularity = ?, imdb_score = ?, match_hash = ?,
	version = version + 1, updated_at = ? WHERE id = ?`,
			m.Name, m.Director, m.Popularity, m.IMDBScore, matchHash(m.Name, m.Director), now(), id); err != nil {
			return fmt.Errorf("update movie: %w", err)
		}
		if err := reindexMovie(ctx, tx, s.dialect, id, &before, &m); err != nil {
			return err
		}
		if out, err = movieByID(ctx, tx, s.dialect, id); err != nil {
			return err
		}
		return audit(ctx, tx, id, actor, "update", &before, &out)
	})
	return out, err
}

// reindexMovie brings what derives from a movie's row up to date once the
// row has changed: its genres, search words and autocomplete entries move
// from before to after. before is nil when the row was just inserted;
// after is nil for a delete, which reindexMovie makes itself (after
// unindexing the row, before updating autocomplete). One inserter serves
// both, so its statements are prepared once.
func reindexMovie(ctx context.Context, tx *sql.Tx, d *dialect, id int64, before *Movie, after *NewMovie) error {
	ins := newMovieInserter(tx, d)
	defer ins.Close()
	if before != nil {
		if err := ins.unindex(ctx, id); err != nil {
			return err
		}
	}
	if after != nil {
		if err := ins.indexed(ctx, id, *after); err != nil {
			return err
		}
	}
	switch {
	case before == nil:
		ins.movies++
	case after == nil:
		if _, err := tx.ExecContext(ctx, "DELETE FROM movies WHERE id = ?", id); err != nil {
			return fmt.Errorf("delete movie: %w", err)
		}
		ins.movies--
	}
	if err := ins.flush(ctx); err != nil {
		return err
	}
	if before == nil {
		return nil
	}
	// Autocomplete recomputes a value's best popularity from the movies
	// that still have it, so the movie's old row must be gone or changed.
	if err := ins.suggest.removeMovie(ctx, before.Director); err != nil {
		return err
	}
	return ins.suggest.flush(ctx)
}

// DeleteMovie removes a movie and records it, returning the movie as it was.
func (s *Store) DeleteMovie(ctx context.Context, id int64, actor string) (Movie, error) {
	var before Movie
	err := s.inCatalogTx(ctx, func(tx *sql.Tx) error {
		var err error
		if before, err = movieByID(ctx, tx, s.dialect, id); err != nil {
			return err
		}
		if err := reindexMovie(ctx, tx, s.dialect, id, &before, nil); err != nil {
			return err
		}
		return audit(ctx, tx, id, actor, "delete", &before, nil)
	})
	return before, err
}

func audit(ctx context.Context, tx *sql.Tx, movieID int64, actor, action string, before, after *Movie) error {
	encode := func(m *Movie) (any, error) {
		if m == nil {
			return nil, nil
		}
		b, err := json.Marshal(m)
		return string(b), err
	}
	b, err := encode(before)
	if err != nil {
		return err
	}
	a, err := encode(after)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, "INSERT INTO audit_log (movie_id, actor, action, at, `before`, `after`) VALUES (?, ?, ?, ?, ?, ?)",
		movieID, actor, action, now(), b, a)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// AuditLog returns the recorded changes of a movie, newest first.
func (s *Store) AuditLog(ctx context.Context, movieID int64) ([]AuditEntry, error) {
	rows, err := s.read.QueryContext(ctx, "SELECT id, movie_id, actor, action, at, `before`, `after`"+`
FROM audit_log WHERE movie_id = ? ORDER BY id DESC`, movieID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []AuditEntry{}
	for rows.Next() {
		var e AuditEntry
		var before, after sql.NullString
		if err := rows.Scan(&e.ID, &e.MovieID, &e.Actor, &e.Action, &e.At, &before, &after); err != nil {
			return nil, err
		}
		for _, pair := range []struct {
			raw sql.NullString
			dst **Movie
		}{{before, &e.Before}, {after, &e.After}} {
			if pair.raw.Valid {
				var m Movie
				if err := json.Unmarshal([]byte(pair.raw.String), &m); err != nil {
					return nil, err
				}
				*pair.dst = &m
			}
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// RestoreMovie brings back a deleted movie, with its id, from the audit
// log's record of the deletion. It is what Undo does after a delete.
func (s *Store) RestoreMovie(ctx context.Context, id int64, actor string) (Movie, error) {
	var out Movie
	err := s.inCatalogTx(ctx, func(tx *sql.Tx) error {
		if _, err := movieByID(ctx, tx, s.dialect, id); err == nil {
			return ErrNotFound // nothing to restore: the movie exists
		}
		var before sql.NullString
		err := tx.QueryRowContext(ctx, "SELECT `before` FROM audit_log WHERE movie_id = ? AND action = 'delete'"+`
ORDER BY id DESC LIMIT 1`, id).Scan(&before)
		if errors.Is(err, sql.ErrNoRows) || !before.Valid {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		var old Movie
		if err := json.Unmarshal([]byte(before.String), &old); err != nil {
			return err
		}
		// A movie deleted before scores were kept to two decimals comes
		// back with its score rounded, as every write stores it.
		old.IMDBScore = roundScore(old.IMDBScore)
		at := now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO movies (id, name, director, popularity, imdb_score, match_hash, version, created_at, updated_at,
	imdb_id, year, runtime_minutes, votes)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, old.Name, old.Director, old.Popularity, old.IMDBScore, matchHash(old.Name, old.Director), old.Version+1, at, at,
			nullIfZero(old.IMDbID), nullIfZero(old.Year), nullIfZero(old.RuntimeMinutes), nullIfZero(old.Votes)); err != nil {
			return fmt.Errorf("restore movie: %w", err)
		}
		restored := NewMovie{Name: old.Name, Director: old.Director, Popularity: old.Popularity, Genres: old.Genres}
		if err := reindexMovie(ctx, tx, s.dialect, id, nil, &restored); err != nil {
			return err
		}
		if out, err = movieByID(ctx, tx, s.dialect, id); err != nil {
			return err
		}
		return audit(ctx, tx, id, actor, "restore", nil, &out)
	})
	return out, err
}
