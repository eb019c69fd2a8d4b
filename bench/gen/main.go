// Command gen writes a synthetic catalog for `fimdb import`: by default in
// the seed's JSON format,
//
//	go run ./bench/gen -n 100000 > movies.json
//
// or, with -format imdb, as IMDb's four datasets shaped like the real ones
// (see writeIMDb):
//
//	go run ./bench/gen -format imdb -n 700000 -dir /tmp/imdb
//	fimdb import /tmp/imdb/*.tsv.gz
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"fimdb/bench/synth"
)

type entry struct {
	Popularity float64  `json:"99popularity"`
	Director   string   `json:"director"`
	Genre      []string `json:"genre"`
	IMDBScore  float64  `json:"imdb_score"`
	Name       string   `json:"name"`
}

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, err)
		}
		os.Exit(2)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "json", "json (to stdout) or imdb (IMDb's four .tsv.gz datasets, into -dir)")
	n := fs.Int("n", 100000, "number of movies (imdb: titleType movie rows a default import adds)")
	seed := fs.Uint64("seed", 1, "random seed (same seed, same catalog)")
	dir := fs.String("dir", "", "imdb: the directory to write title.basics.tsv.gz, title.ratings.tsv.gz, title.crew.tsv.gz and name.basics.tsv.gz to")
	other := fs.Float64("other", 15, "imdb: other title.basics rows per movie (tvEpisode, short, video, tvSeries, ..., adult movies), as in IMDb's file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	case *n < 0 || *other < 0:
		return errors.New("-n and -other cannot be negative")
	case *format == "json":
		return writeJSON(stdout, *n, *seed)
	case *format != "imdb":
		return fmt.Errorf("-format is json or imdb, not %q", *format)
	case *dir == "":
		return errors.New("-format imdb needs -dir")
	}
	return writeIMDb(*dir, *n, *other, *seed)
}

func writeJSON(out io.Writer, n int, seed uint64) error {
	w := bufio.NewWriter(out)
	enc := json.NewEncoder(w)
	fmt.Fprintln(w, "[")
	i := 0
	for m := range synth.Each(n, seed) {
		if i > 0 {
			fmt.Fprintln(w, ",")
		}
		i++
		if err := enc.Encode(entry{m.Popularity, m.Director, m.Genres, m.IMDBScore, m.Name}); err != nil {
			return err
		}
	}
	fmt.Fprintln(w, "]")
	return w.Flush()
}
