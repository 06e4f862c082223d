#!/usr/bin/env python3
"""Search through the whole server: `ganbridge serve` over a synthetic SQLite database, asked
the benchmark's W5 searches over HTTP, on the embedded engine and (with --meili-url) on
Meilisearch, whose same searches are also sent to it directly, with the body Ganbridge's adapter
sends, for the overhead ratio. Prints Markdown.

  bench/search_server.py --bin target/release/ganbridge [--companies N] [--rounds R]
      [--meili-url URL --meili-key KEY [--meili-pid PID]]
"""
import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

# The terms of the benchmark's W5 (bench/run.py).
TERMS = ["software", "data", "finance", "animation", "logistics", "design", "cloud", "medical"]
W5 = ("query($q: String!) { search(query: $q, types: [COMPANY], first: 20) { totalHits "
      "edges { node { ... on Company { name } } } } }")
IDS_ONLY = "query($q: String!) { search(query: $q, types: [COMPANY], first: 20) { totalHits edges { cursor } } }"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def cpu_seconds(pid):
    if pid is None:
        return 0.0
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(") ", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Client:
    def __init__(self, url, key=None):
        u = urllib.parse.urlparse(url)
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        self.headers = {"content-type": "application/json"}
        if key:
            self.headers["authorization"] = f"Bearer {key}"

    def post(self, path, body):
        self.conn.request("POST", path, json.dumps(body), self.headers)
        r = self.conn.getresponse()
        data = r.read()
        if r.status != 200:
            raise SystemExit(f"{path} answered {r.status}: {data[:300]!r}")
        return json.loads(data)


def measure(send, rounds, pids):
    for t in TERMS:
        send(t)
    times = []
    before = [cpu_seconds(p) for p in pids]
    for i in range(rounds):
        t = TERMS[i % len(TERMS)]
        started = time.perf_counter()
        send(t)
        times.append((time.perf_counter() - started) * 1000)
    after = [cpu_seconds(p) for p in pids]
    times.sort()
    cpu = [(a - b) * 1000 / rounds for a, b in zip(after, before)]
    return {
        "p50": statistics.median(times),
        "p99": times[min(len(times) - 1, int(len(times) * 0.99))],
        "cpu": cpu,
    }


def meili_idle(client):
    """Waits until Meilisearch has no task enqueued or processing, so that no background work
    is counted against the searches."""
    deadline = time.time() + 600
    while time.time() < deadline:
        client.conn.request("GET", "/tasks?statuses=enqueued,processing&limit=1", headers=client.headers)
        r = client.conn.getresponse()
        body = json.loads(r.read())
        if not body.get("results"):
            return
        time.sleep(0.5)
    raise SystemExit("Meilisearch never became idle")


def start(binary, env, port):
    proc = subprocess.Popen([binary, "serve", "--listen", f"127.0.0.1:{port}", "--no-demo"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 600
    while time.time() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/readyz")
            r = c.getresponse()
            ready = json.loads(r.read())
            # Ready, and no search change left to apply: nothing runs beside the searches.
            if r.status == 200 and ready.get("outbox", {}).get("depth") == 0:
                return proc
        except OSError:
            pass
        time.sleep(0.5)
    proc.kill()
    raise SystemExit("the server never became ready")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--companies", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=400)
    ap.add_argument("--meili-url")
    ap.add_argument("--meili-key")
    ap.add_argument("--meili-pid", type=int)
    a = ap.parse_args()
    data = tempfile.mkdtemp(prefix="ganbridge-search-bench-")
    base = {k: v for k, v in os.environ.items() if not k.startswith(("MEILI_", "DATABASE_URL"))}
    base.update({"GANBRIDGE_DATA_DIR": data, "RUST_LOG": "warn",
                 "GANBRIDGE_QUOTA_ANONYMOUS": "1000000000"})
    started = time.time()
    out = subprocess.run([a.bin, "seed", "synthetic", "--companies", str(a.companies)], env=base,
                         capture_output=True, text=True, check=True)
    print(f"Loaded in {time.time() - started:.1f} s: {out.stdout.strip().splitlines()[0]}\n")
    rows = []
    port = free_port()
    server = start(a.bin, base, port)
    api = Client(f"http://127.0.0.1:{port}")
    for label, doc in [("W5 (20 names)", W5), ("search only (20 cursors)", IDS_ONLY)]:
        r = measure(lambda t: api.post("/graphql", {"query": doc, "variables": {"q": t}}),
                    a.rounds, [server.pid])
        rows.append(("embedded", label, r, None))
    server.terminate()
    server.wait()
    if a.meili_url:
        index = "ganbridge_search_bench"
        env = dict(base, MEILI_URL=a.meili_url, GANBRIDGE_MEILI_INDEX=index)
        if a.meili_key:
            env["MEILI_MASTER_KEY"] = a.meili_key
        started = time.time()
        out = subprocess.run([a.bin, "reindex"], env=env, capture_output=True, text=True, check=True)
        print(f"Meilisearch filled in {time.time() - started:.1f} s: {out.stdout.strip()}\n")
        port = free_port()
        server = start(a.bin, env, port)
        api = Client(f"http://127.0.0.1:{port}")
        meili = Client(a.meili_url, a.meili_key)
        meili_idle(meili)

        def direct(t):
            meili.post(f"/indexes/{index}/search", {
                "q": t, "filter": 'type IN ["COMPANY"]', "page": 1, "hitsPerPage": 20,
                "facets": ["type"], "attributesToRetrieve": ["key"],
                "attributesToHighlight": ["name_en", "name_zh", "description_en", "description_zh"],
                "attributesToCrop": ["description_en:30", "description_zh:30"], "cropMarker": "…"})

        straight = measure(direct, a.rounds, [a.meili_pid])
        for label, doc in [("W5 (20 names)", W5), ("search only (20 cursors)", IDS_ONLY)]:
            r = measure(lambda t: api.post("/graphql", {"query": doc, "variables": {"q": t}}),
                        a.rounds, [server.pid, a.meili_pid])
            rows.append(("meilisearch", label, r, straight))
        server.terminate()
        server.wait()
    shutil.rmtree(data, ignore_errors=True)
    print("| engine | request | p50 ms | p99 ms | Ganbridge CPU ms per search | Meilisearch CPU ms per search | Meilisearch directly: p50 ms | p50 ratio |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for engine, label, r, straight in rows:
        meili_cpu = f"{r['cpu'][1]:.2f}" if len(r["cpu"]) > 1 and a.meili_pid else "—"
        if straight:
            print(f"| {engine} | {label} | {r['p50']:.2f} | {r['p99']:.2f} | {r['cpu'][0]:.2f} | {meili_cpu} "
                  f"| {straight['p50']:.2f} | {r['p50'] / straight['p50']:.2f}× |")
        else:
            print(f"| {engine} | {label} | {r['p50']:.2f} | {r['p99']:.2f} | {r['cpu'][0]:.2f} | — | — | — |")
    if a.meili_url and a.meili_pid:
        print(f"\nMeilisearch answering the same searches directly: {straight['cpu'][0]:.2f} ms of its CPU per search.")
    print(f"\nOne client, sequential requests over one kept-alive connection; {a.rounds} requests per row "
          f"over the {len(TERMS)} W5 terms ({', '.join(TERMS)}), after one warm-up each.")


if __name__ == "__main__":
    sys.exit(main())
