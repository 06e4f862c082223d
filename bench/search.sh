#!/usr/bin/env bash
# Search benchmark: builds in release mode, runs bench/search.rs, writes bench/SEARCH_RESULTS.md.
#   bench/search.sh [--companies N] [--rounds R]
# Meilisearch is measured too when MEILI_URL (and MEILI_MASTER_KEY) are set; with MEILI_PID, the
# CPU its own process spends per query is reported too.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --example search_bench --bin ganbridge
target="${CARGO_TARGET_DIR:-target}/release"
out=bench/SEARCH_RESULTS.md
# The relevance section (written from the relevance test's output) is kept; the speed section
# is replaced.
relevance="$(sed '/^## Speed/,$d' "$out" 2>/dev/null || true)"
{
  if [ -n "$relevance" ]; then echo "$relevance"; else echo "# Search benchmark results"; fi
  echo
  echo "## Speed"
  echo
  echo "Written by \`bench/search.sh $*\` on $(date -u +%Y-%m-%d)."
  echo
  echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(uname -sr)."
  echo "Toolchain: $(rustc --version). Synthetic data: N companies and N/10 tenders (bench/search.rs), deterministic."
  echo "Latencies are measured in-process around the engine call (no HTTP), one client, after one warm-up query."
  echo
  "$target/examples/search_bench" "$@"
  echo
  echo "### Through the server"
  echo
  echo "\`ganbridge serve\` (release build) over a synthetic SQLite database, asked the main benchmark's W5 searches over HTTP (bench/search_server.py)."
  echo
  companies=100000
  prev=""
  for a in "$@"; do if [ "$prev" = "--companies" ]; then companies="$a"; fi; prev="$a"; done
  meili_args=()
  if [ -n "${MEILI_URL:-}" ]; then
    meili_args=(--meili-url "$MEILI_URL")
    if [ -n "${MEILI_MASTER_KEY:-}" ]; then meili_args+=(--meili-key "$MEILI_MASTER_KEY"); fi
    if [ -n "${MEILI_PID:-}" ]; then meili_args+=(--meili-pid "$MEILI_PID"); fi
  fi
  python3 bench/search_server.py --bin "$target/ganbridge" --companies "$companies" "${meili_args[@]}"
} > "$out"
cat "$out"
