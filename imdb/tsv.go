package imdb

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/klauspost/compress/gzip"
)

// maxLine bounds a line: the longest real rows are a few kB, and a file
// that is not TSV at all should fail rather than be buffered whole.
const maxLine = 1 << 20

// kind is which of IMDb's files a path holds.
type kind int

const (
	titleBasics kind = iota
	titleRatings
	titleCrew
	nameBasics
	numKinds
)

var kinds = [numKinds]struct {
	name    string
	columns []string
}{
	titleBasics:  {"title.basics", []string{"tconst", "titleType", "primaryTitle", "originalTitle", "isAdult", "startYear", "endYear", "runtimeMinutes", "genres"}},
	titleRatings: {"title.ratings", []string{"tconst", "averageRating", "numVotes"}},
	titleCrew:    {"title.crew", []string{"tconst", "directors", "writers"}},
	nameBasics:   {"name.basics", []string{"nconst", "primaryName", "birthYear", "deathYear", "primaryProfession", "knownForTitles"}},
}

// Column positions, per kind.
const (
	bTconst, bTitleType, bPrimaryTitle, bOriginalTitle, bIsAdult, bStartYear, bEndYear, bRuntime, bGenres = 0, 1, 2, 3, 4, 5, 6, 7, 8
	rTconst, rRating, rVotes                                                                              = 0, 1, 2
	cTconst, cDirectors, cWriters                                                                         = 0, 1, 2
	nNconst, nName, nBirthYear, nDeathYear, nProfession, nKnownFor                                        = 0, 1, 2, 3, 4, 5
)

func (k kind) String() string { return kinds[k].name }
func (k kind) header() string { return strings.Join(kinds[k].columns, "\t") }

// ParseError says where a file is malformed.
type ParseError struct {
	File    string // the path as given
	Line    int64  // 1-based; the header is line 1
	Column  string // "" when the whole line is at fault
	Problem string
}

// Error reads like `title.basics.tsv.gz line 1234, column startYear: "19x7" is not a year`.
func (e *ParseError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("%s line %d: %s", e.File, e.Line, e.Problem)
	}
	return fmt.Sprintf("%s line %d, column %s: %s", e.File, e.Line, e.Column, e.Problem)
}

// tsvFile reads one file line by line, splitting each line into fields
// that stay valid until the next call to next.
type tsvFile struct {
	path    string
	file    *os.File
	size    int64
	read    countingReader
	gz      *gzip.Reader
	ahead   *readAhead
	src     errReader
	sc      *bufio.Scanner
	header  string
	columns []string
	line    int64
	fields  [][]byte
}

// errReader remembers the error that ended the reading.
type errReader struct {
	r   io.Reader
	err error
}

func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil {
		e.err = err
	}
	return n, err
}

// splitLines is bufio.ScanLines, except that a last line without a newline
// counts only when the file ended cleanly: a truncated gzip stops mid-line,
// and that half line must not be taken for a malformed row.
func (t *tsvFile) splitLines(data []byte, atEOF bool) (int, []byte, error) {
	if atEOF && t.src.err != nil && t.src.err != io.EOF && bytes.IndexByte(data, '\n') < 0 {
		return 0, nil, t.src.err
	}
	return bufio.ScanLines(data, atEOF)
}

// openTSV opens a file, plain or gzip, and reads its header row.
func openTSV(path string) (*tsvFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	t := &tsvFile{path: path, file: f}
	if err := t.start(); err != nil {
		f.Close()
		return nil, err
	}
	return t, nil
}

func (t *tsvFile) start() error {
	st, err := t.file.Stat()
	if err != nil {
		return err
	}
	t.size = st.Size()
	t.read.r = t.file
	br := bufio.NewReaderSize(&t.read, 256<<10)
	var r io.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		if t.gz, err = gzip.NewReader(br); err != nil {
			return fmt.Errorf("%s: %w", t.path, err)
		}
		t.ahead = newReadAhead(t.gz)
		r = t.ahead
	}
	t.src.r = r
	t.sc = bufio.NewScanner(&t.src)
	t.sc.Split(t.splitLines)
	t.sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	if !t.sc.Scan() {
		if err := t.scanError(); err != nil {
			return err
		}
		return fmt.Errorf("%s: empty file, want a header row", t.path)
	}
	t.line = 1
	t.header = string(t.sc.Bytes())
	return nil
}

func (t *tsvFile) close() {
	if t.ahead != nil {
		t.ahead.stop()
	}
	if t.gz != nil {
		t.gz.Close()
	}
	t.file.Close()
}

// expect checks that the header is k's and prepares to read k's rows.
func (t *tsvFile) expect(k kind) error {
	if t.header != k.header() {
		return &ParseError{File: t.path, Line: 1, Problem: fmt.Sprintf("header %s is not %s's %q", quote([]byte(t.header)), k, k.header())}
	}
	t.columns = kinds[k].columns
	t.fields = make([][]byte, 0, len(t.columns)+1)
	return nil
}

// rows is how many data rows have been read.
func (t *tsvFile) rows() int64 { return t.line - 1 }

// next reads the next row; false at the end of the file or on error.
func (t *tsvFile) next() (bool, error) {
	if !t.sc.Scan() {
		return false, t.scanError()
	}
	t.line++
	line := t.sc.Bytes()
	t.fields = splitTabs(t.fields[:0], line)
	if n, want := len(t.fields), len(t.columns); n != want {
		return false, t.errorf(min(n, want-1), "the line has %d tab-separated fields, want %d", n, want)
	}
	if !utf8.Valid(line) {
		return false, t.utf8Error()
	}
	return true, nil
}

func splitTabs(dst [][]byte, line []byte) [][]byte {
	for {
		i := bytes.IndexByte(line, '\t')
		if i < 0 {
			return append(dst, line)
		}
		dst = append(dst, line[:i])
		line = line[i+1:]
	}
}

func (t *tsvFile) scanError() error {
	err := t.sc.Err()
	switch {
	case err == nil:
		return nil
	case errors.Is(err, bufio.ErrTooLong):
		return &ParseError{File: t.path, Line: t.line + 1, Problem: "the line is longer than 1 MiB"}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%s ends early, after line %d (a truncated download?): %w", t.path, t.line, err)
	default:
		return fmt.Errorf("%s after line %d: %w", t.path, t.line, err)
	}
}

// utf8Error names the first field that is not UTF-8; the whole line is
// checked first because that is faster and almost always enough.
func (t *tsvFile) utf8Error() error {
	for col, f := range t.fields {
		if !utf8.Valid(f) {
			return t.errorf(col, "%s is not valid UTF-8", quote(f))
		}
	}
	return nil
}

func (t *tsvFile) errorf(col int, format string, args ...any) *ParseError {
	return &ParseError{File: t.path, Line: t.line, Column: t.columns[col], Problem: fmt.Sprintf(format, args...)}
}

// quote shows a value in an error, cut short: a field can be 1 MiB long.
func quote(b []byte) string {
	const max = 40
	if len(b) <= max {
		return strconv.Quote(string(b))
	}
	n := max
	for n > 0 && !utf8.RuneStart(b[n]) {
		n--
	}
	return strconv.Quote(string(b[:n])) + "…"
}

func isNull(b []byte) bool { return string(b) == `\N` }

// idKind names an id's prefix in errors.
var idKind = map[string]string{"tt": "tconst", "nm": "nconst"}

// id parses the tconst or nconst in column col to its number.
func (t *tsvFile) id(col int, prefix string) (uint32, error) {
	b := t.fields[col]
	n, ok := parseID(b, prefix)
	if !ok {
		return 0, t.errorf(col, "%s is not a %s (%q and digits)", quote(b), idKind[prefix], prefix)
	}
	return n, nil
}

// parseID parses prefix + digits; a uint32 holds every id IMDb has issued
// (tconsts are near 4e7) with a hundredfold margin, at half the memory.
func parseID(b []byte, prefix string) (uint32, bool) {
	if len(b) <= len(prefix) || string(b[:len(prefix)]) != prefix {
		return 0, false
	}
	n, ok := parseUint(b[len(prefix):], math.MaxUint32)
	return uint32(n), ok
}

// idList appends the ids of a comma-separated list (or \N) to dst.
func (t *tsvFile) idList(col int, prefix string, dst []uint32) ([]uint32, error) {
	b := t.fields[col]
	if isNull(b) {
		return dst, nil
	}
	for item := range bytes.SplitSeq(b, []byte{','}) {
		n, ok := parseID(item, prefix)
		if !ok {
			return dst, t.errorf(col, "%s in %s is not a %s (%q and digits)", quote(item), quote(b), idKind[prefix], prefix)
		}
		dst = append(dst, n)
	}
	return dst, nil
}

// parseUint parses decimal digits only: no sign, no spaces, no exponent.
func parseUint(b []byte, max uint64) (uint64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
		if n > max {
			return 0, false
		}
	}
	return n, true
}

// year parses a year of up to four digits; \N is 0.
func (t *tsvFile) year(col int) (int, error) {
	b := t.fields[col]
	if isNull(b) {
		return 0, nil
	}
	n, ok := parseUint(b, 9999)
	if !ok {
		return 0, t.errorf(col, "%s is not a year", quote(b))
	}
	return int(n), nil
}

// count parses a whole number up to max; \N is 0.
func (t *tsvFile) count(col int, max uint64) (int64, error) {
	b := t.fields[col]
	if isNull(b) {
		return 0, nil
	}
	n, ok := parseUint(b, max)
	if !ok {
		return 0, t.errorf(col, "%s is not a whole number from 0 to %d", quote(b), max)
	}
	return int64(n), nil
}

// flag parses isAdult: "0", "1" or \N (false).
func (t *tsvFile) flag(col int) (bool, error) {
	switch b := t.fields[col]; {
	case string(b) == "1":
		return true, nil
	case string(b) == "0" || isNull(b):
		return false, nil
	default:
		return false, t.errorf(col, "%s is not 0 or 1", quote(b))
	}
}

// rating parses an averageRating, digits and a point only: ParseFloat
// alone would take "NaN", "Inf", "1e1" and "0x1p3".
func (t *tsvFile) rating(col int) (float64, error) {
	b := t.fields[col]
	if len(b) > 0 && len(bytes.Trim(b, "0123456789.")) == 0 {
		if r, err := strconv.ParseFloat(string(b), 64); err == nil && r >= 0 && r <= 10 {
			return r, nil
		}
	}
	return 0, t.errorf(col, "%s is not a rating from 0 to 10", quote(b))
}
