package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// htmxAttributes is the one thing the Nu HTML Checker may say: htmx's
// hx-* attributes are not in the HTML standard, by design.
const htmxAttributes = `.*Attribute “hx-[a-z-]+” not allowed on element .*`

var languages = []string{"en", "es", "fr", "de", "hi"}

// TestPagesAreValidHTML fetches whole pages as the server sends them (every
// language, signed out and as the administrator, good and bad requests) and
// has the Nu HTML Checker (vnu.jar from npm, run by the machine's Java)
// check them. Any error or warning fails the test.
func TestPagesAreValidHTML(t *testing.T) {
	java, jar := findVNU(t)
	srv := startServer(t)
	dir := t.TempDir()
	save := func(name string, status int, resp *http.Response) {
		t.Helper()
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != status {
			t.Fatalf("%s: status %d, want %d", name, resp.StatusCode, status)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".html"), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// The administrator signs in first: the failed sign-ins below count
	// towards the per-address throttle.
	admin := newBrowserlessClient(t)
	signedIn := postForm(t, admin, srv.URL+"/login", url.Values{"email": {adminEmail}, "password": {adminPassword}})
	signedIn.Body.Close()
	if signedIn.StatusCode != http.StatusSeeOther {
		t.Fatalf("signing in: status %d, want 303", signedIn.StatusCode)
	}
	for _, lang := range languages {
		pages := []struct {
			name, path string
			status     int
		}{
			{"listing", "/listing", 200},
			{"search", "/listing?name=star&genre=Sci-Fi&sort=name", 200},
			{"empty", "/listing?name=qqqzzz", 200},
			{"bad-parameter", "/listing?p=abc", 400},
			{"not-found", "/no-such-page", 404},
			{"admin", "/admin", 200},
			{"accounts", "/admin/accounts", 200},
			{"movie", "/movies/4", 200},
			{"no-movie", "/movies/999999", 404},
		}
		for _, p := range pages {
			save(p.name+"-"+lang, p.status, get(t, admin, srv.URL+withLang(p.path, lang)))
		}

		anon := newBrowserlessClient(t)
		save("sign-in-"+lang, 200, get(t, anon, srv.URL+"/login?lang="+lang))
		save("sign-up-"+lang, 200, get(t, anon, srv.URL+"/signup"))
		save("sign-in-error-"+lang, 401, postForm(t, anon, srv.URL+"/login",
			url.Values{"email": {"nobody@example.com"}, "password": {"not the password"}}))
		save("sign-up-error-"+lang, 400, postForm(t, anon, srv.URL+"/signup",
			url.Values{"email": {"not-an-email"}, "password": {"short"}, "password_confirm": {"other"}}))
	}

	files, _ := filepath.Glob(filepath.Join(dir, "*.html"))
	args := append([]string{"-jar", jar, "--format", "json", "--filterpattern", htmxAttributes}, files...)
	var out bytes.Buffer
	cmd := exec.Command(java, args...)
	cmd.Stdout, cmd.Stderr = &out, &out // vnu writes its JSON report to stderr
	runErr := cmd.Run()
	var report struct {
		Messages []struct {
			Type    string `json:"type"`
			SubType string `json:"subType"`
			URL     string `json:"url"`
			Line    int    `json:"lastLine"`
			Message string `json:"message"`
			Extract string `json:"extract"`
		} `json:"messages"`
	}
	if err := json.Unmarshal(out.Bytes(), &report); err != nil {
		t.Fatalf("the Nu HTML Checker's report (%v): %v\n%s", runErr, err, out.String())
	}
	for _, m := range report.Messages {
		if m.Type == "info" && m.SubType != "warning" {
			continue
		}
		t.Errorf("%s:%d: %s %s: %s\n      %s", filepath.Base(m.URL), m.Line, m.Type, m.SubType, m.Message, strings.TrimSpace(m.Extract))
	}
	t.Logf("the Nu HTML Checker read %d pages", len(files))
}

// findVNU finds Java and the checker's jar, which `make assets` (npm ci)
// brings.
func findVNU(t *testing.T) (java, jar string) {
	t.Helper()
	java, err := exec.LookPath("java")
	if err != nil {
		t.Fatal("the Nu HTML Checker needs Java: apt-get install -y default-jre-headless")
	}
	jar = filepath.Join("..", "node_modules", "vnu-jar", "build", "dist", "vnu.jar")
	if _, err := os.Stat(jar); err != nil {
		t.Fatalf("vnu.jar is missing (%v): run `make assets` (npm ci) first", err)
	}
	return java, jar
}

// newBrowserlessClient keeps cookies like a browser and does not follow
// redirects, so that each answer can be checked.
func newBrowserlessClient(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func get(t *testing.T, c *http.Client, u string) *http.Response {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// postForm sends a form the way the page's own form does, with the CSRF
// token from the page at the same address.
func postForm(t *testing.T, c *http.Client, u string, form url.Values) *http.Response {
	t.Helper()
	page := get(t, c, u)
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	m := csrfField.FindSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF field on %s (status %d)", u, page.StatusCode)
	}
	form.Set("_csrf", string(m[1]))
	resp, err := c.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}
