// Package imdb reads IMDb's non-commercial datasets
// (https://developer.imdb.com/non-commercial-datasets/) as a stream of
// titles to import, in memory that does not grow with title.basics.
//
// The files are TSV with one header row, `\N` for a missing value and no
// quoting at all (a title may begin with a double quote), gzip-compressed
// or plain: gzip is recognised by its magic bytes, not by the file name.
// Identify tells title.basics, title.ratings, title.crew and name.basics
// apart by their header rows, whatever order the paths come in; Read joins
// them and calls emit once per selected title, in title.basics order.
//
// # Passes
//
// Read never holds title.basics rows. It reads the files in up to five
// passes, reporting each through Progress:
//
//  1. title.basics: the ids of the titles Options selects, as integers;
//  2. title.ratings: rating and votes of those titles only; Options.MinVotes
//     then drops the titles with too few votes;
//  3. title.crew: the directors of the titles left, as integer nconsts;
//  4. name.basics: the names of those directors only;
//  5. title.basics again: each selected title, joined, goes to emit.
//
// A missing optional file skips its pass; name.basics is read only with
// title.crew, since nothing else needs names. What stays in memory is about
// 40 bytes per selected title plus the names of their directors: tens of MB
// for the ~700k movies of the full dataset.
//
// Every row of every file is checked in passes 1-4, so a malformed file makes
// Read fail before emit is first called (unless a file changes while Read
// runs, which pass 5 notices when the row count differs). The first problem
// is returned as a *ParseError naming file, line and column. A `\N` is
// accepted wherever IMDb writes one (years, runtime, genres, isAdult,
// directors, writers, names); a ratings row needs both its values. A second
// row for the same title (or, in name.basics, the same person) is an error.
//
// # Decisions
//
// Directors: an nconst with no name.basics row, with a `\N` name, or read
// without any name.basics file, is left out of Title.Directors and counted
// in Stats.UnknownDirectors. A catalog shows names, and "nm0000184" would
// pass for one. A director listed twice for one title is named once.
//
// Popularity is derived from votes on a log scale, see Popularity:
// 1 vote gives 5.0, 1,000 give 50.0, PopularityFullVotes (1,000,000) and
// more give 100. A log scale because votes span six orders of magnitude;
// a linear one would put all but a few hundred titles near 0.
//
// A title whose primaryTitle is `\N` takes its originalTitle; with both
// `\N` it is skipped ("no title").
//
// Stats.Rows counts title.basics data rows, and Emitted plus the sum of
// Skipped always equals Rows after a successful Read.
package imdb
