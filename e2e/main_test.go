// Package e2e drives the real bin/fimdb with Debian's Chromium (headless,
// through chromedp) for what only a browser shows: live search swapping
// results, the pushed URL, Back and Forward, the form without JavaScript.
//
// Chromium is required: without it the suite fails and says how to install
// it. FIMDB_CHROMIUM overrides its path; E2E_ARTIFACTS is where a failing
// test leaves a screenshot and the page's HTML (default: e2e-artifacts/ at
// the top of the repository).
//
// Each test server gets a fresh database from dbtest.DSN: a SQLite file, or
// with FIMDB_TEST_BACKEND=mysql a new database on the FIMDB_TEST_MYSQL server,
// dropped when the test ends. `make test` runs the core flows (E2E_CORE in
// the Makefile) that way when FIMDB_TEST_MYSQL is set.
package e2e

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fimdb/db/dbtest"

	"github.com/chromedp/chromedp"
)

var (
	binary    string          // bin/fimdb built for this run
	browserCx context.Context // one Chromium for the whole run; each test opens tabs
	artifacts string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	chromium, err := findChromium()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	tmp, err := os.MkdirTemp("", "fimdb-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(tmp)

	binary = filepath.Join(tmp, "fimdb")
	build := exec.Command("go", "build", "-o", binary, "..")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: building fimdb: %v\n%s", err, out)
		return 1
	}

	artifacts = os.Getenv("E2E_ARTIFACTS")
	if artifacts == "" {
		artifacts, _ = filepath.Abs(filepath.Join("..", "e2e-artifacts"))
	}

	// The flags this machine needs: no sandbox as root, no GPU, and no
	// background traffic to hosts a closed network refuses.
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(filepath.Join(tmp, "chromium-profile")),
		chromedp.WindowSize(1366, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	var cancelBrowser context.CancelFunc
	browserCx, cancelBrowser = chromedp.NewContext(allocCtx)
	defer cancelBrowser()
	if err := chromedp.Do(browserCx); err != nil { // starts the browser
		fmt.Fprintf(os.Stderr, "e2e: starting %s: %v\n", chromium, err)
		return 1
	}
	return m.Run()
}

func findChromium() (string, error) {
	if p := os.Getenv("FIMDB_CHROMIUM"); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("Chromium is not installed, and the browser tests need it.\n" +
		"Install Debian's package:  sudo apt-get install -y chromium\n" +
		"(or point FIMDB_CHROMIUM at a Chromium binary)")
}

// The administrator every test server starts with.
const (
	adminEmail    = "admin@example.com"
	adminPassword = "e2e admin passphrase"
)

// server is a fimdb process on a free loopback port with its own database.
type server struct {
	URL string
}

// startServer runs bin/fimdb on a fresh database (dbtest.DSN: a file in a
// temporary folder, or a new MySQL database when FIMDB_TEST_BACKEND=mysql)
// and waits until it answers; the process is stopped when the test ends,
// before the database is removed.
func startServer(t *testing.T) server {
	t.Helper()
	dsn := dbtest.DSN(t, "fimdb") // first, so that its cleanup runs after the server's
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	dir := t.TempDir()
	cmd := exec.Command(binary, "serve", "--addr", addr, "--db", dsn)
	cmd.Env = append(os.Environ(), "FIMDB_ADMIN_EMAIL="+adminEmail, "FIMDB_ADMIN_PASSWORD="+adminPassword)
	logFile, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
		logFile.Close()
		if t.Failed() {
			log, _ := os.ReadFile(logFile.Name())
			t.Logf("server log:\n%s", log)
		}
	})
	url := "http://" + addr
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url + "/healthz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return server{URL: url}
			}
		}
		time.Sleep(50 * time.Millisecond) // polling for the listener, not timing anything
	}
	t.Fatalf("fimdb did not start on %s", addr)
	return server{}
}

// newTab opens a browser tab for the test, in a browser context of its own
// (cookies are shared across ports on 127.0.0.1, and across tabs of one
// context). When the test fails, the tab's screenshot and HTML are saved
// under the artifacts folder.
func newTab(t *testing.T) context.Context {
	t.Helper()
	return newTabWithin(t, 90*time.Second)
}

// newTabWithin is newTab for a test that walks through many pages in one
// tab: the tab lives for at most limit.
func newTabWithin(t *testing.T, limit time.Duration) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browserCx, chromedp.WithNewBrowserContext())
	ctx, cancelTimeout := context.WithTimeout(ctx, limit)
	t.Cleanup(func() {
		if t.Failed() {
			saveArtifacts(t, ctx)
		}
		cancelTimeout()
		cancel()
	})
	return ctx
}

func saveArtifacts(t *testing.T, ctx context.Context) {
	name := strings.NewReplacer("/", "_", " ", "_").Replace(t.Name())
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Logf("artifacts: %v", err)
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		os.WriteFile(filepath.Join(artifacts, name+".png"), png, 0o644)
	}
	if html, err := chromedp.Run(ctx, chromedp.OuterHTML("html")); err == nil {
		os.WriteFile(filepath.Join(artifacts, name+".html"), []byte(html), 0o644)
	}
	t.Logf("E2E ARTIFACTS: screenshot and HTML of the failing page in %s/%s.{png,html}", artifacts, name)
}
