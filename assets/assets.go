// Package assets embeds the front end: fimdb's own CSS and JavaScript, and the
// vendored htmx, Beer CSS (without its web fonts) and Material Symbols SVGs
// that `make assets` copies from npm into static/vendor (they are not
// committed).
package assets

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"sort"
	"sync"
)

//go:embed all:static
var files embed.FS

// Static is the tree served under /static/<Version()>/.
func Static() fs.FS {
	sub, err := fs.Sub(files, "static")
	if err != nil {
		panic(err) // the directory is embedded at build time; absent only if the build is broken
	}
	return sub
}

// Version fingerprints the whole asset tree. Asset URLs carry it as a path
// segment, so files can be cached forever and relative URLs inside the CSS
// keep working.
var Version = sync.OnceValue(func() string {
	h := sha256.New()
	var paths []string
	fs.WalkDir(Static(), ".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			paths = append(paths, path)
		}
		return nil
	})
	sort.Strings(paths)
	for _, p := range paths {
		data, _ := fs.ReadFile(Static(), p)
		h.Write([]byte(p))
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
})

// Path is the URL of the asset at name (such as "app.css").
func Path(name string) string {
	return "/static/" + Version() + "/" + name
}
