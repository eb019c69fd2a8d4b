package db

import (
	"context"
	"database/sql"
	"errors"
	"fimdb/db/dbtest"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// copyDSN is a fresh database on backend ("sqlite" or "mysql") for t.
func copyDSN(t *testing.T, backend, name string) string {
	t.Helper()
	if backend == "mysql" {
		return dbtest.NewMySQLDatabase(t)
	}
	return filepath.Join(t.TempDir(), name+".db")
}

func cheapPasswords(t *testing.T) {
	old := PasswordCost
	PasswordCost = 4
	t.Cleanup(func() { PasswordCost = old })
}

// installation is what a test did to a source database.
type installation struct {
	deletedID    int64 // a deleted movie, above every movie's id
	liveToken    string
	revokedToken string
}

// populate gives s the bundled catalog, an admin's changes (an update, a
// delete leaving an audited id above every movie's), accounts and tokens.
func populate(t *testing.T, s *Store) installation {
	t.Helper()
	ctx := context.Background()
	if _, err := s.SeedBundledCatalog(ctx); err != nil {
		t.Fatal(err)
	}
	// Two movies carry the fields of IMDb's datasets, so that the copy
	// (and Undo of a deletion, from the audit log) is seen to keep them.
	fromIMDb := alien
	fromIMDb.IMDbID, fromIMDb.Year, fromIMDb.RuntimeMinutes, fromIMDb.Votes = "tt0078748", 1979, 117, 980000
	a, err := s.CreateMovie(ctx, fromIMDb, "ann@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateMovie(ctx, a.ID, &a.Version, NewMovie{Name: "Alien", Director: "Ridley Scott",
		Genres: []string{"Horror", "Sci-Fi", "Thriller"}, IMDBScore: 8.5, Popularity: 90}, "ann@example.com"); err != nil {
		t.Fatal(err)
	}
	gone, err := s.CreateMovie(ctx, NewMovie{Name: "Aliens", Director: "James Cameron", Genres: []string{"Action"}, IMDBScore: 8.4, Popularity: 84,
		IMDbID: "tt0090605", Year: 1986, RuntimeMinutes: 137, Votes: 790000}, "ann@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteMovie(ctx, gone.ID, "ann@example.com"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteMovie(ctx, 10, "ann@example.com"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateUser(ctx, "ann@example.com", "correct horse battery", RoleAdmin); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateUser(ctx, "bob@example.com", "another fine password", RoleUser); err != nil {
		t.Fatal(err)
	}
	var in installation
	in.deletedID = gone.ID
	if in.liveToken, err = s.CreateToken(ctx, "bob@example.com"); err != nil {
		t.Fatal(err)
	}
	if in.revokedToken, err = s.CreateToken(ctx, "ann@example.com"); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeToken(ctx, in.revokedToken); err != nil {
		t.Fatal(err)
	}
	return in
}

// dumpTable is every row of t, read as the copy reads them.
func dumpTable(t *testing.T, s *Store, table copyTable, where string) [][]any {
	t.Helper()
	ctx := context.Background()
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	c := &copier{stmts: map[stmtKey]*sql.Stmt{}}
	defer c.close()
	query := "SELECT " + strings.Join(table.columns, ", ") + " FROM " + table.name + where + " ORDER BY " + table.order
	rows, err := c.readAll(ctx, tx, query, table.kinds)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

var metaTable = copyTable{"app_meta", []string{"`key`", "value"}, []kind{text, text}, "`key`"}

// copiedTables are the tables a copy keeps row for row, ids included.
var copiedTables = []copyTable{moviesTable, genresTable, linksTable, usersTable, tokensTable, auditTable, metaTable}

// suggestIndex is the autocomplete index without its ids: each value with
// its count and popularity, sorted.
func suggestIndex(t *testing.T, s *Store) []string {
	t.Helper()
	var out []string
	for _, v := range dumpTable(t, s, valuesTable, "") {
		out = append(out, fmt.Sprint(v[1:]...))
	}
	slices.Sort(out)
	return out
}

// sameRows fails t when a table differs between the two stores.
func sameRows(t *testing.T, src, dst *Store, tables ...copyTable) {
	t.Helper()
	for _, table := range tables {
		want, got := dumpTable(t, src, table, ""), dumpTable(t, dst, table, "")
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s differs: %d rows in the target, %d in the source%s", table.name, len(got), len(want), firstDifference(got, want))
		}
	}
}

func firstDifference(got, want [][]any) string {
	for i := range min(len(got), len(want)) {
		if !reflect.DeepEqual(got[i], want[i]) {
			return fmt.Sprintf("; first difference: %v, want %v", got[i], want[i])
		}
	}
	return ""
}

// sameAnswers fails t when a listing or a suggestion differs.
func sameAnswers(t *testing.T, src, dst *Store) {
	t.Helper()
	ctx := context.Background()
	for _, q := range []ListQuery{
		{PerPage: MaxPerPage},
		{Filter: Filter{Name: "the"}, Sort: SortPopularity, PerPage: MaxPerPage},
		{Filter: Filter{Name: "ali"}, Sort: SortName},
		{Filter: Filter{Director: "ridley"}},
		{Filter: Filter{Genre: "Sci-Fi"}, Sort: SortName, PerPage: MaxPerPage},
		{Filter: Filter{Name: "star", Genre: "Adventure"}},
		{Filter: Filter{Genre: "Drama"}, Page: 2, PerPage: 20},
	} {
		want, err := src.ListMovies(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		got, err := dst.ListMovies(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if got.Total != want.Total || !reflect.DeepEqual(got.Movies, want.Movies) {
			t.Errorf("ListMovies(%+v): %d movies %v, want %d %v", q, got.Total, names(got), want.Total, names(want))
		}
	}
	for _, q := range [][2]string{{"name", "a"}, {"name", "the"}, {"name", "alien"}, {"name", "star w"},
		{"director", "s"}, {"director", "ridl"}, {"director", "cameron"}, {"genre", "dr"}, {"genre", "s"}} {
		want, err := src.Suggest(ctx, q[0], q[1])
		if err != nil {
			t.Fatal(err)
		}
		got, err := dst.Suggest(ctx, q[0], q[1])
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Suggest(%s, %q) = %v, want %v", q[0], q[1], got, want)
		}
	}
}

// searchIndexIsWhole checks the target's search index against its movies.
func searchIndexIsWhole(t *testing.T, s *Store) {
	t.Helper()
	if s.dialect == sqliteDialect {
		assertSearchIndexMatchesMovies(t, s)
		return
	}
	var want [][]any
	for _, m := range dumpTable(t, s, moviesTable, "") {
		for _, w := range searchIndexWords(m[1].(string), m[2].(string)) {
			want = append(want, []any{w.field, w.word, m[0]})
		}
	}
	key := func(r []any) string { return fmt.Sprint(r...) }
	slices.SortFunc(want, func(a, b []any) int { return strings.Compare(key(a), key(b)) })
	got := dumpTable(t, s, copyTable{"movie_words", []string{"field", "word", "movie_id"}, []kind{text, text, integer}, "movie_id"}, "")
	slices.SortFunc(got, func(a, b []any) int { return strings.Compare(key(a), key(b)) })
	if !reflect.DeepEqual(got, want) {
		t.Errorf("movie_words has %d rows, want %d%s", len(got), len(want), firstDifference(got, want))
	}
}

// failInserts makes every insert into table fail on s until the returned
// function runs.
func failInserts(t *testing.T, s *Store, table string) func() {
	t.Helper()
	create := "CREATE TRIGGER copy_fails BEFORE INSERT ON " + table + " BEGIN SELECT RAISE(ABORT, 'copy_fails'); END"
	if s.dialect != sqliteDialect {
		create = "CREATE TRIGGER copy_fails BEFORE INSERT ON " + table + " FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'copy_fails'"
	}
	if _, err := s.write.Exec(create); err != nil {
		t.Fatal(err)
	}
	return func() {
		if _, err := s.write.Exec("DROP TRIGGER copy_fails"); err != nil {
			t.Fatal(err)
		}
	}
}

func everyRow(t *testing.T, s *Store) map[string][][]any {
	t.Helper()
	out := map[string][][]any{}
	for _, table := range append(copiedTables, valuesTable) {
		out[table.name] = dumpTable(t, s, table, "")
	}
	return out
}

func TestCopyTo(t *testing.T) {
	cheapPasswords(t)
	ctx := context.Background()
	for _, tt := range []struct{ from, to string }{
		{"sqlite", "mysql"},
		{"mysql", "sqlite"},
		{"sqlite", "sqlite"},
		{"mysql", "mysql"},
	} {
		t.Run(tt.from+" to "+tt.to, func(t *testing.T) {
			src := openAt(t, copyDSN(t, tt.from, "src"))
			in := populate(t, src)
			dst := openAt(t, copyDSN(t, tt.to, "dst"))

			report, err := src.CopyTo(ctx, dst, false)
			if err != nil {
				t.Fatal(err)
			}
			want := CopyReport{Movies: 246, Genres: 28, Users: 2, Tokens: 2, Audit: 5}
			if !reflect.DeepEqual(report, want) {
				t.Errorf("report %+v, want %+v", report, want)
			}
			sameRows(t, src, dst, copiedTables...)
			if tt.from == tt.to {
				sameRows(t, src, dst, valuesTable) // ids and all
			} else if got, want := suggestIndex(t, dst), suggestIndex(t, src); !reflect.DeepEqual(got, want) {
				t.Errorf("autocomplete index: %d values, want %d", len(got), len(want))
			}
			searchIndexIsWhole(t, dst)
			sameAnswers(t, src, dst)

			// Everyone signs in as before.
			if u, err := dst.Authenticate(ctx, "ann@example.com", "correct horse battery"); err != nil || !u.IsAdmin() {
				t.Errorf("Authenticate ann: %+v, %v", u, err)
			}
			if _, err := dst.Authenticate(ctx, "ann@example.com", "wrong password"); !errors.Is(err, ErrNotFound) {
				t.Errorf("Authenticate with a wrong password: %v", err)
			}
			if u, err := dst.UserByToken(ctx, in.liveToken); err != nil || u.Email != "bob@example.com" {
				t.Errorf("UserByToken: %+v, %v", u, err)
			}
			if _, err := dst.UserByToken(ctx, in.revokedToken); !errors.Is(err, ErrNotFound) {
				t.Errorf("a revoked token works on the target: %v", err)
			}

			// No id is handed out twice, not even one only the audit log
			// remembers; that one's movie comes back under it.
			added, err := dst.CreateMovie(ctx, NewMovie{Name: "Heat", Director: "Michael Mann", IMDBScore: 8.3, Popularity: 80}, "ann@example.com")
			if err != nil {
				t.Fatal(err)
			}
			if added.ID <= in.deletedID {
				t.Errorf("a new movie got id %d; the source used ids up to %d", added.ID, in.deletedID)
			}
			restored, err := dst.RestoreMovie(ctx, in.deletedID, "ann@example.com")
			if err != nil || restored.Name != "Aliens" || !slices.Equal(restored.Genres, []string{"Action"}) ||
				restored.IMDbID != "tt0090605" || restored.Year != 1986 || restored.RuntimeMinutes != 137 || restored.Votes != 790000 {
				t.Errorf("RestoreMovie(%d): %+v, %v", in.deletedID, restored, err)
			}
			if got, want := actionsOf(t, dst, in.deletedID), "restore Aliens, delete Aliens, create Aliens"; got != want {
				t.Errorf("history of %d: %s, want %s", in.deletedID, got, want)
			}

			// A target with an installation of its own is refused.
			before := everyRow(t, dst)
			_, err = src.CopyTo(ctx, dst, false)
			var notEmpty *TargetNotEmptyError
			if !errors.As(err, &notEmpty) || *notEmpty != (TargetNotEmptyError{Movies: 248, Users: 2, Audit: 7}) {
				t.Fatalf("copy into a used target: %v, want it refused", err)
			}
			if msg := err.Error(); !strings.Contains(msg, "248 movies, 2 accounts and 7 audit entries") {
				t.Errorf("refusal: %q", msg)
			}
			if !reflect.DeepEqual(everyRow(t, dst), before) {
				t.Error("a refused copy changed the target")
			}

			// A copy that fails half way leaves the target as it was.
			allow := failInserts(t, dst, "audit_log")
			if _, err := src.CopyTo(ctx, dst, true); err == nil || !strings.Contains(err.Error(), "copy_fails") {
				t.Errorf("copy into a failing target: %v", err)
			}
			allow()
			if !reflect.DeepEqual(everyRow(t, dst), before) {
				t.Error("a failed copy changed the target")
			}

			// --force replaces the target's installation, sessions too.
			if _, err := dst.write.Exec("CREATE TABLE IF NOT EXISTS fiber_storage (k VARCHAR(64) PRIMARY KEY, v BLOB NOT NULL, e BIGINT NOT NULL DEFAULT 0)"); err != nil {
				t.Fatal(err)
			}
			if _, err := dst.write.Exec("INSERT INTO fiber_storage (k, v, e) VALUES ('session', 'user 1', 0)"); err != nil {
				t.Fatal(err)
			}
			if report, err = src.CopyTo(ctx, dst, true); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(report, want) {
				t.Errorf("report %+v, want %+v", report, want)
			}
			sameRows(t, src, dst, moviesTable, genresTable, linksTable, usersTable, tokensTable, auditTable)
			searchIndexIsWhole(t, dst)
			sameAnswers(t, src, dst)
			var sessions int
			if err := dst.write.QueryRow("SELECT count(*) FROM fiber_storage").Scan(&sessions); err != nil || sessions != 0 {
				t.Errorf("%d sessions left on the target (%v)", sessions, err)
			}
			if added, err := dst.CreateMovie(ctx, NewMovie{Name: "Heat", Director: "Michael Mann", IMDBScore: 8.3, Popularity: 80}, "t"); err != nil || added.ID <= in.deletedID {
				t.Errorf("after --force a new movie got id %d (%v)", added.ID, err)
			}
		})
	}
}

// TestCopyGroupsAsTheTargetDoes: MySQL holds as one what SQLite holds as
// two when they differ in accents only. The copy leaves the target as it
// would be had the movies been added there: the accented genres merged, a
// director under either spelling one autocomplete value; and back on
// SQLite the values split again.
func TestCopyGroupsAsTheTargetDoes(t *testing.T) {
	ctx := context.Background()
	movies := []NewMovie{
		{Name: "Amélie", Director: "Jean-Pierre Jeunet", Genres: []string{"Comédie", "Romance"}, IMDBScore: 8.3, Popularity: 83},
		{Name: "Amelie", Director: "Jean-Pierre Jeunet", Genres: []string{"Comedie", "Comédie"}, IMDBScore: 7, Popularity: 50},
		{Name: "Jules et Jim", Director: "François Truffaut", Genres: []string{"Drame"}, IMDBScore: 7.8, Popularity: 60},
		{Name: "Les Quatre Cents Coups", Director: "Francois Truffaut", Genres: []string{"drame"}, IMDBScore: 8.1, Popularity: 65},
	}
	for _, tt := range []struct {
		from, to string
		merged   []string
	}{
		{"sqlite", "mysql", []string{`"Comedie" into "Comédie"`}},
		{"mysql", "sqlite", nil},
	} {
		t.Run(tt.from+" to "+tt.to, func(t *testing.T) {
			src := openAt(t, copyDSN(t, tt.from, "src"))
			native := openAt(t, copyDSN(t, tt.to, "native"))
			for _, m := range movies {
				for _, s := range []*Store{src, native} {
					if _, err := s.CreateMovie(ctx, m, "t"); err != nil {
						t.Fatal(err)
					}
				}
			}
			dst := openAt(t, copyDSN(t, tt.to, "dst"))
			report, err := src.CopyTo(ctx, dst, false)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(report.MergedGenres, tt.merged) {
				t.Errorf("merged genres %q, want %q", report.MergedGenres, tt.merged)
			}
			if got, want := suggestIndex(t, dst), suggestIndex(t, native); !reflect.DeepEqual(got, want) {
				t.Errorf("autocomplete index:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			for _, q := range [][2]string{{"director", "fran"}, {"director", "truffaut"}, {"name", "ame"}, {"genre", "com"}, {"genre", "dr"}} {
				got, err := dst.Suggest(ctx, q[0], q[1])
				if err != nil {
					t.Fatal(err)
				}
				want, err := native.Suggest(ctx, q[0], q[1])
				if err != nil {
					t.Fatal(err)
				}
				if q[0] == "genre" && tt.to == "sqlite" {
					// The source held one genre where SQLite holds two:
					// which movie spelled it which way is lost.
					want, err = src.Suggest(ctx, q[0], q[1])
					if err != nil {
						t.Fatal(err)
					}
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("Suggest(%s, %q) = %v, want %v", q[0], q[1], got, want)
				}
			}
			if tt.to == "mysql" {
				genres := func(s *Store) []string { // names and counts: MySQL spends an id on each merge
					var out []string
					for _, g := range dumpTable(t, s, genresTable, "") {
						out = append(out, fmt.Sprint(g[1:]...))
					}
					return out
				}
				if got, want := genres(dst), genres(native); !reflect.DeepEqual(got, want) {
					t.Errorf("genres %v, want %v", got, want)
				}
			}
			// Every movie is found by either spelling, as on the target.
			for _, f := range []Filter{{Name: "amelie"}, {Director: "francois"}, {Genre: "Comedie"}} {
				got, err := dst.ListMovies(ctx, ListQuery{Filter: f})
				if err != nil {
					t.Fatal(err)
				}
				want, err := native.ListMovies(ctx, ListQuery{Filter: f})
				if err != nil {
					t.Fatal(err)
				}
				if f.Genre != "" && tt.to == "sqlite" {
					continue // see above
				}
				if got.Total != want.Total {
					t.Errorf("ListMovies(%+v): %d movies %v, want %d %v", f, got.Total, names(got), want.Total, names(want))
				}
			}
		})
	}
}

// TestCopyRefusesTheSameDatabase: copying a database onto itself would
// empty it first.
func TestCopyRefusesTheSameDatabase(t *testing.T) {
	dsn := dbtest.DSN(t, "same")
	a, b := openAt(t, dsn), openAt(t, dsn)
	for _, dst := range []*Store{a, b} {
		if _, err := a.CopyTo(context.Background(), dst, true); err == nil || !strings.Contains(err.Error(), "same database") {
			t.Errorf("copy onto itself: %v", err)
		}
	}
}
