# fimdb build. `make run` and `make test` are all a newcomer needs.
GO      ?= go
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
BIN     := bin/fimdb
VENDOR  := assets/static/vendor
NPM     := node_modules/.package-lock.json

# The Material Symbols (outlined, weight 400) that the views draw with
# views.Icon; only these SVGs are copied from npm and embedded. Add a name
# here before using it: the views tests fail on an icon that is not shipped.
ICONS := account_circle add admin_panel_settings arrow_drop_down check chevron_left \
	chevron_right close delete download edit error first_page group history last_page logout \
	movie movie_edit person search search_off star-fill sync_problem translate
SYMBOLS := node_modules/@material-symbols/svg-400/outlined

# Third-party front-end files, copied from npm packages into the embed tree.
VENDOR_FILES := $(VENDOR)/htmx.min.js $(VENDOR)/beer.min.css $(ICONS:%=$(VENDOR)/icons/%.svg)

.PHONY: all build run test openapi-lint fuzz deploy-test e2e screenshots audit lint generate check-generated assets bench bench-typed cluster cluster-stop clean

all: build

## build: bin/fimdb, CGO-free, every asset embedded
build: assets generate
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w -X main.version=$(VERSION)" -o $(BIN) .

## run: build and serve on :8080 with ./fimdb.db
run: build
	./$(BIN) serve

## cluster: bin/fimdb twice (ports 8081, 8082) on MariaDB behind nginx (port
## 8080), configured by deploy/nginx/fimdb.conf; the database fimdb_cluster
## on CLUSTER_MYSQL (default mysql://root@127.0.0.1:3306) is made afresh;
## logs in .cluster/; Ctrl-C stops it (see cluster/cmd/fimdb-cluster for more)
cluster: build
	$(GO) build -o bin/fimdb-cluster ./cluster/cmd/fimdb-cluster
	bin/fimdb-cluster

## cluster-stop: stop the cluster make cluster runs (from another terminal)
cluster-stop:
	$(GO) build -o bin/fimdb-cluster ./cluster/cmd/fimdb-cluster
	@bin/fimdb-cluster stop

# The browser tests of the core flows (live search, autocomplete, admin
# edit/delete/undo, sign-in), which `make test` runs a second time on MySQL;
# the accessibility, valid-HTML and screenshot walks run on SQLite only.
E2E_CORE := ^(TestLiveSearchNarrowsAndClears|TestDirectorAndGenreCombine|TestNoMatchShowsTheEmptyState|TestPagerAndBrowserHistory|TestAutocomplete|TestAdmin|TestSignUpSignInAndOut)

## test: formatting, vet, staticcheck, generated code, and go test -race;
## with FIMDB_TEST_MYSQL set (a mysql:// URL of a server tests may create
## and drop databases on), the store, handler, CLI and core browser tests
## again on MySQL, and the cluster tests (two instances behind nginx, which
## must be installed: apt-get install -y nginx)
test: assets check-generated lint openapi-lint deploy-test
	$(GO) test -race -count=1 ./...
ifdef FIMDB_TEST_MYSQL
	FIMDB_TEST_BACKEND=mysql FIMDB_TEST_MYSQL='$(FIMDB_TEST_MYSQL)' $(GO) test -race -count=1 ./db/ ./handlers/ .
	FIMDB_TEST_BACKEND=mysql FIMDB_TEST_MYSQL='$(FIMDB_TEST_MYSQL)' $(GO) test -race -count=1 -run '$(E2E_CORE)' ./e2e/
else
	@echo "MySQL runs and the cluster tests (nginx in front of two instances) skipped: FIMDB_TEST_MYSQL=mysql://root@127.0.0.1:3306/test make test runs them too"
endif

## fuzz: each fuzz target for FUZZTIME (make fuzz FUZZTIME=60s); an input
## that fails is written to the package's testdata/fuzz, which every go test
## runs from then on, beside the committed corpus
FUZZTIME ?= 30s
FUZZ_TARGETS := ./db:FuzzDecodeCatalog ./db:FuzzSuggest ./handlers:FuzzManageBody \
	./handlers:FuzzListingParams ./i18n:FuzzNegotiate ./imdb:FuzzRead
fuzz: assets
	@for t in $(FUZZ_TARGETS); do \
	  pkg=$${t%%:*}; name=$${t##*:}; echo "$$name in $$pkg for $(FUZZTIME)"; \
	  $(GO) test -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	done

## deploy-test: the Kubernetes manifests in deploy/k8s and the Dockerfile,
## checked against each other (deploy/ is a Go module of its own, so the
## Kubernetes API modules stay out of the app's go.mod)
deploy-test:
	cd deploy && $(GO) vet ./... && $(GO) test -count=1 ./...
	staticcheck=$$($(GO) tool -n staticcheck) && cd deploy && "$$staticcheck" ./...

## e2e: only the browser tests (Debian's chromium drives bin/fimdb)
e2e: assets
	$(GO) test -count=1 ./e2e/

## screenshots: PNGs of the main pages, phone and desktop, light and dark
screenshots: assets
	SCREENSHOTS_DIR=$(CURDIR)/screenshots $(GO) test -count=1 -run TestScreenshots ./e2e/
	@echo "screenshots written to $(CURDIR)/screenshots"

## audit: Lighthouse scores (performance, accessibility, best practices, SEO)
## of the main pages, phone and desktop; reports in audit/reports/
audit: build audit/node_modules/.package-lock.json
	audit/run.sh

# Lighthouse is large: only make audit installs it, apart from the build's packages.
audit/node_modules/.package-lock.json: audit/package.json audit/package-lock.json
	cd audit && npm ci --no-audit --no-fund --loglevel=error --ignore-scripts
	@touch $@

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -v '_templ.go$$')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

## openapi-lint: Redocly CLI's recommended rules, with every warning an
## error (redocly.yaml), on the API description /openapi.json serves; the
## handler tests hold the app to the same document
openapi-lint: $(NPM)
	REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true node_modules/.bin/redocly lint --format stylish handlers/openapi.json

generate:
	$(GO) tool templ generate -log-level error

## check-generated: the committed *_templ.go files match their .templ sources
check-generated:
	@before=$$(git diff --stat -- '*_templ.go'); \
	  $(GO) tool templ generate -log-level error; \
	  after=$$(git diff --stat -- '*_templ.go'); \
	  if [ "$$before" != "$$after" ] || [ -n "$$(git ls-files --others --exclude-standard -- '*_templ.go')" ]; then \
	    echo "templ generate changed *_templ.go: commit the regenerated files"; git diff --stat -- '*_templ.go'; exit 1; fi

## assets: copy the front-end files from npm (and drop any no longer shipped)
assets: $(VENDOR_FILES)
	@find $(VENDOR) -type f $(foreach f,$(VENDOR_FILES),! -path '$(f)') -print -delete

$(NPM): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error --ignore-scripts
	@touch $@

$(VENDOR)/htmx.min.js: $(NPM)
	@mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $@

# Beer CSS without its @font-face rules: the icons are inline SVGs, and the
# rules name a CDN fallback that a self-hosted app must never reach.
$(VENDOR)/beer.min.css: $(NPM) Makefile
	@mkdir -p $(VENDOR)
	sed -E 's/@font-face\{[^}]*\}//g' node_modules/beercss/dist/cdn/beer.min.css > $@.tmp
	@if grep -Eq '@font-face|https?://' $@.tmp; then echo "$@: a font or remote URL is left"; rm -f $@.tmp; exit 1; fi
	mv $@.tmp $@

$(VENDOR)/icons/%.svg: $(NPM)
	@mkdir -p $(VENDOR)/icons
	cp $(SYMBOLS)/$*.svg $@

## bench: listing and search benchmarks at 246 and 100,000 movies
bench: assets
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 2s ./bench/ ./db/

## bench-typed: each keystroke of searches typed letter by letter, on a catalog
## imported before into either backend (p50/p99/max):
##   make bench-typed FIMDB_BENCH_DB=mysql://root@127.0.0.1:3306/fimdb_bench
## MySQL load test: DB=mysql://... bench/wrk.sh N (see its header)
bench-typed:
	FIMDB_BENCH_DB='$(FIMDB_BENCH_DB)' $(GO) test -run '^$$' -bench Typed -benchtime 200x ./db/

clean:
	rm -rf bin $(VENDOR) node_modules audit/node_modules audit/reports
