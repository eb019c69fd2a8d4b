package e2e

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// queryOf returns the query parameters of the tab's address.
func queryOf(t *testing.T, raw string) url.Values {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("address %q: %v", raw, err)
	}
	return u.Query()
}

func TestLiveSearchNarrowsAndClears(t *testing.T) {
	_, ctx := adminAt(t, "/listing", "Movies 1–50 of 246")
	markPage(t, ctx)
	// Record whether the loading indicator ever shows while a request runs.
	eval[chromedp.Void](t, ctx, `window.__indicatorShown = false;
		new MutationObserver(() => {
			if (document.querySelector('#loading.htmx-request')) window.__indicatorShown = true;
		}).observe(document.body, {subtree: true, attributes: true, attributeFilter: ['class']})`)

	do(t, ctx, chromedp.SendKeys(chromedp.ID("q-name"), "star"))
	waitForSummary(t, ctx, "7 movies")
	waitUntil(t, ctx, "the address to carry the search", `location.search === '?name=star'`)
	assertSamePage(t, ctx)
	if !eval[bool](t, ctx, `window.__indicatorShown`) {
		t.Error("the loading indicator never showed during the search")
	}
	for _, name := range movieNames(t, ctx) {
		if !strings.Contains(strings.ToLower(name), "star") {
			t.Errorf("%q does not match the search star", name)
		}
	}

	// Clearing the field, as a person does, brings every movie back.
	do(t, ctx, chromedp.SendKeys(chromedp.ID("q-name"), strings.Repeat(kb.Backspace, 4)))
	waitForSummary(t, ctx, "Movies 1–50 of 246")
	waitUntil(t, ctx, "the address to drop the search", `location.pathname === '/listing' && location.search === ''`)
	assertSamePage(t, ctx)
}

func TestDirectorAndGenreCombine(t *testing.T) {
	_, ctx := adminAt(t, "/listing", "Movies 1–50 of 246")
	markPage(t, ctx)

	do(t, ctx, chromedp.Click(chromedp.CSS(`.genre-chip:has(input[value="Thriller"])`)))
	waitForSummary(t, ctx, "Movies 1–50 of 51")
	waitUntil(t, ctx, "genre in the address", `location.search === '?genre=Thriller'`)

	do(t, ctx, chromedp.SendKeys(chromedp.ID("q-director"), "spielberg"))
	waitForSummary(t, ctx, "2 movies")
	if names := strings.Join(movieNames(t, ctx), ", "); names != "Jaws, Duel" {
		t.Errorf("Spielberg thrillers = %v, want Jaws, Duel", names)
	}
	q := queryOf(t, currentURL(ctx))
	if q.Get("genre") != "Thriller" || q.Get("director") != "spielberg" || len(q) != 2 {
		t.Errorf("address query = %v, want genre and director only", q)
	}

	do(t, ctx, chromedp.Click(chromedp.CSS(`.genre-chip:has(input[value=""])`)))
	waitForSummary(t, ctx, "6 movies")
	assertSamePage(t, ctx)
}

func TestNoMatchShowsTheEmptyState(t *testing.T) {
	_, ctx := adminAt(t, "/listing", "Movies 1–50 of 246")
	do(t, ctx, chromedp.SendKeys(chromedp.ID("q-name"), "qqqzzz"))
	waitUntil(t, ctx, "the empty state", `document.querySelector('[data-testid=empty]')?.textContent.includes('No movies match')`)
}

func TestPagerAndBrowserHistory(t *testing.T) {
	srv, ctx := adminAt(t, "/listing", "Movies 1–50 of 246")
	markPage(t, ctx)

	clickReady(t, ctx, `a[data-testid=pager-next]`)
	waitForSummary(t, ctx, "Movies 51–100 of 246")
	waitUntil(t, ctx, "page 2 in the address", `location.search === '?p=2'`)
	clickReady(t, ctx, `a[data-testid=pager-last]`)
	waitForSummary(t, ctx, "Movies 201–246 of 246")
	waitUntil(t, ctx, "page 5 in the address", `location.search === '?p=5'`)
	assertSamePage(t, ctx)
	if eval[bool](t, ctx, `!!document.querySelector('a[data-testid=pager-next]')`) {
		t.Error("the last page still offers a next page")
	}

	goBack(t, ctx)
	waitForSummary(t, ctx, "Movies 51–100 of 246")
	waitUntil(t, ctx, "page 2 back in the address", `location.search === '?p=2'`)
	goBack(t, ctx)
	waitForSummary(t, ctx, "Movies 1–50 of 246")
	goForward(t, ctx)
	waitForSummary(t, ctx, "Movies 51–100 of 246")

	// Back from a search restores the form as well as the results.
	clickReady(t, ctx, `a[data-testid=pager-first]`)
	waitForSummary(t, ctx, "Movies 1–50 of 246")
	do(t, ctx, chromedp.SendKeys(chromedp.ID("q-name"), "godf"))
	waitForSummary(t, ctx, "1 movie")
	do(t, ctx, chromedp.Navigate(srv.URL+"/listing?genre=War"))
	waitForSummary(t, ctx, "21 movies")
	goBack(t, ctx)
	waitForSummary(t, ctx, "1 movie")
	if v := eval[string](t, ctx, `document.getElementById('q-name').value`); v != "godf" {
		t.Errorf("after Back the title field holds %q, want godf", v)
	}
}

func TestFormWorksWithoutJavaScript(t *testing.T) {
	srv := startServer(t)
	ctx := newTab(t)
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	signIn(t, ctx, srv.URL, adminEmail, adminPassword) // the sign-in form needs no JavaScript either
	do(t, ctx,
		chromedp.Navigate(srv.URL+"/listing"),
		chromedp.WaitVisible(chromedp.CSS(`#search button[type=submit]`)),
		chromedp.SetValue(chromedp.ID("q-name"), "godfather"),
	)
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`#search button[type=submit]`))); err != nil {
		t.Fatalf("submitting the form: %v", err)
	}
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS(`[data-testid=summary]`)))
	summary, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid=summary]`)))
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(summary) != "1 movie" {
		t.Errorf("summary after a plain GET = %q, want 1 movie", summary)
	}
	if q := queryOf(t, currentURL(ctx)); q.Get("name") != "godfather" {
		t.Errorf("address after submit = %s", currentURL(ctx))
	}

	// Pager links are plain links too.
	do(t, ctx, chromedp.Navigate(srv.URL+"/listing"))
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`a[data-testid=pager-next]`))); err != nil {
		t.Fatalf("following the pager: %v", err)
	}
	summary, _ = chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid=summary]`)))
	if strings.TrimSpace(summary) != "Movies 51–100 of 246" {
		t.Errorf("summary after the pager link = %q", summary)
	}
}
