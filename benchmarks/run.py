"""The benchmark runner (issue 6): every tool on the same corpus, in one run, each in a new process.

    python benchmarks/run.py CORPUS [--only floor,govcat,...] [--timeout 900] [--postgres] [--profile]
    python benchmarks/run.py --table            # the Markdown table of every saved result

CORPUS is a folder written by ``benchmarks/corpus.py`` (``catalogs/`` and ``corpus.json``). Measured:

- floor: the fastest YAML parser just loading every file (read, decode, parse; imports excluded);
- govcat: ``govcat validate`` with every rule, in a new process: wall, CPU user+sys, peak RSS, items/s;
- check-jsonschema with ``generated/catalog.schema.json``, and ``linkml-validate -s schema/govcat.yaml
  -C Catalog`` (each capped by ``--timeout`` and then reported as "> N s");
- cold: one department's file (100 resources) in a new process, median of 5, import time included: alone
  (`--isolated`, issue 6) and with the rest of the workspace as context, no cache (issue 15);
- load: ``govcat load`` into SQLite, and into PostgreSQL with ``--postgres`` (skipped with a note while
  ``govcat.publishing.database`` does not exist).

Prints a table and writes ``benchmarks/results/<label>.json``. Numbers are measured, never asserted.
Every child is waited for with ``os.wait4``, so CPU time and peak RSS are the child's own.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import platform
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"
BIN = Path(sys.executable).parent
TOOLS = ("floor", "govcat", "serial", "cold", "check-jsonschema", "linkml", "load")
TARGETS = {
    "govcat_over_floor": 3.0, "govcat_over_floor_stretch": 2.0, "others_over_govcat": 30.0,
    "linearity_600_over_300": 2.2, "peak_rss_mb_at_300": 1024, "cold_one_department_s": 0.4,
    "defective_over_clean": 1.5,
}


# --- running a child ----------------------------------------------------------------------------------

@dataclass
class Run:
    wall: float
    user: float
    sys: float
    peak_rss_mb: float  # the largest single process (the child or one of its workers), from wait4
    returncode: int | None
    timed_out: bool
    timeout: float | None = None
    peak_total_mb: float | None = None  # all of its processes together (PSS, sampled), where /proc has it

    @property
    def cpu(self) -> float:
        return self.user + self.sys


def workspace(catalogs: Path, root: Path) -> None:
    """The parts of the repository a build and its site need (schema, generated, docs, mkdocs.yml),
    with a corpus's catalogs: province.py and site.py build in such a copy."""
    for name in ("schema", "generated"):
        shutil.copytree(REPO / name, root / name)
    shutil.copytree(REPO / "docs", root / "docs", ignore=lambda d, names: [
        n for n in names if Path(d) == REPO / "docs" and n in ("reference", "rules")])
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(catalogs, root / "catalogs")


def run_child(cmd: list[str], *, cwd: Path, timeout: float | None = None, stdout: Path | None = None,
              env: dict[str, str] | None = None) -> Run:
    """Run ``cmd`` in a new process group; its own rusage comes from ``os.wait4``."""
    out = open(stdout, "wb") if stdout else subprocess.DEVNULL  # noqa: SIM115 - closed below
    err = open(stdout.with_suffix(stdout.suffix + ".err"), "wb") if stdout else subprocess.DEVNULL  # noqa: SIM115
    try:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, env=env, start_new_session=True)
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill) if timeout else None
        if timer:
            timer.start()
        sampler = TotalMemory(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        sampler.stop()
        if timer:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
    finally:
        for handle in (out, err):
            if handle is not subprocess.DEVNULL:
                handle.close()  # type: ignore[union-attr]
    return Run(wall=wall, user=usage.ru_utime, sys=usage.ru_stime, peak_rss_mb=usage.ru_maxrss / 1024,
               returncode=None if timed_out.is_set() else proc.returncode, timed_out=timed_out.is_set(),
               timeout=timeout, peak_total_mb=sampler.peak_mb)


class TotalMemory(threading.Thread):
    """Samples the proportional set size (PSS) of every process in the child's process group every
    50 ms: the memory the run really takes when it forks workers (RSS would count the pages they
    share with the parent once per process; wait4 reports only the largest process)."""

    def __init__(self, group: int) -> None:
        super().__init__(daemon=True)
        self.group, self.peak_kb, self._done = group, 0, threading.Event()

    @property
    def peak_mb(self) -> float | None:
        return self.peak_kb / 1024 if self.peak_kb else None

    def stop(self) -> None:
        self._done.set()
        self.join()

    def run(self) -> None:
        while not self._done.wait(0.05):
            total = 0
            for pid in os.listdir("/proc") if os.path.isdir("/proc") else []:
                if not pid.isdigit():
                    continue
                try:
                    if os.getpgid(int(pid)) != self.group:
                        continue
                    with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
                        total += next(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
                except (OSError, StopIteration, ValueError):
                    continue  # the process ended meanwhile
            self.peak_kb = max(self.peak_kb, total)


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


# --- the floor ------------------------------------------------------------------------------------------

# Each candidate runs in its own process; imports happen before the clock starts.
FLOOR_SCRIPT = r"""
import json, sys, time
from pathlib import Path
name, files = sys.argv[1], [Path(p) for p in sys.argv[2:]]
if name == "pyyaml-csafeloader-load":
    import yaml
    def parse(raw): return yaml.load(raw.decode("utf-8"), Loader=yaml.CSafeLoader)
elif name == "libyaml-event-parse":
    import yaml
    def parse(raw):
        n = 0
        for _ in yaml.parse(raw.decode("utf-8"), Loader=yaml.CSafeLoader):
            n += 1
        return n
elif name == "yaml-rs-loads":
    import yaml_rs
    def parse(raw): return yaml_rs.loads(raw.decode("utf-8"))
elif name == "rapidyaml-tree":
    import ryml
    def parse(raw): return ryml.parse_in_arena(raw).size()
start, cpu = time.perf_counter(), time.process_time()
for path in files:
    parse(path.read_bytes())
print(json.dumps({"seconds": time.perf_counter() - start, "cpu_seconds": time.process_time() - cpu}))
"""
# name -> (module that must be importable, whether it hands Python the whole document)
FLOOR_CANDIDATES = {
    "pyyaml-csafeloader-load": ("yaml", True),
    "libyaml-event-parse": ("yaml", True),
    "yaml-rs-loads": ("yaml_rs", True),
    "rapidyaml-tree": ("ryml", False),
}


def available(module: str) -> bool:
    probe = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True)
    return probe.returncode == 0


def measure_floor(files: list[Path], cwd: Path, timeout: float, scratch: Path) -> dict[str, Any]:
    candidates: dict[str, Any] = {}
    for name, (module, python_objects) in FLOOR_CANDIDATES.items():
        if not available(module):
            candidates[name] = {"skipped": f"{module} is not installed"}
            continue
        out = scratch / f"floor-{name}.json"
        run = run_child([sys.executable, "-c", FLOOR_SCRIPT, name, *map(str, files)], cwd=cwd, timeout=timeout,
                        stdout=out)
        entry: dict[str, Any] = {**asdict(run), "python_objects": python_objects}
        if run.returncode == 0:
            entry.update(json.loads(out.read_text()))
        else:
            lines = out.with_suffix(".json.err").read_text(errors="replace").strip().splitlines()
            entry["error"] = f"> {timeout:g} s" if run.timed_out else (lines[-1] if lines else "failed")
        candidates[name] = entry
    usable = {n: c for n, c in candidates.items() if c.get("python_objects") and "seconds" in c}
    best = min(usable, key=lambda n: usable[n]["seconds"]) if usable else None
    return {"candidates": candidates, "best": best, "seconds": usable[best]["seconds"] if best else None,
            "cpu_seconds": usable[best].get("cpu_seconds") if best else None,
            "note": "floor = the fastest parser that hands Python the whole document (objects or events); "
                    "rapidyaml-tree builds only its C++ tree and is shown for reference"}


# --- govcat ---------------------------------------------------------------------------------------------

def govcat_cmd(*args: str) -> list[str]:
    script = BIN / "govcat"
    return [str(script), *args] if script.exists() else [sys.executable, "-m", "govcat", *args]


def measure_govcat(corpus: Path, manifest: dict[str, Any], timeout: float, scratch: Path,
                   repeat: int = 1, *options: str) -> dict[str, Any]:
    """`govcat validate catalogs` with every rule; the JSON report is checked against the manifest."""
    report_path = scratch / "govcat-report.json"
    runs = []
    for _ in range(repeat):
        load = load_average()
        # --no-cache: every repeat is a cold run (the incremental cache is measured by province.py).
        run = run_child(govcat_cmd("validate", "catalogs", "--as-of", manifest["as_of"], "--format", "json",
                                   "--output", str(report_path), "--no-cache", *options), cwd=corpus, timeout=timeout,
                        stdout=scratch / "govcat.out")
        runs.append({**asdict(run), "load_average_before": load})
    best = min(runs, key=lambda r: r["wall"])
    result: dict[str, Any] = {"runs": runs, **best}
    if best["timed_out"]:
        return result
    if best["returncode"] not in (0, 1):
        result["error"] = (scratch / "govcat.out.err").read_text(errors="replace")[-2000:]
        return result
    report = json.loads(report_path.read_text(encoding="utf-8"))
    codes = Counter(f["code"] for f in report["findings"])
    result["summary"] = report["summary"]
    result["findings"] = len(report["findings"])
    result["findings_by_code"] = dict(sorted(codes.items()))
    result["items_per_s"] = report["summary"]["items"] / best["wall"]
    expected = sorted({c for d in manifest["defects"] for c in d["expected"]})
    result["expected_codes"] = expected
    result["missing_codes"] = sorted(set(expected) - set(codes))
    result["unexpected_codes"] = sorted(set(codes) - set(expected))
    # Every defect must be found where it was put, and nothing else may be found.
    located = [(f["code"], f["file"], f["pointer"], f["line"]) for f in report["findings"]]
    result["findings_located"] = located

    def under(pointer: str, defect: dict[str, Any]) -> bool:
        return pointer == defect["pointer"] or pointer.startswith(defect["pointer"] + "/")

    result["defects_not_found"] = [d for d in manifest["defects"] if not any(
        code in d["expected"] and file == d["file"] and under(pointer, d) for code, file, pointer, _ in located)]
    result["findings_outside_defects"] = [f for f in located if not any(
        f[1] == d["file"] and under(f[2], d) and f[0] in d["expected"] for d in manifest["defects"])]
    return result


def measure_cold(corpus: Path, manifest: dict[str, Any], runs: int = 5) -> dict[str, Any]:
    """One department's file, a new process each time, import time included; also bare start-up.
    Validated alone (`--isolated`: issue 6's figure) and, since issue 15, also as `govcat validate`
    does by default inside a workspace: with every other catalog read as context, no cache.

    govcat's modules are compiled to bytecode first, as pip does when it installs the wheel: an
    editable install under PYTHONDONTWRITEBYTECODE would otherwise compile them in every run. They are
    compiled in a copy of the package (first on PYTHONPATH, its `_data` the repository, as in the wheel),
    never in the checkout."""
    package = Path(importlib.util.find_spec("govcat").origin).parent  # type: ignore[arg-type, union-attr]
    with tempfile.TemporaryDirectory(prefix="govcat-cold-") as tmp:
        copy = Path(tmp) / "govcat"
        shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__", "_data"))
        (copy / "_data").symlink_to(REPO if (REPO / "schema").is_dir() else package / "_data")
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(copy)], check=True, capture_output=True)
        env = {**os.environ, "PYTHONPATH": tmp}
        first = sorted((corpus / "catalogs").glob("*/catalog.yaml"))[0]
        rel = first.relative_to(corpus).as_posix()
        validate = [run_child(govcat_cmd("validate", rel, "--as-of", manifest["as_of"], "--format", "json",
                                         "--no-cache", "--isolated"), cwd=corpus, env=env) for _ in range(runs)]
        in_context = [run_child(govcat_cmd("validate", rel, "--as-of", manifest["as_of"], "--format", "json",
                                           "--no-cache"), cwd=corpus, env=env) for _ in range(runs)]
        startup = [run_child(govcat_cmd("--version"), cwd=corpus, env=env) for _ in range(runs)]
    walls = [r.wall for r in validate]
    return {
        "in_context_median": statistics.median(r.wall for r in in_context),
        "in_context_peak_rss_mb": max(r.peak_rss_mb for r in in_context),
        "file": rel, "resources": manifest["resources_per_department"], "runs": runs,
        "median": statistics.median(walls), "min": min(walls), "max": max(walls),
        "returncodes": sorted({r.returncode for r in validate}, key=str),
        "peak_rss_mb": max(r.peak_rss_mb for r in validate),
        "peak_total_mb": max((r.peak_total_mb or 0) for r in validate) or None,
        "startup_median": statistics.median(r.wall for r in startup),
    }


# --- other validators -------------------------------------------------------------------------------------

def measure_tool(name: str, cmd: list[str], corpus: Path, timeout: float, scratch: Path) -> dict[str, Any]:
    if not Path(cmd[0]).exists():
        return {"skipped": f"{cmd[0]} is not installed"}
    out = scratch / f"{name}.out"
    load = load_average()
    run = run_child(cmd, cwd=corpus, timeout=timeout, stdout=out)
    result: dict[str, Any] = {**asdict(run), "load_average_before": load}
    if not run.timed_out:
        text = out.read_text(encoding="utf-8", errors="replace") + out.with_suffix(".out.err").read_text(
            encoding="utf-8", errors="replace")
        result["output_lines"] = text.count("\n")
        result["tail"] = text.strip().splitlines()[-3:]
    return result


# --- govcat load ------------------------------------------------------------------------------------------

def database_available() -> bool:
    probe = subprocess.run([sys.executable, "-c",
                            "import importlib.util, sys; sys.exit(0 if importlib.util.find_spec('govcat.publishing.database') "
                            "else 1)"], capture_output=True)
    return probe.returncode == 0


def sqlite_rows(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                           "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def postgres_rows(url: str) -> dict[str, int]:
    import psycopg  # the postgres extra

    with psycopg.connect(url) as db:
        tables = [r[0] for r in db.execute("SELECT table_name FROM information_schema.tables "
                                           "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' "
                                           "ORDER BY table_name")]
        return {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # type: ignore[index]


def measure_load(target: str, db: str, corpus: Path, manifest: dict[str, Any], timeout: float,
                 scratch: Path) -> dict[str, Any]:
    cmd = govcat_cmd("load", "--db", db, "--as-of", manifest["as_of"], "catalogs", "--no-cache")
    first = run_child(cmd, cwd=corpus, timeout=timeout, stdout=scratch / f"load-{target}.out")
    result: dict[str, Any] = {"first": asdict(first)}
    if first.timed_out or first.returncode != 0:
        result["error"] = (scratch / f"load-{target}.out.err").read_text(errors="replace")[-2000:]
        return result
    rows = sqlite_rows(Path(db)) if target == "sqlite" else postgres_rows(db)
    second = run_child(cmd, cwd=corpus, timeout=timeout, stdout=scratch / f"load-{target}-again.out")
    total = sum(rows.values())
    result.update({"rows": rows, "total_rows": total, "rows_per_s": total / first.wall,
                   "resources_per_s": manifest["resources"] / first.wall, "second": asdict(second),
                   "second_unchanged": (sqlite_rows(Path(db)) if target == "sqlite" else postgres_rows(db)) == rows})
    return result


class Postgres:
    """A throw-away cluster, started as shared/research/recipes.md §1 does (runuser as root)."""

    def __init__(self) -> None:
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
        if not bins:
            raise RuntimeError("PostgreSQL is not installed (apt-get install -y postgresql)")
        self.bin = bins[-1]
        self.tmp = Path(tempfile.mkdtemp(prefix="pg.", dir="/tmp"))
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.tmp, "postgres", "postgres")

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def __enter__(self) -> Postgres:
        data, log = self.tmp / "data", self.tmp / "server.log"
        subprocess.run([*self.as_user, str(self.bin / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                        "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"], check=True, capture_output=True)
        options = (f"-p {self.port} -k {self.tmp} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off")
        subprocess.run([*self.as_user, str(self.bin / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "30",
                        "-o", options, "start"], check=True, capture_output=True)
        return self

    def __exit__(self, *exc: object) -> None:
        subprocess.run([*self.as_user, str(self.bin / "pg_ctl"), "-D", str(self.tmp / "data"), "-m", "fast", "-w",
                        "stop"], capture_output=True)
        shutil.rmtree(self.tmp, ignore_errors=True)


# --- profile ----------------------------------------------------------------------------------------------

def profile(corpus: Path, manifest: dict[str, Any], out: Path, flamegraph: bool, top: int = 25) -> dict[str, Any]:
    """py-spy over `govcat validate`: collapsed stacks to ``out``, top functions by self and total time.
    In one process (--jobs 1), so that the work of every stage is in the one profile."""
    spy = BIN / "py-spy"
    if not spy.exists():
        return {"skipped": "py-spy is not installed (pip install py-spy)"}
    validate = govcat_cmd("validate", "catalogs", "--as-of", manifest["as_of"], "--format", "json",
                          "--output", os.devnull, "--jobs", "1", "--no-cache")
    subprocess.run([str(spy), "record", "-r", "250", "--format", "raw", "-o", str(out), "--", *validate],
                   cwd=corpus, capture_output=True, check=False)
    if flamegraph:
        subprocess.run([str(spy), "record", "-r", "250", "-o", str(out.with_suffix(".svg")), "--", *validate],
                       cwd=corpus, capture_output=True, check=False)
    return summarise_profile(out, top)


def _function(frame: str) -> str:
    """`parse (yaml/__init__.py:46)` -> `yaml/__init__.py:parse`, so lines of one function add up."""
    name, _, where = frame.partition(" (")
    return f"{where.rsplit(':', 1)[0]}:{name}" if where else name


def summarise_profile(path: Path, top: int = 25) -> dict[str, Any]:
    total, own, inclusive, lines = 0, Counter[str](), Counter[str](), Counter[str]()
    for line in path.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        n = int(count)
        frames = stack.split(";")
        total += n
        own[_function(frames[-1])] += n
        lines[frames[-1]] += n
        for function in {_function(f) for f in frames}:
            inclusive[function] += n
    share = (lambda n: round(n / total, 4)) if total else (lambda n: 0.0)
    return {
        "samples": total,
        "self": [(f, share(n)) for f, n in own.most_common(top)],
        "self_lines": [(f, share(n)) for f, n in lines.most_common(top)],
        "total": [(f, share(n)) for f, n in inclusive.most_common(top * 3)
                  if "govcat/" in f or "yaml" in f or "jsonschema" in f][:top],
    }


# --- the report -------------------------------------------------------------------------------------------

def seconds(entry: dict[str, Any] | None, key: str = "wall") -> str:
    if not entry or "skipped" in entry:
        return "skipped"
    if entry.get("timed_out"):
        return f"> {entry['timeout']:g} s"
    value = entry.get(key)
    return f"{value:.2f} s" if isinstance(value, int | float) else "—"


def ratio(top: dict[str, Any] | None, bottom: dict[str, Any] | None, top_key: str = "wall",
          bottom_key: str = "wall") -> tuple[str, float | None]:
    if not top or not bottom or "skipped" in top or "skipped" in bottom or bottom.get(bottom_key) is None:
        return "—", None
    if top.get("timed_out"):
        value = top["timeout"] / bottom[bottom_key]
        return f"> {value:.1f}", None
    if top.get(top_key) is None:
        return "—", None
    value = top[top_key] / bottom[bottom_key]
    return f"{value:.2f}", value


def ratios(result: dict[str, Any]) -> dict[str, Any]:
    floor, govcat = result.get("floor"), result.get("govcat")
    out: dict[str, Any] = {}
    # CPU ratios too: on a shared machine wall time also measures the neighbours.
    for entry in (govcat, result.get("check-jsonschema"), result.get("linkml")):
        if entry and "user" in entry:
            entry["cpu"] = entry["user"] + entry["sys"]
    for key, (text, value) in {
        "govcat_over_floor": ratio(govcat, floor, "wall", "seconds"),
        "govcat_over_floor_cpu": ratio(govcat, floor, "cpu", "cpu_seconds"),
        "check_jsonschema_over_govcat": ratio(result.get("check-jsonschema"), govcat),
        "check_jsonschema_over_govcat_cpu": ratio(result.get("check-jsonschema"), govcat, "cpu", "cpu"),
        "linkml_over_govcat": ratio(result.get("linkml"), govcat),
        "linkml_over_govcat_cpu": ratio(result.get("linkml"), govcat, "cpu", "cpu"),
    }.items():
        out[key] = value if value is not None else text
    return out


def print_result(result: dict[str, Any]) -> None:
    corpus = result["corpus"]
    print(f"\n== {result['label']}: {corpus['catalog_files']} catalogs, {corpus['resources']} resources, "
          f"{corpus['items']} items, {corpus['bytes'] / 2**20:.1f} MiB, {len(corpus['defects'])} defects")
    rows = []
    floor = result.get("floor")
    if floor:
        for name, c in floor["candidates"].items():
            mark = " (floor)" if name == floor["best"] else ("" if c.get("python_objects", True) else " (no Python objects)")
            rows.append((f"parse: {name}{mark}", f"{c['seconds']:.2f} s" if "seconds" in c else c.get("skipped") or c.get("error", "")[:60], "", "", ""))
    gov = result.get("govcat")
    if gov:
        extra = f"{gov.get('items_per_s', 0):,.0f} items/s, {gov.get('findings', '?')} findings"
        rows.append(("govcat validate (all rules)", seconds(gov), f"{gov.get('user', 0) + gov.get('sys', 0):.2f} s",
                     memory(gov), extra))
    serial = result.get("serial")
    if serial:
        rows.append(("govcat validate --jobs 1 (one process)", seconds(serial),
                     f"{serial.get('user', 0) + serial.get('sys', 0):.2f} s", memory(serial),
                     f"{serial.get('items_per_s', 0):,.0f} items/s, {serial.get('findings', '?')} findings"))
    for name in ("check-jsonschema", "linkml"):
        entry = result.get(name)
        if entry:
            rows.append((name, seconds(entry), "" if "skipped" in entry or entry.get("timed_out") else
                         f"{entry['user'] + entry['sys']:.2f} s", "" if "skipped" in entry else
                         f"{entry.get('peak_rss_mb', 0):.0f} MB", f"exit {entry.get('returncode')}"
                         if "skipped" not in entry else ""))
    cold = result.get("cold")
    if cold:
        rows.append((f"cold: 1 department ({cold['resources']} resources), median of {cold['runs']}",
                     f"{cold['median']:.3f} s", "", f"{cold['peak_rss_mb']:.0f} MB",
                     f"start-up alone {cold['startup_median']:.3f} s"))
        if "in_context_median" in cold:
            rows.append((f"cold: the same with the workspace as context, median of {cold['runs']}",
                         f"{cold['in_context_median']:.3f} s", "", f"{cold['in_context_peak_rss_mb']:.0f} MB", "no cache"))
    for target in ("sqlite", "postgresql"):
        entry = (result.get("load") or {}).get(target)
        if entry is None:
            continue
        if "skipped" in entry or "error" in entry:
            rows.append((f"govcat load → {target}", "skipped" if "skipped" in entry else "error",
                         "", "", (entry.get("skipped") or entry.get("error", ""))[:80]))
        else:
            rows.append((f"govcat load → {target}", f"{entry['first']['wall']:.2f} s", "",
                         f"{entry['first']['peak_rss_mb']:.0f} MB",
                         f"{entry['rows_per_s']:,.0f} rows/s ({entry['total_rows']} rows); again "
                         f"{entry['second']['wall']:.2f} s"))
    width = max(len(r[0]) for r in rows) if rows else 10
    print(f"{'measure':<{width}}  {'wall':>10}  {'cpu':>9}  {'peak RSS':>8}  notes")
    for name, wall, cpu, rss, notes in rows:
        print(f"{name:<{width}}  {wall:>10}  {cpu:>9}  {rss:>8}  {notes}")
    print("ratios: " + ", ".join(f"{k} = {v:.2f}" if isinstance(v, float) else f"{k} = {v}"
                                  for k, v in result["ratios"].items()))
    if gov and gov.get("findings_by_code"):
        print("findings by code: " + ", ".join(f"{c} {n}" for c, n in gov["findings_by_code"].items()))
    if gov and (gov.get("missing_codes") or gov.get("unexpected_codes")):
        print(f"!! expected codes missing: {gov['missing_codes']}; unexpected: {gov['unexpected_codes']}")
    if gov and (gov.get("defects_not_found") or gov.get("findings_outside_defects")):
        print(f"!! {len(gov['defects_not_found'])} defects not found, e.g. {gov['defects_not_found'][:2]}; "
              f"{len(gov['findings_outside_defects'])} findings outside the defects, "
              f"e.g. {gov['findings_outside_defects'][:2]}")
    if result.get("profile") and "self" in result["profile"]:
        print("profile, self time (top 15):")
        for function, share in result["profile"]["self"][:15]:
            print(f"  {share:6.1%}  {function}")


def memory(run: dict[str, Any]) -> str:
    """The largest process, and all processes together when it forked workers."""
    largest, total = run.get("peak_rss_mb", 0), run.get("peak_total_mb")
    return f"{largest:.0f} MB" + (f" ({total:.0f} MB all)" if total and total > largest * 1.05 else "")


def markdown_table(results: list[dict[str, Any]]) -> str:
    head = ("| corpus | MiB | items | floor | govcat | CPU | peak RSS | items/s | ×floor | check-jsonschema | ×govcat "
            "| linkml-validate | ×govcat | cold 1 dept |")
    lines = [head, "|" + "|".join(["---"] * (head.count("|") - 1)) + "|"]
    for r in results:
        c, g, f = r["corpus"], r.get("govcat") or {}, r.get("floor") or {}
        rt = r.get("ratios", {})

        def fmt(v: Any) -> str:
            return f"{v:.2f}" if isinstance(v, float) else str(v)

        cold = r.get("cold")
        lines.append("| " + " | ".join([
            r["label"], f"{c['bytes'] / 2**20:.1f}", f"{c['items']:,}",
            f"{f['seconds']:.2f} s ({f['best']})" if f.get("seconds") else "—",
            seconds(g), f"{g['user'] + g['sys']:.2f} s" if "user" in g else "—",
            memory(g) if "peak_rss_mb" in g else "—",
            f"{g['items_per_s']:,.0f}" if "items_per_s" in g else "—", fmt(rt.get("govcat_over_floor", "—")),
            seconds(r.get("check-jsonschema")), fmt(rt.get("check_jsonschema_over_govcat", "—")),
            seconds(r.get("linkml")), fmt(rt.get("linkml_over_govcat", "—")),
            f"{cold['median']:.3f} s" if cold else "—",
        ]) + " |")
    return "\n".join(lines)


# --- main -------------------------------------------------------------------------------------------------

def machine() -> dict[str, Any]:
    cpu = ""
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    versions: dict[str, str | None] = {}
    for dist in ("govcat", "PyYAML", "jsonschema-rs", "check-jsonschema", "linkml", "yaml-rs", "rapidyaml"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    git = subprocess.run(["git", "-C", str(REPO), "describe", "--always", "--dirty"], capture_output=True, text=True)
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(), "versions": versions,
            "govcat_commit": git.stdout.strip() or None, "load_average": load_average()}


def run(corpus: Path, only: tuple[str, ...], timeout: float, linkml_timeout: float, postgres: bool,
        postgres_url: str | None, repeat: int, do_profile: bool, flamegraph: bool, results_dir: Path,
        label: str | None) -> dict[str, Any]:
    corpus = corpus.resolve()
    manifest = json.loads((corpus / "corpus.json").read_text(encoding="utf-8"))
    label = label or manifest["label"]
    files = sorted((corpus / "catalogs").glob("*/*.yaml"))
    registry = corpus / "catalogs" / "departments.yaml"
    result: dict[str, Any] = {"label": label, "corpus": manifest, "machine": machine(),
                              "started": time.strftime("%Y-%m-%dT%H:%M:%S")}
    results_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="govcat-bench.") as tmp:
        scratch = Path(tmp)
        step = lambda name: print(f"[{time.strftime('%H:%M:%S')}] {label}: {name} …", file=sys.stderr)  # noqa: E731
        if "floor" in only:
            step("floor")
            result["floor"] = measure_floor([*files, registry], corpus, timeout, scratch)
        if "govcat" in only:
            step("govcat validate")
            result["govcat"] = measure_govcat(corpus, manifest, timeout, scratch, repeat)
        if "serial" in only:
            step("govcat validate --jobs 1")
            result["serial"] = measure_govcat(corpus, manifest, timeout, scratch, repeat, "--jobs", "1")
        if "cold" in only:
            step("cold single department")
            result["cold"] = measure_cold(corpus, manifest)
        if "check-jsonschema" in only:
            step("check-jsonschema")
            result["check-jsonschema"] = measure_tool(
                "check-jsonschema", [str(BIN / "check-jsonschema"), "--schemafile",
                                     str(REPO / "generated" / "catalog.schema.json"), *map(str, files)],
                corpus, timeout, scratch)
        if "linkml" in only:
            step("linkml-validate")
            result["linkml"] = measure_tool(
                "linkml", [str(BIN / "linkml-validate"), "-s", str(REPO / "schema" / "govcat.yaml"), "-C", "Catalog",
                           *map(str, files)], corpus, linkml_timeout, scratch)
        if "load" in only:
            load: dict[str, Any] = {}
            if not database_available():
                note = "govcat.publishing.database is not there yet (govcat load is being written); skipped"
                load["sqlite"] = {"skipped": note}
                if postgres or postgres_url:
                    load["postgresql"] = {"skipped": note}
            else:
                step("govcat load → SQLite")
                load["sqlite"] = measure_load("sqlite", str(scratch / "govcat.db"), corpus, manifest, timeout,
                                              scratch)
                if postgres_url:
                    step("govcat load → PostgreSQL")
                    load["postgresql"] = measure_load("postgresql", postgres_url, corpus, manifest, timeout, scratch)
                elif postgres:
                    step("govcat load → PostgreSQL (throw-away cluster)")
                    try:
                        with Postgres() as pg:
                            load["postgresql"] = measure_load("postgresql", pg.url, corpus, manifest, timeout,
                                                              scratch)
                    except (RuntimeError, subprocess.CalledProcessError) as exc:
                        load["postgresql"] = {"skipped": f"could not start PostgreSQL: {exc}"}
            result["load"] = load
        if do_profile:
            step("profile (py-spy)")
            result["profile"] = profile(corpus, manifest, results_dir / f"{label}.profile.txt", flamegraph)
    result["ratios"] = ratios(result)
    result["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S")
    path = results_dir / f"{label}.json"
    if path.exists():  # keep what an earlier run measured and this one did not
        earlier = json.loads(path.read_text(encoding="utf-8"))
        if earlier.get("corpus", {}).get("bytes") == manifest["bytes"]:
            result = {**{k: v for k, v in earlier.items() if k in (*TOOLS, "profile")}, **result}
            result["ratios"] = ratios(result)
    path.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print_result(result)
    print(f"\nwritten {path}", file=sys.stderr)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path, nargs="?", help="a folder written by benchmarks/corpus.py")
    parser.add_argument("--only", default=",".join(TOOLS), help=f"comma-separated subset of {', '.join(TOOLS)}")
    parser.add_argument("--skip", default="", help="comma-separated measures to leave out")
    parser.add_argument("--timeout", type=float, default=900, help="cap per tool, seconds (then '> N s')")
    parser.add_argument("--linkml-timeout", type=float, help="cap for linkml-validate (default: --timeout)")
    parser.add_argument("--repeat", type=int, default=1, help="govcat validate runs; the fastest is reported")
    parser.add_argument("--postgres", action="store_true", help="also load into a throw-away PostgreSQL cluster")
    parser.add_argument("--postgres-url", help="load into this PostgreSQL instead of a throw-away cluster")
    parser.add_argument("--profile", action="store_true", help="py-spy profile of govcat validate")
    parser.add_argument("--flamegraph", action="store_true", help="with --profile: also an SVG flame graph")
    parser.add_argument("--results-dir", type=Path, default=RESULTS)
    parser.add_argument("--label", help="results file name (default: the corpus label)")
    parser.add_argument("--table", action="store_true", help="print the Markdown table of the saved results")
    args = parser.parse_args(argv)
    if args.table:
        results = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(args.results_dir.glob("*.json"))]
        # Only this runner's results: province.py and site.py write theirs beside them.
        results = [r for r in results if isinstance(r.get("corpus"), dict) and "defective" in r["corpus"]]
        results.sort(key=lambda r: (r["corpus"]["items"], r["corpus"]["defective"]))
        print(markdown_table(results))
        return 0
    if args.corpus is None:
        parser.error("CORPUS is required (or --table)")
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    only = tuple(t for t in args.only.split(",") if t and t not in skip)
    unknown = set(only) - set(TOOLS)
    if unknown:
        parser.error(f"unknown measures: {', '.join(sorted(unknown))}")
    run(args.corpus, only, args.timeout, args.linkml_timeout or args.timeout, args.postgres, args.postgres_url,
        args.repeat, args.profile, args.flamegraph, args.results_dir, args.label)
    return 0


if __name__ == "__main__":
    sys.exit(main())
