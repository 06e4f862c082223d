#!/usr/bin/env bash
# The performance benchmark against the peer: bench/run.sh [--quick] [--companies N]
#   [--small-companies N] [--duration S] [--warmup S] [--connections C]
#   [--admin-url postgres://...] [--no-sqlite]
# Installs what it needs (wrk from Debian's packages, PostGraphile from npm), builds Ganbridge in
# its production profile, and writes bench/results.json and the benchmark section of bench/RESULTS.md.
# PostgreSQL must be reachable at --admin-url (default postgres://root@127.0.0.1:5432/postgres) by
# a user that may create databases and roles; the run creates its own two databases (the second,
# of --small-companies, 1,000 by default, for W4 at a small size) and drops them. pgbench, which
# comes with PostgreSQL, drives W1's and W2's statements at the database alone (the ceiling).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "installing wrk"; apt-get install -y -q wrk >/dev/null; }
command -v psql >/dev/null || { echo "psql is needed" >&2; exit 1; }
command -v pgbench >/dev/null || { echo "pgbench (PostgreSQL's) is needed for the ceiling" >&2; exit 1; }
command -v npm >/dev/null || { echo "Node.js and npm are needed for the peer" >&2; exit 1; }
(cd bench/peer && npm ci --no-audit --no-fund --silent)
cargo build --profile production --bin ganbridge
exec python3 bench/run.py "$@"
