package e2e

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestScreenshots photographs the main pages at phone and desktop sizes, in
// light and dark mode. `make screenshots` sets SCREENSHOTS_DIR=screenshots so
// that anyone can look at the UI; otherwise the pictures go to a temporary
// folder and the test only checks that they are real images.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("SCREENSHOTS_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	srv := startServer(t)
	pages := []struct{ name, path, ready string }{
		{"listing", "/listing", `[data-testid=summary]`},
		{"search", "/listing?name=star", `[data-testid=summary]`},
		{"genre-page-2", "/listing?genre=Drama&sort=name&p=2&items=10", `[data-testid=summary]`},
		{"no-match", "/listing?name=qqqzzz", `[data-testid=empty]`},
		{"bad-request", "/listing?p=abc", `[data-testid=error]`},
		{"movie", "/movies/4", `[data-testid=more-by]`},
		{"admin", "/admin", `[data-testid=movie-table]`},
		{"accounts", "/admin/accounts", `[data-testid=accounts]`},
	}
	sizes := []struct {
		name          string
		width, height int64
		mobile        bool
	}{{"phone", 390, 844, true}, {"desktop", 1366, 900, false}}
	for _, scheme := range []string{"light", "dark"} {
		for _, size := range sizes {
			ctx := newTab(t)
			var opts []chromedp.EmulateViewportOption
			if size.mobile {
				opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch)
			}
			do(t, ctx, chromedp.EmulateViewport(size.width, size.height, opts...))
			if scheme == "light" {
				shoot(t, ctx, dir, srv.URL+"/login", `[data-testid=login-form]`, "sign-in-"+size.name, size.width)
				shoot(t, ctx, dir, srv.URL+"/signup", `[data-testid=signup-form]`, "sign-up-"+size.name, size.width)
			}
			signIn(t, ctx, srv.URL, adminEmail, adminPassword)
			if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
			}); err != nil {
				t.Fatal(err)
			}
			for _, p := range pages {
				shoot(t, ctx, dir, srv.URL+p.path, p.ready, p.name+"-"+size.name+"-"+scheme, size.width)
			}
			// The autocomplete list, open under the director field.
			shoot(t, ctx, dir, srv.URL+"/listing", `[data-testid=summary]`, "suggest-"+size.name+"-"+scheme, size.width)
			do(t, ctx, chromedp.SendKeys(chromedp.ID("q-director"), "st"))
			waitUntil(t, ctx, "the suggestions", `document.getElementById('q-director').getAttribute('aria-expanded') === 'true'`)
			do(t, ctx, chromedp.SendKeys(chromedp.ID("q-director"), kb.ArrowDown))
			capture(t, ctx, filepath.Join(dir, "suggest-"+size.name+"-"+scheme+".png"), size.width)
			// An edit row, as an admin sees it mid-edit.
			shoot(t, ctx, dir, srv.URL+"/admin?name=psycho", `[data-testid=movie-row]`, "admin-edit-"+size.name+"-"+scheme, size.width)
			clickReady(t, ctx, `[data-testid=edit]`)
			waitUntil(t, ctx, "the edit row", `!!document.querySelector('[data-testid=genre-editor]')`)
			capture(t, ctx, filepath.Join(dir, "admin-edit-"+size.name+"-"+scheme+".png"), size.width)
			if scheme == "light" {
				// Translated pages last: ?lang= is remembered for the rest of the tab.
				shoot(t, ctx, dir, srv.URL+"/listing?name=star&lang=de", `[data-testid=summary]`, "search-de-"+size.name, size.width)
				shoot(t, ctx, dir, srv.URL+"/admin?lang=fr", `[data-testid=movie-table]`, "admin-fr-"+size.name, size.width)
				shoot(t, ctx, dir, srv.URL+"/listing?lang=hi", `[data-testid=summary]`, "listing-hi-"+size.name, size.width)
				do(t, ctx, chromedp.Click(chromedp.CSS(".lang-switcher > summary")))
				waitUntil(t, ctx, "the language menu", `document.querySelector('.lang-switcher').open`)
				capture(t, ctx, filepath.Join(dir, "lang-menu-"+size.name+".png"), size.width)
			}
		}
	}
	t.Logf("screenshots in %s", dir)
}

// shoot loads a page, waits for its content and its fonts, and saves what
// the viewport shows.
func shoot(t *testing.T, ctx context.Context, dir, url, ready, name string, width int64) {
	t.Helper()
	do(t, ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(ready)))
	capture(t, ctx, filepath.Join(dir, name+".png"), width)
}

// capture saves what the viewport shows now.
func capture(t *testing.T, ctx context.Context, file string, width int64) {
	t.Helper()
	name := filepath.Base(file)
	// Wait for the icon font, or the picture shows ligature names.
	waitUntil(t, ctx, "fonts", `document.fonts.status === 'loaded'`)
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("%s: not a PNG: %v", name, err)
	}
	if b := img.Bounds(); int64(b.Dx()) != width {
		t.Errorf("%s: %dpx wide, want %d", name, b.Dx(), width)
	}
	if err := os.WriteFile(file, shot, 0o644); err != nil {
		t.Fatal(err)
	}
}
