package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"fimdb/db/dbtest"
)

// TestMain lets a test run this test binary as the fimdb command, so that
// a test can send it real signals.
func TestMain(m *testing.M) {
	if os.Getenv("FIMDB_TEST_AS_COMMAND") == "1" {
		os.Args = append([]string{"fimdb"}, strings.Fields(os.Getenv("FIMDB_TEST_ARGS"))...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// startServeProcess runs `fimdb serve` in a child process and waits until
// /healthz answers.
func startServeProcess(t *testing.T, args ...string) (cmd *exec.Cmd, addr string, log *bytes.Buffer) {
	t.Helper()
	addr = freeAddr(t)
	cmd = exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "FIMDB_TEST_AS_COMMAND=1",
		"FIMDB_TEST_ARGS="+strings.Join(append([]string{"serve", "--addr", addr, "--db", dbtest.DSN(t, "fimdb")}, args...), " "))
	log = new(bytes.Buffer)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for range 600 {
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			return cmd, addr, log
		}
		time.Sleep(50 * time.Millisecond) // waiting for the listener, not timing anything
	}
	t.Fatalf("fimdb serve never answered on %s", addr)
	return nil, "", nil
}

func healthStatus(t *testing.T, addr string) (int, string) {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatalf("GET /healthz: %v", err)
	}
	defer resp.Body.Close()
	var body struct{ Status string }
	json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body.Status
}

// TestSIGTERMDrainsBeforeStopping: on SIGTERM the instance answers /healthz
// with 503 while it still serves other requests (closing each
// connection), then finishes a request that is still arriving and exits 0.
func TestSIGTERMDrainsBeforeStopping(t *testing.T) {
	cmd, addr, log := startServeProcess(t, "--drain-delay", "1500ms", "--instance-name", "fimdb-test-1")
	if code, status := healthStatus(t, addr); code != 200 || status != "ok" {
		t.Fatalf("before SIGTERM: /healthz %d %q", code, status)
	}

	// A request in flight: its headers are sent, its body is not.
	inflight, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer inflight.Close()
	body := "email=a%40b.example&password=x"
	fmt.Fprintf(inflight, "POST /login HTTP/1.1\r\nHost: fimdb\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n", len(body))

	exited := make(chan error, 1)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	go func() { exited <- cmd.Wait() }()

	var code int
	var status string
	for range 100 {
		if code, status = healthStatus(t, addr); code == 503 {
			break
		}
		time.Sleep(10 * time.Millisecond) // waiting for the signal to arrive
	}
	if code != 503 || status != "draining" {
		t.Fatalf("after SIGTERM: /healthz %d %q, want 503 draining", code, status)
	}
	resp, err := http.Get("http://" + addr + "/login")
	if err != nil {
		t.Fatalf("GET /login while draining: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !resp.Close || resp.Header.Get("X-Fimdb-Instance") != "fimdb-test-1" {
		t.Errorf("GET /login while draining: %d, Connection: close %v, instance %q; want 200, true, fimdb-test-1",
			resp.StatusCode, resp.Close, resp.Header.Get("X-Fimdb-Instance"))
	}

	// Past the delay the listener closes, but the request in flight is
	// still answered.
	time.Sleep(2 * time.Second)
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Error("the listener still accepts connections after the drain delay")
	}
	io.WriteString(inflight, body)
	inflight.SetReadDeadline(time.Now().Add(10 * time.Second))
	answer, err := http.ReadResponse(bufio.NewReader(inflight), nil)
	if err != nil {
		t.Fatalf("the request in flight got no answer: %v", err)
	}
	answer.Body.Close()
	if answer.StatusCode != 403 { // no CSRF token: a real answer from the handler
		t.Errorf("the request in flight: %d, want 403", answer.StatusCode)
	}

	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("fimdb exited with %v\n%s", err, log)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("fimdb did not exit after draining\n%s", log)
	}
	for _, want := range []string{"draining", "shutting down", "stopped"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("the log does not say %q:\n%s", want, log)
		}
	}
}

// TestSIGINTStopsWithoutTheDrainDelay: Ctrl-C is a person at a terminal,
// not a load balancer, so it does not wait.
func TestSIGINTStopsWithoutTheDrainDelay(t *testing.T) {
	cmd, _, log := startServeProcess(t, "--drain-delay", "1h")
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("fimdb exited with %v\n%s", err, log)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("fimdb did not stop on SIGINT\n%s", log)
	}
	if strings.Contains(log.String(), "draining") {
		t.Errorf("SIGINT drained:\n%s", log)
	}
}
