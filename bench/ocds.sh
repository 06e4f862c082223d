#!/usr/bin/env bash
# The open-data benchmark: bench/ocds.sh [--companies N] [--samples N] [--no-sqlite]
# Builds Ganbridge in its production profile, then runs bench/ocds.py (see its header), which
# writes bench/ocds_results.json. PostgreSQL must be reachable at --admin-url (default
# postgres://root@127.0.0.1:5432/postgres) by a user that may create databases.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v psql >/dev/null || { echo "psql is needed" >&2; exit 1; }
cargo build --profile production --bin ganbridge
exec python3 bench/ocds.py "$@"
