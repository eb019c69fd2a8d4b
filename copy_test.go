package main

import (
	"context"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"fimdb/db"
	"fimdb/db/dbtest"
)

// sourceInstallation makes a SQLite database with two movies and one
// account, through the CLI as an administrator would.
func sourceInstallation(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "source.db")
	if _, _, err := runCLI(t, "import", "--db", path, writeFile(t, "movies.json", twoMovies)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCLI(t, "user", "add", "--db", path, "--admin", "--password", "ann's long passphrase", "ann@example.com"); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCopyCommand(t *testing.T) {
	db.PasswordCost = 4
	clearEnv(t, fimdbEnv...)
	from := sourceInstallation(t)
	to := filepath.Join(t.TempDir(), "target.db")

	out, errOut, err := runCLI(t, "copy", "--from", from, "--to", to)
	if err != nil {
		t.Fatalf("copy: %v\n%s", err, errOut)
	}
	if want := "Copied 2 movies, 3 genres, 1 accounts, 0 API tokens, 0 audit entries from " + from + " to " + to + ".\n"; out != want {
		t.Errorf("copy printed %q, want %q", out, want)
	}
	if n := countMovies(t, to); n != 2 {
		t.Errorf("the target holds %d movies, want 2", n)
	}
	s, err := db.Open(context.Background(), to)
	if err != nil {
		t.Fatal(err)
	}
	if u, err := s.Authenticate(context.Background(), "ann@example.com", "ann's long passphrase"); err != nil || !u.IsAdmin() {
		t.Errorf("ann on the target: %+v, %v", u, err)
	}
	s.Close()

	// Once the target holds an installation, copy needs --force.
	out, errOut, err = runCLI(t, "copy", "--from", from, "--to", to)
	if code := exitCode(err); code != 1 {
		t.Errorf("copy into a used target: exit status %d (%v), want 1", code, err)
	}
	if want := to + ": the target database already holds 2 movies, 1 account and 0 audit entries; nothing was copied (--force replaces them)"; err == nil || err.Error() != want {
		t.Errorf("refusal %q, want %q", err, want)
	}
	if out != "" || errOut != "" {
		t.Errorf("a refused copy printed stdout %q stderr %q", out, errOut)
	}
	if out, _, err = runCLI(t, "copy", "--force", "--from", from, "--to", to); err != nil || !strings.HasPrefix(out, "Copied 2 movies") {
		t.Errorf("copy --force: %q, %v", out, err)
	}
}

func TestCopyCommandLineErrors(t *testing.T) {
	clearEnv(t, fimdbEnv...)
	t.Chdir(t.TempDir())
	for _, tt := range []struct {
		args string
		code int
		want string
	}{
		{"copy --from a.db", 2, "name the database to copy with --from and the one to copy into with --to\nusage: fimdb copy [--from DB] [--to DB] [--force]"},
		{"copy --to b.db", 2, "usage: fimdb copy [--from DB] [--to DB] [--force]"},
		{"copy --from a.db --to b.db c.db", 2, `copy takes no arguments, got "c.db"`},
		{"copy --from missing.db --to b.db", 1, "--from missing.db: no such database file"},
	} {
		t.Run(tt.args, func(t *testing.T) {
			_, _, err := runCLI(t, strings.Fields(tt.args)...)
			if code := exitCode(err); code != tt.code {
				t.Errorf("exit status %d (%v), want %d", code, err, tt.code)
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("message %q, want %q", err, tt.want)
			}
		})
	}
	if files, _ := filepath.Glob("*"); len(files) != 0 {
		t.Errorf("a failed copy created %v", files)
	}
}

// TestCopyCommandNeverShowsTheMySQLPassword: not on success, not when the
// target is refused, not when the password is wrong.
func TestCopyCommandNeverShowsTheMySQLPassword(t *testing.T) {
	db.PasswordCost = 4
	clearEnv(t, fimdbEnv...)
	from := sourceInstallation(t)
	target, err := url.Parse(dbtest.NewMySQLDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(target.Path, "/") // a fresh name, for the user too
	const password = "S3cret p@ss/w:rd"
	dbtest.Exec(t,
		"CREATE USER '"+name+"'@'%' IDENTIFIED BY '"+password+"'",
		"GRANT ALL ON "+name+".* TO '"+name+"'@'%'")
	t.Cleanup(func() { dbtest.Exec(t, "DROP USER '"+name+"'@'%'") })
	target.User = url.UserPassword(name, password)
	to := target.String()
	wrong := *target
	wrong.User = url.UserPassword(name, "Wr0ng-"+password)

	for _, step := range []struct {
		name, to string
		code     int
		want     string
	}{
		{"copied", to, 0, "Copied 2 movies, 3 genres, 1 accounts, 0 API tokens, 0 audit entries from " + from + " to " + db.Redact(to) + "."},
		{"refused", to, 1, db.Redact(to) + ": the target database already holds 2 movies"},
		{"wrong password", wrong.String(), 1, "--to " + db.Redact(wrong.String()) + ": MySQL refused user"},
	} {
		t.Run(step.name, func(t *testing.T) {
			out, errOut, err := runCLI(t, "copy", "--from", from, "--to", step.to)
			if code := exitCode(err); code != step.code {
				t.Errorf("exit status %d (%v), want %d", code, err, step.code)
			}
			shown := out + errOut
			if err != nil {
				shown += err.Error()
			}
			if !strings.Contains(shown, step.want) {
				t.Errorf("printed %q, want %q", shown, step.want)
			}
			for _, secret := range []string{password, url.UserPassword("", password).String(), "Wr0ng"} {
				if strings.Contains(shown, secret) {
					t.Errorf("the password shows: %q", shown)
				}
			}
		})
	}
}
