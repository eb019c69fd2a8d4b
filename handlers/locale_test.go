package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"fimdb/db"
	"fimdb/i18n"

	"golang.org/x/net/html"
	"gopkg.in/yaml.v3"
)

var htmlLang = regexp.MustCompile(`<html lang="([^"]*)"`)

func TestLocaleNegotiation(t *testing.T) {
	app, _ := newTestApp(t)
	tests := []struct {
		name, url, cookie, accept string
		want                      string
		wantCookie                string // the fimdb_lang cookie set, if any
	}{
		{name: "default is English", url: "/login", want: "en"},
		{name: "Accept-Language", url: "/login", accept: "de-DE,de;q=0.9,en;q=0.5", want: "de"},
		{name: "regional fallback es-MX", url: "/login", accept: "es-MX", want: "es"},
		{name: "q order", url: "/login", accept: "en;q=0.2, fr;q=0.8", want: "fr"},
		{name: "unsupported falls to English", url: "/login", accept: "ja, zh-CN", want: "en"},
		{name: "cookie beats Accept-Language", url: "/login", cookie: "hi", accept: "de", want: "hi"},
		{name: "query beats cookie and is remembered", url: "/login?lang=fr", cookie: "hi", accept: "de", want: "fr", wantCookie: "fr"},
		{name: "regional query", url: "/login?lang=de-AT", want: "de", wantCookie: "de"},
		{name: "unknown query ignored", url: "/login?lang=xx", accept: "es", want: "es"},
		{name: "same choice again sets nothing", url: "/login?lang=es", cookie: "es", want: "es"},
		{name: "errors are translated too", url: "/no/such/page?lang=de", want: "de", wantCookie: "de"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, tc.url, nil)
			if tc.cookie != "" {
				req.AddCookie(&http.Cookie{Name: LangCookie, Value: tc.cookie})
			}
			if tc.accept != "" {
				req.Header.Set("Accept-Language", tc.accept)
			}
			resp, err := app.Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			body := readBody(t, resp)
			m := htmlLang.FindStringSubmatch(body)
			if m == nil || m[1] != tc.want {
				t.Errorf("<html lang> = %v, want %q", m, tc.want)
			}
			if got := resp.Header.Get("Content-Language"); got != tc.want {
				t.Errorf("Content-Language = %q, want %q", got, tc.want)
			}
			var set string
			for _, c := range resp.Cookies() {
				if c.Name == LangCookie {
					set = c.Value
					if c.MaxAge < 30*24*3600 || c.Path != "/" {
						t.Errorf("language cookie %+v should last and cover the site", c)
					}
				}
			}
			if set != tc.wantCookie {
				t.Errorf("language cookie set to %q, want %q", set, tc.wantCookie)
			}
		})
	}
}

func TestLanguageChoiceIsRemembered(t *testing.T) {
	app, _ := newTestApp(t)
	b := newBrowser(t, app)
	french := map[string]string{"Accept-Language": "fr"}
	if lang := htmlLang.FindStringSubmatch(b.do("GET", "/login?lang=de", nil, french).body); lang[1] != "de" {
		t.Fatalf("?lang=de gave %q", lang[1])
	}
	b.signIn(userEmail, testPassword, "")
	page := b.do("GET", "/listing?name=star", nil, french)
	if lang := htmlLang.FindStringSubmatch(page.body); lang[1] != "de" {
		t.Errorf("after choosing German, /listing is %q", lang[1])
	}
	if !strings.Contains(page.body, "7 Filme") {
		t.Errorf("German listing lacks its plural summary:\n%.400s", page.body)
	}
	// The switcher links back to the same page and search.
	if !strings.Contains(page.body, `href="/listing?lang=es&amp;name=star"`) {
		t.Errorf("no Spanish link keeping the search in:\n%s", switcherHTML(page.body))
	}
}

// TestLanguageLinksStayOnThisSite: the switcher rebuilds the page's address,
// which a crafted link could try to turn into another site's.
func TestLanguageLinksStayOnThisSite(t *testing.T) {
	app, _ := newTestApp(t)
	for _, target := range []string{"/%2Fevil.example/x", "/%5Cevil.example/x", "/%2F%2Fevil.example", "//evil.example/x"} {
		body := renderIn(t, app, page{url: target, as: anonymous, status: 404}, "en")
		for _, m := range regexp.MustCompile(`data-lang="es"[^>]*|href="([^"]*)"[^>]*data-lang="es"`).FindAllStringSubmatch(body, -1) {
			if href := m[1]; href != "" && (!strings.HasPrefix(href, "/") || strings.HasPrefix(href, "//") || strings.HasPrefix(href, "/\\")) {
				t.Errorf("%s: the Spanish link is %q", target, href)
			}
		}
		if !strings.Contains(body, `data-lang="es"`) {
			t.Errorf("%s: no language switcher", target)
		}
		if strings.Contains(body, `href="//`) || strings.Contains(body, `href="/\`) {
			t.Errorf("%s: a link leaves the site:\n%s", target, switcherHTML(body))
		}
	}
}

func switcherHTML(body string) string {
	i := strings.Index(body, `class="lang-switcher"`)
	if i < 0 {
		return "(no switcher)"
	}
	return body[i:min(len(body), i+1200)]
}

func TestNumbersAreLocalOnScreenOnly(t *testing.T) {
	app, _ := newTestApp(t)
	for _, sc := range []scenario{
		{name: "German page", url: "/listing?name=star+wars&lang=de", wantStatus: 200,
			want: []string{`<span data-testid="movie-score">8,8</span>`, "4 Filme", "Science-Fiction"}},
		{name: "French page groups thousands", url: "/listing?lang=fr&items=1", wantStatus: 200,
			want: []string{"Films 1–1 sur 246", "Page 1 sur 246"}},
		{name: "English page", url: "/listing?name=star+wars", wantStatus: 200,
			want: []string{`<span data-testid="movie-score">8.8</span>`}},
		{name: "JSON stays canonical", url: "/listing?name=star+wars&lang=de", headers: map[string]string{"Accept": "application/json"}, wantStatus: 200,
			want: []string{`"imdb_score":8.8`, `"Sci-Fi"`}, notWant: []string{"8,8", "Science-Fiction"}},
		{name: "genre links keep the English name", url: "/listing?lang=es", wantStatus: 200,
			want: []string{`value="Sci-Fi"`, "Ciencia ficción"}},
	} {
		t.Run(sc.name, func(t *testing.T) { sc.run(t, app) })
	}
}

func TestAPIErrorsSpeakTheClientsLanguage(t *testing.T) {
	app, _ := newTestApp(t)
	req, _ := http.NewRequest(http.MethodPost, "/manage/add", strings.NewReader(`{"movie_name":"","director":"x","imdb_score":1,"popularity":1}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept-Language", "es")
	req.Header.Set("Accept", "application/json")
	app.authorize(req, asAdmin)
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	var got apiError
	if err := json.Unmarshal([]byte(readBody(t, resp)), &got); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 400 || got.Field != "movie_name" || !strings.Contains(got.Error, "título") {
		t.Errorf("status %d, %+v: want a Spanish 400 naming movie_name", resp.StatusCode, got)
	}
}

// page is one screen the untranslated-text check renders in every locale.
type page struct {
	name, method, url, body string
	as                      string
	headers                 map[string]string
	status                  int // the answer's status; 200 when zero
}

// TestNoEnglishLeftOnTranslatedPages renders every page and fragment in
// every locale and looks for English UI words in what a person sees or
// hears: text, labels, titles, placeholders, confirmations. Movie titles,
// names, emails and the language names of the switcher are data, not UI.
func TestNoEnglishLeftOnTranslatedPages(t *testing.T) {
	app, store := newTestApp(t)
	ctx := context.Background()
	// Give a movie a history with every kind of change.
	m, err := store.MovieByID(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.UpdateMovie(ctx, m.ID, nil, db.NewMovie{Name: m.Name, Director: m.Director, Genres: []string{"Drama", "Thriller"}, IMDBScore: 8.5, Popularity: 91.5}, adminEmail); err != nil {
		t.Fatal(err)
	}
	pages := []page{
		{name: "listing", url: "/listing"},
		{name: "search", url: "/listing?name=star&genre=Sci-Fi"},
		{name: "empty", url: "/listing?name=zzzzzz"},
		{name: "bad request", url: "/listing?p=x", status: 400},
		{name: "results fragment", url: "/listing?p=2", headers: map[string]string{"HX-Request": "true"}},
		{name: "suggestions", url: "/suggest?field=director&q=spie", headers: map[string]string{"HX-Request": "true"}},
		{name: "suggest error", url: "/suggest?field=nope&q=x", status: 400},
		{name: "admin", url: "/admin", as: asAdmin},
		{name: "accounts", url: "/admin/accounts", as: asAdmin},
		{name: "add form", url: "/admin/movies/new", as: asAdmin, headers: map[string]string{"HX-Request": "true"}},
		{name: "edit row", url: "/admin/movies/2/edit", as: asAdmin, headers: map[string]string{"HX-Request": "true"}},
		{name: "history", url: "/admin/movies/2/history", as: asAdmin, headers: map[string]string{"HX-Request": "true"}},
		{name: "edit with errors", method: "POST", url: "/manage/update", as: asAdmin, headers: map[string]string{"HX-Request": "true"},
			body: "id=2&movie_name=&director=x&imdb_score=eleven&popularity=5&chip_genres=Drama", status: 400},
		{name: "add with errors", method: "POST", url: "/manage/add", as: asAdmin, headers: map[string]string{"HX-Request": "true"},
			body: "movie_name=Arrival&director=Denis+Villeneuve&imdb_score=11&popularity=5", status: 400},
		{name: "not found", url: "/nope", status: 404},
		{name: "forbidden", url: "/admin", as: asUser, status: 403},
		{name: "sign in", url: "/login", as: anonymous},
		{name: "sign up", url: "/signup", as: anonymous},
	}
	data := dataStrings(t, store)
	for _, l := range i18n.Languages[1:] {
		english := englishVocabulary(t, l.Code)
		for _, p := range pages {
			t.Run(l.Code+"/"+p.name, func(t *testing.T) {
				body := renderIn(t, app, p, l.Code)
				if strings.Contains(body, "<html") {
					if m := htmlLang.FindStringSubmatch(body); m == nil || m[1] != l.Code {
						t.Errorf("<html lang> = %v, want %s", m, l.Code)
					}
				}
				for _, w := range leftoverEnglish(t, body, data, english) {
					t.Errorf("English %q in: %s", w.word, w.context)
				}
			})
		}
		t.Run(l.Code+"/delete with undo", func(t *testing.T) {
			id := 100 + slices.Index(i18n.Languages, l)
			body := renderIn(t, app, page{method: "DELETE", url: fmt.Sprintf("/manage/delete/%d", id), as: asAdmin,
				headers: map[string]string{"HX-Request": "true"}}, l.Code)
			if !strings.Contains(body, "/manage/restore/") {
				t.Fatalf("no undo toast in:\n%.300s", body)
			}
			for _, w := range leftoverEnglish(t, body, data, english) {
				t.Errorf("English %q in: %s", w.word, w.context)
			}
		})
		t.Run(l.Code+"/sign-in errors", func(t *testing.T) {
			b := newBrowser(t, app)
			b.do("GET", "/login?lang="+l.Code, nil, nil)
			got := b.signIn("nobody@example.com", "wrong password here", "")
			for _, w := range leftoverEnglish(t, got.body, data, english) {
				t.Errorf("English %q in: %s", w.word, w.context)
			}
			signup := b.do("GET", "/signup", nil, nil)
			got = b.do("POST", "/signup", url.Values{"email": {"not-an-email"}, "password": {"short"}, "password_confirm": {"other"}, "_csrf": {b.csrfFrom(signup)}}, nil)
			for _, w := range leftoverEnglish(t, got.body, data, english) {
				t.Errorf("English %q in: %s", w.word, w.context)
			}
		})
	}
}

func renderIn(t *testing.T, app *testApp, p page, code string) string {
	t.Helper()
	method := p.method
	if method == "" {
		method = http.MethodGet
	}
	var body *strings.Reader
	if p.body != "" {
		body = strings.NewReader(p.body)
	} else {
		body = strings.NewReader("")
	}
	req, _ := http.NewRequest(method, p.url, body)
	if p.body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept-Language", code)
	app.authorize(req, p.as)
	for k, v := range p.headers {
		req.Header.Set(k, v)
	}
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	out := readBody(t, resp)
	want := p.status
	if want == 0 {
		want = http.StatusOK
	}
	if resp.StatusCode != want {
		t.Fatalf("%s %s in %s: status %d, want %d; body:\n%.400s", method, p.url, code, resp.StatusCode, want, out)
	}
	return out
}

// dataStrings are the texts on screen that come from the catalog or the
// accounts, longest first so that removing them never leaves a fragment.
func dataStrings(t *testing.T, store *db.Store) []string {
	t.Helper()
	out := []string{userEmail, adminEmail, "nobody@example.com"}
	for p := 1; p <= 2; p++ {
		l, err := store.ListMovies(context.Background(), db.ListQuery{Sort: db.SortScore, Page: p, PerPage: db.MaxPerPage})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range l.Movies {
			out = append(out, m.Name, m.Director)
		}
	}
	for _, l := range i18n.Languages {
		out = append(out, l.Name)
	}
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}

// englishVocabulary is every word of the English UI strings that the
// locale's own strings never use (so "Drama" counts only where the
// translation is not also "Drama"), plus brand names' exceptions.
func englishVocabulary(t *testing.T, code string) map[string]bool {
	t.Helper()
	words := func(code string) map[string]bool {
		raw, err := os.ReadFile("../i18n/" + code + ".yaml")
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := yaml.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		out := map[string]bool{}
		var walk func(v any)
		walk = func(v any) {
			switch v := v.(type) {
			case map[string]any:
				for _, x := range v {
					walk(x)
				}
			case string:
				v = regexp.MustCompile(`%\{\w+\}`).ReplaceAllString(v, " ")
				for _, w := range strings.FieldsFunc(v, func(r rune) bool { return !unicode.IsLetter(r) }) {
					if len([]rune(w)) >= 3 {
						out[strings.ToLower(w)] = true
					}
				}
			}
		}
		walk(doc)
		return out
	}
	en, local := words("en"), words(code)
	for w := range local {
		delete(en, w)
	}
	// Names every language keeps: the product, the brand, the time zone.
	for _, w := range []string{"fimdb", "imdb", "utc", "json"} {
		delete(en, w)
	}
	if len(en) < 100 {
		t.Fatalf("%s: only %d English words to look for", code, len(en))
	}
	return en
}

type leftover struct{ word, context string }

var apiParam = regexp.MustCompile(`\([a-z_]+\)`)

// leftoverEnglish lists English UI words among what a person perceives.
func leftoverEnglish(t *testing.T, body string, data []string, english map[string]bool) []leftover {
	t.Helper()
	var out []leftover
	for _, text := range perceivedText(t, body) {
		// "(movie_name)" quotes an API parameter, which stays as it is.
		clean := apiParam.ReplaceAllString(text, " ")
		for _, d := range data {
			clean = strings.ReplaceAll(clean, d, " ")
		}
		for _, w := range strings.FieldsFunc(clean, func(r rune) bool { return !unicode.IsLetter(r) }) {
			if english[strings.ToLower(w)] {
				out = append(out, leftover{w, text})
			}
		}
	}
	return out
}

// perceivedAttrs are the attributes a person reads or hears.
var perceivedAttrs = map[string]bool{
	"aria-label": true, "title": true, "placeholder": true, "label": true, "alt": true,
	"hx-confirm": true, "data-request-failed": true, "data-offline": true, "data-remove-label": true,
}

// perceivedText walks the HTML (or takes a JSON error's message) and returns
// the text nodes and perceived attributes, skipping scripts and the icon
// ligatures (<i aria-hidden="true">delete</i> is drawn, not read).
func perceivedText(t *testing.T, body string) []string {
	t.Helper()
	if strings.HasPrefix(strings.TrimSpace(body), "{") {
		var e apiError
		if err := json.Unmarshal([]byte(body), &e); err == nil {
			return []string{e.Error}
		}
	}
	root, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "style":
				return
			case "i":
				return // icon font ligatures
			}
			for _, a := range n.Attr {
				if perceivedAttrs[a.Key] {
					out = append(out, a.Val)
				}
				if a.Key == "value" && n.Data == "input" && slices.ContainsFunc(n.Attr, func(x html.Attribute) bool {
					return x.Key == "type" && (x.Val == "submit" || x.Val == "button")
				}) {
					out = append(out, a.Val)
				}
			}
		}
		if n.Type == html.TextNode && strings.TrimSpace(n.Data) != "" {
			out = append(out, n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return out
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	var b strings.Builder
	if _, err := io.Copy(&b, resp.Body); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestLanguageLinksFollowEachPage: pages of many addresses, one after
// another in three rounds, each link the switcher to their own address,
// also when an address comes back after others (the switcher is kept
// rendered by address, and fasthttp reuses a request's bytes for the next).
func TestLanguageLinksFollowEachPage(t *testing.T) {
	ta, _ := newTestApp(t)
	var urls []string
	for i := range 40 {
		urls = append(urls, fmt.Sprintf("/listing?name=w%03d", i))
	}
	urls = append(urls, append(urls, urls...)...)
	for _, u := range urls {
		resp := scenario{url: u, wantStatus: 200}.run(t, ta)
		body, _ := io.ReadAll(resp.Body)
		want := `href="/listing?lang=es&amp;name=` + u[len("/listing?name="):] + `"`
		if !strings.Contains(string(body), want) {
			t.Fatalf("%s: the switcher does not link to this page (%s)", u, want)
		}
	}
}
