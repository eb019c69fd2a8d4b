package cluster

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestRenderConf(t *testing.T) {
	conf := `upstream fimdb {
    # one line per instance
    server 127.0.0.1:8081 max_fails=1 fail_timeout=5s;
    # a comment between
    server 127.0.0.1:8082 max_fails=1 fail_timeout=5s;
    keepalive 32;
}
server {
    listen 80;
    location / { proxy_pass http://fimdb; }
}
`
	got, err := RenderConf(conf, []string{"127.0.0.1:9001", "127.0.0.1:9002", "127.0.0.1:9003"}, map[int]string{80: "127.0.0.1:9000"})
	if err != nil {
		t.Fatal(err)
	}
	want := `upstream fimdb {
    # one line per instance
    server 127.0.0.1:9001 max_fails=1 fail_timeout=5s;
    server 127.0.0.1:9002 max_fails=1 fail_timeout=5s;
    server 127.0.0.1:9003 max_fails=1 fail_timeout=5s;
    # a comment between
    keepalive 32;
}
server {
    listen 127.0.0.1:9000;
    location / { proxy_pass http://fimdb; }
}
`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}

	for _, bad := range []struct{ name, conf string }{
		{"no upstream", "server {\n    listen 80;\n}\n"},
		{"an empty upstream", "upstream fimdb {\n    keepalive 32;\n}\nserver {\n    listen 80;\n}\n"},
		{"no listen", "upstream fimdb {\n    server 127.0.0.1:8081;\n}\n"},
		{"a port the cluster does not map", "upstream fimdb {\n    server 127.0.0.1:8081;\n}\nserver {\n    listen 8443;\n}\n"},
	} {
		if _, err := RenderConf(bad.conf, []string{"127.0.0.1:9001"}, map[int]string{80: "127.0.0.1:9000"}); err == nil {
			t.Errorf("%s: rendered without an error", bad.name)
		}
	}
}

// TestTLSConfigMatchesThePlainOne: fimdb-tls.conf is fimdb.conf with TLS
// added, and what comes after the TLS settings stays the same in both.
func TestTLSConfigMatchesThePlainOne(t *testing.T) {
	proxying := func(path string) string {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		s := regexp.MustCompile(`(?m)#.*$`).ReplaceAllString(string(data), "")
		s = strings.Join(strings.Fields(s), " ")
		i := strings.Index(s, "client_max_body_size")
		if i < 0 {
			t.Fatalf("%s: no client_max_body_size", path)
		}
		return s[i:]
	}
	plain, tls := proxying("../deploy/nginx/fimdb.conf"), proxying("../deploy/nginx/fimdb-tls.conf")
	if plain != tls {
		t.Errorf("the proxy settings differ:\nfimdb.conf:     %s\nfimdb-tls.conf: %s", plain, tls)
	}
}

// TestOperatorConfigs runs nginx with each of deploy/nginx's files in
// front of a server that echoes what it was sent, so that what the files
// promise holds without a database: the client's address overwritten,
// the scheme passed on, bodies over 1 MiB refused, and with TLS, port 80
// redirected and HTTP/2 (HSTS is fimdb's, told the scheme is https).
func TestOperatorConfigs(t *testing.T) {
	nginx, err := FindNginx()
	if err != nil {
		t.Skip(err)
	}
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{
			"xff": r.Header.Get("X-Forwarded-For"), "proto": r.Header.Get("X-Forwarded-Proto"),
			"host": r.Host, "connection": r.Header.Get("Connection"), "proto_version": r.Proto,
		})
	}))
	defer echo.Close()
	upstream := strings.TrimPrefix(echo.URL, "http://")

	t.Run("fimdb.conf", func(t *testing.T) {
		ports := []int{0}
		if err := pickPorts(ports); err != nil {
			t.Fatal(err)
		}
		base := fmt.Sprintf("http://127.0.0.1:%d", ports[0])
		runNginx(t, nginx, "../deploy/nginx/fimdb.conf", []string{upstream}, map[int]string{80: base[len("http://"):]}, nil)
		client := &http.Client{Timeout: 5 * time.Second}
		got := echoed(t, client, base+"/listing?name=star")
		if got["xff"] != "127.0.0.1" || got["proto"] != "http" || got["host"] != "fimdb.example.com" || got["connection"] != "" || got["proto_version"] != "HTTP/1.1" {
			t.Errorf("the instance was sent %v", got)
		}
		tooBig(t, client, base)
	})

	t.Run("fimdb-tls.conf", func(t *testing.T) {
		ports := []int{0, 0}
		if err := pickPorts(ports); err != nil {
			t.Fatal(err)
		}
		plain, secure := fmt.Sprintf("127.0.0.1:%d", ports[0]), fmt.Sprintf("127.0.0.1:%d", ports[1])
		cert, key := selfSigned(t)
		runNginx(t, nginx, "../deploy/nginx/fimdb-tls.conf", []string{upstream}, map[int]string{80: plain, 443: secure}, map[string]string{
			"/etc/letsencrypt/live/fimdb.example.com/fullchain.pem": cert,
			"/etc/letsencrypt/live/fimdb.example.com/privkey.pem":   key,
		})
		client := &http.Client{
			Timeout:       5 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
			Transport: &http.Transport{
				TLSClientConfig:   &tls.Config{InsecureSkipVerify: true},
				ForceAttemptHTTP2: true,
			},
		}
		req, _ := http.NewRequest("GET", "http://"+plain+"/listing?name=star", nil)
		req.Host = "fimdb.example.com"
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); resp.StatusCode != 301 || loc != "https://fimdb.example.com/listing?name=star" {
			t.Errorf("port 80: %s to %q, want 301 to https://fimdb.example.com/listing?name=star", resp.Status, loc)
		}

		resp, err = client.Get("https://" + secure + "/listing")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.Proto != "HTTP/2.0" {
			t.Errorf("over TLS: %s, want HTTP/2.0", resp.Proto)
		}
		got := echoed(t, client, "https://"+secure+"/listing")
		if got["xff"] != "127.0.0.1" || got["proto"] != "https" || got["proto_version"] != "HTTP/1.1" {
			t.Errorf("the instance was sent %v", got)
		}
		tooBig(t, client, "https://"+secure)

	})
}

// echoed sends a request with a forged X-Forwarded-For and returns what the
// echo server behind nginx received.
func echoed(t *testing.T, client *http.Client, url string) map[string]string {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Host = "fimdb.example.com"
	req.Header.Set("X-Forwarded-For", "203.0.113.9")
	req.Header.Set("X-Forwarded-Proto", "https")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatalf("%s: %s, %v", url, resp.Status, err)
	}
	return got
}

func tooBig(t *testing.T, client *http.Client, base string) {
	t.Helper()
	resp, err := client.Post(base+"/manage/add", "application/json", strings.NewReader(strings.Repeat("x", 1<<20+1)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a body of 1 MiB and a byte: %s, want 413", resp.Status)
	}
}

// runNginx renders an operator's file, checks it with nginx -t and runs it
// until the test ends.
func runNginx(t *testing.T, nginx, confPath string, upstreams []string, listen map[int]string, replace map[string]string) {
	t.Helper()
	src, err := os.ReadFile(confPath)
	if err != nil {
		t.Fatal(err)
	}
	conf, err := RenderConf(string(src), upstreams, listen)
	if err != nil {
		t.Fatal(err)
	}
	for old, new := range replace {
		if !strings.Contains(conf, old) {
			t.Fatalf("%s does not name %s", confPath, old)
		}
		conf = strings.ReplaceAll(conf, old, new)
	}
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "nginx-temp"), 0o755); err != nil {
		t.Fatal(err)
	}
	rendered := filepath.Join(dir, filepath.Base(confPath))
	main := filepath.Join(dir, "nginx.conf")
	os.WriteFile(rendered, []byte(conf), 0o644)
	os.WriteFile(main, []byte(nginxWrapper(dir, rendered, os.Geteuid() == 0)), 0o644)
	args := []string{nginx, "-p", dir, "-c", main, "-e", filepath.Join(dir, "nginx-error.log")}
	p, err := startProcess("nginx -t", filepath.Join(dir, "nginx-t.log"), os.Environ(), append(args, "-t")...)
	if err != nil {
		t.Fatal(err)
	}
	<-p.done
	if p.err != nil {
		t.Fatalf("nginx -t refuses %s: %v\n%s", confPath, p.err, p.tail())
	}
	p, err = startProcess("nginx", filepath.Join(dir, "nginx-stderr.log"), os.Environ(), args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.stop(syscall.SIGQUIT, 10*time.Second) })
	// Ready when it accepts connections on its first port.
	for _, addr := range listen {
		deadline := time.Now().Add(10 * time.Second)
		for {
			c, err := net.DialTimeout("tcp", addr, time.Second)
			if err == nil {
				c.Close()
				break
			}
			if p.exited() || time.Now().After(deadline) {
				t.Fatalf("nginx does not listen on %s: %v\n%s\n%s", addr, err, p.tail(), logTail(filepath.Join(dir, "nginx-error.log"), 10))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// selfSigned writes a certificate and key for fimdb.example.com.
func selfSigned(t *testing.T) (certPath, keyPath string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "fimdb.example.com"},
		DNSNames:     []string{"fimdb.example.com"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certPath, keyPath = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)
	return certPath, keyPath
}
