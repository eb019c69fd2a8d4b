package assets

import (
	"io/fs"
	"path"
	"strings"
	"testing"
)

// TestNothingRemote: a self-hosted app never reaches out, so nothing that is
// embedded names a CDN or another origin, and no web font is shipped (the
// icons are inline SVG; text uses the system's fonts).
func TestNothingRemote(t *testing.T) {
	if _, err := fs.Stat(Static(), "vendor/beer.min.css"); err != nil {
		t.Fatal("vendor files missing: run `make assets`")
	}
	fs.WalkDir(Static(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch path.Ext(p) {
		case ".woff", ".woff2", ".ttf", ".otf":
			t.Errorf("%s: a font is embedded", p)
		}
		data, err := fs.ReadFile(Static(), p)
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"https://", "jsdelivr", "@font-face"} {
			if i := strings.Index(string(data), bad); i >= 0 {
				t.Errorf("%s holds %q: …%s…", p, bad, data[max(0, i-40):min(len(data), i+80)])
			}
		}
		return nil
	})
}
