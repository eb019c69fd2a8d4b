// Command fimdb-cluster runs fimdb as it scales out, on this machine, for
// `make cluster`: a fresh MySQL/MariaDB database, instances of bin/fimdb on
// their own loopback ports and nginx in front, configured by
// deploy/nginx/fimdb.conf. It runs until Ctrl-C or `fimdb-cluster stop`
// (make cluster-stop) from another terminal.
//
// Settings (environment variables, each also a flag):
//
//	CLUSTER_MYSQL          server to use, mysql://root@127.0.0.1:3306; its
//	                       database fimdb_cluster is dropped and made afresh
//	CLUSTER_DB             instead, this database as it is: a SQLite file or
//	                       a mysql:// URL (bench/cluster.sh measures both)
//	CLUSTER_PORT           nginx's port, 8080
//	CLUSTER_INSTANCES      how many instances, 2
//	CLUSTER_INSTANCE_PORT  the first instance's port, 8081 (then 8082...)
//	CLUSTER_DRAIN_DELAY    each instance's --drain-delay, 5s
//	CLUSTER_DIR            logs, configs and the PID file, .cluster
//	FIMDB_ADMIN_EMAIL, FIMDB_ADMIN_PASSWORD
//	                       the administrator (default admin@localhost and a
//	                       password made up and printed)
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"fimdb/cluster"

	"github.com/go-sql-driver/mysql"
)

const database = "fimdb_cluster"

func main() {
	flags := flag.NewFlagSet("fimdb-cluster", flag.ExitOnError)
	flags.Usage = func() {
		fmt.Fprintf(flags.Output(), "usage: fimdb-cluster [flags]     run a cluster until Ctrl-C\n       fimdb-cluster [-dir DIR] stop  stop the one running\n\n")
		flags.PrintDefaults()
	}
	binary := flags.String("fimdb", env("CLUSTER_FIMDB", "bin/fimdb"), "the fimdb `binary`")
	conf := flags.String("nginx-conf", env("CLUSTER_NGINX_CONF", "deploy/nginx/fimdb.conf"), "the operator's nginx config")
	dir := flags.String("dir", env("CLUSTER_DIR", ".cluster"), "`folder` for logs, configs and the PID file")
	server := flags.String("mysql", env("CLUSTER_MYSQL", "mysql://root@127.0.0.1:3306"), "MySQL server `URL`; its database "+database+" is dropped and made afresh")
	existing := flags.String("db", env("CLUSTER_DB", ""), "use this `database` as it is (a SQLite file or a mysql:// URL) instead of a fresh "+database)
	port := flags.Int("port", envInt("CLUSTER_PORT", 8080), "nginx's port")
	instances := flags.Int("instances", envInt("CLUSTER_INSTANCES", 2), "how many instances")
	firstPort := flags.Int("instance-port", envInt("CLUSTER_INSTANCE_PORT", 8081), "the first instance's port (then the next ones)")
	drain := flags.Duration("drain-delay", envDuration("CLUSTER_DRAIN_DELAY", 5*time.Second), "each instance's --drain-delay")
	flags.Parse(os.Args[1:])

	pidFile := filepath.Join(*dir, "cluster.pid")
	if flags.Arg(0) == "stop" {
		os.Exit(stop(pidFile))
	}
	if flags.NArg() > 0 {
		flags.Usage()
		os.Exit(2)
	}
	if *drain == 0 {
		*drain = -1 // cluster.Config's "none"
	}
	ports := make([]int, *instances)
	for i := range ports {
		ports[i] = *firstPort + i
	}
	cfg := cluster.Config{
		Binary: *binary, NginxConf: *conf, Dir: *dir,
		Instances: *instances, Port: *port, InstancePorts: ports, DrainDelay: *drain,
		AdminEmail: os.Getenv("FIMDB_ADMIN_EMAIL"), AdminPassword: os.Getenv("FIMDB_ADMIN_PASSWORD"),
	}
	cfg.DB = *existing
	if err := run(cfg, *server, pidFile); err != nil {
		fmt.Fprintln(os.Stderr, "fimdb-cluster:", err)
		os.Exit(1)
	}
}

func run(cfg cluster.Config, server, pidFile string) error {
	if pid, alive := running(pidFile); alive {
		return fmt.Errorf("a cluster is already running (PID %d): make cluster-stop stops it", pid)
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return err
	}
	clearLogs(cfg.Dir)
	if err := os.WriteFile(pidFile, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
		return err
	}
	defer os.Remove(pidFile)

	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	if cfg.DB == "" {
		dsn, err := freshDatabase(ctx, server)
		if err != nil {
			return err
		}
		cfg.DB = dsn
	}
	fmt.Printf("Starting %d instances of %s and nginx on %s...\n", cfg.Instances, cfg.Binary, redact(cfg.DB))
	c, err := cluster.Start(ctx, cfg)
	if err != nil {
		return err
	}
	dir, _ := filepath.Abs(cfg.Dir)
	fmt.Printf("\nfimdb cluster at %s\n", c.URL)
	fmt.Printf("  sign in as  %s  password  %s\n", c.AdminEmail, c.AdminPassword)
	for _, in := range c.Instances() {
		fmt.Printf("  %s  %s  PID %d  (kill -TERM drains it, kill -9 crashes it)\n", in.Name, in.URL, in.PID())
	}
	fmt.Printf("  logs in %s: %s\n", dir, strings.Join(base(c.Logs()), ", "))
	fmt.Printf("  Ctrl-C here, or make cluster-stop in another terminal, stops it.\n\n")

	// Say when an instance goes, so that someone killing one sees it.
	gone := map[string]bool{}
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for ctx.Err() == nil {
		select {
		case <-ctx.Done():
		case <-tick.C:
			for _, in := range c.Instances() {
				if !in.Running() && !gone[in.Name] {
					fmt.Printf("%s (PID %d) has exited; see %s\n", in.Name, in.PID(), in.Log())
				}
				gone[in.Name] = !in.Running()
			}
		}
	}
	fmt.Println("Stopping the cluster...")
	if err := c.Stop(); err != nil {
		return err
	}
	fmt.Println("Stopped.")
	return nil
}

// stop sends SIGTERM to the cluster whose PID the file holds and waits for
// it to end. No cluster running is not an error.
func stop(pidFile string) int {
	pid, alive := running(pidFile)
	if !alive {
		if pid != 0 {
			os.Remove(pidFile)
			fmt.Printf("No cluster is running (removed the stale %s).\n", pidFile)
		} else {
			fmt.Println("No cluster is running.")
		}
		return 0
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		fmt.Fprintf(os.Stderr, "fimdb-cluster stop: PID %d: %v\n", pid, err)
		return 1
	}
	fmt.Printf("Stopping the cluster (PID %d)...\n", pid)
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if syscall.Kill(pid, 0) != nil {
			os.Remove(pidFile)
			fmt.Println("Stopped.")
			return 0
		}
	}
	fmt.Fprintf(os.Stderr, "fimdb-cluster stop: PID %d is still running after 60 s\n", pid)
	return 1
}

// running reads the PID file and reports whether that process is alive and
// is a fimdb-cluster (a PID left by a crash may have been reused since).
func running(pidFile string) (pid int, alive bool) {
	data, err := os.ReadFile(pidFile)
	if err != nil {
		return 0, false
	}
	pid, err = strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || pid <= 0 {
		return -1, false
	}
	if syscall.Kill(pid, 0) != nil {
		return pid, false
	}
	if cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); err == nil && !strings.Contains(string(cmdline), "fimdb-cluster") {
		return pid, false
	}
	return pid, true
}

// clearLogs removes what a previous run left, so that the logs are this
// run's: only the names the cluster writes, since -dir may be any folder.
func clearLogs(dir string) {
	for _, pattern := range []string{"fimdb-[0-9]*.log", "migrate.log", "nginx-*.log", "nginx.conf", "nginx-fimdb.conf", "nginx.pid"} {
		files, _ := filepath.Glob(filepath.Join(dir, pattern))
		for _, f := range files {
			os.Remove(f)
		}
	}
}

// freshDatabase drops and creates fimdb_cluster on the server and returns
// its mysql:// URL.
func freshDatabase(ctx context.Context, server string) (string, error) {
	u, err := url.Parse(server)
	if err != nil || u.Scheme != "mysql" {
		return "", fmt.Errorf("%s is not a mysql:// URL", redact(server))
	}
	cfg := mysql.NewConfig()
	cfg.Net, cfg.Addr, cfg.User = "tcp", u.Host, u.User.Username()
	if u.Port() == "" {
		cfg.Addr = u.Host + ":3306"
	}
	cfg.Passwd, _ = u.User.Password()
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return "", err
	}
	defer db.Close()
	for _, stmt := range []string{
		"DROP DATABASE IF EXISTS " + database,
		"CREATE DATABASE " + database + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
	} {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return "", fmt.Errorf("%s on %s: %w (is MariaDB running? CLUSTER_MYSQL names another server)", stmt, redact(server), err)
		}
	}
	u.Path = "/" + database
	return u.String(), nil
}

func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(a URL that cannot be parsed)"
	}
	return u.Redacted()
}

func base(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = filepath.Base(p)
	}
	return out
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func envInt(name string, def int) int {
	if v := os.Getenv(name); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			fatal(fmt.Errorf("%s=%q: not a number", name, v))
		}
		return n
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if v := os.Getenv(name); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			fatal(fmt.Errorf("%s=%q: not a duration (5s, 500ms)", name, v))
		}
		return d
	}
	return def
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "fimdb-cluster:", err)
	os.Exit(2)
}
