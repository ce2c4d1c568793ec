"""The province benchmark (issue 13): validate, load and build a corpus, cold and after one edit.

    python benchmarks/province.py CORPUS [--only validate,load,build] [--postgres] [--repeat 2] [--json FILE]

CORPUS is a folder written by ``benchmarks/corpus.py``; it is copied into a temporary folder and never
changed. Each step is a ``govcat`` command in a new process (``run.py``'s `run_child`: wall time, CPU,
the largest process's peak RSS from ``wait4`` and the peak of all its processes together, PSS sampled
every 50 ms). Measured, for the targets of issue 13:

- validate: cold (``--no-cache``); warm with nothing changed; warm after editing one department's file,
  twice: a text edit (a resource's summary) and an edit of what the workspace rules read (a resource's
  name); each warm report is compared byte for byte with a cold run of the edited corpus.
- load (SQLite, and PostgreSQL with ``--postgres``): a first load into an empty database (``--no-cache``),
  a second with nothing changed (``--no-cache``: a full validation, nothing written), and, with the
  cache warm, a load after editing one department's file.
- build: ``govcat build`` in a fresh workspace (the repository's schema, generated artifacts, docs and
  mkdocs.yml with the corpus's catalogs; no cache, no database, no site), then again after editing one
  department's file.

Prints a table and the figures as JSON (``--json``). Numbers are measured, never asserted.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import Postgres, govcat_cmd, load_average, machine, run_child, workspace

REPO = Path(__file__).resolve().parents[1]
STEPS = ("validate", "load", "build")


def _run(cmd: list[str], cwd: Path, scratch: Path, name: str, repeat: int = 1) -> dict[str, Any]:
    """The best of ``repeat`` runs of a govcat command, with the load average before each."""
    runs = []
    for _ in range(repeat):
        before = load_average()
        run = run_child(govcat_cmd(*cmd), cwd=cwd, stdout=scratch / f"{name}.out")
        runs.append({**asdict(run), "load_average_before": before})
        if run.returncode not in (0, 1):
            error = (scratch / f"{name}.out.err").read_text(errors="replace")[-3000:]
            raise SystemExit(f"{name}: govcat {' '.join(cmd)} exited {run.returncode}\n{error}")
    best = min(runs, key=lambda r: r["wall"])
    return {**best, "runs": runs}


def _edit_text(corpus: Path, n: int = 0) -> str:
    """A department's file with one resource's summary changed: nothing the workspace rules read."""
    files = sorted((corpus / "catalogs").glob("*/catalog.yaml"))
    path = files[n % len(files)]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("summary: ", "summary: 已修订：", 1), encoding="utf-8")
    return path.relative_to(corpus).as_posix()


def _edit_name(corpus: Path, n: int = 1) -> str:
    """A department's file with one resource renamed: the names the workspace rules compare change."""
    files = sorted((corpus / "catalogs").glob("*/catalog.yaml"))
    path = files[n % len(files)]
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    i = next(i for i, line in enumerate(lines) if line.lstrip().startswith("name: ") and line.startswith("    "))
    lines[i] = lines[i].replace("name: ", "name: 新", 1)
    path.write_text("".join(lines), encoding="utf-8")
    return path.relative_to(corpus).as_posix()


def measure_validate(corpus: Path, as_of: str, scratch: Path, repeat: int) -> dict[str, Any]:
    cache = scratch / "cache"
    base = ["validate", "catalogs", "--as-of", as_of, "--format", "json", "--output"]
    result: dict[str, Any] = {"cold": _run([*base, str(scratch / "cold.json"), "--no-cache"], corpus, scratch,
                                           "validate-cold", repeat)}
    _run([*base, str(scratch / "fill.json"), "--cache-dir", str(cache)], corpus, scratch, "validate-fill")
    result["warm_unchanged"] = _run([*base, str(scratch / "warm0.json"), "--cache-dir", str(cache)], corpus, scratch,
                                    "validate-warm0", repeat)
    for kind, edit in (("warm_after_text_edit", _edit_text), ("warm_after_name_edit", _edit_name)):
        edited = edit(corpus)
        warm = _run([*base, str(scratch / f"{kind}.json"), "--cache-dir", str(cache)], corpus, scratch, kind)
        _run([*base, str(scratch / f"{kind}-cold.json"), "--no-cache"], corpus, scratch, f"{kind}-cold")
        same = (scratch / f"{kind}.json").read_bytes() == (scratch / f"{kind}-cold.json").read_bytes()
        result[kind] = {**warm, "edited": edited, "same_report_as_cold": same}
    return result


def _rows_sqlite(path: Path) -> int:
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return sum(db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables)


def _database(db: str, n: int) -> str:
    """The n-th empty database of a target: a new SQLite file, or a new PostgreSQL database."""
    if not db.startswith("postgresql"):
        return f"{db}.{n}" if n else db
    if n == 0:
        return db
    import psycopg  # the postgres extra

    with psycopg.connect(db, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE bench_{n}")
    return db.rsplit("/", 1)[0] + f"/bench_{n}"


def measure_load(corpus: Path, as_of: str, scratch: Path, db: str, name: str, repeat: int = 1) -> dict[str, Any]:
    firsts, urls = [], []
    for n in range(repeat):  # each into a new, empty database; the best is shown
        urls.append(_database(db, n))
        first = _run(["load", "--db", urls[-1], "--as-of", as_of, "catalogs", "--no-cache"], corpus, scratch,
                     f"{name}-first")
        first["stdout"] = (scratch / f"{name}-first.out").read_text(encoding="utf-8").splitlines()[0]
        firsts.append(first)
    best = min(firsts, key=lambda r: r["wall"])
    cmd = ["load", "--db", urls[firsts.index(best)], "--as-of", as_of, "catalogs"]
    result: dict[str, Any] = {"first": {**best, "runs": [r for f in firsts for r in f["runs"]]}}
    result["second_unchanged"] = _run([*cmd, "--no-cache"], corpus, scratch, f"{name}-second", repeat)
    result["second_unchanged"]["stdout"] = (scratch / f"{name}-second.out").read_text(encoding="utf-8").splitlines()[0]
    cache = scratch / f"{name}-cache"
    _run([*cmd, "--cache-dir", str(cache)], corpus, scratch, f"{name}-fill")
    edited = _edit_text(corpus, 2)
    result["after_edit"] = {**_run([*cmd, "--cache-dir", str(cache)], corpus, scratch, f"{name}-edited"),
                            "edited": edited}
    result["after_edit"]["stdout"] = (scratch / f"{name}-edited.out").read_text(encoding="utf-8").splitlines()[0]
    if not db.startswith("postgresql"):
        result["rows"] = _rows_sqlite(Path(urls[firsts.index(best)]))
    return result


def measure_build(corpus: Path, as_of: str, scratch: Path, repeat: int = 1) -> dict[str, Any]:
    cmd = ["build", "--as-of", as_of]
    colds = []
    for n in range(repeat):  # each in a new workspace: no cache, no database, no site
        root = scratch / f"workspace-{n}"
        workspace(corpus / "catalogs", root)
        # The workspace's own cache folder (.govcat_cache/), as a repository's CI would keep it.
        colds.append((_run(cmd, root, scratch, f"build-cold-{n}"), root, n))
    best, root, n = min(colds, key=lambda c: c[0]["wall"])
    shutil.copy(scratch / f"build-cold-{n}.out.err", scratch / "build-cold.out.err")
    result: dict[str, Any] = {"cold": {**best, "runs": [r for c in colds for r in c[0]["runs"]]}}
    result["unchanged"] = _run(cmd, root, scratch, "build-unchanged")
    edited = _edit_text(root, 3)
    result["after_edit"] = {**_run(cmd, root, scratch, "build-edited"), "edited": edited}
    site = root / "site"
    result["site_mb"] = round(sum(p.stat().st_size for p in site.rglob("*") if p.is_file()) / 2**20, 1)
    result["html_pages"] = sum(1 for _ in site.rglob("*.html"))
    for key, name in (("cold", "build-cold"), ("unchanged", "build-unchanged"), ("after_edit", "build-edited")):
        lines = (scratch / f"{name}.out.err").read_text(encoding="utf-8", errors="replace").splitlines()
        result[key]["log"] = [line for line in lines if line.startswith(("govcat build", "站点：", "用时："))]
    return result


def _fmt(entry: dict[str, Any]) -> str:
    total = entry.get("peak_total_mb")
    return (f"{entry['wall']:7.2f} s  cpu {entry['user'] + entry['sys']:6.1f} s  largest {entry['peak_rss_mb']:5.0f} MB"
            f"  all {total:5.0f} MB" if total else f"{entry['wall']:7.2f} s")


def print_result(result: dict[str, Any]) -> None:
    rows: list[tuple[str, str]] = []
    validate = result.get("validate", {})
    for key in ("cold", "warm_unchanged", "warm_after_text_edit", "warm_after_name_edit"):
        if key in validate:
            note = "" if "same_report_as_cold" not in validate[key] else (
                "  same report as cold" if validate[key]["same_report_as_cold"] else "  REPORT DIFFERS FROM COLD")
            rows.append((f"validate {key.replace('_', ' ')}", _fmt(validate[key]) + note))
    for target, load in result.get("load", {}).items():
        for key in ("first", "second_unchanged", "after_edit"):
            if key in load:
                rows.append((f"load {target} {key.replace('_', ' ')}", _fmt(load[key])))
    build = result.get("build", {})
    for key in ("cold", "unchanged", "after_edit"):
        if key in build:
            rows.append((f"build {key.replace('_', ' ')}", _fmt(build[key])))
    width = max((len(name) for name, _ in rows), default=10)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    cold = validate.get("cold", {}).get("wall")
    if cold:
        for target, load in result.get("load", {}).items():
            print(f"load {target} first / cold validate: {load['first']['wall'] / cold:.2f} ×; second − cold validate:"
                  f" {load['second_unchanged']['wall'] - cold:+.2f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path, help="a folder written by benchmarks/corpus.py")
    parser.add_argument("--only", default=",".join(STEPS), help=f"comma-separated subset of {', '.join(STEPS)}")
    parser.add_argument("--postgres", action="store_true", help="also load into a throw-away PostgreSQL cluster")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of cold and warm validate, of loads and cold builds; the best is shown")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    only = [s for s in args.only.split(",") if s]
    if set(only) - set(STEPS):
        parser.error(f"unknown steps: {', '.join(sorted(set(only) - set(STEPS)))}")
    manifest = json.loads((args.corpus / "corpus.json").read_text(encoding="utf-8"))
    as_of = manifest["as_of"]
    result: dict[str, Any] = {"corpus": {k: manifest[k] for k in ("label", "departments", "resources", "items", "bytes")
                                         if k in manifest}, "machine": machine(),
                              "started": time.strftime("%Y-%m-%dT%H:%M:%S")}
    with tempfile.TemporaryDirectory(prefix="govcat-province.") as tmp:
        scratch = Path(tmp)

        def fresh() -> Path:  # a copy of the corpus that the edits may change
            target = scratch / f"corpus-{time.monotonic_ns()}"
            shutil.copytree(args.corpus / "catalogs", target / "catalogs")
            return target

        if "validate" in only:
            print("validate …", file=sys.stderr)
            result["validate"] = measure_validate(fresh(), as_of, scratch, args.repeat)
        if "load" in only:
            print("load → SQLite …", file=sys.stderr)
            result["load"] = {"sqlite": measure_load(fresh(), as_of, scratch, str(scratch / "govcat.db"), "sqlite",
                                                     args.repeat)}
            if args.postgres:
                print("load → PostgreSQL …", file=sys.stderr)
                with Postgres() as pg:
                    result["load"]["postgresql"] = measure_load(fresh(), as_of, scratch, pg.url, "postgresql",
                                                                args.repeat)
        if "build" in only:
            print("build …", file=sys.stderr)
            result["build"] = measure_build(args.corpus, as_of, scratch, args.repeat)
    result["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S")
    print_result(result)
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
