package e2e

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
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
			if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
			}); err != nil {
				t.Fatal(err)
			}
			for _, p := range pages {
				do(t, ctx, chromedp.Navigate(srv.URL+p.path), chromedp.WaitVisible(chromedp.CSS(p.ready)))
				// Wait for the icon font, or the picture shows ligature names.
				waitUntil(t, ctx, "fonts", `document.fonts.status === 'loaded'`)
				shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
				if err != nil {
					t.Fatal(err)
				}
				img, err := png.Decode(bytes.NewReader(shot))
				if err != nil {
					t.Fatalf("%s: not a PNG: %v", p.name, err)
				}
				if b := img.Bounds(); int64(b.Dx()) != size.width {
					t.Errorf("%s %s: %dpx wide, want %d", p.name, size.name, b.Dx(), size.width)
				}
				file := filepath.Join(dir, p.name+"-"+size.name+"-"+scheme+".png")
				if err := os.WriteFile(file, shot, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	t.Logf("screenshots in %s", dir)
}
