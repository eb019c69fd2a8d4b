// Command gen writes a synthetic catalog in the seed's JSON format, ready for
// `fimdb import`:
//
//	go run ./bench/gen -n 100000 > movies.json
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
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
	n := flag.Int("n", 100000, "number of movies")
	seed := flag.Uint64("seed", 1, "random seed (same seed, same catalog)")
	flag.Parse()
	w := bufio.NewWriter(os.Stdout)
	enc := json.NewEncoder(w)
	fmt.Fprintln(w, "[")
	for i, m := range synth.Movies(*n, *seed) {
		if i > 0 {
			fmt.Fprintln(w, ",")
		}
		if err := enc.Encode(entry{m.Popularity, m.Director, m.Genres, m.IMDBScore, m.Name}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	fmt.Fprintln(w, "]")
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
