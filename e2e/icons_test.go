package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestIconsAreInlineSVGs: the icons are SVGs inside the page, sized by Beer
// CSS like the icon font's glyphs were, and no page declares or loads a font
// or anything from another origin. A genre chip added by app.js gets its
// remove icon the same way.
func TestIconsAreInlineSVGs(t *testing.T) {
	srv, ctx := adminAt(t, "/admin?name=psycho", "1 movie")
	check := func(page string) {
		t.Helper()
		if bad := eval[[]string](t, ctx, `[...document.querySelectorAll('i')]
			.filter(i => i.textContent.trim() !== '' || !i.querySelector(':scope > svg[viewBox] > path'))
			.map(i => i.outerHTML)`); len(bad) > 0 {
			t.Errorf("%s: icons that are not an SVG: %q", page, bad)
		}
		if bad := eval[[]string](t, ctx, `[...document.querySelectorAll('i > svg')]
			.filter(s => s.checkVisibility())
			.map(s => s.getBoundingClientRect())
			.filter(r => r.width < 16 || r.width > 40 || r.width !== r.height)
			.map(r => r.width + 'x' + r.height)`); len(bad) > 0 {
			t.Errorf("%s: icons drawn at odd sizes: %v", page, bad)
		}
		if n := eval[int](t, ctx, `document.fonts.size`); n != 0 {
			t.Errorf("%s: %d web fonts declared", page, n)
		}
		if bad := eval[[]string](t, ctx, `performance.getEntriesByType('resource').map(e => e.name)
			.filter(n => !n.startsWith(location.origin + '/') || /\.(woff2?|ttf|otf)$/.test(n))`); len(bad) > 0 {
			t.Errorf("%s: loaded %q", page, bad)
		}
	}
	check("/admin")
	for _, path := range []string{"/listing", "/listing?name=qqqzzz"} {
		do(t, ctx, chromedp.Navigate(srv.URL+path))
		waitUntil(t, ctx, path+" to load", `document.readyState === 'complete'`)
		check(path)
	}

	// The chip editor: app.js copies the remove icon from the server's <template>.
	do(t, ctx, chromedp.Navigate(srv.URL+"/admin?name=psycho"))
	waitForSummary(t, ctx, "1 movie")
	clickReady(t, ctx, `[data-testid=edit]`)
	waitUntil(t, ctx, "the edit row", `!!document.querySelector('[data-testid=genre-input]')`)
	do(t, ctx, chromedp.SendKeys(chromedp.CSS(`[data-testid=genre-input]`), "Crime"+kb.Enter))
	waitUntil(t, ctx, "the Crime chip's remove icon", `!!document.querySelector('[data-chip="Crime"] [data-chip-remove] > i[aria-hidden=true] > svg > path')`)
	check("/admin, editing")

	// Signed out: the sign-in page.
	ctx = newTab(t)
	do(t, ctx, chromedp.Navigate(srv.URL+"/login"))
	waitUntil(t, ctx, "/login to load", `document.readyState === 'complete'`)
	check("/login")
}
