"""`govcat data compare --key ELEMENT RESOURCE=DATA …`: one datum held differently by several departments.

The resources' data are joined on the key element's column; for every other element two resources
both hold, the keys whose values differ (both present, compared without surrounding blanks) are
counted and sampled with the key and both values (GC823). Runs in DuckDB, one aggregate query and one
bounded sample query per pair of resources.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations
from pathlib import Path
from typing import Any

from govcat.checking.rules import BY_CODE
from govcat.core.errors import UsageError
from govcat.core.findings import Finding, Report
from govcat.core.i18n import L10n
from govcat.core.workspace import Workspace
from govcat.data.check import _display, shown
from govcat.data.engines import Reader, _Unreadable
from govcat.data.resource import Resource, find, map_columns
from govcat.data.sources import Table, open_data
from govcat.standard import Element, Standard
from govcat.standard import load as load_standard


@dataclass
class Settings:
    key: str
    pairs: list[str]
    workspace: Workspace
    catalog: Path | None = None
    sample: int = 20
    as_of: date = field(default_factory=date.today)
    show_values: bool = False
    lang: str = "zh"
    cwd: Path = field(default_factory=Path.cwd)


@dataclass
class _Side:
    resource: Resource
    table: Table
    view: str
    columns: dict[str, int]  # element id -> column
    personal: dict[str, bool]


def key_element(std: Standard, name: str) -> Element:
    for element in std.elements.values():
        if name in (element.id, element.title, element.slot):
            return element
    raise UsageError(f"--key {name}：标准中没有这个数据元（可写标识符 DE00101、中文名称或英文名称）")


def run(settings: Settings) -> Report:
    std = load_standard(settings.workspace.generated)
    key = key_element(std, settings.key)
    if len(settings.pairs) < 2:
        raise UsageError("data compare 至少需要两个 RESOURCE=DATA")
    findings: list[Finding] = []
    joined_total = 0
    with tempfile.TemporaryDirectory(prefix="govcat-compare-") as tmp:
        reader = Reader(Path(tmp))
        sides: list[_Side] = []
        try:
            for i, pair in enumerate(settings.pairs):
                code, sep, spec = pair.partition("=")
                if not sep or not spec:
                    raise UsageError(f"{pair}：应写成 RESOURCE=DATA（信息资源代码=数据文件）")
                resource = find(code, std, settings.workspace, settings.catalog, settings.cwd)
                table = open_data(spec, _display(spec, settings.cwd), "duckdb", Path(tmp))
                if not table.readable or table.kind in ("postgres", "spark"):
                    raise UsageError(f"{spec}：无法读取（{table.notices[0].args.get('reason') if table.notices else table.kind}）")
                try:
                    reader.open(table, f"s{i}")
                except _Unreadable as exc:
                    raise UsageError(f"{spec}：无法读取（{exc}）") from None
                mapping = map_columns(table.headers, resource)
                columns = {it.element.id: c for c, it in mapping.columns.items() if it.element}
                personal = {it.element.id: it.sensitive for it in mapping.columns.values() if it.element}
                if key.id not in columns:
                    raise UsageError(f"{spec}：数据中没有关联键“{key.title}”的列")
                sides.append(_Side(resource, table, f"s{i}", columns, personal))
            for left, right in combinations(sides, 2):
                joined, found = _compare(reader, left, right, key, settings)
                joined_total += joined
                findings.extend(found)
        finally:
            reader.close()
            for side in sides:
                side.table.close()
    report = Report(standard_version=std.version, as_of=settings.as_of.isoformat(), lang=settings.lang,
                    files=len(settings.pairs), resources=len(settings.pairs), items=0, findings=findings,
                    paths=[s.table.display for s in sides])
    report.extra = {"resources": [{**s.resource.record, "provider": s.resource.provider, "data": s.table.display}
                                  for s in sides], "key": key.id, "engine": "duckdb", "rows": joined_total,
                    "complete": True, "metrics": {}}
    return report


def _first(view: str, key_col: int, value_col: int) -> str:
    """One row per key: the value of its first row (a repeated key is GC820's business, not this one's)."""
    return (f"SELECT c{key_col + 1} AS k, arg_min(c{value_col + 1}, rn) AS v, min(rn) AS rn FROM {view} "
            f"WHERE NULLIF(TRIM(c{key_col + 1}), '') IS NOT NULL GROUP BY c{key_col + 1}")


def _compare(reader: Reader, left: _Side, right: _Side, key: Element, settings: Settings) -> tuple[int, list[Finding]]:
    shared = sorted(e for e in left.columns.keys() & right.columns.keys() if e != key.id)
    lk, rk = left.columns[key.id], right.columns[key.id]
    joined = reader.query(f"SELECT COUNT(*) FROM ({_first(left.view, lk, lk)}) a JOIN ({_first(right.view, rk, rk)}) b "
                          "ON a.k = b.k")[0][0]
    out = []
    rule = BY_CODE["GC823"]
    for element_id in shared:
        lc, rc = left.columns[element_id], right.columns[element_id]
        base = (f"FROM ({_first(left.view, lk, lc)}) a JOIN ({_first(right.view, rk, rc)}) b ON a.k = b.k "
                "WHERE NULLIF(TRIM(a.v), '') IS NOT NULL AND NULLIF(TRIM(b.v), '') IS NOT NULL AND TRIM(a.v) <> TRIM(b.v)")
        count = int(reader.query(f"SELECT COUNT(*) {base}")[0][0])
        if not count:
            continue
        rows = reader.query(f"SELECT a.k, a.rn, a.v, b.rn, b.v {base} ORDER BY a.rn LIMIT {int(settings.sample)}")
        personal = left.personal.get(element_id, False) or right.personal.get(element_id, False)
        key_personal = left.personal.get(key.id, False)
        samples: list[dict[str, Any]] = [{"row": int(arn), "line": int(arn) + 1 if left.table.kind == "csv" else None, "cell": None,
                    "value": shown(av, personal, settings.show_values),
                    "key": shown(k, key_personal, settings.show_values),
                    "other": {"resource": right.resource.code, "file": right.table.display, "row": int(brn),
                              "value": shown(bv, personal, settings.show_values)}}
                   for k, arn, av, brn, bv in rows]
        header = left.table.headers[lc]
        args: dict[str, Any] = {"count": f"{count:,}", "key": L10n(f"“{key.title}”", f"'{key.title}'"),
                                "left": left.resource.name, "right": right.resource.name, "field": header}
        out.append(Finding(code="GC823", name=rule.name, severity=rule.severity, message=rule.message(settings.lang, args),
                           file=left.table.display, line=samples[0]["line"] if samples else None, column=lc + 1,
                           end_line=None, end_column=None, pointer="", sheet=None, cell=None,
                           record=left.resource.record,
                           extra={"field": header, "count": count, "rows": int(joined), "samples": samples}))
    return int(joined), out
