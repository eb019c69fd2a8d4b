package handlers

import (
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"fimdb/db"

	"github.com/gofiber/fiber/v2"
)

// listedNames is every name the JSON listing of query gives, page by page.
func listedNames(t *testing.T, ta *testApp, query string) []string {
	t.Helper()
	var names []string
	for page := 1; ; page++ {
		var l listingJSON
		if status := getJSON(t, ta, fmt.Sprintf("/listing?%s&items=%d&p=%d", query, db.MaxPerPage, page), &l); status != 200 {
			t.Fatalf("JSON listing %s: %d", query, status)
		}
		for _, m := range l.Movies {
			names = append(names, m.Name)
		}
		if page*db.MaxPerPage >= l.Total {
			return names
		}
	}
}

// TestListingAsCSV: the listing's whole result, every page of it in its
// order, comes as CSV for ?format=csv or Accept: text/csv, and the page
// links to it with the current filter.
func TestListingAsCSV(t *testing.T) {
	ta, _ := newTestApp(t)
	tests := []struct {
		name, query string
		accept      bool // ask with Accept: text/csv instead of format=csv
	}{
		{"a search", "name=star", false},
		{"a genre in title order, past one page", "genre=Drama&sort=name", true},
		{"everything by popularity", "sort=popularity", false},
		{"nothing matches", "name=qqqqzz", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			url := "/listing?" + tc.query + "&format=csv"
			headers := map[string]string{}
			if tc.accept {
				url = "/listing?" + tc.query
				headers["Accept"] = "text/csv"
			}
			resp := scenario{url: url, headers: headers, wantStatus: 200, wantType: "text/csv",
				wantHeader: map[string]string{"Content-Disposition": `attachment; filename="fimdb-movies.csv"`}}.run(t, ta)
			records, err := csv.NewReader(resp.Body).ReadAll()
			if err != nil {
				t.Fatalf("not CSV: %v", err)
			}
			if !slices.Equal(records[0], db.CSVHeader) {
				t.Errorf("header %q", records[0])
			}
			var got []string
			for _, r := range records[1:] {
				got = append(got, r[1])
			}
			if want := listedNames(t, ta, tc.query); !slices.Equal(got, want) {
				t.Errorf("%d movies in the CSV, want the listing's %d in its order:\n got %q\nwant %q", len(got), len(want), got, want)
			}
		})
	}
	for _, sc := range []scenario{
		{name: "nobody signed in: to the sign-in form, as for the page", url: "/listing?format=csv", as: anonymous, wantStatus: http.StatusSeeOther},
		{name: "a bad order", url: "/listing?format=csv&sort=bogus", wantStatus: http.StatusBadRequest},
		{name: "the page links to its CSV", url: "/listing?name=star&sort=name", wantStatus: 200,
			want: []string{`href="/listing?name=star&amp;sort=name&amp;format=csv"`, `download="fimdb-movies.csv"`}},
	} {
		t.Run(sc.name, func(t *testing.T) { sc.run(t, ta) })
	}
}

// TestCSVIsNotMistakenForTheOtherAnswers: Accept headers that browsers and
// scripts send still get a page or JSON.
func TestCSVIsNotMistakenForTheOtherAnswers(t *testing.T) {
	ta, _ := newTestApp(t)
	for _, accept := range []string{"", "*/*", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/json"} {
		req := httptest.NewRequest(http.MethodGet, "/listing?name=star", nil)
		ta.authorize(req, asUser)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		resp, err := ta.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if ct := resp.Header.Get("Content-Type"); strings.HasPrefix(ct, "text/csv") {
			t.Errorf("Accept %q got CSV", accept)
		}
	}
}

// TestCSVDownloadsAreLimited: beyond maxCSVStreams downloads at once, an
// instance answers 503 with Retry-After, and serves the next one after a
// download ends.
func TestCSVDownloadsAreLimited(t *testing.T) {
	_, store := newTestApp(t)
	h := NewCatalog(slog.New(slog.NewTextHandler(io.Discard, nil)), store)
	app := fiber.New(fiber.Config{ErrorHandler: errorHandler(slog.New(slog.NewTextHandler(io.Discard, nil)))})
	app.Use(withLocale(false))
	app.Get("/listing", h.Listing)
	get := func(accept string) *http.Response {
		t.Helper()
		req := httptest.NewRequest(http.MethodGet, "/listing?format=csv&name=star", nil)
		req.Header.Set("Accept", accept)
		req.Header.Set("Authorization", "Bearer any") // as a client sends it; this app has no sign-in
		resp, err := testAgainstContract(app, req, -1)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	for range maxCSVStreams {
		h.csvSlots <- struct{}{} // downloads in progress
	}
	for _, accept := range []string{"text/html", "application/json"} { // a link, a script
		if resp := get(accept); resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
			t.Errorf("a download beyond the limit (%s): %d, Retry-After %q", accept, resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	}
	<-h.csvSlots // one ends
	if resp := get("text/csv"); resp.StatusCode != http.StatusOK {
		t.Errorf("a download after one ended: %d", resp.StatusCode)
	}
}
