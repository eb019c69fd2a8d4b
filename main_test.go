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
	var out, errOut bytes.Buffer
	app := newCLI(&out, &errOut)
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
	addr := freeAddr(t)
	dbPath := filepath.Join(t.TempDir(), "fimdb.db")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, addr, dbPath, slog.New(slog.NewTextHandler(io.Discard, nil))) }()

	var resp *http.Response
	var err error
	for range 100 {
		if resp, err = http.Get("http://" + addr + "/listing?genre=Thriller"); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond) // waiting for the listener, not timing anything
	}
	if err != nil {
		t.Fatalf("server never answered: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "of 51") {
		t.Errorf("GET /listing: %d %.200s", resp.StatusCode, body)
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
