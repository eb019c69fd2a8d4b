package main

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"fimdb/db"
	"fimdb/db/dbtest"
)

// unusualMovies are movies whose fields test the formats: quotes, commas,
// line breaks, markup, non-ASCII, and the fields of IMDb's datasets.
var unusualMovies = []db.NewMovie{
	{Name: `"Quoted", with a comma`, Director: "Ann O'Neil", Genres: []string{"Drama"}, IMDBScore: 7.25, Popularity: 12.5},
	{Name: "Line\nbreak <b>&amp;</b>", Director: "Zoë Ünal", Genres: []string{"Comedy", "Sci-Fi"}, IMDBScore: 5, Popularity: 0},
	{Name: "Ran", Director: "黒澤明", Genres: nil, IMDBScore: 8.2, Popularity: 81, IMDbID: "tt0089881", Year: 1985, RuntimeMinutes: 162, Votes: 131000},
	{Name: "A film IMDb credits to nobody", Director: "", Genres: []string{"Documentary"}, IMDBScore: 0, Popularity: 1, IMDbID: "tt0000001", Year: 1894},
	// Two movies that share a title and have no director: IMDb tells them
	// apart by id, and so must an import.
	{Name: "A film IMDb credits to nobody", Director: "", Genres: []string{"Short"}, IMDBScore: 0, Popularity: 1, IMDbID: "tt0000002", Year: 1895},
}

// catalogAt opens dsn with the bundled catalog and unusualMovies in it.
func catalogAt(t *testing.T, dsn string) *db.Store {
	t.Helper()
	ctx := context.Background()
	s, err := db.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.SeedBundledCatalog(ctx); err != nil {
		t.Fatal(err)
	}
	for _, m := range unusualMovies {
		if _, err := s.CreateMovie(ctx, m, "test"); err != nil {
			t.Fatalf("%q: %v", m.Name, err)
		}
	}
	return s
}

// moviesOf lists a catalog's movies without what a database assigns (ids,
// versions), in a fixed order.
func moviesOf(t *testing.T, s *db.Store) []db.Movie {
	t.Helper()
	var out []db.Movie
	if err := s.EachMovie(context.Background(), func(m db.Movie) error {
		m.ID, m.Version = 0, 0
		out = append(out, m)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(out, func(a, b db.Movie) int {
		return strings.Compare(a.Name+"\x00"+a.Director, b.Name+"\x00"+b.Director)
	})
	return out
}

// TestExportThenImportGivesTheSameCatalog: a JSON export imported into an
// empty database holds the same movies, field for field.
func TestExportThenImportGivesTheSameCatalog(t *testing.T) {
	clearEnv(t, fimdbEnv...)
	srcDSN := dbtest.DSN(t, "src")
	src := catalogAt(t, srcDSN)
	file := filepath.Join(t.TempDir(), "catalog.json")
	out, _, err := runCLI(t, "export", "--db", filepath.Join(t.TempDir(), "missing.db"), file)
	if err == nil || !strings.Contains(err.Error(), "no such database file") {
		t.Fatalf("exporting a database file that is not there: %v %s", err, out)
	}
	out, errOut, err := runCLI(t, "export", "--db", srcDSN, file)
	if err != nil {
		t.Fatalf("export: %v\n%s", err, errOut)
	}
	want := moviesOf(t, src)
	if out != fmt.Sprintf("Exported %d movies to %s.\n", len(want), file) {
		t.Errorf("export said %q", out)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(data) {
		t.Fatalf("the export is not JSON:\n%.500s", data)
	}
	dstDSN := dbtest.DSN(t, "dst")
	if _, errOut, err = runCLI(t, "import", "--db", dstDSN, file); err != nil {
		t.Fatalf("import of the export: %v\n%s", err, errOut)
	}
	dst, err := db.Open(context.Background(), dstDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	got := moviesOf(t, dst)
	if len(got) != len(want) {
		t.Fatalf("%d movies after the round trip, want %d", len(got), len(want))
	}
	for i := range want {
		if fmt.Sprint(got[i]) != fmt.Sprint(want[i]) {
			t.Errorf("after the round trip\n got %+v\nwant %+v", got[i], want[i])
		}
	}
	// Imported again, every movie is known already, by name or IMDb id.
	out, errOut, err = runCLI(t, "import", "--db", dstDSN, file)
	if err != nil || !strings.Contains(out, fmt.Sprintf(": 0 added, %d skipped", len(want))) {
		t.Errorf("a second import of the export: %v\n%s%s", err, out, errOut)
	}
}

// TestExportCSV: RFC 4180 with a header row and CRLF line ends; every
// movie once, fields as stored, to standard output when no file is named.
func TestExportCSV(t *testing.T) {
	clearEnv(t, fimdbEnv...)
	srcDSN := dbtest.DSN(t, "src")
	src := catalogAt(t, srcDSN)
	out, errOut, err := runCLI(t, "export", "--db", srcDSN, "--format", "csv")
	if err != nil {
		t.Fatalf("export: %v\n%s", err, errOut)
	}
	if !strings.HasSuffix(out, "\r\n") || strings.Count(out, "\r\n") < 247 {
		t.Errorf("lines are not ended by CRLF: %q", out[:min(len(out), 200)])
	}
	records, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v", err)
	}
	if !slices.Equal(records[0], db.CSVHeader) {
		t.Errorf("header %q, want %q", records[0], db.CSVHeader)
	}
	want := moviesOf(t, src)
	if len(records)-1 != len(want) {
		t.Fatalf("%d rows, want %d movies", len(records)-1, len(want))
	}
	rows := map[string][]string{}
	for _, r := range records[1:] {
		rows[r[1]] = r
	}
	for _, tc := range []struct{ name, column, want string }{
		{`"Quoted", with a comma`, "director", "Ann O'Neil"},
		{"Line\nbreak <b>&amp;</b>", "genres", "Comedy, Sci-Fi"},
		{"Line\nbreak <b>&amp;</b>", "director", "Zoë Ünal"},
		{"Ran", "year", "1985"},
		{"Ran", "votes", "131000"},
		{"Ran", "genres", ""},
		{`"Quoted", with a comma`, "imdb_score", "7.25"},
		{`"Quoted", with a comma`, "imdb_id", ""},
		{"Star Wars", "popularity", "88"},
	} {
		row, ok := rows[tc.name]
		if !ok {
			t.Errorf("no row for %q", tc.name)
			continue
		}
		if got := row[slices.Index(db.CSVHeader, tc.column)]; got != tc.want {
			t.Errorf("%q %s = %q, want %q", tc.name, tc.column, got, tc.want)
		}
	}
}

// TestBackupWhileWriting: backups taken while another goroutine adds,
// edits and deletes movies open, pass integrity_check, and hold a state
// that existed: every movie whole, the catalog's count right, and the
// audit log agreeing with the movies.
func TestBackupWhileWriting(t *testing.T) {
	clearEnv(t, fimdbEnv...)
	if dbtest.MySQL() {
		out, _, err := runCLI(t, "backup", "--db", dbtest.DSN(t, "mysql"), filepath.Join(t.TempDir(), "b.db"))
		if err == nil || !strings.Contains(err.Error(), "mysqldump") {
			t.Errorf("backup of a MySQL database: %v %s, want the way to back it up", err, out)
		}
		return
	}
	ctx := context.Background()
	dsn := filepath.Join(t.TempDir(), "live.db")
	live := catalogAt(t, dsn)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var writeErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		writeErr = churn(ctx, live, stop)
	}()
	dir := t.TempDir()
	for i := range 4 {
		file := filepath.Join(dir, fmt.Sprintf("backup-%d.db", i))
		out, errOut, err := runCLI(t, "backup", "--db", dsn, file)
		if err != nil {
			t.Fatalf("backup %d: %v\n%s", i, err, errOut)
		}
		if !strings.Contains(out, "To restore it: stop fimdb") {
			t.Errorf("backup %d said %q", i, out)
		}
		checkBackup(t, file)
	}
	close(stop)
	wg.Wait()
	if writeErr != nil {
		t.Fatalf("the writer: %v", writeErr)
	}
	if _, _, err := runCLI(t, "backup", "--db", dsn, filepath.Join(dir, "backup-0.db")); err == nil || !strings.Contains(err.Error(), "exists already") {
		t.Errorf("a backup over an existing file: %v", err)
	}
}

// churn adds, edits and deletes movies until stop is closed, at least 30
// times over.
func churn(ctx context.Context, s *db.Store, stop <-chan struct{}) error {
	for i := 0; ; i++ {
		select {
		case <-stop:
			if i >= 30 {
				return nil
			}
		default:
		}
		m, err := s.CreateMovie(ctx, db.NewMovie{Name: fmt.Sprintf("Churn %d", i), Director: "Writer", Genres: []string{"Drama", fmt.Sprintf("G%d", i%3)}, IMDBScore: 5, Popularity: 5}, "churn")
		if err != nil {
			return err
		}
		if _, err := s.UpdateMovie(ctx, m.ID, nil, db.NewMovie{Name: fmt.Sprintf("Churn %d edited", i), Director: "Writer", Genres: []string{"Comedy"}, IMDBScore: 6, Popularity: 6}, "churn"); err != nil {
			return err
		}
		if i%2 == 0 {
			if _, err := s.DeleteMovie(ctx, m.ID, "churn"); err != nil {
				return err
			}
		}
	}
}

// checkBackup opens a backup as a plain SQLite file and checks it whole.
func checkBackup(t *testing.T, file string) {
	t.Helper()
	conn, err := sql.Open("sqlite", file)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var integrity string
	if err := conn.QueryRow("PRAGMA integrity_check").Scan(&integrity); err != nil || integrity != "ok" {
		t.Fatalf("%s: integrity_check %q, %v", file, integrity, err)
	}
	var movies, kept, genreless int
	if err := conn.QueryRow("SELECT count(*), (SELECT value FROM app_meta WHERE key = 'catalog_size'), (SELECT count(*) FROM movies m WHERE m.name LIKE 'Churn %' AND NOT EXISTS (SELECT 1 FROM movie_genres g WHERE g.movie_id = m.id)) FROM movies").Scan(&movies, &kept, &genreless); err != nil {
		t.Fatal(err)
	}
	if movies != kept || genreless != 0 {
		t.Errorf("%s: %d movies, the catalog says %d; %d churned movies without genres", file, movies, kept, genreless)
	}
	// The last audit entry of each churned movie says what the backup
	// holds of it: gone after a delete, else the name it was given.
	rows, err := conn.Query(`SELECT a.movie_id, a.action, coalesce(a.after, ''), coalesce(m.name, '')
FROM audit_log a LEFT JOIN movies m ON m.id = a.movie_id
WHERE a.actor = 'churn' AND a.id = (SELECT max(id) FROM audit_log b WHERE b.movie_id = a.movie_id)`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var action, after, name string
		if err := rows.Scan(&id, &action, &after, &name); err != nil {
			t.Fatal(err)
		}
		var last struct{ Name string }
		json.Unmarshal([]byte(after), &last)
		switch {
		case action == "delete" && name != "":
			t.Errorf("%s: movie %d is there after its delete", file, id)
		case action != "delete" && (name == "" || name != last.Name):
			t.Errorf("%s: movie %d is %q, its last %s says %q", file, id, name, action, last.Name)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}
