"""Scaling through the balancer: the partner mix (W6 of bench/run.py: 70% W2, 20% W1, 10% W5)
sent through HAProxy to three, then two, then one Ganbridge server, over PostgreSQL and
Meilisearch, all started by deploy/local/topology.sh on this machine.

    python3 bench/topology.py [--companies N] [--duration S] [--warmup S] [--connections C]

It loads `ganbridge seed synthetic --companies N` (100,000 by default) once, measures W6 with
wrk with three servers in rotation, stops one server (SIGTERM: it drains and HAProxy takes it
out), measures again, and so on; each server's peak resident memory is sampled during each run.
Results go to bench/topology.json and the "Several servers" section of bench/RESULTS.md.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402  (the workloads, shared with the benchmark against the peer)

ROOT = run.ROOT
SCRIPT = os.path.join(ROOT, "deploy", "local", "topology.sh")
BEGIN, END = "<!-- topology:begin -->", "<!-- topology:end -->"


def topology(env, *args):
    subprocess.run(["bash", SCRIPT, *args], env=env, check=True)


def read_env(path):
    out = subprocess.run(["bash", "-c", 'set -a; . "$1"; env', "_", path], env={},
                         capture_output=True, text=True, check=True).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0.0


def wrk(url, script, duration, connections, capture=True):
    return subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency",
                           "--timeout", "30s", "-s", script, url],
                          capture_output=capture, text=True, check=True).stdout


def measure(url, script, duration, warmup, connections, pids):
    wrk(url, script, warmup, connections)
    peaks = {n: 0.0 for n in pids}
    done = threading.Event()

    def sample():
        while not done.is_set():
            for n, pid in pids.items():
                peaks[n] = max(peaks[n], rss_mb(pid))
            time.sleep(0.5)
    sampler = threading.Thread(target=sample)
    sampler.start()
    out = wrk(url, script, duration, connections)
    done.set()
    sampler.join()

    return {**run.wrk_figures(out),
            "rss_mb": {f"server-{n}": round(v, 1) for n, v in peaks.items()}}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--companies", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--binary", default=os.environ.get(
        "BENCH_BINARY", os.path.join(ROOT, "target", "release", "ganbridge")))
    a = parser.parse_args()
    work = tempfile.mkdtemp(prefix="ganbridge-topology-bench-")
    os.chmod(work, 0o755)  # PostgreSQL's own user (when run as root) keeps its cluster here
    env = dict(os.environ, GANBRIDGE_TOPOLOGY_DIR=os.path.join(work, "run"),
               GANBRIDGE_TOPOLOGY_PORT="18380", GANBRIDGE_TOPOLOGY_SERVERS="3",
               GANBRIDGE_TOPOLOGY_DATASET=f"synthetic:{a.companies}", GANBRIDGE_BIN=a.binary,
               RUST_LOG="warn",
               # One client sends everything: its quota must not be what is measured.
               GANBRIDGE_QUOTA_ANONYMOUS="1000000000000000")
    results = {"machine": run.machine(), "companies": a.companies, "connections": a.connections,
               "duration_s": a.duration, "warmup_s": a.warmup, "binary": os.path.relpath(a.binary, ROOT),
               "runs": []}
    started = time.time()
    topology(env, "up", "--detach")
    results["up_seconds"] = round(time.time() - started, 1)
    try:
        t = read_env(os.path.join(work, "run", "topology.env"))
        database_url = t["DATABASE_URL"]
        run.psql(database_url, "VACUUM ANALYZE")
        year = int(run.psql(database_url, "SELECT max(year) FROM company_figures"))
        district_ids = dict(r.split("|") for r in run.psql(database_url, "SELECT code, id FROM district").splitlines())
        district_ids = {k.lower(): int(v) for k, v in district_ids.items()}
        all_ids = [int(x) for x in run.psql(database_url, "SELECT id FROM company ORDER BY id").split()]
        ids = all_ids[::max(1, len(all_ids) // 200)][:200]
        workloads = {"W1": run.w1(ids, year), "W2": run.w2(district_ids), "W5": run.w5()}
        w6 = []
        for i in range(100):
            source = "W2" if i % 10 < 7 else "W1" if i % 10 < 9 else "W5"
            bodies = workloads[source][0]
            w6.append(bodies[i % len(bodies)])
        script = os.path.join(work, "W6.lua")
        run.lua(w6, script)
        url = t["BALANCER_URL"]
        for servers in [3, 2, 1]:
            pids = {}
            for n in range(1, servers + 1):
                with open(os.path.join(work, "run", "pids", f"server-{n}")) as f:
                    pids[n] = int(f.read())
            run.log(f"W6 through HAProxy with {servers} server(s)")
            entry = measure(url, script, a.duration, a.warmup, a.connections, pids)
            entry["servers"] = servers
            run.log(json.dumps(entry))
            results["runs"].append(entry)
            if servers > 1:
                topology(env, "server", "stop", str(servers))
                # Out of rotation: HAProxy's checks found it gone.
                time.sleep(4)
        # What the balancer costs: the same mix straight to the one server left.
        run.log("W6 straight to server 1, past the balancer")
        entry = measure(f"http://127.0.0.1:{t['SERVER_1_PORT']}", script, a.duration, a.warmup,
                        a.connections, pids)
        entry["servers"] = "1, no balancer"
        run.log(json.dumps(entry))
        results["runs"].append(entry)
    finally:
        topology(env, "down")
    with open(os.path.join(run.BENCH, "topology.json"), "w") as f:
        json.dump(results, f, indent=2)
    write_markdown(results)


def write_markdown(r):
    lines = [BEGIN, "", "## Several servers behind the balancer", "",
             "Written by `python3 bench/topology.py` (replaced when it runs again). "
             f"Machine: {r['machine']}. The partner mix (W6: 70% W2, 20% W1, 10% W5) at "
             f"{r['companies']:,} companies, sent by wrk ({r['connections']} connections, "
             f"{r['warmup_s']} s warm-up, {r['duration_s']} s measured) through HAProxy "
             "(`deploy/haproxy.cfg`) to the servers of `deploy/local/topology.sh`, over PostgreSQL "
             f"and Meilisearch on the same machine; `{r['binary']}`. Nothing is pinned to a core: "
             "wrk, HAProxy, the servers, PostgreSQL and Meilisearch share the two.", "",
             "| servers | requests/s | p50 | p99 | non-2xx | peak RSS of each server |",
             "|---|---|---|---|---|---|"]
    for e in r["runs"]:
        rss = ", ".join(f"{v:.0f} MB" for v in e["rss_mb"].values())
        lines.append(f"| {e['servers']} | {e['rps']:,.0f} | {e['p50_ms']} ms | {e['p99_ms']} ms | "
                     f"{e['non_2xx']} | {rss} |")
    lines += ["", f"Starting the topology with the dataset (`topology.sh up`: the cluster, the load, the index, "
              f"three servers, HAProxy) took {r['up_seconds']} s.", "", END]
    path = os.path.join(run.BENCH, "RESULTS.md")
    with open(path) as f:
        text = f.read()
    block = "\n".join(lines)
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + block + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    with open(path, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
