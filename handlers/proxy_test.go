package handlers

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"
)

// proxiedApp serves the test catalog on a real loopback listener, trusting
// the given proxies, so that requests come from real peer addresses.
func proxiedApp(t *testing.T, trusted string) string {
	t.Helper()
	ta, _ := newTestApp(t)
	proxies, err := ParseTrustedProxies(trusted)
	if err != nil {
		t.Fatal(err)
	}
	app := New(Deps{Store: ta.store, TrustedProxies: proxies, InstanceName: "fimdb-a"})
	t.Cleanup(func() { app.Shutdown() })
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(l)
	return "http://" + l.Addr().String()
}

// peer is an HTTP client connecting from one loopback address (loopback
// has a whole /8), sending the given extra headers on every request.
type peer struct {
	t       *testing.T
	base    string
	client  *http.Client
	headers map[string]string
}

func newPeer(t *testing.T, base, ip string) *peer {
	jar, _ := cookiejar.New(nil)
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	return &peer{t: t, base: base, client: &http.Client{Jar: jar, Timeout: 10 * time.Second,
		Transport:     &http.Transport{DialContext: dialer.DialContext},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (p *peer) do(method, path string, form url.Values) *http.Response {
	p.t.Helper()
	req, _ := http.NewRequest(method, p.base+path, strings.NewReader(form.Encode()))
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range p.headers {
		req.Header.Set(k, v)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// failSignIn makes one failed sign-in, as a new account each time so that
// only the per-address throttle can answer 429.
func (p *peer) failSignIn(n int) int {
	p.t.Helper()
	req, _ := http.NewRequest("GET", p.base+"/login", nil)
	for k, v := range p.headers {
		req.Header.Set(k, v)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfField.FindStringSubmatch(string(page))
	if m == nil {
		p.t.Fatal("no CSRF token on /login")
	}
	email := fmt.Sprintf("nobody-%d-%d@example.com", n, time.Now().UnixNano())
	return p.do("POST", "/login", url.Values{"email": {email}, "password": {"wrong password"}, "_csrf": {m[1]}}).StatusCode
}

// TestTheThrottleCountsTheVisitorBehindTrustedProxies: the per-address
// sign-in throttle must count the visitor, not the proxy in front of
// fimdb, and nobody may choose the address it counts by sending
// X-Forwarded-For.
func TestTheThrottleCountsTheVisitorBehindTrustedProxies(t *testing.T) {
	const proxy, visitor = "127.0.0.1", "127.0.0.2"
	for _, tc := range []struct {
		name    string
		trusted string
		// from and xff give the peer and X-Forwarded-For of try n (0-5).
		from func(n int) string
		xff  func(n int) string
		// wantSixth is the sixth try's status: 429 when the five before
		// counted against the same address.
		wantSixth int
	}{
		{"a proxy without --trusted-proxies: everyone behind it shares one address", "",
			func(int) string { return proxy }, func(n int) string { return fmt.Sprintf("203.0.113.%d", n+1) }, 429},
		{"a trusted proxy: each visitor counts alone", proxy,
			func(int) string { return proxy }, func(n int) string { return fmt.Sprintf("203.0.113.%d", n+1) }, 401},
		{"a trusted proxy: one visitor's five failures lock that visitor out", proxy,
			func(int) string { return proxy }, func(int) string { return "203.0.113.7" }, 429},
		{"a visitor's own X-Forwarded-For is ignored", proxy,
			func(int) string { return visitor }, func(n int) string { return fmt.Sprintf("198.51.100.%d", n+1) }, 429},
		{"entries a visitor wrote left of the proxy's are ignored", proxy,
			func(int) string { return proxy }, func(n int) string { return fmt.Sprintf("198.51.100.%d, 203.0.113.9", n+1) }, 429},
		{"a trusted CIDR and a chain of trusted proxies", "127.0.0.0/24, 10.0.0.0/8",
			func(int) string { return proxy }, func(n int) string { return fmt.Sprintf("198.51.100.%d, 10.1.2.3", n+1) }, 401},
		{"every entry trusted: the nearest proxy's entry counts, not the client's", "127.0.0.0/8, 10.0.0.0/8",
			func(int) string { return proxy }, func(n int) string { return fmt.Sprintf("10.9.9.%d, 127.0.0.5", n+1) }, 429},
		{"entries with ports", proxy,
			func(int) string { return proxy }, func(n int) string { return fmt.Sprintf("203.0.113.%d:5678", n+1) }, 401},
		{"IPv6 entries with ports", proxy,
			func(int) string { return proxy }, func(n int) string { return fmt.Sprintf("[2001:db8:0:%x::1]:443", n+1) }, 401},
		{"IPv6 visitors count per /64", proxy,
			func(int) string { return proxy }, func(n int) string { return fmt.Sprintf("2001:db8::%x", n+1) }, 429},
		{"a malformed entry ends the chain", proxy,
			func(int) string { return proxy }, func(n int) string { return fmt.Sprintf("198.51.100.%d, not-an-address, 127.0.0.1", n+1) }, 429},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := proxiedApp(t, tc.trusted)
			for n := range maxSignInFailures + 1 {
				p := newPeer(t, base, tc.from(n))
				p.headers = map[string]string{"X-Forwarded-For": tc.xff(n)}
				got, want := p.failSignIn(n), 401
				if n == maxSignInFailures {
					want = tc.wantSixth
				}
				if got != want {
					t.Fatalf("try %d from %s, X-Forwarded-For %q: %d, want %d", n+1, tc.from(n), tc.xff(n), got, want)
				}
			}
		})
	}
}

// TestForwardedProtoHTTPSFromATrustedProxy: a visitor on HTTPS at the
// proxy gets HSTS and Secure cookies; X-Forwarded-Proto from anyone else
// changes nothing.
func TestForwardedProtoHTTPSFromATrustedProxy(t *testing.T) {
	base := proxiedApp(t, "127.0.0.1")
	for _, tc := range []struct {
		name, from, proto string
		wantHTTPS         bool
	}{
		{"trusted proxy, https", "127.0.0.1", "https", true},
		{"trusted proxy, http", "127.0.0.1", "http", false},
		{"trusted proxy, a chain ending in http", "127.0.0.1", "https, http", false},
		{"untrusted peer claiming https", "127.0.0.2", "https", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPeer(t, base, tc.from)
			p.headers = map[string]string{"X-Forwarded-Proto": tc.proto}
			resp := p.do("GET", "/login?lang=de", nil)
			if got := resp.Header.Get("Strict-Transport-Security") != ""; got != tc.wantHTTPS {
				t.Errorf("HSTS sent: %v, want %v", got, tc.wantHTTPS)
			}
			cookies := resp.Cookies()
			if len(cookies) < 2 {
				t.Fatalf("want the session and language cookies, got %v", resp.Header["Set-Cookie"])
			}
			for _, c := range cookies {
				if c.Secure != tc.wantHTTPS {
					t.Errorf("cookie %s Secure = %v, want %v", c.Name, c.Secure, tc.wantHTTPS)
				}
			}
			if got := resp.Header.Get("X-Fimdb-Instance"); got != "fimdb-a" {
				t.Errorf("X-Fimdb-Instance = %q, want fimdb-a", got)
			}
		})
	}
}

func TestParseTrustedProxies(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    string // the prefixes, or the error's start
		wantErr bool
	}{
		{"", "[]", false},
		{"127.0.0.1", "[127.0.0.1/32]", false},
		{"10.0.0.0/8, 192.168.1.7/24 ::1", "[10.0.0.0/8 192.168.1.0/24 ::1/128]", false},
		{"10.0.0.0/8,,172.16.0.0/12", "[10.0.0.0/8 172.16.0.0/12]", false},
		{"::ffff:10.0.0.0/104", "[10.0.0.0/8]", false},
		{"nginx", `trusted proxies: "nginx" is neither`, true},
		{"10.0.0.0/33", `trusted proxies: "10.0.0.0/33" is neither`, true},
	} {
		got, err := ParseTrustedProxies(tc.in)
		if tc.wantErr {
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("%q: error %v, want one starting %q", tc.in, err, tc.want)
			}
			continue
		}
		if err != nil || fmt.Sprint([]any{got}[0]) != tc.want {
			t.Errorf("%q: %v, %v; want %s", tc.in, got, err, tc.want)
		}
	}
}
