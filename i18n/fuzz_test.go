package i18n

import (
	"slices"
	"testing"
)

// FuzzNegotiate: whatever a client sends as ?lang=, cookie and
// Accept-Language, the answer is a locale fimdb has, and ?lang= or the
// cookie wins when it names one.
func FuzzNegotiate(f *testing.F) {
	for _, seed := range [][3]string{
		{"", "", ""},
		{"de", "", "fr"},
		{"", "hi", "es;q=0.5,fr;q=0.9"},
		{"xx", "", "de-AT,de;q=0.9,en;q=0.8"},
		{"", "", "*;q=0,fr;q=abc,,;;,es-419"},
		{"ES", "", "zh-Hant-TW;q=1.0, en-GB;q=0.3"},
	} {
		f.Add(seed[0], seed[1], seed[2])
	}
	codes := make([]string, len(Languages))
	for i, l := range Languages {
		codes[i] = l.Code
	}
	f.Fuzz(func(t *testing.T, query, cookie, accept string) {
		got := Negotiate(query, cookie, accept)
		if !slices.Contains(codes, got) {
			t.Fatalf("Negotiate(%q, %q, %q) = %q, not one of %v", query, cookie, accept, got, codes)
		}
		if code, ok := Supported(query); ok && got != code {
			t.Fatalf("?lang=%q names %s, got %s", query, code, got)
		}
	})
}
