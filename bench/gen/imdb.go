package main

import (
	"cmp"
	"compress/gzip"
	"errors"
	"iter"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"fimdb/bench/synth"
	"fimdb/db"
)

// The shapes below follow IMDb's datasets of 2024-25 (about 11.3M
// title.basics rows, 700k of them movies, 1.5M ratings, 14M names) closely
// enough for an import to do the work a real one does.

// otherTypes are the title.basics rows that are not the -n movies, per
// movie in IMDb's file; -other scales them (their sum is 15). "movie" here
// is the adult movies, which a default import skips.
var otherTypes = []struct {
	name     string
	perMovie float64
	adult    float64 // share of these titles with isAdult 1
	rated    float64 // share with a title.ratings row
}{
	{"tvEpisode", 12.3, 0.002, 0.07},
	{"short", 1.4, 0.01, 0.08},
	{"video", 0.43, 0.25, 0.08},
	{"tvSeries", 0.40, 0.005, 0.30},
	{"tvMovie", 0.21, 0.005, 0.25},
	{"tvMiniSeries", 0.085, 0, 0.25},
	{"tvSpecial", 0.07, 0, 0.10},
	{"videoGame", 0.06, 0.01, 0.15},
	{"tvShort", 0.014, 0, 0.08},
	{"movie", 0.031, 1, 0.30},
}

const (
	// peoplePerMovie sizes name.basics: 2M names for 700k movies. IMDb has
	// 14M, mostly cast and crew of episodes that title.crew never names;
	// 2M holds every director and writer here with plenty of others.
	peoplePerMovie = 20.0 / 7
	// directorEvery: every third person may be a director, so directors'
	// nconsts spread over name.basics as in IMDb's.
	directorEvery = 3
	movieRated    = 0.85 // share of movies with a title.ratings row
)

var (
	moreGenres = []string{"Action", "Adventure", "Animation", "Biography", "Comedy", "Crime", "Documentary",
		"Drama", "Family", "Fantasy", "History", "Horror", "Music", "Mystery", "Romance", "Sci-Fi", "Sport",
		"Thriller", "News", "Reality-TV", "Talk-Show", "Game-Show"}
	// Titles in other languages, for originalTitle and now and then for
	// primaryTitle, so that non-ASCII text goes through the import.
	foreignTitles = strings.Split("La Nuit Étoilée|El Último Río|Der Verlorene Sohn|Le Cœur Brisé|L'Été Dernier|"+
		"Ночной Дозор|Tōkyō Monogatari|東京の夜|Kärlek och Död|Sommarnattens Leende|Przesłuchanie|Ağır Roman|"+
		"Čarodějův Učeň|São Paulo à Noite|Fåglarna|Häxan|Μέρες του '36|사랑의 불시착|Mère et Fille|"+
		"La Dolce Vita|Die Büchse der Pandora|Ladri di Biciclette|Smultronstället|Żywot Mateusza|"+
		"Otoño en Pekín|Kış Uykusu|Ödeme|Jeux Interdits|Сталкер|夜の河|Ang Pagbabalik|Día de Muertos", "|")
	subtitles = strings.Split("Première Partie|Die Rückkehr|El Regreso del Héroe|Ça Commence|Возвращение|"+
		"Fin du Monde|Über Alles|Niño Perdido|Göttliche Nacht|Ålands Hav|Ἀρχή", "|")
	givenNames = strings.Fields(`John Mary Robert Patricia Michael Linda David Elizabeth William Barbara
		Richard Susan Joseph Jessica Thomas Sarah Carlos Ana José Lucía François Zoë Søren Björk Łukasz
		Małgorzata Jürgen Anaïs Siobhán Dvořák Ayşe Mehmet Hiroshi Yuki Priya Arjun Olumide Chiamaka
		Ngozi Kwame Aleksandr Ekaterina Giulia Marco Ingrid Lars Nuno Inês Renée René Hélène Bjørn
		Ólafur Eun-ji Min-jun Wei Mei Thabo Amara Fatima Omar Layla Dmitri Nadia`)
	familyNames = strings.Fields(`Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez
		Martinez Hernández López González Wilson Anderson Müller Schmidt Schäfer Dubois Lefèvre Moreau
		Rossi Russo Ferrari Kowalski Nowak Wiśniewski Novák Svoboda Nielsen Jensen Hansen Johansson
		Andersson Sørensen Øster Yılmaz Kaya Şahin Tanaka Suzuki Satō Kim Lee Park Chen Wang Zhang Patel
		Singh Sharma Okafor Adeyemi Mensah Ivanov Petrova Smirnov O'Brien O'Connor McCarthy Ó'Súilleabháin
		da Silva Pereira Gonçalves Nguyễn Trần`)
	asianNames  = strings.Fields(`黒澤明 小津安二郎 宮崎駿 是枝裕和 王家衛 張藝謀 侯孝賢 봉준호 박찬욱 이창동`)
	professions = strings.Fields(`actor actress writer producer miscellaneous camera_department editor
		composer cinematographer sound_department art_department music_department stunts casting_director
		assistant_director director visual_effects self`)
	// noDirector is the percentage of titles of a type without directors
	// (20 for types not listed).
	noDirector = map[string]int{"tvEpisode": 45, "short": 15, "tvSeries": 60, "tvMiniSeries": 40, "videoGame": 70}
	months     = strings.Fields(`January February March April May June July August September October November December`)
)

// writeIMDb writes dir/title.basics.tsv.gz, title.ratings.tsv.gz,
// title.crew.tsv.gz and name.basics.tsv.gz, byte for byte in IMDb's format
// (header row, tabs, \N, no quoting, rows sorted by id), deterministic for
// n, other and seed:
//
//   - title.basics: n non-adult movies (named, directed and scored by
//     synth.Each, as the JSON format is) among other*n other titles, mostly
//     tvEpisode; about 1% of rows are adult, 0.7% of titles have double
//     quotes (some start with one), 3% a non-ASCII subtitle, and one
//     movie in 8 has a foreign originalTitle ("La Nuit Étoilée"); \N for
//     endYear except on series, and for some years, runtimes and genres;
//     tconsts rise by 1 to 3, so 11M rows reach tt33000000 as IMDb's do.
//   - title.ratings: 85% of the movies, 7-30% of other titles by type
//     (1.43M rows for n=700000); votes log-normal, from 5 to ~1M.
//   - title.crew: a row for every title; 0-3 directors (none for 8% of
//     movies, 45% of episodes) and 0-3 writers.
//   - name.basics: 20/7 names per movie (2M for n=700000), every director
//     and writer among them; a director's knownForTitles are their first
//     titles.
func writeIMDb(dir string, n int, other float64, seed uint64) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	g := newIMDbGen(n, other, seed)
	names := []string{"title.basics", "title.ratings", "title.crew", "name.basics"}
	files := make([]*gzFile, len(names))
	for i, name := range names {
		f, err := createGz(filepath.Join(dir, name+".tsv.gz"))
		if err != nil {
			for _, f := range files[:i] {
				f.close()
			}
			return err
		}
		files[i] = f
	}
	g.titles(files[0], files[1], files[2])
	g.names(files[3])
	var errs []error
	for _, f := range files {
		errs = append(errs, f.close())
	}
	return errors.Join(errs...)
}

type imdbGen struct {
	r          *rand.Rand
	seed       uint64
	n, others  int
	rows       int // title.basics rows: n + others
	people     int // name.basics rows
	typeWeight []float64
	// Directors: person directorEvery*j is director j, named dirNames[j];
	// byName lists the directors sharing a name, in creation order.
	dirNames []string
	dirKnown [][]int32 // title.basics rows of their first titles, up to 4
	byName   map[string][]int32
}

func newIMDbGen(n int, other float64, seed uint64) *imdbGen {
	g := &imdbGen{
		r:      rand.New(rand.NewPCG(seed^0x5851f42d4c957f2d, seed+0x14057b7ef767814f)),
		seed:   seed,
		n:      n,
		others: int(math.Round(other * float64(n))),
		people: max(directorEvery, int(math.Round(peoplePerMovie*float64(n)))),
		byName: map[string][]int32{},
	}
	g.rows = g.n + g.others
	for _, t := range otherTypes {
		g.typeWeight = append(g.typeWeight, t.perMovie)
	}
	return g
}

// titles writes title.basics, title.ratings and title.crew in one pass.
func (g *imdbGen) titles(basics, ratings, crew *gzFile) {
	basics.str("tconst\ttitleType\tprimaryTitle\toriginalTitle\tisAdult\tstartYear\tendYear\truntimeMinutes\tgenres\n")
	ratings.str("tconst\taverageRating\tnumVotes\n")
	crew.str("tconst\tdirectors\twriters\n")
	next, stop := iter.Pull(synth.Each(g.n, g.seed))
	defer stop()
	r := g.r
	moviesLeft := g.n
	var dirs, writers []int
	for k := range g.rows {
		// Exactly n movies, spread evenly at random among the rows.
		isMovie := r.IntN(g.rows-k) < moviesLeft
		var t title
		if isMovie {
			moviesLeft--
			m, _ := next()
			t = g.movie(m)
		} else {
			t = g.other()
		}
		tconst := g.tconst(k)

		b := appendID(basics.buf, "tt", tconst)
		b = append(b, '\t')
		b = append(b, t.typ...)
		b = append(b, '\t')
		b = append(b, t.primary...)
		b = append(b, '\t')
		b = append(b, t.original...)
		b = append(b, '\t')
		b = append(b, "01"[b2i(t.adult)])
		b = appendNum(append(b, '\t'), t.start)
		b = appendNum(append(b, '\t'), t.end)
		b = appendNum(append(b, '\t'), t.runtime)
		b = append(b, '\t')
		if len(t.genres) == 0 {
			b = append(b, `\N`...)
		}
		for i, genre := range t.genres {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, genre...)
		}
		basics.buf = append(b, '\n')
		basics.flush()

		if t.votes > 0 {
			b := appendID(ratings.buf, "tt", tconst)
			b = strconv.AppendFloat(append(b, '\t'), t.rating, 'f', 1, 64)
			b = strconv.AppendInt(append(b, '\t'), t.votes, 10)
			ratings.buf = append(b, '\n')
			ratings.flush()
		}

		dirs, writers = g.crew(k, t, dirs[:0], writers[:0])
		b = appendID(crew.buf, "tt", tconst)
		b = g.appendPeople(append(b, '\t'), dirs)
		b = g.appendPeople(append(b, '\t'), writers)
		crew.buf = append(b, '\n')
		crew.flush()
	}
}

// title is one title.basics row and its rating; 0 is \N for the numbers,
// and votes 0 means no title.ratings row.
type title struct {
	typ, primary, original string
	adult                  bool
	start, end, runtime    int
	genres                 []string
	rating                 float64
	votes                  int64
	directorName           string // the first director's, for movies
}

func (g *imdbGen) movie(m db.NewMovie) title {
	r := g.r
	// synth numbers its titles: "The Dark Star 12". Decorate the words.
	cut := strings.LastIndexByte(m.Name, ' ')
	words, seq := m.Name[:cut], m.Name[cut:]
	t := title{typ: "movie", primary: g.decorate(words) + seq, directorName: m.Director}
	t.original = t.primary
	if r.IntN(8) == 0 {
		t.original = pick(r, foreignTitles) + seq
	}
	if r.IntN(20) != 0 {
		t.start = g.year(22, 1894)
		if r.IntN(70) == 0 {
			t.start = 2026 + r.IntN(4) // announced, not out yet
		}
	}
	if r.IntN(10) >= 3 {
		t.runtime = int(max(40, r.NormFloat64()*20+95))
		if r.IntN(100) == 0 {
			t.runtime = 180 + r.IntN(420)
		}
	}
	if r.IntN(12) != 0 {
		t.genres = slices.Compact(slices.Sorted(slices.Values(m.Genres)))
	}
	if r.Float64() < movieRated {
		t.rating, t.votes = m.IMDBScore, g.votes(4, 2.2)
	}
	return t
}

func (g *imdbGen) other() title {
	r := g.r
	ot := otherTypes[pickWeighted(r, g.typeWeight)]
	t := title{typ: ot.name, adult: r.Float64() < ot.adult}
	if r.IntN(100) >= 12 {
		t.start = g.year(12, 1900)
	}
	switch {
	case t.typ == "tvEpisode" && r.IntN(100) < 45:
		t.primary = "Episode #" + strconv.Itoa(1+r.IntN(10)) + "." + strconv.Itoa(1+r.IntN(30))
	case t.typ == "tvEpisode" && t.start > 0 && r.IntN(100) < 15:
		t.primary = "Episode dated " + strconv.Itoa(1+r.IntN(28)) + " " + pick(r, months) + " " + strconv.Itoa(t.start)
	default:
		t.primary = g.decorate(synth.Title(r))
	}
	t.original = t.primary
	if t.typ != "tvEpisode" && r.IntN(12) == 0 {
		t.original = pick(r, foreignTitles)
	}
	genresNull := 0.2
	switch t.typ {
	case "tvSeries":
		if t.start > 0 && r.IntN(100) < 45 {
			t.end = min(2025, t.start+int(r.ExpFloat64()*4))
		}
	case "tvMiniSeries":
		if t.start > 0 && r.IntN(100) < 70 {
			t.end = t.start + r.IntN(2)
		}
	case "tvEpisode":
		genresNull = 0.45
	}
	switch {
	case t.typ == "short" && r.IntN(100) < 65:
		t.runtime = 1 + r.IntN(45)
	case t.typ == "tvEpisode" && r.IntN(100) < 30, t.typ == "tvSeries" && r.IntN(2) == 0:
		t.runtime = []int{11, 22, 24, 30, 42, 44, 45, 50, 60}[r.IntN(9)]
	case t.typ == "video" && r.IntN(100) < 60:
		t.runtime = 5 + r.IntN(115)
	case (t.typ == "tvMovie" || t.typ == "movie") && r.IntN(100) < 75:
		t.runtime = 70 + r.IntN(60)
	case t.typ == "tvSpecial" && r.IntN(2) == 0:
		t.runtime = 30 + r.IntN(90)
	}
	if r.Float64() >= genresNull {
		for range 1 + r.IntN(3) {
			t.genres = append(t.genres, pick(r, moreGenres))
		}
		if t.typ == "short" || t.typ == "tvShort" {
			t.genres = append(t.genres[:min(2, len(t.genres))], "Short")
		}
		if t.adult {
			t.genres = append(t.genres[:min(2, len(t.genres))], "Adult")
		}
		slices.Sort(t.genres)
		t.genres = slices.Compact(t.genres)
	}
	if r.Float64() < ot.rated {
		t.rating = float64(int(min(10, max(1, r.NormFloat64()*1.2+7))*10)) / 10
		t.votes = g.votes(3, 1.8)
	}
	return t
}

// decorate puts double quotes in 0.7% of titles, one in two of those at
// the start, as in IMDb's `"Weird Al" Yankovic...`, and a non-ASCII
// subtitle on 3%.
func (g *imdbGen) decorate(words string) string {
	switch n := g.r.IntN(1000); {
	case n < 4:
		return `"` + words + `"`
	case n < 7:
		return `The Making of "` + words + `"`
	case n < 37:
		return words + ": " + pick(g.r, subtitles)
	}
	return words
}

// year is a release year, recent ones most likely (mean age mean years).
func (g *imdbGen) year(mean float64, earliest int) int {
	y := 2025 - int(g.r.ExpFloat64()*mean)
	if y < earliest {
		y = earliest + g.r.IntN(30)
	}
	return y
}

// votes is heavy-tailed: log-normal, at least 5 (IMDb shows no rating
// with fewer); with mu 4 and sigma 2.2 the median is 55 and the top of
// 600k rated movies is near 1M.
func (g *imdbGen) votes(mu, sigma float64) int64 {
	return int64(max(5, min(3e6, math.Exp(g.r.NormFloat64()*sigma+mu))))
}

// crew appends title k's directors and writers, as person indexes.
func (g *imdbGen) crew(k int, t title, dirs, writers []int) ([]int, []int) {
	r := g.r
	numDirs, newShare := 0, 0.03
	if t.typ == "movie" && t.directorName != "" {
		newShare = 0.45 // most film directors make a few films, TV ones many episodes
		switch n := r.IntN(100); {
		case n < 8:
		case n < 88:
			numDirs = 1
		case n < 97:
			numDirs = 2
		default:
			numDirs = 3
		}
	} else {
		if r.IntN(100) >= cmp.Or(noDirector[t.typ], 20) {
			numDirs = 1 + r.IntN(10)/8
		}
	}
	for i := range numDirs {
		name := t.directorName
		if i > 0 || name == "" {
			name = synth.Person(r)
		}
		if p := g.director(name, newShare, k); !slices.Contains(dirs, p) {
			dirs = append(dirs, p)
		}
	}
	if r.IntN(100) < 15+30*b2i(t.typ == "tvEpisode") {
		return dirs, writers
	}
	if len(dirs) > 0 && r.IntN(100) < 40 {
		writers = append(writers, dirs[0])
	}
	for range 1 + r.IntN(7)/4 {
		if p := r.IntN(g.people); !slices.Contains(writers, p) {
			writers = append(writers, p)
		}
	}
	return dirs, writers
}

// director returns a director called name: often one already directing,
// the earlier ones (the prolific) more often, else a new one while there
// are people to spare.
func (g *imdbGen) director(name string, newShare float64, k int) int {
	r := g.r
	same := g.byName[name]
	var j int32
	switch room := len(g.dirNames) < (g.people+directorEvery-1)/directorEvery; {
	case room && (len(same) == 0 || r.Float64() < newShare):
		j = int32(len(g.dirNames))
		g.dirNames = append(g.dirNames, name)
		g.dirKnown = append(g.dirKnown, nil)
		g.byName[name] = append(same, j)
	case len(same) == 0:
		j = int32(r.IntN(len(g.dirNames)))
	default:
		u := r.Float64()
		j = same[int(u*u*float64(len(same)))]
	}
	if len(g.dirKnown[j]) < 4 {
		g.dirKnown[j] = append(g.dirKnown[j], int32(k))
	}
	return int(j) * directorEvery
}

func (g *imdbGen) appendPeople(b []byte, people []int) []byte {
	if len(people) == 0 {
		return append(b, `\N`...)
	}
	for i, p := range people {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendID(b, "nm", g.nconst(p))
	}
	return b
}

// names writes name.basics: the directors by name, the others made up.
func (g *imdbGen) names(names *gzFile) {
	names.str("nconst\tprimaryName\tbirthYear\tdeathYear\tprimaryProfession\tknownForTitles\n")
	r := g.r
	var prof []string
	for p := range g.people {
		b := appendID(names.buf, "nm", g.nconst(p))
		b = append(b, '\t')
		j := p / directorEvery
		director := p%directorEvery == 0 && j < len(g.dirNames)
		if director {
			b = append(b, g.dirNames[j]...)
		} else {
			b = append(b, g.personName()...)
		}
		birth, death := 0, 0
		if r.IntN(100) < 15+35*b2i(director) {
			birth = 1880 + r.IntN(125)
			if birth < 1960 && r.IntN(2) == 0 {
				death = min(2025, birth+40+r.IntN(55))
			}
		}
		b = appendNum(append(b, '\t'), birth)
		b = appendNum(append(b, '\t'), death)
		b = append(b, '\t')
		prof = prof[:0]
		if director {
			prof = append(prof, "director")
		}
		for range 1 + r.IntN(3) - b2i(director) {
			if s := pick(r, professions); !slices.Contains(prof, s) {
				prof = append(prof, s)
			}
		}
		if len(prof) == 0 || r.IntN(25) == 0 && !director {
			b = append(b, `\N`...)
		} else {
			b = append(b, strings.Join(prof, ",")...)
		}
		b = append(b, '\t')
		switch {
		case director:
			for i, k := range g.dirKnown[j] {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendID(b, "tt", g.tconst(int(k)))
			}
		case r.IntN(5) == 0:
			b = append(b, `\N`...)
		default:
			for i := range 1 + r.IntN(4) {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendID(b, "tt", g.tconst(r.IntN(g.rows)))
			}
		}
		names.buf = append(b, '\n')
		names.flush()
	}
}

func (g *imdbGen) personName() string {
	r := g.r
	switch n := r.IntN(100); {
	case n < 20:
		return synth.Person(r)
	case n < 22:
		return pick(r, asianNames)
	case n < 30:
		return pick(r, givenNames) + " " + string(rune('A'+r.IntN(26))) + ". " + pick(r, familyNames)
	}
	return pick(r, givenNames) + " " + pick(r, familyNames)
}

// tconst and nconst number rows with gaps of 0 to 2 unused ids, as IMDb's
// ids have gaps; they rise with k, so files sorted by row are sorted by id.
func (g *imdbGen) tconst(k int) uint64 { return 3*uint64(k) + 1 + mix(g.seed^uint64(k))%3 }
func (g *imdbGen) nconst(p int) uint64 {
	return 3*uint64(p) + 1 + mix(g.seed^uint64(p)^0xabcdef)%3
}

// mix is splitmix64's finalizer.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// appendID writes prefix and at least 7 digits: tt0000001, tt12345678.
func appendID(b []byte, prefix string, n uint64) []byte {
	b = append(b, prefix...)
	for d := uint64(1_000_000); d > 1 && n < d; d /= 10 {
		b = append(b, '0')
	}
	return strconv.AppendUint(b, n, 10)
}

// appendNum writes n, or \N for 0.
func appendNum(b []byte, n int) []byte {
	if n == 0 {
		return append(b, `\N`...)
	}
	return strconv.AppendInt(b, int64(n), 10)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func pick(r *rand.Rand, words []string) string { return words[r.IntN(len(words))] }

func pickWeighted(r *rand.Rand, weights []float64) int {
	var sum float64
	for _, w := range weights {
		sum += w
	}
	x := r.Float64() * sum
	for i, w := range weights {
		if x -= w; x < 0 {
			return i
		}
	}
	return len(weights) - 1
}

// gzFile is a gzip file written by its own goroutine, so that compressing
// runs beside generating: rows are appended to buf, which flush hands over
// in chunks of chunkSize.
type gzFile struct {
	f     *os.File
	zw    *gzip.Writer
	buf   []byte
	full  chan []byte
	empty chan []byte
	done  chan error
}

const chunkSize = 1 << 20

func createGz(path string) (*gzFile, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	zw, _ := gzip.NewWriterLevel(f, gzip.BestSpeed)
	z := &gzFile{f: f, zw: zw, full: make(chan []byte, 3), empty: make(chan []byte, 4), done: make(chan error, 1)}
	for range 3 {
		z.empty <- make([]byte, 0, chunkSize+64<<10)
	}
	z.buf = make([]byte, 0, chunkSize+64<<10)
	go func() {
		var err error
		for b := range z.full {
			if err == nil {
				_, err = zw.Write(b)
			}
			z.empty <- b[:0]
		}
		if err == nil {
			err = zw.Close()
		}
		z.done <- err
	}()
	return z, nil
}

func (z *gzFile) str(s string) {
	z.buf = append(z.buf, s...)
	z.flush()
}

func (z *gzFile) flush() {
	if len(z.buf) >= chunkSize {
		z.full <- z.buf
		z.buf = <-z.empty
	}
}

func (z *gzFile) close() error {
	if len(z.buf) > 0 {
		z.full <- z.buf
	}
	close(z.full)
	err := <-z.done
	return errors.Join(err, z.f.Close())
}
