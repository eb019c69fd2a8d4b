package db

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/pressly/goose/v3"
)

// suggestIndexer keeps suggest_values, each director (as the database
// compares them) with its movie count and best popularity, in step with
// the movies table. Every write of a movie goes through it in the same
// transaction, so autocomplete never sees a half-written change. Titles
// are suggested from the movies themselves (see suggest_pick.go).
type suggestIndexer struct {
	upsert                                                        *rowBatch
	valueRow, decrement, dropValue, setPopularity, bestPopularity *txStmt
	// pending holds the movies added per director until flush, in the
	// order first met, so that an import writes each director once
	// instead of once per movie, and assigns ids as one by one would.
	pending map[string]*pendingValue
	order   []string
}

type pendingValue struct {
	movies     int64
	popularity float64
}

func newSuggestIndexer(tx *sql.Tx, d *dialect) *suggestIndexer {
	x := &suggestIndexer{pending: map[string]*pendingValue{},
		upsert: newRowBatch(tx, "INSERT INTO suggest_values (field, value, movies, popularity) VALUES ", d.suggestValueConflict, 4)}
	x.valueRow = newTxStmt(tx, `SELECT id, movies FROM suggest_values WHERE field = 'director' AND value = ?`+d.nocase)
	x.decrement = newTxStmt(tx, `UPDATE suggest_values SET movies = movies - 1 WHERE field = 'director' AND value = ?`+d.nocase)
	x.dropValue = newTxStmt(tx, `DELETE FROM suggest_values WHERE id = ?`)
	x.setPopularity = newTxStmt(tx, `UPDATE suggest_values SET popularity = ? WHERE id = ?`)
	// movies_by_director serves this.
	x.bestPopularity = newTxStmt(tx, `SELECT coalesce(max(popularity), 0) FROM movies WHERE director = ?`+d.nocase)
	return x
}

func (x *suggestIndexer) Close() {
	x.upsert.Close()
	for _, st := range []*txStmt{x.valueRow, x.decrement, x.dropValue, x.setPopularity, x.bestPopularity} {
		st.Close()
	}
}

// addMovie counts a movie that now exists under its director.
func (x *suggestIndexer) addMovie(_ context.Context, director string, popularity float64) error {
	p := x.pending[director]
	if p == nil {
		p = &pendingValue{}
		x.pending[director] = p
		x.order = append(x.order, director)
	}
	p.movies++
	p.popularity = max(p.popularity, popularity)
	return nil
}

// removeMovie uncounts a movie that no longer exists (or no longer has this
// director). Call it after the movies table has changed.
func (x *suggestIndexer) removeMovie(ctx context.Context, director string) error {
	// The row must hold every movie added so far before one is taken off.
	if err := x.flush(ctx); err != nil {
		return err
	}
	if _, err := x.decrement.ExecContext(ctx, director); err != nil {
		return fmt.Errorf("suggest index director: %w", err)
	}
	var id, movies int64
	err := x.valueRow.QueryRowContext(ctx, director).Scan(&id, &movies)
	if err == sql.ErrNoRows {
		return nil // not indexed: nothing to uncount
	}
	if err != nil {
		return fmt.Errorf("suggest index director: %w", err)
	}
	if movies <= 0 {
		_, err := x.dropValue.ExecContext(ctx, id)
		return err
	}
	var best float64
	if err := x.bestPopularity.QueryRowContext(ctx, director).Scan(&best); err != nil {
		return err
	}
	_, err = x.setPopularity.ExecContext(ctx, best, id)
	return err
}

// flush writes the directors counted since the last flush. Call it before
// the transaction commits.
func (x *suggestIndexer) flush(ctx context.Context) error {
	for _, director := range x.order {
		p := x.pending[director]
		if err := x.upsert.add(ctx, "director", director, p.movies, p.popularity); err != nil {
			return fmt.Errorf("suggest index director: %w", err)
		}
	}
	clear(x.pending)
	x.order = x.order[:0]
	if err := x.upsert.flush(ctx); err != nil {
		return fmt.Errorf("suggest index director: %w", err)
	}
	return nil
}

// suggestRank orders the values that match a query: titles by their best
// popularity, directors by how many movies they made.
func suggestRank(field string, movies int64, popularity float64) float64 {
	if field == "name" {
		return popularity
	}
	return float64(movies)
}

// suggestBackfill is migration 6: it indexes the movies a database already
// had when migration 5 created the autocomplete tables. It is Go, not SQL,
// because it once folded words as Fold folds them (migration 15 dropped
// them).
var suggestBackfill = goose.NewGoMigration(6,
	&goose.GoFunc{RunTx: backfillSuggestIndex},
	&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM suggest_words; DELETE FROM suggest_values;")
		return err
	}})

// backfillBatch bounds how many movies the backfill holds in memory at once.
const backfillBatch = 10_000

func backfillSuggestIndex(ctx context.Context, tx *sql.Tx) error {
	x := newSuggestIndexer(tx, sqliteDialect)
	defer x.Close()
	type row struct {
		id         int64
		director   string
		popularity float64
	}
	for after := int64(0); ; {
		rows, err := tx.QueryContext(ctx, `SELECT id, director, popularity FROM movies WHERE id > ? ORDER BY id LIMIT ?`, after, backfillBatch)
		if err != nil {
			return err
		}
		var batch []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.director, &r.popularity); err != nil {
				rows.Close()
				return err
			}
			batch = append(batch, r)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if len(batch) == 0 {
			break
		}
		for _, r := range batch {
			if err := x.addMovie(ctx, r.director, r.popularity); err != nil {
				return err
			}
		}
		after = batch[len(batch)-1].id
	}
	return x.flush(ctx)
}
