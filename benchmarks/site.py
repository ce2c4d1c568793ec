"""The docs-site benchmark (issue 4): `govcat.publishing.site.build` on a corpus written by ``benchmarks/corpus.py``.

    python benchmarks/site.py CORPUS [--keep DIR] [--profile FILE] [--json FILE]
    python benchmarks/site.py --examples        # the repository's own catalogs/

Makes a workspace in a temporary folder (the repository's ``schema/``, ``generated/``, ``docs/`` without
the generated reference pages, ``mkdocs.yml``, and the corpus's ``catalogs/``), builds the site there
for the as-of date 2026-11-22 in this process, and prints: wall time (generation and mkdocs apart),
peak RSS, the site's size, the number of HTML pages, the search index's size and entries, and the
largest pages. Peak RSS is this process's, also as it stood when the pages were written (most of it
is the validation run's documents). Numbers are measured, never asserted.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import resource
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 11, 22)
MB = 1024 * 1024


def workspace(catalogs: Path, root: Path) -> None:
    """The parts of the repository the site is built from, with the corpus's catalogs."""
    for name in ("schema", "generated"):
        shutil.copytree(REPO / name, root / name)
    shutil.copytree(REPO / "docs", root / "docs", ignore=lambda d, names: [
        n for n in names if Path(d) == REPO / "docs" and n in ("reference", "rules")])
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(catalogs, root / "catalogs")


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def measure(root: Path, profile: Path | None = None) -> dict[str, Any]:
    from govcat.publishing import site

    timings: dict[str, float] = {}
    write_pages = site.write_pages

    def timed_write_pages(root: Path, as_of: date | None = None) -> dict[str, str]:
        started = time.perf_counter()
        pages = write_pages(root, as_of)
        timings["generate_s"] = time.perf_counter() - started
        timings["generate_peak_rss_mb"] = _peak_rss_mb()
        return pages

    site.write_pages = timed_write_pages  # type: ignore[assignment]
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    try:
        if profiler:
            profiler.enable()
        out = site.build(root, AS_OF)
    finally:
        if profiler:
            profiler.disable()
        site.write_pages = write_pages  # type: ignore[assignment]
    wall = time.perf_counter() - started
    if profiler and profile:
        profiler.dump_stats(str(profile))

    files = [p for p in out.rglob("*") if p.is_file()]
    html = [p for p in files if p.suffix == ".html"]
    index = out / "search" / "search_index.json"
    entries = len(json.loads(index.read_text(encoding="utf-8"))["docs"]) if index.is_file() else 0
    largest = sorted(html, key=lambda p: p.stat().st_size, reverse=True)[:5]
    generated = [p for p in (root / "docs").rglob("*.md")]
    return {
        "wall_s": round(wall, 1),
        "generate_s": round(timings.get("generate_s", 0.0), 1),
        "mkdocs_s": round(wall - timings.get("generate_s", 0.0), 1),
        "peak_rss_mb": round(_peak_rss_mb()),
        "generate_peak_rss_mb": round(timings.get("generate_peak_rss_mb", 0.0)),
        "site_mb": round(sum(p.stat().st_size for p in files) / MB, 1),
        "html_pages": len(html),
        "html_mb": round(sum(p.stat().st_size for p in html) / MB, 1),
        "markdown_pages": len(generated),
        "markdown_mb": round(sum(p.stat().st_size for p in generated) / MB, 1),
        "search_index_mb": round(index.stat().st_size / MB, 2) if index.is_file() else None,
        "search_entries": entries,
        "largest_pages": [[p.relative_to(out).as_posix(), round(p.stat().st_size / 1024)] for p in largest],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path, help="a folder with catalogs/ (benchmarks/corpus.py)")
    parser.add_argument("--examples", action="store_true", help="build the repository's own catalogs/")
    parser.add_argument("--keep", type=Path, help="build in this (new) folder and keep it")
    parser.add_argument("--profile", type=Path, help="write cProfile stats of the build here")
    parser.add_argument("--json", type=Path, help="also write the figures here as JSON")
    args = parser.parse_args(argv)
    catalogs = REPO / "catalogs" if args.examples else (args.corpus / "catalogs" if args.corpus else None)
    if catalogs is None or not catalogs.is_dir():
        parser.error("give a corpus folder holding catalogs/, or --examples")

    with tempfile.TemporaryDirectory(prefix="govcat-site-") as tmp:
        root = args.keep or Path(tmp) / "workspace"
        if root.exists():
            parser.error(f"{root} exists")
        workspace(catalogs, root)
        result = {"corpus": str(catalogs.parent), **measure(root, args.profile)}
    for key, value in result.items():
        if key != "largest_pages":
            print(f"{key:16} {value}")
    print("largest pages (KB):")
    for path, kb in result["largest_pages"]:
        print(f"  {kb:8} {path}")
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
