package i18n

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/invopop/ctxi18n"
	"github.com/invopop/ctxi18n/i18n"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

// Language is a locale fimdb speaks, named in its own language for the
// switcher (a visitor looks for "Deutsch", not "German").
type Language struct {
	Code, Name string
}

// Languages are the supported locales, in the switcher's order. Each has an
// embedded <code>.yaml with exactly the keys of en.yaml.
var Languages = []Language{
	{"en", "English"},
	{"es", "Español"},
	{"fr", "Français"},
	{"de", "Deutsch"},
	{"hi", "हिन्दी"},
}

// Supported returns the supported locale for a language tag such as "es",
// "es-MX" or "ES_mx" (regional variants fall back to their language).
func Supported(tag string) (string, bool) {
	base := strings.ToLower(strings.TrimSpace(tag))
	if i := strings.IndexAny(base, "-_"); i >= 0 {
		base = base[:i]
	}
	for _, l := range Languages {
		if l.Code == base {
			return l.Code, true
		}
	}
	return "", false
}

// Negotiate picks the locale of a request: an explicit ?lang=, then the
// remembered cookie, then the best supported entry of Accept-Language
// (highest q first, regional variants falling back to their language),
// then English.
func Negotiate(query, cookie, acceptLanguage string) string {
	for _, explicit := range []string{query, cookie} {
		if code, ok := Supported(explicit); ok {
			return code
		}
	}
	for _, tag := range acceptedTags(acceptLanguage) {
		if code, ok := Supported(tag); ok {
			return code
		}
	}
	return Default
}

// acceptedTags reads an Accept-Language header, highest q first. Entries
// are parsed one by one, so one malformed entry does not void the rest.
func acceptedTags(header string) []string {
	type entry struct {
		tag string
		q   float32
	}
	var entries []entry
	for _, part := range strings.Split(header, ",") {
		tags, qs, err := language.ParseAcceptLanguage(part)
		if err != nil || len(tags) != 1 || qs[0] <= 0 {
			continue
		}
		entries = append(entries, entry{tags[0].String(), qs[0]})
	}
	slices.SortStableFunc(entries, func(a, b entry) int { return cmp.Compare(b.q, a.q) })
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.tag
	}
	return out
}

// WithLocale returns ctx speaking code (a supported locale).
func WithLocale(ctx context.Context, code string) (context.Context, error) {
	if err := Load(); err != nil {
		return ctx, err
	}
	return ctxi18n.WithLocale(ctx, code)
}

// Code is the locale of ctx.
func Code(ctx context.Context) string {
	if l := ctxi18n.Locale(ctx); l != nil {
		return l.Code().String()
	}
	return Default
}

// Plural translates key for n things with the locale's CLDR plural rule:
// "one" is n = 1 in English, Spanish and German, and n = 0 or 1 in French
// and Hindi; "zero", when a key has it, is used for 0 in every locale.
// (ctxi18n's own rule treats 0 as plural everywhere.) count is set to n.
func Plural(ctx context.Context, key string, n int, args i18n.M) string {
	m := i18n.M{"count": n}
	for k, v := range args {
		m[k] = v
	}
	if n == 0 && i18n.Has(ctx, key+".zero") {
		return i18n.T(ctx, key+".zero", m)
	}
	return i18n.T(ctx, key+"."+pluralCategory(Code(ctx), n), m)
}

func pluralCategory(code string, n int) string {
	switch {
	case n == 1, n == 0 && (code == "fr" || code == "hi"):
		return "one"
	}
	return "other"
}

// Int writes n with the locale's digit grouping (1,234 / 1.234 / 1 234 / 12,34,567).
func Int(ctx context.Context, n int) string {
	return printer(ctx).Sprint(number.Decimal(n))
}

// Decimal writes f with exactly digits decimals in the locale's way (8.3 / 8,3).
func Decimal(ctx context.Context, f float64, digits int) string {
	return printer(ctx).Sprint(number.Decimal(f, number.Scale(digits)))
}

var printers = func() map[string]*message.Printer {
	out := map[string]*message.Printer{}
	for _, l := range Languages {
		out[l.Code] = message.NewPrinter(language.MustParse(l.Code))
	}
	return out
}()

func printer(ctx context.Context) *message.Printer {
	if p, ok := printers[Code(ctx)]; ok {
		return p
	}
	return printers[Default]
}

// Genre is the translated name of a catalog genre. URLs, forms and the API
// keep the canonical English name; a genre fimdb has no translation for
// (one an admin invented) shows as it is stored.
func Genre(ctx context.Context, name string) string {
	key := GenreKey(name)
	if key == "" || !i18n.Has(ctx, key) {
		return name
	}
	return i18n.T(ctx, key)
}

// GenreKey is the translation key of a genre name ("Sci-Fi" -> genres.sci_fi).
func GenreKey(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(name)) {
		switch {
		case r >= 'a' && r <= 'z':
			b.WriteRune(r)
		case r == '-' || r == ' ':
			b.WriteByte('_')
		default:
			return "" // not a name the translations could hold
		}
	}
	if b.Len() == 0 {
		return ""
	}
	return "genres." + b.String()
}

// DateTime writes t (in UTC, as stored; the page says so) as the locale writes a date
// and a time: "Nov 26, 2026 at 14:05", "26. Nov. 2026, 14:05 Uhr".
func DateTime(ctx context.Context, t time.Time) string {
	t = t.UTC()
	day := strconv.Itoa(t.Day())
	if t.Day() == 1 {
		day = i18n.T(ctx, "dates.first_of_month") // French writes "1er"
	}
	return i18n.T(ctx, "dates.datetime", i18n.M{
		"month": i18n.T(ctx, fmt.Sprintf("dates.months.m%02d", int(t.Month()))),
		"day":   day,
		"year":  t.Year(),
		"time":  t.Format("15:04"),
	})
}
