package handlers

import (
	"context"
	"strings"

	"fimdb/db"
	"fimdb/views"

	"github.com/gofiber/fiber/v2"
	"github.com/invopop/ctxi18n/i18n"
)

// SuggestStore is what autocomplete needs from the database.
type SuggestStore interface {
	Suggest(ctx context.Context, field, q string) ([]db.Suggestion, error)
}

// suggestJSON is the documented JSON shape of suggestions.
type suggestJSON struct {
	Field       string          `json:"field"`
	Q           string          `json:"q"`
	Suggestions []db.Suggestion `json:"suggestions"`
}

// suggest answers GET /suggest?field=name|director|genre&q=... with up to
// eight suggestions, as a listbox fragment or JSON.
func suggest(store SuggestStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		varyOnRepresentation(c)
		ctx := c.UserContext()
		field := strings.Clone(c.Query("field"))
		q := strings.Clone(c.Query("q"))
		if q == "" {
			// The search inputs send their own parameter (name=, director=),
			// so one input serves both the listing and its suggestions.
			q = strings.Clone(c.Query(field))
		}
		switch field {
		case "name", "director", "genre":
		default:
			return &inputError{"field", i18n.T(ctx, "suggest.bad_field")}
		}
		if err := checkSearchText(ctx, "q", q, true); err != nil {
			return err
		}
		suggestions, err := store.Suggest(ctx, field, q)
		if err != nil {
			return err
		}
		if wantsJSON(c) {
			return c.JSON(suggestJSON{Field: field, Q: q, Suggestions: suggestions})
		}
		return render(c, fiber.StatusOK, views.Suggestions(views.SuggestView{Field: field, Query: q, Suggestions: suggestions}))
	}
}
