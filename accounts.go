package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"

	"fimdb/db"
	"fimdb/handlers"
	"fimdb/i18n"

	"github.com/urfave/cli/v2"
)

// bootstrapAdmin makes sure a fresh database has an administrator: the one
// named by FIMDB_ADMIN_EMAIL and FIMDB_ADMIN_PASSWORD, or admin@localhost
// with a random password printed once to the console (never to the log).
func bootstrapAdmin(ctx context.Context, store *db.Store, email, password string, console io.Writer) error {
	n, err := store.CountAdmins(ctx)
	if err != nil || n > 0 {
		return err
	}
	generated := false
	if email == "" {
		email = "admin@localhost"
	}
	if password == "" {
		password, generated = randomPassword(), true
	} else if msg := handlers.ValidatePassword(i18n.Context(context.Background()), password); msg != "" {
		return fmt.Errorf("FIMDB_ADMIN_PASSWORD: %s", msg)
	}
	if _, err := store.CreateUser(ctx, email, password, db.RoleAdmin); err != nil {
		if errors.Is(err, db.ErrEmailTaken) {
			// Another instance starting beside this one got there first.
			if n, _ := store.CountAdmins(ctx); n > 0 {
				return nil
			}
		}
		return fmt.Errorf("create the first administrator %s: %w", email, err)
	}
	if generated {
		fmt.Fprintf(console, "\nCreated the administrator %s with the password:\n\n    %s\n\nIt is shown only now. Change it with: fimdb user passwd %s\n\n", email, password, email)
	} else {
		fmt.Fprintf(console, "Created the administrator %s (password from FIMDB_ADMIN_PASSWORD).\n", email)
	}
	return nil
}

func randomPassword() string {
	b := make([]byte, 18)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// readPassword takes one line from stdin: scripts pipe it in, so it never
// has to appear in a command line or the shell's history.
func readPassword(stdin io.Reader) (string, error) {
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", cli.Exit("expected the password on one line of standard input", 2)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func withStore(c *cli.Context, fn func(*db.Store) error) error {
	store, err := db.Open(c.Context, c.String("db"))
	if err != nil {
		return err
	}
	defer store.Close()
	return fn(store)
}

func userCommand(stdin io.Reader, stdout io.Writer) *cli.Command {
	return &cli.Command{
		Name:  "user",
		Usage: "manage accounts",
		Subcommands: []*cli.Command{
			{
				Name:      "add",
				Usage:     "create an account (password from --password or one line of stdin)",
				ArgsUsage: "EMAIL",
				Flags: []cli.Flag{dbFlag(),
					&cli.BoolFlag{Name: "admin", Usage: "make the account an administrator"},
					&cli.StringFlag{Name: "password", Usage: "the password `PW` (otherwise read from stdin)"},
				},
				Action: func(c *cli.Context) error {
					if c.NArg() != 1 {
						return usageError(c, "name one account's EMAIL")
					}
					password := c.String("password")
					if !c.IsSet("password") {
						var err error
						if password, err = readPassword(stdin); err != nil {
							return err
						}
					}
					if msg := handlers.ValidatePassword(i18n.Context(context.Background()), password); msg != "" {
						return cli.Exit("password: "+msg, 1)
					}
					role := db.RoleUser
					if c.Bool("admin") {
						role = db.RoleAdmin
					}
					return withStore(c, func(s *db.Store) error {
						u, err := s.CreateUser(c.Context, c.Args().First(), password, role)
						if err != nil {
							return cli.Exit(err.Error(), 1)
						}
						fmt.Fprintf(stdout, "added %s (%s)\n", u.Email, u.Role)
						return nil
					})
				},
			},
			{
				Name:      "passwd",
				Usage:     "set an account's password (one line of stdin)",
				ArgsUsage: "EMAIL",
				Flags:     []cli.Flag{dbFlag()},
				Action: func(c *cli.Context) error {
					if c.NArg() != 1 {
						return usageError(c, "name one account's EMAIL")
					}
					password, err := readPassword(stdin)
					if err != nil {
						return err
					}
					if msg := handlers.ValidatePassword(i18n.Context(context.Background()), password); msg != "" {
						return cli.Exit("password: "+msg, 1)
					}
					return withStore(c, func(s *db.Store) error {
						if err := s.SetPassword(c.Context, c.Args().First(), password); errors.Is(err, db.ErrNotFound) {
							return cli.Exit("no account with the email "+c.Args().First(), 1)
						} else if err != nil {
							return err
						}
						fmt.Fprintf(stdout, "password changed for %s\n", c.Args().First())
						return nil
					})
				},
			},
			{
				Name:  "list",
				Usage: "list the accounts",
				Flags: []cli.Flag{dbFlag()},
				Action: func(c *cli.Context) error {
					if c.NArg() != 0 {
						return usageError(c, fmt.Sprintf("list takes no arguments, got %q", c.Args().First()))
					}
					return withStore(c, func(s *db.Store) error {
						users, err := s.Users(c.Context)
						if err != nil {
							return err
						}
						for _, u := range users {
							fmt.Fprintf(stdout, "%-6s %s\n", u.Role, u.Email)
						}
						return nil
					})
				},
			},
		},
	}
}

func tokenCommand(stdout io.Writer) *cli.Command {
	return &cli.Command{
		Name:  "token",
		Usage: "manage API tokens for scripts (Authorization: Bearer TOKEN)",
		Subcommands: []*cli.Command{
			{
				Name:      "create",
				Usage:     "make a token for an account; it is printed once, on the last line",
				ArgsUsage: "EMAIL",
				Flags:     []cli.Flag{dbFlag()},
				Action: func(c *cli.Context) error {
					if c.NArg() != 1 {
						return usageError(c, "name one account's EMAIL")
					}
					return withStore(c, func(s *db.Store) error {
						token, err := s.CreateToken(c.Context, c.Args().First())
						if errors.Is(err, db.ErrNotFound) {
							return cli.Exit("no account with the email "+c.Args().First(), 1)
						} else if err != nil {
							return err
						}
						fmt.Fprintf(stdout, "Token for %s (shown only now; fimdb keeps only its hash):\n%s\n", c.Args().First(), token)
						return nil
					})
				},
			},
			{
				Name:      "revoke",
				Usage:     "make a token unusable",
				ArgsUsage: "TOKEN",
				Flags:     []cli.Flag{dbFlag()},
				Action: func(c *cli.Context) error {
					if c.NArg() != 1 {
						return usageError(c, "name one TOKEN to revoke")
					}
					return withStore(c, func(s *db.Store) error {
						if err := s.RevokeToken(c.Context, c.Args().First()); errors.Is(err, db.ErrNotFound) {
							return cli.Exit("no such live token", 1)
						} else if err != nil {
							return err
						}
						fmt.Fprintln(stdout, "token revoked")
						return nil
					})
				},
			},
		},
	}
}
