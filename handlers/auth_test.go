package handlers

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// browser is a cookie-keeping client of the test app, as a person's
// browser is: it signs in through the forms and echoes CSRF tokens.
type browser struct {
	t       *testing.T
	app     *testApp
	cookies map[string]string
}

func newBrowser(t *testing.T, app *testApp) *browser {
	return &browser{t: t, app: app, cookies: map[string]string{}}
}

type response struct {
	status int
	header http.Header
	body   string
}

func (b *browser) do(method, target string, form url.Values, headers map[string]string) response {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, target, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return b.send(req, headers)
}

// doMultipart sends form as multipart/form-data, as a form with
// enctype="multipart/form-data" (or htmx's hx-encoding) would.
func (b *browser) doMultipart(method, target string, form url.Values, headers map[string]string) response {
	b.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for name, values := range form {
		for _, v := range values {
			if err := w.WriteField(name, v); err != nil {
				b.t.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		b.t.Fatal(err)
	}
	req := httptest.NewRequest(method, target, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return b.send(req, headers)
}

func (b *browser) send(req *http.Request, headers map[string]string) response {
	b.t.Helper()
	for name, value := range b.cookies {
		req.AddCookie(&http.Cookie{Name: name, Value: value})
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := b.app.Test(req, -1)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	for _, c := range resp.Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	return response{resp.StatusCode, resp.Header, string(data)}
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// csrfFrom reads the token a page's form carries.
func (b *browser) csrfFrom(page response) string {
	b.t.Helper()
	m := csrfField.FindStringSubmatch(page.body)
	if m == nil {
		b.t.Fatalf("no CSRF field in:\n%.400s", page.body)
	}
	return m[1]
}

func (b *browser) signIn(email, password, next string) response {
	b.t.Helper()
	page := b.do("GET", "/login", nil, nil)
	target := "/login"
	if next != "" {
		target += "?" + url.Values{"next": {next}}.Encode()
	}
	return b.do("POST", target, url.Values{"email": {email}, "password": {password}, "_csrf": {b.csrfFrom(page)}}, nil)
}

func TestRouteRoleMatrix(t *testing.T) {
	app, store := newTestApp(t)
	ctx := context.Background()
	for _, id := range []int64{3, 4, 5} { // for the restore rows: only the admin's brings one back
		if _, err := store.DeleteMovie(ctx, id, "setup"); err != nil {
			t.Fatal(err)
		}
	}
	type want struct {
		status   int
		location string
	}
	routes := []struct {
		name    string
		method  string
		url     string
		headers map[string]string
		byRole  map[string]want
	}{
		{"listing page", "GET", "/listing?genre=War", nil, map[string]want{
			anonymous: {303, "/login?next=%2Flisting%3Fgenre%3DWar"}, asUser: {200, ""}, asAdmin: {200, ""}, asBadToken: {401, ""}, asUserSession: {200, ""}}},
		{"listing JSON", "GET", "/listing", asJSON, map[string]want{
			anonymous: {401, ""}, asUser: {200, ""}, asAdmin: {200, ""}, asBadToken: {401, ""}, asUserSession: {200, ""}}},
		{"listing fragment", "GET", "/listing", htmx, map[string]want{
			anonymous: {401, ""}, asUser: {200, ""}, asAdmin: {200, ""}, asBadToken: {401, ""}, asUserSession: {200, ""}}},
		{"admin page", "GET", "/admin", nil, map[string]want{
			anonymous: {303, "/login?next=%2Fadmin"}, asUser: {403, ""}, asAdmin: {200, ""}, asBadToken: {401, ""}, asUserSession: {403, ""}}},
		{"admin JSON", "GET", "/admin", asJSON, map[string]want{
			anonymous: {401, ""}, asUser: {403, ""}, asAdmin: {200, ""}, asBadToken: {401, ""}, asUserSession: {403, ""}}},
		{"accounts page", "GET", "/admin/accounts", nil, map[string]want{
			anonymous: {303, "/login?next=%2Fadmin%2Faccounts"}, asUser: {403, ""}, asAdmin: {200, ""}, asBadToken: {401, ""}, asUserSession: {403, ""}}},
		{"manage API", "DELETE", "/manage/delete/1", asJSON, map[string]want{
			anonymous: {401, ""}, asUser: {403, ""}, asBadToken: {401, ""}}},
		{"restore API", "POST", "/manage/restore/3", asJSON, map[string]want{
			anonymous: {401, ""}, asUser: {403, ""}, asAdmin: {200, ""}, asBadToken: {401, ""}, asUserSession: {403, ""}}},
		{"restore API, no Accept (curl)", "POST", "/manage/restore/3", nil, map[string]want{
			anonymous: {401, ""}, asUser: {403, ""}, asBadToken: {401, ""}}},
		{"restore from a page", "POST", "/manage/restore/4", asBrowser, map[string]want{
			anonymous: {303, "/login?next=%2Fmanage%2Frestore%2F4"}, asUser: {403, ""}, asAdmin: {303, "/admin"}, asBadToken: {401, ""}, asUserSession: {403, ""}}},
		{"restore fragment (Undo)", "POST", "/manage/restore/5", htmx, map[string]want{
			anonymous: {401, ""}, asUser: {403, ""}, asAdmin: {200, ""}, asBadToken: {401, ""}, asUserSession: {403, ""}}},
		{"sign-in form", "GET", "/login", nil, map[string]want{
			anonymous: {200, ""}, asUser: {303, "/listing"}, asUserSession: {303, "/listing"}}},
		{"sign-up form", "GET", "/signup", nil, map[string]want{
			anonymous: {200, ""}, asAdmin: {303, "/listing"}}},
		{"health", "GET", "/healthz", nil, map[string]want{
			anonymous: {200, ""}, asUser: {200, ""}, asBadToken: {200, ""}}},
		{"root", "GET", "/", nil, map[string]want{
			anonymous: {302, "/listing"}, asUser: {302, "/listing"}}},
	}
	for _, r := range routes {
		for role, w := range r.byRole {
			t.Run(r.name+"/"+role, func(t *testing.T) {
				var headers = map[string]string{}
				for k, v := range r.headers {
					headers[k] = v
				}
				b := newBrowser(t, app)
				switch role {
				case asUserSession:
					if resp := b.signIn(userEmail, testPassword, ""); resp.status != 303 {
						t.Fatalf("sign in: %d", resp.status)
					}
				case asUser:
					headers["Authorization"] = "Bearer " + app.userToken
				case asAdmin:
					headers["Authorization"] = "Bearer " + app.adminToken
				case asBadToken:
					headers["Authorization"] = "Bearer fimdb_forged"
				}
				resp := b.do(r.method, r.url, nil, headers)
				if resp.status != w.status {
					t.Errorf("status %d, want %d; body %.300s", resp.status, w.status, resp.body)
				}
				if w.location != "" && resp.header.Get("Location") != w.location {
					t.Errorf("Location %q, want %q", resp.header.Get("Location"), w.location)
				}
			})
		}
	}
	for _, id := range []int64{3, 4, 5} {
		log, err := store.AuditLog(ctx, id)
		if err != nil || len(log) != 2 || log[0].Action != "restore" || log[0].Actor != adminEmail {
			t.Errorf("movie %d: want one restore, by the admin: %+v %v", id, log, err)
		}
	}
}

func TestSignInRenewsTheSessionAndSignOutEndsIt(t *testing.T) {
	app, _ := newTestApp(t)
	b := newBrowser(t, app)
	b.do("GET", "/login", nil, nil)
	before := b.cookies["fimdb_session"]
	if before == "" {
		t.Fatal("the sign-in form set no session cookie (needed for its CSRF token)")
	}
	resp := b.signIn(userEmail, testPassword, "/listing?genre=War")
	if resp.status != 303 || resp.header.Get("Location") != "/listing?genre=War" {
		t.Fatalf("sign in: %d to %q", resp.status, resp.header.Get("Location"))
	}
	after := b.cookies["fimdb_session"]
	if after == "" || after == before {
		t.Fatalf("session id was not renewed at sign-in (%q -> %q)", before, after)
	}
	page := b.do("GET", "/listing", nil, nil)
	if page.status != 200 || !strings.Contains(page.body, userEmail) || !strings.Contains(page.body, `hx-headers="{&#34;X-CSRF-Token&#34;:`) {
		t.Fatalf("signed-in listing: %d, header or hx-headers missing", page.status)
	}
	if strings.Contains(page.body, `data-testid="admin-link"`) {
		t.Error("a non-admin sees the admin link")
	}

	// The pre-sign-in id is worth nothing now.
	old := newBrowser(t, app)
	old.cookies["fimdb_session"] = before
	if r := old.do("GET", "/listing", nil, nil); r.status != 303 {
		t.Errorf("the session id from before sign-in still works: %d", r.status)
	}

	out := b.do("POST", "/logout", url.Values{"_csrf": {b.csrfFrom(page)}}, nil)
	if out.status != 303 || out.header.Get("Location") != "/login" {
		t.Fatalf("sign out: %d %q", out.status, out.header.Get("Location"))
	}
	thief := newBrowser(t, app)
	thief.cookies["fimdb_session"] = after
	if r := thief.do("GET", "/listing", nil, nil); r.status != 303 {
		t.Errorf("the session still works after sign-out: %d", r.status)
	}
}

func TestAdminSeesTheAdminLink(t *testing.T) {
	app, _ := newTestApp(t)
	b := newBrowser(t, app)
	b.signIn(adminEmail, testPassword, "")
	page := b.do("GET", "/listing", nil, nil)
	if !strings.Contains(page.body, `href="/admin"`) {
		t.Error("an admin does not see the link to /admin")
	}
	admin := b.do("GET", "/admin", nil, nil)
	if admin.status != 200 || !strings.Contains(admin.body, `data-testid="movie-table"`) || !strings.Contains(admin.body, `href="/admin/accounts"`) {
		t.Errorf("admin page: %d %.300s", admin.status, admin.body)
	}
	accounts := b.do("GET", "/admin/accounts", nil, nil)
	if accounts.status != 200 || !strings.Contains(accounts.body, userEmail) || !strings.Contains(accounts.body, "Administrator") {
		t.Errorf("accounts page: %d %.300s", accounts.status, accounts.body)
	}
}

func TestCSRFIsRequiredForUnsafeRequestsFromASession(t *testing.T) {
	app, _ := newTestApp(t)
	b := newBrowser(t, app)
	b.signIn(userEmail, testPassword, "")
	page := b.do("GET", "/listing", nil, nil)
	token := b.csrfFrom(page)
	tests := []struct {
		name    string
		form    url.Values
		headers map[string]string
		want    int
	}{
		{"no token", url.Values{}, nil, 403},
		{"wrong token in the form", url.Values{"_csrf": {"forged"}}, nil, 403},
		{"wrong token in the header", nil, map[string]string{"X-CSRF-Token": "forged"}, 403},
		{"token of another session", url.Values{"_csrf": {otherSessionToken(t, app)}}, nil, 403},
		// fasthttp's FormValue reads the query string first; a token there
		// would end up in URLs and logs, so only the body or header counts.
		{"right token in the query string only", nil, nil, 403},
		{"right token in the query string, none in the form", url.Values{"other": {"x"}}, nil, 403},
		{"right token in the query string, wrong one in the form", url.Values{"_csrf": {"forged"}}, nil, 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := "/logout"
			if strings.Contains(tt.name, "query string") {
				target += "?" + url.Values{"_csrf": {token}}.Encode()
			}
			if r := b.do("POST", target, tt.form, tt.headers); r.status != tt.want {
				t.Errorf("status %d, want %d", r.status, tt.want)
			}
			if r := b.do("GET", "/listing", nil, nil); r.status != 200 {
				t.Errorf("a rejected sign-out still signed the user out (%d)", r.status)
			}
		})
	}
	if r := b.doMultipart("POST", "/logout", url.Values{"_csrf": {"forged"}}, nil); r.status != 403 {
		t.Errorf("a wrong token in a multipart form: %d, want 403", r.status)
	}
	if r := b.doMultipart("POST", "/logout", url.Values{"_csrf": {token}}, nil); r.status != 303 {
		t.Errorf("the right token in a multipart form: %d, want 303", r.status)
	}
	if r := b.do("GET", "/listing", nil, nil); r.status != 303 {
		t.Errorf("after signing out with a multipart form: %d, want 303 to /login", r.status)
	}
	b.signIn(userEmail, testPassword, "")
	token = b.csrfFrom(b.do("GET", "/listing", nil, nil))
	if r := b.do("POST", "/logout", nil, map[string]string{"X-CSRF-Token": token}); r.status != 303 {
		t.Errorf("the right token in the header: %d, want 303", r.status)
	}

	// The sign-in form is protected too.
	anon := newBrowser(t, app)
	anonToken := anon.csrfFrom(anon.do("GET", "/login", nil, nil))
	if r := anon.do("POST", "/login", url.Values{"email": {userEmail}, "password": {testPassword}}, nil); r.status != 403 {
		t.Errorf("sign-in without a token: %d, want 403", r.status)
	}
	if r := anon.do("POST", "/login?"+url.Values{"_csrf": {anonToken}}.Encode(), url.Values{"email": {userEmail}, "password": {testPassword}}, nil); r.status != 403 {
		t.Errorf("sign-in with the token in the query string only: %d, want 403", r.status)
	}
	if r := anon.do("GET", "/listing", nil, nil); r.status != 303 {
		t.Errorf("a refused sign-in signed in anyway: %d", r.status)
	}
	// Bearer requests need none.
	bearer := scenario{method: "POST", url: "/logout", as: asUser, wantStatus: 303}
	bearer.run(t, app)
}

func otherSessionToken(t *testing.T, app *testApp) string {
	other := newBrowser(t, app)
	return other.csrfFrom(other.do("GET", "/login", nil, nil))
}

func TestFailedSignInsAreThrottled(t *testing.T) {
	app, _ := newTestApp(t)
	b := newBrowser(t, app)
	page := b.do("GET", "/login", nil, nil)
	token := b.csrfFrom(page)
	var messages []string
	for i, email := range []string{userEmail, "nobody@example.com", userEmail, "nobody@example.com", userEmail} {
		r := b.do("POST", "/login", url.Values{"email": {email}, "password": {"wrong password"}, "_csrf": {token}}, nil)
		if r.status != 401 {
			t.Fatalf("failure %d: status %d", i+1, r.status)
		}
		messages = append(messages, regexp.MustCompile(`data-testid="form-error"[\s\S]*?</p>`).FindString(r.body))
	}
	if messages[0] != messages[1] || messages[0] == "" {
		t.Errorf("the message reveals whether the email exists:\n%q\n%q", messages[0], messages[1])
	}
	r := b.do("POST", "/login", url.Values{"email": {userEmail}, "password": {testPassword}, "_csrf": {token}}, nil)
	if r.status != 429 {
		t.Fatalf("sixth try: %d, want 429", r.status)
	}
	if ra := r.header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Errorf("Retry-After = %q", ra)
	}
	if !strings.Contains(r.body, "Too many failed sign-ins") {
		t.Errorf("429 body: %.300s", r.body)
	}
}

func TestSignInReturnsOnlyToSameSitePaths(t *testing.T) {
	app, _ := newTestApp(t)
	tests := []struct{ next, want string }{
		{"/listing?genre=War&p=2", "/listing?genre=War&p=2"},
		{"https://evil.example/", "/listing"},
		{"//evil.example/", "/listing"},
		{"/\\evil.example", "/listing"},
		{"javascript:alert(1)", "/listing"},
		{"evil.example", "/listing"},
		{"/%0d%0aSet-Cookie:x", "/%0d%0aSet-Cookie:x"},
	}
	for _, tt := range tests {
		t.Run(tt.next, func(t *testing.T) {
			b := newBrowser(t, app)
			r := b.signIn(userEmail, testPassword, tt.next)
			if r.status != 303 || r.header.Get("Location") != tt.want {
				t.Errorf("next=%q: %d to %q, want %q", tt.next, r.status, r.header.Get("Location"), tt.want)
			}
		})
	}
}

func TestSignUp(t *testing.T) {
	app, _ := newTestApp(t)
	tests := []struct {
		name, email, password, confirm string
		wantStatus                     int
		wantField, wantText            string
	}{
		{"short password", "new@example.com", "short", "short", 400, "password", "at least 10 characters"},
		{"common password", "new@example.com", "Password123", "Password123", 400, "password", "too common"},
		{"long password", "new@example.com", strings.Repeat("x", 73), strings.Repeat("x", 73), 400, "password", "at most 72 bytes"},
		{"passwords differ", "new@example.com", "a fine passphrase", "a fine passphrase!", 400, "password_confirm", "differ"},
		{"no email", "", "a fine passphrase", "a fine passphrase", 400, "email", "Enter your email"},
		{"not an email", "new-at-example", "a fine passphrase", "a fine passphrase", 400, "email", "like name@example.com"},
		{"taken, any case", "VIEWER@example.com", "a fine passphrase", "a fine passphrase", 400, "email", "already exists"},
		{"fine", "new@example.com", "a fine passphrase", "a fine passphrase", 303, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBrowser(t, app)
			token := b.csrfFrom(b.do("GET", "/signup", nil, nil))
			r := b.do("POST", "/signup", url.Values{"email": {tt.email}, "password": {tt.password}, "password_confirm": {tt.confirm}, "_csrf": {token}}, nil)
			if r.status != tt.wantStatus {
				t.Fatalf("status %d, want %d: %.400s", r.status, tt.wantStatus, r.body)
			}
			if tt.wantField != "" {
				if !strings.Contains(r.body, `data-testid="error-`+tt.wantField+`"`) || !strings.Contains(r.body, tt.wantText) {
					t.Errorf("no %q beside %s in:\n%.1200s", tt.wantText, tt.wantField, r.body)
				}
				if strings.Contains(r.body, tt.password) && len(tt.password) > 5 {
					t.Error("the page echoes the password back")
				}
				if tt.email != "" && !strings.Contains(r.body, `value="`+tt.email+`"`) {
					t.Error("the email typed was lost")
				}
				return
			}
			if r := b.do("GET", "/listing", nil, nil); r.status != 200 || !strings.Contains(r.body, tt.email) {
				t.Errorf("after sign-up the user is not signed in: %d", r.status)
			}
		})
	}
}

func TestPasswordsAreStoredHashed(t *testing.T) {
	ctx := context.Background()
	app, store := newTestApp(t)
	const secret = "a very particular passphrase 42"
	if _, err := store.CreateUser(ctx, "hashed@example.com", secret, "user"); err != nil {
		t.Fatal(err)
	}
	if u, err := store.Authenticate(ctx, "HASHED@example.com", secret); err != nil || u.Email != "hashed@example.com" {
		t.Fatalf("authenticate: %v %v", u, err)
	}
	if _, err := store.Authenticate(ctx, "hashed@example.com", secret+"x"); err == nil {
		t.Fatal("a wrong password was accepted")
	}
	if store.Backend() == "mysql" {
		for _, table := range []string{"users", "fiber_storage", "api_tokens"} {
			if n := rowsHolding(t, store.DB(), table, secret); n > 0 {
				t.Errorf("%d rows of %s hold the password in plain text", n, table)
			}
		}
		return
	}
	app.Shutdown()
	dir := filepath.Dir(store.Path())
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		data, _ := os.ReadFile(f)
		if bytes.Contains(data, []byte(secret)) {
			t.Errorf("%s holds the password in plain text", filepath.Base(f))
		}
	}
}

// rowsHolding counts the rows of table in which any column holds s.
func rowsHolding(t *testing.T, conn *sql.DB, table, s string) int {
	t.Helper()
	rows, err := conn.Query("SELECT * FROM " + table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	n := 0
	for rows.Next() {
		vals := make([]sql.RawBytes, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(vals, func(v sql.RawBytes) bool { return bytes.Contains(v, []byte(s)) }) {
			n++
		}
	}
	return n
}

func TestRevokedTokensStopWorking(t *testing.T) {
	app, store := newTestApp(t)
	scenario{url: "/listing", headers: asJSON, as: asUser, wantStatus: 200}.run(t, app)
	if err := store.RevokeToken(context.Background(), app.userToken); err != nil {
		t.Fatal(err)
	}
	scenario{url: "/listing", headers: asJSON, as: asUser, wantStatus: 401, want: []string{"not valid or was revoked"}}.run(t, app)
	if err := store.RevokeToken(context.Background(), app.userToken); err == nil {
		t.Error("revoking twice succeeded")
	}
}

func TestSecurityHeaders(t *testing.T) {
	app, _ := newTestApp(t)
	for _, u := range []string{"/listing", "/login", "/healthz", "/nope"} {
		resp := scenario{url: u, as: asUser, wantStatus: map[string]int{"/nope": 404, "/login": 303}[u]}
		if resp.wantStatus == 0 {
			resp.wantStatus = 200
		}
		r := resp.run(t, app)
		csp := r.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe") {
			t.Errorf("%s: CSP %q", u, csp)
		}
		if r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("Referrer-Policy") == "" {
			t.Errorf("%s: missing nosniff or Referrer-Policy", u)
		}
		if r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", u, r.Header.Get("Cache-Control"))
		}
	}
}

func TestRequestBodiesAreLimited(t *testing.T) {
	app, _ := newTestApp(t)
	// fasthttp enforces the limit while reading from the network, so these
	// go through a real listener.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(l)
	for _, tc := range []struct{ path, contentType, accept string }{
		{"/login", "application/x-www-form-urlencoded", "text/html"},
		{"/manage/add", "application/x-www-form-urlencoded", "text/html"},
		{"/manage/update", "application/json", "application/json"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			// Only the headers are sent: the server must refuse on the
			// declared length, and a client still writing a body would race
			// its reply.
			req := httptest.NewRequest(http.MethodPost, tc.path, nil)
			req.Header.Set("Content-Type", tc.contentType)
			req.Header.Set("Accept", tc.accept)
			app.authorize(req, asAdmin)
			conn, err := net.Dial("tcp", l.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(10 * time.Second)) // a server waiting for the body fails the test
			fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: fimdb\r\nContent-Length: %d\r\n", tc.path, BodyLimit+10)
			req.Header.Write(conn)
			fmt.Fprint(conn, "\r\n")
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusRequestEntityTooLarge {
				t.Errorf("oversized body: %d, want 413", resp.StatusCode)
			}
			if err := contract.check(req, nil, resp, body); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestFailedSignInsAreThrottledPerAccount tries one account from several
// client addresses (loopback has a whole /8): after five failures the
// account is locked for everyone, while other accounts still get in.
func TestFailedSignInsAreThrottledPerAccount(t *testing.T) {
	app, _ := newTestApp(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(l)
	base := "http://" + l.Addr().String()

	// clientFrom signs in from a given source address, with its own cookies.
	clientFrom := func(ip string) func(email, password string) int {
		jar, _ := cookiejar.New(nil)
		dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
		client := &http.Client{Jar: jar, Timeout: 10 * time.Second,
			Transport:     &http.Transport{DialContext: dialer.DialContext},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		return func(email, password string) int {
			resp, err := client.Get(base + "/login")
			if err != nil {
				t.Fatal(err)
			}
			page, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			m := csrfField.FindStringSubmatch(string(page))
			if m == nil {
				t.Fatalf("no CSRF token from %s", ip)
			}
			resp, err = client.PostForm(base+"/login", url.Values{"email": {email}, "password": {password}, "_csrf": {m[1]}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
	}
	for i := range maxSignInFailures {
		ip := fmt.Sprintf("127.0.0.%d", 10+i) // a new address for every try
		if got := clientFrom(ip)(userEmail, "wrong password"); got != 401 {
			t.Fatalf("failure %d from %s: %d", i+1, ip, got)
		}
	}
	fresh := clientFrom("127.0.0.99")
	if got := fresh(userEmail, testPassword); got != 429 {
		t.Errorf("the locked account from a new address: %d, want 429", got)
	}
	if got := fresh(adminEmail, testPassword); got != 303 {
		t.Errorf("another account from that address: %d, want 303", got)
	}
}
