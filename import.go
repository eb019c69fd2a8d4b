package main

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"fimdb/db"
	"fimdb/imdb"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"
)

// importCommand adds a catalog file: fimdb's own JSON, or IMDb's TSV
// datasets, recognised by their content unless --format says.
func importCommand(stdout, stderr io.Writer) *cli.Command {
	return &cli.Command{
		Name:      "import",
		Usage:     "add movies from a JSON file (the shape of the bundled imdb.json) or from IMDb's datasets (title.basics.tsv.gz and, optionally, title.ratings, title.crew and name.basics)",
		ArgsUsage: "FILE.json | title.basics.tsv.gz [title.ratings.tsv.gz] [title.crew.tsv.gz] [name.basics.tsv.gz]",
		Flags: []cli.Flag{
			dbFlag(),
			&cli.StringFlag{Name: "format", Usage: "`FORMAT` of the files: json or imdb (default: recognised from their content)"},
			&cli.StringFlag{Name: "title-types", Usage: "IMDb: the comma-separated titleType `TYPES` to import", Value: "movie"},
			&cli.BoolFlag{Name: "include-adult", Usage: "IMDb: import adult titles too"},
			&cli.Int64Flag{Name: "min-votes", Usage: "IMDb: only titles with at least `N` votes (needs title.ratings)"},
		},
		Action: func(c *cli.Context) error {
			files := c.Args().Slice()
			if len(files) == 0 {
				return usageError(c, "name the files to import")
			}
			format, err := importFormat(c.String("format"), files)
			if err != nil {
				return usageError(c, err.Error())
			}
			if format == "json" {
				if len(files) != 1 {
					return usageError(c, "a JSON import takes one file")
				}
				return importFile(c.Context, c.String("db"), files[0], stdout, stderr)
			}
			if c.Int64("min-votes") < 0 {
				return usageError(c, "--min-votes cannot be negative")
			}
			opts := imdb.Options{TitleTypes: splitList(c.String("title-types")), IncludeAdult: c.Bool("include-adult"), MinVotes: c.Int64("min-votes")}
			if len(opts.TitleTypes) == 0 {
				return usageError(c, "--title-types names no type")
			}
			return importIMDb(c.Context, c.String("db"), files, opts, stdout, stderr)
		},
	}
}

// importFormat is --format, or what the first file looks like: a JSON
// array, or a TSV header row.
func importFormat(flag string, files []string) (string, error) {
	switch flag {
	case "json", "imdb":
		return flag, nil
	case "":
	default:
		return "", fmt.Errorf("--format is json or imdb, not %q", flag)
	}
	f, err := os.Open(files[0])
	if err != nil {
		return "", err
	}
	defer f.Close()
	head, _ := bufio.NewReader(f).Peek(512)
	if trimmed := strings.TrimLeft(string(head), " \t\r\n\ufeff"); strings.HasPrefix(trimmed, "[") {
		return "json", nil
	}
	return "imdb", nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// importIMDb streams IMDb's datasets into the catalog in one transaction;
// a malformed line or Ctrl-C leaves the catalog as it was.
func importIMDb(ctx context.Context, dsn string, paths []string, opts imdb.Options, stdout, stderr io.Writer) error {
	files, err := imdb.Identify(paths...)
	if err != nil {
		return cli.Exit(fmt.Sprintf("%v\nnothing was imported", err), 1)
	}
	store, err := db.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	// The reader and the writer each make garbage on their own core; left
	// to its default, the heap grew to 365 MB peak for a million titles
	// out of 16 million rows. A soft limit keeps it at 266 MB for the same
	// time (GOMEMLIMIT, if set, wins).
	if os.Getenv("GOMEMLIMIT") == "" {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(150 << 20))
	}
	show := newIMDbProgress(stderr)
	var stats imdb.Stats
	report, err := store.ImportIMDb(ctx, func(add func(db.NewMovie) error) error {
		return pipelined(ctx, func(ctx context.Context, emit func(imdb.Title) error) error {
			var err error
			stats, err = imdb.Read(ctx, files, opts, emit, show.update)
			return err
		}, func(t imdb.Title) error { return add(movieOf(t)) })
	})
	show.finish()
	switch {
	case ctx.Err() != nil:
		return cli.Exit("interrupted: nothing was imported", 1)
	case err != nil:
		return cli.Exit(fmt.Sprintf("%v\nnothing was imported", err), 1)
	}
	printIMDbReport(stdout, files.Basics, report, stats)
	return nil
}

// pipelined runs read in a goroutine of its own, handing what it emits to
// add in batches: decompressing and parsing IMDb's files then takes the
// second core while the database writes on the first. The first error
// either side meets stops both and is returned.
func pipelined(ctx context.Context, read func(ctx context.Context, emit func(imdb.Title) error) error, add func(imdb.Title) error) error {
	const batch = 512
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	batches := make(chan []imdb.Title, 8)
	readErr := make(chan error, 1)
	go func() {
		defer close(batches)
		var pending []imdb.Title
		send := func() error {
			select {
			case batches <- pending:
				pending = make([]imdb.Title, 0, batch)
				return nil
			case <-ctx.Done():
				return context.Cause(ctx)
			}
		}
		err := read(ctx, func(t imdb.Title) error {
			if pending = append(pending, t); len(pending) < batch {
				return nil
			}
			return send()
		})
		if err == nil && len(pending) > 0 {
			err = send()
		}
		readErr <- err
	}()
	for titles := range batches {
		for _, t := range titles {
			if err := add(t); err != nil {
				cancel(err)
				for range batches { // let the reader see the cancel and stop
				}
				<-readErr
				return err
			}
		}
	}
	return <-readErr
}

// movieOf maps an IMDb title to a catalog movie: several directors are
// joined with ", " in IMDb's order; a title without ratings scores 0.
func movieOf(t imdb.Title) db.NewMovie {
	return db.NewMovie{
		Name: t.Name, Director: strings.Join(t.Directors, ", "), Genres: t.Genres,
		IMDBScore: t.Rating, Popularity: t.Popularity,
		IMDbID: t.IMDbID, Year: t.Year, RuntimeMinutes: t.RuntimeMinutes, Votes: t.Votes,
	}
}

func printIMDbReport(w io.Writer, basics string, r db.IMDbReport, stats imdb.Stats) {
	skipped := map[string]int64{}
	for reason, n := range stats.Skipped {
		skipped[reason] += n
	}
	for reason, n := range r.Skipped {
		skipped[reason] += int64(n)
	}
	var total int64
	reasons := make([]string, 0, len(skipped))
	for reason, n := range skipped {
		total += n
		reasons = append(reasons, reason)
	}
	slices.SortFunc(reasons, func(a, b string) int { return cmp.Or(cmp.Compare(skipped[b], skipped[a]), cmp.Compare(a, b)) })
	fmt.Fprintf(w, "Imported %s: %d added, %d updated, %d unchanged, %d skipped.\n", basics, r.Added, r.Updated, r.Unchanged, total)
	for _, reason := range reasons {
		fmt.Fprintf(w, "  skipped %d: %s\n", skipped[reason], reason)
	}
	if stats.UnknownDirectors > 0 {
		fmt.Fprintf(w, "  %d directors left out: name.basics has no name for them\n", stats.UnknownDirectors)
	}
}

// imdbProgress draws one line on a terminal: the pass, its file, rows read,
// rows per second and the time left in this pass. Piped output stays clean.
type imdbProgress struct {
	w         io.Writer
	on        bool
	pass      int
	passStart time.Time
	drawn     time.Time
}

func newIMDbProgress(w io.Writer) *imdbProgress {
	f, ok := w.(*os.File)
	return &imdbProgress{w: w, on: ok && term.IsTerminal(int(f.Fd()))}
}

func (p *imdbProgress) update(pr imdb.Progress) {
	if !p.on {
		return
	}
	now := time.Now()
	if pr.Pass != p.pass {
		p.pass, p.passStart = pr.Pass, now
	}
	if now.Sub(p.drawn) < 100*time.Millisecond {
		return
	}
	p.drawn = now
	elapsed := now.Sub(p.passStart).Seconds()
	rate, left := 0.0, "?"
	if elapsed > 0 {
		rate = float64(pr.Rows) / elapsed
		if pr.Bytes > 0 && pr.TotalBytes > 0 {
			secondsLeft := elapsed * float64(pr.TotalBytes-pr.Bytes) / float64(pr.Bytes)
			left = time.Duration(secondsLeft * float64(time.Second)).Round(time.Second).String()
		}
	}
	fmt.Fprintf(p.w, "\r\033[Kpass %d/%d %s: %d rows, %.0f rows/s, %s left", pr.Pass, pr.Passes, filepath.Base(pr.File), pr.Rows, rate, left)
}

func (p *imdbProgress) finish() {
	if p.on {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
