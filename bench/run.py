"""The performance benchmark: Ganbridge against PostGraphile over one PostgreSQL database.

Run through bench/run.sh, which says what it needs. Steps:
  1. seed `ganbridge seed synthetic --companies N` into a new PostgreSQL database (timed);
  2. give the peer (PostGraphile 4) a read-only role on that database, and one SQL function for
     the per-district statistics (it has no aggregates of its own);
  3. start both servers on CPU 1 and check that each workload's query returns the same data on
     both before anything is timed;
  4. time each workload with wrk on CPU 0 (warm-up, then a fixed duration at fixed concurrency),
     sampling each server's resident memory, Ganbridge and the peer one after the other;
  5. the ceiling: W1's and W2's own SQL statements, as Ganbridge sends them for one request,
     driven straight at PostgreSQL by pgbench on CPU 0 at the same concurrency (checked first
     to be still what Ganbridge sends);
  6. W4 (a year's statistics) again on a second, small database of `--small-companies`
     (1,000) on both servers, and W4's latency over one connection at both sizes;
  7. the same workloads on Ganbridge over SQLite, and W4 at the small size there too;
  8. write bench/results.json and the benchmark section of bench/RESULTS.md.
"""

import argparse
import base64
import datetime
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")
# Where run.sh's `cargo build` put it: CARGO_TARGET_DIR is relative to the checkout if relative.
BINARY = os.path.join(ROOT, os.environ.get("CARGO_TARGET_DIR") or "target", "production", "ganbridge")
PEER = os.path.join(BENCH, "peer", "node_modules", ".bin", "postgraphile")
GANBRIDGE_PORT = 18280
PEER_PORT = 18281

DISTRICTS = ["NANCHANG", "JIUJIANG", "GANZHOU", "JIAN", "SHANGRAO", "YICHUN"]
LINES = ["SOFTWARE_DEVELOPMENT", "DATA_PROCESSING", "CALL_CENTRE", "IT_OPERATIONS"]
TERMS = ["software", "data", "finance", "animation", "logistics", "design", "cloud", "medical"]


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def sh(*args, env=None, capture=False):
    result = subprocess.run(args, env=env, check=True, text=True,
                            stdout=subprocess.PIPE if capture else None)
    return result.stdout if capture else None


def psql(url, sql):
    return sh("psql", url, "-qtAX", "-v", "ON_ERROR_STOP=1", "-c", sql, capture=True).strip()


def post(port, body, timeout=60):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql", data=json.dumps(body).encode(),
        headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        answer = json.load(response)
    if answer.get("errors"):
        raise RuntimeError(f"errors from :{port}: {answer['errors']}\nfor {body}")
    return answer["data"]


def gid(kind, number):
    return base64.b64encode(f"{kind}:{number}".encode()).decode().rstrip("=")


# ------------------------------------------------------------------------------------------
# The workloads: for each, the request bodies on both servers (rotated request by request),
# and how each server's answer reduces to comparable data.

def w1(ids, year):
    g = [{"query": "query($id: ID!) { company(id: $id) { name nameZh headcount park { name } "
                   "certifications { standard certificateNumber expiryDate } "
                   "latestFigures { year employees contractAmountUsd } } }",
          "variables": {"id": gid("Company", i)}} for i in ids]
    p = [{"query": "query($id: BigInt!, $year: Int!) { company(id: $id) { nameEn nameZh headcount "
                   "park { nameEn } certifications { nodes { standard certificateNumber expiryDate } } "
                   "companyFigures(condition: { year: $year }) { nodes { year employees contractAmountUsdCents } } } }",
          "variables": {"id": str(i), "year": year}} for i in ids]

    def g_norm(d):
        c = d["company"]
        f = c["latestFigures"]
        return (c["name"], c["nameZh"], c["headcount"], (c["park"] or {}).get("name"),
                sorted((x["standard"], x["certificateNumber"], x["expiryDate"]) for x in c["certifications"]),
                f and (f["year"], f["employees"], round(float(f["contractAmountUsd"]) * 100)))

    def p_norm(d):
        c = d["company"]
        f = c["companyFigures"]["nodes"]
        f = f[0] if f else None
        return (c["nameEn"], c["nameZh"], c["headcount"], (c["park"] or {}).get("nameEn"),
                sorted((x["standard"].upper(), x["certificateNumber"], x["expiryDate"]) for x in c["certifications"]["nodes"]),
                f and (f["year"], f["employees"], int(f["contractAmountUsdCents"])))
    return g, p, g_norm, p_norm


def w2(district_ids):
    combos = [(d, l) for d in DISTRICTS for l in LINES]
    g = [{"query": "query($d: DistrictCode!, $l: ServiceLine!) { companies(first: 20, "
                   "filter: { district: $d, serviceLine: $l }) { nodes { name headcount "
                   "certifications { standard } } } }",
          "variables": {"d": d, "l": l}} for d, l in combos]
    p = [{"query": "query($d: BigInt!, $l: String!) { companies(first: 20, orderBy: [NAME_EN_ASC, ID_ASC], "
                   "filter: { districtId: { equalTo: $d }, companyServiceLines: { some: { serviceLine: { equalTo: $l } } } }) "
                   "{ nodes { nameEn headcount certifications { nodes { standard } } } } }",
          "variables": {"d": str(district_ids[d.lower()]), "l": l.lower()}} for d, l in combos]

    def g_norm(d):
        return [(c["name"], c["headcount"], sorted(x["standard"] for x in c["certifications"]))
                for c in d["companies"]["nodes"]]

    def p_norm(d):
        return [(c["nameEn"], c["headcount"], sorted(x["standard"].upper() for x in c["certifications"]["nodes"]))
                for c in d["companies"]["nodes"]]
    return g, p, g_norm, p_norm


def w3():
    g = [{"query": "{ tenders(first: 50, filter: { status: ACTIVE }) { nodes { title closesAt "
                   "buyer { name } } } }"}]
    p = [{"query": "{ tenders(first: 50, condition: { status: \"active\" }, "
                   "orderBy: [TENDER_PERIOD_END_ASC, ID_ASC]) { nodes { titleEn tenderPeriodEnd "
                   "counterpart { nameEn } } } }"}]

    def instant(text):
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()

    def g_norm(d):
        return [(t["title"], instant(t["closesAt"]), t["buyer"]["name"]) for t in d["tenders"]["nodes"]]

    def p_norm(d):
        return [(t["titleEn"], instant(t["tenderPeriodEnd"]), t["counterpart"]["nameEn"])
                for t in d["tenders"]["nodes"]]
    return g, p, g_norm, p_norm


def w4(year):
    g = [{"query": "query($y: Int!) { statistics(year: $y) { companies employees contractAmountUsd "
                   "districts { district { code } companies employees contractAmountUsd } } }",
          "variables": {"y": year}}]
    p = [{"query": "query($y: Int!) { districtStatistics(year: $y) { nodes { districtCode companies "
                   "employees contractUsdCents } } }", "variables": {"y": year}}]

    def g_norm(d):
        return sorted((x["district"]["code"], x["companies"], x["employees"],
                       round(float(x["contractAmountUsd"]) * 100))
                      for x in d["statistics"]["districts"] if x["companies"])

    def p_norm(d):
        return sorted((x["districtCode"].upper(), int(x["companies"]), int(x["employees"]), int(x["contractUsdCents"]))
                      for x in d["districtStatistics"]["nodes"])
    return g, p, g_norm, p_norm


def w5():
    g = [{"query": "query($q: String!) { search(query: $q, types: [COMPANY], first: 20) { totalHits "
                   "edges { node { ... on Company { name } } } } }", "variables": {"q": t}} for t in TERMS]
    p = [{"query": "query($q: String!) { companies(first: 20, orderBy: [NAME_EN_ASC, ID_ASC], "
                   "filter: { or: [{ nameEn: { includesInsensitive: $q } }, "
                   "{ description: { includesInsensitive: $q } }] }) { totalCount nodes { nameEn } } }",
          "variables": {"q": t}} for t in TERMS]
    return g, p, None, None


def lua(bodies, path):
    quoted = ",\n".join("  " + json.dumps(json.dumps(b)) for b in bodies)
    with open(path, "w") as f:
        f.write("local bodies = {\n" + quoted + "\n}\nlocal i = 0\n"
                "request = function()\n  i = i + 1\n"
                "  return wrk.format('POST', '/graphql', { ['Content-Type'] = 'application/json' }, "
                "bodies[(i % #bodies) + 1])\nend\n")


# ------------------------------------------------------------------------------------------
# The ceiling: what PostgreSQL alone answers of W1's and W2's own statements, with no HTTP and
# no GraphQL. Each statement is the one Ganbridge sends for one request of the workload (read in
# PostgreSQL's log with `log_statement = 'all'` set on the benchmark's database), with `:name`
# where Ganbridge binds a parameter. pgbench's prepared mode numbers them $1, $2… in the order
# they first appear, which is Ganbridge's order, so the text PostgreSQL prepares is Ganbridge's
# to the character; the run checks that before timing (`check_ceiling`). Ganbridge binds ids,
# masks and limits as bigint and the verification as text; pgbench leaves the types for
# PostgreSQL to infer from the columns, which gives the same (bigint, and text for a varchar).

W1_SQL = (
    'SELECT "company"."id", "company"."name_zh", "company"."name_en", "company"."park_id", '
    '"company"."headcount", "park"."id", "park"."name_en", "company_figures"."company_id", '
    '"company_figures"."year", "company_figures"."contract_amount_usd_cents", '
    '"company_figures"."employees", "certification"."id", "certification"."standard", '
    '"certification"."certificate_number", "certification"."expiry_date" FROM "company" '
    'LEFT JOIN "park" ON "park"."id" = "company"."park_id" LEFT JOIN "company_figures" ON '
    '"company_figures"."company_id" = "company"."id" AND "company_figures"."year" = '
    '(SELECT MAX("latest"."year") FROM "company_figures" AS "latest" WHERE '
    '"latest"."company_id" = "company"."id") LEFT JOIN "certification" ON '
    '"certification"."company_id" = "company"."id" AND "certification"."verification" = '
    ':verification WHERE "company"."id" = :id ORDER BY "certification"."issue_date" DESC, '
    '"certification"."id" DESC')

W2_SQL = (
    'SELECT "page"."id", "page"."name_en", "page"."headcount", "certification"."id", '
    '"certification"."standard" FROM (SELECT "company"."id", "company"."name_en", '
    '"company"."headcount" FROM "company" WHERE "company"."id" IN (SELECT "company"."id" FROM '
    '"company" WHERE "company"."district_id" = :district AND ("company"."service_line_mask" & '
    ':line) <> :zero ORDER BY "company"."name_en" ASC, "company"."id" ASC LIMIT :page_and_one)) '
    'AS "page" LEFT JOIN "certification" ON "certification"."company_id" = "page"."id" AND '
    '"certification"."verification" = :verification ORDER BY "page"."name_en" ASC, '
    '"page"."id" ASC, "certification"."issue_date" DESC, "certification"."id" DESC')

# The session settings of Ganbridge's request pool (src/db.rs, `connect_requests`), which
# pgbench's connections take too.
REQUEST_POOL_OPTIONS = "-c plan_cache_mode=force_generic_plan -c max_parallel_workers_per_gather=0"

# Each service line's bit in `company.service_line_mask`, as migration 9 numbers them (never
# renumbered).
LINE_BITS = {"SOFTWARE_DEVELOPMENT": 0, "IT_OPERATIONS": 1, "DATA_PROCESSING": 5, "CALL_CENTRE": 6}


def placeholders(sql):
    """The statement as PostgreSQL receives it: each :name numbered in order of first use."""
    names = []

    def number(m):
        if m.group(1) not in names:
            names.append(m.group(1))
        return f"${names.index(m.group(1)) + 1}"
    return re.sub(r"(?<![:\w]):([A-Za-z_]\w*)", number, sql)


def with_values(sql, values):
    """The statement with its parameters written in as literals, for psql."""
    def literal(m):
        v = values[m.group(1)]
        return str(v) if isinstance(v, int) else "'" + str(v).replace("'", "''") + "'"
    return re.sub(r"(?<![:\w]):([A-Za-z_]\w*)", literal, sql)


def pick(name, values):
    """A pgbench line setting :name to values[:k]: a progression where the values make one."""
    step = values[1] - values[0] if len(values) > 1 else 0
    if all(v == values[0] + i * step for i, v in enumerate(values)):
        return f"\\set {name} {values[0]} + :k * {step}"
    return f"\\set {name} case " + " ".join(f"when :k = {i} then {v}" for i, v in enumerate(values)) + " end"


def ceilings(ids, district_ids):
    """For W1 and W2: the statements of one request, a pgbench script drawing their parameters
    as wrk's rotation does (uniformly over the same ids, or the same 24 district and line
    pairs), the constants pgbench is given (-D), and the parameters of rotation entry k."""
    combos = [(d, l) for d in DISTRICTS for l in LINES]
    constants = {"verification": "verified"}
    w1 = {"statements": [W1_SQL], "defines": constants, "entries": len(ids),
          "script": "\n".join([f"\\set k random(0, {len(ids) - 1})", pick("id", ids), W1_SQL + ";", ""]),
          "values": lambda k: dict(constants, id=ids[k])}
    districts = [district_ids[d.lower()] for d, _ in combos]
    lines = [1 << LINE_BITS[l] for _, l in combos]
    # One row more than the page, to know whether another page follows.
    fixed = {"zero": 0, "page_and_one": 21}
    w2 = {"statements": [W2_SQL], "defines": constants, "entries": len(combos),
          "script": "\n".join([f"\\set k random(0, {len(combos) - 1})", pick("district", districts),
                               pick("line", lines), *(f"\\set {k} {v}" for k, v in fixed.items()),
                               W2_SQL + ";", ""]),
          "values": lambda k: dict(constants, district=districts[k], line=lines[k], **fixed)}
    return {"W1": w1, "W2": w2}


def check_ceiling(name, ceiling, database_url, bodies, answer_names):
    """That the ceiling's statements are still what Ganbridge sends for the workload's requests:
    as many statements per request (the server's own count of its request pool's statements),
    the same text (what PostgreSQL last ran on Ganbridge's connections), and, with the
    parameters the script draws for an entry of the rotation, the data Ganbridge answers."""
    def statements_run():
        with urllib.request.urlopen(f"http://127.0.0.1:{GANBRIDGE_PORT}/metrics", timeout=10) as r:
            text = r.read().decode()
        return int(float(re.search(r"^ganbridge_db_statements_total (\S+)$", text, re.M).group(1)))
    # A scrape runs statements of its own (the outbox's depth): counted once without requests.
    first = statements_run()
    scrape = statements_run() - first
    before = statements_run()
    count = 50
    for i in range(count):
        post(GANBRIDGE_PORT, bodies[i % len(bodies)])
    per_request = (statements_run() - before - scrape) / count
    if round(per_request) != len(ceiling["statements"]):
        raise RuntimeError(f"{name}: Ganbridge ran {per_request:.2f} statements a request, the ceiling's "
                           f"script {len(ceiling['statements'])}; read them again with log_statement = 'all'")
    started = psql(database_url, "SELECT clock_timestamp()")
    post(GANBRIDGE_PORT, bodies[0])
    seen = set(psql(database_url, (
        "SELECT query FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
        f"AND usename = current_user AND query_start >= '{started}'")).split("\n"))
    last = placeholders(ceiling["statements"][-1])
    if last not in seen:
        raise RuntimeError(f"{name}: Ganbridge no longer sends the ceiling's statement\n{last}\n"
                           f"It ran:\n" + "\n".join(sorted(seen)))
    checked = sorted({0, ceiling["entries"] // 2, ceiling["entries"] - 1})
    for k in checked:
        rows = sh("psql", database_url, "-qtAX", "-F", "\x1f", "-v", "ON_ERROR_STOP=1", "-c",
                  with_values(ceiling["statements"][-1], ceiling["values"](k)), capture=True)
        cells = {c for line in rows.splitlines() for c in line.split("\x1f")}
        wanted = answer_names(post(GANBRIDGE_PORT, bodies[k]))
        if not wanted or not set(wanted) <= cells:
            raise RuntimeError(f"{name}: the ceiling's parameters for entry {k} ({ceiling['values'](k)}) "
                               f"do not read what Ganbridge answers: {wanted}")
    return {"statements_per_request": round(per_request, 2), "requests_counted": count,
            "text_seen_in_pg_stat_activity": True, "rotation_entries": ceiling["entries"],
            "entries_reading_what_ganbridge_answers": checked}


def measure_pgbench(database_url, script, defines, duration, connections, warmup):
    """pgbench on CPU 0 like wrk: warm-up, then the measured run, on connections set up as
    Ganbridge's request pool sets its own, with PostgreSQL's CPU over the measured run."""
    env = dict(os.environ, PGOPTIONS=REQUEST_POOL_OPTIONS)
    args = ["taskset", "-c", "0", "pgbench", "-n", "-M", "prepared", f"-c{connections}", "-j1",
            *(f"-D{k}={v}" for k, v in defines.items()), "-f", script]
    sh(*args, f"-T{warmup}", database_url, env=env, capture=True)
    time.sleep(0.5)
    database_cpu = postgres_cpu_seconds()
    out = sh(*args, f"-T{duration}", database_url, env=env, capture=True)
    # Its backends' CPU counts once they have ended and PostgreSQL has reaped them.
    time.sleep(0.5)
    database_cpu = postgres_cpu_seconds() - database_cpu
    transactions = int(re.search(r"number of transactions actually processed: (\d+)", out).group(1))
    failed = re.search(r"number of failed transactions: (\d+)", out)
    return {"tps": round(float(re.search(r"^tps = ([\d.]+)", out, re.M).group(1)), 1),
            "transactions": transactions,
            "failed": int(failed.group(1)) if failed else 0,
            "latency_avg_ms": float(re.search(r"latency average = ([\d.]+) ms", out).group(1)),
            "postgres_cpu_ms_per_transaction": round(database_cpu * 1000 / max(transactions, 1), 3)}


# ------------------------------------------------------------------------------------------

class Server:
    def __init__(self, name, args, env, port, log_path, cwd=None):
        self.name, self.port = name, port
        self.log = open(log_path, "w")
        self.process = subprocess.Popen(["taskset", "-c", "1", *args], env=env, cwd=cwd,
                                        stdout=self.log, stderr=subprocess.STDOUT)

    def wait(self, probe, seconds=600):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if self.process.poll() is not None:
                self.log.flush()
                with open(self.log.name) as f:
                    tail = f.read()[-3000:]
                raise RuntimeError(f"{self.name} exited:\n{tail}")
            try:
                post(self.port, probe, timeout=5)
                return
            except Exception:
                time.sleep(0.5)
        raise RuntimeError(f"{self.name} never answered")

    def rss_mb(self):
        # The server itself: for the peer, the node process under the CLI wrapper if any.
        pids = [self.process.pid] + children(self.process.pid)
        total = 0
        for pid in pids:
            try:
                with open(f"/proc/{pid}/status") as f:
                    for line in f:
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1])
            except FileNotFoundError:
                pass
        return total / 1024

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            direct = [int(x) for x in f.read().split()]
    except FileNotFoundError:
        return []
    return direct + [g for c in direct for g in children(c)]


def cpu_seconds(pids, exited_children_of=None):
    """User and system CPU time the processes have used so far, and that of the exited
    children of one of them (PostgreSQL's backends that ended meanwhile)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
            if pid == exited_children_of:
                total += int(fields[13]) + int(fields[14])
        except (FileNotFoundError, ProcessLookupError, IndexError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


def postgres_cpu_seconds():
    def pgrep(*args):
        out = subprocess.run(["pgrep", *args, "-x", "postgres"], capture_output=True, text=True).stdout
        return [int(p) for p in out.split()]
    postmaster = pgrep("-o")
    return cpu_seconds(pgrep(), postmaster[0] if postmaster else None)


def measure(server, script, duration, connections, warmup):
    # A slow answer is measured, not dropped: wrk's own time-out (2 s) would censor latencies.
    sh("taskset", "-c", "0", "wrk", "-t1", f"-c{connections}", f"-d{warmup}s", "--timeout", "30s", "-s", script,
       f"http://127.0.0.1:{server.port}", capture=True)
    peak = [server.rss_mb()]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak.append(server.rss_mb())
            time.sleep(0.5)
    sampler = threading.Thread(target=sample)
    sampler.start()
    # Where the CPU goes: the server's own, and PostgreSQL's (every backend, whoever it serves;
    # nothing else uses the database meanwhile).
    mine = [server.process.pid] + children(server.process.pid)
    server_cpu, database_cpu = cpu_seconds(mine), postgres_cpu_seconds()
    out = sh("taskset", "-c", "0", "wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "30s",
             "-s", script, f"http://127.0.0.1:{server.port}", capture=True)
    server_cpu = cpu_seconds(mine) - server_cpu
    database_cpu = postgres_cpu_seconds() - database_cpu
    done.set()
    sampler.join()

    figures = wrk_figures(out)
    requests = figures["requests"]
    return {"rps": round(figures["rps"], 1), "p50_ms": figures["p50_ms"], "p99_ms": figures["p99_ms"],
            "rss_mb": round(max(peak), 1), "non_2xx": figures["non_2xx"],
            "socket_errors": figures["socket_errors"],
            "server_cpu_ms_per_request": round(server_cpu * 1000 / max(requests, 1), 3),
            "postgres_cpu_ms_per_request": round(database_cpu * 1000 / max(requests, 1), 3)}


def wrk_figures(out):
    """Throughput, latency percentiles and failures from wrk's --latency report."""
    def latency_ms(label):
        m = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return round(value / 1000 if unit == "us" else value * 1000 if unit == "s" else value, 2)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50_ms": latency_ms("50"), "p99_ms": latency_ms("99"),
            "requests": int(re.search(r"(\d+) requests in", out).group(1)),
            "non_2xx": int(bad.group(1)) if bad else 0,
            "socket_errors": errors.group(1) if errors else None}


def ganbridge_env(work, database_url):
    env = dict(os.environ)
    for k in ["MEILI_URL", "DATABASE_URL", "GANBRIDGE_CONFIG"]:
        env.pop(k, None)
    env.update({"GANBRIDGE_DATA_DIR": work, "GANBRIDGE_LISTEN": f"127.0.0.1:{GANBRIDGE_PORT}",
                "GANBRIDGE_DEMO": "false", "GANBRIDGE_LOG_FORMAT": "json", "RUST_LOG": "warn",
                # One client sends everything: its quota must not be what is measured.
                "GANBRIDGE_QUOTA_ANONYMOUS": "1000000000000000"})
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def seed(work, database_url, companies):
    started = time.time()
    out = sh(BINARY, "seed", "synthetic", "--companies", str(companies),
             env=ganbridge_env(work, database_url), capture=True)
    print(out, end="")
    return round(time.time() - started, 1), out.strip().splitlines()


PEER_SQL = """
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ganbridge_peer') THEN
    CREATE ROLE ganbridge_peer LOGIN;
  END IF;
END $$;
GRANT CONNECT ON DATABASE {db} TO ganbridge_peer;
GRANT USAGE ON SCHEMA public TO ganbridge_peer;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO ganbridge_peer;
CREATE SCHEMA IF NOT EXISTS peer;
GRANT USAGE ON SCHEMA peer TO ganbridge_peer;
CREATE OR REPLACE FUNCTION peer.district_statistics(year integer)
RETURNS TABLE (district_code text, companies bigint, employees bigint, contract_usd_cents bigint)
LANGUAGE sql STABLE AS $f$
  SELECT d.code::text, count(*), sum(f.employees), sum(f.contract_amount_usd_cents)
  FROM company_figures f JOIN company c ON c.id = f.company_id JOIN district d ON d.id = c.district_id
  WHERE f.year = district_statistics.year
  GROUP BY d.code
$f$;
GRANT EXECUTE ON FUNCTION peer.district_statistics(integer) TO ganbridge_peer;
"""


def start_ganbridge(work, data_dir, database_url, log_name):
    return Server("ganbridge", [BINARY, "serve"], ganbridge_env(data_dir, database_url),
                  GANBRIDGE_PORT, os.path.join(work, log_name))


def start_peer(work, base, db, log_name):
    return Server("postgraphile", [
        PEER, "-c", f"{base.replace('://root@', '://ganbridge_peer@')}/{db}",
        "--schema", "public,peer", "--host", "127.0.0.1", "--port", str(PEER_PORT),
        "--disable-default-mutations", "--disable-query-log", "--no-setof-functions-contain-nulls",
        "--dynamic-json", "--append-plugins",
        "@graphile-contrib/pg-simplify-inflector,postgraphile-plugin-connection-filter",
        "--max-pool-size", "10"], dict(os.environ, NODE_ENV="production"), PEER_PORT,
        os.path.join(work, log_name), cwd=os.path.join(BENCH, "peer"))


def compare(entry):
    """Ganbridge's throughput and p99 as multiples of the peer's, where both ran."""
    if "postgraphile" in entry:
        g_, p_ = entry["ganbridge"], entry["postgraphile"]
        entry["throughput_ratio"] = round(g_["rps"] / p_["rps"], 2) if p_["rps"] else None
        entry["p99_ratio"] = round(g_["p99_ms"] / p_["p99_ms"], 2) if p_["p99_ms"] else None
    return entry


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="10,000 companies, short runs")
    parser.add_argument("--companies", type=int)
    parser.add_argument("--small-companies", type=int, default=1000,
                        help="the second database, for W4 at a small size (0: none)")
    parser.add_argument("--duration", type=int, help="seconds per measured run")
    parser.add_argument("--warmup", type=int)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--admin-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgres://root@127.0.0.1:5432/postgres"))
    parser.add_argument("--no-sqlite", action="store_true")
    a = parser.parse_args()
    companies = a.companies or (10_000 if a.quick else 100_000)
    small = a.small_companies if a.small_companies != companies else 0
    duration = a.duration or (8 if a.quick else 30)
    warmup = a.warmup or (3 if a.quick else 10)
    # W4 over one connection follows W4 at full concurrency on the same server and data.
    latency_warmup = min(warmup, 3)
    year = datetime.date.today().year - 1

    results = {"machine": machine(), "companies": companies, "connections": a.connections,
               "duration_s": duration, "warmup_s": warmup, "versions": versions(),
               "load": {}, "workloads": {}, "equivalence": {}, "w5_finds": {},
               "ceiling": {}, "statistics": {"year": year, "one_connection_warmup_s": latency_warmup,
                                             "sizes": {}}}
    stats = results["statistics"]["sizes"]
    work = tempfile.mkdtemp(prefix="ganbridge-bench-")
    db = f"ganbridge_bench_{os.getpid()}"
    db_small = f"{db}_small"
    base = a.admin_url.rsplit("/", 1)[0]
    database_url = f"{base}/{db}"
    small_url = f"{base}/{db_small}"
    # Both servers reach PostgreSQL the same way: over TCP on this machine, without TLS. The
    # peer's client does not use TLS unless asked, Ganbridge's would where the server offers it.
    ganbridge_url = f"{database_url}?sslmode=disable"
    servers = []
    try:
        psql(a.admin_url, f"CREATE DATABASE {db}")
        log(f"seeding {companies} companies into PostgreSQL ({db})")
        seconds, lines = seed(os.path.join(work, "pg"), ganbridge_url, companies)
        results["load"]["postgres"] = {"seconds": seconds, "output": lines}
        psql(database_url, PEER_SQL.format(db=db))
        # A loaded database as it stands once autovacuum has passed: statistics and the
        # visibility map (index-only scans) for both servers, and no vacuum during the runs.
        psql(database_url, "VACUUM ANALYZE")
        district_ids = dict(r.split("|") for r in psql(database_url, "SELECT code, id FROM district").splitlines())
        district_ids = {k.lower(): int(v) for k, v in district_ids.items()}
        all_ids = [int(x) for x in psql(database_url, "SELECT id FROM company ORDER BY id").split()]
        step = max(1, len(all_ids) // 200)
        ids = all_ids[::step][:200]
        workloads = {"W1": w1(ids, year), "W2": w2(district_ids), "W3": w3(), "W4": w4(year), "W5": w5()}
        ceiling = ceilings(ids, district_ids)

        g = start_ganbridge(work, os.path.join(work, "pg"), ganbridge_url, "ganbridge.log")
        servers.append(g)
        p = start_peer(work, base, db, "peer.log")
        servers.append(p)
        g.wait({"query": "{ districts { code } }"})
        p.wait({"query": "{ __typename }"})

        results["tls_to_postgres"] = dict(r.split("|") for r in psql(database_url, (
            "SELECT a.usename, bool_or(s.ssl) FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) "
            f"WHERE a.datname = '{db}' AND a.pid <> pg_backend_pid() GROUP BY a.usename")).splitlines())
        log(f"TLS to PostgreSQL, by role: {results['tls_to_postgres']}")
        log("checking that both servers return the same data")
        for name, (gb, pb, gn, pn) in workloads.items():
            if gn is None:
                continue
            checks = list(zip(gb, pb))[:: max(1, len(gb) // 8)]
            for gq, pq in checks:
                left, right = gn(post(GANBRIDGE_PORT, gq)), pn(post(PEER_PORT, pq))
                if left != right:
                    raise RuntimeError(f"{name} differs:\nganbridge {left}\npeer      {right}\n{gq}\n{pq}")
            results["equivalence"][name] = f"{len(checks)} request pairs identical"
            log(f"{name}: {len(checks)} request pairs identical")
        for term, (gq, pq) in zip(TERMS, zip(workloads["W5"][0], workloads["W5"][1])):
            results["w5_finds"][term] = {
                "ganbridge_search": post(GANBRIDGE_PORT, gq)["search"]["totalHits"],
                "peer_ilike": post(PEER_PORT, pq)["companies"]["totalCount"]}
        log("checking that the ceiling's statements are those Ganbridge sends")
        answered = {"W1": lambda d: [d["company"]["name"], d["company"]["nameZh"]],
                    "W2": lambda d: [c["name"] for c in d["companies"]["nodes"]]}
        for name in ["W1", "W2"]:
            results["ceiling"][name] = {"check": check_ceiling(
                name, ceiling[name], database_url, workloads[name][0], answered[name])}
            log(f"  {name}: {results['ceiling'][name]['check']}")

        scripts = {}
        for name, (gb, pb, _, _) in workloads.items():
            scripts[name] = (os.path.join(work, f"{name}-g.lua"), os.path.join(work, f"{name}-p.lua"))
            lua(gb, scripts[name][0])
            lua(pb, scripts[name][1])
        # W6: a partner site: 70% W2, 20% W1, 10% W5 (the peer: its ILIKE), interleaved.
        scripts["W6"] = (os.path.join(work, "W6-g.lua"), os.path.join(work, "W6-p.lua"))
        for side, path in enumerate(scripts["W6"]):
            w6 = []
            for i in range(100):
                source = "W2" if i % 10 < 7 else "W1" if i % 10 < 9 else "W5"
                bodies = workloads[source][side]
                w6.append(bodies[i % len(bodies)])
            lua(w6, path)

        def one_connection(server, store):
            log(f"W4 on {server.name}/{store} over one connection ({duration} s)")
            m = measure(server, scripts["W4"][0], duration, 1, latency_warmup)
            log(f"  {m}")
            return m

        for name in ["W1", "W2", "W3", "W4", "W5", "W6"]:
            entry = {"store": "postgres"}
            for server, script in [(g, scripts[name][0]), (p, scripts[name][1])]:
                if script is None:
                    continue
                log(f"{name} on {server.name} ({duration} s at {a.connections} connections)")
                entry[server.name] = measure(server, script, duration, a.connections, warmup)
                log(f"  {entry[server.name]}")
            results["workloads"][name] = compare(entry)
            if name == "W4":
                stats[str(companies)] = {"postgres": dict(
                    {k: v for k, v in entry.items() if k != "store"},
                    ganbridge_one_connection=one_connection(g, "postgres"))}
        for s in servers:
            s.stop()
        servers.clear()

        # The database alone, on the same data, at the same concurrency, with nothing else running.
        for name in ["W1", "W2"]:
            path = os.path.join(work, f"{name}-ceiling.sql")
            with open(path, "w") as f:
                f.write(ceiling[name]["script"])
            log(f"{name}'s statements straight at PostgreSQL with pgbench ({duration} s at {a.connections} connections)")
            m = measure_pgbench(ganbridge_url, path, ceiling[name]["defines"], duration, a.connections, warmup)
            log(f"  {m}")
            entry = results["ceiling"][name]
            entry.update(m, statements=[placeholders(x) for x in ceiling[name]["statements"]],
                         script=ceiling[name]["script"], defines=ceiling[name]["defines"])
            for side in ["ganbridge", "postgraphile"]:
                entry[f"{side}_share"] = round(results["workloads"][name][side]["rps"] / m["tps"], 3) if m["tps"] else None
        results["ceiling"]["pgbench"] = {"clients": a.connections, "threads": 1, "protocol": "prepared",
                                         "pgoptions": REQUEST_POOL_OPTIONS}

        if small:
            psql(a.admin_url, f"CREATE DATABASE {db_small}")
            log(f"seeding {small} companies into PostgreSQL ({db_small})")
            seconds, lines = seed(os.path.join(work, "pg-small"), f"{small_url}?sslmode=disable", small)
            results["load"]["postgres-small"] = {"seconds": seconds, "output": lines}
            psql(small_url, PEER_SQL.format(db=db_small))
            psql(small_url, "VACUUM ANALYZE")
            g = start_ganbridge(work, os.path.join(work, "pg-small"), f"{small_url}?sslmode=disable",
                                "ganbridge-small.log")
            servers.append(g)
            p = start_peer(work, base, db_small, "peer-small.log")
            servers.append(p)
            g.wait({"query": "{ districts { code } }"})
            p.wait({"query": "{ __typename }"})
            gb, pb, gn, pn = workloads["W4"]
            left, right = gn(post(GANBRIDGE_PORT, gb[0])), pn(post(PEER_PORT, pb[0]))
            if left != right:
                raise RuntimeError(f"W4 at {small} companies differs:\nganbridge {left}\npeer      {right}")
            results["equivalence"][f"W4 at {small:,} companies"] = "1 request pair identical"
            entry = {}
            for server, script in [(g, scripts["W4"][0]), (p, scripts["W4"][1])]:
                log(f"W4 on {server.name} at {small} companies ({duration} s at {a.connections} connections)")
                entry[server.name] = measure(server, script, duration, a.connections, warmup)
                log(f"  {entry[server.name]}")
            stats[str(small)] = {"postgres": dict(compare(entry), ganbridge_one_connection=one_connection(g, "postgres"))}
            for s in servers:
                s.stop()
            servers.clear()

        if not a.no_sqlite:
            log(f"seeding {companies} companies into SQLite")
            sqlite_dir = os.path.join(work, "sqlite")
            seconds, lines = seed(sqlite_dir, None, companies)
            results["load"]["sqlite"] = {"seconds": seconds, "output": lines}
            s = start_ganbridge(work, sqlite_dir, None, "ganbridge-sqlite.log")
            servers.append(s)
            s.wait({"query": "{ districts { code } }"})
            for name in ["W1", "W2", "W3", "W4", "W5", "W6"]:
                log(f"{name} on ganbridge/sqlite")
                m = measure(s, scripts[name][0], duration, a.connections, warmup)
                log(f"  {m}")
                results["workloads"][f"{name}-sqlite"] = {"store": "sqlite", "ganbridge": m}
                if name == "W4":
                    stats[str(companies)]["sqlite"] = {"ganbridge": m,
                                                       "ganbridge_one_connection": one_connection(s, "sqlite")}
            s.stop()
            servers.clear()
            if small:
                log(f"seeding {small} companies into SQLite")
                sqlite_dir = os.path.join(work, "sqlite-small")
                seconds, lines = seed(sqlite_dir, None, small)
                results["load"]["sqlite-small"] = {"seconds": seconds, "output": lines}
                s = start_ganbridge(work, sqlite_dir, None, "ganbridge-sqlite-small.log")
                servers.append(s)
                s.wait({"query": "{ districts { code } }"})
                log(f"W4 on ganbridge/sqlite at {small} companies")
                m = measure(s, scripts["W4"][0], duration, a.connections, warmup)
                log(f"  {m}")
                stats[str(small)]["sqlite"] = {"ganbridge": m, "ganbridge_one_connection": one_connection(s, "sqlite")}
    finally:
        for s in servers:
            s.stop()
        for name in [db, db_small]:
            try:
                psql(a.admin_url, f"DROP DATABASE IF EXISTS {name}")
            except Exception as e:  # the figures matter more than the clean-up
                log(f"could not drop {name}: {e}")
        shutil.rmtree(work, ignore_errors=True)

    with open(os.path.join(BENCH, "results.json"), "w") as f:
        json.dump(results, f, indent=2)
        f.write("\n")
    write_markdown(results, " ".join(sys.argv[1:]))
    log("wrote bench/results.json and bench/RESULTS.md")


def machine():
    cpu = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_gib = int(f.readline().split()[1]) / 1024 / 1024
    return f"{os.cpu_count()} cores ({cpu}), {mem_gib:.0f} GiB RAM, {platform.system()} {platform.release()}"


def versions():
    def first_line(*args):
        try:
            return subprocess.run(args, capture_output=True, text=True).stdout.strip().splitlines()[0]
        except Exception:
            return "unknown"
    return {"rustc": first_line("rustc", "--version"),
            "postgresql": first_line("psql", "--version"),
            "postgraphile": first_line(PEER, "--version"),
            "node": first_line("node", "--version"),
            "wrk": first_line("wrk", "--version") or "wrk",
            "pgbench": first_line("pgbench", "--version")}


def tls_sentence(by_role):
    """What the run recorded of TLS on each server's connections to PostgreSQL."""
    if not by_role:
        return "Whether the servers' connections to PostgreSQL used TLS was not recorded."
    used = [role for role, ssl in by_role.items() if ssl == "t"]
    if not used:
        return ("Both servers connect to PostgreSQL over TCP on this machine without TLS "
                f"(recorded by role: {', '.join(f'{k} {v}' for k, v in by_role.items())}).")
    return f"Connections to PostgreSQL used TLS for: {', '.join(used)} (recorded by role)."


def share(value):
    return "—" if value is None else f"{value * 100:.0f}%"


def ceiling_section(r):
    c = r.get("ceiling") or {}
    if "pgbench" not in c:
        return ""
    rows = []
    for name in ["W1", "W2"]:
        e, w = c[name], r["workloads"][name]
        g, p = w["ganbridge"], w.get("postgraphile") or {}
        rows.append(f"| {name} | {e['tps']} | {e['latency_avg_ms']} | {e['postgres_cpu_ms_per_transaction']} | "
                    f"{g['rps']} | **{share(e['ganbridge_share'])}** | {g['postgres_cpu_ms_per_request']} | "
                    f"{p.get('rps', '—')} | {share(e.get('postgraphile_share'))} |")
    pg = c["pgbench"]
    checks = [c[n]["check"] for n in ["W1", "W2"]]
    checked = (f"the server's own count of its statements over {checks[0]['requests_counted']} requests of each "
               f"({' and '.join(str(x['statements_per_request']) for x in checks)} a request), the text PostgreSQL "
               f"last ran on its connections (`pg_stat_activity`), and the data the script's parameters read for "
               f"entries {' and '.join(', '.join(map(str, x['entries_reading_what_ganbridge_answers'])) for x in checks)} "
               f"of the rotations, against Ganbridge's answers")
    return f"""
**The ceiling of W1 and W2: their statements, the database alone.** How many times a second
PostgreSQL on this machine answers the statements Ganbridge sends for one W1 request, and for
one W2 request, with no HTTP, GraphQL or JSON in the way: Ganbridge's own SQL (one statement
each; `statements` in `bench/results.json`), driven straight at PostgreSQL by pgbench in the same
run, on the same data, after the servers had stopped. One transaction is one request's statements.
pgbench ran {pg['clients']} clients (wrk's connections) on {pg['threads']} thread pinned to CPU 0 as wrk is,
{r['warmup_s']} s warm-up then {r['duration_s']} s measured, with the prepared protocol as Ganbridge's driver uses it,
and sessions set as Ganbridge's request pool sets its own (`{pg['pgoptions']}`). Its
parameters are drawn at random over what wrk rotates through: the same 200 company ids, the
same 24 district and service-line pairs. The share is a server's requests per second over the
ceiling's transactions per second. PostGraphile sends statements of its own, built differently;
its share is measured against Ganbridge's statements too, not its own. Neither server can reach
100% here: its own CPU comes out of the same two cores as PostgreSQL's. Before timing, the run
checked that they are still the statements Ganbridge sends: {checked}.

| workload | ceiling transactions/s | pgbench latency avg ms | PostgreSQL CPU ms per transaction | Ganbridge req/s | share of the ceiling | its PostgreSQL CPU ms per request | PostGraphile req/s | share of the ceiling |
|---|---|---|---|---|---|---|---|---|
{chr(10).join(rows)}
"""


def statistics_section(r):
    st = r.get("statistics") or {}
    sizes = sorted(st.get("sizes", {}), key=int)
    if not sizes:
        return ""
    rows = []
    for store in ["postgres", "sqlite"]:
        for size in sizes:
            e = st["sizes"][size].get(store)
            if not e:
                continue
            g, p, one = e["ganbridge"], e.get("postgraphile"), e["ganbridge_one_connection"]
            peer = (f"{p['rps']} | {p['p50_ms']} | {p['p99_ms']} | {e['throughput_ratio']}×" if p
                    else "— | — | — | —")
            rows.append(f"| {int(size):,} | {store} | {g['rps']} | {g['p50_ms']} | {g['p99_ms']} | {peer} | "
                        f"**{one['p50_ms']}** | {one['p99_ms']} | {one['rps']} |")
    named = " and at ".join(f"{int(x):,}" for x in sizes)
    return f"""
**A year's statistics at {named} companies.** W4 ({st['year']}'s statistics by district) on a
second database of `ganbridge seed synthetic --companies {sizes[0]}` in the same run, prepared as the
first (the peer's role and function, `VACUUM ANALYZE`; over SQLite, its own data directory), at
{r['connections']} connections on both servers as above; then on Ganbridge over one connection (wrk with
1 thread and 1 connection: one request at a time, as a single caller sees it; {st['one_connection_warmup_s']} s
warm-up right after the run at {r['connections']} connections, then {r['duration_s']} s measured). The {int(sizes[-1]):,}
rows at {r['connections']} connections are W4's of the table above.

| companies | store | Ganbridge req/s | p50 ms | p99 ms | PostGraphile req/s | p50 ms | p99 ms | throughput ratio | one connection: Ganbridge p50 ms | p99 ms | req/s |
|---|---|---|---|---|---|---|---|---|---|---|---|
{chr(10).join(rows)}
"""


def write_markdown(r, argv):
    rows = []
    for name in ["W1", "W2", "W3", "W4", "W5", "W6"]:
        e = r["workloads"].get(name)
        if not e:
            continue
        g, p = e["ganbridge"], e.get("postgraphile")
        if p:
            rows.append(f"| {name} | postgres | {g['rps']} | {g['p50_ms']} | {g['p99_ms']} | {g['rss_mb']} | "
                        f"{p['rps']} | {p['p50_ms']} | {p['p99_ms']} | {p['rss_mb']} | "
                        f"**{e['throughput_ratio']}×** | {e['p99_ratio']}× |")
    for name in ["W1", "W2", "W3", "W4", "W5", "W6"]:
        e = r["workloads"].get(f"{name}-sqlite")
        if e:
            g = e["ganbridge"]
            rows.append(f"| {name} | sqlite | {g['rps']} | {g['p50_ms']} | {g['p99_ms']} | {g['rss_mb']} | — | — | — | — | — | — |")
    cpu = []
    for name in ["W1", "W2", "W3", "W4", "W5", "W6"]:
        e = r["workloads"].get(name)
        if not e or "server_cpu_ms_per_request" not in e["ganbridge"]:
            continue
        g, p = e["ganbridge"], e.get("postgraphile") or {}
        cpu.append(f"| {name} | {g['server_cpu_ms_per_request']} | {g['postgres_cpu_ms_per_request']} | "
                   f"{p.get('server_cpu_ms_per_request', '—')} | {p.get('postgres_cpu_ms_per_request', '—')} |")
    cpu_table = ("\n\nCPU time per request over the measured run (ms; the server's own process, and every "
                 "PostgreSQL process):\n\n| workload | Ganbridge | its PostgreSQL | PostGraphile | its PostgreSQL |\n"
                 "|---|---|---|---|---|\n" + "\n".join(cpu)) if cpu else ""
    ceiling_text = ceiling_section(r)
    statistics_text = statistics_section(r)
    finds = "\n".join(f"| {t} | {v['ganbridge_search']} | {v['peer_ilike']} |" for t, v in r["w5_finds"].items())
    load = "; ".join(f"{store}: {v['seconds']} s wall ({' / '.join(v['output'][-2:])})" for store, v in r["load"].items())
    v = r["versions"]
    section = f"""<!-- bench:begin -->
## Against the peer: Ganbridge and PostGraphile over one PostgreSQL database

Written by `bench/run.sh {argv}` on {datetime.date.today().isoformat()}: {r['companies']:,} companies
(`ganbridge seed synthetic`), {r['connections']} connections, {r['warmup_s']} s warm-up then {r['duration_s']} s
measured per workload and server, one after the other in the same run.

Machine: {r['machine']}. {v['rustc']}; {v['postgresql']}; PostGraphile {v['postgraphile']} on Node.js {v['node']}{'; ' + v['pgbench'] if v.get('pgbench') else ''}.
The load generator (wrk, 1 thread) runs on CPU 0 and each server on CPU 1; PostgreSQL is not pinned.
{tls_sentence(r.get('tls_to_postgres', {}))}
Ganbridge is built with its `production` profile (the container image's: release with
link-time optimisation of the whole program) and runs with request logging at `warn` and anonymous quotas still charged (on PostgreSQL
leased from the shared counter 1/64 of the budget at a time, as in production; the benchmark's
budget is large, so that is about one write a minute); PostGraphile with its query log off, as a
read-only role, plus the connection-filter and simplify-inflector plugins and one SQL function for
the per-district statistics.

Loading: {load}.

| workload | store | Ganbridge req/s | p50 ms | p99 ms | peak RSS MB | PostGraphile req/s | p50 ms | p99 ms | peak RSS MB | throughput ratio | p99 ratio |
|---|---|---|---|---|---|---|---|---|---|---|---|
{chr(10).join(rows)}{cpu_table}

W1 one company by id with its park, certificates and last year's figures (200 ids in rotation);
W2 a page of 20 companies by district and service line with their certificates (24 combinations);
W3 a page of 50 open tenders with their buyer, soonest closing first; W4 a year's statistics by
district; W5 full-text search on Ganbridge against `ILIKE` on name and description through the peer;
W6 a partner site's mix (70% W2, 20% W1, 10% W5, the peer answering W5 by `ILIKE`). Before timing, W1–W4 were
checked to return the same data on both: {'; '.join(f'{k} {v}' for k, v in r['equivalence'].items())}.
{ceiling_text}{statistics_text}
What W5 finds (companies, all pages):

| term | Ganbridge search (typo-tolerant, ranked, Chinese too) | peer `ILIKE '%term%'` on name or description |
|---|---|---|
{finds}
<!-- bench:end -->"""
    path = os.path.join(BENCH, "RESULTS.md")
    text = open(path).read() if os.path.exists(path) else "# Results\n"
    pattern = re.compile(r"<!-- bench:begin -->.*?<!-- bench:end -->", re.S)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip() + "\n\n" + section + "\n"
    with open(path, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
