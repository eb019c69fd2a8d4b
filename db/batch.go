package db

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// batchRows is how many rows one multi-row INSERT carries at most. A
// thousand rows of up to six columns stay far below the placeholder limits
// (65,535 on MySQL, 32,766 on SQLite) and turn a thousand round trips to a
// MySQL server into one.
const batchRows = 1000

// rowBatch buffers the rows of one INSERT statement and sends them as one
// INSERT ... VALUES (?, ?), (?, ?), ... Values only ever travel as
// arguments. Flush it before anything reads the table it writes.
type rowBatch struct {
	tx         *sql.Tx
	head, tail string // "INSERT INTO t (a, b) VALUES " and what follows the rows
	cols       int
	args       []any
	full       *sql.Stmt // the statement for batchRows rows, prepared once needed
}

func newRowBatch(tx *sql.Tx, head, tail string, cols int) *rowBatch {
	return &rowBatch{tx: tx, head: head, tail: tail, cols: cols}
}

// add buffers one row (cols values), sending the batch once it is full.
func (b *rowBatch) add(ctx context.Context, row ...any) error {
	if len(row) != b.cols {
		return fmt.Errorf("batch %q: %d values for %d columns", b.head, len(row), b.cols)
	}
	b.args = append(b.args, row...)
	if len(b.args) < batchRows*b.cols {
		return nil
	}
	if b.full == nil {
		var err error
		if b.full, err = b.tx.PrepareContext(ctx, b.query(batchRows)); err != nil {
			return err
		}
	}
	_, err := b.full.ExecContext(ctx, b.args...)
	b.args = b.args[:0]
	return err
}

// flush sends the rows buffered so far.
func (b *rowBatch) flush(ctx context.Context) error {
	if len(b.args) == 0 {
		return nil
	}
	_, err := b.tx.ExecContext(ctx, b.query(len(b.args)/b.cols), b.args...)
	b.args = b.args[:0]
	return err
}

func (b *rowBatch) query(rows int) string {
	row := "(?" + strings.Repeat(", ?", b.cols-1) + ")"
	return b.head + row + strings.Repeat(", "+row, rows-1) + b.tail
}

// Close releases the prepared statement; rows not flushed are dropped.
func (b *rowBatch) Close() {
	if b.full != nil {
		b.full.Close()
	}
}
