package handlers

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"fimdb/assets"
	"fimdb/db"
)

const (
	htmlType = "text/html"
	jsonType = "application/json"
)

var (
	htmx      = map[string]string{"HX-Request": "true"}
	asJSON    = map[string]string{"Accept": "application/json"}
	asBrowser = map[string]string{"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
	restore   = map[string]string{"HX-Request": "true", "HX-History-Restore-Request": "true"}
)

func TestListingRepresentations(t *testing.T) {
	app, _ := newTestApp(t)
	vary := map[string]string{"Vary": "Accept-Language, Cookie, HX-Request, HX-History-Restore-Request, Accept"}
	tests := []scenario{
		{name: "full page", url: "/listing", wantStatus: 200, wantType: htmlType,
			want:       []string{"<!doctype html>", `<html lang="en">`, `id="search"`, `hx-get="/listing"`, `hx-sync="this:replace"`, `hx-push-url="true"`, "Movies 1–50 of 246", `id="results"`, "Thriller"},
			wantHeader: vary},
		{name: "htmx fragment", url: "/listing?name=star", headers: htmx, wantStatus: 200, wantType: htmlType,
			want: []string{`<section id="results"`, "7 movies", "Star Wars"}, notWant: []string{"<html", `id="search"`}, wantHeader: vary},
		{name: "history restore gets the whole page", url: "/listing?name=star", headers: restore, wantStatus: 200, wantType: htmlType,
			want: []string{"<!doctype html>", `id="search"`, `value="star"`, "7 movies"}},
		{name: "JSON by Accept", url: "/listing?name=star&items=2", headers: asJSON, wantStatus: 200, wantType: jsonType,
			want: []string{`"page":1`, `"items":2`, `"total":7`, `"movies":[{"id":`, `"genres":[`, `"imdb_score":8.8`, `"version":1`}, wantHeader: vary},
		{name: "JSON preferred by quality", url: "/listing", headers: map[string]string{"Accept": "text/html;q=0.5, application/json"}, wantStatus: 200, wantType: jsonType},
		{name: "HTML preferred by quality", url: "/listing", headers: map[string]string{"Accept": "application/json;q=0.1, text/html"}, wantStatus: 200, wantType: htmlType},
		{name: "a browser's Accept gets HTML", url: "/listing", headers: map[string]string{"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}, wantStatus: 200, wantType: htmlType},
		{name: "any type gets HTML", url: "/listing", headers: map[string]string{"Accept": "*/*"}, wantStatus: 200, wantType: htmlType},
		{name: "JSON wins over HX-Request", url: "/listing", headers: map[string]string{"Accept": "application/json", "HX-Request": "true"}, wantStatus: 200, wantType: jsonType},
		{name: "root redirects to the listing", url: "/", wantStatus: http.StatusFound, wantHeader: map[string]string{"Location": "/listing"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, app) })
	}
}

func TestListingParameters(t *testing.T) {
	app, _ := newTestApp(t)
	tests := []scenario{
		{name: "name word prefix", url: "/listing?name=godf", headers: htmx, wantStatus: 200, want: []string{"The Godfather", "1 movie"}},
		{name: "director", url: "/listing?director=spielberg", headers: htmx, wantStatus: 200, want: []string{"Jaws", "6 movies"}},
		{name: "genre any case", url: "/listing?genre=thriller", headers: htmx, wantStatus: 200, want: []string{"Movies 1–50 of 51"}},
		{name: "genre with spaces", url: "/listing?genre=%20Thriller%20", headers: htmx, wantStatus: 200, want: []string{"Movies 1–50 of 51"}},
		{name: "all filters together", url: "/listing?name=star&director=lucas&genre=Sci-Fi", headers: htmx, wantStatus: 200, want: []string{"2 movies", "Star Wars"}},
		{name: "page 2", url: "/listing?p=2", headers: htmx, wantStatus: 200, want: []string{"Movies 51–100 of 246", "Page 2 of 5"}},
		{name: "last page", url: "/listing?p=5", headers: htmx, wantStatus: 200, want: []string{"Movies 201–246 of 246", "Page 5 of 5"}},
		{name: "page past the end is clamped", url: "/listing?p=500", headers: htmx, wantStatus: 200, want: []string{"Movies 201–246 of 246"}},
		{name: "huge page number is clamped", url: "/listing?p=99999999999999999999999", headers: htmx, wantStatus: 200, want: []string{"Page 5 of 5"}},
		{name: "page zero is page 1", url: "/listing?p=0", headers: htmx, wantStatus: 200, want: []string{"Movies 1–50 of 246"}},
		{name: "negative page is page 1", url: "/listing?p=-4", headers: htmx, wantStatus: 200, want: []string{"Movies 1–50 of 246"}},
		{name: "items", url: "/listing?items=10&p=3", headers: htmx, wantStatus: 200, want: []string{"Movies 21–30 of 246", "Page 3 of 25"}},
		{name: "items capped at 200", url: "/listing?items=1000", headers: htmx, wantStatus: 200, want: []string{"Movies 1–200 of 246"}},
		{name: "items at least 1", url: "/listing?items=0", headers: htmx, wantStatus: 200, want: []string{"Movies 1–1 of 246"}},
		{name: "sort by name", url: "/listing?sort=name&items=1", headers: htmx, wantStatus: 200, want: []string{"2001 : A Space Odyssey"}},
		{name: "sort by popularity", url: "/listing?sort=popularity&items=1", headers: htmx, wantStatus: 200, want: []string{"The Twilight Zone"}},
		{name: "empty filters filter nothing", url: "/listing?name=&director=&genre=&sort=&p=&items=", headers: htmx, wantStatus: 200, want: []string{"Movies 1–50 of 246"}},
		{name: "unknown parameters are ignored", url: "/listing?foo=bar", headers: htmx, wantStatus: 200, want: []string{"Movies 1–50 of 246"}},
		{name: "no match shows the empty state", url: "/listing?name=zzzzqx", headers: htmx, wantStatus: 200, want: []string{"No movies match", "Clear all filters"}, notWant: []string{`data-testid="pager"`}},
		{name: "pager links keep the filters", url: "/listing?genre=Drama&sort=name&items=10&p=2", headers: htmx, wantStatus: 200,
			want: []string{`href="/listing?genre=Drama&amp;items=10&amp;sort=name"`, `href="/listing?genre=Drama&amp;items=10&amp;p=3&amp;sort=name"`, `rel="next"`, `rel="prev"`}},
		{name: "first page has no previous link", url: "/listing", headers: htmx, wantStatus: 200, want: []string{`aria-disabled="true" title="Previous page"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, app) })
	}
}

func TestListingRejectsBadParameters(t *testing.T) {
	app, _ := newTestApp(t)
	long := strings.Repeat("a", 301)
	tests := []scenario{
		{name: "page not a number, page", url: "/listing?p=abc", wantStatus: 400, wantType: htmlType,
			want: []string{"<!doctype html>", "The page number (p) must be a whole number.", `id="search"`}},
		{name: "page not a number, fragment", url: "/listing?p=abc", headers: htmx, wantStatus: 400, wantType: htmlType,
			want: []string{`id="results"`, "The page number (p) must be a whole number."}, notWant: []string{"<html"}},
		{name: "page not a number, JSON", url: "/listing?p=abc", headers: asJSON, wantStatus: 400, wantType: jsonType,
			want: []string{`"error":"The page number (p) must be a whole number."`, `"field":"p"`}},
		{name: "fractional items", url: "/listing?items=1.5", headers: asJSON, wantStatus: 400, want: []string{`"field":"items"`, "page size"}},
		{name: "unknown sort", url: "/listing?sort=rating", headers: asJSON, wantStatus: 400, want: []string{`"field":"sort"`, "score, popularity or name"}},
		{name: "overlong name", url: "/listing?name=" + long, headers: asJSON, wantStatus: 400, want: []string{`"field":"name"`, "at most 300 characters"}},
		{name: "too many words for the director", url: "/listing?director=" + manyWords(db.MaxSearchWords+1), headers: asJSON, wantStatus: 400, want: []string{`"field":"director"`, "at most 20 different words"}},
		{name: "as many words as allowed, repeats counted once", url: "/listing?name=" + manyWords(db.MaxSearchWords) + "+aa+BA", headers: asJSON, wantStatus: 200},
		{name: "too many words, in German, in the fragment", url: "/listing?lang=de&name=" + manyWords(db.MaxSearchWords+1), headers: map[string]string{"HX-Request": "true"}, wantStatus: 400, want: []string{"höchstens 20 verschiedene Wörter"}},
		{name: "overlong director", url: "/listing?director=" + long, headers: asJSON, wantStatus: 400, want: []string{`"field":"director"`}},
		{name: "the form keeps what was typed", url: "/listing?name=star&sort=bogus", wantStatus: 400, want: []string{`value="star"`, "sort order"}},
		{name: "markup in a query is escaped", url: "/listing?name=%3Cscript%3Ealert(1)%3C%2Fscript%3E", wantStatus: 200,
			want: []string{`value="&lt;script&gt;alert(1)&lt;/script&gt;"`}, notWant: []string{"<script>alert(1)"}},
		{name: "FTS syntax is harmless", url: "/listing?name=%22%20OR%20*%20NEAR(", headers: asJSON, wantStatus: 200, want: []string{`"total":0`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, app) })
	}
}

// listingJSONOf fetches a listing as JSON and returns the movie names.
func listingJSONOf(t *testing.T, url string) (listingJSON, []string) {
	t.Helper()
	app, _ := newTestApp(t)
	var got listingJSON
	if status := getJSON(t, app, url, &got); status != 200 {
		t.Fatalf("%s: status %d", url, status)
	}
	var names []string
	for _, m := range got.Movies {
		names = append(names, m.Name)
	}
	return got, names
}

func TestListingJSONMatchesTheCatalog(t *testing.T) {
	got, _ := listingJSONOf(t, "/listing?genre=Thriller&items=200")
	if got.Total != 51 || len(got.Movies) != 51 {
		t.Errorf("Thriller: total %d, %d movies; want 51", got.Total, len(got.Movies))
	}
	for _, m := range got.Movies {
		if !slices.Contains(m.Genres, "Thriller") {
			t.Errorf("%q lacks Thriller: %v", m.Name, m.Genres)
		}
	}
	all, _ := listingJSONOf(t, "/listing?items=200&p=2")
	if all.Total != 246 || all.Page != 2 || all.Items != 200 || len(all.Movies) != 46 {
		t.Errorf("page 2 of 200: %+v", fmt.Sprint(all.Total, all.Page, all.Items, len(all.Movies)))
	}
}

func TestStaticAssets(t *testing.T) {
	app, _ := newTestApp(t)
	v := assets.Version()
	tests := []scenario{
		{name: "own CSS", url: "/static/" + v + "/app.css", wantStatus: 200, wantType: "text/css",
			wantHeader: map[string]string{"Cache-Control": "public, max-age=31536000, immutable"}},
		{name: "htmx from npm", url: "/static/" + v + "/vendor/htmx.min.js", wantStatus: 200, wantType: "text/javascript", want: []string{"htmx"}},
		{name: "Beer CSS from npm", url: "/static/" + v + "/vendor/beer.min.css", wantStatus: 200, wantType: "text/css"},
		{name: "Beer CSS without fonts or remote URLs", url: "/static/" + v + "/vendor/beer.min.css", wantStatus: 200,
			notWant: []string{"@font-face", "https://", "jsdelivr"}},
		{name: "no icon font: icons are inline SVG", url: "/static/" + v + "/vendor/material-symbols-outlined.woff2", wantStatus: 404},
		{name: "SVG icon", url: "/static/" + v + "/favicon.svg", wantStatus: 200, wantType: "image/svg+xml"},
		{name: "favicon.ico, fingerprinted", url: "/static/" + v + "/favicon.ico", wantStatus: 200, wantType: "image/x-icon",
			wantHeader: map[string]string{"Cache-Control": "public, max-age=31536000, immutable"}},
		{name: "favicon.ico where browsers look", url: "/favicon.ico", wantStatus: 200, wantType: "image/x-icon",
			wantHeader: map[string]string{"Cache-Control": "public, max-age=2592000"}},
		{name: "old fingerprint", url: "/static/0123456789ab/app.css", wantStatus: 404},
		{name: "unknown file", url: "/static/" + v + "/nope.js", wantStatus: 404},
		{name: "path traversal", url: "/static/" + v + "/../../main.go", wantStatus: 404},
		{name: "compressed for clients that accept it", url: "/static/" + v + "/vendor/htmx.min.js", headers: map[string]string{"Accept-Encoding": "gzip"},
			wantStatus: 200, wantHeader: map[string]string{"Content-Encoding": "gzip"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, app) })
	}

	t.Run("revalidation by ETag", func(t *testing.T) {
		first := scenario{url: "/static/" + v + "/app.js", wantStatus: 200}.run(t, app)
		etag := first.Header.Get("ETag")
		if etag == "" {
			t.Fatal("no ETag")
		}
		scenario{url: "/static/" + v + "/app.js", headers: map[string]string{"If-None-Match": etag}, wantStatus: http.StatusNotModified}.run(t, app)
	})
}

func TestPagesLinkFingerprintedAssets(t *testing.T) {
	app, _ := newTestApp(t)
	scenario{url: "/listing", wantStatus: 200, want: []string{
		`href="` + assets.Path("vendor/beer.min.css") + `"`,
		`src="` + assets.Path("vendor/htmx.min.js") + `"`,
		`src="` + assets.Path("app.js") + `"`,
		`<link rel="icon" href="` + assets.Path("favicon.ico") + `" sizes="32x32">`,
		`<link rel="icon" href="` + assets.Path("favicon.svg") + `" type="image/svg+xml">`,
		`<meta name="theme-color" content="#e9ddff" media="(prefers-color-scheme: light)">`,
		`<meta name="theme-color" content="#4f378a" media="(prefers-color-scheme: dark)">`,
		`<meta name="description" content="Search and browse a catalog of classic movies`,
	}}.run(t, app)
	scenario{url: "/login", as: anonymous, headers: map[string]string{"Accept-Language": "de"}, wantStatus: 200, want: []string{`<meta name="description" content="Einen Katalog klassischer Filme`}}.run(t, app)
}

func TestHealthAndNotFound(t *testing.T) {
	app, _ := newTestApp(t)
	tests := []scenario{
		{name: "healthz", url: "/healthz", wantStatus: 200, wantType: jsonType, want: []string{`"status":"ok"`}},
		{name: "unknown page", url: "/nope", wantStatus: 404, wantType: htmlType, want: []string{"Page not found", "Back to the movies"}},
		{name: "unknown page as JSON", url: "/nope", headers: asJSON, wantStatus: 404, wantType: jsonType, want: []string{`"error":"There is nothing at this address."`}},
		{name: "wrong method", method: http.MethodPost, url: "/listing", wantStatus: 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, app) })
	}
}

// manyWords is n different words joined for a query string.
func manyWords(n int) string {
	w := make([]string, n)
	for i := range w {
		w[i] = fmt.Sprintf("%c%c", 'a'+i%26, 'a'+i/26)
	}
	return strings.Join(w, "+")
}
