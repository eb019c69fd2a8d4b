package cluster

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// NginxEnv overrides where nginx is looked for.
const NginxEnv = "FIMDB_NGINX"

// FindNginx returns the nginx binary: $FIMDB_NGINX, nginx on the PATH, or
// Debian's /usr/sbin/nginx (not on a normal user's PATH).
func FindNginx() (string, error) {
	if p := os.Getenv(NginxEnv); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%s=%s: %w", NginxEnv, p, err)
		}
		return p, nil
	}
	if p, err := exec.LookPath("nginx"); err == nil {
		return p, nil
	}
	if _, err := os.Stat("/usr/sbin/nginx"); err == nil {
		return "/usr/sbin/nginx", nil
	}
	return "", errors.New("nginx is not installed: apt-get install -y nginx (the service need not run), or set " + NginxEnv + " to an nginx binary")
}

var (
	upstreamBlock = regexp.MustCompile(`(?m)^\s*upstream\s+fimdb\s*\{[^}]*\}`)
	serverLine    = regexp.MustCompile(`(?m)^([ \t]*)server[ \t]+[^\s;]+([^;\n]*);[ \t]*\n`)
	listenLine    = regexp.MustCompile(`(?m)^([ \t]*listen[ \t]+)([^\s;]+)([^;\n]*;)`)
)

// RenderConf turns an operator's config (deploy/nginx/fimdb.conf) into the
// one a cluster runs: the upstream fimdb's server lines become one line per
// address in upstreams, with the parameters of the file's first line
// (max_fails...), and each `listen PORT` becomes `listen listen[PORT]`.
// Everything else is left as the operator wrote it. A file that lacks
// what is to be replaced, or listens on a port listen does not map, is an
// error: the cluster must not run something other than what was tested.
func RenderConf(conf string, upstreams []string, listen map[int]string) (string, error) {
	if len(upstreams) == 0 {
		return "", errors.New("no upstream servers")
	}
	blocks := upstreamBlock.FindAllStringIndex(conf, -1)
	if len(blocks) != 1 {
		return "", fmt.Errorf("want one `upstream fimdb { ... }` block, found %d", len(blocks))
	}
	block := conf[blocks[0][0]:blocks[0][1]]
	lines := serverLine.FindAllStringSubmatchIndex(block, -1)
	if len(lines) == 0 {
		return "", errors.New("the upstream fimdb block has no `server` line")
	}
	indent := block[lines[0][2]:lines[0][3]]
	params := block[lines[0][4]:lines[0][5]]
	var servers strings.Builder
	for _, u := range upstreams {
		fmt.Fprintf(&servers, "%sserver %s%s;\n", indent, u, params)
	}
	first, last := lines[0][0], lines[len(lines)-1][1]
	// All server lines are replaced at the first one's place; what lies
	// between them (comments) stays.
	newBlock := block[:first] + servers.String() + serverLine.ReplaceAllString(block[first:last], "") + block[last:]
	conf = conf[:blocks[0][0]] + newBlock + conf[blocks[0][1]:]

	var err error
	n := 0
	conf = listenLine.ReplaceAllStringFunc(conf, func(line string) string {
		m := listenLine.FindStringSubmatch(line)
		port, perr := strconv.Atoi(m[2])
		addr, ok := listen[port]
		if perr != nil || !ok {
			if err == nil {
				err = fmt.Errorf("`%s` listens on %s, which the cluster does not map", strings.TrimSpace(line), m[2])
			}
			return line
		}
		n++
		return m[1] + addr + m[3]
	})
	if err != nil {
		return "", err
	}
	if n == 0 {
		return "", errors.New("no `listen` line")
	}
	return conf, nil
}

// nginxWrapper is the main config nginx runs with: everything it writes
// stays in dir, and the operator's file is included in http{} as conf.d
// would include it.
func nginxWrapper(dir, confPath string, root bool) string {
	var b strings.Builder
	b.WriteString("# Written by fimdb's cluster package; the fimdb part is " + filepath.Base(confPath) + ".\n")
	if root {
		// Workers would run as nobody, who cannot enter a private dir to
		// write temp files (large responses are buffered there).
		b.WriteString("user root;\n")
	}
	fmt.Fprintf(&b, `daemon off;
worker_processes 1;
pid %[1]s;
error_log %[2]s notice;
events { worker_connections 1024; }
http {
    log_format fimdb '$remote_addr [$time_local] "$request" $status $body_bytes_sent $request_time '
                     'upstream=$upstream_addr status=$upstream_status time=$upstream_response_time '
                     'instance=$upstream_http_x_fimdb_instance';
    access_log %[3]s fimdb;
    client_body_temp_path %[4]s/body;
    proxy_temp_path %[4]s/proxy;
    fastcgi_temp_path %[4]s/fastcgi;
    uwsgi_temp_path %[4]s/uwsgi;
    scgi_temp_path %[4]s/scgi;
    include %[5]s;
}
`, filepath.Join(dir, "nginx.pid"), filepath.Join(dir, "nginx-error.log"), filepath.Join(dir, "nginx-access.log"),
		filepath.Join(dir, "nginx-temp"), confPath)
	return b.String()
}
