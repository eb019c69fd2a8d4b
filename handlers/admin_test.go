package handlers

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"fimdb/db"
)

// signedInAdmin is a browser with an administrator's session and that
// session's CSRF token, read from the admin page as htmx would read it.
func signedInAdmin(t *testing.T, app *testApp) (*browser, string) {
	t.Helper()
	b := newBrowser(t, app)
	if r := b.signIn(adminEmail, testPassword, ""); r.status != 303 {
		t.Fatalf("sign in: %d", r.status)
	}
	page := b.do("GET", "/admin", nil, nil)
	token := b.csrfFrom(page)
	if !strings.Contains(page.body, `hx-headers="{&#34;X-CSRF-Token&#34;:&#34;`+token+`&#34;}"`) {
		t.Fatalf("the admin page does not make htmx send the token %q", token)
	}
	return b, token
}

// TestCSRFProtectsEveryAdminChange: with a browser session, every unsafe
// /manage and /admin request needs the session's token (header or _csrf
// field of the body): without it, with a wrong one, or with the right one
// only in the query string, the answer is 403 and nothing changes. A bearer token needs none.
func TestCSRFProtectsEveryAdminChange(t *testing.T) {
	app, store := newTestApp(t)
	ctx := context.Background()
	b, token := signedInAdmin(t, app)
	other, _ := signedInAdmin(t, app) // another admin's session: its token is no good here
	otherToken := other.csrfFrom(other.do("GET", "/admin", nil, nil))

	exists := func(id int64) bool {
		_, err := store.MovieByID(ctx, id)
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			t.Fatal(err)
		}
		return err == nil
	}
	// Each row acts on movie id (a distinct one per attempt) and says whether
	// the change it asks for happened.
	routes := []struct {
		name    string
		method  string
		target  func(id int64) string
		form    func(id int64) url.Values
		prepare func(id int64)
		changed func(id int64) bool
		want    int
	}{
		{name: "add", method: "POST", want: 201,
			target: func(int64) string { return "/manage/add" },
			form: func(id int64) url.Values {
				return url.Values{"movie_name": {fmt.Sprintf("CSRF test %d", id)}, "director": {"X"}, "imdb_score": {"5"}, "popularity": {"5"}, "chip_genres": {"Drama"}}
			},
			changed: func(id int64) bool {
				l, err := store.ListMovies(ctx, db.ListQuery{Filter: db.Filter{Name: fmt.Sprintf("csrf test %d", id)}})
				if err != nil {
					t.Fatal(err)
				}
				return l.Total == 1
			}},
		{name: "update", method: "POST", want: 200,
			target: func(int64) string { return "/manage/update" },
			form: func(id int64) url.Values {
				return url.Values{"id": {itoa(id)}, "movie_name": {"Renamed"}, "director": {"X"}, "imdb_score": {"5"}, "popularity": {"5"}, "chip_genres": {"Drama"}}
			},
			changed: func(id int64) bool {
				m, err := store.MovieByID(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				return m.Name == "Renamed" || m.Version != 1
			}},
		{name: "delete", method: "DELETE", want: 204,
			target:  func(id int64) string { return "/manage/delete/" + itoa(id) },
			changed: func(id int64) bool { return !exists(id) }},
		{name: "restore", method: "POST", want: 200,
			target: func(id int64) string { return "/manage/restore/" + itoa(id) },
			prepare: func(id int64) {
				if _, err := store.DeleteMovie(ctx, id, "setup"); err != nil {
					t.Fatal(err)
				}
			},
			changed: exists},
		// Nothing unsafe lives under /admin, but the check guards the whole
		// tree: a request that passes it finds nothing (404), not 403.
		{name: "unsafe request under /admin", method: "POST", want: 404,
			target:  func(int64) string { return "/admin/accounts" },
			changed: func(int64) bool { return false }},
	}
	attempts := []struct {
		name    string
		from    func() *browser
		token   func(form url.Values, headers map[string]string, query url.Values)
		allowed bool
	}{
		{"session without a token", func() *browser { return b }, func(url.Values, map[string]string, url.Values) {}, false},
		{"session with a forged header", func() *browser { return b }, func(_ url.Values, h map[string]string, _ url.Values) { h["X-CSRF-Token"] = "forged" }, false},
		{"session with another session's token", func() *browser { return b }, func(f url.Values, _ map[string]string, _ url.Values) { f.Set("_csrf", otherToken) }, false},
		{"session with an empty token", func() *browser { return b }, func(f url.Values, h map[string]string, _ url.Values) { f.Set("_csrf", ""); h["X-CSRF-Token"] = "" }, false},
		{"session with the token in X-CSRF-Token", func() *browser { return b }, func(_ url.Values, h map[string]string, _ url.Values) { h["X-CSRF-Token"] = token }, true},
		{"session with the token in _csrf", func() *browser { return b }, func(f url.Values, _ map[string]string, _ url.Values) { f.Set("_csrf", token) }, true},
		{"session with the token in the query string only", func() *browser { return b }, func(_ url.Values, _ map[string]string, q url.Values) { q.Set("_csrf", token) }, false},
		{"session with the token in the query string and a forged _csrf", func() *browser { return b }, func(f url.Values, _ map[string]string, q url.Values) {
			q.Set("_csrf", token)
			f.Set("_csrf", "forged")
		}, false},
		{"bearer token, no CSRF token", func() *browser { return newBrowser(t, app) }, func(_ url.Values, h map[string]string, _ url.Values) { h["Authorization"] = "Bearer " + app.adminToken }, true},
	}
	for r, route := range routes {
		for a, at := range attempts {
			id := int64(10 + 10*r + a) // a movie no other attempt touches
			t.Run(route.name+"/"+at.name, func(t *testing.T) {
				if route.prepare != nil {
					route.prepare(id)
				}
				form := url.Values{}
				if route.form != nil {
					form = route.form(id)
				}
				headers := map[string]string{}
				query := url.Values{}
				at.token(form, headers, query)
				target := route.target(id)
				if len(query) > 0 {
					target += "?" + query.Encode()
				}
				resp := at.from().do(route.method, target, form, headers)
				want := route.want
				if !at.allowed {
					want = 403
				}
				if resp.status != want {
					t.Errorf("status %d, want %d; body %.300s", resp.status, want, resp.body)
				}
				if changed := route.changed(id); changed != (at.allowed && route.want < 300) {
					t.Errorf("changed = %v after a request answered %d", changed, resp.status)
				}
			})
		}
	}
}

var (
	undoToast  = regexp.MustCompile(`(?s)<div id="undo"[^>]*>.*?</div>`)
	htmxPost   = regexp.MustCompile(`hx-post="([^"]*)"`)
	htmxTarget = regexp.MustCompile(`hx-target="([^"]*)"`)
)

// TestDeleteThenUndoFromTheAdminTable follows what htmx does in the admin
// table: the DELETE answers the refreshed table and, out of band, a toast
// whose Undo button posts to /manage/restore/:id with the table's search;
// posting it (with the session's token, as htmx sends it from <body
// hx-headers>) brings the movie back under its id, and the table and the
// listing show it again.
func TestDeleteThenUndoFromTheAdminTable(t *testing.T) {
	app, store := newTestApp(t)
	ctx := context.Background()
	b, token := signedInAdmin(t, app)
	hx := map[string]string{"HX-Request": "true", "X-CSRF-Token": token}
	search := "name=&genre=War&sort=name&items=10"
	l, err := store.ListMovies(ctx, db.ListQuery{Filter: db.Filter{Genre: "War"}, Sort: db.SortName, PerPage: 10})
	if err != nil || len(l.Movies) == 0 {
		t.Fatalf("war movies: %v %v", l, err)
	}
	victim := l.Movies[0]
	row := `id="movie-` + itoa(victim.ID) + `"`

	del := b.do("DELETE", "/manage/delete/"+itoa(victim.ID)+"?"+search, nil, hx)
	if del.status != 200 {
		t.Fatalf("delete: %d %.300s", del.status, del.body)
	}
	for _, w := range []string{`<section id="results"`, "Movies 1–10 of 20", `data-testid="movie-table"`} {
		if !strings.Contains(del.body, w) {
			t.Errorf("the refreshed table lacks %q", w)
		}
	}
	if strings.Contains(del.body, row) || strings.Contains(del.body, "<html") {
		t.Errorf("the answer is not the refreshed table without the deleted row:\n%.600s", del.body)
	}
	toast := undoToast.FindString(del.body)
	if toast == "" || !strings.Contains(toast, `hx-swap-oob="true"`) || !strings.Contains(toast, html.EscapeString("“"+victim.Name+"” was deleted.")) {
		t.Fatalf("no out-of-band Undo toast naming %q in:\n%.600s", victim.Name, del.body)
	}
	post, target := htmxPost.FindStringSubmatch(toast), htmxTarget.FindStringSubmatch(toast)
	if post == nil || target == nil || target[1] != "#results" {
		t.Fatalf("the Undo button does not post into #results: %s", toast)
	}
	undo, err := url.Parse(html.UnescapeString(post[1]))
	if err != nil {
		t.Fatal(err)
	}
	if undo.Path != "/manage/restore/"+itoa(victim.ID) || undo.Query().Get("genre") != "War" || undo.Query().Get("sort") != "name" || undo.Query().Get("items") != "10" {
		t.Errorf("Undo posts to %q, want /manage/restore/%d with the table's search", undo, victim.ID)
	}
	if _, err := store.MovieByID(ctx, victim.ID); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("the movie is still there before Undo: %v", err)
	}

	restored := b.do("POST", undo.String(), nil, hx)
	if restored.status != 200 {
		t.Fatalf("Undo: %d %.300s", restored.status, restored.body)
	}
	for _, w := range []string{`<section id="results"`, "Movies 1–10 of 21", row} {
		if !strings.Contains(restored.body, w) {
			t.Errorf("the table after Undo lacks %q:\n%.600s", w, restored.body)
		}
	}
	if strings.Contains(restored.body, "<html") {
		t.Error("Undo answered a whole page to an htmx request")
	}
	m, err := store.MovieByID(ctx, victim.ID)
	if err != nil || m.Name != victim.Name || strings.Join(m.Genres, ",") != strings.Join(victim.Genres, ",") {
		t.Fatalf("after Undo movie %d is %+v (%v), was %+v", victim.ID, m, err, victim)
	}
	log, err := store.AuditLog(ctx, victim.ID)
	if err != nil || len(log) != 2 || log[0].Action != "restore" || log[1].Action != "delete" || log[0].Actor != adminEmail {
		t.Errorf("audit log of %d: %+v %v", victim.ID, log, err)
	}
	scenario{url: "/listing?genre=War&sort=name", headers: asJSON, wantStatus: 200,
		want: []string{`"total":21`, `"id":` + itoa(victim.ID) + `,`}}.run(t, app)
	// Undo twice finds nothing to undo.
	if again := b.do("POST", undo.String(), nil, hx); again.status != 404 {
		t.Errorf("a second Undo: %d, want 404", again.status)
	}
}

// TestUnknownAdminPaths: an administrator asking for what is not there gets
// a clear 404 (page, fragment or JSON), never a 500; bad ids are a 400;
// everyone else learns nothing beyond the usual 401, 403 or sign-in.
func TestUnknownAdminPaths(t *testing.T) {
	app, _ := newTestApp(t)
	notFoundPage := []string{"Page not found", "There is nothing at this address."}
	var tests []scenario
	for _, path := range []string{"/admin/nope", "/admin/accounts/x", "/admin/movies", "/admin/movies/2", "/admin/movies/2/history/x",
		"/admin/movies/new/x", "/admin/movies/2/nope", "/manage", "/manage/nope", "/manage/add", "/manage/restore", "/manage/delete/2/x"} {
		tests = append(tests,
			scenario{name: "admin page " + path, url: path, headers: asBrowser, as: asAdmin, wantStatus: 404, wantType: htmlType, want: append([]string{"<html"}, notFoundPage...)},
			scenario{name: "admin fragment " + path, url: path, headers: htmx, as: asAdmin, wantStatus: 404, want: notFoundPage, notWant: []string{"<html"}},
			scenario{name: "admin JSON " + path, url: path, headers: asJSON, as: asAdmin, wantStatus: 404, wantType: jsonType, want: []string{`{"error":"There is nothing at this address."}`}},
			scenario{name: "viewer " + path, url: path, as: asUser, wantStatus: 403, notWant: notFoundPage},
			scenario{name: "anonymous " + path, url: path, headers: asBrowser, as: anonymous, wantStatus: 303,
				wantHeader: map[string]string{"Location": "/login?" + url.Values{"next": {path}}.Encode()}},
			scenario{name: "anonymous JSON " + path, url: path, headers: asJSON, as: anonymous, wantStatus: 401, notWant: notFoundPage},
			scenario{name: "bad token " + path, url: path, headers: asJSON, as: asBadToken, wantStatus: 401, notWant: notFoundPage},
		)
		if strings.HasPrefix(path, "/manage/") {
			// The catalog API answers a client that names neither JSON nor
			// HTML (curl) in JSON.
			tests = append(tests,
				scenario{name: "admin script " + path, url: path, as: asAdmin, wantStatus: 404, wantType: jsonType, want: []string{`{"error":"There is nothing at this address."}`}},
				scenario{name: "anonymous script " + path, url: path, as: anonymous, wantStatus: 401, wantType: jsonType},
			)
		}
	}
	for _, path := range []string{"/admin/movies/abc/edit", "/admin/movies/-1/row", "/admin/movies/1.5/history", "/admin/movies/99999999999999999999999/edit"} {
		tests = append(tests,
			scenario{name: "admin, bad id " + path, url: path, headers: asJSON, as: asAdmin, wantStatus: 400, want: []string{`"field":"id"`}},
			scenario{name: "admin page, bad id " + path, url: path, as: asAdmin, wantStatus: 400, wantType: htmlType},
			scenario{name: "viewer, bad id " + path, url: path, as: asUser, wantStatus: 403},
		)
	}
	tests = append(tests,
		scenario{name: "admin, no such movie", url: "/admin/movies/99999/row", headers: htmx, as: asAdmin, wantStatus: 404, want: []string{"99999"}},
		scenario{name: "anonymous script, the API's path in another case", method: "POST", url: "/MANAGE/add", as: anonymous, wantStatus: 401, wantType: jsonType},
		scenario{name: "admin script, /manage itself", url: "/manage", as: asAdmin, wantStatus: 404, wantType: jsonType},
		scenario{name: "admin, unsafe unknown path", method: "POST", url: "/admin/nope", headers: asJSON, as: asAdmin, wantStatus: 404},
		scenario{name: "viewer, unsafe unknown path", method: "POST", url: "/admin/nope", headers: asJSON, as: asUser, wantStatus: 403},
	)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, app) })
	}
}

var resultsPage = regexp.MustCompile(`<input type="hidden" id="results-page" name="p" value="(\d+)">`)

// TestAdminDeleteKeepsThePage: the admin table says which page it shows,
// outside the search form, and each row's delete sends it along with the
// search; a delete from page 3 answers page 3, and so does its Undo.
func TestAdminDeleteKeepsThePage(t *testing.T) {
	app, store := newTestApp(t)
	b, token := signedInAdmin(t, app)
	hx := map[string]string{"HX-Request": "true", "X-CSRF-Token": token}
	page := b.do("GET", "/admin?sort=name&items=10&p=3", nil, nil)
	if m := resultsPage.FindStringSubmatch(page.body); m == nil || m[1] != "3" {
		t.Fatalf("the table does not say it shows page 3: %v", m)
	}
	if !strings.Contains(page.body, `hx-include="#search, #results-page"`) {
		t.Fatal("a row's delete does not send the page along with the search")
	}
	if strings.Contains(searchForm.FindString(page.body), `name="p"`) {
		t.Error("the page number is inside the search form, so a new search would not start on page 1")
	}

	l, err := store.ListMovies(context.Background(), db.ListQuery{Sort: db.SortName, PerPage: 10, Page: 3})
	if err != nil || len(l.Movies) == 0 {
		t.Fatalf("page 3: %v %v", l, err)
	}
	del := b.do("DELETE", "/manage/delete/"+itoa(l.Movies[0].ID)+"?name=&director=&sort=name&items=10&p=3", nil, hx)
	if del.status != 200 || !strings.Contains(del.body, "Movies 21–30 of 245") {
		t.Fatalf("delete from page 3: %d, want page 3 of 245:\n%.400s", del.status, del.body)
	}
	post := htmxPost.FindStringSubmatch(undoToast.FindString(del.body))
	if post == nil {
		t.Fatal("no Undo form")
	}
	restored := b.do("POST", html.UnescapeString(post[1]), nil, hx)
	if restored.status != 200 || !strings.Contains(restored.body, "Movies 21–30 of 246") {
		t.Errorf("Undo: %d, want page 3 of 246:\n%.400s", restored.status, restored.body)
	}
}

var searchForm = regexp.MustCompile(`(?s)<form id="search".*?</form>`)
