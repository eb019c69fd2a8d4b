package db

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// EachMovie calls fn with every movie of the catalog in id order, read by
// one statement, so that they are the catalog as it was at one moment even
// while others write. It stops at fn's first error.
func (s *Store) EachMovie(ctx context.Context, fn func(Movie) error) error {
	rows, err := s.allMovies(ctx)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		m, err := rows.Movie()
		if err != nil {
			return err
		}
		if err := fn(m); err != nil {
			return err
		}
	}
	return rows.Err()
}

// allMovies reads the whole catalog in id order with one statement.
func (s *Store) allMovies(ctx context.Context) (*MovieRows, error) {
	rows, err := s.read.QueryContext(ctx, selectMovies(s.dialect)+" ORDER BY m.id")
	if err != nil {
		return nil, fmt.Errorf("read the catalog: %w", err)
	}
	return &MovieRows{rows}, nil
}

// exportEntry is a movie in the catalog file's shape, the one DecodeCatalog
// reads, with the fields from IMDb's datasets when they are known.
type exportEntry struct {
	Popularity     float64  `json:"99popularity"`
	Director       string   `json:"director"`
	Genre          []string `json:"genre"`
	IMDBScore      float64  `json:"imdb_score"`
	Name           string   `json:"name"`
	IMDbID         string   `json:"imdb_id,omitempty"`
	Year           int      `json:"year,omitempty"`
	RuntimeMinutes int      `json:"runtime_minutes,omitempty"`
	Votes          int64    `json:"votes,omitempty"`
}

// ExportJSON writes the whole catalog to w as a catalog file that fimdb
// import reads back (ids and versions are the database's, so they stay out),
// one movie per line, and returns how many it wrote.
func (s *Store) ExportJSON(ctx context.Context, w io.Writer) (int, error) {
	if _, err := io.WriteString(w, "["); err != nil {
		return 0, err
	}
	n := 0
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // titles keep their & and <, as the bundled file has them
	err := s.EachMovie(ctx, func(m Movie) error {
		buf.Reset()
		if n > 0 {
			buf.WriteString(",")
		}
		buf.WriteString("\n")
		if err := enc.Encode(exportEntry{m.Popularity, m.Director, nonNil(m.Genres), m.IMDBScore, m.Name, m.IMDbID, m.Year, m.RuntimeMinutes, m.Votes}); err != nil {
			return err
		}
		n++
		_, err := w.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
		return err
	})
	if err != nil {
		return n, err
	}
	_, err = io.WriteString(w, "\n]\n")
	return n, err
}

func nonNil(genres []string) []string {
	if genres == nil {
		return []string{}
	}
	return genres
}

// CSVHeader names the columns of ExportCSV and of CSVRecord.
var CSVHeader = []string{"id", "name", "director", "genres", "imdb_score", "popularity", "imdb_id", "year", "runtime_minutes", "votes"}

// CSVRecord is a movie as a row under CSVHeader: genres joined by ", ",
// unknown IMDb fields empty.
func CSVRecord(m Movie) []string {
	optional := func(n int64) string {
		if n == 0 {
			return ""
		}
		return strconv.FormatInt(n, 10)
	}
	return []string{
		strconv.FormatInt(m.ID, 10), m.Name, m.Director, strings.Join(m.Genres, ", "),
		strconv.FormatFloat(m.IMDBScore, 'f', -1, 64), strconv.FormatFloat(m.Popularity, 'f', -1, 64),
		m.IMDbID, optional(int64(m.Year)), optional(int64(m.RuntimeMinutes)), optional(m.Votes),
	}
}

// NewCSVWriter writes RFC 4180 CSV: fields quoted when they need it, lines
// ended by CRLF.
func NewCSVWriter(w io.Writer) *csv.Writer {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	return cw
}

// ExportCSV writes the whole catalog to w as CSV with a header row, and
// returns how many movies it wrote.
func (s *Store) ExportCSV(ctx context.Context, w io.Writer) (int, error) {
	rows, err := s.allMovies(ctx)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	return WriteCSV(w, rows)
}

// WriteCSV writes a header row and every movie of rows to w as RFC 4180
// CSV, and returns how many movies it wrote.
func WriteCSV(w io.Writer, rows *MovieRows) (int, error) {
	cw := NewCSVWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return 0, err
	}
	n := 0
	for rows.Next() {
		m, err := rows.Movie()
		if err != nil {
			return n, err
		}
		if err := cw.Write(CSVRecord(m)); err != nil {
			return n, err
		}
		n++
	}
	cw.Flush()
	return n, errors.Join(rows.Err(), cw.Error())
}

// ErrNoBackup is Backup's answer on MySQL, whose own tools back it up.
var ErrNoBackup = errors.New("fimdb backs up SQLite databases only: back up MySQL with its own tools (mysqldump --single-transaction, or your provider's snapshots, such as Aurora's), or keep the catalog with fimdb export")

// Backup writes a consistent copy of a SQLite database to path, which must
// not exist, while others go on reading and writing it: VACUUM INTO reads
// one snapshot, and the copy is compact and needs no WAL file beside it.
func (s *Store) Backup(ctx context.Context, path string) error {
	if s.dialect != sqliteDialect {
		return ErrNoBackup
	}
	// On the writer's connection: the readers' are read-only, which VACUUM
	// INTO extends to the file it writes. It only reads the database.
	if _, err := s.write.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		return fmt.Errorf("back up to %s: %w", path, err)
	}
	return nil
}

// allRows is a LIMIT that no catalog reaches (MySQL has no "no limit").
const allRows = 1 << 62

// MovieRows are movies read one at a time from one statement; Close them.
type MovieRows struct{ rows *sql.Rows }

func (r *MovieRows) Next() bool            { return r.rows.Next() }
func (r *MovieRows) Movie() (Movie, error) { return scanMovie(r.rows) }
func (r *MovieRows) Err() error            { return r.rows.Err() }
func (r *MovieRows) Close() error          { return r.rows.Close() }

// Listed runs the query of every movie that q's filter matches, in q's
// order: the whole result whose pages ListMovies shows. q's page and page
// size do not matter. The rows hold a read connection until closed.
func (s *Store) Listed(ctx context.Context, q ListQuery) (*MovieRows, error) {
	if q.tooManyWords() {
		return nil, ErrTooManyWords
	}
	q = q.normalized()
	q.Page, q.PerPage = 1, allRows
	query, args := s.pageSQL(q, false)
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list movies: %w", err)
	}
	return &MovieRows{rows}, nil
}
