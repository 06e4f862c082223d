"""The explorer benchmark: each page's server time and weight at scale, and Lighthouse.

Run through bench/web.sh. It seeds `ganbridge seed synthetic --companies N` (100,000 by
default) into a SQLite file (and, with --postgres, a new PostgreSQL database), starts the
production build, waits until the search index is built, and measures, one request at a time
from one client on the same machine:
  - for each page (search with and without words and with a facet, a company, a tender, a park,
    the statistics, a comparison), the median of the server's own time (its Server-Timing
    header) and of a whole request (that plus a local round trip), over pages drawn across the
    dataset;
  - each page's weight: its HTML and the stylesheet and script it loads, as sent with gzip;
  - Lighthouse 12 (mobile, its default throttling) performance and accessibility scores for the
    search, company and statistics pages, with the system Chromium.
It prints a JSON summary and writes it to bench/web_results.json.
"""

import argparse
import gzip
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(ROOT, os.environ.get("CARGO_TARGET_DIR") or "target", "production", "ganbridge")
PORT = 18291
BASE = f"http://127.0.0.1:{PORT}"


def log(message):
    print(f"[web bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


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


def get(path, gzip_ok=False):
    headers = {"Accept": "text/html", "Accept-Language": "en"}
    if gzip_ok:
        headers["Accept-Encoding"] = "gzip"
    request = urllib.request.Request(BASE + path, headers=headers)
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as r:
        body = r.read()
        status = r.status
        timing = r.headers.get("Server-Timing", "")
    return (time.perf_counter() - started) * 1000, status, body, server_ms(timing)


def server_ms(timing):
    """The server's own time from its `Server-Timing: app;dur=<ms>` header, or None."""
    for metric in timing.split(","):
        name, _, rest = metric.strip().partition(";")
        if name == "app" and rest.startswith("dur="):
            return float(rest[4:])
    return None


def graphql(query, variables=None):
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(BASE + "/graphql", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as r:
        return json.loads(r.read())


def ids(kind, count):
    """Global ids of `count` records of a kind drawn across all of them."""
    total = graphql("{ search(query: \"\", types: [%s], first: 0) { totalHits } }" % kind.upper())
    total = total["data"]["search"]["totalHits"]
    import base64
    name = kind.capitalize()
    return [base64.urlsafe_b64encode(f"{name}:{random.randrange(1, total + 1)}".encode())
            .decode().rstrip("=") for _ in range(count)]


def weight(path):
    """Bytes sent with gzip: the page, and the stylesheet and script it loads."""
    _, _, page, _ = get(path, gzip_ok=True)
    total = len(page)
    for asset in ["/assets/web/explorer.css", "/assets/web/explorer.js"]:
        total += len(get(asset, gzip_ok=True)[2])
    return round(total / 1024, 1)


def lighthouse(path):
    with tempfile.TemporaryDirectory() as out:
        report = os.path.join(out, "report.json")
        subprocess.run([os.environ["LIGHTHOUSE"], BASE + path,
                        "--chrome-flags=--headless=new --no-sandbox",
                        "--only-categories=performance,accessibility",
                        "--output=json", f"--output-path={report}", "--quiet"], check=True)
        with open(report) as f:
            data = json.load(f)
    categories = data["categories"]
    return {"performance": round(categories["performance"]["score"] * 100),
            "accessibility": round(categories["accessibility"]["score"] * 100),
            "lcp_ms": round(data["audits"]["largest-contentful-paint"]["numericValue"])}


def measure(store, data_dir, database_url, samples, with_lighthouse):
    server = subprocess.Popen([BINARY, "serve"], env=env_for(data_dir, database_url),
                              stdout=subprocess.DEVNULL,
                              stderr=open(os.path.join(data_dir, "server.log"), "w"))
    try:
        started = time.time()
        while True:
            if server.poll() is not None or time.time() - started > 900:
                raise SystemExit(f"the server did not become ready; see {data_dir}/server.log")
            try:
                with urllib.request.urlopen(BASE + "/readyz", timeout=5) as r:
                    if r.status == 200:
                        break
            except Exception:
                pass
            time.sleep(0.5)
        log(f"{store}: ready (index built) in {time.time() - started:.1f} s")
        companies, tenders, parks = ids("company", samples), ids("tender", samples), ids("park", samples)
        compare = [f"/compare?id={companies[i]}&id={companies[(i + 1) % samples]}&id={companies[(i + 2) % samples]}"
                   for i in range(samples)]
        words = ["软件", "software", "呼叫中心", "data", "南昌", "testing", "设计", "finance"]
        pages = {
            "search (everything)": ["/"] * samples,
            "search (words)": [f"/?q={urllib.parse.quote(random.choice(words))}" for _ in range(samples)],
            "search (words + facet)": [f"/?q={urllib.parse.quote(random.choice(words))}&type=COMPANY&band=FROM_50_TO_199"
                                       for _ in range(samples)],
            "company": [f"/companies/{i}" for i in companies],
            "tender": [f"/tenders/{i}" for i in tenders],
            "park": [f"/parks/{i}" for i in parks],
            "statistics": ["/statistics"] * samples,
            "compare (3)": compare,
        }
        result = {"store": store, "pages": {}}
        for name, paths in pages.items():
            get(paths[0])
            times, server_times = [], []
            for path in paths:
                ms, status, _, server_ms_taken = get(path)
                assert status == 200, (path, status)
                assert server_ms_taken is not None, (path, "no Server-Timing")
                times.append(ms)
                server_times.append(server_ms_taken)
            result["pages"][name] = {"server_p50_ms": round(statistics.median(server_times), 2),
                                     "p50_ms": round(statistics.median(times), 2),
                                     "weight_kb_gzip": weight(paths[0])}
            log(f"{store}: {name}: {result['pages'][name]}")
        if with_lighthouse:
            result["lighthouse"] = {}
            for name, path in [("search", "/?q=%E8%BD%AF%E4%BB%B6"), ("company", f"/companies/{companies[0]}"),
                               ("statistics", "/statistics")]:
                result["lighthouse"][name] = lighthouse(path)
                log(f"{store}: lighthouse {name}: {result['lighthouse'][name]}")
        return result
    finally:
        server.terminate()
        server.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--companies", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--admin-url", default=os.environ.get(
        "BENCH_ADMIN_URL", "postgres://root@127.0.0.1:5432/postgres"))
    args = parser.parse_args()
    random.seed(2014)
    results = {"companies": args.companies, "machine": f"{os.cpu_count()} cores",
               "date": time.strftime("%Y-%m-%d"), "runs": []}
    stores = [("sqlite", None)]
    db = f"ganbridge_web_bench_{os.getpid()}"
    base = args.admin_url.rsplit("/", 1)[0]
    if args.postgres:
        subprocess.run(["psql", args.admin_url, "-qc", f"CREATE DATABASE {db}"], check=True)
        stores.append(("postgres", f"{base}/{db}"))
    try:
        for store, url in stores:
            with tempfile.TemporaryDirectory() as data_dir:
                log(f"seeding {args.companies} companies on {store}")
                started = time.time()
                subprocess.run([BINARY, "seed", "synthetic", "--companies", str(args.companies)],
                               env=env_for(data_dir, url), check=True, stdout=subprocess.DEVNULL)
                log(f"seeded in {time.time() - started:.1f} s; measuring")
                results["runs"].append(measure(store, data_dir, url, args.samples, store == "sqlite"))
    finally:
        if args.postgres:
            subprocess.run(["psql", args.admin_url, "-qc", f"DROP DATABASE IF EXISTS {db}"])
    with open(os.path.join(ROOT, "bench", "web_results.json"), "w") as f:
        json.dump(results, f, indent=2)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    sys.exit(main())
