// Command fimdb is a self-hosted movie catalog: one binary that serves the
// web app and manages its database (a SQLite file, or MySQL).
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"fimdb/db"
	"fimdb/handlers"
	"fimdb/i18n"
	"fimdb/metrics"

	"github.com/schollz/progressbar/v3"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	if err := newCLI(os.Stdin, os.Stdout, os.Stderr).Run(os.Args); err != nil {
		fmt.Fprintln(os.Stderr, "fimdb:", err)
		os.Exit(1)
	}
}

// dbFlag is --db, which every command that opens the database takes. Each
// command gets its own: urfave/cli writes the environment's value into
// the flag it applies.
func dbFlag() cli.Flag {
	return &cli.StringFlag{
		Name:  "db",
		Usage: "the database: a SQLite file `PATH` (created on first start) or mysql://USER:PASSWORD@HOST:3306/DBNAME",
		Value: "fimdb.db",
		// Help would otherwise show FIMDB_DB's value as the default, and
		// a MySQL URL holds a password.
		DefaultText: "fimdb.db",
		EnvVars:     []string{"FIMDB_DB"},
	}
}

// newCLI builds the command line; flags may come before or after arguments.
func newCLI(stdin io.Reader, stdout, stderr io.Writer) cliApp {
	serve := &cli.Command{
		Name:  "serve",
		Usage: "serve the web app (the default command)",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "addr", Usage: "`HOST:PORT` to listen on", Value: ":8080", EnvVars: []string{"FIMDB_ADDR"}},
			dbFlag(),
			&cli.BoolFlag{Name: "secure-cookies", Usage: "mark cookies Secure even on plain HTTP (serve behind a TLS proxy; see --trusted-proxies)", EnvVars: []string{"FIMDB_SECURE_COOKIES"}},
			&cli.StringFlag{Name: "trusted-proxies", Usage: "believe X-Forwarded-For and X-Forwarded-Proto only from these comma-separated `CIDRS` (your load balancers)", EnvVars: []string{"FIMDB_TRUSTED_PROXIES"}},
			&cli.StringFlag{Name: "instance-name", Usage: "send `NAME` as the X-Fimdb-Instance header of every response", EnvVars: []string{"FIMDB_INSTANCE_NAME"}},
			&cli.DurationFlag{Name: "drain-delay", Usage: "on SIGTERM, answer /healthz with 503 for `DURATION`, still serving, before finishing requests in flight and exiting", Value: 5 * time.Second, EnvVars: []string{"FIMDB_DRAIN_DELAY"}},
			&cli.StringFlag{Name: "metrics-addr", Usage: "serve Prometheus metrics on `HOST:PORT` at /metrics (off when empty; keep it private)", EnvVars: []string{"FIMDB_METRICS_ADDR"}},
			&cli.StringFlag{Name: "log-format", Usage: "write the log as `FORMAT`: text (key=value) or json (one object per line)", Value: "text", EnvVars: []string{"FIMDB_LOG_FORMAT"}},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 0 {
				return usageError(c, fmt.Sprintf("serve takes no arguments, got %q", c.Args().First()))
			}
			proxies, err := handlers.ParseTrustedProxies(c.String("trusted-proxies"))
			if err != nil {
				return usageError(c, err.Error())
			}
			if c.Duration("drain-delay") < 0 {
				return usageError(c, "--drain-delay cannot be negative")
			}
			log, err := newLogger(stderr, c.String("log-format"))
			if err != nil {
				return usageError(c, err.Error())
			}
			return serve(c.Context, serveConfig{
				addr: c.String("addr"), dbPath: c.String("db"), secureCookies: c.Bool("secure-cookies"),
				trustedProxies: proxies, instanceName: c.String("instance-name"), drainDelay: c.Duration("drain-delay"),
				metricsAddr: c.String("metrics-addr"),
			}, log, stderr)
		},
	}
	app := &cli.App{
		Name:      "fimdb",
		Usage:     "a self-hosted movie catalog",
		Version:   version,
		Writer:    stdout,
		ErrWriter: stderr,
		Commands: []*cli.Command{
			serve,
			importCommand(stdout, stderr),
			{
				Name:  "migrate",
				Usage: "apply the database schema and exit (serve also does it when it starts)",
				Flags: []cli.Flag{dbFlag()},
				Action: func(c *cli.Context) error {
					if c.NArg() != 0 {
						return usageError(c, fmt.Sprintf("migrate takes no arguments, got %q", c.Args().First()))
					}
					return migrateDatabase(c.Context, c.String("db"), stdout)
				},
			},
			userCommand(stdin, stdout),
			tokenCommand(stdout),
			copyCommand(stdout),
			exportCommand(stdout),
			backupCommand(stdout),
		},
		DefaultCommand: "serve",
	}
	usageErrors(app)
	return cliApp{app}
}

// newLogger writes the server's log to w, as key=value text or as one JSON
// object per line (what log collectors read).
func newLogger(w io.Writer, format string) (*slog.Logger, error) {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format is text or json, not %q", format)
}

type serveConfig struct {
	addr, dbPath   string
	secureCookies  bool
	trustedProxies handlers.TrustedProxies
	instanceName   string
	drainDelay     time.Duration
	metricsAddr    string
}

// shutdownTimeout bounds how long requests in flight may take to finish.
const shutdownTimeout = 30 * time.Second

// serve runs the web app until SIGINT or SIGTERM (or ctx ends), then lets
// in-flight requests finish before it closes the database. SIGTERM is how
// orchestrators and load balancers retire an instance, so it drains first:
// see drain.
func serve(ctx context.Context, cfg serveConfig, log *slog.Logger, console io.Writer) error {
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(signals)
	ctx, stopStarting := abandonStartOnSignal(ctx, signals)
	defer stopStarting()
	if err := i18n.Load(); err != nil {
		return fmt.Errorf("translations: %w", err)
	}
	store, err := db.Open(ctx, cfg.dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	added, err := store.SeedBundledCatalog(ctx)
	if err != nil {
		return err
	}
	if added > 0 {
		log.Info("loaded the bundled catalog", "movies", added)
	}
	if err := bootstrapAdmin(ctx, store, os.Getenv("FIMDB_ADMIN_EMAIL"), os.Getenv("FIMDB_ADMIN_PASSWORD"), console); err != nil {
		return err
	}

	if err := stopStarting(); err != nil {
		return err
	}
	var observe handlers.Observer
	if cfg.metricsAddr != "" {
		m := metrics.New(store, version, log)
		stop, err := serveMetrics(cfg.metricsAddr, m, log)
		if err != nil {
			return err
		}
		defer stop()
		observe = m
	}
	var draining atomic.Bool
	app := handlers.New(handlers.Deps{
		Store: store, Log: log, SecureCookies: cfg.secureCookies, TrustedProxies: cfg.trustedProxies,
		InstanceName: cfg.instanceName, Draining: draining.Load, Observe: observe,
	})
	listenErr := make(chan error, 1)
	go func() { listenErr <- app.Listen(cfg.addr) }()
	log.Info("fimdb is listening", "addr", cfg.addr, "db", db.Redact(cfg.dbPath), "backend", store.Backend(), "version", version)

	select {
	case err := <-listenErr:
		return err
	case <-ctx.Done():
	case sig := <-signals:
		if sig == syscall.SIGTERM {
			if err := drain(&draining, cfg.drainDelay, signals, listenErr, log); err != nil {
				return err
			}
		}
	}
	draining.Store(true)
	// From here another Ctrl-C or SIGTERM ends the process at once, as
	// without fimdb's handler: someone who sends it does not want to wait.
	signal.Stop(signals)
	log.Info("shutting down; waiting for requests in flight", "timeout", shutdownTimeout)
	if err := app.ShutdownWithTimeout(shutdownTimeout); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

// serveMetrics serves m at /metrics on addr, on a listener of its own
// (plain net/http: a scraper needs nothing of the app's middleware), until
// stop is called. It fails at once when addr cannot be listened on.
func serveMetrics(addr string, m *metrics.Metrics, log *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics-addr: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln) // returns when stop closes it
	log.Info("metrics are served", "addr", ln.Addr().String(), "path", "/metrics")
	return func() { srv.Close() }, nil
}

// abandonStartOnSignal cancels the returned context on a signal until
// stopStarting is called, which hands the signals back to the caller (or
// reports that start-up was abandoned).
func abandonStartOnSignal(ctx context.Context, signals <-chan os.Signal) (context.Context, func() error) {
	ctx, cancel := context.WithCancelCause(ctx)
	started, watching := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(watching)
		select {
		case sig := <-signals:
			cancel(fmt.Errorf("start-up abandoned on %v", sig))
		case <-started:
		}
	}()
	stop := sync.OnceFunc(func() { close(started); <-watching })
	return ctx, func() error {
		stop()
		return context.Cause(ctx)
	}
}

// drain keeps serving for delay while /healthz answers 503, so that load
// balancers and Kubernetes take the instance out of rotation before it
// stops accepting connections. A second signal cuts the wait short.
func drain(draining *atomic.Bool, delay time.Duration, signals <-chan os.Signal, listenErr <-chan error, log *slog.Logger) error {
	draining.Store(true)
	log.Info("draining: /healthz answers 503 while requests are still served", "for", delay)
	select {
	case <-time.After(delay):
	case <-signals:
	case err := <-listenErr:
		return err
	}
	return nil
}

// migrateDatabase brings the database's schema up to date, as serve does
// on start, so that a release can migrate once before its servers start.
func migrateDatabase(ctx context.Context, dsn string, stdout io.Writer) error {
	store, err := db.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	v, err := store.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s (%s) is at schema version %d.\n", db.Redact(dsn), store.Backend(), v)
	return nil
}

// importFile adds the movies of a catalog file in one transaction and
// prints what it added and what it skipped, and why.
func importFile(ctx context.Context, dbPath, file string, stdout, stderr io.Writer) error {
	f, err := os.Open(file)
	if err != nil {
		return cli.Exit(err.Error(), 1)
	}
	movies, err := db.DecodeCatalog(f)
	f.Close()
	if err != nil {
		return cli.Exit(fmt.Sprintf("%s: %v\nnothing was imported", file, err), 1)
	}
	store, err := db.Open(ctx, dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	bar := newProgressBar(len(movies), stderr)
	report, err := store.ImportMovies(ctx, movies, func() { bar.Add(1) })
	bar.Finish()
	if err != nil {
		return cli.Exit(fmt.Sprintf("%s: %v\nnothing was imported", file, err), 1)
	}
	fmt.Fprintf(stdout, "Imported %s: %d added, %d skipped.\n", file, report.Added, len(report.Skipped))
	for _, s := range report.Skipped {
		fmt.Fprintf(stdout, "  skipped #%d %q: %s\n", s.Entry, s.Name, s.Reason)
	}
	return nil
}

// newProgressBar draws on a terminal only; piped output stays clean.
func newProgressBar(n int, w io.Writer) *progressbar.ProgressBar {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return progressbar.DefaultSilent(int64(n))
	}
	return progressbar.NewOptions(n,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("importing"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
}
