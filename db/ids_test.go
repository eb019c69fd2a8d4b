package db

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"fimdb/db/dbtest"
)

var alien = NewMovie{Name: "Alien", Director: "Ridley Scott", Genres: []string{"Horror", "Sci-Fi"}, IMDBScore: 8.5, Popularity: 88}

func actionsOf(t *testing.T, s *Store, id int64) string {
	t.Helper()
	log, err := s.AuditLog(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range log {
		name := ""
		for _, m := range []*Movie{e.After, e.Before} {
			if m != nil {
				name = m.Name
				break
			}
		}
		out = append(out, e.Action+" "+name)
	}
	return strings.Join(out, ", ")
}

// TestMovieIDsAreNeverReused: the newest movie deleted, the next one added
// gets a new id, even after a restart, and the first can still be restored
// under its own id with a history of its own.
func TestMovieIDsAreNeverReused(t *testing.T) {
	ctx := context.Background()
	path := dbtest.DSN(t, "ids")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { s.Close() }()
	if _, err := s.SeedBundledCatalog(ctx); err != nil {
		t.Fatal(err)
	}
	first, err := s.CreateMovie(ctx, alien, "t")
	if err != nil {
		t.Fatal(err)
	}
	if first.ID != 247 {
		t.Fatalf("the first added movie got id %d, want 247", first.ID)
	}
	if _, err := s.DeleteMovie(ctx, first.ID, "t"); err != nil {
		t.Fatal(err)
	}
	second, err := s.CreateMovie(ctx, NewMovie{Name: "Aliens", Director: "James Cameron", IMDBScore: 8.4, Popularity: 84}, "t")
	if err != nil {
		t.Fatal(err)
	}
	if second.ID == first.ID {
		t.Fatalf("the id %d of a deleted movie was given to another", first.ID)
	}

	// A restart does not forget the ids handed out.
	if _, err := s.DeleteMovie(ctx, second.ID, "t"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err = Open(ctx, path); err != nil {
		t.Fatal(err)
	}
	imported, err := s.ImportMovies(ctx, []NewMovie{{Name: "Heat", Director: "Michael Mann", IMDBScore: 8.3, Popularity: 80}}, nil)
	if err != nil || imported.Added != 1 {
		t.Fatal(imported, err)
	}
	third, err := s.CreateMovie(ctx, NewMovie{Name: "Solaris", Director: "Andrei Tarkovsky", IMDBScore: 8, Popularity: 80}, "t")
	if err != nil {
		t.Fatal(err)
	}
	if third.ID <= second.ID+1 { // the import took second.ID+1
		t.Errorf("after a restart a movie got id %d; ids up to %d were handed out", third.ID, second.ID+1)
	}

	restored, err := s.RestoreMovie(ctx, first.ID, "t")
	if err != nil {
		t.Fatalf("restore %d: %v", first.ID, err)
	}
	if restored.ID != first.ID || restored.Name != "Alien" || !slices.Equal(restored.Genres, alien.Genres) {
		t.Errorf("restored %+v, want Alien under id %d", restored, first.ID)
	}
	if got, want := actionsOf(t, s, first.ID), "restore Alien, delete Alien, create Alien"; got != want {
		t.Errorf("history of %d: %s, want %s", first.ID, got, want)
	}
	if got, want := actionsOf(t, s, second.ID), "delete Aliens, create Aliens"; got != want {
		t.Errorf("history of %d: %s, want %s", second.ID, got, want)
	}
	// Ids given back by a restore are not handed out again either.
	next, err := s.CreateMovie(ctx, NewMovie{Name: "Stalker", Director: "Andrei Tarkovsky", IMDBScore: 8, Popularity: 80}, "t")
	if err != nil {
		t.Fatal(err)
	}
	if next.ID <= third.ID {
		t.Errorf("next id %d, want more than %d", next.ID, third.ID)
	}
}

// schemaOf is the SQL of every index and trigger (the things that hang on
// tables and go when one is dropped), by name, blanks collapsed, and of the
// movies table.
func schemaOf(t *testing.T, db *sql.DB) (map[string]string, string) {
	t.Helper()
	rows, err := db.Query(`SELECT type, name, sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	var movies string
	blanks := regexp.MustCompile(`\s+`)
	for rows.Next() {
		var typ, name, text string
		if err := rows.Scan(&typ, &name, &text); err != nil {
			t.Fatal(err)
		}
		switch {
		case name == "movies":
			movies = text
		case typ == "index" || typ == "trigger":
			out[typ+" "+name] = blanks.ReplaceAllString(text, " ")
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out, movies
}

// tableDump is every row of the tables the rebuild must not change, as text.
func tableDump(t *testing.T, db *sql.DB) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for table, query := range map[string]string{
		"movies":         "SELECT id, name, director, popularity, imdb_score, match_key, version, created_at, updated_at FROM movies ORDER BY id",
		"movie_genres":   "SELECT movie_id, genre_id FROM movie_genres ORDER BY movie_id, genre_id",
		"genres":         "SELECT id, name, movies FROM genres ORDER BY id",
		"suggest_values": "SELECT id, field, value, movies, popularity FROM suggest_values ORDER BY id",
		"suggest_words":  "SELECT value_id, word, field, first, rank, words FROM suggest_words ORDER BY value_id, word",
		"audit_log":      "SELECT id, movie_id, action FROM audit_log ORDER BY id",
		"app_meta":       "SELECT key, value FROM app_meta ORDER BY key",
	} {
		rows, err := db.Query(query)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			out[table] = append(out[table], fmt.Sprint(vals...))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return out
}

// TestUpgradeStopsReusingIDs builds a database with the schema before
// migration 7, uses it as that release did (ids reused), then opens it with
// this one: the data, indexes and triggers are as they were, and no id ever
// handed out (even one only the audit log remembers) is handed out again.
func TestUpgradeStopsReusingIDs(t *testing.T) {
	skipOnMySQL(t, "it upgrades a SQLite file made by an older release")
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	w, err := sql.Open("sqlite", sqliteDSN(path, true))
	if err != nil {
		t.Fatal(err)
	}
	w.SetMaxOpenConns(1)
	p, err := migrationProvider(w, sqliteDialect)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 6); err != nil {
		t.Fatal(err)
	}
	// Today's code writes the rows below, so the old schema gets today's
	// movie columns for the while (dropped again before the upgrade).
	imdbColumns := []string{"imdb_id TEXT", "year INTEGER", "runtime_minutes INTEGER", "votes INTEGER"}
	for _, col := range imdbColumns {
		if _, err := w.Exec("ALTER TABLE movies ADD COLUMN " + col); err != nil {
			t.Fatal(err)
		}
	}
	// It writes match_hash where that release wrote match_key: the column
	// goes by today's name for the while, and gets that release's keys.
	if _, err := w.Exec("ALTER TABLE movies RENAME COLUMN match_key TO match_hash"); err != nil {
		t.Fatal(err)
	}
	old := &Store{write: w, dialect: sqliteDialect} // the writes below use only the writer
	bundled, err := DecodeCatalog(bytes.NewReader(bundledCatalog))
	if err != nil {
		t.Fatal(err)
	}
	// As SeedBundledCatalog loads it, but without its last step: the
	// search index it optimizes is migration 13's.
	if err := old.inCatalogTx(ctx, func(tx *sql.Tx) error {
		_, err := importMovies(ctx, tx, sqliteDialect, bundled, nil)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	a, err := old.CreateMovie(ctx, alien, "t")
	if err != nil {
		t.Fatal(err)
	}
	b, err := old.CreateMovie(ctx, NewMovie{Name: "Aliens", Director: "James Cameron", Genres: []string{"Action"}, IMDBScore: 8.4, Popularity: 84}, "t")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.DeleteMovie(ctx, b.ID, "t"); err != nil {
		t.Fatal(err)
	}
	c, err := old.CreateMovie(ctx, NewMovie{Name: "Heat", Director: "Michael Mann", Genres: []string{"Crime"}, IMDBScore: 8.3, Popularity: 80}, "t")
	if err != nil {
		t.Fatal(err)
	}
	if c.ID != b.ID {
		t.Fatalf("the old schema gave id %d after deleting %d: this test no longer builds the old schema", c.ID, b.ID)
	}
	// The newest id, deleted: now only the audit log remembers it.
	if _, err := old.DeleteMovie(ctx, c.ID, "t"); err != nil {
		t.Fatal(err)
	}
	if _, err := old.DeleteMovie(ctx, 2, "t"); err != nil { // Star Wars, to restore later
		t.Fatal(err)
	}
	// The writes above ran today's code, which counts genres itself, on a
	// schema whose triggers count them too: put the counts back to what
	// release 6 kept.
	if _, err := w.Exec("UPDATE genres SET movies = (SELECT count(*) FROM movie_genres WHERE genre_id = genres.id)"); err != nil {
		t.Fatal(err)
	}
	for _, col := range imdbColumns {
		if _, err := w.Exec("ALTER TABLE movies DROP COLUMN " + strings.Fields(col)[0]); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Exec("ALTER TABLE movies RENAME COLUMN match_hash TO match_key"); err != nil {
		t.Fatal(err)
	}
	if err := fillMatchKeys(ctx, w); err != nil {
		t.Fatal(err)
	}
	schemaBefore, moviesBefore := schemaOf(t, w)
	dataBefore := tableDump(t, w)
	if strings.Contains(moviesBefore, "AUTOINCREMENT") {
		t.Fatalf("version 6 already has AUTOINCREMENT: %s", moviesBefore)
	}
	// Migration 7, alone: it must keep every index, trigger and row.
	if _, err := p.UpTo(ctx, 7); err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	schemaAfter, moviesAfter := schemaOf(t, w)
	dataAfter := tableDump(t, w)
	w.Close()

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	defer s.Close()
	if !strings.Contains(moviesAfter, "AUTOINCREMENT") {
		t.Errorf("movies after the upgrade: %s", moviesAfter)
	}
	for name, sqlText := range schemaBefore {
		if schemaAfter[name] != sqlText {
			t.Errorf("%s after the upgrade:\n%s\nwas:\n%s", name, schemaAfter[name], sqlText)
		}
	}
	for name := range schemaAfter {
		if _, ok := schemaBefore[name]; !ok {
			t.Errorf("the upgrade added %s", name)
		}
	}
	for table, rows := range dataBefore {
		if !slices.Equal(rows, dataAfter[table]) {
			t.Errorf("%s changed in the upgrade: %d rows, now %d", table, len(rows), len(dataAfter[table]))
		}
	}
	var fk int
	if err := s.write.QueryRow("PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign_keys = %d (%v) on the writer after the upgrade", fk, err)
	}
	// The search index still matches the movies table, row for row.
	assertSearchIndexMatchesMovies(t, s)
	assertSuggestIndexMatchesMovies(t, s)

	if m, err := s.MovieByID(ctx, a.ID); err != nil || m.Name != "Alien" || !slices.Equal(m.Genres, alien.Genres) {
		t.Errorf("movie %d after the upgrade: %+v %v", a.ID, m, err)
	}
	// The highest id ever used was c's, deleted before the upgrade.
	d, err := s.CreateMovie(ctx, NewMovie{Name: "Solaris", Director: "Andrei Tarkovsky", Genres: []string{"Drama"}, IMDBScore: 8, Popularity: 80}, "t")
	if err != nil {
		t.Fatal(err)
	}
	if d.ID != c.ID+1 {
		t.Errorf("the first movie after the upgrade got id %d, want %d (ids up to %d were used)", d.ID, c.ID+1, c.ID)
	}
	if l, err := s.ListMovies(ctx, ListQuery{Filter: Filter{Name: "solaris", Genre: "drama"}}); err != nil || l.Total != 1 {
		t.Errorf("the new movie is not found by the search: %v %v", l.Total, err)
	}
	if l, err := s.ListMovies(ctx, ListQuery{Filter: Filter{Name: "godf"}}); err != nil || l.Total != 1 {
		t.Errorf("an old movie is not found by the search: %v %v", l.Total, err)
	}
	var version string
	if err := s.read.QueryRow("SELECT value FROM app_meta WHERE `key` = 'catalog_version'").Scan(&version); err != nil || version == dataBefore["app_meta"][0] {
		t.Errorf("catalog_version did not move with a write: %s %v", version, err)
	}

	// Deleting still takes the movie's genre links (ON DELETE CASCADE).
	if _, err := s.DeleteMovie(ctx, d.ID, "t"); err != nil {
		t.Fatal(err)
	}
	var links int
	if err := s.read.QueryRow("SELECT count(*) FROM movie_genres WHERE movie_id = ?", d.ID).Scan(&links); err != nil || links != 0 {
		t.Errorf("a deleted movie kept %d genre links (%v)", links, err)
	}
	if _, err := s.write.Exec("INSERT INTO movie_genres (movie_id, genre_id) VALUES (999999, 1)"); err == nil {
		t.Error("a genre link to no movie was accepted: movie_genres lost its foreign key")
	}

	// A movie deleted before the upgrade comes back under its id.
	if m, err := s.RestoreMovie(ctx, 2, "t"); err != nil || m.Name != "Star Wars" {
		t.Errorf("restore 2: %+v %v", m, err)
	}
	if got, want := actionsOf(t, s, 2), "restore Star Wars, delete Star Wars"; got != want {
		t.Errorf("history of 2: %s, want %s", got, want)
	}
	assertSuggestIndexMatchesMovies(t, s)
	assertSearchIndexMatchesMovies(t, s)
}
