#!/usr/bin/env bash
# The explorer benchmark: bench/web.sh [--companies N] [--samples N] [--postgres]
# Builds Ganbridge in its production profile, installs Lighthouse (pinned in bench/web/) into
# target/bench-web-npm when missing, then runs bench/web.py (see its header), which writes
# bench/web_results.json. Lighthouse drives the system Chromium (CHROME_PATH, default
# /usr/bin/chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --profile production --bin ganbridge
LH_DIR=target/bench-web-npm
if [ ! -x "$LH_DIR/node_modules/.bin/lighthouse" ] ||
  ! cmp -s bench/web/package-lock.json "$LH_DIR/package-lock.json"; then
  rm -rf "$LH_DIR" && mkdir -p "$LH_DIR"
  cp bench/web/package.json bench/web/package-lock.json "$LH_DIR/"
  npm ci --prefix "$LH_DIR" --ignore-scripts --no-audit --no-fund --loglevel=error
fi
export LIGHTHOUSE="$PWD/$LH_DIR/node_modules/.bin/lighthouse"
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"
exec python3 bench/web.py "$@"
