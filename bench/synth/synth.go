// Package synth generates deterministic synthetic movie catalogs of any size
// for benchmarks: the same n and seed always give the same movies.
package synth

import (
	"iter"
	"math/rand/v2"
	"strconv"
	"strings"

	"fimdb/db"
)

var (
	adjectives = strings.Fields(`Dark Silent Last Lost Golden Broken Hidden Wild Secret Burning Frozen
		Crimson Eternal Fallen Savage Quiet Midnight Electric Forgotten Endless Little Great Brave Lonely
		Hollow Iron Scarlet Bitter Sweet Final First Northern Southern Starry Stellar Distant Rising`)
	nouns = strings.Fields(`Star Road River City Night Dream Shadow Heart Empire Storm Garden Mirror
		Kingdom Ocean Planet Island Mountain Station Harbor Frontier Legacy Promise Voyage Machine Circus
		Hunter Witness Stranger Soldier Angel Ghost Detective Dragon Wolf Falcon Tiger Rebel Samurai`)
	tails = strings.Fields(`Returns Rising Forever Reborn Awakens Begins Strikes Again Unleashed Revisited`)
	first = strings.Fields(`Steven James Maria Akira Sofia Pedro Ingrid Jean Agnès Federico Wong
		Kathryn Satyajit Céline Bong Hayao Sergio Greta Spike Ridley Chloé Alfonso Guillermo Andrei
		Lina Yasujirō Abbas Claire Werner Pier Chantal Ousmane Mira Denis Sarah Jane Lucrecia Alice`)
	last = strings.Fields(`Spielberg Cameron Lopez Kurosawa Coppola Almodóvar Bergman Renoir Varda
		Fellini Kar-wai Bigelow Ray Sciamma Joon-ho Miyazaki Leone Gerwig Lee Scott Zhao Cuarón del-Toro
		Tarkovsky Wertmüller Ozu Kiarostami Denis Herzog Pasolini Akerman Sembène Nair Villeneuve Polley
		Campion Martel Rohrwacher`)
	genres = strings.Fields(`Action Adventure Animation Biography Comedy Crime Documentary Drama Family
		Fantasy Film-Noir History Horror Music Musical Mystery Romance Sci-Fi Sport Thriller War Western`)
)

// Movies returns n synthetic movies generated from seed. Titles and
// directors reuse a vocabulary the way a real catalog does, so searches
// match realistic fractions of it; scores follow a bell curve around 6.5.
func Movies(n int, seed uint64) []db.NewMovie {
	out := make([]db.NewMovie, 0, n)
	for m := range Each(n, seed) {
		out = append(out, m)
	}
	return out
}

// Each yields the movies Movies returns, in the same order, one at a time,
// for catalogs too big to hold.
func Each(n int, seed uint64) iter.Seq[db.NewMovie] {
	return func(yield func(db.NewMovie) bool) {
		r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
		for i := range n {
			m := db.NewMovie{
				Name:       title(r, i),
				Director:   Person(r),
				Genres:     movieGenres(r),
				IMDBScore:  float64(int(clamp(r.NormFloat64()*1.2+6.5, 1, 10)*10)) / 10,
				Popularity: float64(int(clamp(r.NormFloat64()*15+60, 0, 100))),
			}
			if !yield(m) {
				return
			}
		}
	}
}

func title(r *rand.Rand, i int) string {
	// A sequence number keeps name+director unique, as imports require.
	return Title(r) + " " + strconv.Itoa(i+1)
}

// Title returns a title from the movies' vocabulary, without the sequence
// number Movies appends: "The Dark Star Returns".
func Title(r *rand.Rand) string {
	var b strings.Builder
	if r.IntN(3) == 0 {
		b.WriteString("The ")
	}
	b.WriteString(pick(r, adjectives) + " " + pick(r, nouns))
	if r.IntN(4) == 0 {
		b.WriteString(" " + pick(r, tails))
	}
	return b.String()
}

// Person returns a name from the directors' vocabulary: "Agnès Kurosawa".
func Person(r *rand.Rand) string { return pick(r, first) + " " + pick(r, last) }

func movieGenres(r *rand.Rand) []string {
	n := 1 + r.IntN(3)
	out := make([]string, 0, n)
	for range n {
		out = append(out, pick(r, genres))
	}
	return out
}

func pick(r *rand.Rand, words []string) string { return words[r.IntN(len(words))] }

func clamp(f, lo, hi float64) float64 { return min(max(f, lo), hi) }

// Keystrokes are the searches live search sends while s is typed letter
// by letter: each prefix that does not end in a space, then s.
func Keystrokes(s string) []string {
	var out []string
	for i := range s {
		if i > 0 && s[i-1] != ' ' {
			out = append(out, s[:i])
		}
	}
	return append(out, s)
}
