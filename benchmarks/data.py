"""Benchmark of `govcat data check` (issue 12): see benchmarks/README.md for the commands and figures.

    python benchmarks/data.py ROWS [--workdir DIR] [--frictionless ROWS] [--spark ROWS] [--results FILE]

1. Writes a CSV of ROWS rows of 人口基本信息 (101002001/000001: 13 columns, 公民身份号码, 性别, 出生日期,
   division codes, names, dates …) with two more items to reach the issue's 15 columns, 工作单位 (DE00028) and
   工作单位统一社会信用代码 (DE00101): the resource is the example's, extended in a catalog file of the workdir
   (`--catalog`). 1 % planted defects, by `govcat data sample` (once; reused when the file exists).
2. DuckDB's own parse of every column: `SELECT COUNT(*) FROM read_csv(…) WHERE c1 IS NULL OR … OR c15 IS NULL`.
3. `govcat data check` (every check) in a fresh process; wall time and peak RSS (from /usr/bin/time-like
   resource accounting of the child).
4. Optionally frictionless-py `validate` with an equivalent Table Schema on the first N rows, and the
   Spark engine on the first N rows (counts compared with DuckDB's).
5. Optionally (`--per-check N`) each check's cost alone on the first N rows, in DuckDB: the check's verdict
   summed over the table, less the bare scan; the dearest first.
The figures are printed and written as JSON; nothing is asserted here.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
RESOURCE = "101002001/000001"
ENV = {**os.environ, "PYTHONPATH": str(REPO / "src")}


def _run(args: list[str]) -> tuple[float, int, subprocess.CompletedProcess[str]]:
    """Wall seconds and peak RSS (MiB) of a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, env=ENV, cwd=REPO)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before) // 1024, done


EXTRA_ITEMS = [{"name": "工作单位", "element": "DE00028", "data_type": "C", "length": 100},
               {"name": "工作单位统一社会信用代码", "element": "DE00101", "data_type": "C", "length": 18}]


def make_catalog(workdir: Path) -> Path:
    """The example catalog with only 人口基本信息, extended by EXTRA_ITEMS to 15 items."""
    import yaml

    source = REPO / "catalogs" / "11330100MB0000011T" / "population.yaml"
    catalog = yaml.safe_load(source.read_text(encoding="utf-8"))
    catalog["resources"] = [r for r in catalog["resources"] if r["code"] == RESOURCE]
    catalog["resources"][0]["items"] += EXTRA_ITEMS
    path = workdir / "catalog.yaml"
    path.write_text(yaml.safe_dump(catalog, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def make_csv(rows: int, path: Path, catalog: Path) -> None:
    if path.is_file():
        return
    subprocess.run([sys.executable, "-m", "govcat", "data", "sample", RESOURCE, "-o", str(path), "--rows", str(rows),
                    "--defects", "0.01", "--seed", "1", "--catalog", str(catalog)], check=True, env=ENV, cwd=REPO)


def head(path: Path, rows: int, out: Path) -> Path:
    if not out.is_file():
        with open(path, encoding="utf-8") as src, open(out, "w", encoding="utf-8") as dst:
            for i, line in enumerate(src):
                if i > rows:
                    break
                dst.write(line)
    return out


def duckdb_parse(path: Path) -> tuple[float, int]:
    code = f"""
import duckdb, sys
con = duckdb.connect(config={{"memory_limit": "1GB"}})
con.execute("SET enable_progress_bar = false")
names = [r[0] for r in con.execute("DESCRIBE SELECT * FROM read_csv('{path}', header=true, all_varchar=true)").fetchall()]
where = " OR ".join(f'"{{n}}" IS NULL' for n in names)
print(con.execute(f"SELECT COUNT(*) FROM read_csv('{path}', header=true, all_varchar=true) WHERE {{where}}").fetchone()[0])
"""
    wall, _, done = _run([sys.executable, "-c", code])
    assert done.returncode == 0, done.stderr
    return wall, int(done.stdout.strip())


def govcat_check(path: Path, catalog: Path, engine: str = "duckdb") -> tuple[float, int, dict[str, Any]]:
    args = [sys.executable, "-m", "govcat", "data", "check", RESOURCE, str(path), "--format", "json",
            "--fail-on", "never", "--engine", engine, "--catalog", str(catalog)]
    wall, peak, done = _run(args)
    assert done.returncode == 0, done.stderr
    return wall, peak, json.loads(done.stdout)


def frictionless(path: Path) -> tuple[float, int]:
    """frictionless-py with the checks it has: required key, unique key, patterns, enums, string lengths."""
    code = f"""
import json, sys
from frictionless import Resource, Schema, fields, validate, Checklist
schema = Schema(fields=[
    fields.StringField(name="公民身份号码", constraints={{"required": True, "unique": True, "pattern": "[0-9]{{17}}[0-9X]"}}),
    fields.StringField(name="姓名", constraints={{"maxLength": 50}}),
    fields.StringField(name="曾用名", constraints={{"maxLength": 50}}),
    fields.StringField(name="性别代码", constraints={{"enum": ["0", "1", "2", "9"]}}),
    fields.StringField(name="出生日期", constraints={{"pattern": "[0-9]{{8}}"}}),
    fields.StringField(name="民族代码", constraints={{"pattern": "[0-9]{{2}}"}}),
    fields.StringField(name="国籍代码", constraints={{"pattern": "[A-Z]{{3}}"}}),
    fields.StringField(name="户籍地址", constraints={{"maxLength": 200}}),
    fields.StringField(name="户籍地行政区划代码", constraints={{"pattern": "[0-9]{{6}}"}}),
    fields.StringField(name="户号", constraints={{"maxLength": 20, "pattern": "[A-Za-z0-9]+"}}),
    fields.StringField(name="与户主关系代码", constraints={{"pattern": "[0-9]{{2}}"}}),
    fields.StringField(name="登记机关", constraints={{"maxLength": 100}}),
    fields.StringField(name="数据更新时间", constraints={{"pattern": "[0-9]{{14}}"}}),
    fields.StringField(name="工作单位", constraints={{"maxLength": 100}}),
    fields.StringField(name="工作单位统一社会信用代码", constraints={{"pattern": "[0-9A-HJ-NPQRTUWXY]{{2}}[0-9]{{6}}[0-9A-HJ-NPQRTUWXY]{{10}}"}}),
])
# A relative path under basepath: frictionless refuses an absolute one as "not safe".
report = validate(Resource(path="{path.name}", basepath="{path.parent}", schema=schema), limit_errors=10**9)
types = [t for (t,) in report.flatten(["type"])]
assert "resource-error" not in types and "scheme-error" not in types, report.flatten(["type", "note"])[:3]
print(len(types))
"""
    wall, _, done = _run([sys.executable, "-c", code])
    assert done.returncode == 0, done.stderr
    return wall, int(done.stdout.strip().splitlines()[-1])


PER_CHECK = """
import json, sys, time
from datetime import date
from pathlib import Path
from sqlglot import exp
from govcat import standard
from govcat.core.workspace import Workspace
from govcat.data import checks, queries
from govcat.data.engines import Reader
from govcat.data.resource import find, map_columns
from govcat.data.sources import open_data
repo, catalog, path, workdir = map(Path, sys.argv[1:5])
std = standard.load(repo / "generated")
resource = find("{resource}", std, Workspace(repo), catalog, repo)
table = open_data(str(path), path.name, "duckdb", workdir)
reader = Reader(workdir)
reader.open(table)
plan = checks.plan(resource, map_columns(table.headers, resource, None), std, date.today(), len(table.headers))
def timed(sql):
    start = time.perf_counter(); reader.query(sql); return time.perf_counter() - start
bare = min(timed("SELECT count(*) FROM (SELECT * FROM src)") for _ in range(2))
def alone(check):
    source, (fails,) = queries.with_shared(exp.to_table("src"), [check.fails])  # as the aggregate computes it
    return (f"SELECT sum(f) FROM (SELECT CASE WHEN {{queries.sql(fails, 'duckdb')}} THEN 1 ELSE 0 END AS f "
            f"FROM {{queries.sql(source, 'duckdb')}})")
costs = [(timed(alone(c)) - bare, c.code, table.headers[c.column]) for c in plan.checks]
print(json.dumps({{"bare_scan_s": round(bare, 3), "checks": [
    {{"code": code, "column": column, "s": round(cost, 3)}} for cost, code, column in sorted(costs, reverse=True)]}},
    ensure_ascii=False))
"""


def per_check(path: Path, catalog: Path, workdir: Path) -> dict[str, Any]:
    """Each check alone, in DuckDB, in a fresh process (see PER_CHECK)."""
    code = PER_CHECK.format(resource=RESOURCE)
    _, _, done = _run([sys.executable, "-c", code, str(REPO), str(catalog), str(path), str(workdir)])
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("rows", type=int)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/govcat-data-bench"))
    parser.add_argument("--frictionless", type=int, default=0, metavar="ROWS")
    parser.add_argument("--spark", type=int, default=0, metavar="ROWS")
    parser.add_argument("--per-check", type=int, default=0, metavar="ROWS")
    parser.add_argument("--results", type=Path)
    options = parser.parse_args()
    options.workdir.mkdir(parents=True, exist_ok=True)
    catalog = make_catalog(options.workdir)
    data = options.workdir / f"people15-{options.rows}.csv"
    make_csv(options.rows, data, catalog)
    load = os.getloadavg()[0]
    figures: dict[str, object] = {"rows": options.rows, "bytes": data.stat().st_size, "load_before": load}
    parse, _ = duckdb_parse(data)
    wall, peak, report = govcat_check(data, catalog)
    figures.update({"duckdb_parse_s": round(parse, 2), "govcat_s": round(wall, 2), "ratio": round(wall / parse, 2),
                    "govcat_peak_rss_mib": peak, "findings": len(report["findings"])})
    if options.frictionless:
        part = head(data, options.frictionless, options.workdir / f"people15-{options.frictionless}.csv")
        f_wall, _ = frictionless(part)
        g_wall, _, _ = govcat_check(part, catalog)
        figures.update({"frictionless_rows": options.frictionless, "frictionless_s": round(f_wall, 2),
                        "govcat_slice_s": round(g_wall, 2), "speedup": round(f_wall / g_wall, 1)})
    if options.spark:
        part = head(data, options.spark, options.workdir / f"people15-{options.spark}.csv")
        d_wall, _, duck = govcat_check(part, catalog)
        s_wall, _, spark = govcat_check(part, catalog, "spark")
        same = [(f["code"], f["field"], f["count"]) for f in duck["findings"]] == [
            (f["code"], f["field"], f["count"]) for f in spark["findings"]]
        figures.update({"spark_rows": options.spark, "spark_s": round(s_wall, 2), "duckdb_slice_s": round(d_wall, 2),
                        "spark_counts_identical": same})
    if options.per_check:
        part = head(data, options.per_check, options.workdir / f"people15-{options.per_check}.csv")
        figures["per_check"] = {"rows": options.per_check, **per_check(part, catalog, options.workdir)}
    figures["load_after"] = os.getloadavg()[0]
    text = json.dumps(figures, ensure_ascii=False, indent=2)
    print(text)
    if options.results:
        options.results.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
