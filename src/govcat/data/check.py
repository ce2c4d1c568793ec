"""`govcat data check RESOURCE DATA…`: read, map, plan, run the two queries, report (SPEC §6.3)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from govcat.checking.rules import BY_CODE
from govcat.core.errors import UsageError
from govcat.core.findings import SEVERITY_ORDER, Finding, Report
from govcat.core.i18n import L10n
from govcat.core.workspace import Workspace
from govcat.data import checks, queries
from govcat.data.engines import DuckDB, Engine, Postgres, Reader, Spark, _Unreadable
from govcat.data.resource import Item, Mapping, Resource, find, map_columns, read_mapping
from govcat.data.sources import Notice, Table, open_data, transcode
from govcat.reading.sourcemap import column_letters
from govcat.standard import Standard
from govcat.standard import load as load_standard

ENGINES = ("duckdb", "postgres", "spark")
SHOWN_CHARS = 200  # a sample value is cut here: a 10 MB cell must not flood a CI log


@dataclass
class Settings:
    resource: str
    data: list[str]
    workspace: Workspace
    catalog: Path | None = None
    mapping: Path | None = None
    engine: str | None = None  # None: duckdb, or postgres for a postgresql:// table
    sample: int = 20
    as_of: date = field(default_factory=date.today)
    show_values: bool = False
    lang: str = "zh"
    cwd: Path = field(default_factory=Path.cwd)
    spark_master: str | None = None
    postgres_url: str | None = None  # --engine postgres for files: the server to check them in
    threads: int | None = None


@dataclass
class Measured:
    """One dimension of GB/T 36344: failing cells among the cells checked."""

    failing: int = 0
    checked: int = 0

    def rate(self) -> float | None:
        return None if not self.checked else round(1 - self.failing / self.checked, 6)


@dataclass
class Result:
    """What a check run found, for the report, `--record` and the dashboard."""

    resource: Resource
    engine: str
    rows: int = 0
    findings: list[Finding] = field(default_factory=list)
    dimensions: dict[str, Measured] = field(default_factory=lambda: {d: Measured() for d in checks.DIMENSIONS})
    complete: bool = True  # every DATA was read and checked

    def metrics(self) -> dict[str, Any]:
        return {checks.DIMENSION_EN[d]: {"title": d, "rate": m.rate(), "failing": m.failing, "checked": m.checked}
                for d, m in self.dimensions.items()}


def mask(value: str) -> str:
    """A personal value masked for reports: `3301**********123X`, `张*`, `13*******78`."""
    n = len(value)
    if n <= 1:
        return "*"
    if n == 2:
        return value[0] + "*"
    if n <= 6:
        return value[0] + "*" * (n - 2) + value[-1]
    keep = 4 if n >= 12 else 2
    return value[:keep] + "*" * (n - 2 * keep) + value[-keep:]


def shown(value: Any, personal: bool, show_values: bool) -> str | None:
    if value is None:
        return None
    text = str(value)
    if personal and not show_values:
        text = mask(text)
    if len(text) > SHOWN_CHARS:
        text = text[:SHOWN_CHARS] + f"…（共 {len(text)} 个字符）"
    return text


# --- one run --------------------------------------------------------------------------------------------

def run(settings: Settings) -> tuple[Report, Result]:
    std = load_standard(settings.workspace.generated)
    resource = find(settings.resource, std, settings.workspace, settings.catalog, settings.cwd)
    explicit = read_mapping(settings.mapping) if settings.mapping else None
    engine_name = settings.engine or ("postgres" if settings.data and all(
        d.startswith(("postgresql://", "postgres://")) for d in settings.data) else "duckdb")
    if engine_name not in ENGINES:
        raise UsageError(f"未知的引擎：{engine_name}")
    result = Result(resource=resource, engine=engine_name)
    with tempfile.TemporaryDirectory(prefix="govcat-data-") as tmp:
        workdir = Path(tmp)
        for spec in settings.data:
            _check_one(spec, settings, std, resource, explicit, engine_name, workdir, result)
    report = _report(settings, std, result)
    return report, result


def _display(spec: str, cwd: Path) -> str:
    from govcat.core.paths import display

    if "://" in spec or spec.startswith("sqlite:"):
        return spec
    return display(Path(spec), cwd)


def _check_one(spec: str, settings: Settings, std: Standard, resource: Resource, explicit: dict[str, str] | None,
               engine_name: str, workdir: Path, result: Result) -> None:
    table = open_data(spec, _display(spec, settings.cwd), engine_name, workdir)
    out = _Emitter(settings, resource, table, result)
    try:
        if not table.readable:
            out.notices()
            result.complete = False
            return
        reader = Reader(workdir, settings.threads) if table.kind not in ("postgres", "spark") else None
        engine: Engine | None = None
        try:
            engine = _engine(engine_name, settings, table, reader, workdir)
            mapping = map_columns(table.headers, resource, explicit)
            plan = checks.plan(resource, mapping, std, settings.as_of, len(table.headers))
            counts: Any = _aggregate(engine, plan, table, reader, workdir, engine_name, settings, resource, explicit, std)
        except _Unreadable as exc:
            table.notices.append(Notice("GC800", {"reason": str(exc)}))
            out.notices()
            result.complete = False
            return
        else:
            if isinstance(counts, _Restart):  # mixed encodings found by the reader: read the converted copy
                mapping, plan, counts, engine = counts.mapping, counts.plan, counts.counts, counts.engine
            out.mapping(mapping)
            out.notices()
            try:
                _findings(engine, plan, counts, table, out, settings, result)
            except _Unreadable as exc:  # the samples' query failed (out of memory…): said, never a partial report
                out.finding("GC800", {"reason": str(exc)})
                result.complete = False
        finally:
            if engine is not None:
                engine.close()
            if reader is not None:
                reader.close()
    finally:
        table.close()


@dataclass
class _Restart:
    mapping: Mapping
    plan: checks.Plan
    counts: dict[str, Any]
    engine: Engine


def _engine(name: str, settings: Settings, table: Table, reader: Reader | None, workdir: Path) -> Engine:
    if name == "duckdb":
        if reader is None:
            raise UsageError(f"{table.display}：DuckDB 引擎检查文件；PostgreSQL 表请用 --engine postgres")
        reader.open(table)
        return DuckDB(reader)
    if name == "postgres":
        url = table.url if table.kind == "postgres" else settings.postgres_url
        if url is None:
            raise UsageError("--engine postgres 检查文件时需要 --db postgresql://…（在哪个服务器中检查）")
        pg = Postgres(url)
        try:
            if table.kind == "postgres":
                pg.attach(table)
            else:
                assert reader is not None
                reader.open(table)
                pg.staged_from = reader  # type: ignore[attr-defined]
        except BaseException:
            pg.close()
            raise
        return pg
    spark = Spark(settings.spark_master)
    if table.kind == "spark":
        spark.attach(table)
    else:
        assert reader is not None
        reader.open(table)
        spark.staged_from = reader  # type: ignore[attr-defined]
    return spark


def _aggregate(engine: Engine, plan: checks.Plan, table: Table, reader: Reader | None, workdir: Path, engine_name: str,
               settings: Settings, resource: Resource, explicit: dict[str, str] | None, std: Standard,
               retry: bool = True) -> dict[str, Any] | _Restart:
    staged_from = getattr(engine, "staged_from", None)
    if staged_from is not None:  # PostgreSQL / Spark: DuckDB's read (with its rejects) is copied in once
        engine.load(staged_from, len(table.headers), workdir)  # type: ignore[attr-defined]
    tree = queries.aggregate(plan)
    row = engine.query(queries.sql(tree, engine.name))[0]
    names = [e.alias_or_name for e in tree.expressions]
    counts = dict(zip(names, row, strict=True))
    rejects = reader.rejects() if reader is not None and table.kind == "csv" else []
    if retry and table.kind == "csv" and any("ENCODING" in str(r[2]).upper() for r in rejects):
        assert reader is not None and table.path is not None
        engine.close()
        converted = transcode(table.path, workdir, table)
        table.path = converted
        from govcat.data.sources import _finish_delimited

        _finish_delimited(table, "\t" if table.display.lower().endswith(".tsv") else ",")
        engine = _engine(engine_name, settings, table, reader, workdir)
        mapping = map_columns(table.headers, resource, explicit)
        plan = checks.plan(resource, mapping, std, settings.as_of, len(table.headers))
        again = _aggregate(engine, plan, table, reader, workdir, engine_name, settings, resource, explicit, std,
                           retry=False)
        assert isinstance(again, dict)
        return _Restart(mapping, plan, again, engine)
    if rejects:
        _reject_notice(table, rejects)
    return counts


_REJECT_REASON = {"MISSING COLUMNS": L10n("字段数少于表头", "fewer fields than the header"),
                  "TOO MANY COLUMNS": L10n("字段数多于表头", "more fields than the header"),
                  "UNQUOTED VALUE": L10n("引号不成对", "unbalanced quotes"),
                  "LINE SIZE OVER MAXIMUM": L10n("单行过长", "a line over the size limit"),
                  "INVALID ENCODING": L10n("编码错误", "invalid encoding")}


def _reject_notice(table: Table, rejects: list[tuple[int, int, str]]) -> None:
    assert table.path is not None
    positions = [int(r[0]) for r in rejects[:20]]
    lines = _lines_at(table.path, positions)
    kinds = sorted({str(r[2]).upper() for r in rejects})
    reason = [_REJECT_REASON.get(k, L10n(k.lower(), k.lower())) for k in kinds]
    table.notices.append(Notice("GC802", {"reason": L10n("、".join(r.zh for r in reason), ", ".join(r.en for r in reason))},
                                count=len(rejects),
                                samples=[{"row": None, "line": line, "cell": None, "value": None} for line in lines]))
    table.rejected_lines = [line for line in _lines_at(table.path, [int(r[0]) for r in rejects[:10000]])]  # type: ignore[attr-defined]


def _lines_at(path: Path, positions: list[int]) -> list[int]:
    """The physical line (1-based) of each byte position, counted in one pass over the file's start."""
    out, done, line = [], 0, 1
    wanted = sorted(set(positions))
    found: dict[int, int] = {}
    with open(path, "rb") as fh:
        for pos in wanted:
            chunk = fh.read(pos - done)
            line += chunk.count(b"\n")
            done = pos
            found[pos] = line
    for pos in positions:
        out.append(found[pos])
    return out


# --- findings ---------------------------------------------------------------------------------------------

class _Emitter:
    def __init__(self, settings: Settings, resource: Resource, table: Table, result: Result) -> None:
        self.settings, self.resource, self.table, self.result = settings, resource, table, result

    def finding(self, code: str, args: dict[str, Any], *, severity: str | None = None, column: int | None = None,
                count: int | None = None, rows: int | None = None, samples: list[dict[str, Any]] | None = None) -> None:
        rule = BY_CODE[code]
        field_name = self.table.headers[column] if column is not None and column < len(self.table.headers) else None
        samples = samples or []
        first = samples[0] if samples else {}
        extra = {"field": field_name, "count": count, "rows": rows, "samples": samples}
        self.result.findings.append(Finding(
            code=code, name=rule.name, severity=severity or rule.severity,
            message=rule.message(self.settings.lang, {"count": f"{count:,}" if count is not None else "", **args}),
            file=self.table.display, line=first.get("line"), column=column + 1 if column is not None else None,
            end_line=None, end_column=None, pointer="", sheet=self.table.sheet if first.get("cell") else None,
            cell=first.get("cell"), record=self.resource.record, extra=extra))

    def notices(self) -> None:
        for n in self.table.notices:
            self.finding(n.code, n.args, severity=n.severity, count=n.count, samples=n.samples)

    def mapping(self, mapping: Mapping) -> None:
        from govcat.core.suggest import did_you_mean

        for c, guess in mapping.unknown:
            self.finding("GC805", {"field": self.table.headers[c] or L10n("（空表头）", "(empty header)"),
                                   "hint": did_you_mean(guess)}, column=c)
        for c, first, item in mapping.duplicates:
            self.finding("GC806", {"field": self.table.headers[c], "other": first + 1, "item": item.name}, column=c)
        for item in mapping.unmapped:
            names = [item.element.title, *item.element.aliases] if item.element else []
            hint = L10n(f"（可用的列名：{'、'.join(dict.fromkeys([item.name, *names]))}）",
                        f" (column names that map: {', '.join(dict.fromkeys([item.name, *names]))})")
            self.finding("GC804", {"item": item.name, "hint": hint}, severity="error" if item.is_key else None)


def _findings(engine: Engine, plan: checks.Plan, counts: dict[str, Any], table: Table, out: _Emitter,
              settings: Settings, result: Result) -> None:
    n = int(counts["n"] or 0)
    result.rows += n
    if n == 0:
        if not any(x.code == "GC802" for x in table.notices):
            out.finding("GC803", {}, rows=0, count=0)
        return
    failing = {i: int(counts[f"k{i}"] or 0) for i in range(len(plan.checks))}
    duplicates = int(counts.get("key_n") or 0) - int(counts.get("key_d") or 0) if plan.key_columns else 0
    for i, check in enumerate(plan.checks):
        measured = result.dimensions[check.dimension]
        measured.failing += failing[i]
        measured.checked += n
    if plan.key_columns:
        result.dimensions[checks.UNIQUENESS].failing += duplicates
        result.dimensions[checks.UNIQUENESS].checked += n
    sampled = _samples(engine, plan, {**failing, queries.DUPLICATE: duplicates}, settings.sample, n)
    places = _places(engine, table, plan, sorted({rn for rows_ in sampled.values() for rn, _ in rows_}))
    for i, check in enumerate(plan.checks):
        if failing[i] == 0:
            continue
        personal = check.item.sensitive
        samples = [_sample(rn, value, check.column, personal, places, table, settings) for rn, value in sampled.get(i, [])]
        args = {"field": table.headers[check.column], **check.args}
        out.finding(check.code, args, severity=check.severity, column=check.column, count=failing[i], rows=n,
                    samples=samples)
    if duplicates:
        personal = any(plan_item.sensitive for c, plan_item in _key_items(plan, table))
        names = "+".join(table.headers[c] for c in plan.key_columns)
        samples = [_sample(rn, value.replace("\x1f", " | ") if isinstance(value, str) else value, plan.key_columns[0],
                           personal, places, table, settings) for rn, value in sampled.get(queries.DUPLICATE, [])]
        out.finding("GC820", {"field": L10n(f"“{names}”", f"'{names}'")}, column=plan.key_columns[0], count=duplicates,
                    rows=n, samples=samples)
    _freshness(plan, counts, table, out, settings, result, n)


def _samples(engine: Engine, plan: checks.Plan, failing: dict[int, int], limit: int,
             n: int) -> dict[int, list[tuple[int, Any]]]:
    """The first ``limit`` failing rows of each check (the repeated keys: queries.DUPLICATE), in row order.
    Failing rows are mostly spread over the table: a check failing k times in n rows is expected to have
    twice its samples in the first 2·limit·n/k rows. The checks for which that is less than half the table
    are looked for first in those rows only (the read stops there); every other check, and any that did not
    find all its samples there, over every row."""
    need = {i: min(limit, k) for i, k in failing.items() if k > 0 and limit > 0}
    reach = {i: 2 * limit * n // failing[i] for i in need}
    near = [i for i in need if reach[i] < n // 2]
    passes: list[tuple[int | None, list[int]]] = [(max(reach[i] for i in near), near)] if near else []
    sampled: dict[int, list[tuple[int, Any]]] = {}
    for rows, asked in [*passes, (None, list(need))]:
        todo = [i for i in asked if i not in sampled]
        tree = queries.samples(plan, [i for i in todo if i != queries.DUPLICATE], limit, queries.DUPLICATE in todo, rows)
        if tree is None:
            continue
        found: dict[int, list[tuple[int, Any]]] = {}
        for chk, rn, value in engine.query(queries.sql(tree, engine.name)):
            found.setdefault(int(chk), []).append((int(rn), value))
        for i in todo:
            if rows is None or len(found.get(i, [])) == need[i]:
                sampled[i] = sorted(found.get(i, []))
    return sampled


def _key_items(plan: checks.Plan, table: Table) -> list[tuple[int, Item]]:
    return [(c, plan.key_item) for c in plan.key_columns if plan.key_item is not None]


@dataclass
class _Places:
    rows: dict[int, int]  # rn -> data row (1-based, rejected rows counted)
    lines: dict[int, int]  # rn -> physical line (CSV)


def _places(engine: Engine, table: Table, plan: checks.Plan, rns: list[int]) -> _Places:
    rejected = sorted(getattr(table, "rejected_lines", []))
    rows: dict[int, int] = {}
    for rn in rns:  # rows the reader rejected still count as data rows: shift by those before
        row = rn
        while True:
            before = sum(1 for line in rejected if line - table.header_lines <= row)
            if rn + before == row:
                break
            row = rn + before
        rows[rn] = row
    lines: dict[int, int] = {}
    if table.kind == "csv":
        breaks = [0] * len(rns)
        if rns:  # over the rows up to the last sample only
            tree = queries.line_breaks_before(rns, plan.columns)
            breaks = [int(b or 0) for b in engine.query(queries.sql(tree, engine.name))[0]]
        for rn, extra in zip(rns, breaks, strict=True):
            lines[rn] = table.header_lines + rows[rn] + extra
    return _Places(rows, lines)


def _sample(rn: int, value: Any, column: int, personal: bool, places: _Places, table: Table,
            settings: Settings) -> dict[str, Any]:
    row = places.rows.get(rn, rn)
    cell = f"{column_letters(column + 1)}{row + 1}" if table.kind == "xlsx" else None
    return {"row": row, "line": places.lines.get(rn), "cell": cell, "value": shown(value, personal, settings.show_values)}


def _freshness(plan: checks.Plan, counts: dict[str, Any], table: Table, out: _Emitter, settings: Settings,
               result: Result, n: int) -> None:
    if plan.updated_column is None or out.resource.update_frequency is None:
        return
    std = load_standard(settings.workspace.generated)
    interval = std.frequencies[out.resource.update_frequency]["max_interval_days"]
    newest = counts.get("newest")
    if interval is None:
        return
    measured = result.dimensions[checks.TIMELINESS]
    measured.checked += 1
    if newest is None:
        return
    day = datetime.strptime(str(newest)[:8], "%Y%m%d").date()
    overdue = (settings.as_of - (day + timedelta(days=interval + std.grace_days))).days
    if overdue > 0:
        measured.failing += 1
        out.finding("GC822", {"field": table.headers[plan.updated_column], "newest": str(newest),
                              "frequency": out.resource.update_frequency, "days": overdue},
                    column=plan.updated_column, count=n, rows=n)


# --- the report -----------------------------------------------------------------------------------------------

def _report(settings: Settings, std: Standard, result: Result) -> Report:
    findings = sorted(result.findings, key=lambda f: (f.file, SEVERITY_ORDER[f.severity], f.code, f.column or 0))
    report = Report(standard_version=std.version, as_of=settings.as_of.isoformat(), lang=settings.lang,
                    files=len(settings.data), resources=1, items=len(result.resource.items), findings=findings,
                    paths=[_display(d, settings.cwd) for d in settings.data])
    report.extra = {"resource": {**result.resource.record, "provider": result.resource.provider},
                    "engine": result.engine, "rows": result.rows, "complete": result.complete,
                    "metrics": result.metrics()}
    return report


def summary(result: Result, report: Report) -> dict[str, Any]:
    """The row `--record` stores (publishing.database.record_quality): plain values only. ``quality`` is
    the mean of the measured GB/T 36344 rates."""
    rates = {checks.DIMENSION_EN[d]: m.rate() for d, m in result.dimensions.items()}
    measured = [r for r in rates.values() if r is not None]
    return {
        "resource_code": result.resource.code, "as_of": report.as_of, "provider_code": result.resource.provider,
        "resource_name": result.resource.name, "engine": result.engine, "data": " ".join(report.paths),
        "rows_checked": result.rows, "errors": report.count("error"), "warnings": report.count("warning"),
        **rates, "quality": round(sum(measured) / len(measured), 6) if measured else None,
        "complete": result.complete,
    }
