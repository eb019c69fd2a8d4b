package db

import (
	"context"
	"database/sql"
	"fmt"
)

// txStmt is a statement prepared on its transaction the first time it
// runs. A write that adds or edits one movie uses only a few of the
// statements an import needs, and on MySQL each prepare is a round trip
// made while the catalog's write lock is held.
type txStmt struct {
	tx    *sql.Tx
	query string
	st    *sql.Stmt
	err   error
}

func newTxStmt(tx *sql.Tx, query string) *txStmt {
	return &txStmt{tx: tx, query: query}
}

func (s *txStmt) prepare(ctx context.Context) error {
	if s.st == nil && s.err == nil {
		if s.st, s.err = s.tx.PrepareContext(ctx, s.query); s.err != nil {
			s.err = fmt.Errorf("prepare: %w", s.err)
		}
	}
	return s.err
}

func (s *txStmt) ExecContext(ctx context.Context, args ...any) (sql.Result, error) {
	if err := s.prepare(ctx); err != nil {
		return nil, err
	}
	return s.st.ExecContext(ctx, args...)
}

func (s *txStmt) QueryContext(ctx context.Context, args ...any) (*sql.Rows, error) {
	if err := s.prepare(ctx); err != nil {
		return nil, err
	}
	return s.st.QueryContext(ctx, args...)
}

// QueryRowContext runs the query for one row. When the statement cannot
// be prepared the query runs unprepared, so that the error comes out of
// Scan as a *sql.Row's errors do.
func (s *txStmt) QueryRowContext(ctx context.Context, args ...any) *sql.Row {
	if err := s.prepare(ctx); err != nil {
		return s.tx.QueryRowContext(ctx, s.query, args...)
	}
	return s.st.QueryRowContext(ctx, args...)
}

// Close releases the statement if it was prepared.
func (s *txStmt) Close() error {
	if s == nil || s.st == nil {
		return nil
	}
	return s.st.Close()
}
