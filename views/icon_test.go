package views

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var (
	iconCall    = regexp.MustCompile(`\bIcon\(([^,)]*)`)
	iconLiteral = regexp.MustCompile(`^"([a-z0-9_-]+)"$`)
	// An <i> holding a word is an icon font ligature, which fimdb no longer ships.
	ligature = regexp.MustCompile(`<i\b[^>]*>\s*[a-z_]+\s*</i>`)
)

// iconSources are the files that may draw icons: the templ sources, the
// hand-written Go beside them, and the JavaScript that builds markup.
func iconSources(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, pattern := range []string{"*.templ", "*.go", "../assets/static/*.js"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range m {
			if !strings.HasSuffix(f, "_templ.go") && !strings.HasSuffix(f, "_test.go") && f != "icon.go" {
				files = append(files, f)
			}
		}
	}
	return files
}

// usedIcons returns every icon the sources name, failing on an Icon call
// whose name is not a literal (the check below could not see it) and on a
// leftover icon font ligature.
func usedIcons(t *testing.T) map[string][]string {
	t.Helper()
	used := map[string][]string{}
	for _, f := range iconSources(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src := string(data)
		for _, m := range iconCall.FindAllStringSubmatch(src, -1) {
			lit := iconLiteral.FindStringSubmatch(strings.TrimSpace(m[1]))
			if lit == nil {
				t.Errorf("%s: Icon(%s…): name icons with a string literal, so this test can check they are shipped", f, m[1])
				continue
			}
			used[lit[1]] = append(used[lit[1]], f)
		}
		for _, m := range ligature.FindAllString(src, -1) {
			t.Errorf("%s: %s is an icon font ligature; there is no icon font: use @Icon(name)", f, m)
		}
	}
	return used
}

// makefileIcons reads the ICONS list, the one place that says what is shipped.
func makefileIcons(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile("../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^ICONS\s*:=((?:.*\\\n)*.*)$`).FindStringSubmatch(string(data))
	if m == nil {
		t.Fatal("Makefile has no ICONS := list")
	}
	return strings.Fields(strings.ReplaceAll(m[1], `\`, " "))
}

func TestEveryIconUsedIsShipped(t *testing.T) {
	shipped := IconNames()
	if len(shipped) == 0 {
		t.Fatal("no icons embedded under assets/static/" + iconDir + ": run `make assets`")
	}
	listed := makefileIcons(t)
	used := usedIcons(t)
	for name, files := range used {
		if !slices.Contains(listed, name) {
			t.Errorf("icon %q (used in %s) is not in the Makefile's ICONS: add it", name, strings.Join(slices.Compact(files), ", "))
		} else if !slices.Contains(shipped, name) {
			t.Errorf("icon %q (used in %s) is listed but not embedded: run `make assets`", name, strings.Join(slices.Compact(files), ", "))
		}
	}
	for _, name := range listed {
		if used[name] == nil {
			t.Errorf("icon %q is in the Makefile's ICONS but no view uses it: drop it", name)
		}
	}
	for _, name := range shipped {
		if !slices.Contains(listed, name) {
			t.Errorf("icon %q is embedded but not in the Makefile's ICONS: run `make assets` to drop it", name)
		}
	}
}

func TestIconMarkup(t *testing.T) {
	render := func(name string, class ...string) string {
		var b strings.Builder
		if err := Icon(name, class...).Render(context.Background(), &b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	if len(IconNames()) == 0 {
		t.Skip("no icons embedded: run `make assets`")
	}
	for _, name := range IconNames() {
		got := render(name)
		if !strings.HasPrefix(got, `<i aria-hidden="true"><svg viewBox="0 -960 960 960"><path d="`) || !strings.HasSuffix(got, `</svg></i>`) {
			t.Errorf("Icon(%q) = %s", name, got)
		}
		if strings.Contains(got, "xmlns") || strings.Contains(got, "width=") {
			t.Errorf("Icon(%q) keeps attributes the page does not need: %s", name, got)
		}
	}
	if got := render("star-fill", "small fill"); !strings.HasPrefix(got, `<i class="small fill" aria-hidden="true"><svg `) {
		t.Errorf("with classes: %s", got)
	}
	if got := render("no-such-icon"); got != `<i aria-hidden="true"></i>` {
		t.Errorf("unknown icon: %s", got)
	}
}

func TestInlineSVG(t *testing.T) {
	tests := []struct{ file, want string }{
		{`<svg xmlns="http://www.w3.org/2000/svg" width="48" height="48" viewBox="0 -960 960 960"><path d="M1 2Z"/></svg>` + "\n",
			`<svg viewBox="0 -960 960 960"><path d="M1 2Z"/></svg>`},
		{`<svg width="48"><path d="M1 2Z"/></svg>`, ""},
		{`<?xml version="1.0"?><svg viewBox="0 0 1 1"></svg>`, ""},
		{`<svg viewBox="0 0 1 1"><path d="M1 2Z"/>`, ""},
	}
	for _, tt := range tests {
		got, ok := inlineSVG(tt.file)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("inlineSVG(%q) = %q, %v; want %q", tt.file, got, ok, tt.want)
		}
	}
}
