package views

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"fimdb/db"
	l10n "fimdb/i18n"
)

// TestResultsWhenTheCountStoppedEarly: a broad search counted only past
// its page says "more than", keeps "next" on its last counted page and
// shows no "last page" control, the last page being unknown; an exact
// count does as before.
func TestResultsWhenTheCountStoppedEarly(t *testing.T) {
	if err := l10n.Load(); err != nil {
		t.Fatal(err)
	}
	page := func(n int) []db.Movie {
		out := make([]db.Movie, n)
		for i := range out {
			out[i] = db.Movie{ID: int64(i + 1), Name: "S", Director: "D"}
		}
		return out
	}
	for _, tt := range []struct {
		name, locale string
		listing      db.Listing
		want         []string
		notWant      []string
	}{
		{"first page, more than", "en", db.Listing{Movies: page(50), Total: 10_000, AtLeast: true, Page: 1, PerPage: 50},
			[]string{"Movies 1–50 of more than 10,000", "Page 1 of more than 200", `href="/listing?name=s&amp;p=2"`},
			[]string{`href="/listing?name=s&amp;p=200"`, `pager-last`}},
		{"last counted page still has a next one", "en", db.Listing{Movies: page(50), Total: 10_000, AtLeast: true, Page: 200, PerPage: 50},
			[]string{"Movies 9,951–10,000 of more than 10,000", `href="/listing?name=s&amp;p=201"`}, []string{`pager-last`}},
		{"in French", "fr", db.Listing{Movies: page(50), Total: 10_000, AtLeast: true, Page: 1, PerPage: 50},
			[]string{"Films 1–50 sur plus de 10 000", "Page 1 sur plus de 200"}, nil},
		{"exact count", "en", db.Listing{Movies: page(50), Total: 120, Page: 1, PerPage: 50},
			[]string{"Movies 1–50 of 120", "Page 1 of 3", `href="/listing?name=s&amp;p=3"`}, []string{"more than"}},
		{"exact count, last page", "en", db.Listing{Movies: page(20), Total: 120, Page: 3, PerPage: 50},
			[]string{`aria-disabled="true" title="Next page"`, `aria-disabled="true" title="Last page"`}, []string{`p=4`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx, err := l10n.WithLocale(context.Background(), tt.locale)
			if err != nil {
				t.Fatal(err)
			}
			q := db.ListQuery{Filter: db.Filter{Name: "s"}, Page: tt.listing.Page, PerPage: tt.listing.PerPage}
			var buf bytes.Buffer
			if err := ListingResults(ListingView{Base: "/listing", Query: q, Listing: tt.listing}).Render(ctx, &buf); err != nil {
				t.Fatal(err)
			}
			// French groups digits with a (narrow) no-break space.
			html := strings.NewReplacer("\u202f", " ", "\u00a0", " ").Replace(buf.String())
			for _, w := range tt.want {
				if !strings.Contains(html, w) {
					t.Errorf("results lack %q", w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(html, w) {
					t.Errorf("results have %q", w)
				}
			}
		})
	}
}
