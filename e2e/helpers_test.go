package e2e

import (
	"strings"
	"testing"
	"time"

	"context"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// waitTimeout bounds every wait: conditions are polled, never slept on.
const waitTimeout = 15 * time.Second

func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("browser: %v", err)
	}
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// waitUntil evaluates a JavaScript condition every 25 ms until it holds; on
// time-out it reports what the page showed instead. It evaluates afresh each
// time rather than using chromedp.Poll, whose in-page promise can hang when
// Back restores a page from the back-forward cache.
func waitUntil(t *testing.T, ctx context.Context, what, js string) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	var lastErr error
	for time.Now().Before(deadline) {
		attempt, cancel := context.WithTimeout(ctx, 2*time.Second)
		ok, err := chromedp.Run(attempt, chromedp.Evaluate[bool](`!!(`+js+`)`))
		cancel()
		if err == nil && ok {
			return
		}
		lastErr = err
		time.Sleep(25 * time.Millisecond) // polling interval
	}
	t.Fatalf("waiting for %s: not true after %s (last error: %v)\n  address: %s\n  summary: %q",
		what, waitTimeout, lastErr, currentURL(ctx), summaryText(ctx))
}

// waitForSummary waits until the results summary reads exactly want.
func waitForSummary(t *testing.T, ctx context.Context, want string) {
	t.Helper()
	waitUntil(t, ctx, "summary "+want,
		`(document.querySelector('[data-testid=summary]')?.textContent.trim() ?? '') === `+jsString(want))
}

func summaryText(ctx context.Context) string {
	s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('[data-testid=summary]')?.textContent.trim() ?? '(no summary)'`))
	return s
}

// currentURL asks the browser's navigation history, which works even where
// the page runs no JavaScript.
func currentURL(ctx context.Context) string {
	h, err := chromedp.Call(ctx, page.GetNavigationHistory, cdp.Empty{})
	if err != nil || len(h.Entries) == 0 {
		return "(unknown)"
	}
	return h.Entries[h.CurrentIndex].URL
}

func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// markPage leaves a value on window; it survives htmx swaps and is gone
// after a real page load, which is how the tests tell the two apart.
func markPage(t *testing.T, ctx context.Context) {
	t.Helper()
	eval[chromedp.Void](t, ctx, `window.__fimdbMark = 'same page'`)
}

func assertSamePage(t *testing.T, ctx context.Context) {
	t.Helper()
	if got := eval[string](t, ctx, `window.__fimdbMark || 'reloaded'`); got != "same page" {
		t.Errorf("the page was reloaded; live search should swap results in place")
	}
}

func movieNames(t *testing.T, ctx context.Context) []string {
	t.Helper()
	return eval[[]string](t, ctx, `[...document.querySelectorAll('[data-testid=movie-name]')].map(e => e.textContent.trim())`)
}

// goBack and goForward press the browser's buttons. They do not wait for a
// load event: htmx history entries and the back-forward cache restore pages
// without one, so callers wait for what the page shows instead.
func goBack(t *testing.T, ctx context.Context) {
	t.Helper()
	eval[chromedp.Void](t, ctx, `history.back()`)
}

func goForward(t *testing.T, ctx context.Context) {
	t.Helper()
	eval[chromedp.Void](t, ctx, `history.forward()`)
}

// signIn signs the tab in through the sign-in form, as a person does, and
// waits for the page it was sent back to.
func signIn(t *testing.T, ctx context.Context, baseURL, email, password string) {
	t.Helper()
	do(t, ctx,
		chromedp.Navigate(baseURL+"/login"),
		chromedp.WaitVisible(chromedp.ID("f-email")),
		chromedp.SendKeys(chromedp.ID("f-email"), email),
		chromedp.SendKeys(chromedp.ID("f-password"), password),
	)
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`[data-testid=login-submit]`))); err != nil {
		t.Fatalf("signing in: %v", err)
	}
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS(`[data-testid=signed-in-as]`)))
}

// adminAt starts a server, signs a new tab in as its administrator and
// opens path, waiting for its results summary to read summary and for htmx
// to wire its search form.
func adminAt(t *testing.T, path, summary string) (server, context.Context) {
	t.Helper()
	srv := startServer(t)
	ctx := newTab(t)
	signIn(t, ctx, srv.URL, adminEmail, adminPassword)
	do(t, ctx, chromedp.Navigate(srv.URL+path))
	waitForSummary(t, ctx, summary)
	waitReady(t, ctx, "#search")
	return srv, ctx
}

// withLang adds ?lang= to a path, which picks the page's language.
func withLang(path, lang string) string {
	if strings.Contains(path, "?") {
		return path + "&lang=" + lang
	}
	return path + "?lang=" + lang
}

// waitReady waits until htmx has wired the element selector names. An
// element that htmx swapped in (or that a history restore brought back)
// shows at once but does nothing until htmx has processed it when the swap
// settles; the same holds for a whole page until htmx has started. htmx
// marks the elements it has processed, and their forms' submit buttons.
func waitReady(t *testing.T, ctx context.Context, selector string) {
	t.Helper()
	waitUntil(t, ctx, selector+" to be wired by htmx",
		`document.querySelector(`+jsString(selector)+`)?.['htmx-internal-data']?.firstInitCompleted === true`)
}

// clickReady clicks an htmx control once htmx has wired it up.
func clickReady(t *testing.T, ctx context.Context, selector string) {
	t.Helper()
	waitReady(t, ctx, selector)
	do(t, ctx, chromedp.Click(chromedp.CSS(selector)))
}
