package views

import (
	"context"
	"html"
	"io"
	"io/fs"
	"path"
	"regexp"
	"strings"
	"sync"

	"fimdb/assets"

	"github.com/a-h/templ"
)

// iconDir holds the Material Symbols SVGs that `make assets` copies from npm
// (the Makefile's ICONS list names them).
const iconDir = "vendor/icons"

var viewBoxAttr = regexp.MustCompile(`\sviewBox="([^"]*)"`)

// icons maps each shipped icon's name to its inline SVG, reduced to what a
// page needs: the viewBox and the shapes (Beer CSS sizes an svg inside <i>
// and fills it with the text colour).
var icons = sync.OnceValue(func() map[string]string {
	out := map[string]string{}
	files, _ := fs.Glob(assets.Static(), iconDir+"/*.svg")
	for _, f := range files {
		data, err := fs.ReadFile(assets.Static(), f)
		if err != nil {
			continue
		}
		if svg, ok := inlineSVG(string(data)); ok {
			out[strings.TrimSuffix(path.Base(f), ".svg")] = svg
		}
	}
	return out
})

// inlineSVG turns an SVG file into markup for an HTML page: the start tag
// keeps only its viewBox (no xmlns, width or height), the shapes stay as
// they are.
func inlineSVG(file string) (string, bool) {
	file = strings.TrimSpace(file)
	start, end := strings.Index(file, "<svg"), strings.Index(file, ">")
	if start != 0 || end < 0 || !strings.HasSuffix(file, "</svg>") {
		return "", false
	}
	vb := viewBoxAttr.FindStringSubmatch(file[:end])
	if vb == nil {
		return "", false
	}
	body := file[end+1:]
	return `<svg viewBox="` + vb[1] + `">` + body, true
}

// IconNames lists the icons the binary ships.
func IconNames() []string {
	names := make([]string, 0, len(icons()))
	for n := range icons() {
		names = append(names, n)
	}
	return names
}

// Icon draws the Material Symbol name (outlined; "star-fill" is the filled
// star) as <i aria-hidden="true"><svg>…</svg></i>, with optional classes for
// Beer CSS's sizes ("small", "extra"). Icons are decorative: the control
// around them carries the words. Name a literal here, and list it in the
// Makefile's ICONS (a test checks both); an icon that is not shipped draws
// an empty <i>.
func Icon(name string, class ...string) templ.Component {
	open := `<i aria-hidden="true">`
	if len(class) > 0 {
		open = `<i class="` + html.EscapeString(strings.Join(class, " ")) + `" aria-hidden="true">`
	}
	// Written in three pieces: joining them cost an allocation the size of
	// the SVG for each of the dozens of icons on a page.
	svg := icons()[name]
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		for _, s := range [...]string{open, svg, `</i>`} {
			if _, err := io.WriteString(w, s); err != nil {
				return err
			}
		}
		return nil
	})
}
