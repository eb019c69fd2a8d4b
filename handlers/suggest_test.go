package handlers

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"fimdb/db"
)

func suggestions(t *testing.T, app *testApp, target string) (int, suggestJSON) {
	t.Helper()
	req := httptest.NewRequest("GET", target, nil)
	req.Header.Set("Accept", "application/json")
	app.authorize(req, asUser)
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, jsonType) {
		t.Fatalf("%s: Content-Type %q, want JSON; body %.300s", target, ct, data)
	}
	// The documented shape exactly: an unknown key or a null list fails.
	var shape map[string]json.RawMessage
	if err := json.Unmarshal(data, &shape); err != nil {
		t.Fatalf("%s: not JSON: %v; body %.300s", target, err, data)
	}
	if list := string(shape["suggestions"]); !strings.HasPrefix(list, "[") {
		t.Fatalf("%s: suggestions is %q, want a list; body %.300s", target, list, data)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var out suggestJSON
	if err := dec.Decode(&out); err != nil {
		t.Fatalf("%s: not the suggestions shape: %v; body %.300s", target, err, data)
	}
	return resp.StatusCode, out
}

func values(s suggestJSON) []string {
	var out []string
	for _, v := range s.Suggestions {
		out = append(out, v.Value)
	}
	return out
}

func TestSuggest(t *testing.T) {
	app, _ := newTestApp(t)
	call(t, app, asAdmin, "POST", "/manage/add", jsonBody, `{"movie_name":"Amélie","director":"Jean-Pierre Jeunet","popularity":83,"chip_genres":"Comedy, Romance","imdb_score":8.3}`)
	// More popular than any Star title, but "star" only starts its second word.
	call(t, app, asAdmin, "POST", "/manage/add", jsonBody, `{"movie_name":"The Starlight Express","director":"Y","popularity":99,"chip_genres":"","imdb_score":5}`)
	tests := []struct {
		name      string
		url       string
		wantFirst string
		want      []string
		notWant   []string
		wantLen   int // -1: do not check
	}{
		{"director by prefix with counts", "/suggest?field=director&q=spie", "Steven Spielberg", nil, nil, 1},
		{"director, first-name words too", "/suggest?field=director&q=steven", "", []string{"Steven Spielberg", "George Stevens"}, nil, -1},
		// Ties in popularity fall back to the title, so Star Trek (88) precedes Star Wars (88).
		{"whole-title prefix before word prefix", "/suggest?field=name&q=star", "Star Trek : The Next Generation", []string{"The Starlight Express"}, []string{"American Idol : The Search for a Superstar"}, 8},
		{"accents folded", "/suggest?field=name&q=amelie", "Amélie", nil, nil, 1},
		{"accents in the query", "/suggest?field=name&q=AMÉL", "Amélie", nil, nil, 1},
		{"multi-word", "/suggest?field=name&q=wars%20emp", "Star Wars : Episode V - The Empire Strikes Back", nil, nil, 1},
		{"genre prefix", "/suggest?field=genre&q=thr", "Thriller", nil, nil, 1},
		{"genre word inside a name", "/suggest?field=genre&q=fi", "", []string{"Film-Noir", "Sci-Fi"}, nil, -1},
		{"at most eight", "/suggest?field=name&q=t", "", nil, nil, 8},
		{"empty query", "/suggest?field=name&q=", "", nil, nil, 0},
		{"punctuation only", "/suggest?field=name&q=%22*(", "", nil, nil, 0},
		{"no match", "/suggest?field=director&q=zzzzq", "", nil, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, got := suggestions(t, app, tt.url)
			if status != 200 {
				t.Fatalf("status %d", status)
			}
			u, _ := url.Parse(tt.url)
			if got.Field != u.Query().Get("field") || got.Q != u.Query().Get("q") {
				t.Errorf("answer for field %q q %q, want the request's %q %q", got.Field, got.Q, u.Query().Get("field"), u.Query().Get("q"))
			}
			vals := values(got)
			if tt.wantLen >= 0 && len(vals) != tt.wantLen {
				t.Errorf("%d suggestions %v, want %d", len(vals), vals, tt.wantLen)
			}
			if tt.wantFirst != "" && (len(vals) == 0 || vals[0] != tt.wantFirst) {
				t.Errorf("first = %v, want %q", vals, tt.wantFirst)
			}
			for _, w := range tt.want {
				if !strings.Contains(strings.Join(vals, "|"), w) {
					t.Errorf("missing %q in %v", w, vals)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(strings.Join(vals, "|"), w) {
					t.Errorf("unexpected %q", w)
				}
			}
		})
	}
	_, star := suggestions(t, app, "/suggest?field=name&q=star")
	if vals := values(star); len(vals) != 8 || vals[6] != "The Starlight Express" || vals[7] != "The Tonight Show Starring Johnny Carson" {
		t.Errorf("word-prefix matches must follow the six whole-title matches, by popularity: %v", vals)
	}
	_, spie := suggestions(t, app, "/suggest?field=director&q=spie")
	if len(spie.Suggestions) != 1 || spie.Suggestions[0].Count != 6 || spie.Field != "director" || spie.Q != "spie" {
		t.Errorf("JSON shape: %+v", spie)
	}
	_, thr := suggestions(t, app, "/suggest?field=genre&q=thr")
	if len(thr.Suggestions) != 1 || thr.Suggestions[0].Count != 51 {
		t.Errorf("Thriller count: %+v", thr)
	}
}

func TestSuggestFragmentAndBadInput(t *testing.T) {
	app, _ := newTestApp(t)
	call(t, app, asAdmin, "POST", "/manage/add", jsonBody, `{"movie_name":"<b>Bold</b> Godzilla","director":"X","popularity":1,"chip_genres":"","imdb_score":1}`)
	tests := []scenario{
		{name: "fragment with highlight", url: "/suggest?field=director&q=spie", headers: htmx, wantStatus: 200,
			want: []string{`role="listbox"`, `role="option"`, `data-value="Steven Spielberg"`, "Steven <mark>Spie</mark>lberg", "6 movies"}},
		{name: "highlights are escaped", url: "/suggest?field=name&q=god", headers: htmx, wantStatus: 200,
			want: []string{"&lt;b&gt;Bold&lt;/b&gt; <mark>God</mark>zilla", "<mark>God</mark>father"}, notWant: []string{"<b>Bold"}},
		{name: "one movie", url: "/suggest?field=name&q=godf", headers: htmx, wantStatus: 200, want: []string{"1 movie<"}},
		{name: "unknown field", url: "/suggest?field=year&q=19", headers: asJSON, wantStatus: 400, want: []string{`"field":"field"`, "name, director or genre"}},
		{name: "no field", url: "/suggest?q=19", headers: asJSON, wantStatus: 400, want: []string{`"field":"field"`}},
		{name: "overlong query", url: "/suggest?field=name&q=" + strings.Repeat("a", 301), headers: asJSON, wantStatus: 400, want: []string{`"field":"q"`, "at most 300"}},
		{name: "too many words", url: "/suggest?field=director&q=" + manyWords(db.MaxSearchWords+1), headers: asJSON, wantStatus: 400, want: []string{`"field":"q"`, "at most 20 different words"}},
		{name: "needs a signed-in user", url: "/suggest?field=name&q=star", headers: asJSON, as: anonymous, wantStatus: 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, app) })
	}
}
