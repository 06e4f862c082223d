"""The performance benchmark: Ganbridge against PostGraphile over one PostgreSQL database.

Run through bench/run.sh, which says what it needs. Steps:
  1. seed `ganbridge seed synthetic --companies N` into a new PostgreSQL database (timed);
  2. give the peer (PostGraphile 4) a read-only role on that database, and one SQL function for
     the per-district statistics (it has no aggregates of its own);
  3. start both servers on CPU 1 and check that each workload's query returns the same data on
     both before anything is timed;
  4. time each workload with wrk on CPU 0 (warm-up, then a fixed duration at fixed concurrency),
     sampling each server's resident memory, Ganbridge and the peer one after the other;
  5. the same workloads on Ganbridge over SQLite;
  6. write bench/results.json and the benchmark section of bench/RESULTS.md.
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
BINARY = os.path.join(ROOT, "target", "production", "ganbridge")
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="10,000 companies, short runs")
    parser.add_argument("--companies", type=int)
    parser.add_argument("--duration", type=int, help="seconds per measured run")
    parser.add_argument("--warmup", type=int)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--admin-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgres://root@127.0.0.1:5432/postgres"))
    parser.add_argument("--no-sqlite", action="store_true")
    a = parser.parse_args()
    companies = a.companies or (10_000 if a.quick else 100_000)
    duration = a.duration or (8 if a.quick else 30)
    warmup = a.warmup or (3 if a.quick else 10)
    year = datetime.date.today().year - 1

    results = {"machine": machine(), "companies": companies, "connections": a.connections,
               "duration_s": duration, "warmup_s": warmup, "versions": versions(),
               "load": {}, "workloads": {}, "equivalence": {}, "w5_finds": {}}
    work = tempfile.mkdtemp(prefix="ganbridge-bench-")
    db = f"ganbridge_bench_{os.getpid()}"
    base = a.admin_url.rsplit("/", 1)[0]
    database_url = f"{base}/{db}"
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

        g = Server("ganbridge", [BINARY, "serve"], ganbridge_env(os.path.join(work, "pg"), ganbridge_url),
                   GANBRIDGE_PORT, os.path.join(work, "ganbridge.log"))
        servers.append(g)
        peer_env = dict(os.environ, NODE_ENV="production")
        p = Server("postgraphile", [
            PEER, "-c", f"{base.replace('://root@', '://ganbridge_peer@')}/{db}",
            "--schema", "public,peer", "--host", "127.0.0.1", "--port", str(PEER_PORT),
            "--disable-default-mutations", "--disable-query-log", "--no-setof-functions-contain-nulls",
            "--dynamic-json", "--append-plugins",
            "@graphile-contrib/pg-simplify-inflector,postgraphile-plugin-connection-filter",
            "--max-pool-size", "10"], peer_env, PEER_PORT, os.path.join(work, "peer.log"),
            cwd=os.path.join(BENCH, "peer"))
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

        for name in ["W1", "W2", "W3", "W4", "W5", "W6"]:
            entry = {"store": "postgres"}
            for server, script in [(g, scripts[name][0]), (p, scripts[name][1])]:
                if script is None:
                    continue
                log(f"{name} on {server.name} ({duration} s at {a.connections} connections)")
                entry[server.name] = measure(server, script, duration, a.connections, warmup)
                log(f"  {entry[server.name]}")
            if "postgraphile" in entry:
                g_, p_ = entry["ganbridge"], entry["postgraphile"]
                entry["throughput_ratio"] = round(g_["rps"] / p_["rps"], 2) if p_["rps"] else None
                entry["p99_ratio"] = round(g_["p99_ms"] / p_["p99_ms"], 2) if p_["p99_ms"] else None
            results["workloads"][name] = entry
        for s in servers:
            s.stop()
        servers.clear()

        if not a.no_sqlite:
            log(f"seeding {companies} companies into SQLite")
            sqlite_dir = os.path.join(work, "sqlite")
            seconds, lines = seed(sqlite_dir, None, companies)
            results["load"]["sqlite"] = {"seconds": seconds, "output": lines}
            s = Server("ganbridge", [BINARY, "serve"], ganbridge_env(sqlite_dir, None), GANBRIDGE_PORT,
                       os.path.join(work, "ganbridge-sqlite.log"))
            servers.append(s)
            s.wait({"query": "{ districts { code } }"})
            for name in ["W1", "W2", "W3", "W4", "W5", "W6"]:
                log(f"{name} on ganbridge/sqlite")
                m = measure(s, scripts[name][0], duration, a.connections, warmup)
                log(f"  {m}")
                results["workloads"][f"{name}-sqlite"] = {"store": "sqlite", "ganbridge": m}
    finally:
        for s in servers:
            s.stop()
        try:
            psql(a.admin_url, f"DROP DATABASE IF EXISTS {db}")
        except Exception as e:  # the figures matter more than the clean-up
            log(f"could not drop {db}: {e}")
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
            "wrk": first_line("wrk", "--version") or "wrk"}


def tls_sentence(by_role):
    """What the run recorded of TLS on each server's connections to PostgreSQL."""
    if not by_role:
        return "Whether the servers' connections to PostgreSQL used TLS was not recorded."
    used = [role for role, ssl in by_role.items() if ssl == "t"]
    if not used:
        return ("Both servers connect to PostgreSQL over TCP on this machine without TLS "
                f"(recorded by role: {', '.join(f'{k} {v}' for k, v in by_role.items())}).")
    return f"Connections to PostgreSQL used TLS for: {', '.join(used)} (recorded by role)."


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
    finds = "\n".join(f"| {t} | {v['ganbridge_search']} | {v['peer_ilike']} |" for t, v in r["w5_finds"].items())
    load = "; ".join(f"{store}: {v['seconds']} s wall ({' / '.join(v['output'][-2:])})" for store, v in r["load"].items())
    v = r["versions"]
    section = f"""<!-- bench:begin -->
## Against the peer: Ganbridge and PostGraphile over one PostgreSQL database

Written by `bench/run.sh {argv}` on {datetime.date.today().isoformat()}: {r['companies']:,} companies
(`ganbridge seed synthetic`), {r['connections']} connections, {r['warmup_s']} s warm-up then {r['duration_s']} s
measured per workload and server, one after the other in the same run.

Machine: {r['machine']}. {v['rustc']}; {v['postgresql']}; PostGraphile {v['postgraphile']} on Node.js {v['node']}.
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
