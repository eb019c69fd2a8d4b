// Package i18n embeds fimdb's translations, one YAML file per locale, and
// loads them into ctxi18n.
package i18n

import (
	"embed"

	"github.com/invopop/ctxi18n"
)

//go:embed *.yaml
var files embed.FS

// Default is the locale used when nothing better matches the visitor.
const Default = "en"

// Load makes the embedded locales available to ctxi18n, with English as the
// fallback for any key another locale lacks.
func Load() error {
	return ctxi18n.LoadWithDefault(files, Default)
}
