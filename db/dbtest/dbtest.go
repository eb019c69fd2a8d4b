// Package dbtest gives each test a fresh, empty database on the backend the
// test run is for: SQLite always, MySQL when FIMDB_TEST_BACKEND=mysql and
// FIMDB_TEST_MYSQL holds the URL of a server that tests may create and drop
// databases on (`make test` runs the suites both ways when it is set).
package dbtest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-sql-driver/mysql"
)

// ServerEnv holds the MySQL server tests use, as a mysql:// URL whose user
// may create databases: mysql://root@127.0.0.1:3306/test.
const ServerEnv = "FIMDB_TEST_MYSQL"

// BackendEnv picks the backend a test run is for: "sqlite" (the default)
// or "mysql".
const BackendEnv = "FIMDB_TEST_BACKEND"

// MySQL reports whether this test run is for MySQL.
func MySQL() bool { return os.Getenv(BackendEnv) == "mysql" }

// Backend names the backend this run is for.
func Backend() string {
	if MySQL() {
		return "mysql"
	}
	return "sqlite"
}

// DSN returns a --db value naming a fresh, empty database for t, removed
// when t ends: a file in t.TempDir() on SQLite, a new database on MySQL.
// name tells databases of one test apart.
func DSN(t testing.TB, name string) string {
	t.Helper()
	if !MySQL() {
		return filepath.Join(t.TempDir(), name+".db")
	}
	return NewMySQLDatabase(t)
}

// NewMySQLDatabase creates a database on the FIMDB_TEST_MYSQL server,
// drops it when t ends, and returns its mysql:// URL. Without the server it
// fails the test, unless the run is for SQLite, where it skips it saying
// how to run it.
func NewMySQLDatabase(t testing.TB) string {
	t.Helper()
	server := os.Getenv(ServerEnv)
	if server == "" {
		if MySQL() {
			t.Fatalf("%s=mysql needs %s, the URL of a MySQL server (mysql://root@127.0.0.1:3306/test)", BackendEnv, ServerEnv)
		}
		t.Skipf("needs a MySQL server: set %s=mysql://root@127.0.0.1:3306/test to run it", ServerEnv)
	}
	admin, u := openServer(t, server)
	name := "fimdb_t_" + randomHex(6)
	if _, err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name); err != nil {
			t.Errorf("drop test database: %v", err)
		}
		admin.Close()
	})
	u.Path = "/" + name
	return u.String()
}

// Exec runs statements on the FIMDB_TEST_MYSQL server as its user (to
// create a user with few privileges, say).
func Exec(t testing.TB, statements ...string) {
	t.Helper()
	admin, _ := openServer(t, os.Getenv(ServerEnv))
	defer admin.Close()
	for _, s := range statements {
		if _, err := admin.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func openServer(t testing.TB, server string) (*sql.DB, *url.URL) {
	t.Helper()
	u, err := url.Parse(server)
	if err != nil || u.Scheme != "mysql" {
		t.Fatalf("%s must be a mysql:// URL", ServerEnv)
	}
	cfg := mysql.NewConfig()
	cfg.Net, cfg.Addr, cfg.User = "tcp", u.Host, u.User.Username()
	cfg.Passwd, _ = u.User.Password()
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Ping(); err != nil {
		t.Fatalf("MySQL server of %s: %v", ServerEnv, err)
	}
	return db, u
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprint("random: ", err))
	}
	return hex.EncodeToString(b)
}
