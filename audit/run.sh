#!/usr/bin/env bash
# Lighthouse over fimdb's main pages, phone and desktop: `make audit` builds
# bin/fimdb, installs Lighthouse (audit/package.json) and runs this script.
#
# It starts bin/fimdb on a free loopback port with a temporary database and a
# known administrator, signs in with curl for the signed-in pages, runs
# Lighthouse with Debian's Chromium once per page and form factor, and prints
# the four category scores. Reports (HTML and JSON) go to audit/reports/.
#
#   AUDIT_PAGES="/login /listing"   only these paths (default: see PAGES)
#   AUDIT_FORM_FACTORS="mobile"     only these form factors
#   CHROME_PATH=/usr/bin/chromium   the browser Lighthouse drives
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-bin/fimdb}
LIGHTHOUSE=audit/node_modules/.bin/lighthouse
REPORTS=${AUDIT_REPORTS:-audit/reports}
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
PAGES=${AUDIT_PAGES:-/login /listing /listing?name=star /admin}
FORM_FACTORS=${AUDIT_FORM_FACTORS:-mobile desktop}
EMAIL=audit@example.com
PASSWORD="audit passphrase $RANDOM$RANDOM"

[ -x "$BIN" ] || { echo "audit: $BIN is missing: run make build" >&2; exit 1; }
[ -x "$LIGHTHOUSE" ] || { echo "audit: Lighthouse is missing: run make audit" >&2; exit 1; }
[ -x "$CHROME_PATH" ] || { echo "audit: no browser at $CHROME_PATH: apt-get install -y chromium (or set CHROME_PATH)" >&2; exit 1; }

tmp=$(mktemp -d)
server=
cleanup() {
  if [ -n "$server" ]; then kill -INT "$server" 2>/dev/null && wait "$server" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close() })')
base=http://127.0.0.1:$port
FIMDB_ADMIN_EMAIL=$EMAIL FIMDB_ADMIN_PASSWORD=$PASSWORD \
  "$BIN" serve --addr "127.0.0.1:$port" --db "$tmp/fimdb.db" >"$tmp/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do
  curl -fs -o /dev/null "$base/healthz" && break
  sleep 0.1 # waiting for the listener
done
curl -fs -o /dev/null "$base/healthz" || { echo "audit: fimdb did not start:" >&2; cat "$tmp/server.log" >&2; exit 1; }

# Sign in as a person does: the form's CSRF token and cookie, then the post.
jar=$tmp/cookies
csrf=$(curl -fs -c "$jar" -b "$jar" "$base/login" | sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -n1)
[ -n "$csrf" ] || { echo "audit: no CSRF token on /login" >&2; exit 1; }
curl -fs -o /dev/null -c "$jar" -b "$jar" --data-urlencode "_csrf=$csrf" \
  --data-urlencode "email=$EMAIL" --data-urlencode "password=$PASSWORD" "$base/login"
session=$(awk '$6 == "fimdb_session" { print $7 }' "$jar")
[ -n "$session" ] || { echo "audit: signing in gave no session cookie" >&2; exit 1; }
printf '{"Cookie": "fimdb_session=%s"}' "$session" >"$tmp/headers.json"

mkdir -p "$REPORTS"
results=()
for ff in $FORM_FACTORS; do
  for page in $PAGES; do
    name=$(printf '%s-%s' "$ff" "$page" | tr -c 'A-Za-z0-9-' '_' | sed 's/_*$//')
    args=(--quiet --output=json --output=html --output-path="$REPORTS/$name"
      --only-categories=performance,accessibility,best-practices,seo
      --chrome-flags="--headless=new --no-sandbox --disable-gpu")
    [ "$ff" = desktop ] && args+=(--preset=desktop)
    [ "$page" != /login ] && args+=(--extra-headers="$tmp/headers.json")
    echo "audit: $ff $page" >&2
    # Lighthouse now and then loses the trace (NO_NAVSTART): try again.
    for try in 1 2 3; do
      "$LIGHTHOUSE" "$base$page" "${args[@]}" && break
      [ "$try" = 3 ] && { echo "audit: Lighthouse failed on $page" >&2; exit 1; }
      echo "audit: again ($try)" >&2
    done
    results+=("$ff" "$page" "$REPORTS/$name.report.json")
  done
done

node - "${results[@]}" <<'EOF'
const fs = require("fs");
const args = process.argv.slice(2);
const cats = ["performance", "accessibility", "best-practices", "seo"];
const rows = [["form", "page", "perf", "a11y", "best", "seo", "FCP", "LCP", "TBT", "CLS", "bytes"]];
let low = [];
for (let i = 0; i < args.length; i += 3) {
  const [ff, page, file] = args.slice(i, i + 3);
  const r = JSON.parse(fs.readFileSync(file, "utf8"));
  const scores = cats.map(c => Math.round((r.categories[c]?.score ?? 0) * 100));
  const a = r.audits;
  rows.push([ff, page, ...scores.map(String),
    a["first-contentful-paint"].displayValue, a["largest-contentful-paint"].displayValue,
    a["total-blocking-time"].displayValue, a["cumulative-layout-shift"].displayValue,
    Math.round(a["total-byte-weight"].numericValue / 1024) + " KiB"]);
  if (r.finalDisplayedUrl !== r.requestedUrl) console.log(`note: ${page} ended at ${r.finalDisplayedUrl}`);
  cats.forEach((c, j) => {
    if (scores[j] >= 95) return;
    for (const ref of r.categories[c].auditRefs) {
      const au = a[ref.id];
      if (ref.weight > 0 && au.score !== null && au.score < 0.9) low.push(`${ff} ${page} ${c}: ${au.id} (${au.displayValue ?? au.score})`);
    }
  });
}
const w = rows[0].map((_, j) => Math.max(...rows.map(r => r[j].length)));
for (const r of rows) console.log(r.map((c, j) => c.padEnd(w[j])).join("  "));
if (low.length) console.log("\nbelow 95, failing audits:\n  " + low.join("\n  "));
EOF
echo "reports: $REPORTS/*.report.html" >&2
