package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// axeTags are the rule sets every state must pass: WCAG 2.0 and 2.1, A and
// AA, plus axe's best practices.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"}

// uiState is something a person reaches: a page, or a page after a few
// steps. answers lists the error statuses the state provokes on purpose (a
// 400 page for a bad parameter, a 409 for an edit conflict); any other
// response of 400 or more is a failed request.
type uiState struct {
	name    string
	path    string
	ready   string // a CSS selector that is visible once the state is reached
	answers []answer
	steps   func(t *testing.T, ctx context.Context) // after the page loaded
}

// answer is an error status a state expects from the server for a path.
type answer struct {
	path   string // path and query, as requested
	status int64
}

// anonymousStates are reached signed out.
var anonymousStates = []uiState{
	{name: "sign-in", path: "/login", ready: `[data-testid=login-form]`},
	{name: "sign-in error", path: "/login", ready: `[data-testid=form-error]`,
		answers: []answer{{"/login", 401}},
		steps: func(t *testing.T, ctx context.Context) {
			do(t, ctx,
				chromedp.SendKeys(chromedp.ID("f-email"), "nobody@example.com"),
				chromedp.SendKeys(chromedp.ID("f-password"), "not the password"),
				chromedp.Click(chromedp.CSS(`[data-testid=login-submit]`)),
			)
		}},
	{name: "sign-up", path: "/signup", ready: `[data-testid=signup-form]`},
	{name: "sign-up errors", path: "/signup", ready: `[data-testid=error-password]`,
		answers: []answer{{"/signup", 400}},
		steps: func(t *testing.T, ctx context.Context) {
			do(t, ctx,
				chromedp.SendKeys(chromedp.ID("f-email"), "not-an-email"),
				chromedp.SendKeys(chromedp.ID("f-password"), "short"),
				chromedp.SendKeys(chromedp.ID("f-password_confirm"), "different"),
				chromedp.Click(chromedp.CSS(`[data-testid=signup-submit]`)),
			)
		}},
}

// signedInStates are reached by the administrator, who sees everything a
// viewer sees and more.
var signedInStates = []uiState{
	{name: "listing", path: "/listing", ready: `[data-testid=summary]`},
	{name: "search", path: "/listing?name=star", ready: `[data-testid=summary]`},
	{name: "empty result", path: "/listing?name=qqqzzz", ready: `[data-testid=empty]`},
	{name: "bad parameter", path: "/listing?p=abc", ready: `[data-testid=error]`,
		answers: []answer{{"/listing?p=abc", 400}}},
	{name: "unknown page", path: "/no-such-page", ready: `.error-state`,
		answers: []answer{{"/no-such-page", 404}}},
	{name: "autocomplete open", path: "/listing?items=1", ready: `[data-testid=suggestion]`,
		steps: func(t *testing.T, ctx context.Context) {
			do(t, ctx, chromedp.SendKeys(chromedp.ID("q-director"), "st"))
			waitUntil(t, ctx, "the suggestions", `document.getElementById('q-director').getAttribute('aria-expanded') === 'true'`)
		}},
	{name: "language menu open", path: "/listing?items=1", ready: `.lang-menu`,
		steps: func(t *testing.T, ctx context.Context) {
			do(t, ctx, chromedp.Click(chromedp.CSS(".lang-switcher > summary")))
			waitUntil(t, ctx, "the language menu", `document.querySelector('.lang-switcher').open`)
		}},
	{name: "movie page", path: "/movies/20", ready: `[data-testid=more-by]`},
	{name: "movie page with its history", path: "/movies/20", ready: `[data-testid=history]`,
		steps: func(t *testing.T, ctx context.Context) {
			clickReady(t, ctx, `[data-testid=movie-history-button]`)
		}},
	{name: "admin", path: "/admin", ready: `[data-testid=movie-table]`},
	{name: "history panel", path: "/admin?name=psycho", ready: `[data-testid=history]`,
		steps: func(t *testing.T, ctx context.Context) {
			clickReady(t, ctx, `[data-testid=history-button]`)
		}},
	{name: "edit row", path: "/admin?name=psycho", ready: `[data-testid=edit-row]`,
		steps: func(t *testing.T, ctx context.Context) {
			clickReady(t, ctx, `[data-testid=edit]`)
		}},
	{name: "conflict row", path: "/admin?name=psycho", ready: `[data-testid=conflict]`,
		answers: []answer{{"/manage/update", 409}},
		steps: func(t *testing.T, ctx context.Context) {
			clickReady(t, ctx, `[data-testid=edit]`)
			waitUntil(t, ctx, "the edit row", `!!document.querySelector('[data-testid=edit-row]')`)
			changeMovieElsewhere(t, ctx)
			clickReady(t, ctx, `[data-testid=save]`)
		}},
	{name: "add form", path: "/admin?items=1", ready: `[data-testid=add-form]`,
		steps: func(t *testing.T, ctx context.Context) {
			clickReady(t, ctx, `[data-testid=add]`)
		}},
	{name: "accounts", path: "/admin/accounts", ready: `[data-testid=accounts]`},
}

// changeMovieElsewhere saves the movie of the open edit row behind the
// row's back, as another administrator would, so that Save meets a newer
// version.
func changeMovieElsewhere(t *testing.T, ctx context.Context) {
	t.Helper()
	status, err := chromedp.Run(ctx, chromedp.Evaluate[int](`(async () => {
		const row = document.querySelector('[data-testid=edit-row]');
		const csrf = JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRF-Token'];
		const body = new URLSearchParams({
			id: row.querySelector('input[name=id]').value,
			movie_name: row.querySelector('[data-testid=edit-movie_name]').value,
			director: 'Someone Else',
			chip_genres: row.querySelector('[data-chips-value]').value,
			imdb_score: row.querySelector('[data-testid=edit-imdb_score]').value,
			popularity: row.querySelector('[data-testid=edit-popularity]').value,
		});
		const r = await fetch('/manage/update', {method: 'POST', headers: {'X-CSRF-Token': csrf}, body});
		return r.status;
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("changing the movie elsewhere: %v", err)
	}
	if status != 200 {
		t.Fatalf("changing the movie elsewhere: status %d", status)
	}
}

// TestPagesPassAxeAndKeepAQuietConsole visits every state a person reaches,
// in English, German and Hindi, light and dark, and runs axe-core on each.
// It also fails on anything the browser reports on the way: a console error
// or warning, an uncaught exception, a CSP violation, a failed request.
func TestPagesPassAxeAndKeepAQuietConsole(t *testing.T) {
	axeSource := readAxe(t)
	for _, lang := range []string{"en", "de", "hi"} {
		t.Run(lang, func(t *testing.T) {
			srv := startServer(t) // each language's two failed sign-ins stay under the throttle
			for _, scheme := range []string{"light", "dark"} {
				t.Run(scheme, func(t *testing.T) {
					ctx := newTabWithin(t, 8*time.Minute)
					w := watchConsole(t, ctx)
					setColorScheme(t, ctx, scheme)
					first := true
					visit := func(s uiState) {
						start := time.Now()
						defer func() { t.Logf("%s: checked in %s", s.name, time.Since(start).Round(time.Millisecond)) }()
						path := s.path
						if first {
							path = withLang(path, lang)
							first = false
						}
						w.expect(s.answers)
						do(t, ctx, chromedp.Navigate(srv.URL+path))
						if s.steps != nil {
							s.steps(t, ctx)
						}
						waitUntil(t, ctx, s.name, `document.querySelector(`+jsString(s.ready)+`)?.checkVisibility()`)
						if got := eval[string](t, ctx, `document.documentElement.lang`); got != lang {
							t.Errorf("%s: <html lang=%q>, want %q", s.name, got, lang)
						}
						for _, v := range runAxe(t, ctx, axeSource) {
							t.Errorf("%s (%s, %s): %s", s.name, lang, scheme, v)
						}
						for _, p := range w.problems() {
							t.Errorf("%s (%s, %s): %s", s.name, lang, scheme, p)
						}
					}
					for _, s := range anonymousStates {
						visit(s)
					}
					signIn(t, ctx, srv.URL, adminEmail, adminPassword)
					w.problems() // signing in is covered by the states above
					for _, s := range signedInStates {
						visit(s)
					}
				})
			}
		})
	}
}

func setColorScheme(t *testing.T, ctx context.Context, scheme string) {
	t.Helper()
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
	}); err != nil {
		t.Fatal(err)
	}
}

func readAxe(t *testing.T) string {
	t.Helper()
	file := filepath.Join("..", "node_modules", "axe-core", "axe.min.js")
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("axe-core is missing (%v): run `make assets` (npm ci) first", err)
	}
	return string(src)
}

// axeViolation is what axe-core reports for one rule.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	URL    string   `json:"helpUrl"`
	Nodes  []string `json:"nodes"`
}

func (v axeViolation) String() string {
	return fmt.Sprintf("axe %s (%s): %s\n      at %s\n      see %s", v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n      at "), v.URL)
}

// runAxe injects axe-core into the page (once per document) and runs it.
func runAxe(t *testing.T, ctx context.Context, source string) []axeViolation {
	t.Helper()
	if !eval[bool](t, ctx, `typeof window.axe === 'object'`) {
		eval[chromedp.Void](t, ctx, source)
	}
	tags, _ := json.Marshal(axeTags)
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](`axe.run(document, {runOnly: {type: 'tag', values: `+string(tags)+`}})
		.then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
			nodes: v.nodes.map(n => n.target.join(' ') + '  ' + n.html.slice(0, 160))})))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("running axe: %v", err)
	}
	var vs []axeViolation
	if err := json.Unmarshal(raw, &vs); err != nil {
		t.Fatalf("axe's answer: %v", err)
	}
	return vs
}

// consoleWatch collects what the browser reports about a tab's pages.
type consoleWatch struct {
	mu       sync.Mutex
	found    []string
	expected []answer
	allowed  map[string]bool // URLs whose error status was expected
}

func watchConsole(t *testing.T, ctx context.Context) *consoleWatch {
	t.Helper()
	w := &consoleWatch{allowed: map[string]bool{}}
	err := chromedp.Listen(ctx, func(ev any) {
		w.mu.Lock()
		defer w.mu.Unlock()
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning || e.Type == runtime.ConsoleAPICalledTypeAssert {
				w.found = append(w.found, fmt.Sprintf("console.%s: %s", e.Type, consoleArgs(e.Args)))
			}
		case *runtime.EventExceptionThrown:
			w.found = append(w.found, "uncaught exception: "+exceptionText(e.ExceptionDetails))
		case *log.EventEntryAdded:
			if e.Entry.Level != log.EntryLevelError && e.Entry.Level != log.EntryLevelWarning {
				return
			}
			if e.Entry.Source == log.EntrySourceNetwork && w.allowed[e.Entry.URL] {
				return
			}
			w.found = append(w.found, fmt.Sprintf("browser %s (%s): %s %s", e.Entry.Level, e.Entry.Source, e.Entry.Text, e.Entry.URL))
		case *network.EventLoadingFailed:
			if !e.Canceled { // htmx cancels a search that a newer keystroke replaced
				w.found = append(w.found, fmt.Sprintf("request failed (%s): %s %s", e.Type, e.ErrorText, e.BlockedReason))
			}
		case *network.EventResponseReceived:
			if e.Response.Status < 400 {
				return
			}
			if w.isExpected(e.Response.URL, e.Response.Status) {
				w.allowed[e.Response.URL] = true
				return
			}
			w.found = append(w.found, fmt.Sprintf("response %d for %s", e.Response.Status, e.Response.URL))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// expect sets the error answers the next state provokes on purpose.
func (w *consoleWatch) expect(answers []answer) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.expected = answers
}

func (w *consoleWatch) isExpected(raw string, status int64) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	for _, a := range w.expected {
		if a.status == status && a.path == u.RequestURI() {
			return true
		}
	}
	return false
}

// problems returns what was found since the last call.
func (w *consoleWatch) problems() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	found := w.found
	w.found = nil
	return found
}

func consoleArgs(args []*runtime.RemoteObject) string {
	var parts []string
	for _, a := range args {
		if len(a.Value) > 0 {
			parts = append(parts, string(a.Value))
		} else {
			parts = append(parts, a.Description)
		}
	}
	return strings.Join(parts, " ")
}

func exceptionText(d *runtime.ExceptionDetails) string {
	if d.Exception != nil && d.Exception.Description != "" {
		return d.Exception.Description
	}
	return d.Text
}
