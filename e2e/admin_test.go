package e2e

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// answerDialogs answers every confirm() of the tab with the value of
// accept at that moment, and counts them.
func answerDialogs(ctx context.Context, accept *atomic.Bool, seen *atomic.Int32) {
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			seen.Add(1)
			chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: accept.Load()})
		}
	}()
}

func TestAdminDeletesAMovieAfterConfirming(t *testing.T) {
	srv := startServer(t)
	ctx := newTab(t)
	var accept atomic.Bool
	var seen atomic.Int32
	answerDialogs(ctx, &accept, &seen)
	signIn(t, ctx, srv.URL, adminEmail, adminPassword)
	do(t, ctx, chromedp.Navigate(srv.URL+"/admin?genre=War&sort=name"))
	waitForSummary(t, ctx, "21 movies")
	first := eval[string](t, ctx, `document.querySelector('[data-testid=movie-row] [data-testid=movie-name]').textContent`)

	// Saying no to the question keeps the movie: the page, reloaded from
	// the server, still has all 21.
	clickReady(t, ctx, `[data-testid=movie-row] [data-testid=delete]`)
	// confirm() blocks the page's JavaScript, so this returns once it is answered.
	eval[chromedp.Void](t, ctx, `0`)
	if seen.Load() != 1 {
		t.Fatalf("%d confirmations asked, want 1", seen.Load())
	}
	do(t, ctx, chromedp.Reload())
	waitForSummary(t, ctx, "21 movies")
	if got := eval[string](t, ctx, `document.querySelector('[data-testid=movie-row] [data-testid=movie-name]').textContent`); got != first {
		t.Fatalf("after No the first row is %q, want %q", got, first)
	}
	markPage(t, ctx)

	// Saying yes removes it, and the count follows without a page load.
	accept.Store(true)
	clickReady(t, ctx, `[data-testid=movie-row] [data-testid=delete]`)
	waitForSummary(t, ctx, "20 movies")
	assertSamePage(t, ctx)
	names := eval[[]string](t, ctx, `[...document.querySelectorAll('[data-testid=movie-row] [data-testid=movie-name]')].map(e => e.textContent)`)
	for _, n := range names {
		if n == first {
			t.Errorf("%q is still in the table", first)
		}
	}
	if seen.Load() < 2 {
		t.Errorf("%d confirmations asked, want 2", seen.Load())
	}

	// The catalog no longer has it either.
	do(t, ctx, chromedp.Navigate(srv.URL+"/listing?genre=War"))
	waitForSummary(t, ctx, "20 movies")
	if strings.Contains(strings.Join(movieNames(t, ctx), "|"), first) {
		t.Errorf("%q still listed", first)
	}
}

// deleteFirstWar opens the War movies as an administrator who says yes to
// every confirmation, deletes the first, and waits for the Undo toast. It
// returns the deleted movie's name.
func deleteFirstWar(t *testing.T, ctx context.Context, baseURL string, before ...string) string {
	t.Helper()
	var accept atomic.Bool
	var seen atomic.Int32
	accept.Store(true)
	answerDialogs(ctx, &accept, &seen)
	signIn(t, ctx, baseURL, adminEmail, adminPassword)
	do(t, ctx, chromedp.Navigate(baseURL+"/admin?genre=War&sort=name"))
	waitForSummary(t, ctx, "21 movies")
	for _, js := range before {
		eval[chromedp.Void](t, ctx, js)
	}
	markPage(t, ctx)
	first := eval[string](t, ctx, `document.querySelector('[data-testid=movie-row] [data-testid=movie-name]').textContent`)
	clickReady(t, ctx, `[data-testid=movie-row] [data-testid=delete]`)
	waitForSummary(t, ctx, "20 movies")
	waitUntil(t, ctx, "the Undo toast", `document.querySelector('[data-testid=undo-toast].active')?.textContent.includes('was deleted')`)
	return first
}

const toastClosed = `!document.querySelector('[data-testid=undo-toast].active') && !document.querySelector('[data-testid=undo]')`

func TestAdminUndoesADelete(t *testing.T) {
	srv := startServer(t)
	ctx := newTab(t)
	// What a click at the Undo button's middle hits, asked in the same
	// task in which the toast is shown, before any animation frame.
	first := deleteFirstWar(t, ctx, srv.URL, `{
		const toast = document.querySelector('[data-testid=undo-toast]');
		new MutationObserver(() => {
			const undo = document.querySelector('[data-testid=undo]');
			if (!toast.classList.contains('active') || !undo || window.__hitOnShow) return;
			const r = undo.getBoundingClientRect();
			const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
			window.__hitOnShow = undo.contains(hit) ? 'the Undo button' : hit?.tagName ?? 'nothing';
		}).observe(toast, {attributes: true, attributeFilter: ['class']});
	}`)
	if got := eval[string](t, ctx, `window.__hitOnShow`); got != "the Undo button" {
		t.Errorf("a click on Undo as the toast shows hits %s, want the Undo button", got)
	}
	if got := eval[string](t, ctx, `document.querySelector('[data-testid=undo-toast]').dataset.closeAfter`); got != "8000" {
		t.Errorf("the toast closes after %q ms, want 8000", got)
	}
	clickReady(t, ctx, `[data-testid=undo]`)
	waitForSummary(t, ctx, "21 movies")
	if got := eval[string](t, ctx, `document.querySelector('[data-testid=movie-row] [data-testid=movie-name]').textContent`); got != first {
		t.Errorf("after Undo the first row is %q, want %q", got, first)
	}
	waitUntil(t, ctx, "the toast to close", toastClosed)
	assertSamePage(t, ctx)
}

// TestAdminUndoToastClosesByItself shortens the toast's time through the
// attribute the product reads (8 s as served) and waits for it to close.
func TestAdminUndoToastClosesByItself(t *testing.T) {
	srv := startServer(t)
	ctx := newTab(t)
	deleteFirstWar(t, ctx, srv.URL, `{
		const toast = document.querySelector('[data-testid=undo-toast]');
		toast.dataset.closeAfter = '400';
		// Capturing on window runs before the page's own htmx:load listener
		// starts the countdown, so the time measured is never short of it.
		window.addEventListener('htmx:load', e => { if (e.target.id === 'undo') window.__shownAt = performance.now() }, true);
		new MutationObserver(() => { if (!toast.classList.contains('active')) window.__hiddenAt = performance.now() })
			.observe(toast, {attributes: true, attributeFilter: ['class']});
	}`)
	waitUntil(t, ctx, "the toast to close by itself", toastClosed)
	if open := eval[float64](t, ctx, `window.__hiddenAt - window.__shownAt`); !(open >= 399) {
		t.Errorf("the toast was open for %.0f ms, want 400", open)
	}
	waitForSummary(t, ctx, "20 movies")
	assertSamePage(t, ctx)
}

// TestAdminUndoToastStaysWhileUsed: the pointer over the toast, or focus on
// Undo, stops its countdown; it starts again when they leave.
func TestAdminUndoToastStaysWhileUsed(t *testing.T) {
	srv := startServer(t)
	ctx := newTab(t)
	// The first countdown is long enough to reach the toast; once held, it
	// is made short.
	deleteFirstWar(t, ctx, srv.URL, `document.querySelector('[data-testid=undo-toast]').dataset.closeAfter = '60000'`)
	waitUntil(t, ctx, "the toast", `document.querySelector('[data-testid=undo-toast].active [data-testid=undo]')`)
	// Focus holds it for well past its countdown ...
	eval[chromedp.Void](t, ctx, `document.querySelector('[data-testid=undo]').focus();
		document.querySelector('[data-testid=undo-toast]').dataset.closeAfter = '300';
		window.__heldAt = performance.now()`)
	waitUntil(t, ctx, "a second with focus on Undo", `performance.now() - window.__heldAt > 1000`)
	if !eval[bool](t, ctx, `document.querySelector('[data-testid=undo-toast]').classList.contains('active')`) {
		t.Fatal("the toast closed while Undo had focus")
	}
	// ... and so does the pointer: moving it there, then focus away.
	box := eval[[]float64](t, ctx, `(r => [r.x + r.width / 2, r.y + r.height / 2])(document.querySelector('[data-testid=undo-toast]').getBoundingClientRect())`)
	do(t, ctx, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, box[0], box[1]))
	eval[chromedp.Void](t, ctx, `document.activeElement.blur(); window.__heldAt = performance.now()`)
	waitUntil(t, ctx, "a second with the pointer on the toast", `performance.now() - window.__heldAt > 1000`)
	if !eval[bool](t, ctx, `document.querySelector('[data-testid=undo-toast]').classList.contains('active')`) {
		t.Fatal("the toast closed under the pointer")
	}
	// Once both have left, it counts down and closes.
	do(t, ctx, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, 5, 5))
	waitUntil(t, ctx, "the toast to close once left alone", toastClosed)
}

// TestAdminUndoBeforeHtmxWiresIt clicks an Undo that htmx has not wired (a
// copy of the toast's form, as a click before the swap settles finds it):
// the browser posts the form itself, and the server sends it back to the
// table with the search kept.
func TestAdminUndoBeforeHtmxWiresIt(t *testing.T) {
	srv := startServer(t)
	ctx := newTab(t)
	first := deleteFirstWar(t, ctx, srv.URL)
	eval[chromedp.Void](t, ctx, `{ const f = document.querySelector('[data-testid=undo-form]'); f.replaceWith(f.cloneNode(true)) }`)
	if eval[bool](t, ctx, `!!document.querySelector('[data-testid=undo-form]')['htmx-internal-data']`) {
		t.Fatal("the copied form is wired by htmx")
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`[data-testid=undo]`))); err != nil {
		t.Fatalf("posting the Undo form: %v", err)
	}
	waitForSummary(t, ctx, "21 movies")
	if got := eval[string](t, ctx, `window.__fimdbMark || 'reloaded'`); got != "reloaded" {
		t.Error("the page was not loaded again: htmx posted the form")
	}
	if got := eval[string](t, ctx, `location.pathname`); got != "/admin" {
		t.Errorf("after Undo the page is %s, want /admin", got)
	}
	if q := queryOf(t, currentURL(ctx)); q.Get("genre") != "War" || q.Get("sort") != "name" {
		t.Errorf("after Undo the address is %s, want the search kept", currentURL(ctx))
	}
	if got := eval[string](t, ctx, `document.querySelector('[data-testid=movie-row] [data-testid=movie-name]').textContent`); got != first {
		t.Errorf("after Undo the first row is %q, want %q", got, first)
	}
}

// TestAdminUndoLandsAfterASearch holds the Undo's request in the browser
// while a search replaces the table, then lets it go: the restored movie
// must show in the table of the search now on screen.
func TestAdminUndoLandsAfterASearch(t *testing.T) {
	srv := startServer(t)
	ctx := newTab(t)
	first := deleteFirstWar(t, ctx, srv.URL) // All Quiet on the Western Front, by Lewis Milestone
	paused := chromedp.Events(ctx, fetch.RequestPaused)
	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*/manage/restore/*"}}}); err != nil {
		t.Fatal(err)
	}
	clickReady(t, ctx, `[data-testid=undo]`)
	var held fetch.EventRequestPaused
	for ev, err := range paused {
		if err != nil {
			t.Fatalf("waiting for the Undo request: %v", err)
		}
		held = ev
		break
	}

	do(t, ctx, chromedp.SendKeys(chromedp.ID("q-director"), "milestone"))
	waitUntil(t, ctx, "the empty state", `!!document.querySelector('[data-testid=empty]')`)
	if _, err := chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: held.RequestID}); err != nil {
		t.Fatal(err)
	}
	waitForSummary(t, ctx, "1 movie")
	if names := movieNames(t, ctx); len(names) != 1 || names[0] != first {
		t.Errorf("after Undo the table shows %v, want %q", names, first)
	}
	if q := queryOf(t, currentURL(ctx)); q.Get("director") != "milestone" {
		t.Errorf("address %s, want the search on screen", currentURL(ctx))
	}
	waitUntil(t, ctx, "the toast to close", toastClosed)
	assertSamePage(t, ctx)
}

func TestAdminEditsARowInPlace(t *testing.T) {
	srv, ctx := adminAt(t, "/admin?name=psycho", "1 movie")
	markPage(t, ctx)

	// Escape gives the row back untouched.
	clickReady(t, ctx, `[data-testid=edit]`)
	// Escape clicks the row's Cancel, so htmx must have wired it.
	waitReady(t, ctx, `[data-testid=cancel]`)
	do(t, ctx, chromedp.SendKeys(chromedp.CSS(`[data-testid=edit-movie_name]`), " (changed)"),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=edit-movie_name]`), kb.Escape))
	waitUntil(t, ctx, "the plain row", `document.querySelector('[data-testid=movie-row] [data-testid=movie-name]')?.textContent === 'Psycho'`)

	// A bad value is explained beside its field and what was typed stays.
	clickReady(t, ctx, `[data-testid=edit]`)
	waitUntil(t, ctx, "the edit row", `!!document.querySelector('[data-testid=edit-imdb_score]')`)
	eval[chromedp.Void](t, ctx, `document.querySelector('[data-testid=edit-imdb_score]').value = '12'`)
	do(t, ctx, chromedp.SetValue(chromedp.CSS(`[data-testid=edit-director]`), "Alfred Hitchcock Jr."))
	clickReady(t, ctx, `[data-testid=save]`)
	waitUntil(t, ctx, "the error beside the score", `document.querySelector('[data-testid=edit-error-imdb_score]')?.textContent.includes('between 0 and 10')`)
	if v := eval[string](t, ctx, `document.querySelector('[data-testid=edit-director]').value`); v != "Alfred Hitchcock Jr." {
		t.Errorf("director after the error = %q", v)
	}

	// A good value saves, and the row comes back with it; one genre chip is
	// removed with its button and one added from the keyboard.
	eval[chromedp.Void](t, ctx, `document.querySelector('[data-testid=edit-imdb_score]').value = '9.1'`)
	do(t, ctx, chromedp.Click(chromedp.CSS(`[data-chip="Horror"] [data-chip-remove]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=genre-input]`), "Crime"+kb.Enter))
	clickReady(t, ctx, `[data-testid=save]`)
	waitUntil(t, ctx, "the saved row", `document.querySelector('[data-testid=movie-row]')?.textContent.includes('9.1')`)
	assertSamePage(t, ctx)

	// The catalog shows the change at once.
	do(t, ctx, chromedp.Navigate(srv.URL+"/listing?name=psycho"))
	waitForSummary(t, ctx, "1 movie")
	if got := eval[string](t, ctx, `document.querySelector('[data-testid=movie-score]').textContent`); got != "9.1" {
		t.Errorf("listing score = %q, want 9.1", got)
	}
	if got := eval[string](t, ctx, `document.querySelector('[data-testid=movie-director]').textContent`); got != "Alfred Hitchcock Jr." {
		t.Errorf("listing director = %q", got)
	}
	if got := eval[string](t, ctx, `[...document.querySelectorAll('[data-testid=movie-genres] li')].map(e => e.textContent).join(', ')`); got != "Crime, Mystery, Thriller" {
		t.Errorf("listing genres = %q, want Crime, Mystery, Thriller", got)
	}
}

func TestAdminAddsAMovieAndViewersFindIt(t *testing.T) {
	srv, ctx := adminAt(t, "/admin", "Movies 1–50 of 246")
	clickReady(t, ctx, `[data-testid=add]`)
	waitUntil(t, ctx, "the add form", `!!document.querySelector('[data-testid=add-form] [data-testid=edit-movie_name]')`)
	do(t, ctx,
		chromedp.SendKeys(chromedp.CSS(`[data-testid=add-form] [data-testid=edit-movie_name]`), "Amélie"),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=add-form] [data-testid=edit-director]`), "Jean-Pierre Jeunet"),
		// Genres are chips: Enter or a comma turns what was typed into one.
		chromedp.SendKeys(chromedp.CSS(`[data-testid=add-form] [data-testid=genre-input]`), "Comedy"+kb.Enter+"romance,comedy,"),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=add-form] [data-testid=edit-imdb_score]`), "8.3"),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=add-form] [data-testid=edit-popularity]`), "83"),
	)
	// The form's own Idempotency-Key goes with Save, beside the CSRF token.
	eval[bool](t, ctx, `document.body.addEventListener('htmx:configRequest', e => {
		if (e.detail.path === '/manage/add') window.addHeaders = e.detail.headers
	}) === undefined`)
	clickReady(t, ctx, `[data-testid=add-save]`)
	waitUntil(t, ctx, "the confirmation", `document.querySelector('[data-testid=added]')?.textContent.includes('Amélie')`)
	if ok := eval[bool](t, ctx, `/^add-[0-9a-f]{32}$/.test(window.addHeaders?.['Idempotency-Key']) && !!window.addHeaders?.['X-CSRF-Token']`); !ok {
		t.Errorf("Save sent %v, want an Idempotency-Key of the form and the CSRF token", eval[any](t, ctx, `window.addHeaders`))
	}
	waitUntil(t, ctx, "the new row", `document.querySelector('[data-testid=added-rows] [data-testid=movie-name]')?.textContent === 'Amélie'`)
	// "romance" takes the catalog's spelling; the repeated "comedy" is dropped.
	if genres := eval[string](t, ctx, `document.querySelector('[data-testid=added-rows] tr td:nth-child(3)').textContent.replace(/\s+/g, ' ').trim()`); genres != "Comedy, Romance" {
		t.Errorf("genres of the new row = %q, want Comedy, Romance", genres)
	}

	// A viewer's live search finds it, accents or not.
	do(t, ctx, chromedp.Navigate(srv.URL+"/listing"))
	waitForSummary(t, ctx, "Movies 1–50 of 247")
	do(t, ctx, chromedp.SendKeys(chromedp.ID("q-name"), "amel"))
	waitForSummary(t, ctx, "1 movie")
	if names := movieNames(t, ctx); len(names) != 1 || names[0] != "Amélie" {
		t.Errorf("search amel = %v", names)
	}
}

// TestAdminDeleteStaysOnItsPage: deleting a row on page 3 shows page 3
// again, one movie shorter, and so does Undo.
func TestAdminDeleteStaysOnItsPage(t *testing.T) {
	srv := startServer(t)
	ctx := newTab(t)
	var accept atomic.Bool
	var seen atomic.Int32
	accept.Store(true)
	answerDialogs(ctx, &accept, &seen)
	signIn(t, ctx, srv.URL, adminEmail, adminPassword)
	do(t, ctx, chromedp.Navigate(srv.URL+"/admin?sort=name&items=10&p=3"))
	waitForSummary(t, ctx, "Movies 21–30 of 246")
	waitReady(t, ctx, `#search`)
	markPage(t, ctx)
	clickReady(t, ctx, `[data-testid=movie-row] [data-testid=delete]`)
	waitForSummary(t, ctx, "Movies 21–30 of 245")
	clickReady(t, ctx, `[data-testid=undo]`)
	waitForSummary(t, ctx, "Movies 21–30 of 246")
	assertSamePage(t, ctx)
}
