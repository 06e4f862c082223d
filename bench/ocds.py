"""The open-data benchmark: OCDS pages, records and bulk files at scale.

Run through bench/ocds.sh. It seeds `ganbridge seed synthetic --companies N` (100,000 by default,
so N/10 tenders, each with one release) into a new PostgreSQL database (and, unless
--no-sqlite, a SQLite file), starts the production build, and measures, one request at a time
from one client on the same machine:
  - a page of 1,000 releases (`/ocds/releases?limit=1000`), at cursors spread over the list;
  - one tender's record (`/ocds/records/{ocid}`), for ocids drawn over all tenders;
  - the largest yearly bulk file of releases and of records: the first download (the file is
    written, then streamed) and the next (streamed from disk), with the server's resident
    memory sampled every 5 ms while it streams, and its peak (VmHWM) after.
It prints a JSON summary and writes it to bench/ocds_results.json.
"""

import argparse
import base64
import gzip
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(ROOT, os.environ.get("CARGO_TARGET_DIR") or "target", "production", "ganbridge")
PORT = 18290


def log(message):
    print(f"[ocds bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def env_for(data_dir, database_url):
    env = dict(os.environ)
    for k in ["MEILI_URL", "DATABASE_URL", "GANBRIDGE_CONFIG"]:
        env.pop(k, None)
    env.update({"GANBRIDGE_DATA_DIR": data_dir, "GANBRIDGE_LISTEN": f"127.0.0.1:{PORT}",
                "GANBRIDGE_DEMO": "false", "GANBRIDGE_LOG_FORMAT": "json", "RUST_LOG": "warn",
                "GANBRIDGE_QUOTA_ANONYMOUS": "1000000000000000"})
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def get(path):
    started = time.perf_counter()
    with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=600) as r:
        body = r.read()
        status = r.status
    return (time.perf_counter() - started) * 1000, status, body


def status_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def p50(values):
    return round(statistics.median(values), 2)


def measure(store, data_dir, database_url, samples):
    env = env_for(data_dir, database_url)
    server = subprocess.Popen([BINARY, "serve"], env=env, stdout=subprocess.DEVNULL,
                              stderr=open(os.path.join(data_dir, "server.log"), "w"))
    try:
        for _ in range(600):
            try:
                get("/healthz")
                break
            except Exception:
                time.sleep(0.5)
        result = {"store": store}
        first = json.loads(get("/ocds/releases?limit=1000")[2])
        total = json.loads(get("/ocds/bulk")[2])
        releases_total = sum(f["count"] for f in total["releases"])
        result["releases"] = releases_total
        result["records"] = sum(f["count"] for f in total["records"])
        # Pages at cursors spread over the whole list (the cursor is a release's place).
        times = []
        for i in range(samples):
            after = random.randrange(0, max(1, releases_total - 1000))
            cursor = base64.urlsafe_b64encode(f"releases:{after}".encode()).decode().rstrip("=")
            ms, status, body = get(f"/ocds/releases?limit=1000&cursor={cursor}")
            assert status == 200 and len(json.loads(body)["releases"]) == 1000
            times.append(ms)
        result["page_1000_p50_ms"] = p50(times)
        result["page_1000_bytes"] = len(get("/ocds/releases?limit=1000")[2])
        prefix = first["releases"][0]["ocid"].rsplit("-", 1)[0]
        tenders = result["records"]
        times = []
        for i in range(samples * 4):
            ocid = f"{prefix}-{random.randrange(1, tenders + 1):06d}"
            ms, status, _ = get(f"/ocds/records/{ocid}")
            assert status == 200
            times.append(ms)
        result["record_p50_ms"] = p50(times)
        for kind in ["releases", "records"]:
            largest = max(total[kind], key=lambda f: f["count"])
            path = largest["url"].split(f":{PORT}", 1)[1]
            runs = []
            for attempt in ["first", "next"]:
                # The index wrote the files already: remove them, so that the first download
                # writes its file and the next streams it.
                if attempt == "first":
                    bulk_dir = os.path.join(data_dir, "ocds-bulk")
                    for name in os.listdir(bulk_dir):
                        os.remove(os.path.join(bulk_dir, name))
                peak = [status_kb(server.pid, "VmRSS")]
                before = peak[0]
                done = threading.Event()

                def sample():
                    while not done.is_set():
                        peak[0] = max(peak[0], status_kb(server.pid, "VmRSS"))
                        time.sleep(0.005)

                sampler = threading.Thread(target=sample)
                sampler.start()
                ms, status, body = get(path)
                done.set()
                sampler.join()
                count = len(json.loads(gzip.decompress(body))[kind])
                assert status == 200 and count == largest["count"]
                runs.append({"attempt": attempt, "ms": round(ms, 1), "gzip_bytes": len(body),
                             "rss_before_mb": round(before / 1024, 1),
                             "rss_peak_mb": round(peak[0] / 1024, 1)})
            result[f"bulk_{kind}"] = {"year": largest["year"], "count": largest["count"],
                                      "runs": runs}
        result["server_peak_rss_mb"] = round(status_kb(server.pid, "VmHWM") / 1024, 1)
        return result
    finally:
        server.terminate()
        server.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--companies", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--admin-url", default=os.environ.get(
        "BENCH_ADMIN_URL", "postgres://root@127.0.0.1:5432/postgres"))
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    random.seed(2014)
    results = {"companies": args.companies, "machine": f"{os.cpu_count()} cores",
               "date": time.strftime("%Y-%m-%d"), "runs": []}
    db = f"ganbridge_ocds_bench_{os.getpid()}"
    base = args.admin_url.rsplit("/", 1)[0]
    subprocess.run(["psql", args.admin_url, "-qc", f"CREATE DATABASE {db}"], check=True)
    try:
        stores = [("postgres", f"{base}/{db}")]
        if not args.no_sqlite:
            stores.append(("sqlite", None))
        for store, url in stores:
            with tempfile.TemporaryDirectory() as data_dir:
                log(f"seeding {args.companies} companies on {store}")
                started = time.time()
                subprocess.run([BINARY, "seed", "synthetic", "--companies", str(args.companies)],
                               env=env_for(data_dir, url), check=True, stdout=subprocess.DEVNULL)
                log(f"seeded in {time.time() - started:.1f} s; measuring")
                results["runs"].append(measure(store, data_dir, url, args.samples))
                log(json.dumps(results["runs"][-1]))
    finally:
        subprocess.run(["psql", args.admin_url, "-qc", f"DROP DATABASE IF EXISTS {db}"])
    with open(os.path.join(ROOT, "bench", "ocds_results.json"), "w") as f:
        json.dump(results, f, indent=2)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    sys.exit(main())
