// Package i18n embeds fimdb's translations, one YAML file per locale, and
// loads them into ctxi18n.
package i18n

import (
	"context"
	"embed"
	"sync"

	"github.com/invopop/ctxi18n"
)

//go:embed *.yaml
var files embed.FS

// Default is the locale used when nothing better matches the visitor.
const Default = "en"

// Load makes the embedded locales available to ctxi18n, with English as the
// fallback for any key another locale lacks. Only the first call loads.
func Load() error { return load() }

var load = sync.OnceValue(func() error {
	return ctxi18n.LoadWithDefault(files, Default)
})

// Context returns ctx speaking the default locale, for messages outside an
// HTTP request (the command line).
func Context(ctx context.Context) context.Context {
	if err := Load(); err != nil {
		return ctx
	}
	if out, err := ctxi18n.WithLocale(ctx, Default); err == nil {
		return out
	}
	return ctx
}
