package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

func TestAutocompleteFromTheKeyboard(t *testing.T) {
	_, ctx := adminAt(t, "/listing", "Movies 1–50 of 246")
	markPage(t, ctx)
	const field = `document.getElementById('q-director')`
	if got := eval[string](t, ctx, field+`.getAttribute('role') + ' ' + `+field+`.getAttribute('aria-controls') + ' ' + `+field+`.getAttribute('aria-expanded')`); got != "combobox suggest-director false" {
		t.Errorf("combobox attributes = %q", got)
	}

	do(t, ctx, chromedp.SendKeys(chromedp.ID("q-director"), "spie"))
	waitUntil(t, ctx, "the suggestions to open", field+`.getAttribute('aria-expanded') === 'true'`)
	if got := eval[string](t, ctx, `document.querySelector('#suggest-director [role=option]').dataset.value`); got != "Steven Spielberg" {
		t.Fatalf("first suggestion = %q", got)
	}
	do(t, ctx, chromedp.SendKeys(chromedp.ID("q-director"), kb.ArrowDown))
	waitUntil(t, ctx, "an active option", field+`.getAttribute('aria-activedescendant') === 'suggest-director-0' && document.getElementById('suggest-director-0').getAttribute('aria-selected') === 'true'`)
	do(t, ctx, chromedp.SendKeys(chromedp.ID("q-director"), kb.Enter))
	waitForSummary(t, ctx, "6 movies")
	if got := eval[string](t, ctx, field+`.value`); got != "Steven Spielberg" {
		t.Errorf("director field = %q after Enter", got)
	}
	waitUntil(t, ctx, "the list to close", field+`.getAttribute('aria-expanded') === 'false'`)
	waitUntil(t, ctx, "the address", `new URLSearchParams(location.search).get('director') === 'Steven Spielberg'`)
	assertSamePage(t, ctx)
}

func TestAutocompleteEscapeAndMouse(t *testing.T) {
	_, ctx := adminAt(t, "/listing", "Movies 1–50 of 246")
	const field = `document.getElementById('q-name')`

	// Escape closes the list; a second Escape clears the field.
	do(t, ctx, chromedp.SendKeys(chromedp.ID("q-name"), "god"))
	waitUntil(t, ctx, "the suggestions", field+`.getAttribute('aria-expanded') === 'true'`)
	do(t, ctx, chromedp.SendKeys(chromedp.ID("q-name"), kb.Escape))
	waitUntil(t, ctx, "the list to close", field+`.getAttribute('aria-expanded') === 'false'`)
	if v := eval[string](t, ctx, field+`.value`); v != "god" {
		t.Errorf("the first Escape changed the field to %q", v)
	}
	do(t, ctx, chromedp.SendKeys(chromedp.ID("q-name"), kb.Escape))
	waitUntil(t, ctx, "the field to clear", field+`.value === ''`)
	waitForSummary(t, ctx, "Movies 1–50 of 246")

	// The mouse picks too.
	do(t, ctx, chromedp.SendKeys(chromedp.ID("q-name"), "god"))
	waitUntil(t, ctx, "the suggestions", `!!document.querySelector('#suggest-name [data-value="The Godfather"]') && `+field+`.getAttribute('aria-expanded') === 'true'`)
	do(t, ctx, chromedp.Click(chromedp.CSS(`#suggest-name [data-value="The Godfather"]`)))
	waitForSummary(t, ctx, "1 movie")
	if v := eval[string](t, ctx, field+`.value`); v != "The Godfather" {
		t.Errorf("field after the click = %q", v)
	}
	waitUntil(t, ctx, "the list to close", field+`.getAttribute('aria-expanded') === 'false'`)
}
