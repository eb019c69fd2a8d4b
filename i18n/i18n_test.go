package i18n

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode"

	"gopkg.in/yaml.v3"
)

// flatKeys reads one locale file into "a.b.c" -> value.
func flatKeys(t *testing.T, code string) map[string]string {
	t.Helper()
	data, err := files.ReadFile(code + ".yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s.yaml: %v", code, err)
	}
	root, ok := doc[code].(map[string]any)
	if !ok || len(doc) != 1 {
		t.Fatalf("%s.yaml must have the single top-level key %q", code, code)
	}
	out := map[string]string{}
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, v := range m {
			switch v := v.(type) {
			case map[string]any:
				walk(prefix+k+".", v)
			case string:
				out[prefix+k] = v
			default:
				t.Errorf("%s.yaml: %s%s is %T, want a string", code, prefix, k, v)
			}
		}
	}
	walk("", root)
	return out
}

var placeholder = regexp.MustCompile(`%\{(\w+)\}`)

func placeholders(s string) []string {
	var out []string
	for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func TestEveryLocaleHasExactlyTheEnglishKeys(t *testing.T) {
	en := flatKeys(t, Default)
	embedded, err := files.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, f := range embedded {
		codes = append(codes, strings.TrimSuffix(f.Name(), ".yaml"))
	}
	var want []string
	for _, l := range Languages {
		want = append(want, l.Code)
	}
	slices.Sort(codes)
	slices.Sort(want)
	if !slices.Equal(codes, want) {
		t.Fatalf("embedded locale files %v, Languages %v: they must match", codes, want)
	}
	for _, l := range Languages[1:] {
		t.Run(l.Code, func(t *testing.T) {
			got := flatKeys(t, l.Code)
			for k, v := range en {
				tr, ok := got[k]
				switch {
				case !ok:
					t.Errorf("missing %s (English: %q)", k, v)
				case strings.TrimSpace(tr) == "":
					t.Errorf("%s is empty", k)
				case !slices.Equal(placeholders(tr), placeholders(v)):
					t.Errorf("%s has placeholders %v, English has %v", k, placeholders(tr), placeholders(v))
				}
			}
			for k := range got {
				if _, ok := en[k]; !ok {
					t.Errorf("%s is not an English key", k)
				}
			}
		})
	}
}

// keyRef finds translation keys in Go and templ source: quoted literals
// starting with a top-level section of en.yaml.
var keyRef = regexp.MustCompile(`"((?:app|listing|movie|pager|errors|auth|admin|suggest|fields|lang|genres|validation|dates)\.[a-z0-9_.%]*)"`)

// TestEveryKeyIsUsedAndEveryUsedKeyExists scans the views and handlers. A key
// built at run time appears as its literal prefix ("admin.action_" +
// e.Action); each such family must exist, and is checked as a whole below.
func TestEveryKeyIsUsedAndEveryUsedKeyExists(t *testing.T) {
	en := flatKeys(t, Default)
	exists := func(k string) bool {
		_, leaf := en[k]
		_, one := en[k+".one"]
		_, other := en[k+".other"]
		return leaf || (one && other)
	}
	var sources []string
	for _, pattern := range []string{"../views/*.templ", "../views/*.go", "../handlers/*.go", "*.go"} {
		matches, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range matches {
			if !strings.HasSuffix(m, "_test.go") && !strings.HasSuffix(m, "_templ.go") {
				sources = append(sources, m)
			}
		}
	}
	if len(sources) < 10 {
		t.Fatalf("found only %d source files: %v", len(sources), sources)
	}
	used := map[string]bool{}
	var prefixes []string
	for _, path := range sources {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyRef.FindAllStringSubmatch(string(src), -1) {
			k := m[1]
			if strings.HasSuffix(k, ".css") || strings.HasSuffix(k, ".js") {
				continue // an asset, app.css or app.js
			}
			if i := strings.Index(k, "%"); i >= 0 { // a fmt pattern: its literal part is a prefix
				prefixes = append(prefixes, k[:i])
				continue
			}
			if strings.HasSuffix(k, ".") || strings.HasSuffix(k, "_") {
				prefixes = append(prefixes, k)
				continue
			}
			if !exists(k) {
				t.Errorf("%s uses %q, which en.yaml lacks", path, k)
			}
			used[k] = true
		}
	}
	for k := range en {
		base := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(k, ".zero"), ".one"), ".other")
		if used[k] || used[base] || slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(k, p) }) {
			continue
		}
		t.Errorf("%s is never used", k)
	}
}

func TestDynamicKeyFamiliesAreComplete(t *testing.T) {
	en := flatKeys(t, Default)
	var want []string
	for _, a := range []string{"create", "update", "delete", "restore"} {
		want = append(want, "admin.action_"+a)
	}
	for _, r := range []string{"user", "admin"} {
		want = append(want, "admin.role_"+r)
	}
	for _, s := range []string{"score", "popularity", "name"} {
		want = append(want, "listing.sort_"+s)
	}
	for _, r := range []string{"required", "too_long", "out_of_range", "genre_too_long", "not_number", "not_text", "positive_whole"} {
		want = append(want, "validation."+r)
	}
	for _, f := range []string{"q", "name", "director", "genre", "p", "items", "movie_name", "imdb_score", "popularity", "genres", "chip_genres", "id", "version"} {
		want = append(want, "fields."+f)
	}
	for m := 1; m <= 12; m++ {
		want = append(want, fmt.Sprintf("dates.months.m%02d", m))
	}
	for _, k := range want {
		if _, ok := en[k]; !ok {
			t.Errorf("en.yaml lacks %s", k)
		}
	}
}

func TestBundledGenresAllHaveTranslations(t *testing.T) {
	en := flatKeys(t, Default)
	for _, g := range []string{"Action", "Adult", "Adventure", "Animation", "Biography", "Comedy", "Crime",
		"Documentary", "Drama", "Family", "Fantasy", "Film-Noir", "Game-Show", "History", "Horror", "Music",
		"Musical", "Mystery", "News", "Reality-TV", "Romance", "Sci-Fi", "Short", "Sport", "Talk-Show",
		"Thriller", "War", "Western"} {
		key := GenreKey(g)
		if en[key] != g {
			t.Errorf("%s: en.yaml %s = %q, want the canonical name", g, key, en[key])
		}
	}
}

func localeCtx(t *testing.T, code string) context.Context {
	t.Helper()
	ctx, err := WithLocale(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return ctx
}

func TestNegotiate(t *testing.T) {
	tests := []struct {
		name, query, cookie, accept, want string
	}{
		{"nothing: English", "", "", "", "en"},
		{"Accept-Language exact", "", "", "de", "de"},
		{"regional variant falls back", "", "", "es-MX,es;q=0.9", "es"},
		{"regional only", "", "", "fr-CA", "fr"},
		{"highest q wins", "", "", "de;q=0.5, hi;q=0.9, en;q=0.1", "hi"},
		{"unsupported skipped", "", "", "ja, pt-BR;q=0.9, fr;q=0.8", "fr"},
		{"nothing supported", "", "", "ja, zh", "en"},
		{"garbage header", "", "", ";;;q=x", "en"},
		{"one bad entry spoils nothing", "", "", "ja,de;q=0.5,x", "de"},
		{"q=0 means not wanted", "", "", "fr;q=0, de;q=0.1", "de"},
		{"cookie beats header", "", "de", "fr", "de"},
		{"query beats cookie", "es", "de", "fr", "es"},
		{"query regional", "hi-IN", "", "", "hi"},
		{"unknown query ignored", "xx", "de", "fr", "de"},
		{"unknown cookie ignored", "", "klingon", "fr", "fr"},
		{"query case-insensitive", "DE", "", "", "de"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Negotiate(tc.query, tc.cookie, tc.accept); got != tc.want {
				t.Errorf("Negotiate(%q, %q, %q) = %q, want %q", tc.query, tc.cookie, tc.accept, got, tc.want)
			}
		})
	}
}

func TestPluralRules(t *testing.T) {
	tests := []struct {
		code string
		n    int
		want string
	}{
		{"en", 0, "No movies"}, {"en", 1, "1 movie"}, {"en", 2, "2 movies"}, {"en", 21, "21 movies"},
		{"es", 1, "1 película"}, {"es", 5, "5 películas"},
		{"de", 1, "1 Film"}, {"de", 7, "7 Filme"},
		{"fr", 1, "1 film"}, {"fr", 2, "2 films"},
		{"hi", 1, "1 फ़िल्म"},
	}
	for _, tc := range tests {
		if got := Plural(localeCtx(t, tc.code), "listing.count", tc.n, nil); got != tc.want {
			t.Errorf("%s, %d: %q, want %q", tc.code, tc.n, got, tc.want)
		}
	}
	// French and Hindi say "0 film", singular, where English says "0 movies".
	for code, want := range map[string]string{"en": "other", "es": "other", "de": "other", "fr": "one", "hi": "one"} {
		if got := pluralCategory(code, 0); got != want {
			t.Errorf("%s: 0 is %q, want %q", code, got, want)
		}
	}
}

func TestNumbersFollowTheLocale(t *testing.T) {
	tests := []struct{ code, integer, decimal string }{
		{"en", "1,234,567", "8.3"},
		{"es", "1.234.567", "8,3"},
		{"de", "1.234.567", "8,3"},
		{"fr", "1\u00a0234\u00a0567", "8,3"},
		{"hi", "12,34,567", "8.3"},
	}
	for _, tc := range tests {
		ctx := localeCtx(t, tc.code)
		// French groups with a no-break space of some width; accept either.
		got := strings.ReplaceAll(Int(ctx, 1234567), "\u202f", "\u00a0")
		if got != tc.integer {
			t.Errorf("%s: Int = %q, want %q", tc.code, got, tc.integer)
		}
		if got := Decimal(ctx, 8.3, 1); got != tc.decimal {
			t.Errorf("%s: Decimal = %q, want %q", tc.code, got, tc.decimal)
		}
	}
}

func TestGenreNamesAreTranslatedWhenKnown(t *testing.T) {
	tests := []struct{ code, genre, want string }{
		{"en", "Sci-Fi", "Sci-Fi"},
		{"es", "Sci-Fi", "Ciencia ficción"},
		{"de", "Comedy", "Komödie"},
		{"es", " comedy ", "Comedia"},
		{"fr", "Cyberpunk", "Cyberpunk"}, // invented by an admin: shown as stored
		{"fr", "Über", "Über"},
	}
	for _, tc := range tests {
		if got := Genre(localeCtx(t, tc.code), tc.genre); got != tc.want {
			t.Errorf("%s %q: %q, want %q", tc.code, tc.genre, got, tc.want)
		}
	}
}

func TestDatesFollowTheLocale(t *testing.T) {
	at := time.Date(2026, time.March, 4, 14, 5, 0, 0, time.UTC)
	got := map[string]string{}
	for _, l := range Languages {
		got[l.Code] = DateTime(localeCtx(t, l.Code), at)
		if !strings.Contains(got[l.Code], "14:05") || !strings.Contains(got[l.Code], "2026") {
			t.Errorf("%s: %q lacks the time or the year", l.Code, got[l.Code])
		}
	}
	if fr := DateTime(localeCtx(t, "fr"), time.Date(2026, time.January, 1, 9, 0, 0, 0, time.UTC)); !strings.HasPrefix(fr, "1er janv.") {
		t.Errorf("fr, first of the month: %q, want 1er janv. …", fr)
	}
	if got["en"] != "Mar 4, 2026 at 14:05" {
		t.Errorf("en: %q", got["en"])
	}
	var distinct []string
	for _, v := range got {
		distinct = append(distinct, v)
	}
	sort.Strings(distinct)
	if len(slices.Compact(distinct)) != len(Languages) {
		t.Errorf("some locales write the date the same way: %v", got)
	}
}

// identicalOnPurpose are the strings a translation rightly keeps as in
// English: the same word in that language (de "Genre"), or the genre name
// its film culture uses (fr "Thriller"). Any other value equal to English
// is an untranslated string.
var identicalOnPurpose = map[string][]string{
	"es": {"listing.runtime", "listing.search_director", "fields.director", "genres.drama", "genres.musical", "genres.romance", "genres.western"},
	"fr": {"listing.runtime", "listing.votes.one", "listing.votes.other", "movie.genres", "listing.genre", "fields.genre", "fields.genres", "fields.chip_genres", "fields.version", "admin.actions", "suggest.label",
		"genres.action", "genres.animation", "genres.film_noir", "genres.romance", "genres.sport", "genres.talk_show", "genres.thriller", "genres.western"},
	"de": {"movie.genres", "listing.genre", "fields.genre", "fields.genres", "fields.chip_genres", "fields.version", "admin.role_admin",
		"genres.film_noir", "genres.reality_tv", "genres.action", "genres.animation", "genres.drama", "genres.fantasy",
		"genres.horror", "genres.musical", "genres.mystery", "genres.sport", "genres.thriller", "genres.western"},
}

func TestTranslationsDifferFromEnglish(t *testing.T) {
	en := flatKeys(t, Default)
	for _, l := range Languages[1:] {
		for k, v := range flatKeys(t, l.Code) {
			if k == "app.name" || !hasWords(placeholder.ReplaceAllString(v, "")) || !strings.EqualFold(strings.ReplaceAll(v, "-", " "), strings.ReplaceAll(en[k], "-", " ")) {
				continue
			}
			if !slices.Contains(identicalOnPurpose[l.Code], k) {
				t.Errorf("%s: %s is still English: %q", l.Code, k, v)
			}
		}
	}
}

// hasWords reports whether s has letters to translate (not only
// placeholders, digits and punctuation, like "%{field}: %{from} → %{to}").
func hasWords(s string) bool {
	return strings.IndexFunc(s, unicode.IsLetter) >= 0
}
