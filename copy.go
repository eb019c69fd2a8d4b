package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"fimdb/db"

	"github.com/urfave/cli/v2"
)

// copyCommand is `fimdb copy --from SRC --to DST [--force]`: it moves a
// whole installation from one database to another, SQLite or MySQL.
func copyCommand(stdout io.Writer) *cli.Command {
	return &cli.Command{
		Name:  "copy",
		Usage: "copy the catalog, accounts, API tokens and audit log into another database (SQLite file or mysql:// URL)",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "from", Usage: "the database `DB` to copy: a SQLite file or a mysql://USER:PASSWORD@HOST:3306/DBNAME URL"},
			&cli.StringFlag{Name: "to", Usage: "the database `DB` to copy into, SQLite or MySQL, empty or new (its schema is made as needed)"},
			&cli.BoolFlag{Name: "force", Usage: "replace what the target database already holds"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 0 {
				return usageError(c, fmt.Sprintf("copy takes no arguments, got %q", c.Args().First()))
			}
			from, to := c.String("from"), c.String("to")
			if from == "" || to == "" {
				return usageError(c, "name the database to copy with --from and the one to copy into with --to")
			}
			return copyDatabase(c.Context, from, to, c.Bool("force"), stdout)
		},
	}
}

// copyDatabase copies the installation in from into to and says what it
// copied. Databases are named with db.Redact: a password never shows.
func copyDatabase(ctx context.Context, from, to string, force bool, stdout io.Writer) error {
	src, err := openExisting(ctx, "--from", from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := db.Open(ctx, to)
	if err != nil {
		return cli.Exit(fmt.Sprintf("--to %s: %v", db.Redact(to), err), 1)
	}
	defer dst.Close()
	report, err := src.CopyTo(ctx, dst, force)
	var notEmpty *db.TargetNotEmptyError
	switch {
	case errors.As(err, &notEmpty):
		return cli.Exit(fmt.Sprintf("%s: %v; nothing was copied (--force replaces them)", db.Redact(to), notEmpty), 1)
	case err != nil:
		return cli.Exit(fmt.Sprintf("copy from %s to %s: %v", db.Redact(from), db.Redact(to), err), 1)
	}
	for _, g := range report.MergedGenres {
		fmt.Fprintf(stdout, "Merged the genre %s: the target compares names ignoring accents.\n", g)
	}
	fmt.Fprintf(stdout, "Copied %d movies, %d genres, %d accounts, %d API tokens, %d audit entries from %s to %s.\n",
		report.Movies, report.Genres, report.Users, report.Tokens, report.Audit, db.Redact(from), db.Redact(to))
	return nil
}
