#!/usr/bin/env bash
# Load test on loopback: builds bin/fimdb, loads the bundled catalog plus
# synthetic movies up to N, serves it on 127.0.0.1 and runs wrk -t2 -c50
# against the listing and autocomplete. Bounded: DURATION seconds per URL, then it stops.
#
#   bench/wrk.sh [N]          # N movies in all (default 246)
#   DURATION=30 bench/wrk.sh 100000
#   DB=/tmp/fimdb-bench/catalog-1000000.db bench/wrk.sh 1000000   # reuse a built catalog
#
# DB may also be a MySQL/MariaDB database, created empty beforehand
# (CREATE DATABASE fimdb_wrk CHARACTER SET utf8mb4). fimdb import creates
# the schema and, when N > 246, imports N - 246 synthetic movies; with no N
# a database filled by an earlier run (or by fimdb import) is measured as
# it is. The server writes its sessions there.
#
#   DB=mysql://root@127.0.0.1:3306/fimdb_wrk bench/wrk.sh 100000
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-246}
duration=${DURATION:-10}
port=${PORT:-18099}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }

dir=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT

make -s build
db="$dir/fimdb.db"
if [[ ${DB:-} == mysql://* ]]; then
  db=$DB
  if [ "$n" -gt 246 ]; then
    go run ./bench/gen -n $((n - 246)) > "$dir/movies.json"
  else
    echo '[]' > "$dir/movies.json" # creates the schema, adds nothing
  fi
  ./bin/fimdb import --db "$db" "$dir/movies.json" | head -1
elif [ -n "${DB:-}" ]; then
  # A catalog built before (for example by FIMDB_BENCH_CACHE), copied so the
  # sessions written here do not touch it.
  cp "$DB" "$dir/fimdb.db"
elif [ "$n" -gt 246 ]; then
  go run ./bench/gen -n $((n - 246)) > "$dir/movies.json"
  ./bin/fimdb import --db "$db" "$dir/movies.json" | head -1
fi
# The listing needs a signed-in viewer: scripts use a bearer token.
email="wrk-$$-$RANDOM@example.com"
./bin/fimdb user add --db "$db" --password "wrk load passphrase" "$email" >/dev/null
token=$(./bin/fimdb token create --db "$db" "$email" | tail -1)
FIMDB_ADMIN_PASSWORD="wrk admin passphrase" ./bin/fimdb serve --addr "127.0.0.1:$port" --db "$db" >"$dir/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.1
done

label="movies=$n"
[ -n "${DB:-}" ] && [ -z "${1:-}" ] && label="movies: those of \$DB"
echo "$label wrk -t2 -c50 -d${duration}s"
listings=("/listing?name=Star" "/listing" "/listing?genre=Drama" "/listing?name=the&genre=Drama")
suggestions=("/suggest?field=name&q=st" "/suggest?field=director&q=s" "/suggest?field=director&q=spie" "/suggest?field=name&q=dark%20sta")
[ -n "${ONLY_SUGGEST:-}" ] && listings=()
for path in "${listings[@]}" "${suggestions[@]}"; do
  kinds=(page fragment)
  [[ $path == /suggest* ]] && kinds=(fragment)
  for kind in "${kinds[@]}"; do
    header=(-H "Authorization: Bearer $token")
    [ "$kind" = fragment ] && header+=(-H "HX-Request: true")
    out=$(wrk -t2 -c50 -d"${duration}s" --latency "${header[@]}" "http://127.0.0.1:$port$path")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1=="50%" {print $2}' <<<"$out")
    p99=$(awk '$1=="99%" {print $2}' <<<"$out")
    errors=$(grep -E "Non-2xx|Socket errors" <<<"$out" | tr '\n' ' ' || true)
    printf '%-34s %-9s %10s req/s  p50 %-8s p99 %-8s %s\n' "$path" "$kind" "$rps" "$p50" "$p99" "$errors"
  done
done
