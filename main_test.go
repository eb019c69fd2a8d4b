package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fimdb/db"

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
