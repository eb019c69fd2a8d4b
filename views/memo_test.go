package views

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	l10n "fimdb/i18n"

	"github.com/a-h/templ"
)

// TestMemoRendersOncePerLanguageAndKey: a memoized part is rendered the
// first time a language and key meet, served as it was after that, and
// rendered again once the memo has started over.
func TestMemoRendersOncePerLanguageAndKey(t *testing.T) {
	renders := 0
	part := func(key string) templ.Component {
		return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
			renders++
			_, err := fmt.Fprintf(w, "<p>%s %s</p>", locale(ctx), key)
			return err
		})
	}
	m := newMemo(80) // room for two of the parts below with their keys (26 and 40 bytes), not three
	steps := []struct {
		locale, key string
		wantRenders int // renders so far, after this step
	}{
		{"en", "/listing", 1},
		{"en", "/listing", 1},
		{"de", "/listing", 2},
		{"en", "/listing?page=2", 3}, // a third part: the memo started over
		{"de", "/listing", 4},
		{"en", "/listing?page=2", 4},
	}
	for i, s := range steps {
		ctx, err := l10n.WithLocale(context.Background(), s.locale)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := m.of(s.key, part(s.key)).Render(ctx, &buf); err != nil {
			t.Fatal(err)
		}
		if want := "<p>" + s.locale + " " + s.key + "</p>"; buf.String() != want {
			t.Errorf("step %d: %q, want %q", i, buf.String(), want)
		}
		if renders != s.wantRenders {
			t.Errorf("step %d (%s %s): %d renders, want %d", i, s.locale, s.key, renders, s.wantRenders)
		}
	}
}

// TestMemoKeepsNothingFromAFailedRender: a part that fails to render is
// not kept, so the next page tries again.
func TestMemoKeepsNothingFromAFailedRender(t *testing.T) {
	fail := true
	part := templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		if fail {
			return fmt.Errorf("broken")
		}
		_, err := io.WriteString(w, "ok")
		return err
	})
	m := newMemo(1 << 10)
	ctx, err := l10n.WithLocale(context.Background(), "en")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.of("k", part).Render(ctx, io.Discard); err == nil {
		t.Fatal("the failing render succeeded")
	}
	fail = false
	var buf bytes.Buffer
	if err := m.of("k", part).Render(ctx, &buf); err != nil || buf.String() != "ok" {
		t.Errorf("after the failure: %q, %v", buf.String(), err)
	}
}

// TestAppBarShowsWhoIsLooking: the app bar is kept rendered, and each page
// still shows its own viewer's email, role, CSRF token and address, in its
// own language, whoever was served before it.
func TestAppBarShowsWhoIsLooking(t *testing.T) {
	if err := l10n.Load(); err != nil {
		t.Fatal(err)
	}
	ann := Viewer{SignedIn: true, Email: "ann@example.com", CSRF: "csrf-ann"}
	annAdmin := ann
	annAdmin.Admin = true
	annLater := ann
	annLater.CSRF = "csrf-ann-2"
	bob := Viewer{SignedIn: true, Email: "bob@example.com", CSRF: "csrf-bob"}
	for _, tt := range []struct {
		name, locale, url string
		viewer            Viewer
		want, notWant     []string
	}{
		{"ann", "en", "/listing", ann, []string{"ann@example.com", `value="csrf-ann"`, `href="/listing?lang=de"`, "Sign out"}, []string{`href="/admin"`}},
		{"ann as admin", "en", "/listing", annAdmin, []string{"ann@example.com", `href="/admin"`}, nil},
		{"ann in a new session", "en", "/listing", annLater, []string{`value="csrf-ann-2"`}, []string{`value="csrf-ann"`, `href="/admin"`}},
		{"bob", "en", "/listing", bob, []string{"bob@example.com", `value="csrf-bob"`}, []string{"ann@example.com"}},
		{"bob on another page", "en", "/listing?name=Star", bob, []string{`href="/listing?lang=de&amp;name=Star"`}, []string{`href="/listing?lang=de"`}},
		{"bob in German", "de", "/listing", bob, []string{"Abmelden"}, []string{"Sign out"}},
		{"nobody", "en", "/listing", Viewer{}, nil, []string{"@example.com", "csrf-", "Sign out"}},
		{"ann again", "en", "/listing", ann, []string{"ann@example.com", `value="csrf-ann"`}, []string{"bob@", `href="/admin"`}},
		// Bearer tokens have no session, so no CSRF token: only the email
		// tells these two apart.
		{"carol by token", "en", "/listing", Viewer{SignedIn: true, Email: "carol@example.com"}, []string{"carol@example.com"}, nil},
		{"dave by token", "en", "/listing", Viewer{SignedIn: true, Email: "dave@example.com"}, []string{"dave@example.com"}, []string{"carol@"}},
		// A visitor with a session but not signed in shares the one
		// anonymous bar, which shows nothing of them.
		{"a visitor", "en", "/listing", Viewer{CSRF: "csrf-visitor"}, nil, []string{`value="csrf-visitor"`, "Sign out"}},
		{"a visitor on another page", "en", "/login?next=%2Flisting", Viewer{CSRF: "csrf-visitor"}, []string{`href="/login?lang=de&amp;next=%2Flisting"`}, nil},
		{"signed in with that session", "en", "/listing", Viewer{SignedIn: true, Email: "erin@example.com", CSRF: "csrf-visitor"}, []string{"erin@example.com", `value="csrf-visitor"`}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx, err := l10n.WithLocale(context.Background(), tt.locale)
			if err != nil {
				t.Fatal(err)
			}
			ctx = WithPageURL(WithViewer(ctx, tt.viewer), tt.url)
			var buf bytes.Buffer
			if err := Layout("t").Render(ctx, &buf); err != nil {
				t.Fatal(err)
			}
			for _, s := range tt.want {
				if !strings.Contains(buf.String(), s) {
					t.Errorf("the page lacks %q", s)
				}
			}
			for _, s := range tt.notWant {
				if strings.Contains(buf.String(), s) {
					t.Errorf("the page shows %q", s)
				}
			}
		})
	}
}
