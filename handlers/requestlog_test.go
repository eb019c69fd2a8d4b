package handlers

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// requestRecords are the "request" lines among records.
func requestRecords(records []map[string]any) []map[string]any {
	var out []map[string]any
	for _, r := range records {
		if r["msg"] == "request" {
			out = append(out, r)
		}
	}
	return out
}

// TestEveryRequestIsLoggedOnceByItsRoute: each request writes one line with
// its route pattern, status, size, id and user id, and nothing that could
// identify a person or open an account: no email, token or search words.
func TestEveryRequestIsLoggedOnceByItsRoute(t *testing.T) {
	ta, store := newTestApp(t)
	ctx := context.Background()
	user, err := store.UserByToken(ctx, ta.userToken)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := store.UserByToken(ctx, ta.adminToken)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		sc     scenario
		route  string
		userID int64 // 0: no user_id
	}{
		{"a search", scenario{url: "/listing?name=Star", wantStatus: 200}, "/listing", user.ID},
		{"a movie, by the route's pattern", scenario{url: "/movies/1", wantStatus: 200}, "/movies/:id", user.ID},
		{"a movie that is not there", scenario{url: "/movies/999999", wantStatus: 404}, "/movies/:id", user.ID},
		{"an administrator's page, refused", scenario{url: "/admin", wantStatus: 403}, "/admin/*", user.ID},
		{"an administrator's page", scenario{url: "/admin", as: asAdmin, wantStatus: 200}, "/admin", admin.ID},
		{"a bad add", scenario{method: http.MethodPost, url: "/manage/add", as: asAdmin, body: "movie_name=&director=Someone", wantStatus: 400}, "/manage/add", admin.ID},
		{"a token nobody has", scenario{url: "/listing?name=Star", as: asBadToken, wantStatus: 401}, "", 0},
		{"no such page", scenario{url: "/no/such/page", as: anonymous, wantStatus: 404}, "", 0},
		{"the health check", scenario{url: "/healthz", as: anonymous, wantStatus: 200}, "/healthz", 0},
	}
	ta.logs.take(t) // the accounts' creation
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := tc.sc.run(t, ta)
			body, _ := io.ReadAll(resp.Body)
			records, lines := ta.logs.take(t)
			reqs := requestRecords(records)
			if len(reqs) != 1 {
				t.Fatalf("%d request lines, want 1:\n%s", len(reqs), strings.Join(lines, ""))
			}
			rec := reqs[0]
			want := map[string]any{
				"method":     tc.sc.method,
				"route":      tc.route,
				"status":     float64(resp.StatusCode),
				"bytes":      float64(len(body)),
				"request_id": resp.Header.Get(RequestIDHeader),
			}
			if want["method"] == "" {
				want["method"] = http.MethodGet
			}
			if tc.userID != 0 {
				want["user_id"] = float64(tc.userID)
			}
			for k, v := range want {
				if rec[k] != v {
					t.Errorf("%s = %v, want %v", k, rec[k], v)
				}
			}
			if _, ok := rec["user_id"]; ok && tc.userID == 0 {
				t.Errorf("user_id %v for a request nobody signed", rec["user_id"])
			}
			if d, ok := rec["duration_ms"].(float64); !ok || d < 0 {
				t.Errorf("duration_ms = %v", rec["duration_ms"])
			}
			for _, secret := range []string{userEmail, adminEmail, ta.userToken, ta.adminToken, "fimdb_not-a-real-token", "Star"} {
				for _, line := range lines {
					if strings.Contains(line, secret) {
						t.Errorf("the log holds %q: %s", secret, line)
					}
				}
			}
		})
	}
}

// TestRequestIDsAreKeptWhenWellFormed: a client's (or a proxy's) id comes
// back and is logged as it was sent; a missing or odd one is replaced by
// one of ours, different for every request.
func TestRequestIDsAreKeptWhenWellFormed(t *testing.T) {
	ta, _ := newTestApp(t)
	tests := []struct {
		name, sent string
		kept       bool
	}{
		{"a short id", "req-42", true},
		{"a UUID", "3b241101-e2bb-4255-8caf-4136c566a962", true},
		{"a W3C trace parent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", true},
		{"an id of the longest length", strings.Repeat("a", maxRequestIDLen), true},
		{"none", "", false},
		{"one longer than that", strings.Repeat("a", maxRequestIDLen+1), false},
		{"words", "two words", false},
		{"markup", "<script>", false},
		{"a quote", `id"x`, false},
	}
	seen := map[string]bool{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
			if tc.sent != "" {
				req.Header.Set(RequestIDHeader, tc.sent)
			}
			ta.logs.take(t)
			resp, err := ta.Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			got := resp.Header.Get(RequestIDHeader)
			switch {
			case tc.kept && got != tc.sent:
				t.Errorf("sent %q, got back %q", tc.sent, got)
			case !tc.kept && (got == tc.sent || !wellFormedRequestID(got)):
				t.Errorf("sent %q, got back %q: want a well-formed id of ours", tc.sent, got)
			case !tc.kept && seen[got]:
				t.Errorf("the id %q was made twice", got)
			}
			seen[got] = true
			records, _ := ta.logs.take(t)
			if reqs := requestRecords(records); len(reqs) != 1 || reqs[0]["request_id"] != got {
				t.Errorf("logged %v, want one line with request_id %q", reqs, got)
			}
		})
	}
}

// TestAFailureIsLoggedWithItsRequestID: a request that fails inside gets a
// page that says so, and the error's log line carries the id the client
// got back, so the two can be matched.
func TestAFailureIsLoggedWithItsRequestID(t *testing.T) {
	ta, store := newTestApp(t)
	store.Close() // every statement fails from here on
	ta.logs.take(t)
	req := httptest.NewRequest(http.MethodGet, "/listing", nil)
	ta.authorize(req, asUser)
	req.Header.Set(RequestIDHeader, "support-ticket-7")
	resp, err := ta.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusInternalServerError || resp.Header.Get(RequestIDHeader) != "support-ticket-7" {
		t.Fatalf("status %d, request id %q", resp.StatusCode, resp.Header.Get(RequestIDHeader))
	}
	records, lines := ta.logs.take(t)
	var failed, answered bool
	for _, r := range records {
		switch {
		case r["msg"] == "request failed" && r["level"] == "ERROR":
			failed = r["request_id"] == "support-ticket-7" && r["err"] != nil
		case r["msg"] == "request":
			answered = r["request_id"] == "support-ticket-7" && r["status"] == float64(500)
		}
	}
	if !failed || !answered {
		t.Errorf("want an error line and a request line (status 500), both with the request's id:\n%s", strings.Join(lines, ""))
	}
}
