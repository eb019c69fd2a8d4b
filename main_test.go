package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fimdb/db"
	"fimdb/db/dbtest"

	"github.com/urfave/cli/v2"
)

func runCLI(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	return runCLIWithInput(t, "", args...)
}

func runCLIWithInput(t *testing.T, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	app := newCLI(strings.NewReader(stdin), &out, &errOut)
	app.ExitErrHandler = func(*cli.Context, error) {} // keep the test process alive
	err = app.Run(append([]string{"fimdb"}, args...))
	return out.String(), errOut.String(), err
}

// runServeCLI runs `fimdb serve`-like args in-process until the server
// answers GET /healthz on addr, then stops it as SIGTERM would and returns
// what it printed. It fails the test if the server never answers or does
// not stop cleanly.
func runServeCLI(t *testing.T, addr string, args ...string) (stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer // written by the server until done is read
	app := newCLI(strings.NewReader(""), &out, &errOut)
	app.ExitErrHandler = func(*cli.Context, error) {}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- app.RunContext(ctx, append([]string{"fimdb"}, args...)) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-done:
			t.Fatalf("fimdb %s returned before serving: %v\nstdout: %s\nstderr: %s", strings.Join(args, " "), err, out.String(), errOut.String())
		default:
		}
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("GET /healthz: %d", resp.StatusCode)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("fimdb %s never answered on %s: %v", strings.Join(args, " "), addr, err)
		}
		time.Sleep(50 * time.Millisecond) // waiting for the listener, not timing anything
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("fimdb %s stopped with %v", strings.Join(args, " "), err)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("fimdb %s did not stop", strings.Join(args, " "))
	}
	return out.String(), errOut.String()
}

// exitCode is the status a command line's error makes fimdb exit with.
func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var coder cli.ExitCoder
	if errors.As(err, &coder) {
		return coder.ExitCode()
	}
	return 1 // main prints the error and exits with 1
}

// clearEnv unsets the environment variables that would stand in for flags
// for the rest of the test.
func clearEnv(t *testing.T, names ...string) {
	t.Helper()
	for _, name := range names {
		t.Setenv(name, "") // restores the old value at the end of the test
		os.Unsetenv(name)
	}
}

var fimdbEnv = []string{"FIMDB_DB", "FIMDB_ADDR", "FIMDB_SECURE_COOKIES", "FIMDB_ADMIN_EMAIL", "FIMDB_ADMIN_PASSWORD", "FIMDB_LOG_FORMAT"}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func countMovies(t *testing.T, path string) int {
	t.Helper()
	s, err := db.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	n, err := s.CountMovies(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

const twoMovies = `[
  {"99popularity": 83.0, "director": "Jean-Pierre Jeunet", "genre": ["Comedy", " Romance"], "imdb_score": 8.3, "name": "Amélie"},
  {"99popularity": 70, "director": "Ang Lee", "genre": ["Action"], "imdb_score": 7.9, "name": "Crouching Tiger, Hidden Dragon"},
  {"99popularity": 70, "director": "ang lee", "genre": [], "imdb_score": 7.9, "name": "CROUCHING TIGER, HIDDEN DRAGON"}
]`

func TestImportCommand(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "import.db")
	file := writeFile(t, "movies.json", twoMovies)

	stdout, _, err := runCLI(t, "import", "--db", dbPath, file)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	if !strings.Contains(stdout, "2 added, 1 skipped") || !strings.Contains(stdout, `skipped #3 "CROUCHING TIGER, HIDDEN DRAGON": listed earlier in the same file`) {
		t.Errorf("summary:\n%s", stdout)
	}
	if n := countMovies(t, dbPath); n != 2 {
		t.Errorf("database has %d movies, want 2", n)
	}

	stdout, _, err = runCLI(t, "import", "--db", dbPath, file)
	if err != nil {
		t.Fatalf("second import: %v", err)
	}
	if !strings.Contains(stdout, "0 added, 3 skipped") || !strings.Contains(stdout, "already in the catalog") {
		t.Errorf("second summary:\n%s", stdout)
	}
	if n := countMovies(t, dbPath); n != 2 {
		t.Errorf("a repeated import changed the catalog to %d movies", n)
	}
}

func TestImportCommandRejectsBadFiles(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "import.db")
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"syntax error", []string{writeFile(t, "bad.json", "[\n{\"name\": \"A\", \"director\": \"B\", \"imdb_score\": 1, \"99popularity\": 1},\n{oops}\n]")}, "line 3, column 2"},
		{"invalid movie", []string{writeFile(t, "invalid.json", `[{"name": "A", "director": "B", "imdb_score": 12, "99popularity": 1}]`)}, `movie #1: "imdb_score" must be between 0 and 10`},
		{"missing file", []string{filepath.Join(t.TempDir(), "absent.json")}, "no such file"},
		{"no file named", nil, "usage: fimdb import"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runCLI(t, append([]string{"import", "--db", dbPath}, tt.args...)...)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
			}
			if exit, ok := err.(interface{ ExitCode() int }); !ok || exit.ExitCode() == 0 {
				t.Errorf("exit code not set: %v", err)
			}
		})
	}
	if _, err := os.Stat(dbPath); err == nil && countMovies(t, dbPath) != 0 {
		t.Error("a rejected import changed the database")
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func TestServeStartsOnAnEmptyDirectoryAndStopsGracefully(t *testing.T) {
	db.PasswordCost = 4 // the first start hashes the generated admin password
	addr := freeAddr(t)
	dbPath := filepath.Join(t.TempDir(), "fimdb.db")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, serveConfig{addr: addr, dbPath: dbPath}, slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard)
	}()

	var resp *http.Response
	var err error
	for range 300 {
		if resp, err = http.Get("http://" + addr + "/healthz"); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond) // waiting for the listener, not timing anything
	}
	if err != nil {
		t.Fatalf("server never answered: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GET /healthz: %d", resp.StatusCode)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v after shutdown", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not return after its context ended")
	}
	if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
		t.Error("server still answers after shutdown")
	}
}

// TestServeLoadsTheBundledCatalogOnlyIntoAnEmptyDatabase: `fimdb serve`
// loads the 246 bundled movies on its first start on an empty database and
// never again; a catalog imported before the first start is served alone.
func TestServeLoadsTheBundledCatalogOnlyIntoAnEmptyDatabase(t *testing.T) {
	db.PasswordCost = 4 // the first start hashes the generated admin password
	clearEnv(t, fimdbEnv...)
	ctx := context.Background()
	start := func(t *testing.T, dbPath string) string {
		t.Helper()
		addr := freeAddr(t)
		_, errOut := runServeCLI(t, addr, "serve", "--db", dbPath, "--addr", addr)
		return errOut
	}

	t.Run("import, then serve", func(t *testing.T) {
		dbPath := filepath.Join(t.TempDir(), "imported.db")
		if _, errOut, err := runCLI(t, "import", "--db", dbPath, writeFile(t, "movies.json", twoMovies)); err != nil {
			t.Fatalf("import: %v\n%s", err, errOut)
		}
		for i := 1; i <= 2; i++ {
			if errOut := start(t, dbPath); strings.Contains(errOut, "loaded the bundled catalog") {
				t.Errorf("start %d loaded the bundled catalog:\n%s", i, errOut)
			}
			if n := countMovies(t, dbPath); n != 2 {
				t.Errorf("after start %d the catalog holds %d movies, want only the 2 imported", i, n)
			}
		}
	})

	t.Run("serve on an empty database, delete everything, serve again", func(t *testing.T) {
		dbPath := filepath.Join(t.TempDir(), "fresh.db")
		if errOut := start(t, dbPath); !strings.Contains(errOut, "movies=246") {
			t.Errorf("the first start did not say it loaded 246 movies:\n%s", errOut)
		}
		if n := countMovies(t, dbPath); n != 246 {
			t.Fatalf("after the first start the catalog holds %d movies, want 246", n)
		}
		s, err := db.Open(ctx, dbPath)
		if err != nil {
			t.Fatal(err)
		}
		for {
			l, err := s.ListMovies(ctx, db.ListQuery{PerPage: db.MaxPerPage})
			if err != nil {
				t.Fatal(err)
			}
			if len(l.Movies) == 0 {
				break
			}
			for _, m := range l.Movies {
				if _, err := s.DeleteMovie(ctx, m.ID, "test"); err != nil {
					t.Fatal(err)
				}
			}
		}
		s.Close()
		start(t, dbPath)
		if n := countMovies(t, dbPath); n != 0 {
			t.Errorf("a restart after deleting every movie brought %d back, want 0", n)
		}
	})
}

func TestUserAndTokenCommands(t *testing.T) {
	db.PasswordCost = 4
	dbPath := filepath.Join(t.TempDir(), "accounts.db")
	steps := []struct {
		name    string
		stdin   string
		args    []string
		wantOut string
		wantErr string
	}{
		{"add with a flag", "", []string{"user", "add", "--db", dbPath, "--password", "first passphrase", "ann@example.com"}, "added ann@example.com (user)", ""},
		{"add an admin from stdin", "second passphrase\n", []string{"user", "add", "--db", dbPath, "--admin", "bob@example.com"}, "added bob@example.com (admin)", ""},
		{"add twice", "", []string{"user", "add", "--db", dbPath, "--password", "first passphrase", "ANN@example.com"}, "", "already exists"},
		{"weak password", "", []string{"user", "add", "--db", dbPath, "--password", "short", "cy@example.com"}, "", "at least 10 characters"},
		{"no password on stdin", "", []string{"user", "add", "--db", dbPath, "cy@example.com"}, "", "one line of standard input"},
		{"list", "", []string{"user", "list", "--db", dbPath}, "user   ann@example.com\nadmin  bob@example.com", ""},
		{"passwd", "a new passphrase\n", []string{"user", "passwd", "--db", dbPath, "ann@example.com"}, "password changed", ""},
		{"passwd of nobody", "a new passphrase\n", []string{"user", "passwd", "--db", dbPath, "zed@example.com"}, "", "no account"},
		{"token of nobody", "", []string{"token", "create", "--db", dbPath, "zed@example.com"}, "", "no account"},
		{"revoke nonsense", "", []string{"token", "revoke", "--db", dbPath, "fimdb_nonsense"}, "", "no such live token"},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			out, _, err := runCLIWithInput(t, s.stdin, s.args...)
			if s.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), s.wantErr) {
					t.Fatalf("err = %v, want %q", err, s.wantErr)
				}
				return
			}
			if err != nil || !strings.Contains(out, s.wantOut) {
				t.Fatalf("out %q err %v, want %q", out, err, s.wantOut)
			}
		})
	}

	ctx := context.Background()
	out, _, err := runCLI(t, "token", "create", "--db", dbPath, "ann@example.com")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	token := lines[len(lines)-1]
	store, err := db.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if u, err := store.UserByToken(ctx, token); err != nil || u.Email != "ann@example.com" {
		t.Fatalf("the printed token does not work: %v %v", u, err)
	}
	if _, err := store.Authenticate(ctx, "ann@example.com", "a new passphrase"); err != nil {
		t.Errorf("passwd did not take: %v", err)
	}
	if _, _, err := runCLI(t, "token", "revoke", "--db", dbPath, token); err != nil {
		t.Fatal(err)
	}
	if _, err := store.UserByToken(ctx, token); err == nil {
		t.Error("a revoked token still works")
	}
}

func TestFirstStartCreatesAnAdministrator(t *testing.T) {
	db.PasswordCost = 4
	ctx := context.Background()
	store, err := db.Open(ctx, filepath.Join(t.TempDir(), "boot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var console bytes.Buffer
	if err := bootstrapAdmin(ctx, store, "", "", &console); err != nil {
		t.Fatal(err)
	}
	out := console.String()
	fields := strings.Fields(out[strings.Index(out, "password:")+len("password:"):])
	if !strings.Contains(out, "admin@localhost") || len(fields) == 0 {
		t.Fatalf("console: %q", out)
	}
	if u, err := store.Authenticate(ctx, "admin@localhost", fields[0]); err != nil || !u.IsAdmin() {
		t.Fatalf("the printed password does not sign in an admin: %v %v", u, err)
	}
	console.Reset()
	if err := bootstrapAdmin(ctx, store, "", "", &console); err != nil || console.Len() != 0 {
		t.Errorf("a second start created another admin: %q %v", console.String(), err)
	}

	other, err := db.Open(ctx, filepath.Join(t.TempDir(), "env.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := bootstrapAdmin(ctx, other, "chief@example.com", "short", io.Discard); err == nil {
		t.Error("a weak FIMDB_ADMIN_PASSWORD was accepted")
	}
	if err := bootstrapAdmin(ctx, other, "chief@example.com", "chief passphrase", io.Discard); err != nil {
		t.Fatal(err)
	}
	if u, err := other.Authenticate(ctx, "chief@example.com", "chief passphrase"); err != nil || !u.IsAdmin() {
		t.Errorf("env admin: %v %v", u, err)
	}
}

func TestFlagsFirst(t *testing.T) {
	tests := []struct {
		name string
		args string
		want string
	}{
		{"flags already first", "user add --db d --admin ann", "user add --db d --admin -- ann"},
		{"flags after the argument", "user add ann --admin --password pw --db d", "user add --admin --password pw --db d -- ann"},
		{"a value that looks like an argument stays with its flag", "user add --password ann bob", "user add --password ann -- bob"},
		{"--flag=value", "token create bob --db=d", "token create --db=d -- bob"},
		{"a bool flag takes no value", "user add --admin ann", "user add --admin -- ann"},
		{"after -- everything is an argument", "user add --db d -- --admin", "user add --db d -- --admin"},
		{"-- after an argument", "import f.json -- --db", "import -- f.json --db"},
		{"- alone is an argument", "import - --db d", "import --db d -- -"},
		{"unknown flags are left for the parser", "user add ann --nope", "user add --nope -- ann"},
		{"a value flag missing its value ends the line", "user add ann --password", "user add --password"},
		{"only flags", "serve --db d --addr :1", "serve --db d --addr :1"},
		{"the default command's flags", "--db d --addr :1", "serve --db d --addr :1"},
		{"the app's own flags stay", "--help", "--help"},
		{"unknown command left alone", "frob --db d x", "frob --db d x"},
		{"a command with subcommands, none named", "user", "user"},
		{"no arguments", "", ""},
	}
	app := newCLI(strings.NewReader(""), io.Discard, io.Discard)
	app.Setup()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := flagsFirst(app.App, append([]string{"fimdb"}, strings.Fields(tt.args)...))
			if want := append([]string{"fimdb"}, strings.Fields(tt.want)...); !slices.Equal(got, want) {
				t.Errorf("flagsFirst(%q) = %q, want %q", tt.args, got, want)
			}
		})
	}
}

// TestFlagsWorkAfterArguments runs every subcommand with its flags after
// its arguments (and mixed), as the README writes them, and checks that
// each flag took effect, not only that the command line was accepted.
func TestFlagsWorkAfterArguments(t *testing.T) {
	db.PasswordCost = 4
	clearEnv(t, fimdbEnv...)
	t.Chdir(t.TempDir()) // a flag that is lost would show up as ./fimdb.db here
	dbPath := filepath.Join(t.TempDir(), "flags.db")
	movies := writeFile(t, "movies.json", twoMovies)
	ctx := context.Background()

	var token string
	steps := []struct {
		name  string
		stdin string
		args  []string
		check func(t *testing.T, s *db.Store, stdout string)
	}{
		{"import FILE --db", "", []string{"import", movies, "--db", dbPath}, func(t *testing.T, s *db.Store, out string) {
			if n, _ := s.CountMovies(ctx); n != 2 || !strings.Contains(out, "2 added") {
				t.Errorf("%d movies after the import; output %q", n, out)
			}
		}},
		{"user add EMAIL --password --db", "", []string{"user", "add", "bob@example.com", "--password", "a long passphrase", "--db", dbPath}, func(t *testing.T, s *db.Store, _ string) {
			if u, err := s.Authenticate(ctx, "bob@example.com", "a long passphrase"); err != nil || u.IsAdmin() {
				t.Errorf("bob: %+v %v, want a viewer with the password given", u, err)
			}
		}},
		{"user add EMAIL --admin --db (password from stdin)", "ann's long passphrase\n", []string{"user", "add", "ann@example.com", "--admin", "--db", dbPath}, func(t *testing.T, s *db.Store, _ string) {
			if u, err := s.Authenticate(ctx, "ann@example.com", "ann's long passphrase"); err != nil || !u.IsAdmin() {
				t.Errorf("ann: %+v %v, want an administrator", u, err)
			}
		}},
		{"user add mixed, --flag=value", "", []string{"user", "add", "--admin", "cy@example.com", "--db=" + dbPath, "--password=cy's long passphrase"}, func(t *testing.T, s *db.Store, _ string) {
			if u, err := s.Authenticate(ctx, "cy@example.com", "cy's long passphrase"); err != nil || !u.IsAdmin() {
				t.Errorf("cy: %+v %v, want an administrator", u, err)
			}
		}},
		{"user passwd EMAIL --db", "bob's new passphrase\n", []string{"user", "passwd", "bob@example.com", "--db", dbPath}, func(t *testing.T, s *db.Store, _ string) {
			if _, err := s.Authenticate(ctx, "bob@example.com", "bob's new passphrase"); err != nil {
				t.Errorf("the new password does not work: %v", err)
			}
		}},
		{"user list --db", "", []string{"user", "list", "--db", dbPath}, func(t *testing.T, _ *db.Store, out string) {
			if out != "admin  ann@example.com\nuser   bob@example.com\nadmin  cy@example.com\n" {
				t.Errorf("list printed %q", out)
			}
		}},
		{"token create EMAIL --db", "", []string{"token", "create", "bob@example.com", "--db", dbPath}, func(t *testing.T, s *db.Store, out string) {
			lines := strings.Split(strings.TrimSpace(out), "\n")
			token = lines[len(lines)-1]
			if u, err := s.UserByToken(ctx, token); err != nil || u.Email != "bob@example.com" {
				t.Errorf("the printed token %q: %+v %v", token, u, err)
			}
		}},
		{"token revoke TOKEN --db", "", nil, func(t *testing.T, s *db.Store, _ string) {
			if _, err := s.UserByToken(ctx, token); err == nil {
				t.Error("the token still works")
			}
		}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			args := st.args
			if args == nil {
				args = []string{"token", "revoke", token, "--db", dbPath}
			}
			out, errOut, err := runCLIWithInput(t, st.stdin, args...)
			if err != nil {
				t.Fatalf("fimdb %s: %v\n%s", strings.Join(args, " "), err, errOut)
			}
			s, err := db.Open(ctx, dbPath)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			st.check(t, s, out)
		})
	}

	for _, args := range [][]string{
		{"serve", "--db", dbPath, "--addr", "ADDR"},
		{"--db", dbPath, "--addr", "ADDR"}, // serve is the default command
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			addr := freeAddr(t)
			args[len(args)-1] = addr
			_, errOut := runServeCLI(t, addr, args...)
			if !strings.Contains(errOut, "db="+dbPath) {
				t.Errorf("serve did not say it serves --db's database:\n%s", errOut)
			}
			// The database already held movies, so the bundled catalog
			// stays out of it.
			if n := countMovies(t, dbPath); n != 2 {
				t.Errorf("--db's database holds %d movies after serve, want the 2 imported", n)
			}
		})
	}
	if _, err := os.Stat("fimdb.db"); err == nil {
		t.Error("a command ignored --db and used ./fimdb.db")
	}
}

// TestServeLogsEachRequestInTheFormatAsked: one line per request, with its
// route and status, as key=value text or as JSON objects, all of them
// written out by the time serve returns.
func TestServeLogsEachRequestInTheFormatAsked(t *testing.T) {
	clearEnv(t, fimdbEnv...)
	db.PasswordCost = 4 // the first start hashes the admin password
	// A generated password is shown on the console, not logged: naming
	// one leaves the log alone on stderr.
	t.Setenv("FIMDB_ADMIN_PASSWORD", "a long enough admin passphrase")
	for _, tc := range []struct {
		format string
		want   func(line string) bool
	}{
		{"text", func(line string) bool {
			return strings.Contains(line, "msg=request method=GET route=/healthz status=200 ")
		}},
		{"json", func(line string) bool {
			var rec struct {
				Msg, Method, Route string
				Status             int
			}
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				return false
			}
			return rec.Msg == "request" && rec.Method == "GET" && rec.Route == "/healthz" && rec.Status == 200
		}},
	} {
		t.Run(tc.format, func(t *testing.T) {
			addr := freeAddr(t)
			_, errOut := runServeCLI(t, addr, "serve", "--addr", addr, "--db", filepath.Join(t.TempDir(), "f.db"), "--log-format", tc.format)
			lines := strings.Split(strings.TrimSpace(errOut), "\n")
			if !slices.ContainsFunc(lines, tc.want) {
				t.Errorf("no line for GET /healthz in:\n%s", errOut)
			}
			if tc.format == "json" {
				for _, line := range lines {
					// The first start's notice is for the person at the
					// console, not a log record.
					if !json.Valid([]byte(line)) && !strings.HasPrefix(line, "Created the administrator") {
						t.Errorf("not a JSON line: %s", line)
					}
				}
			}
		})
	}
}

// TestWrongCommandLinesAreUsageErrors: whatever is wrong, fimdb says what
// in one line, shows the usage in another (not the whole help) and exits
// with status 2, before touching any database.
func TestWrongCommandLinesAreUsageErrors(t *testing.T) {
	clearEnv(t, fimdbEnv...)
	t.Chdir(t.TempDir())
	tests := []struct {
		name      string
		args      string
		want      string
		wantUsage string
	}{
		{"unknown flag after the argument", "user add ann@example.com --nope", "flag provided but not defined: -nope", "usage: fimdb user add [--db PATH] [--admin] [--password PW] EMAIL"},
		{"a flag of another command", "import f.json --admin", "flag provided but not defined: -admin", "usage: fimdb import [--db PATH] [--format FORMAT] [--title-types TYPES] [--include-adult] [--min-votes N] FILE.json | title.basics.tsv.gz"},
		{"flag without its value", "token create bob@example.com --db", "flag needs an argument: -db", "usage: fimdb token create [--db PATH] EMAIL"},
		{"two emails", "user add ann@example.com bob@example.com --password pw", "name one account's EMAIL", "usage: fimdb user add"},
		{"a proxy that is not an address", "serve --trusted-proxies nginx", `trusted proxies: "nginx" is neither a CIDR such as 10.0.0.0/8 nor an IP address`, "usage: fimdb serve"},
		{"a negative drain delay", "serve --drain-delay -1s", "--drain-delay cannot be negative", "usage: fimdb serve [--addr HOST:PORT] [--db PATH] [--secure-cookies] [--trusted-proxies CIDRS] [--instance-name NAME] [--drain-delay DURATION]"},
		{"an unknown log format", "serve --log-format xml", `--log-format is text or json, not "xml"`, "usage: fimdb serve"},
		{"an export format fimdb does not write", "export --format xml", `--format is json or csv, not "xml"`, "usage: fimdb export [--db PATH] [--format FORMAT] [FILE]"},
		{"two export files", "export a.json b.json", "name at most one FILE", "usage: fimdb export"},
		{"no backup file", "backup --db x.db", "name the one FILE to write the backup to", "usage: fimdb backup [--db PATH] FILE"},
		{"no email", "user passwd --db x.db", "name one account's EMAIL", "usage: fimdb user passwd [--db PATH] EMAIL"},
		{"no token", "token revoke", "name one TOKEN to revoke", "usage: fimdb token revoke [--db PATH] TOKEN"},
		{"no file", "import --db x.db", "name the files to import", "usage: fimdb import"},
		{"serve takes no arguments", "serve extra --db x.db", `serve takes no arguments, got "extra"`, "usage: fimdb serve [--addr HOST:PORT] [--db PATH] [--secure-cookies]"},
		{"list takes no arguments", "user list everyone", `list takes no arguments, got "everyone"`, "usage: fimdb user list [--db PATH]"},
		{"unknown command", "frob --db x.db", `unknown command "frob"`, "usage: fimdb serve|import|migrate|user|token|copy|export|backup ..."},
		{"unknown subcommand", "user frob", `unknown command "frob"`, "usage: fimdb user add|passwd|list ..."},
		{"no subcommand", "token", "which command?", "usage: fimdb token create|revoke ..."},
		{"unknown flag of the default command", "--nope", "flag provided but not defined: -nope", "usage: fimdb serve"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, err := runCLI(t, strings.Fields(tt.args)...)
			if code := exitCode(err); code != 2 {
				t.Errorf("exit status %d (%v), want 2", code, err)
			}
			if err == nil {
				return
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) || !strings.Contains(msg, tt.wantUsage) {
				t.Errorf("message %q, want %q and %q", msg, tt.want, tt.wantUsage)
			}
			if lines := strings.Count(msg, "\n") + 1; lines > 2 {
				t.Errorf("message has %d lines, want a short one:\n%s", lines, msg)
			}
			if out != "" || errOut != "" {
				t.Errorf("printed more than the message: stdout %q stderr %q", out, errOut)
			}
		})
	}
	if files, _ := filepath.Glob("*"); len(files) != 0 {
		t.Errorf("a wrong command line created %v", files)
	}
}

// TestInstancesStartingTogetherMakeOneAdministrator: replicas that start
// at once on an empty database all start, with one administrator.
func TestInstancesStartingTogetherMakeOneAdministrator(t *testing.T) {
	db.PasswordCost = 4
	ctx := context.Background()
	dsn := dbtest.DSN(t, "boot")
	const instances = 4
	stores := make([]*db.Store, instances)
	for i := range stores {
		s, err := db.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores[i] = s
	}
	errs := make(chan error, instances)
	for _, s := range stores {
		go func() { errs <- bootstrapAdmin(ctx, s, "chief@example.com", "chief passphrase", io.Discard) }()
	}
	for range instances {
		if err := <-errs; err != nil {
			t.Errorf("an instance failed to start: %v", err)
		}
	}
	if n, err := stores[0].CountAdmins(ctx); n != 1 || err != nil {
		t.Errorf("%d administrators (%v), want 1", n, err)
	}
}
