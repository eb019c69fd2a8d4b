package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// cliApp is fimdb's command line. It wraps urfave/cli's App for one reason:
// urfave/cli v2 stops reading flags at the first argument, so
// `fimdb user add ann@example.com --admin` would see "--admin" as a second
// argument. Its Run moves the flags of the command being run in front of
// the command's arguments first (see flagsFirst); v2 has no option for it.
type cliApp struct{ *cli.App }

// Run runs the command line args (args[0] is the program's name).
func (a cliApp) Run(args []string) error { return a.RunContext(context.Background(), args) }

// RunContext is Run with a context that the commands' actions receive.
func (a cliApp) RunContext(ctx context.Context, args []string) error {
	a.Setup()
	return a.App.RunContext(ctx, flagsFirst(a.App, args))
}

// flagsFirst returns args with the flags of the (sub)command being run
// moved in front of its arguments, each flag still followed by its value
// when it takes one. Arguments keep their order and go after a "--", so
// none of them is ever read as a flag; what already followed a "--" stays
// an argument. Flags before the command's name (the app's own) stay put.
// When the command line starts with a flag that the app itself lacks, it
// is meant for the default command (`fimdb --db x.db` serves x.db).
func flagsFirst(app *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	out := []string{args[0]}
	rest := args[1:]
	flags, commands := app.Flags, app.Commands
	for level := 0; ; level++ {
		if level == 0 && app.DefaultCommand != "" && isFlag(rest[0]) && findFlag(flags, rest[0]) == nil {
			if def := app.Command(app.DefaultCommand); def != nil && len(def.Subcommands) == 0 {
				return append(append(out, def.Name), reorder(def.Flags, rest)...)
			}
		}
		// This level's own flags, up to the name of a subcommand.
		i := 0
		for i < len(rest) && isFlag(rest[i]) {
			i += 1 + valuesTaken(flags, rest[i], rest[i+1:])
		}
		if i >= len(rest) {
			return append(out, rest...)
		}
		cmd := findCommand(commands, rest[i])
		if cmd == nil {
			return append(out, rest...) // urfave/cli reports what is wrong
		}
		out = append(out, rest[:i+1]...)
		rest = rest[i+1:]
		if len(cmd.Subcommands) == 0 {
			return append(out, reorder(cmd.Flags, rest)...)
		}
		flags, commands = cmd.Flags, cmd.Subcommands
	}
}

// reorder puts a leaf command's flags before its arguments.
func reorder(flags []cli.Flag, args []string) []string {
	var opts, operands []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			operands = append(operands, args[i+1:]...)
			break
		}
		if !isFlag(a) {
			operands = append(operands, a)
			continue
		}
		n := valuesTaken(flags, a, args[i+1:])
		if n == 0 && takesValue(findFlag(flags, a)) && !strings.Contains(a, "=") {
			// The value is missing (the flag ends the line): leave it last,
			// with nothing after it, so that the parser says so.
			return append(opts, a)
		}
		opts = append(opts, args[i:i+1+n]...)
		i += n
	}
	if len(operands) == 0 {
		return opts
	}
	return append(append(opts, "--"), operands...)
}

// isFlag tells a flag ("-h", "--db", "--db=x") from an argument; "-" alone
// is an argument (standard input, by convention) and "--" ends the flags.
func isFlag(a string) bool {
	return len(a) > 1 && a[0] == '-' && a != "--"
}

// flagName is "db" for "--db", "-db" and "--db=x.db".
func flagName(a string) string {
	name := strings.TrimLeft(a, "-")
	if before, _, ok := strings.Cut(name, "="); ok {
		return before
	}
	return name
}

func findFlag(flags []cli.Flag, a string) cli.Flag {
	name := flagName(a)
	for _, f := range flags {
		if slices.Contains(f.Names(), name) {
			return f
		}
	}
	return nil
}

func takesValue(f cli.Flag) bool {
	v, ok := f.(cli.DocGenerationFlag)
	return ok && v.TakesValue()
}

// valuesTaken is how many of the following words flag a consumes: one for
// a known flag that takes a value not written as --flag=value, else none.
// Unknown flags take none, and the parser rejects them.
func valuesTaken(flags []cli.Flag, a string, next []string) int {
	if strings.Contains(a, "=") || len(next) == 0 || !takesValue(findFlag(flags, a)) {
		return 0
	}
	return 1
}

func findCommand(commands []*cli.Command, name string) *cli.Command {
	for _, c := range commands {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}

// usageErrors makes every wrong command line end the same way: one line
// saying what is wrong, one with the right usage, and exit status 2
// (urfave/cli would print the whole help to stdout and exit with 1 or 3).
// A command with subcommands but none named is wrong too.
func usageErrors(app *cli.App) {
	app.OnUsageError = func(c *cli.Context, err error, _ bool) error {
		return usageError(c, err.Error())
	}
	app.Action = func(c *cli.Context) error {
		return usageError(c, fmt.Sprintf("unknown command %q", c.Args().First()))
	}
	var walk func([]*cli.Command)
	walk = func(commands []*cli.Command) {
		for _, cmd := range commands {
			cmd.OnUsageError = app.OnUsageError
			if len(cmd.Subcommands) > 0 && cmd.Action == nil {
				cmd.Action = func(c *cli.Context) error {
					if c.NArg() == 0 {
						return usageError(c, "which command?")
					}
					return usageError(c, fmt.Sprintf("unknown command %q", c.Args().First()))
				}
			}
			walk(cmd.Subcommands)
		}
	}
	walk(app.Commands)
}

// usageError is a wrong command line: exit status 2 with problem and the
// usage of the command that was run.
func usageError(c *cli.Context, problem string) error {
	return cli.Exit(problem+"\n"+usage(c), 2)
}

// usage is one line: `usage: fimdb user add [--db PATH] [--admin] EMAIL`,
// or the subcommands of a command that has some.
func usage(c *cli.Context) string {
	cmd := c.Command
	name := cmd.HelpName
	if name == "" {
		name = c.App.HelpName
	}
	var subs []string
	for _, s := range cmd.Subcommands {
		if !s.Hidden && s.Name != "help" {
			subs = append(subs, s.Name)
		}
	}
	if len(subs) > 0 {
		return fmt.Sprintf("usage: %s %s ... (%s --help for more)", name, strings.Join(subs, "|"), name)
	}
	parts := []string{"usage:", name}
	for _, f := range cmd.Flags {
		if f == cli.HelpFlag {
			continue
		}
		flag := "--" + f.Names()[0]
		if takesValue(f) {
			flag += " " + placeholder(f)
		}
		parts = append(parts, "["+flag+"]")
	}
	if cmd.ArgsUsage != "" {
		parts = append(parts, cmd.ArgsUsage)
	}
	return strings.Join(parts, " ")
}

// placeholder is the word in backquotes in a flag's usage (as urfave/cli's
// help shows it), or the flag's name in capitals.
func placeholder(f cli.Flag) string {
	if d, ok := f.(cli.DocGenerationFlag); ok {
		u := d.GetUsage()
		if i := strings.IndexByte(u, '`'); i >= 0 {
			if j := strings.IndexByte(u[i+1:], '`'); j >= 0 {
				return u[i+1 : i+1+j]
			}
		}
	}
	return strings.ToUpper(f.Names()[0])
}
