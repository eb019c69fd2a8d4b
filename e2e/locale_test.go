package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestSwitchingLanguageKeepsTheSearch searches, then picks Español in the
// header: the same search comes back in Spanish, and the choice sticks.
func TestSwitchingLanguageKeepsTheSearch(t *testing.T) {
	srv, ctx := adminAt(t, "/listing", "Movies 1–50 of 246")
	do(t, ctx, chromedp.SendKeys(chromedp.ID("q-name"), "star"))
	waitForSummary(t, ctx, "7 movies")
	waitUntil(t, ctx, "the address to carry the search", `location.search === '?name=star'`)

	do(t, ctx, chromedp.Click(chromedp.CSS(".lang-switcher > summary")))
	waitUntil(t, ctx, "the language menu to open", `document.querySelector('.lang-switcher').open`)
	do(t, ctx, chromedp.Click(chromedp.CSS("[data-testid=lang-es]")))

	waitUntil(t, ctx, "a Spanish page", `document.documentElement.lang === 'es'`)
	waitForSummary(t, ctx, "7 películas")
	waitReady(t, ctx, "#search") // a new page: live search works once htmx has started
	if got := eval[string](t, ctx, `document.getElementById('q-name').value`); got != "star" {
		t.Errorf("title field = %q after switching, want star", got)
	}
	q := queryOf(t, currentURL(ctx))
	if q.Get("name") != "star" || q.Get("lang") != "es" {
		t.Errorf("address %s: want the search kept and lang=es", currentURL(ctx))
	}
	if got := eval[string](t, ctx, `document.querySelector('h1').textContent.trim()`); got == "Find a movie" {
		t.Error("the heading is still English")
	}
	if !eval[bool](t, ctx, `[...document.querySelectorAll('.genre-chip span')].some(s => s.textContent === 'Ciencia ficción')`) {
		t.Error("the genre chips are not in Spanish")
	}

	// Live search goes on in Spanish, and the choice outlives the URL.
	do(t, ctx, chromedp.SendKeys(chromedp.ID("q-name"), kb.End+" wars"))
	waitForSummary(t, ctx, "4 películas")
	do(t, ctx, chromedp.Navigate(srv.URL+"/listing?name=godfather"))
	waitUntil(t, ctx, "Spanish after a plain visit", `document.documentElement.lang === 'es'`)
	waitForSummary(t, ctx, "1 película")
}
