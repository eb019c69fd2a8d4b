package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

func TestSignUpSignInAndOut(t *testing.T) {
	srv := startServer(t)
	ctx := newTab(t)

	// An anonymous visitor is sent to sign in, and the way back is kept.
	do(t, ctx, chromedp.Navigate(srv.URL+"/listing?genre=War"))
	waitUntil(t, ctx, "the sign-in form", `location.pathname === '/login' && !!document.getElementById('f-email')`)
	if got := eval[string](t, ctx, `new URLSearchParams(location.search).get('next')`); got != "/listing?genre=War" {
		t.Errorf("next = %q", got)
	}

	// Sign up from there, with a mistake first: the error shows beside its
	// field and the email stays typed.
	do(t, ctx, chromedp.Click(chromedp.CSS(`.auth-switch a`)))
	waitUntil(t, ctx, "the sign-up form", `!!document.getElementById('f-password_confirm')`)
	do(t, ctx,
		chromedp.SendKeys(chromedp.ID("f-email"), "film.lover@example.com"),
		chromedp.SendKeys(chromedp.ID("f-password"), "a long enough passphrase"),
		chromedp.SendKeys(chromedp.ID("f-password_confirm"), "a different passphrase"),
	)
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`[data-testid=signup-submit]`))); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, ctx, "the error beside the confirmation", `document.querySelector('[data-testid=error-password_confirm]')?.textContent.includes('differ')`)
	if v := eval[string](t, ctx, `document.getElementById('f-email').value`); v != "film.lover@example.com" {
		t.Errorf("email after the error = %q", v)
	}
	do(t, ctx,
		chromedp.SendKeys(chromedp.ID("f-password"), "a long enough passphrase"),
		chromedp.SendKeys(chromedp.ID("f-password_confirm"), "a long enough passphrase"),
	)
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`[data-testid=signup-submit]`))); err != nil {
		t.Fatal(err)
	}
	waitForSummary(t, ctx, "21 movies")
	if got := eval[string](t, ctx, `location.pathname + location.search`); got != "/listing?genre=War" {
		t.Errorf("after sign-up the page is %q, want the one asked for", got)
	}
	if who := eval[string](t, ctx, `document.querySelector('[data-testid=signed-in-as]').textContent`); !strings.Contains(who, "film.lover@example.com") {
		t.Errorf("header shows %q", who)
	}
	if eval[bool](t, ctx, `!!document.querySelector('[data-testid=admin-link]')`) {
		t.Error("a new viewer sees the admin link")
	}

	// Sign out, and the catalog needs a sign-in again.
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`[data-testid=sign-out]`))); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, ctx, "the sign-in page", `location.pathname === '/login'`)
	do(t, ctx, chromedp.Navigate(srv.URL+"/listing"))
	waitUntil(t, ctx, "a redirect to sign in", `location.pathname === '/login'`)

	// Sign in again with the new account.
	signIn(t, ctx, srv.URL, "film.lover@example.com", "a long enough passphrase")
	waitForSummary(t, ctx, "Movies 1–50 of 246")
}
