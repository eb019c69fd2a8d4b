package main

import (
	"net/url"
	"strings"
	"testing"

	"fimdb/db/dbtest"
)

// mysqlPassword is a MySQL password that must never be printed.
const mysqlPassword = "Sup3r-s3cret_pw"

func TestMigrateCommand(t *testing.T) {
	clearEnv(t, fimdbEnv...)
	dsn := dbtest.DSN(t, "migrate")
	for range 2 { // the second run finds nothing to do
		out, errOut, err := runCLI(t, "migrate", "--db", dsn)
		if err != nil || !strings.Contains(out, "is at schema version") {
			t.Fatalf("migrate: %v\nstdout: %s\nstderr: %s", err, out, errOut)
		}
	}
	if n := countMovies(t, dsn); n != 0 {
		t.Errorf("migrate loaded %d movies; only serve loads the bundled catalog", n)
	}
}

// TestBadDatabaseURLs: each mistake gets one sentence naming it, a non-zero
// exit, and never the password.
func TestBadDatabaseURLs(t *testing.T) {
	clearEnv(t, fimdbEnv...)
	server := func(t *testing.T) *url.URL {
		u, err := url.Parse(dbtest.NewMySQLDatabase(t))
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	withUser := func(u *url.URL, user, password string) string {
		u.User = url.UserPassword(user, password)
		return u.String()
	}
	tests := []struct {
		name string
		dsn  func(t *testing.T) string
		want string
	}{
		{"no database", func(t *testing.T) string { return "mysql://root:" + mysqlPassword + "@127.0.0.1:3306" }, "names no database"},
		{"no user", func(t *testing.T) string { return "mysql://127.0.0.1:3306/fimdb" }, "names no user"},
		{"another kind of database", func(t *testing.T) string { return "postgres://fimdb:" + mysqlPassword + "@127.0.0.1/fimdb" }, "fimdb knows two kinds of database"},
		{"the scheme in capitals", func(t *testing.T) string { return "MySQL://root:" + mysqlPassword + "@127.0.0.1:1/fimdb" }, "cannot reach the MySQL server"},
		{"not a URL", func(t *testing.T) string { return "mysql://root:" + mysqlPassword + "@[::1/fimdb" }, "URL is not valid"},
		{"unknown parameter value", func(t *testing.T) string { return "mysql://root:" + mysqlPassword + "@127.0.0.1:3306/fimdb?tls=maybe" }, "parameters are not valid"},
		{"unreachable server", func(t *testing.T) string { return "mysql://root:" + mysqlPassword + "@127.0.0.1:1/fimdb" }, "cannot reach the MySQL server at 127.0.0.1:1"},
		{"wrong password", func(t *testing.T) string { return withUser(server(t), "root", mysqlPassword) }, `MySQL refused user "root"`},
		{"no such database", func(t *testing.T) string {
			u := server(t)
			u.Path = "/fimdb_no_such_database"
			return withUser(u, "root", "")
		}, "does not exist: create it first"},
		{"missing privileges", func(t *testing.T) string {
			u := server(t)
			name := strings.TrimPrefix(u.Path, "/")
			user := "ro_" + name[len(name)-8:]
			dbtest.Exec(t, "CREATE USER '"+user+"'@'%' IDENTIFIED BY '"+mysqlPassword+"'",
				"GRANT SELECT ON "+name+".* TO '"+user+"'@'%'")
			t.Cleanup(func() { dbtest.Exec(t, "DROP USER '"+user+"'@'%'") })
			return withUser(u, user, mysqlPassword)
		}, "lacks a privilege fimdb needs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, err := runCLI(t, "migrate", "--db", tt.dsn(t))
			if err == nil || exitCode(err) == 0 {
				t.Fatalf("migrate succeeded: %s", out)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) || strings.Count(msg, "\n") > 0 {
				t.Errorf("error %q, want one line saying %q", msg, tt.want)
			}
			if strings.Contains(out+errOut+msg, mysqlPassword) {
				t.Errorf("the password was printed: %s %s %s", out, errOut, msg)
			}
		})
	}
}

// TestServeNeverLogsTheMySQLPassword runs the server on a MySQL user with
// a password and reads everything it printed.
func TestServeNeverLogsTheMySQLPassword(t *testing.T) {
	clearEnv(t, fimdbEnv...)
	u, err := url.Parse(dbtest.NewMySQLDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	user := "pw_" + name[len(name)-8:]
	dbtest.Exec(t, "CREATE USER '"+user+"'@'%' IDENTIFIED BY '"+mysqlPassword+"'",
		"GRANT ALL ON "+name+".* TO '"+user+"'@'%'")
	t.Cleanup(func() { dbtest.Exec(t, "DROP USER '"+user+"'@'%'") })
	u.User = url.UserPassword(user, mysqlPassword)
	t.Setenv("FIMDB_ADMIN_EMAIL", "admin@example.com")
	t.Setenv("FIMDB_ADMIN_PASSWORD", "an admin passphrase")
	addr := freeAddr(t)
	out, errOut := runServeCLI(t, addr, "serve", "--addr", addr, "--db", u.String())
	if strings.Contains(out+errOut, mysqlPassword) {
		t.Errorf("the password was printed:\n%s\n%s", out, errOut)
	}
	if !strings.Contains(errOut, "backend=mysql") || !strings.Contains(errOut, user+":xxxxx@") {
		t.Errorf("the log does not name the database without its password:\n%s", errOut)
	}
}
