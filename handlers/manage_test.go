package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"fimdb/db"
)

// call sends a body to the app as the given role and returns the status and
// the decoded JSON answer.
func call(t *testing.T, app *testApp, as, method, target, contentType, body string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	app.authorize(req, as)
	if as == anonymous {
		req.Header.Del("Authorization")
	}
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(data) > 0 {
		if err := json.Unmarshal(data, &out); err != nil {
			t.Fatalf("%s %s: not JSON (%d): %.300s", method, target, resp.StatusCode, data)
		}
	}
	return resp.StatusCode, out
}

// multipartForm is a multipart/form-data body of the field and value pairs.
func multipartForm(boundary string, pairs ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(pairs); i += 2 {
		fmt.Fprintf(&b, "--%s\r\nContent-Disposition: form-data; name=%q\r\n\r\n%s\r\n", boundary, pairs[i], pairs[i+1])
	}
	fmt.Fprintf(&b, "--%s--\r\n", boundary)
	return b.String()
}

const jsonBody = "application/json"
const formType = "application/x-www-form-urlencoded"

func TestManageAdd(t *testing.T) {
	app, store := newTestApp(t)
	tests := []struct {
		name        string
		contentType string
		body        string
		wantStatus  int
		wantField   string
		wantName    string
		wantGenres  string
	}{
		{"the seed's body, numbers as strings", jsonBody, `{"movie_name":"Alien","director":"Ridley Scott","popularity":"88","chip_genres":"Horror, Sci-Fi","imdb_score":"8.5"}`, 201, "", "Alien", "Horror,Sci-Fi"},
		{"numbers as numbers", jsonBody, `{"movie_name":"Aliens","director":"James Cameron","popularity":84,"chip_genres":"Action,Sci-Fi, action","imdb_score":8.4}`, 201, "", "Aliens", "Action,Sci-Fi"},
		{"a form body", formType, "movie_name=Heat&director=Michael+Mann&popularity=80&chip_genres=Crime&imdb_score=8.3", 201, "", "Heat", "Crime"},
		{"a multipart form body", "multipart/form-data; boundary=b", multipartForm("b", "movie_name", "Brazil", "director", "Terry Gilliam",
			"popularity", "79", "chip_genres", "Sci-Fi", "imdb_score", "7.9"), 201, "", "Brazil", "Sci-Fi"},
		{"markup is stored as typed", jsonBody, `{"movie_name":"<script>alert(1)</script>","director":"X","popularity":1,"chip_genres":"","imdb_score":1}`, 201, "", "<script>alert(1)</script>", ""},
		{"score too high", jsonBody, `{"movie_name":"A","director":"B","popularity":1,"chip_genres":"","imdb_score":10.5}`, 400, "imdb_score", "", ""},
		{"score negative", jsonBody, `{"movie_name":"A","director":"B","popularity":1,"chip_genres":"","imdb_score":"-1"}`, 400, "imdb_score", "", ""},
		{"popularity too high", jsonBody, `{"movie_name":"A","director":"B","popularity":"101","chip_genres":"","imdb_score":1}`, 400, "popularity", "", ""},
		{"score not a number", jsonBody, `{"movie_name":"A","director":"B","popularity":1,"chip_genres":"","imdb_score":"eight"}`, 400, "imdb_score", "", ""},
		{"score missing", jsonBody, `{"movie_name":"A","director":"B","popularity":1,"chip_genres":""}`, 400, "imdb_score", "", ""},
		{"blank name", jsonBody, `{"movie_name":"   ","director":"B","popularity":1,"chip_genres":"","imdb_score":1}`, 400, "movie_name", "", ""},
		{"no director", jsonBody, `{"movie_name":"A","popularity":1,"chip_genres":"","imdb_score":1}`, 400, "director", "", ""},
		{"name too long", jsonBody, `{"movie_name":"` + strings.Repeat("n", 301) + `","director":"B","popularity":1,"chip_genres":"","imdb_score":1}`, 400, "movie_name", "", ""},
		{"genre too long", jsonBody, `{"movie_name":"A","director":"B","popularity":1,"chip_genres":"Drama, ` + strings.Repeat("g", 301) + `","imdb_score":1}`, 400, "chip_genres", "", ""},
		{"director too long", jsonBody, `{"movie_name":"A","director":"` + strings.Repeat("d", 301) + `","popularity":1,"chip_genres":"","imdb_score":1}`, 400, "director", "", ""},
		{"popularity not a number", formType, "movie_name=A&director=B&popularity=lots&chip_genres=&imdb_score=1", 400, "popularity", "", ""},
		{"boundaries are allowed", jsonBody, `{"movie_name":"Edge","director":"Case","popularity":"100","chip_genres":"","imdb_score":"0"}`, 201, "", "Edge", ""},
		{"name of the wrong type", jsonBody, `{"movie_name":5,"director":"B","popularity":1,"chip_genres":"","imdb_score":1}`, 400, "movie_name", "", ""},
		{"not JSON", jsonBody, `{"movie_name":`, 400, "", "", ""},
		{"keys match exactly, as in the original app", jsonBody, `{"Movie_Name":"A","director":"B","popularity":1,"imdb_score":1}`, 400, "movie_name", "", ""},
		{"not an object", jsonBody, `["Alien"]`, 400, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := store.CountMovies(context.Background())
			status, out := call(t, app, asAdmin, "POST", "/manage/add", tt.contentType, tt.body)
			if status != tt.wantStatus {
				t.Fatalf("status %d, want %d: %v", status, tt.wantStatus, out)
			}
			after, _ := store.CountMovies(context.Background())
			if status != 201 {
				if field, _ := out["field"].(string); field != tt.wantField || out["error"] == "" {
					t.Errorf("error %v, want field %q", out, tt.wantField)
				}
				if after != before {
					t.Error("a rejected request changed the catalog")
				}
				return
			}
			if out["name"] != tt.wantName || out["version"] != 1.0 || after != before+1 {
				t.Errorf("created %v", out)
			}
			var genres []string
			for _, g := range out["genres"].([]any) {
				genres = append(genres, g.(string))
			}
			if strings.Join(genres, ",") != tt.wantGenres {
				t.Errorf("genres %v, want %s", genres, tt.wantGenres)
			}
		})
	}
}

func TestManageUpdateAndDelete(t *testing.T) {
	app, store := newTestApp(t)
	ctx := context.Background()
	_, created := call(t, app, asAdmin, "POST", "/manage/add", jsonBody, `{"movie_name":"Solaris","director":"Andrei Tarkovsky","popularity":"80","chip_genres":"Drama","imdb_score":"8.0"}`)
	id := int64(created["id"].(float64))

	status, out := call(t, app, asAdmin, "POST", "/manage/update", jsonBody,
		`{"id":"`+itoa(id)+`","movie_name":"Solaris","director":"Andrei Tarkovsky","popularity":81,"chip_genres":"Drama, Mystery","imdb_score":"8.1"}`)
	if status != 200 || out["imdb_score"] != 8.1 || out["version"] != 2.0 {
		t.Fatalf("update without a version: %d %v", status, out)
	}
	status, out = call(t, app, asAdmin, "POST", "/manage/update", formType,
		"id="+itoa(id)+"&version=2&movie_name=Solaris&director=Andrei+Tarkovsky&popularity=82&chip_genres=Drama&imdb_score=8.2")
	if status != 200 || out["version"] != 3.0 {
		t.Fatalf("update with the current version: %d %v", status, out)
	}
	// A stale version changes nothing and shows both sides.
	status, out = call(t, app, asAdmin, "POST", "/manage/update", jsonBody,
		`{"id":`+itoa(id)+`,"version":2,"movie_name":"Solaris (1972)","director":"Andrei Tarkovsky","popularity":1,"chip_genres":"","imdb_score":1}`)
	if status != 409 || out["current"].(map[string]any)["imdb_score"] != 8.2 || out["yours"].(map[string]any)["movie_name"] != "Solaris (1972)" {
		t.Fatalf("stale update: %d %v", status, out)
	}
	if m, _ := store.MovieByID(ctx, id); m.Name != "Solaris" || m.Version != 3 {
		t.Errorf("a conflicting update changed the movie: %+v", m)
	}
	for _, bad := range []struct{ body, field string }{
		{`{"movie_name":"A","director":"B","popularity":1,"chip_genres":"","imdb_score":1}`, "id"},
		{`{"id":"x","movie_name":"A","director":"B","popularity":1,"chip_genres":"","imdb_score":1}`, "id"},
		{`{"id":1.5,"movie_name":"A","director":"B","popularity":1,"chip_genres":"","imdb_score":1}`, "id"},
		{`{"id":` + itoa(id) + `,"movie_name":"A","director":"B","popularity":1,"chip_genres":"","imdb_score":11}`, "imdb_score"},
	} {
		if status, out := call(t, app, asAdmin, "POST", "/manage/update", jsonBody, bad.body); status != 400 || out["field"] != bad.field {
			t.Errorf("%s: %d %v", bad.body, status, out)
		}
	}
	if status, out := call(t, app, asAdmin, "POST", "/manage/update", jsonBody,
		`{"id":999999,"movie_name":"A","director":"B","popularity":1,"chip_genres":"","imdb_score":1}`); status != 404 || !strings.Contains(out["error"].(string), "999999") {
		t.Errorf("unknown id: %d %v", status, out)
	}

	// Live search sees the change at once.
	scenario{url: "/listing?name=solaris", headers: asJSON, wantStatus: 200, want: []string{`"imdb_score":8.2`, `"Drama"`}}.run(t, app)

	if status, _ := call(t, app, asAdmin, "DELETE", "/manage/delete/"+itoa(id), "", ""); status != 204 {
		t.Fatalf("delete: %d", status)
	}
	if status, _ := call(t, app, asAdmin, "DELETE", "/manage/delete/"+itoa(id), "", ""); status != 404 {
		t.Errorf("delete twice: %d, want 404", status)
	}
	if status, out := call(t, app, asAdmin, "DELETE", "/manage/delete/abc", "", ""); status != 400 || out["field"] != "id" {
		t.Errorf("delete abc: %d %v", status, out)
	}
	scenario{url: "/listing?name=solaris", headers: asJSON, wantStatus: 200, want: []string{`"total":0`}}.run(t, app)

	log, err := store.AuditLog(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range log {
		actions = append(actions, e.Action+" by "+e.Actor)
	}
	if strings.Join(actions, "; ") != "delete by boss@example.com; update by boss@example.com; update by boss@example.com; create by boss@example.com" {
		t.Errorf("audit log: %v", actions)
	}
	if log[1].Before == nil || log[1].Before.IMDBScore != 8.1 || log[1].After.IMDBScore != 8.2 || log[0].After != nil {
		t.Errorf("audit before/after: %+v", log[:2])
	}
}

func TestManageNeedsAnAdmin(t *testing.T) {
	app, store := newTestApp(t)
	body := `{"movie_name":"A","director":"B","popularity":1,"chip_genres":"","imdb_score":1}`
	for _, as := range []string{anonymous, asUser, asBadToken} {
		want := map[string]int{anonymous: 401, asUser: 403, asBadToken: 401}[as]
		for _, r := range []struct{ method, target string }{{"POST", "/manage/add"}, {"POST", "/manage/update"}, {"DELETE", "/manage/delete/1"}} {
			if status, _ := call(t, app, as, r.method, r.target, jsonBody, body); status != want {
				t.Errorf("%s %s as %s: %d, want %d", r.method, r.target, as, status, want)
			}
		}
	}
	if _, err := store.MovieByID(context.Background(), 1); err != nil {
		t.Errorf("movie 1 after refused deletes: %v", err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestNamesWithMarkupAreShownEscaped(t *testing.T) {
	app, _ := newTestApp(t)
	if status, out := call(t, app, asAdmin, "POST", "/manage/add", jsonBody,
		`{"movie_name":"<img src=x onerror=alert(1)> Zed","director":"<b>Bold</b>","popularity":1,"chip_genres":"<i>Noir</i>","imdb_score":1}`); status != 201 {
		t.Fatalf("add: %d %v", status, out)
	}
	for _, h := range []map[string]string{nil, htmx} {
		scenario{url: "/listing?name=zed", headers: h, wantStatus: 200,
			want:    []string{"&lt;img src=x onerror=alert(1)&gt; Zed", "&lt;b&gt;Bold&lt;/b&gt;", "&lt;i&gt;Noir&lt;/i&gt;"},
			notWant: []string{"<img src=x", "<b>Bold", "<i>Noir"}}.run(t, app)
	}
}

func TestAdminTable(t *testing.T) {
	app, _ := newTestApp(t)
	tests := []scenario{
		{name: "the page", url: "/admin?genre=War&sort=name", as: asAdmin, wantStatus: 200, wantType: htmlType,
			want: []string{`action="/admin"`, `hx-get="/admin"`, `data-testid="movie-table"`, "21 movies", `hx-delete="/manage/delete/`, `hx-confirm="Delete “`}},
		{name: "the fragment", url: "/admin?p=2&items=10", headers: htmx, as: asAdmin, wantStatus: 200,
			want: []string{`<section id="results"`, "Movies 11–20 of 246", `href="/admin?items=10&amp;p=3"`}, notWant: []string{"<html", `class="movie-grid"`}},
		{name: "JSON", url: "/admin?name=star", headers: asJSON, as: asAdmin, wantStatus: 200, want: []string{`"total":7`}},
		{name: "bad input", url: "/admin?p=x", headers: htmx, as: asAdmin, wantStatus: 400, want: []string{"page number (p)", `href="/admin"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, app) })
	}
}

func TestDeleteFromTheAdminTableRefreshesIt(t *testing.T) {
	app, store := newTestApp(t)
	l, err := store.ListMovies(context.Background(), db.ListQuery{Filter: db.Filter{Genre: "War"}, Sort: db.SortName, PerPage: 10})
	if err != nil {
		t.Fatal(err)
	}
	victim := l.Movies[0]
	// htmx sends the search form's fields with the DELETE, in the query.
	resp := scenario{method: "DELETE", url: "/manage/delete/" + itoa(victim.ID) + "?name=&genre=War&sort=name&items=10",
		headers: htmx, as: asAdmin, wantStatus: 200,
		want:    []string{`<section id="results"`, "Movies 1–10 of 20", `data-testid="movie-table"`},
		notWant: []string{"movie-" + itoa(victim.ID) + `"`}}.run(t, app)
	_ = resp
	if _, err := store.MovieByID(context.Background(), victim.ID); err == nil {
		t.Error("the movie is still there")
	}
}

func TestMovieHistoryInAdmin(t *testing.T) {
	app, _ := newTestApp(t)
	_, created := call(t, app, asAdmin, "POST", "/manage/add", jsonBody, `{"movie_name":"Stalker","director":"Andrei Tarkovsky","popularity":"80","chip_genres":"Drama","imdb_score":"8.0"}`)
	id := itoa(int64(created["id"].(float64)))
	call(t, app, asAdmin, "POST", "/manage/update", jsonBody, `{"id":`+id+`,"movie_name":"Stalker","director":"Andrei Tarkovsky","popularity":80,"chip_genres":"Drama, Sci-Fi","imdb_score":8.1}`)
	scenario{url: "/admin/movies/" + id + "/history", headers: htmx, as: asAdmin, wantStatus: 200,
		want: []string{`data-testid="history"`, "boss@example.com", "changed", "IMDb score: 8 → 8.1", "genres: Drama → Drama, Sci-Fi", "added", " UTC"}}.run(t, app)
	scenario{url: "/admin/movies/1/history", headers: htmx, as: asAdmin, wantStatus: 200, want: []string{"No changes recorded."}}.run(t, app)
	scenario{url: "/admin/movies/x/history", headers: asJSON, as: asAdmin, wantStatus: 400, want: []string{`"field":"id"`}}.run(t, app)
	scenario{url: "/admin/movies/" + id + "/history", as: asUser, wantStatus: 403}.run(t, app)
	scenario{url: "/admin?name=stalker", as: asAdmin, wantStatus: 200, want: []string{`hx-get="/admin/movies/` + id + `/history"`, `id="history-` + id + `"`}}.run(t, app)
}

func TestUndoDeleteRestoresTheMovie(t *testing.T) {
	app, store := newTestApp(t)
	ctx := context.Background()
	before, err := store.MovieByID(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	scenario{method: "DELETE", url: "/manage/delete/2?genre=Sci-Fi", headers: htmx, as: asAdmin, wantStatus: 200,
		want: []string{`id="undo"`, `hx-swap-oob="true"`, `hx-post="/manage/restore/2?genre=Sci-Fi"`, "“Star Wars” was deleted."}}.run(t, app)
	status, out := call(t, app, asAdmin, "POST", "/manage/restore/2", "", "")
	if status != 200 || out["id"] != 2.0 || out["name"] != "Star Wars" || out["version"] != float64(before.Version+1) {
		t.Fatalf("restore: %d %v", status, out)
	}
	after, _ := store.MovieByID(ctx, 2)
	if strings.Join(after.Genres, ",") != strings.Join(before.Genres, ",") || after.IMDBScore != before.IMDBScore {
		t.Errorf("restored %+v, was %+v", after, before)
	}
	if status, _ := call(t, app, asAdmin, "POST", "/manage/restore/2", "", ""); status != 404 {
		t.Errorf("restoring a movie that exists: %d, want 404", status)
	}
	if status, _ := call(t, app, asAdmin, "POST", "/manage/restore/99999", "", ""); status != 404 {
		t.Errorf("restoring what was never deleted: %d, want 404", status)
	}
	if status, _ := call(t, app, asUser, "POST", "/manage/restore/2", "", ""); status != 403 {
		t.Errorf("a viewer restoring: %d, want 403", status)
	}
	log, _ := store.AuditLog(ctx, 2)
	if len(log) != 2 || log[0].Action != "restore" || log[1].Action != "delete" {
		t.Errorf("audit: %+v", log)
	}
	scenario{url: "/listing?name=star%20wars", headers: asJSON, wantStatus: 200, want: []string{`"total":4`}}.run(t, app)
}

func TestInlineEditRows(t *testing.T) {
	app, store := newTestApp(t)
	ctx := context.Background()
	scenario{url: "/admin/movies/2/edit", headers: htmx, as: asAdmin, wantStatus: 200,
		want: []string{`data-testid="edit-row"`, `value="Star Wars"`, `value="Action, Adventure, Fantasy, Sci-Fi"`, `value="8.8"`, `name="version" value="1"`, `hx-post="/manage/update"`}}.run(t, app)
	scenario{url: "/admin/movies/2/row", headers: htmx, as: asAdmin, wantStatus: 200, want: []string{`data-testid="movie-row"`}}.run(t, app)
	scenario{url: "/admin/movies/99999/edit", headers: htmx, as: asAdmin, wantStatus: 404}.run(t, app)
	scenario{url: "/admin/movies/2/edit", headers: htmx, as: asUser, wantStatus: 403}.run(t, app)

	form := "id=2&version=1&movie_name=Star+Wars&director=George+Lucas&chip_genres=Sci-Fi&popularity=88"
	save := func(body string) scenario {
		return scenario{method: "POST", url: "/manage/update", headers: htmx, as: asAdmin, body: body}
	}
	// A bad score keeps what was typed and says why beside the field.
	bad := save(form + "&imdb_score=eleven")
	bad.wantStatus, bad.want = 400, []string{`data-testid="edit-error-imdb_score"`, "The IMDb score (imdb_score) must be a number.", `value="eleven"`, `value="Sci-Fi"`}
	bad.run(t, app)
	if m, _ := store.MovieByID(ctx, 2); m.Version != 1 {
		t.Fatal("a rejected edit changed the movie")
	}
	ok := save(form + "&imdb_score=8.9")
	ok.wantStatus, ok.want = 200, []string{`data-testid="movie-row"`, "8.9", "Sci-Fi"}
	ok.run(t, app)
	// The same form again is now stale: both versions are shown, nothing saved.
	stale := save(form + "&imdb_score=1")
	stale.wantStatus, stale.want = 409, []string{`data-testid="conflict"`, "score 8.9", `value="1"`, `name="version" value="2"`}
	stale.run(t, app)
	if m, _ := store.MovieByID(ctx, 2); m.IMDBScore != 8.9 {
		t.Errorf("a conflicting save changed the movie: %v", m.IMDBScore)
	}
}

func TestAddFormFromTheAdminPage(t *testing.T) {
	app, _ := newTestApp(t)
	scenario{url: "/admin/movies/new", headers: htmx, as: asAdmin, wantStatus: 200, want: []string{`data-testid="add-form"`, `hx-post="/manage/add"`}}.run(t, app)
	add := func(body string) scenario {
		return scenario{method: "POST", url: "/manage/add", headers: htmx, as: asAdmin, body: body}
	}
	bad := add("movie_name=Arrival&director=Denis+Villeneuve&chip_genres=Sci-Fi&imdb_score=&popularity=79")
	bad.wantStatus, bad.want = 400, []string{`data-testid="edit-error-imdb_score"`, "The IMDb score (imdb_score) must not be empty.", `value="Arrival"`, `value="Denis Villeneuve"`}
	bad.run(t, app)
	good := add("movie_name=Arrival&director=Denis+Villeneuve&chip_genres=Sci-Fi,+Drama&imdb_score=7.9&popularity=79")
	good.wantStatus, good.want = 201, []string{"“Arrival” was added.", `hx-swap-oob="afterbegin:#added-rows"`, `data-testid="movie-row"`, `value=""`}
	good.run(t, app)
	scenario{url: "/listing?name=arrival", headers: asJSON, wantStatus: 200, want: []string{`"total":1`, `"genres":["Drama","Sci-Fi"]`}}.run(t, app)
}

// TestDeletedIDsAreNotReused: add, delete, add again through the API: the
// second movie gets a new id, so Undo of the first still brings it back
// under its own id, and each id's history is its own.
func TestDeletedIDsAreNotReused(t *testing.T) {
	app, _ := newTestApp(t)
	status, first := call(t, app, asAdmin, "POST", "/manage/add", jsonBody, `{"movie_name":"Zardoz","director":"John Boorman","popularity":"40","chip_genres":"Sci-Fi","imdb_score":"5.8"}`)
	if status != 201 || first["id"] != 247.0 {
		t.Fatalf("first add: %d %v, want id 247", status, first)
	}
	if status, _ := call(t, app, asAdmin, "DELETE", "/manage/delete/247", "", ""); status != 204 {
		t.Fatalf("delete: %d", status)
	}
	status, second := call(t, app, asAdmin, "POST", "/manage/add", jsonBody, `{"movie_name":"Excalibur","director":"John Boorman","popularity":60,"chip_genres":"Fantasy","imdb_score":7.3}`)
	if status != 201 || second["id"] == 247.0 {
		t.Fatalf("second add: %d %v, want a new id", status, second)
	}
	secondID := itoa(int64(second["id"].(float64)))

	status, restored := call(t, app, asAdmin, "POST", "/manage/restore/247", "", "")
	if status != 200 || restored["id"] != 247.0 || restored["name"] != "Zardoz" {
		t.Fatalf("restore 247: %d %v", status, restored)
	}
	history := func(id string) string {
		var out struct {
			Changes []struct {
				Action        string
				Before, After *struct{ Name string }
			}
		}
		if status := getJSONAs(t, app, asAdmin, "/admin/movies/"+id+"/history", &out); status != 200 {
			t.Fatalf("history %s: %d", id, status)
		}
		var got []string
		for _, c := range out.Changes {
			m := c.After
			if m == nil {
				m = c.Before
			}
			got = append(got, c.Action+" "+m.Name)
		}
		return strings.Join(got, ", ")
	}
	if got, want := history("247"), "restore Zardoz, delete Zardoz, create Zardoz"; got != want {
		t.Errorf("history of 247: %s, want %s", got, want)
	}
	if got, want := history(secondID), "create Excalibur"; got != want {
		t.Errorf("history of %s: %s, want %s", secondID, got, want)
	}
	scenario{url: "/listing?director=boorman", headers: asJSON, wantStatus: 200, want: []string{`"total":3`, `"id":247,"name":"Zardoz"`, `"id":` + secondID + `,"name":"Excalibur"`}}.run(t, app)
}
