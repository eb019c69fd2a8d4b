// Package views holds fimdb's templ components and the view models they
// render. Every htmx swap target is its own exported component.
package views

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"fimdb/db"
	l10n "fimdb/i18n"

	"github.com/a-h/templ"

	"github.com/invopop/ctxi18n/i18n"
)

// InputError is a request problem shown to the person who made it.
type InputError struct {
	Field   string
	Message string
}

// ListingView is what the catalog page and its results fragment show. The
// admin table shows the same view under another base path.
type ListingView struct {
	Base    string // "/listing" (the default) or "/admin"
	Query   db.ListQuery
	Listing db.Listing
	Genres  []string
	Err     *InputError
	// Results, when set, is the results section already rendered: the
	// handler caches it, since the cards are most of a page's cost.
	Results templ.Component
	// Main, when set, is ListingMain already rendered, for the same reason.
	Main templ.Component
}

// main is the page's main content, rendered now unless the handler has it.
func (v ListingView) main(render func(ListingView) templ.Component) templ.Component {
	if v.Main != nil {
		return v.Main
	}
	return render(v)
}

// results is the results section, rendered now unless the handler has it.
func (v ListingView) results(render func(ListingView) templ.Component) templ.Component {
	if v.Results != nil {
		return v.Results
	}
	return render(v)
}

func (v ListingView) base() string {
	if v.Base == "" {
		return "/listing"
	}
	return v.Base
}

// URL is the address of the given page of this listing. Default values are
// left out so that shared links stay short.
func (v ListingView) URL(page int) string {
	q := url.Values{}
	for _, p := range []struct{ key, value string }{
		{"name", v.Query.Name}, {"director", v.Query.Director}, {"genre", v.Query.Genre},
	} {
		if strings.TrimSpace(p.value) != "" {
			q.Set(p.key, p.value)
		}
	}
	if v.Query.Sort != "" && v.Query.Sort != db.SortScore {
		q.Set("sort", string(v.Query.Sort))
	}
	if v.Query.PerPage != 0 && v.Query.PerPage != db.DefaultPerPage {
		q.Set("items", strconv.Itoa(v.Query.PerPage))
	}
	if page > 1 {
		q.Set("p", strconv.Itoa(page))
	}
	if len(q) == 0 {
		return v.base()
	}
	return v.base() + "?" + q.Encode()
}

// CSVURL downloads this listing's whole result, every page of it, as CSV.
func (v ListingView) CSVURL() string {
	u := v.URL(1)
	if strings.Contains(u, "?") {
		return u + "&format=csv"
	}
	return u + "?format=csv"
}

// movieFacts is the line of what IMDb's datasets tell about a movie (its
// year, runtime and votes), or "" when it has none of them.
func movieFacts(ctx context.Context, m db.Movie) string {
	facts := yearAndRuntime(ctx, m)
	if m.Votes == 0 {
		return facts
	}
	if facts == "" {
		return votes(ctx, m.Votes)
	}
	return facts + " · " + votes(ctx, m.Votes)
}

// CardLabels are the translated words every movie card repeats.
type CardLabels struct {
	Score, DirectedBy, Popularity string
}

func newCardLabels(ctx context.Context) CardLabels {
	return CardLabels{
		Score:      i18n.T(ctx, "listing.score"),
		DirectedBy: i18n.T(ctx, "listing.directed_by"),
		Popularity: i18n.T(ctx, "listing.popularity"),
	}
}

// perPageChoices offers the usual page sizes plus the current one, so a
// shared link with an unusual size still shows what it uses.
func perPageChoices(current int) []int {
	choices := []int{10, 25, 50, 100, 200}
	if current > 0 && !slices.Contains(choices, current) {
		choices = append(choices, current)
		slices.Sort(choices)
	}
	return choices
}

func sameGenre(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

func pagerRel(which string) string {
	switch which {
	case "prev", "next":
		return which
	}
	return ""
}

// authAction is a sign-in or sign-up URL that carries the page to return to.
func authAction(path, next string) string {
	if next == "" {
		return path
	}
	return path + "?" + url.Values{"next": {next}}.Encode()
}

// restoreURL is the Undo of a delete, carrying the table's search along.
func restoreURL(id int64, query string) string {
	u := "/manage/restore/" + strconv.FormatInt(id, 10)
	if query != "" {
		u += "?" + query
	}
	return u
}

func joinGenres(genres []string) string { return strings.Join(genres, ", ") }

// RowFormOf fills an edit row with a stored movie.
func RowFormOf(m db.Movie) RowForm {
	return RowForm{
		ID: m.ID, Version: m.Version, Name: m.Name, Director: m.Director, Genres: joinGenres(m.Genres),
		IMDBScore: strconv.FormatFloat(m.IMDBScore, 'f', -1, 64), Popularity: strconv.FormatFloat(m.Popularity, 'f', -1, 64),
	}
}

// splitList splits a comma-separated list, trimming and dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// MovieView is what a movie's page shows.
type MovieView struct {
	Movie db.Movie
	More  []db.Movie // by the same director
}

// title is the page's title: the name, and the year when known.
func (v MovieView) title() string {
	if v.Movie.Year != 0 {
		return v.Movie.Name + " (" + strconv.Itoa(v.Movie.Year) + ")"
	}
	return v.Movie.Name
}

// yearAndRuntime is a movie page's line under the title.
func yearAndRuntime(ctx context.Context, m db.Movie) string {
	var facts []string
	if m.Year != 0 {
		facts = append(facts, strconv.Itoa(m.Year))
	}
	if m.RuntimeMinutes != 0 {
		facts = append(facts, i18n.T(ctx, "listing.runtime", i18n.M{"minutes": formatInt(ctx, m.RuntimeMinutes)}))
	}
	return strings.Join(facts, " · ")
}

func votes(ctx context.Context, n int64) string {
	return l10n.Plural(ctx, "listing.votes", int(n), i18n.M{"count": formatInt(ctx, int(n))})
}

// splitDirectors lists the directors of a credit such as IMDb's
// "Lana Wachowski, Lilly Wachowski", each to be searched for alone.
func splitDirectors(credit string) []string {
	var out []string
	for _, d := range strings.Split(credit, ", ") {
		if d = strings.TrimSpace(d); d != "" {
			out = append(out, d)
		}
	}
	return out
}
