package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"fimdb/db"
)

// readmeLine is one command line of a shell code block in README.md.
type readmeLine struct {
	n    int    // line number in README.md (of its first line, when continued)
	text string // continuation lines joined
}

// shellBlockLines returns every line of the README's ```sh (or bash,
// shell) code blocks. Other blocks (```ini, bare ``` with sample output)
// are not commands.
func shellBlockLines(readme string) []readmeLine {
	var out []readmeLine
	inShell, inOther := false, false
	var cont *readmeLine
	sc := bufio.NewScanner(strings.NewReader(readme))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		fence := strings.TrimSpace(line)
		if strings.HasPrefix(fence, "```") {
			switch {
			case inShell || inOther:
				inShell, inOther = false, false
			case slices.Contains([]string{"sh", "bash", "shell"}, strings.TrimSpace(strings.TrimPrefix(fence, "```"))):
				inShell = true
			default:
				inOther = true
			}
			cont = nil
			continue
		}
		if !inShell {
			continue
		}
		if cont != nil {
			cont.text += " " + strings.TrimSpace(line)
		} else {
			out = append(out, readmeLine{n: n, text: strings.TrimSpace(line)})
			cont = &out[len(out)-1]
		}
		if strings.HasSuffix(cont.text, `\`) { // continued on the next line
			cont.text = strings.TrimSuffix(cont.text, `\`)
		} else {
			cont = nil
		}
	}
	return out
}

// commandLine is a simple shell command: its words and the files its
// standard input and output are redirected from and to.
type commandLine struct {
	words         []string
	stdin, stdout string
	appendStdout  bool // >> rather than >
}

// parseCommandLine splits a line as sh does for a simple command: words
// separated by blanks, 'single' and "double" quotes, backslash escapes, a #
// that starts a word starts a comment, and < FILE, > FILE, >> FILE
// redirections. Anything sh would expand or treat as another operator ($,
// `, |, &, ;, parentheses, globs, ~, 2>) is an error rather than a guess.
func parseCommandLine(line string) (commandLine, error) {
	var cl commandLine
	var w strings.Builder
	inWord := false
	redirect := "" // the operator waiting for its file
	end := func() error {
		if !inWord {
			return nil
		}
		word := w.String()
		w.Reset()
		inWord = false
		switch redirect {
		case "":
			cl.words = append(cl.words, word)
		case "<":
			cl.stdin = word
		default:
			cl.stdout, cl.appendStdout = word, redirect == ">>"
		}
		redirect = ""
		return nil
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == ' ' || c == '\t':
			end()
		case c == '#' && !inWord:
			i = len(line)
		case c == '<' || c == '>':
			if inWord {
				return cl, fmt.Errorf("%q right after a word (a numbered descriptor?) is not supported", c)
			}
			if redirect != "" {
				return cl, fmt.Errorf("%s without a file", redirect)
			}
			redirect = string(c)
			if c == '>' && i+1 < len(line) && line[i+1] == '>' {
				redirect, i = ">>", i+1
			}
		case c == '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				return cl, errors.New("unterminated single quote")
			}
			w.WriteString(line[i+1 : i+1+j])
			inWord, i = true, i+1+j
		case c == '"':
			inWord = true
			for i++; ; i++ {
				if i >= len(line) {
					return cl, errors.New("unterminated double quote")
				}
				if line[i] == '"' {
					break
				}
				if line[i] == '$' || line[i] == '`' {
					return cl, fmt.Errorf("%q inside double quotes: expansions are not supported", line[i])
				}
				if line[i] == '\\' && i+1 < len(line) && strings.IndexByte("$`\"\\", line[i+1]) >= 0 {
					i++
				}
				w.WriteByte(line[i])
			}
		case c == '\\':
			if i+1 >= len(line) {
				return cl, errors.New("backslash at the end of the line")
			}
			i++
			w.WriteByte(line[i])
			inWord = true
		case strings.IndexByte("$`|&;()*?[", c) >= 0 || (c == '~' && !inWord):
			return cl, fmt.Errorf("%q: shell syntax that is not supported here", c)
		default:
			w.WriteByte(c)
			inWord = true
		}
	}
	end()
	if redirect != "" {
		return cl, fmt.Errorf("%s without a file", redirect)
	}
	return cl, nil
}

func TestParseCommandLine(t *testing.T) {
	tests := []struct {
		line    string
		want    commandLine
		wantErr bool
	}{
		{"fimdb user list", commandLine{words: []string{"fimdb", "user", "list"}}, false},
		{"fimdb user add bob@example.com --password 'a long passphrase'", commandLine{words: []string{"fimdb", "user", "add", "bob@example.com", "--password", "a long passphrase"}}, false},
		{`fimdb  user   add "x y" --password=a\ b`, commandLine{words: []string{"fimdb", "user", "add", "x y", "--password=a b"}}, false},
		{`fimdb x "a \"q\" \\ \n"`, commandLine{words: []string{"fimdb", "x", `a "q" \ \n`}}, false},
		{"fimdb x 'it''s'", commandLine{words: []string{"fimdb", "x", "its"}}, false},
		{"fimdb x ''", commandLine{words: []string{"fimdb", "x", ""}}, false},
		{"fimdb user list            # a comment 'with quotes", commandLine{words: []string{"fimdb", "user", "list"}}, false},
		{"fimdb x a#b", commandLine{words: []string{"fimdb", "x", "a#b"}}, false},
		{"# only a comment", commandLine{}, false},
		{"fimdb export > 'out file.json' # to a file", commandLine{words: []string{"fimdb", "export"}, stdout: "out file.json"}, false},
		{"fimdb export >>out.json", commandLine{words: []string{"fimdb", "export"}, stdout: "out.json", appendStdout: true}, false},
		{"fimdb user passwd ann@example.com < pw.txt", commandLine{words: []string{"fimdb", "user", "passwd", "ann@example.com"}, stdin: "pw.txt"}, false},
		{"fimdb x '>' \\<", commandLine{words: []string{"fimdb", "x", ">", "<"}}, false},
		{"fimdb x >", commandLine{}, true},
		{"fimdb x > > y", commandLine{}, true},
		{"fimdb x 2> err", commandLine{}, true},
		{"fimdb x 'open", commandLine{}, true},
		{`fimdb x "open`, commandLine{}, true},
		{"fimdb x $TOKEN", commandLine{}, true},
		{`fimdb x "$TOKEN"`, commandLine{}, true},
		{"fimdb x | less", commandLine{}, true},
		{"fimdb x; rm y", commandLine{}, true},
		{"fimdb x && y", commandLine{}, true},
		{"fimdb x *.json", commandLine{}, true},
		{"fimdb x ~/db", commandLine{}, true},
	}
	for _, tt := range tests {
		got, err := parseCommandLine(tt.line)
		if (err != nil) != tt.wantErr {
			t.Errorf("parseCommandLine(%q): error %v, want one: %v", tt.line, err, tt.wantErr)
			continue
		}
		if err == nil && (!slices.Equal(got.words, tt.want.words) || got.stdin != tt.want.stdin || got.stdout != tt.want.stdout || got.appendStdout != tt.want.appendStdout) {
			t.Errorf("parseCommandLine(%q) = %+v, want %+v", tt.line, got, tt.want)
		}
	}
}

func TestShellBlockLines(t *testing.T) {
	readme := "# Title\n\n```sh\nfimdb user list   # comment\n# fimdb output example\ncurl -H x \\\n  http://y\n```\n\n```\nfimdb: movies.json: line 3\n```\n\n```ini\nExecStart=/usr/local/bin/fimdb serve\n```\n\n```bash\n./bin/fimdb serve --addr a \\\n  --db b\n```\nfimdb outside a block\n"
	var got []string
	for _, l := range shellBlockLines(readme) {
		got = append(got, fmt.Sprintf("%d:%s", l.n, l.text))
	}
	want := []string{"4:fimdb user list   # comment", "5:# fimdb output example", "6:curl -H x  http://y", "19:./bin/fimdb serve --addr a  --db b"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

// readmeCatalog is what a README example's catalog file (more-movies.json)
// holds when the test makes it.
const readmeCatalog = `[
  {"name": "A README Movie", "director": "Some Director", "genre": ["Drama"], "imdb_score": 7.1, "99popularity": 50},
  {"name": "Star Wars", "director": "George Lucas", "genre": ["Sci-Fi"], "imdb_score": 8.8, "99popularity": 88}
]`

// readmePassword is the line of standard input every README command gets,
// for those that read a password.
const readmePassword = "a README passphrase\n"

var placeholderWord = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)

// TestREADMECommandLinesWork runs every fimdb command line of README.md's
// shell blocks, in README order, through the CLI in-process, in a
// temporary directory (so ./fimdb.db is a fresh database): what the README
// tells people to type must work. Absolute paths (/var/lib/...) are made
// local, TOKEN is the token the last `token create` printed, a catalog file
// that an import names is made if no earlier line made it, < and > read
// and write files there, every command gets a password line on stdin
// otherwise, and serve lines run until /healthz answers on a free port
// and are then stopped. Lines that are not fimdb commands are logged.
func TestREADMECommandLinesWork(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	db.PasswordCost = 4
	clearEnv(t, fimdbEnv...)
	dir := t.TempDir()
	t.Chdir(dir)

	var ran []string
	token := ""
	for _, line := range shellBlockLines(string(readme)) {
		var prog string
		for _, p := range []string{"fimdb ", "./bin/fimdb "} {
			if strings.HasPrefix(line.text, p) || line.text == strings.TrimSpace(p) {
				prog = strings.TrimSpace(p)
			}
		}
		if prog == "" {
			t.Logf("README.md:%d not a fimdb command, not run: %s", line.n, line.text)
			continue
		}
		cl, err := parseCommandLine(line.text)
		if err != nil {
			t.Errorf("README.md:%d %q: %v", line.n, line.text, err)
			continue
		}
		args := cl.words[1:]
		for i, a := range args {
			switch {
			case a == "TOKEN":
				if token == "" {
					t.Fatalf("README.md:%d uses TOKEN before any `fimdb token create` printed one", line.n)
				}
				args[i] = token
			case placeholderWord.MatchString(a):
				t.Fatalf("README.md:%d: no stand-in for the placeholder %s; teach this test one", line.n, a)
			default:
				args[i] = localPath(dir, a)
			}
		}
		app := newCLI(strings.NewReader(""), nil, nil)
		app.Setup()
		normal := flagsFirst(app.App, append([]string{"fimdb"}, args...))
		if dash := slices.Index(normal, "--"); len(normal) > 1 && normal[1] == "import" && dash > 0 {
			// The catalog file an import names, if the README did not make it.
			for _, a := range normal[dash+1:] {
				if _, err := os.Stat(a); err != nil && strings.HasSuffix(a, ".json") {
					if err := os.WriteFile(a, []byte(readmeCatalog), 0o600); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		if len(normal) == 1 || normal[1] == "serve" {
			addr := freeAddr(t)
			args = withFlag(args, "addr", addr)
			t.Logf("README.md:%d serving until /healthz answers: fimdb %s", line.n, strings.Join(args, " "))
			runServeCLI(t, addr, args...)
			ran = append(ran, line.text)
			continue
		}
		stdin := readmePassword
		if cl.stdin != "" {
			data, err := os.ReadFile(localPath(dir, cl.stdin))
			if err != nil {
				t.Errorf("README.md:%d reads %s, which no earlier README line made: %v", line.n, cl.stdin, err)
				continue
			}
			stdin = string(data)
		}
		t.Logf("README.md:%d running: fimdb %s", line.n, strings.Join(args, " "))
		out, errOut, err := runCLIWithInput(t, stdin, args...)
		if err != nil {
			t.Errorf("README.md:%d %s\nfailed: %v\nstdout: %s\nstderr: %s", line.n, line.text, err, out, errOut)
			continue
		}
		ran = append(ran, line.text)
		if cl.stdout != "" {
			flags := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
			if cl.appendStdout {
				flags = os.O_CREATE | os.O_WRONLY | os.O_APPEND
			}
			f, err := os.OpenFile(localPath(dir, cl.stdout), flags, 0o600)
			if err == nil {
				_, err = f.WriteString(out)
				err = errors.Join(err, f.Close())
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if lines := strings.Split(strings.TrimSpace(out), "\n"); strings.HasPrefix(lines[len(lines)-1], "fimdb_") {
			token = lines[len(lines)-1]
		}
	}
	if len(ran) == 0 {
		t.Fatal("README.md has no fimdb command line in a ```sh block: the test ran nothing")
	}
	t.Logf("ran %d README command lines:\n%s", len(ran), strings.Join(ran, "\n"))
}

// localPath makes an absolute path in a README command line (such as
// /var/lib/fimdb/fimdb.db), or the value of a --flag=/abs/path, a file of
// the test directory with the same name.
func localPath(dir, word string) string {
	if name, value, ok := strings.Cut(word, "="); ok && isFlag(name) {
		return name + "=" + localPath(dir, value)
	}
	if filepath.IsAbs(word) {
		return filepath.Join(dir, filepath.Base(word))
	}
	return word
}

// withFlag sets --name to value in args, adding it when absent.
func withFlag(args []string, name, value string) []string {
	out := slices.Clone(args)
	for i, a := range out {
		switch {
		case a == "--"+name && i+1 < len(out):
			out[i+1] = value
			return out
		case strings.HasPrefix(a, "--"+name+"="):
			out[i] = "--" + name + "=" + value
			return out
		}
	}
	return append(out, "--"+name, value)
}
