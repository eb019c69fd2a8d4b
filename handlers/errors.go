package handlers

import (
	"context"
	"errors"
	"log/slog"

	l10n "fimdb/i18n"
	"fimdb/views"

	"github.com/gofiber/fiber/v2"
	"github.com/invopop/ctxi18n"
	"github.com/invopop/ctxi18n/i18n"
)

// apiError is the JSON body of every error answer.
type apiError struct {
	Error string `json:"error"`
	Field string `json:"field,omitempty"`
}

// inputError is a 400 caused by something the client sent; its message is a
// sentence for the person who sent it.
type inputError struct {
	field   string
	message string
}

func (e *inputError) Error() string { return e.message }

// statusError is a client error with its own status and a sentence for
// people (401 without credentials, 403 for a bad CSRF token, 429 ...).
type statusError struct {
	status  int
	message string
}

func (e *statusError) Error() string { return e.message }

// forbiddenError is a signed-in user asking for what their role does not allow.
type forbiddenError struct{}

func (e *forbiddenError) Error() string { return "forbidden" }

// errorHandler answers every error a handler returns: JSON clients get
// {"error","field"}, people get a page or, for htmx, a fragment. Internal
// errors are logged and never shown.
func errorHandler(log *slog.Logger) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		status := fiber.StatusInternalServerError
		ctx := localized(c)
		title := i18n.T(ctx, "errors.page_title")
		message := i18n.T(ctx, "errors.internal")
		field := ""
		var fe *fiber.Error
		var ie *inputError
		var se *statusError
		var forbidden *forbiddenError
		switch {
		case errors.As(err, &se):
			status, message = se.status, se.message
		case errors.As(err, &forbidden):
			status = fiber.StatusForbidden
			title, message = i18n.T(ctx, "auth.forbidden_title"), i18n.T(ctx, "auth.forbidden")
		case errors.As(err, &ie):
			status, field, message = fiber.StatusBadRequest, ie.field, ie.message
			title = i18n.T(ctx, "errors.bad_request_title")
		case errors.As(err, &fe) && fe.Code == fiber.StatusNotFound:
			status = fe.Code
			title, message = i18n.T(ctx, "errors.not_found_title"), i18n.T(ctx, "errors.not_found")
		case errors.As(err, &fe) && fe.Code == fiber.StatusRequestEntityTooLarge:
			status, message = fe.Code, i18n.T(ctx, "errors.too_large")
		case errors.As(err, &fe) && fe.Code < 500:
			status, message = fe.Code, i18n.T(ctx, "errors.status", i18n.M{"status": fe.Code})
		default:
			log.Error("request failed", "method", c.Method(), "path", c.Path(), "route", routePattern(c), "request_id", requestID(c), "err", err)
		}
		varyOnRepresentation(c)
		if wantsJSON(c) {
			return c.Status(status).JSON(apiError{Error: message, Field: field})
		}
		if wantsFragment(c) {
			return render(c, status, views.ErrorState(title, message))
		}
		return render(c, status, views.ErrorPage(title, message))
	}
}

// localized is the request's context with a locale, even for errors raised
// before withLocale ran (a missing static file, a body over the limit).
func localized(c *fiber.Ctx) context.Context {
	ctx := c.UserContext()
	if ctxi18n.Locale(ctx) != nil {
		return ctx
	}
	if out, err := l10n.WithLocale(ctx, requestLocale(c)); err == nil {
		c.SetUserContext(out)
		return out
	}
	return ctx
}

func notFound(c *fiber.Ctx) error {
	return fiber.ErrNotFound
}
