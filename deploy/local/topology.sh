#!/usr/bin/env bash
# The production shape on this machine, without containers: a PostgreSQL cluster of its own,
# Meilisearch with a master key, one `ganbridge seed demo` (the migrations and the demo), three
# `ganbridge serve` and HAProxy with deploy/haproxy.cfg (docker-compose.yml's own file; only the
# addresses differ) on one port.
#
#   deploy/local/topology.sh up                  start everything, print where, stop all on Ctrl-C
#   deploy/local/topology.sh up --detach         start everything and return; `down` stops it
#   deploy/local/topology.sh down                stop everything this run started, remove its data
#   deploy/local/topology.sh status              what runs, and where
#   deploy/local/topology.sh server stop|kill|start N      SIGTERM (drain), SIGKILL, start again
#   deploy/local/topology.sh postgres stop|start           a fast shutdown, and back
#   deploy/local/topology.sh meilisearch stop|start
#
# Settings (environment):
#   GANBRIDGE_TOPOLOGY_DIR      its state, data and logs            (target/topology)
#   GANBRIDGE_TOPOLOGY_PORT     the balancer's port on 127.0.0.1    (8080)
#   GANBRIDGE_TOPOLOGY_SERVERS  how many servers run, 1 to 3        (3)
#   GANBRIDGE_TOPOLOGY_DATASET  demo, or synthetic:N (N companies)  (demo)
#   GANBRIDGE_BIN               the server binary                   (target/release/ganbridge,
#                                                                    built when missing)
#   MEILI_BIN                   Meilisearch                         (meilisearch on PATH, else
#                                                                    ../shared/bin/meilisearch)
#   Any other GANBRIDGE_* variable reaches the servers, e.g. GANBRIDGE_DRAIN_SECS.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DIR="${GANBRIDGE_TOPOLOGY_DIR:-$ROOT/target/topology}"
ENV_FILE="$DIR/topology.env"

die() { echo "topology: $*" >&2; exit 1; }
say() { echo "topology: $*" >&2; }

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

running() { [ -f "$DIR/pids/$1" ] && kill -0 "$(cat "$DIR/pids/$1")" 2>/dev/null; }

# Waits until `url` answers 200, up to `seconds`.
wait_http() {
  local url="$1" seconds="$2" i
  for i in $(seq 1 $((seconds * 10))); do
    curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# Sends `signal` to the process `name` and waits until it is gone.
stop_process() {
  local name="$1" signal="$2" seconds="${3:-40}" pid i
  [ -f "$DIR/pids/$name" ] || return 0
  pid="$(cat "$DIR/pids/$name")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "-$signal" "$pid" 2>/dev/null || true
    for i in $(seq 1 $((seconds * 10))); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      say "$name did not stop within ${seconds} s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$DIR/pids/$name"
}

# Starts `name` in a session of its own (a Ctrl-C in this terminal reaches this script only,
# which stops everything in order), with its output in logs/<name>.log.
spawn() {
  local name="$1"
  shift
  setsid "$@" >>"$DIR/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$DIR/pids/$name"
}

postgres_bin() {
  local dir
  for dir in "$(dirname "$(command -v initdb || echo /nonexistent/initdb)")" /usr/lib/postgresql/*/bin; do
    if [ -x "$dir/pg_ctl" ] && [ -x "$dir/initdb" ] && [ -x "$dir/createdb" ]; then echo "$dir"; return; fi
  done
  die "no initdb and pg_ctl here: install PostgreSQL's server package (apt-get install postgresql)"
}

# PostgreSQL refuses to run as root: then its cluster belongs to the postgres user.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

postgres_start() {
  # shellcheck disable=SC1090
  . "$ENV_FILE"
  as_pg "$PG_BIN/pg_ctl" start -w -t 60 -D "$DIR/postgres/data" -l "$DIR/postgres/server.log" \
    -o "-p $PG_PORT -k $DIR/postgres -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off" >/dev/null
}

postgres_stop() {
  # shellcheck disable=SC1090
  . "$ENV_FILE"
  as_pg "$PG_BIN/pg_ctl" stop -w -m fast -D "$DIR/postgres/data" >/dev/null
}

meili_start() {
  # shellcheck disable=SC1090
  . "$ENV_FILE"
  spawn meilisearch "$MEILI_BIN" --db-path "$DIR/meilisearch" --http-addr "127.0.0.1:$MEILI_PORT" \
    --master-key "$MEILI_MASTER_KEY" --env production --no-analytics
  wait_http "$MEILI_URL/health" 30 || die "Meilisearch did not start (logs/meilisearch.log)"
}

server_start() {
  local n="$1" port_var port
  # shellcheck disable=SC1090
  . "$ENV_FILE"
  port_var="SERVER_${n}_PORT"
  port="${!port_var}"
  mkdir -p "$DIR/server-$n"
  spawn "server-$n" env DATABASE_URL="$DATABASE_URL" MEILI_URL="$MEILI_URL" \
    MEILI_MASTER_KEY="$MEILI_MASTER_KEY" GANBRIDGE_LISTEN="127.0.0.1:$port" \
    GANBRIDGE_DATA_DIR="$DIR/server-$n" GANBRIDGE_DEMO=false GANBRIDGE_LOG_FORMAT=json \
    GANBRIDGE_TRUST_FORWARDED_FOR=true \
    GANBRIDGE_PUBLIC_URL="${GANBRIDGE_PUBLIC_URL:-http://127.0.0.1:$BALANCER_PORT}" "$GANBRIDGE_BIN" serve
  wait_http "http://127.0.0.1:$port/readyz/traffic" 60 ||
    die "server $n did not become ready (logs/server-$n.log)"
}


up() {
  local detach="${1:-}"
  command -v curl >/dev/null 2>&1 || die "curl is needed"
  command -v python3 >/dev/null 2>&1 || die "python3 is needed"
  if ! command -v haproxy >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      say "installing HAProxy from Debian's packages"
      apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null
    else
      die "HAProxy is needed: apt-get install haproxy"
    fi
  fi
  if [ -f "$ENV_FILE" ]; then
    die "a topology already runs from $DIR (deploy/local/topology.sh down first)"
  fi

  local bin="${GANBRIDGE_BIN:-$ROOT/target/release/ganbridge}"
  if [ ! -x "$bin" ]; then
    say "building the server (cargo build --release)"
    (cd "$ROOT" && cargo build --release --bin ganbridge)
  fi
  local meili="${MEILI_BIN:-$(command -v meilisearch || true)}"
  if [ -z "$meili" ] && [ -x "$ROOT/../shared/bin/meilisearch" ]; then
    meili="$(cd "$ROOT/../shared/bin" && pwd)/meilisearch"
  fi
  [ -n "$meili" ] && [ -x "$meili" ] || die "no Meilisearch: set MEILI_BIN or put meilisearch on PATH"
  local servers="${GANBRIDGE_TOPOLOGY_SERVERS:-3}"
  case "$servers" in 1 | 2 | 3) ;; *) die "GANBRIDGE_TOPOLOGY_SERVERS is 1, 2 or 3, not $servers" ;; esac

  mkdir -p "$DIR/pids" "$DIR/logs" "$DIR/postgres"
  local pg_bin pg_port key
  pg_bin="$(postgres_bin)"
  pg_port="$(free_port)"
  key="$(python3 -c 'import secrets; print(secrets.token_hex(24))')"
  {
    echo "PG_BIN='$pg_bin'"
    echo "PG_PORT=$pg_port"
    echo "DATABASE_URL='postgres://ganbridge@127.0.0.1:$pg_port/ganbridge'"
    echo "MEILI_BIN='$meili'"
    echo "MEILI_PORT=$(free_port)"
    echo "MEILI_URL=\"http://127.0.0.1:\$MEILI_PORT\""
    echo "MEILI_MASTER_KEY='$key'"
    echo "GANBRIDGE_BIN='$bin'"
    echo "SERVERS=$servers"
    echo "SERVER_1_PORT=$(free_port)"
    echo "SERVER_2_PORT=$(free_port)"
    echo "SERVER_3_PORT=$(free_port)"
    echo "BALANCER_PORT=${GANBRIDGE_TOPOLOGY_PORT:-8080}"
    echo "BALANCER_URL=\"http://127.0.0.1:\$BALANCER_PORT\""
  } >"$ENV_FILE"
  # shellcheck disable=SC1090
  . "$ENV_FILE"

  # Whatever fails from here on, nothing stays running.
  trap 'rc=$?; if [ "$rc" != 0 ]; then down; fi; exit "$rc"' EXIT

  say "PostgreSQL (a cluster of its own) on 127.0.0.1:$PG_PORT"
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$DIR/postgres"
    runuser -u postgres -- test -w "$DIR/postgres" ||
      die "the postgres user cannot reach $DIR/postgres: choose a GANBRIDGE_TOPOLOGY_DIR every user may traverse"
  fi
  as_pg "$PG_BIN/initdb" -D "$DIR/postgres/data" -A trust -U ganbridge -E UTF8 --no-sync >"$DIR/logs/initdb.log"
  postgres_start
  as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U ganbridge ganbridge

  say "Meilisearch on $MEILI_URL"
  meili_start

  local dataset="${GANBRIDGE_TOPOLOGY_DATASET:-demo}" seed=(seed demo)
  case "$dataset" in
    demo) ;;
    synthetic:[0-9]*) seed=(seed synthetic --companies "${dataset#synthetic:}") ;;
    *) die "GANBRIDGE_TOPOLOGY_DATASET is demo or synthetic:N, not $dataset" ;;
  esac
  say "migrations and the $dataset dataset (ganbridge ${seed[*]})"
  DATABASE_URL="$DATABASE_URL" MEILI_URL="$MEILI_URL" MEILI_MASTER_KEY="$MEILI_MASTER_KEY" \
    GANBRIDGE_DATA_DIR="$DIR" "$GANBRIDGE_BIN" "${seed[@]}" >>"$DIR/logs/init.log" 2>&1 ||
    { tail -20 "$DIR/logs/init.log" >&2; false; }

  local n
  for n in $(seq 1 "$SERVERS"); do
    local port_var="SERVER_${n}_PORT"
    say "server $n on 127.0.0.1:${!port_var}"
    server_start "$n"
  done

  # The balancer's file lists three servers; one that does not run is simply found down.
  spawn haproxy env GANBRIDGE_BALANCER_LISTEN="127.0.0.1:$BALANCER_PORT" \
    GANBRIDGE_SERVER_1="127.0.0.1:$SERVER_1_PORT" GANBRIDGE_SERVER_2="127.0.0.1:$SERVER_2_PORT" \
    GANBRIDGE_SERVER_3="127.0.0.1:$SERVER_3_PORT" haproxy -f "$ROOT/deploy/haproxy.cfg"
  wait_http "$BALANCER_URL/readyz/traffic" 30 || die "HAProxy did not start (logs/haproxy.log)"
  # Serving already; ready once the shared search index holds the database (the servers fill
  # it from the database or the outbox meanwhile, and search says so).
  say "waiting for the search index"
  wait_http "$BALANCER_URL/readyz" 600 || say "not ready after 10 minutes: see $BALANCER_URL/readyz"

  echo "Ganbridge ($SERVERS servers behind HAProxy) listens at $BALANCER_URL/graphql"
  echo "state and logs in $DIR; stop with: $0 down"
  if [ "$detach" != "--detach" ]; then
    echo "(Ctrl-C stops everything)"
    trap 'echo; down; exit 0' INT TERM
    while running haproxy; do sleep 1; done
    say "HAProxy stopped; stopping the rest"
    down
  fi
}

down() {
  [ -f "$ENV_FILE" ] || { say "nothing runs from $DIR"; return 0; }
  stop_process haproxy TERM 10
  local n
  # The servers drain together, not one after the other.
  for n in 1 2 3; do
    if running "server-$n"; then kill -TERM "$(cat "$DIR/pids/server-$n")" 2>/dev/null || true; fi
  done
  for n in 1 2 3; do stop_process "server-$n" TERM 40; done
  stop_process meilisearch TERM 20
  postgres_stop 2>/dev/null || true
  rm -rf "$DIR"
  say "stopped, and its data removed"
}

status() {
  [ -f "$ENV_FILE" ] || { echo "nothing runs from $DIR"; return 0; }
  cat "$ENV_FILE"
  local name
  for name in haproxy server-1 server-2 server-3 meilisearch; do
    if running "$name"; then echo "$name: running (pid $(cat "$DIR/pids/$name"))"; else echo "$name: stopped"; fi
  done
}

command="${1:-up}"
shift || true
case "$command" in
  up) up "${1:-}" ;;
  down) down ;;
  status) status ;;
  server)
    [ -f "$ENV_FILE" ] || die "nothing runs from $DIR"
    action="${1:-}"
    n="${2:-}"
    case "$n" in 1 | 2 | 3) ;; *) die "server number 1, 2 or 3" ;; esac
    case "$action" in
      stop) stop_process "server-$n" TERM 40 ;;
      kill) stop_process "server-$n" KILL 5 ;;
      start) server_start "$n" ;;
      *) die "server stop|kill|start N" ;;
    esac
    ;;
  postgres)
    [ -f "$ENV_FILE" ] || die "nothing runs from $DIR"
    case "${1:-}" in stop) postgres_stop ;; start) postgres_start ;; *) die "postgres stop|start" ;; esac
    ;;
  meilisearch)
    [ -f "$ENV_FILE" ] || die "nothing runs from $DIR"
    case "${1:-}" in stop) stop_process meilisearch TERM 20 ;; start) meili_start ;; *) die "meilisearch stop|start" ;; esac
    ;;
  *) die "unknown command $command (up, down, status, server, postgres, meilisearch)" ;;
esac
