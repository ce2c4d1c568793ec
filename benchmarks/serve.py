"""The web validator under load (issue 14): a real `govcat serve` on loopback, real workbooks.

    python benchmarks/serve.py [--tiny] [--clients 10] [--requests 20] [--big-rows 200000]
                               [--big-limits 100000,250000] [--results-dir DIR]

1. **medium**: a 100-resource workbook (1,500 items, written by `govcat convert` from a corpus.py
   catalog) posted by ``--clients`` concurrent clients, ``--requests`` each: latency p50/p95/max and
   every status (the target: p95 <= 1 s, no error response).
2. **big**: a workbook whose 信息项 sheet has ``--big-rows`` rows, posted once while two clients keep
   posting a small catalog; for each server ``--max-rows`` in ``--big-limits`` (the default limit
   answers with a limit message, a raised one with the full report): its answer and time (target
   <= 30 s), the small requests' latencies meanwhile (they must keep being served).
3. Throughout: the memory of the server and all its processes (fork server, workers), sampled every
   100 ms from /proc: the sum of RSS (shared pages counted in each process) and of PSS (shared pages
   divided among them). Target: <= 500 MB.

Prints a table and writes ``results/serve-<label>.json``. The workbooks are kept in
``benchmarks/.corpus/serve-*`` and reused. ``--tiny`` is the smoke test's mode (seconds, not figures).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
AS_OF = "2026-11-22"
SMALL = REPO / "catalogs" / "11330100MB0000012X" / "catalog.yaml"


def _python() -> list[str]:
    return [sys.executable]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")])}


def workbook(out: Path, resources: int, items: int) -> Path:
    """A department's workbook from corpus.py's catalog, converted by `govcat convert` (cached)."""
    target = out / f"{resources}x{items}.xlsx"
    if target.is_file():
        return target
    corpus = out / f"corpus-{resources}x{items}"
    subprocess.run([*_python(), str(HERE / "corpus.py"), str(corpus), "--departments", "1", "--resources",
                    str(resources), "--items", str(items)], check=True, capture_output=True, timeout=600)
    [catalog] = sorted((corpus / "catalogs").glob("*/catalog.yaml"))
    subprocess.run([*_python(), "-m", "govcat", "convert", str(catalog), "-o", str(target)], check=True,
                   capture_output=True, env=_env(), cwd=out, timeout=1800)
    return target


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, *options: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen([*_python(), "-m", "govcat", "serve", "--port", str(self.port),
                                         "--workspace", str(REPO), *options], env=_env(),
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=5):
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit("govcat serve did not start")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _tree(root: int) -> list[int]:
    """The process and all its descendants (the fork server's workers are its grandchildren)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        found.extend(frontier)
    return found


def _cpu_seconds(root: int) -> float:
    """User and system CPU time of the tree so far (processes that ended are not counted)."""
    total = 0
    for pid in _tree(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            continue
    return total / os.sysconf("SC_CLK_TCK")


def _memory(root: int) -> tuple[int, int]:
    """(sum of RSS, sum of PSS) of the tree, in kB."""
    rss = pss = 0
    for pid in _tree(root):
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except OSError:
            continue
    return rss, pss


class Sampler(threading.Thread):
    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root, self.peak_rss, self.peak_pss = root, 0, 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            rss, pss = _memory(self.root)
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
            time.sleep(0.1)

    def stop(self) -> dict[str, int]:
        self.done.set()
        self.join()
        return {"peak_rss_mb": self.peak_rss // 1024, "peak_pss_mb": self.peak_pss // 1024}


def post(client: httpx.Client, url: str, name: str, data: bytes) -> tuple[float, int, str]:
    started = time.perf_counter()
    response = client.post(url + "/api/v1/validate", params={"as_of": AS_OF}, files=[("file", (name, data))])
    seconds = time.perf_counter() - started
    detail = response.json().get("error", {}).get("message", "") if response.status_code != 200 else ""
    return seconds, response.status_code, detail


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))] if ordered else 0.0


def _latencies(values: list[float]) -> dict[str, float]:
    return {"n": len(values), "p50_s": round(statistics.median(values), 3) if values else 0.0,
            "p95_s": round(percentile(values, 95), 3), "max_s": round(max(values, default=0.0), 3)}


def medium(server: Server, path: Path, clients: int, requests: int) -> dict[str, Any]:
    data = path.read_bytes()
    with httpx.Client(timeout=300) as warm:
        for _ in range(2):
            post(warm, server.url, path.name, data)
    results: list[tuple[float, int, str]] = []
    lock = threading.Lock()

    def client_loop() -> None:
        with httpx.Client(timeout=300) as client:
            for _ in range(requests):
                answer = post(client, server.url, path.name, data)
                with lock:
                    results.append(answer)

    sampler = Sampler(server.process.pid)
    sampler.start()
    cpu_before = _cpu_seconds(server.process.pid)
    load = os.getloadavg()[0]
    started = time.perf_counter()
    threads = [threading.Thread(target=client_loop) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    cpu = _cpu_seconds(server.process.pid) - cpu_before
    statuses: dict[str, int] = {}
    for _, status, _ in results:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    return {"workbook": path.name, "bytes": len(data), "clients": clients, "requests": len(results),
            "wall_s": round(wall, 2), "requests_per_s": round(len(results) / wall, 2), "statuses": statuses,
            "server_cpu_ms_per_request": round(1000 * cpu / max(1, len(results)), 1),
            "load_average_before": round(load, 2),
            **_latencies([s for s, status, _ in results if status == 200]), **sampler.stop()}


def big(server: Server, path: Path, small: Path) -> dict[str, Any]:
    data, small_data = path.read_bytes(), small.read_bytes()
    smalls: list[tuple[float, int, str]] = []
    done = threading.Event()

    def small_loop() -> None:
        with httpx.Client(timeout=300) as client:
            while not done.is_set():
                smalls.append(post(client, server.url, small.name, small_data))
                time.sleep(0.05)

    sampler = Sampler(server.process.pid)
    sampler.start()
    threads = [threading.Thread(target=small_loop) for _ in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    with httpx.Client(timeout=600) as client:
        seconds, status, detail = post(client, server.url, path.name, data)
    done.set()
    for thread in threads:
        thread.join()
    time.sleep(2)  # a worker that grew is replaced after answering: what the server keeps afterwards
    after_rss, after_pss = _memory(server.process.pid)
    small_statuses: dict[str, int] = {}
    for _, s, _ in smalls:
        small_statuses[str(s)] = small_statuses.get(str(s), 0) + 1
    return {"workbook": path.name, "bytes": len(data), "status": status, "seconds": round(seconds, 2),
            "message": detail, "small_statuses": small_statuses,
            "small": _latencies([s for s, status, _ in smalls if status == 200]), **sampler.stop(),
            "after_rss_mb": after_rss // 1024, "after_pss_mb": after_pss // 1024}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tiny", action="store_true", help="a few seconds: the smoke test's mode")
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--requests", type=int, default=20, help="requests per client")
    parser.add_argument("--resources", type=int, default=100)
    parser.add_argument("--items", type=int, default=15)
    parser.add_argument("--big-rows", type=int, default=200_000)
    parser.add_argument("--big-limits", default="100000,250000", help="server --max-rows values for the big run")
    parser.add_argument("--only", choices=["medium", "big"], help="run one part only")
    parser.add_argument("--corpus-dir", type=Path, default=HERE / ".corpus" / "serve")
    parser.add_argument("--results-dir", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    if args.tiny:
        args.clients, args.requests, args.resources, args.items, args.big_rows = 2, 2, 5, 5, 2_000
        args.big_limits = "1000,10000"
    args.corpus_dir.mkdir(parents=True, exist_ok=True)
    per_resource = 167  # distinct data elements per resource, so the big sheet is valid, not 200,000 duplicates
    medium_book = workbook(args.corpus_dir, args.resources, args.items)
    big_book = workbook(args.corpus_dir, math.ceil(args.big_rows / per_resource), per_resource)
    label = "tiny" if args.tiny else f"{args.resources}x{args.items}-{args.clients}c" + (f"-{args.only}" if args.only else "")
    result: dict[str, Any] = {"label": label, "cores": os.cpu_count(), "as_of": AS_OF, "big": []}
    if args.only != "big":
        server = Server()
        try:
            result["medium"] = medium(server, medium_book, args.clients, args.requests)
        finally:
            server.stop()
    for limit in (int(v) for v in args.big_limits.split(",") if v and args.only != "medium"):
        server = Server("--max-rows", str(limit))
        try:
            result["big"].append({"max_rows": limit, **big(server, big_book, SMALL)})
        finally:
            server.stop()
    args.results_dir.mkdir(parents=True, exist_ok=True)
    (args.results_dir / f"serve-{label}.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n",
                                                         encoding="utf-8")
    m = result.get("medium")
    if m:
        print(f"medium {m['workbook']} ({m['bytes'] // 1024} KiB): {m['clients']} clients × {args.requests}: "
              f"p50 {m['p50_s']} s, p95 {m['p95_s']} s, max {m['max_s']} s, {m['requests_per_s']} req/s, "
              f"statuses {m['statuses']}, server CPU {m['server_cpu_ms_per_request']} ms/request, "
              f"peak RSS {m['peak_rss_mb']} MB (PSS {m['peak_pss_mb']} MB), load average before "
              f"{m['load_average_before']}")
    for b in result["big"]:
        print(f"big {b['workbook']} ({b['bytes'] // 1024} KiB), --max-rows {b['max_rows']}: HTTP {b['status']} in "
              f"{b['seconds']} s {b['message'][:60]}; small meanwhile {b['small']} {b['small_statuses']}; "
              f"peak RSS {b['peak_rss_mb']} MB (PSS {b['peak_pss_mb']} MB), afterwards {b['after_rss_mb']} MB "
              f"(PSS {b['after_pss_mb']} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
