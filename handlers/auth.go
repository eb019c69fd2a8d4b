package handlers

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"fimdb/db"
	l10n "fimdb/i18n"
	"fimdb/views"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"
	"github.com/gofiber/fiber/v2/middleware/session"
	"github.com/invopop/ctxi18n/i18n"
)

// Session lifetimes: a session ends after IdleTimeout without a request and,
// whatever happens, AbsoluteTimeout after sign-in.
const (
	IdleTimeout     = 12 * time.Hour
	AbsoluteTimeout = 7 * 24 * time.Hour
	// touchEvery limits session writes: the idle deadline moves at most this
	// often, not on every request.
	touchEvery = 5 * time.Minute

	maxSignInFailures = 5
	failureWindow     = 15 * time.Minute
	minPasswordLen    = 10
	maxPasswordBytes  = 72 // bcrypt ignores the rest
	maxEmailLen       = 254
)

// Session keys.
const (
	keyUserID = "uid"
	keyAuthAt = "auth_at"
	keySeenAt = "seen_at"
	keyCSRF   = "csrf"
)

//go:embed common-passwords.txt
var commonPasswordsFile string

var commonPasswords = func() map[string]bool {
	out := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(commonPasswordsFile))
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
			out[strings.ToLower(line)] = true
		}
	}
	return out
}()

// AuthStore is what accounts need from the database.
type AuthStore interface {
	Authenticate(ctx context.Context, email, password string) (db.User, error)
	CreateUser(ctx context.Context, email, password, role string) (db.User, error)
	UserByID(ctx context.Context, id int64) (db.User, error)
	UserByToken(ctx context.Context, token string) (db.User, error)
}

// Auth signs people in and out and guards the routes that need them.
type Auth struct {
	log      *slog.Logger
	store    AuthStore
	sessions *session.Store
	limits   fiber.Storage
	observe  Observer
}

// NewAuth builds the account handlers over a session store and the storage
// that counts failed sign-ins; observe hears of failed and throttled ones.
func NewAuth(log *slog.Logger, store AuthStore, sessions *session.Store, limits fiber.Storage, observe Observer) *Auth {
	return &Auth{log: log, store: store, sessions: sessions, limits: limits, observe: observe}
}

// viewerKey is where the request's user lives in c.Locals.
const viewerKey = "fimdb.viewer"

type requestUser struct {
	user    *db.User
	byToken bool
	session *session.Session
}

// Identify works out who sent the request, from a bearer token or the
// session cookie, and makes it known to handlers and views. It never
// rejects a request by itself, except for a bearer token that is not valid.
func (a *Auth) Identify(c *fiber.Ctx) error {
	ctx := c.UserContext()
	if token, ok := bearerToken(c); ok {
		u, err := a.store.UserByToken(ctx, token)
		if errors.Is(err, db.ErrNotFound) {
			return &statusError{fiber.StatusUnauthorized, i18n.T(ctx, "auth.bad_token")}
		}
		if err != nil {
			return err
		}
		return a.proceedAs(c, requestUser{user: &u, byToken: true}, views.Viewer{SignedIn: true, Email: u.Email, Admin: u.IsAdmin()})
	}
	sess, err := a.sessions.Get(c)
	if err != nil {
		return err
	}
	ru := requestUser{session: sess}
	viewer := views.Viewer{CSRF: sessionString(sess, keyCSRF)}
	if u, ok := a.sessionUser(c, sess); ok {
		ru.user = &u
		viewer.SignedIn, viewer.Email, viewer.Admin = true, u.Email, u.IsAdmin()
	}
	return a.proceedAs(c, ru, viewer)
}

func (a *Auth) proceedAs(c *fiber.Ctx, ru requestUser, v views.Viewer) error {
	c.Locals(viewerKey, ru)
	c.SetUserContext(views.WithViewer(c.UserContext(), v))
	return c.Next()
}

// sessionUser returns the signed-in user of a session that has not timed
// out, moving its idle deadline when it is due.
func (a *Auth) sessionUser(c *fiber.Ctx, sess *session.Session) (db.User, bool) {
	id, ok := sess.Get(keyUserID).(int64)
	if !ok {
		return db.User{}, false
	}
	authAt, _ := sess.Get(keyAuthAt).(int64)
	if time.Since(time.Unix(authAt, 0)) > AbsoluteTimeout {
		sess.Destroy()
		return db.User{}, false
	}
	u, err := a.store.UserByID(c.UserContext(), id)
	if err != nil {
		if !errors.Is(err, db.ErrNotFound) {
			a.log.Error("session user", "err", err)
		}
		sess.Destroy()
		return db.User{}, false
	}
	seenAt, _ := sess.Get(keySeenAt).(int64)
	if time.Since(time.Unix(seenAt, 0)) > touchEvery {
		sess.Set(keySeenAt, time.Now().Unix())
		if err := sess.Save(); err != nil {
			a.log.Error("touch session", "err", err)
		}
	}
	return u, true
}

func currentUser(c *fiber.Ctx) requestUser {
	ru, _ := c.Locals(viewerKey).(requestUser)
	return ru
}

// RequireUser lets signed-in users through. Anonymous people asking for a
// page go to the sign-in form and come back afterwards; JSON clients get 401.
func (a *Auth) RequireUser(c *fiber.Ctx) error {
	if currentUser(c).user != nil {
		return c.Next()
	}
	if wantsJSON(c) {
		return &statusError{fiber.StatusUnauthorized, i18n.T(c.UserContext(), "auth.sign_in_needed")}
	}
	target := "/login?" + url.Values{"next": {string(c.Request().URI().RequestURI())}}.Encode()
	if wantsFragment(c) {
		// htmx follows a plain redirect inside the fragment; this makes the
		// whole page go to the sign-in form instead.
		c.Set("HX-Redirect", target)
		return c.SendStatus(fiber.StatusUnauthorized)
	}
	return c.Redirect(target, fiber.StatusSeeOther)
}

// RequireAdmin lets administrators through; others get 403.
func (a *Auth) RequireAdmin(c *fiber.Ctx) error {
	ru := currentUser(c)
	if ru.user == nil {
		return a.RequireUser(c)
	}
	if !ru.user.IsAdmin() {
		return &forbiddenError{}
	}
	return c.Next()
}

// VerifyCSRF rejects unsafe requests whose session token is missing or
// wrong. Bearer-token requests carry no cookie a browser could send behind
// the user's back, so they need no token.
func (a *Auth) VerifyCSRF(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	ru := currentUser(c)
	if ru.byToken {
		return c.Next()
	}
	want := sessionString(ru.session, keyCSRF)
	got := c.Get("X-CSRF-Token")
	if got == "" {
		got = bodyCSRF(c)
	}
	if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return &statusError{fiber.StatusForbidden, i18n.T(c.UserContext(), "auth.csrf")}
	}
	return c.Next()
}

// bodyCSRF reads the _csrf field from the request body only (urlencoded or
// multipart form). fiber's FormValue would also read the query string, and
// a token there ends up in URLs, logs and Referer headers.
func bodyCSRF(c *fiber.Ctx) string {
	if v := c.Request().PostArgs().Peek("_csrf"); len(v) > 0 {
		return string(v)
	}
	if form, err := c.Request().MultipartForm(); err == nil {
		if v := form.Value["_csrf"]; len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

// LoginForm shows the sign-in page, starting a session that holds the
// form's CSRF token.
func (a *Auth) LoginForm(c *fiber.Ctx) error {
	if currentUser(c).user != nil {
		return c.Redirect(safeNext(c.Query("next")), fiber.StatusSeeOther)
	}
	if err := a.ensureCSRF(c); err != nil {
		return err
	}
	return render(c, fiber.StatusOK, views.LoginPage(views.AuthForm{Next: safeNextOrEmpty(c.Query("next"))}))
}

// Login checks the credentials and signs the user in with a new session id.
func (a *Auth) Login(c *fiber.Ctx) error {
	ctx := c.UserContext()
	form := views.AuthForm{Email: strings.TrimSpace(c.FormValue("email")), Next: safeNextOrEmpty(c.Query("next")), Errors: map[string]string{}}
	password := c.FormValue("password")
	switch {
	case form.Email == "":
		form.Errors["email"] = i18n.T(ctx, "auth.email_required")
	case password == "":
		form.Errors["password"] = i18n.T(ctx, "auth.password_required")
	}
	if len(form.Errors) > 0 {
		return a.loginFailed(c, form)
	}
	u, err := a.store.Authenticate(ctx, form.Email, password)
	if errors.Is(err, db.ErrNotFound) {
		a.observe.SignInFailed()
		form.Errors[""] = i18n.T(ctx, "auth.bad_credentials")
		return a.loginFailed(c, form)
	}
	if err != nil {
		return err
	}
	if err := a.startSession(c, u); err != nil {
		return err
	}
	return c.Redirect(safeNext(c.Query("next")), fiber.StatusSeeOther)
}

func (a *Auth) loginFailed(c *fiber.Ctx, form views.AuthForm) error {
	if wantsJSON(c) {
		field, msg := firstError(form.Errors)
		c.Status(fiber.StatusUnauthorized)
		return c.JSON(apiError{Error: msg, Field: field})
	}
	return render(c, fiber.StatusUnauthorized, views.LoginPage(form))
}

// SignupForm shows the form that creates an account.
func (a *Auth) SignupForm(c *fiber.Ctx) error {
	if currentUser(c).user != nil {
		return c.Redirect(safeNext(c.Query("next")), fiber.StatusSeeOther)
	}
	if err := a.ensureCSRF(c); err != nil {
		return err
	}
	return render(c, fiber.StatusOK, views.SignupPage(views.AuthForm{Next: safeNextOrEmpty(c.Query("next"))}))
}

// Signup creates a user account and signs it in.
func (a *Auth) Signup(c *fiber.Ctx) error {
	ctx := c.UserContext()
	form := views.AuthForm{Email: strings.TrimSpace(c.FormValue("email")), Next: safeNextOrEmpty(c.Query("next"))}
	form.Errors = validateSignup(ctx, form.Email, c.FormValue("password"), c.FormValue("password_confirm"))
	if len(form.Errors) == 0 {
		u, err := a.store.CreateUser(ctx, form.Email, c.FormValue("password"), db.RoleUser)
		switch {
		case errors.Is(err, db.ErrEmailTaken):
			form.Errors = map[string]string{"email": i18n.T(ctx, "auth.email_taken")}
		case err != nil:
			return err
		default:
			if err := a.startSession(c, u); err != nil {
				return err
			}
			return c.Redirect(safeNext(c.Query("next")), fiber.StatusSeeOther)
		}
	}
	if wantsJSON(c) {
		field, msg := firstError(form.Errors)
		c.Status(fiber.StatusBadRequest)
		return c.JSON(apiError{Error: msg, Field: field})
	}
	return render(c, fiber.StatusBadRequest, views.SignupPage(form))
}

// ValidatePassword says what is wrong with a new password, or "".
func ValidatePassword(ctx context.Context, password string) string {
	switch {
	case utf8.RuneCountInString(password) < minPasswordLen:
		return i18n.T(ctx, "auth.password_short")
	case len(password) > maxPasswordBytes:
		return i18n.T(ctx, "auth.password_long")
	case commonPasswords[strings.ToLower(password)]:
		return i18n.T(ctx, "auth.password_common")
	}
	return ""
}

func validateSignup(ctx context.Context, email, password, confirm string) map[string]string {
	errs := map[string]string{}
	if email == "" {
		errs["email"] = i18n.T(ctx, "auth.email_required")
	} else if addr, err := mail.ParseAddress(email); err != nil || addr.Address != email || len(email) > maxEmailLen || !strings.Contains(email, "@") {
		errs["email"] = i18n.T(ctx, "auth.email_invalid")
	}
	if msg := ValidatePassword(ctx, password); msg != "" {
		errs["password"] = msg
	} else if password != confirm {
		errs["password_confirm"] = i18n.T(ctx, "auth.password_mismatch")
	}
	return errs
}

func firstError(errs map[string]string) (field, msg string) {
	for _, f := range []string{"", "email", "password", "password_confirm"} {
		if m, ok := errs[f]; ok {
			return f, m
		}
	}
	return "", ""
}

// Logout ends the session.
func (a *Auth) Logout(c *fiber.Ctx) error {
	if sess := currentUser(c).session; sess != nil {
		if err := sess.Destroy(); err != nil {
			return err
		}
	}
	return c.Redirect("/login", fiber.StatusSeeOther)
}

// startSession signs u in under a new session id, so an id planted before
// sign-in is worth nothing after it.
func (a *Auth) startSession(c *fiber.Ctx, u db.User) error {
	sess := currentUser(c).session
	if sess == nil {
		var err error
		if sess, err = a.sessions.Get(c); err != nil {
			return err
		}
	}
	if err := sess.Regenerate(); err != nil {
		return err
	}
	now := time.Now().Unix()
	sess.Set(keyUserID, u.ID)
	sess.Set(keyAuthAt, now)
	sess.Set(keySeenAt, now)
	sess.Set(keyCSRF, newToken())
	return sess.Save()
}

// ensureCSRF gives an anonymous visitor of a form a session with a token.
func (a *Auth) ensureCSRF(c *fiber.Ctx) error {
	ru := currentUser(c)
	if ru.session == nil || sessionString(ru.session, keyCSRF) != "" {
		return nil
	}
	token := newToken()
	ru.session.Set(keyCSRF, token)
	if err := ru.session.Save(); err != nil {
		return err
	}
	v := views.ViewerFrom(c.UserContext())
	v.CSRF = token
	c.SetUserContext(views.WithViewer(c.UserContext(), v))
	return nil
}

// SignInLimiters throttle failed sign-ins per client address and per
// account. Only failures count, and the message is the same whether or not
// the account exists.
func (a *Auth) SignInLimiters() []fiber.Handler {
	reached := func(c *fiber.Ctx) error {
		a.observe.SignInThrottled()
		minutes := int(failureWindow.Minutes())
		if s, err := strconv.Atoi(string(c.Response().Header.Peek(fiber.HeaderRetryAfter))); err == nil {
			minutes = max(1, (s+59)/60)
		}
		return &statusError{fiber.StatusTooManyRequests, l10n.Plural(c.UserContext(), "auth.too_many", minutes, i18n.M{"minutes": l10n.Int(c.UserContext(), minutes)})}
	}
	limit := func(key func(*fiber.Ctx) string) fiber.Handler {
		return limiter.New(limiter.Config{
			Max:                    maxSignInFailures,
			Expiration:             failureWindow,
			KeyGenerator:           key,
			SkipSuccessfulRequests: true,
			Storage:                a.limits,
			LimiterMiddleware:      limiter.SlidingWindow{},
			LimitReached:           reached,
		})
	}
	return []fiber.Handler{
		limit(func(c *fiber.Ctx) string { return "signin-ip:" + clientOf(c).throttleKey() }),
		limit(func(c *fiber.Ctx) string {
			return "signin-account:" + strings.ToLower(strings.TrimSpace(c.FormValue("email")))
		}),
	}
}

func bearerToken(c *fiber.Ctx) (string, bool) {
	h := c.Get(fiber.HeaderAuthorization)
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:]), true
	}
	return "", false
}

func sessionString(sess *session.Session, key string) string {
	if sess == nil {
		return ""
	}
	s, _ := sess.Get(key).(string)
	return s
}

func newToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// safeNext accepts only same-site paths as a place to return to; anything
// else (another host, a scheme, "//host", backslashes) goes to the listing.
func safeNext(next string) string {
	if s := safeNextOrEmpty(next); s != "" {
		return s
	}
	return "/listing"
}

func safeNextOrEmpty(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.ContainsAny(next, "\\\r\n\t") {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return ""
	}
	return next
}
