// Package handlers turns HTTP requests into calls on the db store and
// renders the views. Routes and middleware groups are assembled in New.
package handlers

import (
	"log/slog"
	"time"

	"fimdb/db"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/session"
)

// Deps is what the handlers need from the rest of the program.
type Deps struct {
	Store *db.Store
	Log   *slog.Logger
	// SecureCookies marks session cookies Secure; set it when fimdb is
	// served over TLS (usually behind a proxy).
	SecureCookies bool
	// TrustedProxies are the peers whose X-Forwarded-For and
	// X-Forwarded-Proto are believed.
	TrustedProxies TrustedProxies
	// InstanceName, when set, is sent on every response as
	// X-Fimdb-Instance, to tell instances apart behind a load balancer.
	InstanceName string
	// Draining reports that the instance is shutting down: /healthz then
	// answers 503 so that load balancers stop sending it requests, and
	// responses close their connections.
	Draining func() bool
	// Observe hears what operators count (see package metrics); nil
	// counts nothing.
	Observe Observer
}

// Observer hears of every answered request and of refused sign-ins.
type Observer interface {
	ObserveRequest(route, method string, status int, took time.Duration)
	SignInFailed()
	SignInThrottled()
}

// noObserver counts nothing.
type noObserver struct{}

func (noObserver) ObserveRequest(string, string, int, time.Duration) {}
func (noObserver) SignInFailed()                                     {}
func (noObserver) SignInThrottled()                                  {}

// BodyLimit caps request bodies; nothing fimdb accepts comes near it.
const BodyLimit = 1 << 20

// New builds the Fiber app with every route.
func New(d Deps) *fiber.App {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Draining == nil {
		d.Draining = func() bool { return false }
	}
	if d.Observe == nil {
		d.Observe = noObserver{}
	}
	handleError := errorHandler(d.Log)
	app := fiber.New(fiber.Config{
		AppName:               "fimdb",
		DisableStartupMessage: true,
		ErrorHandler:          handleError,
		BodyLimit:             BodyLimit,
		ReadTimeout:           15 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           120 * time.Second,
		// A response goes out in one write when it fits (pages are a few
		// tens of kilobytes): an instance that dies mid-response then has
		// sent all of it or nothing, and nothing is what a proxy can send
		// to another instance; a response cut in half reaches the visitor
		// cut in half.
		WriteBufferSize: 64 << 10,
	})
	app.Use(logRequests(d.Log, d.Observe, handleError))
	app.Use(recover.New())
	app.Use(markRequestStart)
	app.Use(d.TrustedProxies.identifyClient)
	app.Use(lifecycleHeaders(d.InstanceName, d.Draining))
	app.Use(securityHeaders)
	app.Use(compress.New(compress.Config{Level: compress.LevelBestSpeed}))

	get, post, del := namedRoutes(app)
	// Public, and cheap: no session or locale is looked up for these.
	get("/healthz", health(d.Store, d.Draining))
	get("/static/:version/*", staticAssets())
	get("/favicon.ico", favicon())
	get("/openapi.json", openAPI())
	app.Use(withLocale(d.SecureCookies))

	// Sessions and sign-in throttling live in fimdb's database, so every
	// instance on one database shares them: a session and a count of
	// failed sign-ins hold whichever instance a request reaches.
	storage := d.Store.KeyValues(time.Minute)
	app.Hooks().OnShutdown(storage.Close)
	sessions := session.New(session.Config{
		Storage:        storage,
		Expiration:     IdleTimeout,
		KeyLookup:      "cookie:fimdb_session",
		CookieHTTPOnly: true,
		CookieSameSite: "Lax",
		CookieSecure:   d.SecureCookies,
	})
	auth := NewAuth(d.Log, d.Store, sessions, storage, d.Observe)
	app.Use(auth.Identify)

	// CSRF is checked after the role, so that a request nobody may make
	// learns "sign in" or "not allowed", not "bad token".
	csrf := auth.VerifyCSRF
	get("/", func(c *fiber.Ctx) error { return c.Redirect("/listing", fiber.StatusFound) })
	get("/login", auth.LoginForm)
	post("/login", append([]fiber.Handler{csrf}, append(auth.SignInLimiters(), auth.Login)...)...)
	get("/signup", auth.SignupForm)
	post("/signup", csrf, auth.Signup)
	post("/logout", csrf, auth.Logout)

	catalog := NewCatalog(d.Log, d.Store)
	get("/listing", auth.RequireUser, catalog.Listing)
	get("/suggest", auth.RequireUser, suggest(d.Store))
	get("/movies/:id", auth.RequireUser, catalog.Movie)

	// Every /admin and /manage path needs an administrator, even those that
	// do not exist: nobody else learns what is there.
	admin := NewAdmin(d.Log, d.Store, catalog)
	app.Use("/admin", nameRoute("/admin/*"), auth.RequireAdmin, csrf)
	app.Use("/manage", nameRoute("/manage/*"), auth.RequireAdmin, csrf)
	get("/admin", admin.Home)
	get("/admin/accounts", admin.Accounts)
	get("/admin/movies/new", admin.NewMovieForm)
	get("/admin/movies/:id/history", admin.History)
	get("/admin/movies/:id/edit", admin.EditRow)
	get("/admin/movies/:id/row", admin.Row)
	manage := NewManage(d.Log, d.Store, catalog)
	post("/manage/add", manage.Add)
	post("/manage/update", manage.Update)
	del("/manage/delete/:id", manage.Delete)
	post("/manage/restore/:id", manage.Restore)

	app.Use(notFound)
	return app
}

// namedRoutes returns functions that register a route as app.Get, Post and
// Delete do, with a first handler that names the route by its pattern for
// the request log (see routePattern).
func namedRoutes(app *fiber.App) (get, post, del func(path string, handlers ...fiber.Handler)) {
	named := func(register func(string, ...fiber.Handler) fiber.Router) func(string, ...fiber.Handler) {
		return func(path string, handlers ...fiber.Handler) {
			register(path, append([]fiber.Handler{nameRoute(path)}, handlers...)...)
		}
	}
	return named(app.Get), named(app.Post), named(app.Delete)
}

// markRequestStart lets the store answer this request from a catalog
// version check made since it began (see db.WithRequestStart).
func markRequestStart(c *fiber.Ctx) error {
	c.SetUserContext(db.WithRequestStart(c.UserContext(), c.Context().Time()))
	return c.Next()
}
