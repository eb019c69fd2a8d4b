package imdb

import (
	"context"
	"errors"
	"math"
)

// Title is one title to import, joined from the files given.
type Title struct {
	IMDbID         string   // tconst as written, e.g. "tt0076759"
	Type           string   // titleType, e.g. "movie"
	Name           string   // primaryTitle (originalTitle when that is \N)
	Year           int      // startYear, 0 when \N
	RuntimeMinutes int      // 0 when \N
	Genres         []string // in the file's order; empty (not nil) when \N
	Adult          bool
	Rating         float64  // averageRating, 0 when HasRating is false
	HasRating      bool     // false when title.ratings has no row for the title
	Votes          int64    // numVotes, 0 without a ratings row
	Popularity     float64  // 0-100, Popularity(Votes)
	Directors      []string // primaryName, in the crew field's order; empty (not nil) when none is known
}

// Options choose which titles Read emits.
type Options struct {
	TitleTypes   []string // titleType values to keep; nil means []string{"movie"}
	IncludeAdult bool     // adult titles are skipped unless set
	MinVotes     int64    // titles with fewer votes are skipped; 0: no minimum (needs Files.Ratings when above 0)
}

// Files are the paths of the datasets, as Identify recognises them. Basics
// is required. Without Ratings no title has a rating and all have 0 votes;
// without Crew none has directors; Names is read only with Crew.
type Files struct{ Basics, Ratings, Crew, Names string }

// Stats say what Read did with title.basics: after a successful Read,
// Emitted plus the sum of Skipped equals Rows.
type Stats struct {
	Rows    int64            // title.basics data rows
	Emitted int64            // titles emit accepted
	Skipped map[string]int64 // reason -> titles: "title type tvEpisode", "adult", "no title", "fewer than 1000 votes"
	// UnknownDirectors counts directors of emitted titles left out for want
	// of a name in name.basics.
	UnknownDirectors int64
}

// Progress is where Read is, reported at the start and end of each pass and
// every 65,536 rows in between: enough for rows/s and an ETA.
type Progress struct {
	Pass, Passes int    // 1-based; title.basics is read twice, so File alone is ambiguous
	File         string // the path as given
	Rows         int64  // data rows read so far in this pass
	Bytes        int64  // read position in the file itself (compressed bytes for gzip)
	TotalBytes   int64  // the file's size
}

// PopularityFullVotes is the number of votes at which Popularity reaches 100.
const PopularityFullVotes = 1_000_000

// Popularity maps a number of votes to 0-100 on a log scale, rounded to one
// decimal: min(100, 100 * log10(1+votes) / log10(1+PopularityFullVotes)).
func Popularity(votes int64) float64 {
	if votes <= 0 {
		return 0
	}
	p := 100 * math.Log10(1+float64(votes)) / math.Log10(1+PopularityFullVotes)
	return math.Round(min(p, 100)*10) / 10
}

// Read streams the files, joins them and calls emit for each title opts
// select, in title.basics order; an error from emit stops Read and is
// returned as is. progress, when not nil, is called from Read's goroutine.
// Read checks ctx every few thousand rows and then returns ctx.Err().
// The Stats returned on error cover what was done until then.
func Read(ctx context.Context, f Files, opts Options, emit func(Title) error, progress func(Progress)) (Stats, error) {
	if f.Basics == "" {
		return Stats{}, errors.New("no title.basics file: it is required")
	}
	if opts.MinVotes > 0 && f.Ratings == "" {
		return Stats{}, errors.New("a minimum number of votes needs a title.ratings file")
	}
	r := newReader(f, opts, progress)
	err := r.run(ctx, emit)
	return r.stats(), err
}
