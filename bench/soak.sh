#!/usr/bin/env bash
# Soak: a partner site's mix of reads (bench/soak.lua) against one release server for several
# minutes, sampling its resident memory; writes the "Soak" section of bench/RESULTS.md.
#   bench/soak.sh [--minutes M] [--connections C] [--postgres ADMIN_URL]
# Needs wrk (Debian: apt-get install wrk). With --postgres, a database is created on that server
# for the run and dropped after; otherwise the store is SQLite in a temporary directory.
# The load generator runs on CPU 0 and the server on CPU 1.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=5 connections=16 postgres=""
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --postgres) postgres=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)" >&2; exit 1; }
cargo build --release --bin ganbridge

work=$(mktemp -d)
port=18181
url="http://127.0.0.1:$port"
store=sqlite
export GANBRIDGE_DATA_DIR="$work" GANBRIDGE_LISTEN="127.0.0.1:$port" GANBRIDGE_LOG_FORMAT=json \
  GANBRIDGE_QUOTA_ANONYMOUS=1000000000000 GANBRIDGE_DEMO=true
unset MEILI_URL DATABASE_URL
if [ -n "$postgres" ]; then
  store=postgres
  db="ganbridge_soak_$$"
  psql "$postgres" -qc "CREATE DATABASE $db"
  export DATABASE_URL="${postgres%/*}/$db"
fi
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  [ -n "$postgres" ] && psql "$postgres" -qc "DROP DATABASE IF EXISTS $db" || true
  rm -rf "$work"
}
trap cleanup EXIT

taskset -c 1 ./target/release/ganbridge serve 2>"$work/server.log" >/dev/null &
server=$!
for _ in $(seq 1 600); do
  curl -fs "$url/readyz" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fs "$url/readyz" >/dev/null || { echo "the server never became ready" >&2; tail "$work/server.log" >&2; exit 1; }

# Every request of the mix must succeed before it is timed.
python3 - "$url" bench/soak.lua <<'PY'
import json, re, sys, urllib.request
url, lua = sys.argv[1], open(sys.argv[2]).read()
for body in re.findall(r"^  '(.*)',$", lua, re.M):
    body = body.replace("\\\\", "\\")
    request = urllib.request.Request(url + "/graphql", data=body.encode(), headers={"content-type": "application/json"})
    answer = json.load(urllib.request.urlopen(request))
    if "errors" in answer:
        sys.exit(f"a soak request fails: {body}\n{answer['errors']}")
PY

rss_mb() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$server/status"; }
echo "warm-up: 30 s"
taskset -c 0 wrk -t1 -c"$connections" -d30s -s bench/soak.lua "$url" >/dev/null
echo "soak: $minutes min, $connections connections"
samples="$work/rss.csv"
( start=$(date +%s)
  while kill -0 "$server" 2>/dev/null; do
    echo "$(( $(date +%s) - start )),$(rss_mb)" >> "$samples"
    sleep 5
  done ) &
sampler=$!
taskset -c 0 wrk -t1 -c"$connections" -d"${minutes}m" --latency -s bench/soak.lua "$url" > "$work/wrk.txt"
kill "$sampler" 2>/dev/null || true
cat "$work/wrk.txt"

rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
p50=$(awk '$1=="50%" {print $2}' "$work/wrk.txt")
p99=$(awk '$1=="99%" {print $2}' "$work/wrk.txt")
total=$(awk '/requests in/ {print $1}' "$work/wrk.txt")
bad=$(awk '/Non-2xx/ {print $NF}' "$work/wrk.txt"); bad=${bad:-0}
socket_errors=$(awk '/Socket errors/ {print $0}' "$work/wrk.txt"); socket_errors=${socket_errors:-none}
errors_logged=$(grep -c '"level":"ERROR"' "$work/server.log" || true)
panics=$(grep -c 'panicked' "$work/server.log" || true)
read -r first last peak slope < <(python3 - "$samples" <<'PY'
import sys
rows = [tuple(map(float, l.split(","))) for l in open(sys.argv[1]) if l.strip()]
rows = [r for r in rows if r[0] >= 60] or rows  # after the first minute
t = [r[0] / 60 for r in rows]; m = [r[1] for r in rows]
n = len(t); mt = sum(t) / n; mm = sum(m) / n
var = sum((x - mt) ** 2 for x in t)
slope = sum((x - mt) * (y - mm) for x, y in zip(t, m)) / var if var else 0.0
print(f"{m[0]:.1f} {m[-1]:.1f} {max(m):.1f} {slope:.2f}")
PY
)

section="$work/section.md"
{
  echo "<!-- soak:begin -->"
  echo "## Soak: $minutes minutes of mixed reads"
  echo
  echo "Written by \`bench/soak.sh --minutes $minutes --connections $connections${postgres:+ --postgres …}\` on $(date -u +%Y-%m-%d)."
  echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(uname -sr); $(rustc --version)."
  echo "Store: $store, embedded search engine, demo dataset (1,056 companies). Load: wrk, 1 thread, $connections connections, on CPU 0; the release server on CPU 1;"
  echo "the 10 requests of \`bench/soak.lua\` in rotation (company lists with certifications, one company in depth, search, statistics, tenders, parks), after a 30 s warm-up."
  echo
  echo "| requests | requests/s | p50 | p99 | non-2xx | socket errors | errors logged | panics |"
  echo "|---|---|---|---|---|---|---|---|"
  echo "| $total | $rps | $p50 | $p99 | $bad | $socket_errors | $errors_logged | $panics |"
  echo
  echo "Resident memory after the first minute: $first MB at the start, $last MB at the end, $peak MB at the peak; least-squares trend $slope MB/min over $(wc -l < "$samples") samples taken every 5 s."
  echo "<!-- soak:end -->"
} > "$section"
python3 - bench/RESULTS.md "$section" <<'PY'
import re, sys
path, section = sys.argv[1], open(sys.argv[2]).read().strip()
try:
    text = open(path).read()
except FileNotFoundError:
    text = "# Results\n"
pattern = re.compile(r"<!-- soak:begin -->.*?<!-- soak:end -->", re.S)
text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip() + "\n\n" + section + "\n"
open(path, "w").write(text)
PY
cat "$section"
