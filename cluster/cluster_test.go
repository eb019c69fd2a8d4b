package cluster_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"fimdb/cluster"
	"fimdb/db/dbtest"
)

// Two instances behind nginx on one MariaDB/MySQL database, as
// deploy/nginx/fimdb.conf runs them. Without FIMDB_TEST_MYSQL or nginx the
// tests that need them skip, saying what to set or install.

var (
	binary string // fimdb built for this run
	skip   string // why the cluster tests cannot run here
)

const (
	adminEmail    = "admin@example.com"
	adminPassword = "cluster admin passphrase"
	operatorConf  = "../deploy/nginx/fimdb.conf"
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if _, err := cluster.FindNginx(); err != nil {
		skip = err.Error()
	} else if os.Getenv(dbtest.ServerEnv) == "" {
		skip = "needs a MySQL server: set " + dbtest.ServerEnv + "=mysql://root@127.0.0.1:3306/test to run the cluster tests"
	}
	if skip != "" {
		return m.Run()
	}
	tmp, err := os.MkdirTemp("", "fimdb-cluster-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "cluster:", err)
		return 1
	}
	defer os.RemoveAll(tmp)
	binary = filepath.Join(tmp, "fimdb")
	build := exec.Command("go", "build", "-o", binary, "..")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "cluster: building fimdb: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// startCluster runs two instances and nginx on a fresh database; they are
// stopped when the test ends (before the database is dropped), and a
// failing test shows the end of every log.
func startCluster(t *testing.T, change ...func(*cluster.Config)) *cluster.Cluster {
	t.Helper()
	if skip != "" {
		t.Skip(skip)
	}
	cfg := cluster.Config{
		Binary:        binary,
		DB:            dbtest.NewMySQLDatabase(t),
		NginxConf:     operatorConf,
		Dir:           t.TempDir(),
		AdminEmail:    adminEmail,
		AdminPassword: adminPassword,
		DrainDelay:    time.Second,
	}
	for _, f := range change {
		f(&cfg)
	}
	start := time.Now()
	c, err := cluster.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("cluster up in %s at %s", time.Since(start).Round(time.Millisecond), c.URL)
	t.Cleanup(func() {
		if err := c.Stop(); err != nil {
			t.Errorf("stopping the cluster: %v", err)
		}
		if t.Failed() {
			t.Logf("logs:\n%s", c.LogTails(40))
		}
	})
	return c
}

// client is one visitor of the cluster through nginx, with its own
// cookies and connections.
type client struct {
	t     testing.TB
	base  string
	http  *http.Client
	csrf  string
	token string // Authorization: Bearer, when set
}

func newClient(t testing.TB, c *cluster.Cluster) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: c.URL, http: &http.Client{
		Jar:           jar,
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport:     &http.Transport{MaxIdleConnsPerHost: 4},
	}}
}

type reply struct {
	status   int
	header   http.Header
	body     string
	err      error
	instance string
}

func (r reply) String() string {
	if r.err != nil {
		return r.err.Error()
	}
	return fmt.Sprintf("%d from %q: %.200s", r.status, r.instance, strings.Join(strings.Fields(r.body), " "))
}

// do sends a request; it never fails the test, so that goroutines can use it.
func (cl *client) do(method, path, body string, headers map[string]string) reply {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, cl.base+path, rd)
	if err != nil {
		return reply{err: err}
	}
	if cl.token != "" {
		req.Header.Set("Authorization", "Bearer "+cl.token)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := cl.http.Do(req)
	if err != nil {
		return reply{err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: string(data), err: err, instance: resp.Header.Get("X-Fimdb-Instance")}
}

var nginxRequestID = regexp.MustCompile(`^[0-9a-f]{32}$`)

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// signIn signs in through the form as a browser does: the sign-in page for
// the CSRF token and the session cookie, then the form's POST. headers go
// with both requests.
func (cl *client) signIn(email, password string, headers map[string]string) reply {
	page := cl.do("GET", "/login", "", headers)
	m := csrfField.FindStringSubmatch(page.body)
	if page.status != 200 || m == nil {
		cl.t.Fatalf("GET /login: %v", page)
	}
	form := url.Values{"email": {email}, "password": {password}, "_csrf": {m[1]}}
	h := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	for k, v := range headers {
		h[k] = v
	}
	r := cl.do("POST", "/login", form.Encode(), h)
	if r.status == http.StatusSeeOther {
		cl.csrf = cl.csrfOf("/listing")
	}
	return r
}

// csrfOf reads the CSRF token a signed-in page carries (the sign-out form).
func (cl *client) csrfOf(path string) string {
	r := cl.do("GET", path, "", nil)
	m := csrfField.FindStringSubmatch(r.body)
	if r.status != 200 || m == nil {
		cl.t.Fatalf("GET %s for a CSRF token: %v", path, r)
	}
	return m[1]
}

var asJSON = map[string]string{"Accept": "application/json"}

type movie struct {
	ID         int64    `json:"id"`
	Name       string   `json:"name"`
	Director   string   `json:"director"`
	Genres     []string `json:"genres"`
	IMDBScore  float64  `json:"imdb_score"`
	Popularity float64  `json:"popularity"`
	Version    int64    `json:"version"`
}

type listing struct {
	Total  int     `json:"total"`
	Movies []movie `json:"movies"`
}

func decode[T any](t testing.TB, r reply) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(r.body), &v); err != nil {
		t.Fatalf("not JSON: %v", r)
	}
	return v
}

// adminToken makes an API token for the administrator with `fimdb token create`.
func adminToken(t *testing.T, c *cluster.Cluster) string {
	out, err := c.Command(context.Background(), "token", "create", adminEmail).Output()
	if err != nil {
		t.Fatalf("fimdb token create: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

func TestASessionHoldsOnEveryInstance(t *testing.T) {
	c := startCluster(t)
	cl := newClient(t, c)
	if r := cl.signIn(adminEmail, adminPassword, nil); r.status != http.StatusSeeOther {
		t.Fatalf("sign in: %v", r)
	}
	served := map[string]int{}
	ids := map[string]bool{}
	for i := range 20 {
		path := "/listing"
		if i/2%2 == 1 { // each path reaches both instances
			path = "/listing?name=star"
		}
		r := cl.do("GET", path, "", nil)
		if r.status != 200 || !strings.Contains(r.body, adminEmail) {
			t.Fatalf("request %d, GET %s signed in: %v", i+1, path, r)
		}
		served[r.instance]++
		// nginx names each request (deploy/nginx sets X-Request-ID from its
		// $request_id) and the instance keeps that name.
		if id := r.header.Get("X-Request-ID"); !nginxRequestID.MatchString(id) || ids[id] {
			t.Errorf("request %d: X-Request-ID %q, want nginx's, new for each request", i+1, id)
		} else {
			ids[id] = true
		}
	}
	for _, in := range c.Instances() {
		if served[in.Name] == 0 {
			t.Errorf("%s served none of 20 requests: %v", in.Name, served)
		}
	}
	t.Logf("served: %v", served)
}

func TestAnEditShowsOnTheOtherInstance(t *testing.T) {
	c := startCluster(t)
	cl := newClient(t, c)
	if r := cl.signIn(adminEmail, adminPassword, nil); r.status != http.StatusSeeOther {
		t.Fatalf("sign in: %v", r)
	}
	const cached = "/listing?name=godfather"
	// Both instances answer the search once, so both have it cached.
	seen := map[string]bool{}
	var godfather movie
	for i := 0; len(seen) < len(c.Instances()); i++ {
		if i == 10 {
			t.Fatalf("10 searches reached only %v", seen)
		}
		r := cl.do("GET", cached, "", asJSON)
		l := decode[listing](t, r)
		if r.status != 200 || len(l.Movies) == 0 || l.Movies[0].Name != "The Godfather" {
			t.Fatalf("GET %s: %v", cached, r)
		}
		godfather, seen[r.instance] = l.Movies[0], true
	}

	m := godfather
	body, _ := json.Marshal(map[string]any{
		"id": m.ID, "version": m.Version, "movie_name": "The Godfather Redux", "director": m.Director,
		"chip_genres": strings.Join(m.Genres, ", "), "imdb_score": m.IMDBScore, "popularity": m.Popularity,
	})
	r := cl.do("POST", "/manage/update", string(body), map[string]string{
		"Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": cl.csrf})
	if r.status != 200 {
		t.Fatalf("update: %v", r)
	}
	editedOn := r.instance

	for _, path := range []string{cached, "/listing?name=redux&sort=popularity"} {
		for i := 0; ; i++ {
			if i == 10 {
				t.Fatalf("10 requests for %s never reached an instance other than %s", path, editedOn)
			}
			r := cl.do("GET", path, "", asJSON)
			l := decode[listing](t, r)
			if r.status != 200 || len(l.Movies) == 0 || l.Movies[0].Name != "The Godfather Redux" || l.Movies[0].Version != m.Version+1 {
				t.Fatalf("after the edit on %s, GET %s: %v", editedOn, path, r)
			}
			if r.instance != editedOn {
				break
			}
		}
	}
	// A stale version is a conflict, whichever instance gets it.
	for range c.Instances() {
		r := cl.do("POST", "/manage/update", string(body), map[string]string{
			"Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": cl.csrf})
		if r.status != http.StatusConflict {
			t.Errorf("update from the old version: %v, want 409", r)
		}
	}
}

func TestSignInThrottleCountsAcrossInstances(t *testing.T) {
	t.Run("five failures on one account, spread over both", func(t *testing.T) {
		c := startCluster(t)
		served := map[string]int{}
		for i := range 5 {
			cl := newClient(t, c)
			if i%2 == 1 { // nginx takes turns: this puts the POST on the other instance
				cl.do("GET", "/healthz", "", nil)
			}
			r := cl.signIn(adminEmail, "wrong password", nil)
			if r.status != http.StatusUnauthorized {
				t.Fatalf("failure %d: %v, want 401", i+1, r)
			}
			served[r.instance]++
		}
		if len(served) != 2 {
			t.Errorf("the failures reached %v, want both instances", served)
		}
		if r := newClient(t, c).signIn(adminEmail, adminPassword, nil); r.status != http.StatusTooManyRequests {
			t.Errorf("the sixth try, with the right password: %v, want 429", r)
		}
	})

	// nginx overwrites X-Forwarded-For with the address it sees, and the
	// instances believe only nginx: a client naming a new address on each
	// try (and a new account, so that only the per-address count can stop
	// it) is still one address.
	t.Run("a forged X-Forwarded-For does not reset the count", func(t *testing.T) {
		c := startCluster(t)
		for i := range 5 {
			forged := map[string]string{"X-Forwarded-For": fmt.Sprintf("203.0.113.%d", i+1)}
			r := newClient(t, c).signIn(fmt.Sprintf("nobody%d@example.com", i), "wrong password", forged)
			if r.status != http.StatusUnauthorized {
				t.Fatalf("failure %d: %v, want 401", i+1, r)
			}
		}
		forged := map[string]string{"X-Forwarded-For": "198.51.100.7"}
		if r := newClient(t, c).signIn(adminEmail, adminPassword, forged); r.status != http.StatusTooManyRequests {
			t.Errorf("the sixth try from the same client under yet another forged address: %v, want 429", r)
		}
	})
}

// randomWord is a word no movie has, to find a test's movies by.
func randomWord() string {
	b := make([]byte, 10)
	for i := range b {
		b[i] = byte('a' + rand.IntN(26))
	}
	return string(b)
}

// load is what a cluster serves while an instance is killed or restarted:
// signed-in readers listing (HTML, htmx fragments, JSON; various searches)
// and administrators adding movies through the JSON API, each add with
// its own name and Idempotency-Key.
type load struct {
	t     *testing.T
	c     *cluster.Cluster
	word  string // in every added movie's name
	retry bool   // writers retry a failed add with the same key and body

	stop chan struct{}
	wg   sync.WaitGroup

	mu                   sync.Mutex
	reads, readFailures  int
	writes, writeFailure int
	retries, replays     int
	failures             []string             // the first few, for the report
	added                map[string]int64     // name → id, for each add that got its 201
	lastServed           map[string]time.Time // instance → when it last answered
}

var readPaths = []struct {
	path    string
	headers map[string]string
}{
	{"/listing", nil},
	{"/listing?name=star", asJSON},
	{"/listing?director=spielberg&sort=popularity", nil},
	{"/listing?genre=drama&p=2&items=20", asJSON},
	{"/listing?name=the&sort=name", map[string]string{"HX-Request": "true"}},
	{"/listing?name=godf", asJSON},
	{"/suggest?field=director&q=st", asJSON},
	{"/listing?genre=crime&genre=drama", nil},
}

func startLoad(t *testing.T, c *cluster.Cluster, readers, writers int, retry bool) *load {
	l := &load{t: t, c: c, word: randomWord(), retry: retry, stop: make(chan struct{}),
		added: map[string]int64{}, lastServed: map[string]time.Time{}}
	token := adminToken(t, c)
	for r := range readers {
		cl := newClient(t, c)
		if resp := cl.signIn(adminEmail, adminPassword, nil); resp.status != http.StatusSeeOther {
			t.Fatalf("reader %d signs in: %v", r, resp)
		}
		l.wg.Go(func() { l.read(cl, r) })
	}
	for w := range writers {
		cl := newClient(t, c)
		cl.token = token
		l.wg.Go(func() { l.write(cl, w) })
	}
	return l
}

func (l *load) stopped() bool {
	select {
	case <-l.stop:
		return true
	default:
		return false
	}
}

func (l *load) served(r reply) {
	if r.instance != "" {
		l.lastServed[r.instance] = time.Now()
	}
}

func (l *load) fail(format string, args ...any) {
	if len(l.failures) < 10 {
		l.failures = append(l.failures, fmt.Sprintf(time.Now().Format("15:04:05.000 ")+format, args...))
	}
}

func (l *load) read(cl *client, n int) {
	for i := n; !l.stopped(); i++ {
		q := readPaths[i%len(readPaths)]
		r := cl.do("GET", q.path, "", q.headers)
		l.mu.Lock()
		l.reads++
		l.served(r)
		if r.err != nil || r.status != 200 {
			l.readFailures++
			l.fail("GET %s: %v", q.path, r)
		}
		l.mu.Unlock()
	}
}

func (l *load) write(cl *client, n int) {
	for i := 1; !l.stopped(); i++ {
		name := fmt.Sprintf("%s w%d n%d", l.word, n, i)
		body, _ := json.Marshal(map[string]any{"movie_name": name, "director": "Cluster Load",
			"chip_genres": "Test", "imdb_score": 5, "popularity": 1})
		headers := map[string]string{"Content-Type": "application/json", "Accept": "application/json",
			"Idempotency-Key": fmt.Sprintf("%s-%d-%d", l.word, n, i)}
		for try := 1; ; try++ {
			r := cl.do("POST", "/manage/add", string(body), headers)
			l.mu.Lock()
			l.served(r)
			if r.err == nil && r.status == http.StatusCreated {
				l.writes++
				if r.header.Get("Idempotent-Replayed") == "true" {
					l.replays++
				}
				var m movie
				if json.Unmarshal([]byte(r.body), &m) != nil || m.Name != name {
					l.writeFailure++
					l.fail("add %q: 201 with %.200s", name, r.body)
				}
				l.added[name] = m.ID
				l.mu.Unlock()
				break
			}
			// What a client cannot tell from "not added": the request
			// failed on the way or the answer did not come back.
			retryable := r.err != nil || r.status == http.StatusBadGateway ||
				r.status == http.StatusServiceUnavailable || r.status == http.StatusGatewayTimeout
			if retryable && l.retry && try < 20 {
				l.retries++
				l.fail("add %q, try %d (will retry): %v", name, try, r)
				l.mu.Unlock()
				time.Sleep(100 * time.Millisecond)
				continue
			}
			l.writeFailure++
			l.fail("add %q, try %d: %v", name, try, r)
			l.mu.Unlock()
			break
		}
	}
}

// finish stops the load, waits for it, logs the counts and fails the test
// for any failed read or write (after the writers' retries, if any).
func (l *load) finish() {
	close(l.stop)
	l.wg.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.t.Logf("reads %d (failed %d), adds %d (failed %d), add retries %d, replayed %d", l.reads, l.readFailures, l.writes, l.writeFailure, l.retries, l.replays)
	for _, f := range l.failures {
		l.t.Logf("  %s", f)
	}
	passed := passedOn(l.t, l.c)
	l.t.Logf("nginx passed %d requests on to the other instance", len(passed))
	for i, line := range passed {
		if i == 5 {
			break
		}
		l.t.Logf("  %s", line)
	}
	if l.readFailures > 0 || l.writeFailure > 0 {
		l.t.Errorf("%d reads and %d adds failed", l.readFailures, l.writeFailure)
	}
	if l.writes == 0 || l.reads == 0 {
		l.t.Errorf("%d reads and %d adds: the load did not run", l.reads, l.writes)
	}
}

// checkCatalog finds every movie the load added, by the word in their
// names: each add that got its 201 must be there exactly once, and nothing
// else.
func (l *load) checkCatalog(cl *client) {
	l.t.Helper()
	found := map[string][]int64{}
	for p := 1; ; p++ {
		r := cl.do("GET", fmt.Sprintf("/listing?name=%s&items=200&p=%d", l.word, p), "", asJSON)
		page := decode[listing](l.t, r)
		if r.status != 200 {
			l.t.Fatalf("listing the added movies: %v", r)
		}
		for _, m := range page.Movies {
			found[m.Name] = append(found[m.Name], m.ID)
		}
		if len(page.Movies) < 200 {
			break
		}
	}
	for name, id := range l.added {
		if ids := found[name]; len(ids) != 1 || ids[0] != id {
			l.t.Errorf("%q was added as #%d; the catalog holds it as %v", name, id, ids)
		}
	}
	for name, ids := range found {
		if _, ok := l.added[name]; !ok {
			l.t.Errorf("%q is in the catalog (%v) but no add of it succeeded", name, ids)
		}
	}
	l.t.Logf("the catalog holds each of the %d added movies once", len(l.added))
}

func (l *load) servedSince(name string, t time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lastServed[name].After(t)
}

// TestKillingAnInstanceLosesNothing: SIGKILL one of two instances under
// load. It is frozen (SIGSTOP) for half a second first, so that requests
// are surely in flight on it when it dies, as they are when a busy process
// crashes. nginx passes the reads it was serving (and every request it
// can no longer connect to) to the other; an add cut off mid-way comes
// back as a 502, and the client retries it with the same Idempotency-Key:
// none is lost, none doubled.
func TestKillingAnInstanceLosesNothing(t *testing.T) {
	c := startCluster(t)
	l := startLoad(t, c, 4, 2, true)
	time.Sleep(2 * time.Second)
	victim := c.Instance(1)
	if err := victim.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	t.Logf("SIGKILL %s (pid %d), frozen for 500ms", victim.Name, victim.PID())
	if err := victim.Kill(); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	time.Sleep(3 * time.Second)
	l.finish()
	if l.retries == 0 {
		t.Errorf("no add was cut off by the kill, so the retries went untested")
	}
	if l.servedSince(victim.Name, killed) {
		t.Errorf("%s answered after it was killed", victim.Name)
	}
	if !l.servedSince(c.Instance(2).Name, killed) {
		t.Errorf("%s served nothing after %s was killed", c.Instance(2).Name, victim.Name)
	}
	admin := newClient(t, c)
	admin.token = adminToken(t, c)
	l.checkCatalog(admin)
}

// TestARetriedAddIsReplayedByTheOtherInstance: the Idempotency-Key is
// shared through the database, so a retry that nginx sends to the other
// instance answers the first add's movie and adds nothing.
func TestARetriedAddIsReplayedByTheOtherInstance(t *testing.T) {
	c := startCluster(t)
	admin := newClient(t, c)
	admin.token = adminToken(t, c)
	word := randomWord()
	body := `{"movie_name":"` + word + `","director":"Cluster Retry","chip_genres":"Test","imdb_score":5,"popularity":1}`
	headers := map[string]string{"Content-Type": "application/json", "Accept": "application/json", "Idempotency-Key": word}
	first := admin.do("POST", "/manage/add", body, headers)
	if first.status != http.StatusCreated {
		t.Fatalf("add: %v", first)
	}
	added := decode[movie](t, first)
	for i := 0; ; i++ {
		if i == 10 {
			t.Fatalf("10 retries never reached an instance other than %s", first.instance)
		}
		r := admin.do("POST", "/manage/add", body, headers)
		if r.status != http.StatusCreated || r.header.Get("Idempotent-Replayed") != "true" || decode[movie](t, r).ID != added.ID {
			t.Fatalf("retry %d after a 201 from %s: %v, want 201 replaying #%d", i+1, first.instance, r, added.ID)
		}
		if r.instance != first.instance {
			break
		}
	}
	other := strings.Replace(body, "Cluster Retry", "Someone Else", 1)
	if r := admin.do("POST", "/manage/add", other, headers); r.status != http.StatusUnprocessableEntity {
		t.Errorf("the same key with another movie: %v, want 422", r)
	}
	l := decode[listing](t, admin.do("GET", "/listing?name="+word, "", asJSON))
	if l.Total != 1 {
		t.Errorf("the catalog holds %d movies named %s, want 1", l.Total, word)
	}
}

// TestRollingRestartLosesNothing: each instance in turn gets SIGTERM,
// drains, exits and starts again, as a deploy does, while the load runs.
// No request may fail, reads or adds, and the clients do not retry.
func TestRollingRestartLosesNothing(t *testing.T) {
	c := startCluster(t)
	l := startLoad(t, c, 4, 2, false)
	time.Sleep(time.Second)
	for _, in := range c.Instances() {
		start := time.Now()
		draining := make(chan error, 1)
		go func() { draining <- pollDraining(in) }()
		if err := in.Stop(); err != nil {
			t.Fatalf("SIGTERM %s: %v", in.Name, err)
		}
		stopped := time.Now()
		if err := in.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		if err := <-draining; err != nil {
			t.Errorf("%s on SIGTERM: %v", in.Name, err)
		}
		t.Logf("%s: drained and exited in %s, started again in %s", in.Name,
			stopped.Sub(start).Round(time.Millisecond), time.Since(stopped).Round(time.Millisecond))
		// nginx sends it nothing until fail_timeout (5 s) after the refused
		// connection that took it out; then it serves again.
		restarted := time.Now()
		for !l.servedSince(in.Name, restarted) {
			if time.Since(restarted) > 10*time.Second {
				t.Fatalf("%s served nothing in the 10 s after it started again", in.Name)
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Logf("%s serves again after %s", in.Name, time.Since(restarted).Round(time.Millisecond))
	}
	time.Sleep(500 * time.Millisecond)
	l.finish()
	admin := newClient(t, c)
	admin.token = adminToken(t, c)
	l.checkCatalog(admin)
}

// pollDraining asks an instance's own /healthz, from the moment it is told
// to stop until it closes, what it says; it should say 503 "draining" for
// the drain delay while nginx still gets answers from it.
func pollDraining(in *cluster.Instance) error {
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	var said []string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		resp, err := client.Get(in.URL + "/healthz")
		if err != nil {
			break
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusServiceUnavailable && strings.Contains(string(body), `"draining"`) {
			return nil
		}
		said = append(said, fmt.Sprintf("%d %s", resp.StatusCode, strings.TrimSpace(string(body))))
	}
	return fmt.Errorf("its /healthz never said 503 draining before it closed (it said %v)", said)
}

// passedOn are the lines of nginx's access log for requests it sent to
// more than one instance (upstream=A, B).
func passedOn(t *testing.T, c *cluster.Cluster) []string {
	data, err := os.ReadFile(filepath.Join(c.Dir, "nginx-access.log"))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, line := range strings.Split(string(data), "\n") {
		if strings.Contains(line, "upstream=") && strings.Contains(line[strings.Index(line, "upstream="):], ", ") {
			lines = append(lines, line)
		}
	}
	return lines
}
