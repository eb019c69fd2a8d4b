package handlers

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// fuzzStatus sends req to ta as an administrator and fails on a server
// error: nothing a client sends may cause one.
func fuzzStatus(t *testing.T, ta *testApp, req *http.Request) int {
	t.Helper()
	ta.authorize(req, asAdmin)
	resp, err := ta.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 500 {
		t.Fatalf("%s %s: %d", req.Method, req.URL, resp.StatusCode)
	}
	return resp.StatusCode
}

// FuzzManageBody: any body of an add or an update, JSON or form, gets an
// answer, never a server error.
func FuzzManageBody(f *testing.F) {
	for _, seed := range []struct {
		json bool
		body string
	}{
		{true, `{"movie_name":"Alien","director":"Ridley Scott","chip_genres":"Horror, Sci-Fi","imdb_score":8.5,"popularity":"88"}`},
		{true, `{"id":1,"version":1,"movie_name":"Psycho","director":"Alfred Hitchcock","imdb_score":"8.7","popularity":87}`},
		{true, `{"id":"1e3","imdb_score":"NaN","popularity":1e309}`},
		{true, `{"movie_name":["x"],"imdb_score":{}}`},
		{true, `{"movie_name":"\u0000","director":"` + strings.Repeat("é", 301) + `"}`},
		{true, `[`},
		{false, "movie_name=Alien&director=Ridley+Scott&chip_genres=Horror&imdb_score=8.5&popularity=88"},
		{false, "id=-1&version=x&movie_name=%zz&imdb_score=Inf"},
		{false, "movie_name=a&movie_name=b&chip_genres=,,,&popularity=1e-400"},
	} {
		f.Add(seed.json, seed.body)
	}
	ta, _ := newTestApp(f)
	f.Fuzz(func(t *testing.T, asJSON bool, body string) {
		for _, path := range []string{"/manage/add", "/manage/update"} {
			req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if asJSON {
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Accept", "application/json")
			}
			fuzzStatus(t, ta, req)
		}
	})
}

// FuzzListingParams: any query string of the listing, as a page, a
// fragment or JSON, and of the suggestions gets an answer, never a server
// error.
func FuzzListingParams(f *testing.F) {
	for _, seed := range []string{
		"name=star&genre=Sci-Fi&sort=name&p=2&items=10",
		"name=%22star%22+OR+wars*&director=NEAR(a+b)",
		"p=99999999999999999999&items=-1&sort=popularity",
		"genre=%00&name=%E2%80%8B&director=%CC%81",
		"name=" + strings.Repeat("a+", 200),
		"format=csv&name=the",
		"field=director&q=spiel&name=x",
		"lang=de&p=0x10&items=1e2",
	} {
		f.Add(seed)
	}
	ta, _ := newTestApp(f)
	f.Fuzz(func(t *testing.T, query string) {
		if strings.ContainsFunc(query, func(r rune) bool { return r <= ' ' || r == 0x7f || r == '#' }) {
			return // not a query string a client can send unescaped
		}
		for _, tc := range []struct{ path, header, value string }{
			{"/listing", "Accept", "application/json"},
			{"/listing", "HX-Request", "true"},
			{"/admin", "Accept", "text/html"},
			{"/suggest", "Accept", "application/json"},
		} {
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.URL.Path, req.URL.RawQuery = tc.path, query
			req.RequestURI = req.URL.RequestURI() // what is sent
			req.Header.Set(tc.header, tc.value)
			fuzzStatus(t, ta, req)
		}
	})
}
