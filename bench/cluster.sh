#!/usr/bin/env bash
# Load through nginx: wrk -t2 -c50 against make cluster's setup (nginx in
# front of fimdb instances), on MariaDB with one and with two instances and
# on SQLite with one, for three workloads:
#   listing     /listing?name=Star, the full page (cached)
#   keystrokes  a new search per request (bench/wrk/keystrokes.lua): mostly uncached
#   mixed       listings plus one admin update in 20 (bench/wrk/mixed.lua)
#   writes      admin updates only (mixed.lua with WRITE_EVERY=1)
# For each it prints req/s, p50, p99, errors, the database statements per
# request (MariaDB's Questions counter) and where the CPU time went (fimdb,
# nginx, mariadbd, wrk: seconds from /proc).
#
#   bench/cluster.sh                    # the bundled 246 movies, 10 s per run
#   N=100000 DURATION=20 bench/cluster.sh
#   SETUPS="mysql:2" bench/cluster.sh   # only some setups (backend:instances)
#   WORKLOADS="listing writes" bench/cluster.sh
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${DURATION:-10}
n=${N:-246}
setups=${SETUPS:-"mysql:1 mysql:2 sqlite:1"}
workloads=${WORKLOADS:-"listing keystrokes mixed writes"}
server=mysql://root@127.0.0.1:3306
port=18180
for tool in wrk nginx mysql; do
  command -v $tool >/dev/null || [ -x /usr/sbin/$tool ] || { echo "$tool is missing: apt-get install -y wrk nginx mariadb-client" >&2; exit 1; }
done

work=$(mktemp -d)
launcher=
cleanup() {
  [ -n "$launcher" ] && kill "$launcher" 2>/dev/null && wait "$launcher" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

make -s build
go build -o bin/fimdb-cluster ./cluster/cmd/fimdb-cluster
if [ "$n" -gt 246 ]; then
  go run ./bench/gen -n $((n - 246)) > "$work/movies.json"
fi

# cpu_seconds PID...: user+system CPU time of those processes so far.
cpu_seconds() {
  local ticks=0 p
  for p in "$@"; do
    [ -r "/proc/$p/stat" ] || continue
    ticks=$((ticks + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$ticks $(getconf CLK_TCK)" | awk '{printf "%.1f", $1 / $2}'
}

questions() { mysql -uroot -h127.0.0.1 -N -e "SHOW GLOBAL STATUS LIKE 'Questions'" | awk '{print $2}'; }

run_setup() {
  local backend=$1 instances=$2 db dir=$work/$1-$2
  mkdir -p "$dir"
  if [ "$backend" = mysql ]; then
    mysql -uroot -h127.0.0.1 -e "DROP DATABASE IF EXISTS fimdb_bench_cluster; CREATE DATABASE fimdb_bench_cluster CHARACTER SET utf8mb4"
    db=$server/fimdb_bench_cluster
  else
    db=$dir/fimdb.db
  fi
  if [ "$n" -gt 246 ]; then
    ./bin/fimdb import --db "$db" "$work/movies.json" | head -1
  fi
  CLUSTER_DB=$db CLUSTER_DIR=$dir CLUSTER_PORT=$port CLUSTER_INSTANCE_PORT=$((port + 1)) \
    CLUSTER_INSTANCES=$instances FIMDB_ADMIN_EMAIL=bench@example.com FIMDB_ADMIN_PASSWORD="bench admin passphrase" \
    bin/fimdb-cluster >"$dir/launcher.log" 2>&1 &
  launcher=$!
  for _ in $(seq 300); do
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.1
  done
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$dir/launcher.log"; exit 1; }
  local token fimdb_pids nginx_pids db_pid
  token=$(./bin/fimdb token create --db "$db" bench@example.com | tail -1)
  fimdb_pids=$(pgrep -f "serve .*--instance-name" -P "$launcher" | tr '\n' ' ' || true)
  [ -z "$fimdb_pids" ] && fimdb_pids=$(pgrep -f "bin/fimdb serve" | tr '\n' ' ')
  nginx_pids=$(pgrep -f "nginx.*$dir" | tr '\n' ' ')
  nginx_pids="$nginx_pids $(pgrep -P "$(echo "$nginx_pids" | awk '{print $1}')" | tr '\n' ' ')"
  db_pid=$(pidof mariadbd || true)
  echo "# $backend x$instances: fimdb PIDs $fimdb_pids, nginx PIDs $nginx_pids"

  for workload in $workloads; do
    local args=(-t2 -c50 -d"${duration}s" --latency -H "Authorization: Bearer $token")
    local url="http://127.0.0.1:$port/listing?name=Star"
    case $workload in
      keystrokes) args+=(-s bench/wrk/keystrokes.lua); url="http://127.0.0.1:$port/" ;;
      mixed) args+=(-s bench/wrk/mixed.lua); url="http://127.0.0.1:$port/" ;;
      writes) args+=(-s bench/wrk/mixed.lua); url="http://127.0.0.1:$port/" ;;
    esac
    local q0 f0 n0 d0 w0 out
    q0=$(questions); f0=$(cpu_seconds $fimdb_pids); n0=$(cpu_seconds $nginx_pids); d0=$(cpu_seconds $db_pid)
    out=$(WRITE_EVERY=$([ "$workload" = writes ] && echo 1 || echo 20) wrk "${args[@]}" "$url")
    local q1 f1 n1 d1
    q1=$(questions); f1=$(cpu_seconds $fimdb_pids); n1=$(cpu_seconds $nginx_pids); d1=$(cpu_seconds $db_pid)
    local rps p50 p99 reqs errors per
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1=="50%" {print $2}' <<<"$out")
    p99=$(awk '$1=="99%" {print $2}' <<<"$out")
    reqs=$(awk '/requests in/ {print $1}' <<<"$out")
    errors=$(grep -E "Non-2xx|Socket errors" <<<"$out" | tr -s ' ' | tr '\n' ' ' || true)
    per="-"
    [ "$backend" = mysql ] && per=$(awk -v q=$((q1 - q0)) -v r="$reqs" 'BEGIN {printf "%.2f", q / r}')
    printf '%-7s x%d  %-10s %9s req/s  p50 %-8s p99 %-8s db statements/request %-5s cpu s: fimdb %5.1f nginx %5.1f mariadbd %5.1f %s\n' \
      "$backend" "$instances" "$workload" "$rps" "$p50" "$p99" "$per" \
      "$(echo "$f1 - $f0" | bc)" "$(echo "$n1 - $n0" | bc)" "$(echo "$d1 - $d0" | bc)" "$errors"
  done
  kill "$launcher"
  wait "$launcher" 2>/dev/null || true
  launcher=
}

echo "movies=$n wrk -t2 -c50 -d${duration}s through nginx ($(nproc) cores)"
for setup in $setups; do
  run_setup "${setup%%:*}" "${setup##*:}"
done
