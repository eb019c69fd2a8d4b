// Package cluster runs fimdb as an operator would scale it out: several
// `fimdb serve` processes on one MySQL/MariaDB database, each on its own
// loopback port, behind nginx configured by deploy/nginx/fimdb.conf. `make
// cluster` runs one to try by hand (cluster/cmd/fimdb-cluster), and the
// tests of this package run their load, failover and rolling restarts
// against one.
//
// Everything a cluster writes (each instance's log, nginx's access and
// error logs, the configs it ran nginx with) goes to one folder.
package cluster

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Config says what to run.
type Config struct {
	// Binary is the fimdb binary.
	Binary string
	// DB is the database every instance shares: a mysql:// URL, or a
	// SQLite file (processes on one machine can share it: bench/cluster.sh
	// compares the two behind the same nginx). It
	// should be fresh: the first instance loads the bundled catalog into it.
	DB string
	// NginxConf is the operator's file, deploy/nginx/fimdb.conf.
	NginxConf string
	// Dir receives the logs and nginx's config, pid and temp files.
	Dir string

	// Instances is how many fimdb processes run (default 2).
	Instances int
	// Port is nginx's port on 127.0.0.1 (0: a free one).
	Port int
	// InstancePorts are the instances' ports on 127.0.0.1, one each
	// (empty: free ones).
	InstancePorts []int

	// AdminEmail and AdminPassword make the first administrator (defaults:
	// admin@localhost and a random password).
	AdminEmail, AdminPassword string
	// DrainDelay is each instance's --drain-delay (0: 1s; negative: none).
	DrainDelay time.Duration
	// ReadyTimeout bounds the wait for a process to answer (default 30s).
	ReadyTimeout time.Duration
	// Nginx is the nginx binary (default: FindNginx).
	Nginx string
}

// Cluster is a running cluster. Its methods are safe to call from several
// goroutines.
type Cluster struct {
	// URL is nginx's address: http://127.0.0.1:PORT.
	URL string
	// Dir holds the logs.
	Dir string
	// AdminEmail and AdminPassword sign in as the first administrator.
	AdminEmail, AdminPassword string

	cfg       Config
	instances []*Instance
	nginx     *process
	stopOnce  sync.Once
	stopErr   error
}

// Instance is one fimdb process of a cluster; it can be killed, stopped
// and started again on its port.
type Instance struct {
	// Name is its --instance-name, fimdb-1, fimdb-2...; every response it
	// sends carries it in X-Fimdb-Instance.
	Name string
	// URL reaches it directly, bypassing nginx.
	URL string

	c    *Cluster
	addr string
	mu   sync.Mutex
	p    *process
}

// Start runs a cluster: it checks the ports are free, renders and tests
// nginx's config, runs `fimdb migrate` once, starts the instances and
// waits for each one's /healthz, then starts nginx and waits for /healthz
// through it. On any failure it stops what it started and returns an error
// with the end of the failing process's log.
func Start(ctx context.Context, cfg Config) (*Cluster, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(cfg.Dir, "nginx-temp"), 0o755); err != nil {
		return nil, err
	}
	ports := append([]int{cfg.Port}, cfg.InstancePorts...)
	if err := pickPorts(ports); err != nil {
		return nil, err
	}
	cfg.Port, cfg.InstancePorts = ports[0], ports[1:]
	c := &Cluster{
		URL:           fmt.Sprintf("http://127.0.0.1:%d", cfg.Port),
		Dir:           cfg.Dir,
		AdminEmail:    cfg.AdminEmail,
		AdminPassword: cfg.AdminPassword,
		cfg:           cfg,
	}
	for i, port := range cfg.InstancePorts {
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		c.instances = append(c.instances, &Instance{Name: fmt.Sprintf("fimdb-%d", i+1), URL: "http://" + addr, c: c, addr: addr})
	}

	nginxArgs, err := c.writeNginxConf()
	if err != nil {
		return nil, err
	}
	if out, err := exec.CommandContext(ctx, cfg.Nginx, append(nginxArgs, "-t")...).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("nginx -t refuses the rendered config: %v\n%s", err, out)
	}
	if err := c.migrate(ctx); err != nil {
		return nil, err
	}

	for _, in := range c.instances {
		if err := in.launch(); err != nil {
			c.Stop()
			return nil, err
		}
	}
	errs := make(chan error, len(c.instances))
	for _, in := range c.instances {
		go func() { errs <- in.waitHealthy(ctx) }()
	}
	for range c.instances {
		if e := <-errs; e != nil && err == nil {
			err = e
		}
	}
	if err != nil {
		c.Stop()
		return nil, err
	}

	c.nginx, err = startProcess("nginx", filepath.Join(cfg.Dir, "nginx-stderr.log"), os.Environ(), append([]string{cfg.Nginx}, nginxArgs...)...)
	if err == nil {
		err = waitHealthy(ctx, c.nginx, c.URL+"/healthz", cfg.ReadyTimeout)
		if err != nil {
			err = fmt.Errorf("%w\n%s", err, logTail(filepath.Join(cfg.Dir, "nginx-error.log"), 15))
		}
	}
	if err != nil {
		c.Stop()
		return nil, err
	}
	return c, nil
}

func (cfg *Config) defaults() error {
	if cfg.Binary == "" || cfg.DB == "" || cfg.NginxConf == "" || cfg.Dir == "" {
		return errors.New("cluster: Binary, DB, NginxConf and Dir are required")
	}
	if cfg.Instances == 0 {
		cfg.Instances = 2
	}
	if cfg.InstancePorts == nil {
		cfg.InstancePorts = make([]int, cfg.Instances)
	}
	if len(cfg.InstancePorts) != cfg.Instances {
		return fmt.Errorf("cluster: %d instance ports for %d instances", len(cfg.InstancePorts), cfg.Instances)
	}
	if cfg.AdminEmail == "" {
		cfg.AdminEmail = "admin@localhost"
	}
	if cfg.AdminPassword == "" {
		cfg.AdminPassword = RandomPassword()
	}
	if cfg.DrainDelay == 0 {
		cfg.DrainDelay = time.Second
	}
	cfg.DrainDelay = max(cfg.DrainDelay, 0)
	if cfg.ReadyTimeout == 0 {
		cfg.ReadyTimeout = 30 * time.Second
	}
	if cfg.Nginx == "" {
		p, err := FindNginx()
		if err != nil {
			return err
		}
		cfg.Nginx = p
	}
	var err error
	cfg.Dir, err = filepath.Abs(cfg.Dir)
	return err
}

// pickPorts replaces each 0 with a free loopback port and checks that the
// others are free, so that a port in use is reported as such and not as a
// process that would not start. Every port stays held until all are
// picked: a port closed at once could be handed out again for the next.
func pickPorts(ports []int) error {
	var held []net.Listener
	defer func() {
		for _, l := range held {
			l.Close()
		}
	}()
	for i, p := range ports {
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			return fmt.Errorf("port %d is taken (another cluster? make cluster-stop): %w", p, err)
		}
		held = append(held, l)
		ports[i] = l.Addr().(*net.TCPAddr).Port
	}
	return nil
}

// writeNginxConf renders the operator's file for this cluster's ports,
// writes it and the wrapper into Dir and returns nginx's arguments.
func (c *Cluster) writeNginxConf() ([]string, error) {
	src, err := os.ReadFile(c.cfg.NginxConf)
	if err != nil {
		return nil, err
	}
	var upstreams []string
	for _, in := range c.instances {
		upstreams = append(upstreams, in.addr)
	}
	conf, err := RenderConf(string(src), upstreams, map[int]string{80: fmt.Sprintf("127.0.0.1:%d", c.cfg.Port)})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.cfg.NginxConf, err)
	}
	confPath := filepath.Join(c.Dir, "nginx-fimdb.conf")
	header := "# " + c.cfg.NginxConf + " with this cluster's ports, written by fimdb's cluster package.\n"
	if err := os.WriteFile(confPath, []byte(header+conf), 0o644); err != nil {
		return nil, err
	}
	main := filepath.Join(c.Dir, "nginx.conf")
	if err := os.WriteFile(main, []byte(nginxWrapper(c.Dir, confPath, os.Geteuid() == 0)), 0o644); err != nil {
		return nil, err
	}
	return []string{"-p", c.Dir, "-c", main, "-e", filepath.Join(c.Dir, "nginx-error.log")}, nil
}

// env is the environment of fimdb processes: this process's without any
// FIMDB_ setting (a FIMDB_METRICS_ADDR would have every instance bind one
// port), plus the first administrator.
func (c *Cluster) env() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "FIMDB_") {
			env = append(env, kv)
		}
	}
	return append(env, "FIMDB_ADMIN_EMAIL="+c.AdminEmail, "FIMDB_ADMIN_PASSWORD="+c.AdminPassword)
}

// Command is the fimdb binary with args and --db naming the cluster's
// database (for `token create`, `user add`...).
func (c *Cluster) Command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, c.cfg.Binary, append(args, "--db", c.cfg.DB)...)
	cmd.Env = c.env()
	return cmd
}

func (c *Cluster) migrate(ctx context.Context) error {
	log := filepath.Join(c.Dir, "migrate.log")
	out, err := c.Command(ctx, "migrate").CombinedOutput()
	os.WriteFile(log, out, 0o644)
	if err != nil {
		return fmt.Errorf("fimdb migrate: %v\n%s", err, logTail(log, 25))
	}
	return nil
}

// Instances are the cluster's instances, fimdb-1 first.
func (c *Cluster) Instances() []*Instance { return c.instances }

// Instance is instance n, counted from 1 as in its name (fimdb-n).
func (c *Cluster) Instance(n int) *Instance { return c.instances[n-1] }

// Logs are the paths of the cluster's logs.
func (c *Cluster) Logs() []string {
	var logs []string
	for _, in := range c.instances {
		logs = append(logs, in.Log())
	}
	return append(logs, filepath.Join(c.Dir, "nginx-access.log"), filepath.Join(c.Dir, "nginx-error.log"))
}

// LogTails is the end of every log, for a failing test to show.
func (c *Cluster) LogTails(lines int) string {
	var b strings.Builder
	for _, l := range c.Logs() {
		b.WriteString(logTail(l, lines))
		b.WriteString("\n")
	}
	return b.String()
}

// Stop stops nginx (gracefully: requests in flight finish), then every
// instance (SIGINT: no drain delay, requests in flight finish). It signals
// only the processes this cluster started, by the PIDs it holds, and waits
// for them. It returns the first unexpected exit; calling it again returns
// the same.
func (c *Cluster) Stop() error {
	c.stopOnce.Do(func() {
		var errs []error
		if c.nginx != nil {
			errs = append(errs, c.nginx.stop(syscall.SIGQUIT, 15*time.Second))
		}
		var wg sync.WaitGroup
		instErrs := make([]error, len(c.instances))
		for i, in := range c.instances {
			wg.Go(func() { instErrs[i] = in.stop(os.Interrupt) })
		}
		wg.Wait()
		c.stopErr = errors.Join(append(errs, instErrs...)...)
	})
	return c.stopErr
}

// Log is the path of the instance's log (all its runs, one after another).
func (in *Instance) Log() string { return filepath.Join(in.c.Dir, in.Name+".log") }

// PID is the process id of the instance's current or last run.
func (in *Instance) PID() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.p == nil {
		return 0
	}
	return in.p.pid()
}

// Running reports whether the instance's process is alive.
func (in *Instance) Running() bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.p != nil && !in.p.exited()
}

func (in *Instance) launch() error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.p != nil && !in.p.exited() {
		return fmt.Errorf("%s is running (pid %d)", in.Name, in.p.pid())
	}
	cfg := in.c.cfg
	p, err := startProcess(in.Name, in.Log(), in.c.env(),
		cfg.Binary, "serve",
		"--addr", in.addr,
		"--db", cfg.DB,
		"--instance-name", in.Name,
		"--trusted-proxies", "127.0.0.1/32",
		"--drain-delay", cfg.DrainDelay.String(),
	)
	if err != nil {
		return err
	}
	in.p = p
	return nil
}

func (in *Instance) waitHealthy(ctx context.Context) error {
	in.mu.Lock()
	p := in.p
	in.mu.Unlock()
	return waitHealthy(ctx, p, in.URL+"/healthz", in.c.cfg.ReadyTimeout)
}

// Start runs the instance again on its port and waits until its /healthz
// answers 200.
func (in *Instance) Start(ctx context.Context) error {
	if err := in.launch(); err != nil {
		return err
	}
	return in.waitHealthy(ctx)
}

// Kill ends the instance with SIGKILL, as a crash or an OOM kill would,
// and waits for it to be gone.
func (in *Instance) Kill() error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.p == nil || in.p.exited() {
		return fmt.Errorf("%s is not running", in.Name)
	}
	in.p.cmd.Process.Kill()
	<-in.p.done
	return nil
}

// Signal sends sig to the instance's process (SIGSTOP to freeze it, say).
func (in *Instance) Signal(sig os.Signal) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.p == nil || in.p.exited() {
		return fmt.Errorf("%s is not running", in.Name)
	}
	return in.p.cmd.Process.Signal(sig)
}

// Stop sends SIGTERM, as an orchestrator does, and waits for the instance
// to drain and exit. It is an error if it exits with a status other than 0
// or takes longer than its drain delay and 30 s for requests in flight.
func (in *Instance) Stop() error { return in.stop(syscall.SIGTERM) }

func (in *Instance) stop(sig os.Signal) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.p == nil || in.p.exited() {
		return nil
	}
	err := in.p.stop(sig, in.c.cfg.DrainDelay+35*time.Second)
	if err != nil {
		return fmt.Errorf("%s (pid %d) on %v: %s\n%s", in.Name, in.p.pid(), sig, exitDescription(err), in.p.tail())
	}
	return nil
}

// redactURL masks the password of a URL-shaped argument.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
		return u.String()
	}
	return s
}

// RandomPassword is a password for a made-up administrator.
func RandomPassword() string {
	b := make([]byte, 12)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
