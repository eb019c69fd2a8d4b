package deploy

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The Dockerfile, .dockerignore and go.mod of the repository: docker is not
// needed to check the image's contract with the manifests.
const (
	dockerfile   = "../Dockerfile"
	dockerignore = "../.dockerignore"
	rootGoMod    = "../go.mod"
)

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	cmd  string // upper case: FROM, RUN, COPY, ...
	args string
}

// stage is one FROM and the instructions up to the next.
type stage struct {
	image, name string
	body        []instruction
}

// parseDockerfile splits a Dockerfile into stages. It knows what this
// repository's Dockerfile uses: comments, continuation lines, FROM ... AS.
func parseDockerfile(text string) []stage {
	var stages []stage
	var line string
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "#") || (l == "" && line == "") {
			continue
		}
		if rest, ok := strings.CutSuffix(l, `\`); ok {
			line += rest + " "
			continue
		}
		line += l
		cmd, args, _ := strings.Cut(strings.TrimSpace(line), " ")
		line = ""
		in := instruction{strings.ToUpper(cmd), strings.TrimSpace(args)}
		if in.cmd == "FROM" {
			var words []string
			for _, w := range strings.Fields(in.args) {
				if !strings.HasPrefix(w, "--") {
					words = append(words, w)
				}
			}
			s := stage{image: words[0]}
			if len(words) == 3 && strings.EqualFold(words[1], "AS") {
				s.name = words[2]
			}
			stages = append(stages, s)
			continue
		}
		if len(stages) > 0 {
			stages[len(stages)-1].body = append(stages[len(stages)-1].body, in)
		}
	}
	return stages
}

// get returns the arguments of each of the stage's cmd instructions.
func (s stage) get(cmd string) []string {
	var out []string
	for _, in := range s.body {
		if in.cmd == cmd {
			out = append(out, in.args)
		}
	}
	return out
}

func readDockerfile(t *testing.T) []stage {
	t.Helper()
	data, err := os.ReadFile(dockerfile)
	if err != nil {
		t.Fatal(err)
	}
	stages := parseDockerfile(string(data))
	if len(stages) < 2 {
		t.Fatalf("%s has %d stages, want a build stage and a final one", dockerfile, len(stages))
	}
	return stages
}

var userPattern = regexp.MustCompile(`^(\d+):(\d+)$`)

// imageUser is the final stage's USER uid:gid, which must be numeric (the
// kubelet can check only a number is not root) and not root.
func imageUser(t *testing.T) (uid, gid int64) {
	t.Helper()
	stages := readDockerfile(t)
	users := stages[len(stages)-1].get("USER")
	if len(users) != 1 {
		t.Fatalf("the final stage has %d USER instructions, want one", len(users))
	}
	match := userPattern.FindStringSubmatch(users[0])
	if match == nil {
		t.Fatalf("USER %s: want numeric UID:GID", users[0])
	}
	uid, _ = strconv.ParseInt(match[1], 10, 64)
	gid, _ = strconv.ParseInt(match[2], 10, 64)
	if uid == 0 || gid == 0 {
		t.Fatalf("USER %s is root", users[0])
	}
	return uid, gid
}

// goVersion is the go directive of a go.mod.
func goVersion(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(data)
	if m == nil {
		t.Fatalf("%s has no go directive", path)
	}
	return string(m[1])
}

// TestDockerfile: the final stage is scratch with the static binary and CA
// certificates, run as a numeric non-root user, `/fimdb serve` by default,
// on the port the Deployment probes.
func TestDockerfile(t *testing.T) {
	stages := readDockerfile(t)
	final := stages[len(stages)-1]
	if final.image != "scratch" {
		t.Errorf("the final stage is FROM %s, want scratch", final.image)
	}
	imageUser(t)

	for _, tc := range []struct {
		cmd  string
		want []string
	}{
		{"ENTRYPOINT", []string{"/fimdb"}},
		{"CMD", []string{"serve"}},
	} {
		got := final.get(tc.cmd)
		var argv []string
		if len(got) != 1 || json.Unmarshal([]byte(got[0]), &argv) != nil || !slices.Equal(argv, tc.want) {
			t.Errorf("final stage %s %v, want one, in exec form: %s %q", tc.cmd, got, tc.cmd, tc.want)
		}
	}

	m := load(t)
	port := httpPort(t, only(t, "Deployment "+m.deployment.Name, m.deployment.Spec.Template.Spec))
	if expose := final.get("EXPOSE"); !slices.Contains(expose, strconv.Itoa(int(port))) {
		t.Errorf("final stage EXPOSE %v, want the container's http port %d", expose, port)
	}

	// The final stage copies two files from the build stage and runs nothing.
	byName := map[string]stage{}
	for _, s := range stages {
		byName[s.name] = s
	}
	copied := map[string]string{} // destination → source stage
	for _, in := range final.body {
		switch in.cmd {
		case "COPY":
			f := strings.Fields(in.args)
			if len(f) != 3 || !strings.HasPrefix(f[0], "--from=") {
				t.Errorf("final stage COPY %s: want COPY --from=STAGE SRC DEST", in.args)
				continue
			}
			copied[f[2]] = strings.TrimPrefix(f[0], "--from=")
		case "USER", "EXPOSE", "ENTRYPOINT", "CMD", "LABEL", "ARG":
		default:
			t.Errorf("final stage %s %s: scratch has no shell; only COPY, USER, EXPOSE, ENTRYPOINT, CMD, LABEL", in.cmd, in.args)
		}
	}
	for _, dest := range []string{"/fimdb", "/etc/ssl/certs/ca-certificates.crt"} {
		if _, ok := copied[dest]; !ok {
			t.Errorf("the final stage copies nothing to %s", dest)
		}
	}
	if len(copied) != 2 {
		t.Errorf("the final stage copies %v: want the binary and the CA certificates only", sortedKeys(copied))
	}

	// The stage that builds the binary: the Go of go.mod, no cgo.
	build, ok := byName[copied["/fimdb"]]
	if !ok {
		t.Fatalf("/fimdb comes from stage %q, which the Dockerfile does not name", copied["/fimdb"])
	}
	goVer := goVersion(t, rootGoMod)
	if build.image != "golang:"+goVer && !strings.HasPrefix(build.image, "golang:"+goVer+"-") {
		t.Errorf("the build stage is FROM %s, want golang:%s (go.mod's go directive)", build.image, goVer)
	}
	if !slices.ContainsFunc(build.get("RUN"), func(run string) bool {
		return strings.Contains(run, "CGO_ENABLED=0") && strings.Contains(run, "go build") && strings.Contains(run, "-o /fimdb")
	}) {
		t.Errorf("stage %s has no RUN CGO_ENABLED=0 go build ... -o /fimdb", build.name)
	}
}

// TestDockerignore: the build context leaves out what the image builds
// itself and what must never be in it (databases, the git history).
func TestDockerignore(t *testing.T) {
	data, err := os.ReadFile(dockerignore)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	for _, want := range []string{".git", "node_modules", "bin", "assets/static/vendor", "e2e-artifacts", "**/*.db"} {
		if !slices.Contains(lines, want) {
			t.Errorf("%s does not list %s", dockerignore, want)
		}
	}
}

// TestGoVersions: this module builds with the app's Go.
func TestGoVersions(t *testing.T) {
	if app, deploy := goVersion(t, rootGoMod), goVersion(t, "go.mod"); app != deploy {
		t.Errorf("go.mod says go %s, deploy/go.mod go %s", app, deploy)
	}
}
