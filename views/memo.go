package views

import (
	"bytes"
	"context"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/a-h/templ"
)

// memo keeps rendered parts of the page shell that depend on the language
// and a key of their own (which names the viewer where the part shows
// who is looking): rendering the language switcher and the document head
// on every request was about a seventh of a cached page's CPU. When it would hold more than maxBytes it starts
// over, as the handlers' results cache does.
type memo struct {
	maxBytes int

	mu      sync.Mutex
	bytes   int
	entries map[memoKey][]byte
}

type memoKey struct{ locale, key string }

func newMemo(maxBytes int) *memo {
	return &memo{maxBytes: maxBytes, entries: map[memoKey][]byte{}}
}

// of renders c as it was rendered before for key in the page's language.
func (m *memo) of(key string, c templ.Component) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		k := memoKey{locale(ctx), key}
		b, ok := m.get(k)
		if !ok {
			var buf bytes.Buffer
			if err := c.Render(ctx, &buf); err != nil {
				return err
			}
			// A copy of its own, so the memo holds no spare capacity.
			b = bytes.Clone(buf.Bytes())
			// The key outlives the request: a page's address is a view of
			// bytes that fasthttp reuses for the next one.
			m.put(memoKey{k.locale, strings.Clone(k.key)}, b)
		}
		_, err := w.Write(b)
		return err
	})
}

func (m *memo) get(k memoKey) ([]byte, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.entries[k]
	return b, ok
}

func (m *memo) put(k memoKey, b []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.entries[k]; ok {
		return // rendered by a concurrent request too
	}
	size := len(b) + len(k.key)
	if m.bytes+size > m.maxBytes {
		clear(m.entries)
		m.bytes = 0
	}
	m.entries[k] = b
	m.bytes += size
}

var (
	// switchers are keyed by the page's address, which their links repeat.
	switchers = newMemo(4 << 20)
	// heads are keyed by the page's title.
	heads = newMemo(1 << 20)
	// appBars are keyed by who is looking and the page's address (see
	// appBarKey); the bar was a sixteenth of a cached page's CPU.
	appBars = newMemo(8 << 20)
)

// appBarKey is everything the app bar shows besides the language: who is
// signed in (email, role, the session's CSRF token in the sign-out form)
// and the page's address, which the language switcher repeats. Each part
// is length-prefixed, so no two different viewers share a key whatever
// their bytes.
func appBarKey(ctx context.Context) string {
	v := ViewerFrom(ctx)
	if !v.SignedIn {
		// The bar shows nothing of a visitor who has not signed in (not
		// even the CSRF token their session may have): one bar for all.
		return lengthPrefixed("-", pageURL(ctx))
	}
	return lengthPrefixed(strconv.FormatBool(v.Admin), v.Email, v.CSRF, pageURL(ctx))
}

func lengthPrefixed(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(strconv.Itoa(len(p)))
		b.WriteByte(':')
		b.WriteString(p)
	}
	return b.String()
}

// pageURL is the address of the page being rendered (see WithPageURL).
func pageURL(ctx context.Context) string {
	u, _ := ctx.Value(pageURLKey{}).(string)
	return u
}
