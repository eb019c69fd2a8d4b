package deploy

import (
	"cmp"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// serveSettings are the settings of `fimdb serve`: flag name → its
// environment twin. A flag or FIMDB_ variable the web container sets must be
// one of them (or of serveOnlyEnv), so a typo fails here, not in a pod.
var serveSettings = map[string]string{
	"addr":            "FIMDB_ADDR",
	"db":              "FIMDB_DB",
	"secure-cookies":  "FIMDB_SECURE_COOKIES",
	"instance-name":   "FIMDB_INSTANCE_NAME",
	"trusted-proxies": "FIMDB_TRUSTED_PROXIES",
	"drain-delay":     "FIMDB_DRAIN_DELAY",
	"metrics-addr":    "FIMDB_METRICS_ADDR",
	"log-format":      "FIMDB_LOG_FORMAT",
}

// serveOnlyEnv are the variables serve reads that have no flag.
var serveOnlyEnv = []string{"FIMDB_ADMIN_EMAIL", "FIMDB_ADMIN_PASSWORD"}

const (
	// shutdownTimeout is how long fimdb serve lets in-flight requests
	// finish after its drain delay.
	shutdownTimeout = 30 * time.Second
	// defaultDrainDelay is --drain-delay's default.
	defaultDrainDelay = 5 * time.Second
	healthPath        = "/healthz"
	// placeholder is the password of the example Secret's DSN.
	placeholder = "CHANGE-ME"
)

// setting is one serve setting of a container, from its args or its env.
type setting struct {
	value string         // the literal value, "" when it comes from env.valueFrom
	env   *corev1.EnvVar // nil when it comes from a flag
}

// serveArgs checks that c runs `fimdb serve` and returns its settings by
// flag name.
func serveArgs(t *testing.T, c corev1.Container) map[string]setting {
	t.Helper()
	if len(c.Command) != 0 && !slices.Equal(c.Command, []string{"/fimdb"}) {
		t.Errorf("container %s: command %q: leave it to the image's ENTRYPOINT /fimdb", c.Name, c.Command)
	}
	if len(c.Args) == 0 || c.Args[0] != "serve" {
		t.Fatalf("container %s: args %q, want serve first (the image's ENTRYPOINT is /fimdb)", c.Name, c.Args)
	}
	settings := map[string]setting{}
	for _, arg := range c.Args[1:] {
		name, value, ok := strings.Cut(strings.TrimPrefix(arg, "--"), "=")
		if !strings.HasPrefix(arg, "--") || !ok {
			t.Errorf("container %s: argument %q: write flags as --name=value", c.Name, arg)
			continue
		}
		if _, known := serveSettings[name]; !known {
			t.Errorf("container %s: fimdb serve has no flag --%s", c.Name, name)
		}
		if _, twice := settings[name]; twice {
			t.Errorf("container %s: --%s given twice", c.Name, name)
		}
		settings[name] = setting{value: value}
	}
	for i, e := range c.Env {
		if !strings.HasPrefix(e.Name, "FIMDB_") || slices.Contains(serveOnlyEnv, e.Name) {
			continue
		}
		name := ""
		for flag, env := range serveSettings {
			if env == e.Name {
				name = flag
			}
		}
		if name == "" {
			t.Errorf("container %s: fimdb serve reads no %s", c.Name, e.Name)
			continue
		}
		if _, twice := settings[name]; twice {
			t.Errorf("container %s: %s and --%s both set one setting", c.Name, e.Name, name)
		}
		settings[name] = setting{value: e.Value, env: &c.Env[i]}
	}
	return settings
}

// only returns the one container of a pod.
func only(t *testing.T, what string, pod corev1.PodSpec) corev1.Container {
	t.Helper()
	if len(pod.Containers) != 1 || len(pod.InitContainers) != 0 {
		t.Fatalf("%s: %d containers and %d init containers, want one container", what, len(pod.Containers), len(pod.InitContainers))
	}
	return pod.Containers[0]
}

// httpPort is the number of the container's port named http.
func httpPort(t *testing.T, c corev1.Container) int32 {
	t.Helper()
	for _, p := range c.Ports {
		if p.Name == "http" {
			return p.ContainerPort
		}
	}
	t.Fatalf("container %s has no port named http", c.Name)
	return 0
}

// containerPort resolves a port given by name or number among c's ports.
func containerPort(c corev1.Container, port intstr.IntOrString) (int32, bool) {
	for _, p := range c.Ports {
		if (port.Type == intstr.String && p.Name == port.StrVal) || (port.Type == intstr.Int && p.ContainerPort == port.IntVal) {
			return p.ContainerPort, true
		}
	}
	return 0, false
}

// drainDelay is the web container's --drain-delay, from its args or env.
func drainDelay(t *testing.T, settings map[string]setting) time.Duration {
	t.Helper()
	s, ok := settings["drain-delay"]
	if !ok {
		return defaultDrainDelay
	}
	if s.env != nil && s.env.ValueFrom != nil {
		t.Fatal("FIMDB_DRAIN_DELAY comes from valueFrom: give it a literal value this test can read")
	}
	d, err := time.ParseDuration(s.value)
	if err != nil || d < 0 {
		t.Fatalf("drain delay %q is not a Go duration", s.value)
	}
	return d
}

// show prints an optional field's value, or "unset".
func show[T any](p *T) string {
	if p == nil {
		return "unset"
	}
	return fmt.Sprint(*p)
}

// seconds turns a probe's or pod's seconds into a Duration.
func seconds[N int32 | int64](s N) time.Duration { return time.Duration(s) * time.Second }

// TestWebContainerRunsServe: the web container runs `fimdb serve` on its
// http port, believes X-Forwarded-* from the pod network only, marks cookies
// Secure and names each pod in X-Fimdb-Instance.
func TestWebContainerRunsServe(t *testing.T) {
	m := load(t)
	c := only(t, "Deployment "+m.deployment.Name, m.deployment.Spec.Template.Spec)
	settings := serveArgs(t, c)

	port := httpPort(t, c)
	addr := ":8080"
	if s, ok := settings["addr"]; ok {
		addr = s.value
	}
	if _, p, err := net.SplitHostPort(addr); err != nil || p != strconv.Itoa(int(port)) {
		t.Errorf("fimdb listens on %q, but the container's http port is %d", addr, port)
	}

	if s, ok := settings["trusted-proxies"]; !ok || s.value == "" {
		t.Error("no --trusted-proxies: fimdb would take the ingress controller for every client, and every request for plain HTTP")
	} else {
		for _, cidr := range strings.Split(s.value, ",") {
			if _, err := netip.ParsePrefix(strings.TrimSpace(cidr)); err != nil {
				t.Errorf("--trusted-proxies: %v", err)
			}
		}
	}

	if s, ok := settings["metrics-addr"]; !ok {
		t.Error("no --metrics-addr: the pods would have no metrics to scrape")
	} else if _, p, err := net.SplitHostPort(s.value); err != nil || p == strconv.Itoa(int(port)) || !slices.ContainsFunc(c.Ports, func(cp corev1.ContainerPort) bool {
		return strconv.Itoa(int(cp.ContainerPort)) == p && cp.Name == "metrics"
	}) {
		t.Errorf("--metrics-addr %q: want a port of its own, other than http's, named \"metrics\" among the container's ports", s.value)
	}

	if s := settings["secure-cookies"]; s.value != "true" {
		t.Errorf("secure cookies are %q, want \"true\": the Ingress terminates TLS", s.value)
	}
	if s, ok := settings["instance-name"]; !ok || s.env == nil || s.env.ValueFrom == nil ||
		s.env.ValueFrom.FieldRef == nil || s.env.ValueFrom.FieldRef.FieldPath != "metadata.name" {
		t.Error("FIMDB_INSTANCE_NAME should come from the downward API's metadata.name (the pod's name)")
	}
}

// TestDatabaseFromSecret: the web pods and the migrate Job read one DSN, from
// a key of the Secret in k8s/, never from a literal (a password in the pod
// spec).
func TestDatabaseFromSecret(t *testing.T) {
	m := load(t)
	web := only(t, "Deployment "+m.deployment.Name, m.deployment.Spec.Template.Spec)
	migrate := only(t, "Job "+m.job.Name, m.job.Spec.Template.Spec)
	refs := map[string]*corev1.SecretKeySelector{}
	for _, c := range []corev1.Container{web, migrate} {
		if slices.ContainsFunc(c.Args, func(a string) bool { return strings.HasPrefix(a, "--db") }) {
			t.Errorf("container %s passes --db in its args: the DSN holds a password", c.Name)
		}
		i := slices.IndexFunc(c.Env, func(e corev1.EnvVar) bool { return e.Name == "FIMDB_DB" })
		if i < 0 || c.Env[i].ValueFrom == nil || c.Env[i].ValueFrom.SecretKeyRef == nil {
			t.Errorf("container %s: FIMDB_DB should come from a secretKeyRef", c.Name)
			continue
		}
		ref := c.Env[i].ValueFrom.SecretKeyRef
		if ref.Optional != nil && *ref.Optional {
			t.Errorf("container %s: FIMDB_DB's secretKeyRef is optional: without it fimdb opens a SQLite file", c.Name)
		}
		refs[c.Name] = ref
	}
	if len(refs) != 2 {
		return
	}
	w, j := refs[web.Name], refs[migrate.Name]
	if w.Name != j.Name || w.Key != j.Key {
		t.Errorf("the web pods read FIMDB_DB from %s/%s, the migrate Job from %s/%s", w.Name, w.Key, j.Name, j.Key)
	}
	if w.Name != m.secret.Name {
		t.Errorf("FIMDB_DB comes from Secret %q, but k8s/ holds Secret %q", w.Name, m.secret.Name)
	}
	if _, ok := m.secret.StringData[w.Key]; !ok {
		t.Errorf("Secret %s has no key %q (it has %v)", m.secret.Name, w.Key, sortedKeys(m.secret.StringData))
	}
}

// TestSecretIsAnExample: the committed Secret holds a placeholder, never a
// real-looking password.
func TestSecretIsAnExample(t *testing.T) {
	m := load(t)
	if len(m.secret.Data) > 0 {
		t.Errorf("Secret %s has data: write the example in stringData, where a reader sees it is fake", m.secret.Name)
	}
	for key, value := range m.secret.StringData {
		if !strings.Contains(value, placeholder) {
			t.Errorf("Secret %s: %s holds no %s: commit no real secret", m.secret.Name, key, placeholder)
		}
		if !strings.Contains(value, "://") {
			continue
		}
		u, err := url.Parse(value)
		if err != nil {
			t.Errorf("Secret %s: %s: %v", m.secret.Name, key, err)
			continue
		}
		if u.Scheme != "mysql" {
			t.Errorf("Secret %s: %s is a %s:// URL, want mysql://", m.secret.Name, key, u.Scheme)
		}
		if pw, _ := u.User.Password(); pw != placeholder {
			t.Errorf("Secret %s: %s's password is not the placeholder %s", m.secret.Name, key, placeholder)
		}
		if !strings.Contains(u.Hostname(), "example") {
			t.Errorf("Secret %s: %s names host %q: use an example host", m.secret.Name, key, u.Hostname())
		}
	}
}

// TestProbes: every probe asks /healthz on the http port.
func TestProbes(t *testing.T) {
	m := load(t)
	c := only(t, "Deployment "+m.deployment.Name, m.deployment.Spec.Template.Spec)
	port := httpPort(t, c)
	for _, tc := range []struct {
		name     string
		probe    *corev1.Probe
		required bool
	}{
		{"readiness", c.ReadinessProbe, true},
		{"liveness", c.LivenessProbe, true},
		{"startup", c.StartupProbe, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.probe == nil {
				if tc.required {
					t.Fatal("no probe")
				}
				return
			}
			get := tc.probe.HTTPGet
			if get == nil {
				t.Fatal("not an httpGet probe")
			}
			if get.Path != healthPath {
				t.Errorf("path %q, want %s", get.Path, healthPath)
			}
			if p, ok := containerPort(c, get.Port); !ok || p != port {
				t.Errorf("port %s, want the http port (%d)", get.Port.String(), port)
			}
			if get.Scheme != "" && get.Scheme != corev1.URISchemeHTTP {
				t.Errorf("scheme %s: fimdb serves plain HTTP", get.Scheme)
			}
		})
	}
}

// TestDrain: a pod told to stop answers 503 on /healthz for its drain delay,
// then finishes in-flight requests for up to 30 s. The readiness probe must
// see the 503 within the drain delay, the liveness probe must not restart a
// draining pod, and the kubelet must not kill it before it is done.
func TestDrain(t *testing.T) {
	m := load(t)
	pod := m.deployment.Spec.Template.Spec
	c := only(t, "Deployment "+m.deployment.Name, pod)
	drain := drainDelay(t, serveArgs(t, c))
	if drain == 0 {
		t.Error("no drain delay: requests routed to a stopping pod would fail")
	}
	if pod.TerminationGracePeriodSeconds == nil {
		t.Fatal("no terminationGracePeriodSeconds: the default 30 s is shorter than a drain and shutdown")
	}
	if grace := seconds(*pod.TerminationGracePeriodSeconds); grace <= drain+shutdownTimeout {
		t.Errorf("terminationGracePeriodSeconds is %v, want more than the drain delay %v + shutdown %v", grace, drain, shutdownTimeout)
	}
	if r := c.ReadinessProbe; r != nil {
		if seen := seconds(r.PeriodSeconds*r.FailureThreshold + r.TimeoutSeconds); seen >= drain {
			t.Errorf("the readiness probe may take %v to see a 503, the drain delay is %v", seen, drain)
		}
	}
	if l := c.LivenessProbe; l != nil {
		if window := seconds(l.PeriodSeconds * l.FailureThreshold); window <= drain+shutdownTimeout {
			t.Errorf("the liveness probe restarts after %v of failures, within a drain and shutdown (%v)", window, drain+shutdownTimeout)
		}
	}
}

// TestRollout: two replicas, and a rolling update that adds a pod before it
// removes one.
func TestRollout(t *testing.T) {
	m := load(t)
	d := m.deployment
	if d.Spec.Replicas == nil || *d.Spec.Replicas != 2 {
		t.Errorf("replicas %s, want 2", show(d.Spec.Replicas))
	}
	sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
	if err != nil || sel.Empty() || !sel.Matches(labels.Set(d.Spec.Template.Labels)) {
		t.Errorf("the Deployment's selector %v does not select its pod labels %v", d.Spec.Selector, d.Spec.Template.Labels)
	}
	ru := d.Spec.Strategy.RollingUpdate
	if d.Spec.Strategy.Type != "RollingUpdate" || ru == nil {
		t.Fatal("want a RollingUpdate strategy")
	}
	if ru.MaxUnavailable == nil || ru.MaxUnavailable.String() != "0" {
		t.Errorf("maxUnavailable %v, want 0", ru.MaxUnavailable)
	}
	if ru.MaxSurge == nil || ru.MaxSurge.String() == "0" || ru.MaxSurge.String() == "0%" {
		t.Errorf("maxSurge %v, want at least 1", ru.MaxSurge)
	}
}

// TestPodsAreLockedDown: the web pods and the migrate Job's pods run as the
// image's non-root user, on a read-only root filesystem, with no way to gain
// privileges, within their resource limits.
func TestPodsAreLockedDown(t *testing.T) {
	m := load(t)
	uid, gid := imageUser(t)
	for _, tc := range []struct {
		name string
		pod  corev1.PodSpec
	}{
		{"Deployment " + m.deployment.Name, m.deployment.Spec.Template.Spec},
		{"Job " + m.job.Name, m.job.Spec.Template.Spec},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := only(t, tc.name, tc.pod)
			psc, csc := tc.pod.SecurityContext, c.SecurityContext
			if psc == nil {
				psc = &corev1.PodSecurityContext{}
			}
			if csc == nil {
				t.Fatal("the container has no securityContext")
			}
			// A container's setting wins over the pod's.
			nonRoot, user, group, seccomp := psc.RunAsNonRoot, psc.RunAsUser, psc.RunAsGroup, psc.SeccompProfile
			if csc.RunAsNonRoot != nil {
				nonRoot = csc.RunAsNonRoot
			}
			if csc.RunAsUser != nil {
				user = csc.RunAsUser
			}
			if csc.RunAsGroup != nil {
				group = csc.RunAsGroup
			}
			if csc.SeccompProfile != nil {
				seccomp = csc.SeccompProfile
			}
			if nonRoot == nil || !*nonRoot {
				t.Error("runAsNonRoot is not true")
			}
			if user == nil || *user != uid {
				t.Errorf("runAsUser %s, want the Dockerfile's USER %d", show(user), uid)
			}
			if group != nil && *group != gid {
				t.Errorf("runAsGroup %d, want the Dockerfile's USER group %d", *group, gid)
			}
			if seccomp == nil || seccomp.Type != corev1.SeccompProfileTypeRuntimeDefault {
				t.Error("seccompProfile is not RuntimeDefault")
			}
			if csc.ReadOnlyRootFilesystem == nil || !*csc.ReadOnlyRootFilesystem {
				t.Error("readOnlyRootFilesystem is not true")
			}
			if csc.AllowPrivilegeEscalation == nil || *csc.AllowPrivilegeEscalation {
				t.Error("allowPrivilegeEscalation is not false")
			}
			if csc.Privileged != nil && *csc.Privileged {
				t.Error("privileged")
			}
			if csc.Capabilities == nil || !slices.Equal(csc.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(csc.Capabilities.Add) > 0 {
				t.Errorf("capabilities %v, want drop [ALL] and no add", csc.Capabilities)
			}
			if tc.pod.HostNetwork || tc.pod.HostPID || tc.pod.HostIPC {
				t.Error("shares a host namespace")
			}

			for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
				req, hasReq := c.Resources.Requests[r]
				limit, hasLimit := c.Resources.Limits[r]
				switch {
				case !hasReq || req.IsZero():
					t.Errorf("no %s request", r)
				case !hasLimit || limit.IsZero():
					t.Errorf("no %s limit", r)
				case req.Cmp(limit) > 0:
					t.Errorf("%s request %s exceeds its limit %s", r, req.String(), limit.String())
				}
			}
			if limit := c.Resources.Limits[corev1.ResourceMemory]; limit.Cmp(resource.MustParse("64Mi")) < 0 {
				t.Errorf("memory limit %s: fimdb needs more than 64Mi", limit.String())
			}
		})
	}
}

// TestMigrateJob: `fimdb migrate` from the Deployment's image, named after
// its tag, since a Job cannot be changed once created.
func TestMigrateJob(t *testing.T) {
	m := load(t)
	web := only(t, "Deployment "+m.deployment.Name, m.deployment.Spec.Template.Spec)
	c := only(t, "Job "+m.job.Name, m.job.Spec.Template.Spec)
	if len(c.Command) != 0 && !slices.Equal(c.Command, []string{"/fimdb"}) {
		t.Errorf("command %q: leave it to the image's ENTRYPOINT /fimdb", c.Command)
	}
	if !slices.Equal(c.Args, []string{"migrate"}) {
		t.Errorf("args %q, want [migrate]", c.Args)
	}
	if c.Image != web.Image {
		t.Errorf("the Job runs %s, the Deployment %s: migrate with the release it deploys", c.Image, web.Image)
	}
	i := strings.LastIndex(web.Image, ":")
	if i < 0 || strings.Contains(web.Image[i:], "/") {
		t.Fatalf("image %s has no tag", web.Image)
	}
	tag := web.Image[i+1:]
	if want := "fimdb-migrate-" + strings.NewReplacer(".", "-", "_", "-").Replace(strings.ToLower(tag)); m.job.Name != want {
		t.Errorf("the Job is named %s, want %s (after the image tag %s)", m.job.Name, want, tag)
	}
	if p := m.job.Spec.Template.Spec.RestartPolicy; p != corev1.RestartPolicyNever && p != corev1.RestartPolicyOnFailure {
		t.Errorf("restartPolicy %q, want Never or OnFailure", p)
	}
	if m.job.Spec.BackoffLimit == nil {
		t.Error("no backoffLimit")
	}
	if m.job.Spec.TTLSecondsAfterFinished == nil {
		t.Error("no ttlSecondsAfterFinished: finished Jobs would pile up")
	}
	jobLabels := labels.Set(m.job.Spec.Template.Labels)
	if sel, err := metav1.LabelSelectorAsSelector(m.deployment.Spec.Selector); err == nil && sel.Matches(jobLabels) {
		t.Errorf("the Deployment's selector also selects the Job's pods %v", jobLabels)
	}
	if labels.SelectorFromSet(m.service.Spec.Selector).Matches(jobLabels) {
		t.Errorf("the Service would send requests to the Job's pods %v", jobLabels)
	}
}

// TestService: it sends to the web pods' http port.
func TestService(t *testing.T) {
	m := load(t)
	s := m.service
	c := only(t, "Deployment "+m.deployment.Name, m.deployment.Spec.Template.Spec)
	if s.Spec.Type != "" && s.Spec.Type != corev1.ServiceTypeClusterIP {
		t.Errorf("type %s, want ClusterIP: the Ingress is the way in", s.Spec.Type)
	}
	if len(s.Spec.Selector) == 0 || !labels.SelectorFromSet(s.Spec.Selector).Matches(labels.Set(m.deployment.Spec.Template.Labels)) {
		t.Errorf("selector %v does not select the Deployment's pods %v", s.Spec.Selector, m.deployment.Spec.Template.Labels)
	}
	if len(s.Spec.Ports) == 0 {
		t.Fatal("no ports")
	}
	for _, p := range s.Spec.Ports {
		if p.TargetPort.Type != intstr.String {
			t.Errorf("port %d: targetPort %s, want a container port's name", p.Port, p.TargetPort.String())
		}
		if _, ok := containerPort(c, p.TargetPort); !ok {
			t.Errorf("port %d: targetPort %s names no port of container %s", p.Port, p.TargetPort.String(), c.Name)
		}
	}
}

// TestIngress: ingress-nginx terminates TLS and sends to the Service; a
// draining pod's 503 is retried on another.
func TestIngress(t *testing.T) {
	m := load(t)
	ing := m.ingress
	if ing.Spec.IngressClassName == nil || *ing.Spec.IngressClassName != "nginx" {
		t.Errorf("ingressClassName %s, want nginx", show(ing.Spec.IngressClassName))
	}
	var tlsHosts []string
	for _, tls := range ing.Spec.TLS {
		if tls.SecretName == "" {
			t.Error("a tls entry has no secretName")
		}
		tlsHosts = append(tlsHosts, tls.Hosts...)
	}
	if len(ing.Spec.TLS) == 0 {
		t.Error("no tls: fimdb sets Secure cookies, which need HTTPS")
	}
	if ing.Spec.DefaultBackend != nil {
		t.Error("a defaultBackend: route by rules only")
	}
	paths := 0
	for _, rule := range ing.Spec.Rules {
		if !slices.Contains(tlsHosts, rule.Host) {
			t.Errorf("host %q is not in the tls hosts %v", rule.Host, tlsHosts)
		}
		if rule.HTTP == nil {
			t.Errorf("host %q has no http paths", rule.Host)
			continue
		}
		for _, p := range rule.HTTP.Paths {
			paths++
			b := p.Backend.Service
			if b == nil {
				t.Errorf("path %s: not a Service backend", p.Path)
				continue
			}
			if b.Name != m.service.Name {
				t.Errorf("path %s: Service %q, want %q", p.Path, b.Name, m.service.Name)
			}
			if !slices.ContainsFunc(m.service.Spec.Ports, func(sp corev1.ServicePort) bool {
				return (b.Port.Name != "" && sp.Name == b.Port.Name) || (b.Port.Name == "" && sp.Port == b.Port.Number)
			}) {
				t.Errorf("path %s: Service %s has no port %+v", p.Path, b.Name, b.Port)
			}
		}
	}
	if paths == 0 {
		t.Error("no paths")
	}

	const prefix = "nginx.ingress.kubernetes.io/"
	for _, tc := range []struct{ annotation, want string }{
		{"proxy-body-size", "1m"},
		{"proxy-read-timeout", ""},
		{"proxy-send-timeout", ""},
	} {
		v, ok := ing.Annotations[prefix+tc.annotation]
		if !ok || (tc.want != "" && v != tc.want) {
			t.Errorf("annotation %s%s is %q, want %q", prefix, tc.annotation, v, cmp.Or(tc.want, "set"))
		}
	}
	retries := strings.Fields(ing.Annotations[prefix+"proxy-next-upstream"])
	for _, want := range []string{"error", "timeout", "http_503"} {
		if !slices.Contains(retries, want) {
			t.Errorf("annotation %sproxy-next-upstream %v lacks %s", prefix, retries, want)
		}
	}
	if slices.Contains(retries, "non_idempotent") {
		t.Errorf("proxy-next-upstream retries non-idempotent requests: a POST could run twice")
	}
	for key := range ing.Annotations {
		if !strings.HasPrefix(key, prefix) {
			t.Errorf("annotation %s: ingress-nginx reads only %s*", key, prefix)
		}
	}
}

// TestScaling: the autoscaler scales the Deployment on CPU from its replica
// count, and a disruption budget keeps one pod through a node drain.
func TestScaling(t *testing.T) {
	m := load(t)
	h, d := m.hpa, m.deployment
	ref := h.Spec.ScaleTargetRef
	if ref.APIVersion != "apps/v1" || ref.Kind != "Deployment" || ref.Name != d.Name {
		t.Errorf("the autoscaler targets %s %s %s, want apps/v1 Deployment %s", ref.APIVersion, ref.Kind, ref.Name, d.Name)
	}
	if h.Spec.MinReplicas == nil || d.Spec.Replicas == nil || *h.Spec.MinReplicas != *d.Spec.Replicas {
		t.Errorf("minReplicas %s, want the Deployment's replicas %s", show(h.Spec.MinReplicas), show(d.Spec.Replicas))
	}
	if h.Spec.MinReplicas != nil && h.Spec.MaxReplicas <= *h.Spec.MinReplicas {
		t.Errorf("maxReplicas %d leaves no room above minReplicas %d", h.Spec.MaxReplicas, *h.Spec.MinReplicas)
	}
	if !slices.ContainsFunc(h.Spec.Metrics, func(ms autoscalingv2.MetricSpec) bool {
		return ms.Resource != nil && ms.Resource.Name == corev1.ResourceCPU &&
			ms.Resource.Target.AverageUtilization != nil && *ms.Resource.Target.AverageUtilization > 0
	}) {
		t.Error("no CPU utilization metric")
	}

	p := m.pdb
	sel, err := metav1.LabelSelectorAsSelector(p.Spec.Selector)
	if err != nil || sel.Empty() || !sel.Matches(labels.Set(d.Spec.Template.Labels)) {
		t.Errorf("the PodDisruptionBudget's selector %v does not select the web pods", p.Spec.Selector)
	}
	if p.Spec.MinAvailable == nil || p.Spec.MinAvailable.Type != intstr.Int || p.Spec.MinAvailable.IntVal < 1 ||
		d.Spec.Replicas == nil || p.Spec.MinAvailable.IntVal >= *d.Spec.Replicas {
		t.Errorf("minAvailable %v: want at least 1 and fewer than the replicas, or no node could be drained", p.Spec.MinAvailable)
	}
}

// TestNamespace: every object is in the one namespace, k8s/namespace.yaml's
// if there is one.
func TestNamespace(t *testing.T) {
	m := load(t)
	want := m.deployment.Namespace
	if m.namespace != nil {
		want = m.namespace.Name
	}
	if want == "" {
		t.Fatal("the Deployment names no namespace")
	}
	for file, obj := range m.files {
		o, ok := obj.(metav1.Object)
		if !ok {
			continue // the Kustomization
		}
		if _, isNS := obj.(*corev1.Namespace); !isNS && o.GetNamespace() != want {
			t.Errorf("%s: namespace %q, want %q", file, o.GetNamespace(), want)
		}
	}
}

// TestKustomization: kubectl apply -k applies every file but the example
// Secret (it would overwrite the real one) and the migrate Job (applied
// first, once per release).
func TestKustomization(t *testing.T) {
	m := load(t)
	listed := map[string]bool{}
	for _, r := range m.kustomization.Resources {
		if listed[r] {
			t.Errorf("lists %s twice", r)
		}
		listed[r] = true
		if _, ok := m.files[r]; !ok {
			t.Errorf("lists %s, which is not a manifest in %s/", r, manifestDir)
		}
	}
	for _, file := range sortedKeys(m.files) {
		switch m.files[file].(type) {
		case *kustomization:
		case *corev1.Secret, *batchv1.Job:
			if listed[file] {
				t.Errorf("lists %s: apply it by hand (see its comment)", file)
			}
		default:
			if !listed[file] {
				t.Errorf("does not list %s", file)
			}
		}
	}
}
