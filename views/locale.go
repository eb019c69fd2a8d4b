package views

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"fimdb/db"
	l10n "fimdb/i18n"

	"github.com/invopop/ctxi18n/i18n"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// locale is the language code of the page, for <html lang>.
func locale(ctx context.Context) string { return l10n.Code(ctx) }

// formatInt writes n with the locale's thousands separators.
func formatInt(ctx context.Context, n int) string { return l10n.Int(ctx, n) }

// formatScore writes a score with one decimal, in the locale's way.
func formatScore(ctx context.Context, f float64) string { return l10n.Decimal(ctx, f, 1) }

// formatNumber writes a stored number with the decimals it has (at most two).
func formatNumber(ctx context.Context, f float64) string {
	digits := 0
	if _, frac, ok := strings.Cut(strconv.FormatFloat(f, 'f', -1, 64), "."); ok {
		digits = min(len(frac), 2)
	}
	return l10n.Decimal(ctx, f, digits)
}

// summary says which movies the page shows: "Movies 51–100 of 246", or
// "7 movies" when they all fit on one page.
func summary(ctx context.Context, l db.Listing) string {
	if l.AtLeast {
		return i18n.T(ctx, "listing.range_more", i18n.M{"first": formatInt(ctx, l.First()), "last": formatInt(ctx, l.Last()), "total": formatInt(ctx, l.Total)})
	}
	if l.Pages() <= 1 {
		return l10n.Plural(ctx, "listing.count", l.Total, i18n.M{"count": formatInt(ctx, l.Total)})
	}
	return i18n.T(ctx, "listing.range", i18n.M{"first": formatInt(ctx, l.First()), "last": formatInt(ctx, l.Last()), "total": formatInt(ctx, l.Total)})
}

// pageOf says where the page sits: "Page 2 of 7", or of "more than 200"
// when the count stopped early.
func pageOf(ctx context.Context, l db.Listing) string {
	key := "pager.page_of"
	if l.AtLeast {
		key = "pager.page_of_more"
	}
	return i18n.T(ctx, key, i18n.M{"page": formatInt(ctx, l.Page), "pages": formatInt(ctx, l.Pages())})
}

// pageExists reports whether the listing has the page: one past the
// counted pages too, when the count stopped early.
func pageExists(l db.Listing, page int) bool {
	last := l.Pages()
	if l.AtLeast {
		last++
	}
	return page >= 1 && page <= last
}

// genreLabel is a genre's name on screen; the stored name stays in URLs and forms.
func genreLabel(ctx context.Context, g string) string { return l10n.Genre(ctx, g) }

// genreList shows a movie's genres, translated, comma-separated.
func genreList(ctx context.Context, genres []string) string {
	labels := make([]string, len(genres))
	for i, g := range genres {
		labels[i] = genreLabel(ctx, g)
	}
	return strings.Join(labels, ", ")
}

// GenreOption is a genre as a form offers it: the stored value and the
// translated label.
type GenreOption struct{ Value, Label string }

// genreOptions translates genres and sorts them as the locale sorts words,
// so the chips read alphabetically in every language.
func genreOptions(ctx context.Context, genres []string) []GenreOption {
	code := locale(ctx)
	if cached, ok := sortedGenres.get(code, genres); ok {
		return cached
	}
	out := make([]GenreOption, len(genres))
	for i, g := range genres {
		out[i] = GenreOption{g, genreLabel(ctx, g)}
	}
	c := collate.New(language.Make(code), collate.IgnoreCase)
	slices.SortStableFunc(out, func(a, b GenreOption) int { return c.CompareString(a.Label, b.Label) })
	sortedGenres.put(code, genres, out)
	return out
}

// sortedGenres keeps the last sorted genre options per locale: every page
// shows them, and building a collator each time was a sixth of a page.
var sortedGenres = genreOptionsCache{byLocale: map[string]genreOptionsEntry{}}

type genreOptionsCache struct {
	mu       sync.Mutex
	byLocale map[string]genreOptionsEntry
}

type genreOptionsEntry struct {
	genres  []string
	options []GenreOption
}

func (c *genreOptionsCache) get(code string, genres []string) ([]GenreOption, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byLocale[code]
	return e.options, ok && slices.Equal(e.genres, genres)
}

func (c *genreOptionsCache) put(code string, genres []string, options []GenreOption) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.byLocale[code] = genreOptionsEntry{slices.Clone(genres), options}
}

// formatAuditTime shows a stored UTC timestamp to the minute, as the
// locale writes dates.
func formatAuditTime(ctx context.Context, at string) string {
	t, err := time.Parse("2006-01-02T15:04:05.999Z", at)
	if err != nil {
		return at
	}
	return l10n.DateTime(ctx, t)
}

// auditChanges describes what an update changed, field by field, in the
// page's language.
func auditChanges(ctx context.Context, e db.AuditEntry) []string {
	if e.Before == nil || e.After == nil {
		return nil
	}
	b, a := e.Before, e.After
	var out []string
	add := func(field, from, to string) {
		if from != to {
			out = append(out, i18n.T(ctx, "admin.change", i18n.M{"field": i18n.T(ctx, "fields."+field), "from": from, "to": to}))
		}
	}
	add("movie_name", b.Name, a.Name)
	add("director", b.Director, a.Director)
	add("genres", genreList(ctx, b.Genres), genreList(ctx, a.Genres))
	add("imdb_score", formatNumber(ctx, b.IMDBScore), formatNumber(ctx, a.IMDBScore))
	add("popularity", formatNumber(ctx, b.Popularity), formatNumber(ctx, a.Popularity))
	return out
}

type pageURLKey struct{}

// WithPageURL records the address of the page being rendered (path and
// query), for links that lead back to it, like the language switcher's.
func WithPageURL(ctx context.Context, u string) context.Context {
	return context.WithValue(ctx, pageURLKey{}, u)
}

// languageLink is one entry of the language switcher.
type languageLink struct{ Code, Name, URL string }

// languageLinks are this page's address with lang set to each language,
// the page's address read once for all of them. They only ever link to a
// path of this site: an address like /%2Fevil.example would otherwise
// become the protocol-relative //evil.example.
func languageLinks(ctx context.Context) []languageLink {
	raw := pageURL(ctx)
	u, err := url.Parse(raw)
	path := ""
	if err == nil {
		path = u.EscapedPath()
	}
	local := strings.HasPrefix(path, "/") && !strings.HasPrefix(path, "//") && !strings.HasPrefix(path, "/\\")
	var q url.Values
	if local {
		q = u.Query()
	}
	out := make([]languageLink, len(l10n.Languages))
	for i, l := range l10n.Languages {
		out[i] = languageLink{Code: l.Code, Name: l.Name, URL: "/listing?lang=" + l.Code}
		if local {
			q.Set("lang", l.Code)
			out[i].URL = path + "?" + q.Encode()
		}
	}
	return out
}

func languageName(code string) string {
	for _, l := range l10n.Languages {
		if l.Code == code {
			return l.Name
		}
	}
	return code
}
