package db

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/pressly/goose/v3"
)

// suggestIndexer keeps suggest_values and suggest_words (migration 00005)
// in step with the movies table. Every write of a movie goes through it in
// the same transaction, so autocomplete never sees a half-written change.
type suggestIndexer struct {
	upsert, valueRow, rerank, decrement, dropValue, setPopularity *txStmt
	bestPopularity                                                *txStmt
	// words buffers new suggest_words rows until flush.
	words *rowBatch
	// ranks holds new ranks until flush: a director's count changes with
	// each of its movies, and rank is in every word index, so an import
	// writes each value's words once at the end instead of once per movie.
	ranks map[int64]float64
}

func newSuggestIndexer(tx *sql.Tx, d *dialect) *suggestIndexer {
	x := &suggestIndexer{ranks: map[int64]float64{},
		words: newRowBatch(tx, "INSERT INTO suggest_words (value_id, word, field, first, `rank`, words) VALUES ", d.suggestWordConflict, 6)}
	// Neither MySQL nor MariaDB can return the row an upsert or an UPDATE
	// wrote, so each is followed by a read of that row.
	x.upsert = newTxStmt(tx, d.upsertSuggestValue)
	x.valueRow = newTxStmt(tx, `SELECT id, movies, popularity FROM suggest_values WHERE field = ? AND value = ?`+d.nocase)
	x.rerank = newTxStmt(tx, "UPDATE suggest_words SET `rank` = ? WHERE value_id = ? AND `rank` <> ?")
	x.decrement = newTxStmt(tx, `UPDATE suggest_values SET movies = movies - 1 WHERE field = ? AND value = ?`+d.nocase)
	x.dropValue = newTxStmt(tx, `DELETE FROM suggest_values WHERE id = ?`)
	x.setPopularity = newTxStmt(tx, `UPDATE suggest_values SET popularity = ? WHERE id = ?`)
	// movies_by_director serves this.
	x.bestPopularity = newTxStmt(tx, `SELECT coalesce(max(popularity), 0) FROM movies WHERE director = ?`+d.nocase)
	return x
}

func (x *suggestIndexer) Close() {
	x.words.Close()
	for _, st := range []*txStmt{x.upsert, x.valueRow, x.rerank, x.decrement, x.dropValue, x.setPopularity, x.bestPopularity} {
		st.Close()
	}
}

// addMovie counts a movie that now exists under its director. Titles are
// suggested from the movies themselves (see suggest_titles.go).
func (x *suggestIndexer) addMovie(ctx context.Context, director string, popularity float64) error {
	return x.add(ctx, "director", director, popularity)
}

// removeMovie uncounts a movie that no longer exists (or no longer has this
// director). Call it after the movies table has changed.
func (x *suggestIndexer) removeMovie(ctx context.Context, director string) error {
	return x.remove(ctx, "director", director)
}

func (x *suggestIndexer) add(ctx context.Context, field, value string, popularity float64) error {
	var id, movies int64
	var best float64
	if _, err := x.upsert.ExecContext(ctx, field, value, popularity); err != nil {
		return fmt.Errorf("suggest index %s: %w", field, err)
	}
	if err := x.valueRow.QueryRowContext(ctx, field, value).Scan(&id, &movies, &best); err != nil {
		return fmt.Errorf("suggest index %s: %w", field, err)
	}
	rank := suggestRank(field, movies, best)
	if movies > 1 {
		return x.setRank(ctx, id, rank)
	}
	words := foldedWords(value)
	all := " " + strings.Join(words, " ")
	for i, w := range words {
		if err := x.words.add(ctx, id, w, field, i == 0, rank, all); err != nil {
			return fmt.Errorf("suggest index word: %w", err)
		}
	}
	return nil
}

func (x *suggestIndexer) remove(ctx context.Context, field, value string) error {
	// Dropping a value drops its words: none may still wait in the batch.
	if err := x.words.flush(ctx); err != nil {
		return fmt.Errorf("suggest index word: %w", err)
	}
	var id, movies int64
	if _, err := x.decrement.ExecContext(ctx, field, value); err != nil {
		return fmt.Errorf("suggest index %s: %w", field, err)
	}
	var best float64
	err := x.valueRow.QueryRowContext(ctx, field, value).Scan(&id, &movies, &best)
	if err == sql.ErrNoRows {
		return nil // not indexed: nothing to uncount
	}
	if err != nil {
		return fmt.Errorf("suggest index %s: %w", field, err)
	}
	if movies <= 0 {
		delete(x.ranks, id)
		_, err := x.dropValue.ExecContext(ctx, id)
		return err
	}
	if err := x.bestPopularity.QueryRowContext(ctx, value).Scan(&best); err != nil {
		return err
	}
	if _, err := x.setPopularity.ExecContext(ctx, best, id); err != nil {
		return err
	}
	return x.setRank(ctx, id, suggestRank(field, movies, best))
}

func (x *suggestIndexer) setRank(_ context.Context, id int64, rank float64) error {
	x.ranks[id] = rank
	return nil
}

// flush writes the words and ranks changed since the last flush. Call it
// before the transaction commits.
func (x *suggestIndexer) flush(ctx context.Context) error {
	if err := x.words.flush(ctx); err != nil {
		return fmt.Errorf("suggest index word: %w", err)
	}
	for id, rank := range x.ranks {
		if _, err := x.rerank.ExecContext(ctx, rank, id, rank); err != nil {
			return fmt.Errorf("suggest index rank: %w", err)
		}
	}
	clear(x.ranks)
	return nil
}

// suggestRank orders the values that match a word: titles by their best
// popularity, directors by how many movies they made.
func suggestRank(field string, movies int64, popularity float64) float64 {
	if field == "name" {
		return popularity
	}
	return float64(movies)
}

// suggestBackfill is migration 6: it indexes the movies a database already
// had when migration 5 created the autocomplete tables. It is Go, not SQL,
// because the words must be folded as Fold folds them.
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
		id             int64
		name, director string
		popularity     float64
	}
	for after := int64(0); ; {
		rows, err := tx.QueryContext(ctx, `SELECT id, name, director, popularity FROM movies WHERE id > ? ORDER BY id LIMIT ?`, after, backfillBatch)
		if err != nil {
			return err
		}
		var batch []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.name, &r.director, &r.popularity); err != nil {
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
