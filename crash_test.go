package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fimdb/db"
	"fimdb/db/dbtest"
)

// commandProcess starts `fimdb args...` as a child process (the test binary
// run as the command, see TestMain).
func commandProcess(t *testing.T, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "FIMDB_TEST_AS_COMMAND=1", "FIMDB_TEST_ARGS="+strings.Join(args, " "))
	out := new(bytes.Buffer)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, out
}

// countMoviesAt opens dsn as fimdb does and counts its movies, checking
// that the catalog's own count agrees and, on SQLite, the file's integrity.
func countMoviesAt(t *testing.T, dsn string) int {
	t.Helper()
	ctx := context.Background()
	s, err := db.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("the database does not open after the kill: %v", err)
	}
	defer s.Close()
	n, err := s.CountMovies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if kept, err := s.CatalogSize(ctx); err != nil || kept != int64(n) {
		t.Errorf("%d movies, the catalog says %d (%v)", n, kept, err)
	}
	if !dbtest.MySQL() {
		conn, err := sql.Open("sqlite", dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		var integrity string
		if err := conn.QueryRow("PRAGMA integrity_check").Scan(&integrity); err != nil || integrity != "ok" {
			t.Errorf("integrity_check: %q, %v", integrity, err)
		}
	}
	return n
}

// TestAnImportKilledPartWayLeavesNoneOfIt: `fimdb import` killed with
// SIGKILL at several points leaves a database that opens whole and holds
// none of that import; one left to finish holds all of it.
func TestAnImportKilledPartWayLeavesNoneOfIt(t *testing.T) {
	clearEnv(t, fimdbEnv...)
	dsn := dbtest.DSN(t, "crash")
	catalogAt(t, dsn) // the bundled 246 and four more, then closed at the end
	before := countMoviesAt(t, dsn)
	const size = 15_000
	file := filepath.Join(t.TempDir(), "movies.json")
	writeSyntheticCatalog(t, file, size)

	none := 0
	for _, after := range []time.Duration{200 * time.Millisecond, 600 * time.Millisecond, 1200 * time.Millisecond} {
		cmd, _ := commandProcess(t, "import", "--db", dsn, file)
		time.Sleep(after) // where to kill it, not a measurement
		cmd.Process.Kill()
		cmd.Wait()
		n := countMoviesAt(t, dsn)
		if n == before+size {
			break // it finished before the kill: all of it, as it may
		}
		if n != before {
			t.Fatalf("killed after %v: %d movies, want none of the import (%d) or all (%d)", after, n, before, before+size)
		}
		none++
	}
	if none == 0 {
		t.Fatal("no kill landed while the import ran: make the file bigger")
	}
	if _, errOut, err := runCLI(t, "import", "--db", dsn, file); err != nil {
		t.Fatalf("the import after the kills: %v\n%s", err, errOut)
	}
	if n := countMoviesAt(t, dsn); n != before+size {
		t.Errorf("after a whole import: %d movies, want %d", n, before+size)
	}
}

// writeSyntheticCatalog writes n movies in the catalog file's shape.
func writeSyntheticCatalog(t *testing.T, path string, n int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	w.WriteString("[")
	for i := range n {
		if i > 0 {
			w.WriteString(",")
		}
		fmt.Fprintf(w, "\n{\"name\":\"Crash Test %d\",\"director\":\"Director %d\",\"genre\":[\"Drama\",\"G%d\"],\"imdb_score\":%d.5,\"99popularity\":%d}", i, i%997, i%7, i%10, i%100)
	}
	w.WriteString("\n]\n")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestAServerKilledDuringAdminWritesKeepsEveryAcknowledgedOne: adds that
// the server answered 201 are all in the database after a SIGKILL in the
// middle of a stream of them.
func TestAServerKilledDuringAdminWritesKeepsEveryAcknowledgedOne(t *testing.T) {
	clearEnv(t, fimdbEnv...)
	dsn := dbtest.DSN(t, "crash")
	t.Setenv("FIMDB_ADMIN_EMAIL", "admin@example.com")
	t.Setenv("FIMDB_ADMIN_PASSWORD", "a long enough admin passphrase")
	db.PasswordCost = 4
	addr := freeAddr(t)
	// Its first start makes the administrator the environment names.
	cmd, log := commandProcess(t, "serve", "--addr", addr, "--db", dsn)
	waitForHealth(t, addr, log)
	out, errOut, err := runCLI(t, "token", "create", "--db", dsn, "admin@example.com")
	if err != nil {
		t.Fatalf("token create: %v\n%s", err, errOut)
	}
	token := strings.TrimSpace(out[strings.LastIndexByte(strings.TrimSpace(out), '\n')+1:])

	acked := make(chan string, 10_000)
	done := make(chan struct{})
	go func() {
		defer close(done)
		client := &http.Client{Timeout: 5 * time.Second}
		for i := 0; ; i++ {
			name := fmt.Sprintf("Written %d", i)
			form := url.Values{"movie_name": {name}, "director": {"Someone"}, "imdb_score": {"7"}, "popularity": {"50"}, "chip_genres": {"Drama"}}
			req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/manage/add", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Accept", "application/json")
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := client.Do(req)
			if err != nil {
				return // the server is gone
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusCreated {
				acked <- name
			}
		}
	}()
	// Kill once some adds were acknowledged, with more on the way.
	for deadline := time.Now().Add(time.Minute); len(acked) < 20; {
		if time.Now().After(deadline) {
			t.Fatalf("only %d adds acknowledged in a minute:\n%s", len(acked), log)
		}
		time.Sleep(20 * time.Millisecond) // waiting for writes, not timing anything
	}
	cmd.Process.Kill()
	cmd.Wait()
	<-done
	close(acked)

	countMoviesAt(t, dsn)
	s, err := db.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	have := map[string]bool{}
	s.EachMovie(context.Background(), func(m db.Movie) error { have[m.Name] = true; return nil })
	n := 0
	for name := range acked {
		n++
		if !have[name] {
			t.Errorf("%q was acknowledged (201) and is gone after the kill", name)
		}
	}
	t.Logf("%d acknowledged adds, all there", n)
}

// waitForHealth waits until a server process answers /healthz.
func waitForHealth(t *testing.T, addr string, log *bytes.Buffer) {
	t.Helper()
	for range 600 {
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(50 * time.Millisecond) // waiting for the listener, not timing anything
	}
	t.Fatalf("fimdb serve never answered on %s:\n%s", addr, log)
}
