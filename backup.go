package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"fimdb/db"

	"github.com/urfave/cli/v2"
)

// exportCommand is `fimdb export [--db DB] [--format json|csv] [FILE]`.
func exportCommand(stdout io.Writer) *cli.Command {
	return &cli.Command{
		Name:      "export",
		Usage:     "write the whole catalog as JSON (the shape fimdb import reads) or CSV, to FILE or standard output",
		ArgsUsage: "[FILE]",
		Flags: []cli.Flag{
			dbFlag(),
			&cli.StringFlag{Name: "format", Usage: "`FORMAT`: json or csv", Value: "json"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 1 {
				return usageError(c, "name at most one FILE (none writes to standard output)")
			}
			format := c.String("format")
			if format != "json" && format != "csv" {
				return usageError(c, fmt.Sprintf("--format is json or csv, not %q", format))
			}
			return exportCatalog(c.Context, c.String("db"), format, c.Args().First(), stdout)
		},
	}
}

// exportCatalog writes the catalog of dsn to file, or to stdout when file
// is "". A file appears whole or not at all: it is written beside its
// place and renamed when complete.
func exportCatalog(ctx context.Context, dsn, format, file string, stdout io.Writer) error {
	store, err := openExisting(ctx, "--db", dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	write := store.ExportJSON
	if format == "csv" {
		write = store.ExportCSV
	}
	if file == "" {
		buf := bufio.NewWriterSize(stdout, 64<<10)
		_, err := write(ctx, buf)
		if err = errors.Join(err, buf.Flush()); err != nil {
			return cli.Exit(fmt.Sprintf("export: %v", err), 1)
		}
		return nil
	}
	n, err := writeWhole(file, func(w io.Writer) (int, error) {
		buf := bufio.NewWriterSize(w, 64<<10) // one write per movie was one system call per movie
		n, err := write(ctx, buf)
		return n, errors.Join(err, buf.Flush())
	})
	if err != nil {
		return cli.Exit(fmt.Sprintf("export to %s: %v", file, err), 1)
	}
	fmt.Fprintf(stdout, "Exported %d movies to %s.\n", n, file)
	return nil
}

// writeWhole writes file through a temporary file in its directory, renamed
// over it once write has succeeded.
func writeWhole(file string, write func(io.Writer) (int, error)) (int, error) {
	tmp, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".*.tmp")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name()) // fails once renamed, as it should
	n, err := write(tmp)
	if err = errors.Join(err, tmp.Sync(), tmp.Close()); err != nil {
		return n, err
	}
	return n, os.Rename(tmp.Name(), file)
}

// backupCommand is `fimdb backup [--db DB] FILE`.
func backupCommand(stdout io.Writer) *cli.Command {
	return &cli.Command{
		Name:      "backup",
		Usage:     "write a consistent copy of a SQLite database to FILE, even while fimdb serves and writes it",
		ArgsUsage: "FILE",
		Flags:     []cli.Flag{dbFlag()},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usageError(c, "name the one FILE to write the backup to")
			}
			return backupDatabase(c.Context, c.String("db"), c.Args().First(), stdout)
		},
	}
}

// backupDatabase copies the SQLite database dsn into the new file, and
// says how to restore it.
func backupDatabase(ctx context.Context, dsn, file string, stdout io.Writer) error {
	if db.IsMySQL(dsn) {
		return cli.Exit(db.ErrNoBackup.Error()+".", 1)
	}
	store, err := openExisting(ctx, "--db", dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	// Made empty here, and only if it is new (VACUUM INTO fills an empty
	// file), so that a failure removes nothing but what this run made.
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return cli.Exit(fmt.Sprintf("%s exists already: name a new file (a backup never replaces one)", file), 1)
	}
	if err != nil {
		return cli.Exit(err.Error(), 1)
	}
	f.Close()
	if err := store.Backup(ctx, file); err != nil {
		os.Remove(file) // a partial copy is no backup
		return cli.Exit(err.Error(), 1)
	}
	info, err := os.Stat(file)
	if err != nil {
		return cli.Exit(err.Error(), 1)
	}
	fmt.Fprintf(stdout, "Backed up %s to %s (%.1f MB).\n", dsn, file, float64(info.Size())/1e6)
	fmt.Fprintf(stdout, "To restore it: stop fimdb, delete %[1]s-wal and %[1]s-shm if they are there, copy %[2]s over %[1]s, and start fimdb.\n", dsn, file)
	return nil
}

// openExisting opens the database that flag names, which must exist
// already: opening a SQLite path that is not there would create an empty
// catalog, and export or copy nothing.
func openExisting(ctx context.Context, flag, dsn string) (*db.Store, error) {
	if !db.IsMySQL(dsn) {
		if _, err := os.Stat(dsn); err != nil {
			return nil, cli.Exit(fmt.Sprintf("%s %s: no such database file", flag, dsn), 1)
		}
	}
	store, err := db.Open(ctx, dsn)
	if err != nil {
		return nil, cli.Exit(fmt.Sprintf("%s %s: %v", flag, db.Redact(dsn), err), 1)
	}
	return store, nil
}
