"""The docs-site benchmark (issues 4, 13, 16): the site built from a corpus written by ``benchmarks/corpus.py``.

    python benchmarks/site.py CORPUS [--rebuild] [--keep DIR] [--profile FILE] [--json FILE]
    python benchmarks/site.py --examples [--rebuild]   # the repository's own catalogs/

Makes a workspace in a temporary folder (the repository's ``schema/``, ``generated/``, ``docs/`` without
the generated reference pages, ``mkdocs.yml``, and the corpus's ``catalogs/``) and builds the site there
for the as-of date 2026-11-22, in a new process, through govcat's public entry points: ``jobs.validate``
(the catalogs' summaries and metrics) and ``govcat.publishing.site.build`` (department parts rendered in
worker processes, the pages, ``mkdocs build --strict``), whose result carries the time of each phase.
With ``--rebuild`` it builds again after editing one department's file (a resource's summary): the
incremental rebuild. Printed: wall time by phase, peak RSS of all processes together (PSS, sampled, as
``run.py`` measures it) and of the largest, the site's size, HTML pages, the search index's size and
entries, and the largest pages. Numbers are measured, never asserted.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import load_average, run_child, workspace

REPO = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 11, 22)
MB = 1024 * 1024


def child(root: Path, out: Path, profile: Path | None) -> None:
    """One build, in this (new) process: validate, then the site, each timed."""
    from govcat import jobs
    from govcat.core.workspace import Workspace
    from govcat.publishing import site

    profiler = cProfile.Profile() if profile else None
    if profiler:
        profiler.enable()
    started = time.perf_counter()
    outcome = jobs.validate([root / "catalogs"], AS_OF, root, workspace=Workspace(root))
    validated = time.perf_counter() - started
    built = site.build(root, outcome, AS_OF)
    if profiler and profile:
        profiler.disable()
        profiler.dump_stats(str(profile))
    figures = {"validate_s": round(validated, 2), **{f"{k}_s": v for k, v in built.seconds.items()},
               "departments_rendered": built.departments, "departments_kept": built.reused,
               "pages_written": built.pages_written}
    out.write_text(json.dumps(figures), encoding="utf-8")


def _edit(root: Path) -> str:
    path = sorted((root / "catalogs").glob("*/*.yaml"))[0]
    path.write_text(path.read_text(encoding="utf-8").replace("summary: ", "summary: 已修订：", 1), encoding="utf-8")
    return path.relative_to(root).as_posix()


def measure(root: Path, scratch: Path, name: str, profile: Path | None) -> dict[str, Any]:
    out = scratch / f"{name}.json"
    cmd = [sys.executable, __file__, "--child", str(root), str(out)] + (["--profile", str(profile)] if profile else [])
    before = load_average()
    run = run_child(cmd, cwd=root, stdout=scratch / f"{name}.out")
    if run.returncode != 0:
        raise SystemExit((scratch / f"{name}.out.err").read_text(errors="replace")[-3000:])
    figures = json.loads(out.read_text(encoding="utf-8"))
    return {"wall_s": round(run.wall, 1), **figures, "cpu_s": round(run.user + run.sys, 1),
            "peak_rss_mb": round(run.peak_rss_mb), "peak_total_mb": round(run.peak_total_mb or 0),
            "load_average_before": before, "run": asdict(run)}


def describe(site: Path) -> dict[str, Any]:
    files = [p for p in site.rglob("*") if p.is_file()]
    html = [p for p in files if p.suffix == ".html"]
    index = site / "search" / "search_index.json"
    entries = len(json.loads(index.read_text(encoding="utf-8"))["docs"]) if index.is_file() else 0
    largest = sorted(html, key=lambda p: p.stat().st_size, reverse=True)[:5]
    return {
        "site_mb": round(sum(p.stat().st_size for p in files) / MB, 1),
        "html_pages": len(html),
        "html_mb": round(sum(p.stat().st_size for p in html) / MB, 1),
        "search_index_mb": round(index.stat().st_size / MB, 2) if index.is_file() else None,
        "search_entries": entries,
        "largest_pages": [[p.relative_to(site).as_posix(), round(p.stat().st_size / 1024)] for p in largest],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path, help="a folder with catalogs/ (benchmarks/corpus.py)")
    parser.add_argument("--examples", action="store_true", help="build the repository's own catalogs/")
    parser.add_argument("--rebuild", action="store_true", help="build again after editing one department's file")
    parser.add_argument("--keep", type=Path, help="build in this (new) folder and keep it")
    parser.add_argument("--profile", type=Path, help="write cProfile stats of the (first) build here")
    parser.add_argument("--json", type=Path, help="also write the figures here as JSON")
    parser.add_argument("--child", nargs=2, type=Path, metavar=("ROOT", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        root, out = args.child
        child(root, out, args.profile)
        return 0
    catalogs = REPO / "catalogs" if args.examples else (args.corpus / "catalogs" if args.corpus else None)
    if catalogs is None or not catalogs.is_dir():
        parser.error("give a corpus folder holding catalogs/, or --examples")

    with tempfile.TemporaryDirectory(prefix="govcat-site-") as tmp:
        scratch = Path(tmp)
        root = args.keep or scratch / "workspace"
        if root.exists():
            parser.error(f"{root} exists")
        workspace(catalogs, root)
        result: dict[str, Any] = {"corpus": str(catalogs.parent), "build": measure(root, scratch, "build", args.profile)}
        result.update(describe(root / "site"))
        if args.rebuild:
            edited = _edit(root)
            result["rebuild"] = {**measure(root, scratch, "rebuild", None), "edited": edited}
    for key in ("build", "rebuild"):
        if key in result:
            entry = result[key]
            print(f"{key:8} wall {entry['wall_s']:6.1f} s  (validate {entry['validate_s']} s, parts {entry['parts_s']} s,"
                  f" pages {entry['pages_s']} s, mkdocs {entry['mkdocs_s']} s)  cpu {entry['cpu_s']} s  peak all"
                  f" {entry['peak_total_mb']} MB, largest {entry['peak_rss_mb']} MB;  departments rendered"
                  f" {entry['departments_rendered']}, kept {entry['departments_kept']}, pages written {entry['pages_written']}")
    for key, value in result.items():
        if key not in ("build", "rebuild", "largest_pages"):
            print(f"{key:16} {value}")
    print("largest pages (KB):")
    for path, kb in result["largest_pages"]:
        print(f"  {kb:8} {path}")
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
