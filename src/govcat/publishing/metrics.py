"""Compliance metrics (合规指标) per department and overall, over a validated workspace.

`compute` is pure: loaded catalog documents, the registry table, the findings of a validation run,
the standard and the as-of date in; a `Dashboard` out (`dashboard` takes them from a run's Outcome).
The docs dashboard and `govcat report` both use it.

Each rate is kept as a `Ratio` (numerator, denominator), so totals add up and a reader can check
every figure; the rate is None when there is nothing to measure (denominator 0).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any, NamedTuple

from govcat.checking.outcome import Outcome
from govcat.checking.rules.base import Context
from govcat.checking.stage import Product
from govcat.core.access import items_of, obj, provider_code, resources, text
from govcat.core.document import Document
from govcat.core.findings import Finding
from govcat.standard import Standard

SHARED = ("无条件共享", "有条件共享")
OPENED = ("无条件开放", "有条件开放")
MOUNTED = "已挂接"
SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Ratio:
    numerator: int = 0
    denominator: int = 0

    @property
    def rate(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    def __add__(self, other: Ratio) -> Ratio:
        return Ratio(self.numerator + other.numerator, self.denominator + other.denominator)


@dataclass(frozen=True)
class Definition:
    key: str
    title: str
    numerator: str
    denominator: str


# The rates, in the order the dashboard shows them, each with its formula (shown on the page).
RATES: tuple[Definition, ...] = (
    Definition("mapping", "数据元映射率", "关联了数据元标准中已有数据元（`element`）的信息项数", "信息项数"),
    Definition("mount", "挂接率", "挂接状态（`mount.status`）为“已挂接”的信息资源数", "信息资源数"),
    Definition("sharing", "共享率", "共享类型为“无条件共享”或“有条件共享”的信息资源数", "信息资源数"),
    Definition("opening", "开放率", "开放类型为“无条件开放”或“有条件开放”的信息资源数", "信息资源数"),
    Definition("timeliness", "更新及时率",
               "在判定日期未过期的信息资源数（按 GC504 的规则：最近更新日期 + 最大间隔 + 宽限天数 ≥ 判定日期；"
               "未填最近更新日期的计为不及时）",
               "更新周期有最大间隔的信息资源数（不定期、其他不计入）"),
)


@dataclass(frozen=True)
class Metrics:
    resources: int = 0
    items: int = 0
    mapping: Ratio = Ratio()
    mount: Ratio = Ratio()
    sharing: Ratio = Ratio()
    opening: Ratio = Ratio()
    timeliness: Ratio = Ratio()
    severities: Mapping[str, int] = field(default_factory=dict)
    rules: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, resources: int, items: int, ratios: Mapping[str, Ratio],
           severities: Mapping[str, int] | None = None) -> Metrics:
        """Metrics from counts, the ratios by `RATES` key."""
        return cls(resources=resources, items=items, mapping=ratios["mapping"], mount=ratios["mount"],
                   sharing=ratios["sharing"], opening=ratios["opening"], timeliness=ratios["timeliness"],
                   severities=severities or {})

    def ratio(self, key: str) -> Ratio:
        value = getattr(self, key)
        assert isinstance(value, Ratio)
        return value

    def findings(self, severity: str) -> int:
        return self.severities.get(severity, 0)

    def __add__(self, other: Metrics) -> Metrics:
        return Metrics(
            resources=self.resources + other.resources, items=self.items + other.items,
            mapping=self.mapping + other.mapping, mount=self.mount + other.mount,
            sharing=self.sharing + other.sharing, opening=self.opening + other.opening,
            timeliness=self.timeliness + other.timeliness,
            severities=dict(Counter(self.severities) + Counter(other.severities)),
            rules=dict(Counter(self.rules) + Counter(other.rules)),
        )


@dataclass(frozen=True)
class Quality:
    """Data quality as `govcat data check --record` stored it (publishing.database.data_quality): the
    mean of each resource's latest GB/T 36344 score, per department and over every resource checked."""

    departments: Mapping[str, float]
    total: float | None
    resources: int = 0  # resources with a recorded score


@dataclass(frozen=True)
class DepartmentMetrics:
    code: str | None  # None: catalogs that declare no provider code
    name: str
    short_name: str | None
    registered: bool
    metrics: Metrics
    quality: float | None = None  # the department's data quality (0–1), when recorded

    @property
    def label(self) -> str:
        return self.short_name or self.name


@dataclass(frozen=True)
class Dashboard:
    as_of: date
    departments: tuple[DepartmentMetrics, ...]
    total: Metrics  # every department, plus findings in files of no department (the registry)
    quality: Quality | None = None  # None: no data-quality result recorded


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def overdue(std: Standard, frequency: Any, last_updated_on: Any, as_of: date) -> bool | None:
    """GC504's rule: overdue when last update + max interval + grace < as-of.

    None when the frequency has no max interval (不定期, 其他, or not a frequency at all); True when
    the last update date is missing or not a date, since timeliness cannot be shown.
    """
    value = std.frequency(frequency)
    interval = std.frequencies[value]["max_interval_days"] if value else None
    if interval is None:
        return None
    last = _date(last_updated_on)
    if last is None:
        return True
    return last.toordinal() + interval + std.grace_days < as_of.toordinal()  # day numbers: no overflow near 9999


def _counts(res: Mapping[str, Any], std: Standard, as_of: date) -> tuple[int, ...]:
    """Items, then numerator and denominator of each rate in `RATES` order, of one resource."""
    items = [i for i in items_of(res.get("items")) if isinstance(i, dict)]
    mapped = sum(1 for i in items if isinstance(i.get("element"), str) and i["element"] in std.elements)
    late = overdue(std, res.get("update_frequency"), res.get("last_updated_on"), as_of)
    return (len(items), mapped, len(items), int(obj(res.get("mount")).get("status") == MOUNTED), 1,
            int(obj(res.get("sharing")).get("type") in SHARED), 1, int(obj(res.get("opening")).get("type") in OPENED), 1,
            int(late is False), int(late is not None))


def resource_metrics(res: Mapping[str, Any], std: Standard, as_of: date) -> Metrics:
    """The counts one resource contributes."""
    items, *rates = _counts(res, std, as_of)
    return Metrics.of(1, items, {d.key: Ratio(rates[2 * i], rates[2 * i + 1]) for i, d in enumerate(RATES)})


def finding_metrics(findings: Iterable[Finding]) -> Metrics:
    findings = list(findings)
    return Metrics(severities=dict(Counter(f.severity for f in findings)),
                   rules=dict(Counter(f.code for f in findings)))


def catalog_resources(doc: Document) -> list[dict[str, Any]]:
    return [res for _, res in resources(doc)]


# --- per catalog file, where it is read --------------------------------------------------------------

class Catalog(NamedTuple):
    """One catalog file's part of the metrics: whose it is and the counts of its resources."""

    display: str  # the file as the report names it (its findings are the department's)
    provider: str | None
    name: str | None  # the provider name it declares (for a department the registry does not name)
    metrics: Metrics


def file_metrics(doc: Document, ctx: Context) -> dict[str, Any]:
    """The product `PRODUCT` of one catalog (engine.Settings.products): its provider and the counts
    of its resources, as plain JSON so that the incremental cache keeps it with the file. Counted
    here by plain sums (`resource_metrics` per resource, added up, took 2 ms a catalog)."""
    counts = [0] * (2 + 2 * len(RATES))
    for res in catalog_resources(doc):
        counts[0] += 1
        for i, n in enumerate(_counts(res, ctx.std, ctx.as_of), start=1):
            counts[i] += n
    return {"provider": provider_code(doc), "name": text(obj(obj(doc.data).get("provider")).get("name")),
            "counts": [counts[0], counts[1], *([counts[2 + 2 * i], counts[3 + 2 * i]] for i in range(len(RATES)))]}


PRODUCT = Product("metrics", file_metrics)


def _catalog(doc: Document, made: Mapping[str, Any] | None, std: Standard, as_of: date) -> Catalog:
    if made is None:  # a run without the product kept its documents: count them here
        if doc.summary:
            raise ValueError(f"{doc.display}: the run made no metrics (engine.Settings.products)")
        made = file_metrics(doc, Context(std=std, as_of=as_of))
    resources_, items, *ratios = made["counts"]
    counts = {d.key: Ratio(int(n), int(m)) for d, (n, m) in zip(RATES, ratios, strict=True)}
    return Catalog(doc.display, made["provider"], made["name"], Metrics.of(int(resources_), int(items), counts))


def compute(files: Sequence[Catalog], registry: Mapping[str, Mapping[str, Any]] | None,
            findings: Sequence[Finding], as_of: date, quality: Quality | None = None) -> Dashboard:
    """Per-department and overall metrics. A catalog belongs to the provider it declares; a finding
    to the department of its file. Registered departments without catalogs are listed with zeros.
    ``quality``: the data-quality results recorded in the database, when there are any."""
    registry = registry or {}
    per: dict[str | None, Metrics] = {code: Metrics() for code in registry}
    owner: dict[str, str | None] = {}
    declared: dict[str | None, str] = {}
    for catalog in files:
        owner[catalog.display] = catalog.provider
        per[catalog.provider] = per.get(catalog.provider, Metrics()) + catalog.metrics
        if catalog.name:
            declared.setdefault(catalog.provider, catalog.name)
    by_department: dict[str | None, list[Finding]] = {}
    stray: list[Finding] = []
    for finding in findings:
        if finding.file in owner:
            by_department.setdefault(owner[finding.file], []).append(finding)
        else:
            stray.append(finding)
    for code, found in by_department.items():
        per[code] = per.get(code, Metrics()) + finding_metrics(found)

    departments = []
    unregistered = sorted((c for c in per if c not in registry), key=lambda c: (c is None, c or ""))
    scores = quality.departments if quality is not None else {}
    for code in [*registry, *unregistered]:
        entry = obj(registry.get(code)) if code is not None else {}
        name = text(entry.get("name")) or declared.get(code) or code or "（未声明提供方代码）"
        departments.append(DepartmentMetrics(code, name, text(entry.get("short_name")), code in registry,
                                             per[code], scores.get(code or "")))
    total = sum((d.metrics for d in departments), Metrics()) + finding_metrics(stray)
    return Dashboard(as_of, tuple(departments), total, quality if quality is not None and quality.departments else None)


def dashboard(outcome: Outcome, as_of: date, quality: Quality | None = None) -> Dashboard:
    """The metrics of a validation run made with `PRODUCT` (or that kept its documents)."""
    made = outcome.products or [{} for _ in outcome.docs]
    files = [_catalog(doc, products.get(PRODUCT.name), outcome.std, as_of)
             for doc, products in zip(outcome.docs, made, strict=True) if doc.role == "catalog"]
    return compute(files, outcome.registry or {}, outcome.report.findings, as_of, quality)


# --- over time: the snapshots `govcat load` records ------------------------------------------------

@dataclass(frozen=True)
class Snapshot:
    """The metrics of one load (a row of ``metric_snapshots`` per department)."""

    as_of: date
    commit: str  # "" when the catalogs were not in a git repository
    departments: Mapping[str, DepartmentMetrics]  # by provider code, in code order

    @cached_property
    def total(self) -> Metrics:
        return sum((d.metrics for d in self.departments.values()), Metrics())

    @cached_property
    def quality(self) -> float | None:
        """The departments' data quality averaged (the snapshot keeps no per-resource score)."""
        scores = [d.quality for d in self.departments.values() if d.quality is not None]
        return sum(scores) / len(scores) if scores else None


@dataclass(frozen=True)
class History:
    """Snapshots oldest first, one per as-of date (of several loads on one date, the last recorded)."""

    snapshots: tuple[Snapshot, ...]

    @property
    def dates(self) -> list[date]:
        return [s.as_of for s in self.snapshots]

    def names(self) -> dict[str, str]:
        """Every department seen in the snapshots, by code, with its latest name."""
        found: dict[str, str] = {}
        for snapshot in self.snapshots:
            found.update((code, d.label) for code, d in snapshot.departments.items())
        return dict(sorted(found.items()))

    def value(self, snapshot: Snapshot, key: str, code: str | None = None) -> float | None:
        """A metric of a department (None: the total) in a snapshot, as a rate 0–1 or a count."""
        if code is not None and code not in snapshot.departments:
            return None
        dept = snapshot.departments[code] if code is not None else None
        if key == QUALITY_KEY:
            return dept.quality if dept is not None else snapshot.quality
        m = dept.metrics if dept is not None else snapshot.total
        if key in SEVERITIES:
            return float(m.findings(key))
        return m.ratio(key).rate

    def movers(self, key: str, n: int = 3) -> tuple[list[Move], list[Move]]:
        """The departments whose ``key`` rose most and fell most from the snapshot before the last to the
        last (rates in percentage points; for finding counts, fewer is better)."""
        if len(self.snapshots) < 2:
            return [], []
        before, last = self.snapshots[-2], self.snapshots[-1]
        moves = []
        for code, dept in last.departments.items():
            old, new = self.value(before, key, code), self.value(last, key, code)
            if old is not None and new is not None and old != new:
                moves.append(Move(code, dept.label, old, new))
        better = -1 if key in SEVERITIES else 1
        ranked = sorted(moves, key=lambda m: (-(m.change * better), m.code))
        improved = [m for m in ranked if m.change * better > 0][:n]
        slipped = [m for m in reversed(ranked) if m.change * better < 0][:n]
        return improved, slipped


class Move(NamedTuple):
    code: str
    label: str
    old: float
    new: float

    @property
    def change(self) -> float:
        return self.new - self.old


QUALITY_KEY = "data_quality"


def trend_keys(history: History) -> list[tuple[str, str]]:
    """(key, title) of what the trend shows: every rate, data quality when any snapshot has it, and
    the finding counts."""
    keys = [(d.key, d.title) for d in RATES]
    if any(s.quality is not None for s in history.snapshots):
        keys.append((QUALITY_KEY, QUALITY_TITLE))
    return [*keys, ("warning", "警告数"), ("info", "提示数")]


def trend_dict(history: History) -> dict[str, Any]:
    """`govcat report --since … --format json`: per department, each metric at every snapshot."""
    keys = trend_keys(history)

    def series(code: str | None) -> dict[str, list[float | None]]:
        return {key: [_round(history.value(s, key, code)) for s in history.snapshots] for key, _ in keys}

    return {
        "dates": [d.isoformat() for d in history.dates],
        "commits": [s.commit or None for s in history.snapshots],
        "metrics": dict(keys),
        "departments": [{"code": code, "name": name, "series": series(code)} for code, name in history.names().items()],
        "total": series(None),
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _shown(key: str, value: float | None) -> str:
    if value is None:
        return "—"
    return str(int(value)) if key in SEVERITIES else f"{value:.1%}"


def _delta(key: str, old: float | None, new: float | None) -> str:
    if old is None or new is None:
        return "—"
    if key in SEVERITIES:
        return f"{int(new - old):+d}"
    return f"{(new - old) * 100:+.1f} 个百分点"


def trend_markdown(history: History, since: date) -> str:
    """The trend section of `govcat report --since`: a table per metric, a row per department."""
    lines = [f"## 趋势（自 {since.isoformat()} 起的 {len(history.snapshots)} 个快照）", ""]
    if not history.snapshots:
        return "\n".join([*lines, "数据库中没有该日期以来的快照：每次 `govcat load`（及 `govcat build`）记录一次。", ""])
    dates = [d.isoformat() for d in history.dates]
    names = history.names()
    for key, title in trend_keys(history):
        lines += [f"### {title}", "", "| 部门 | " + " | ".join(dates) + " | 变化 |", "|" + "---|" * (len(dates) + 2)]
        for code, name in [*names.items(), (None, "**合计**")]:
            values = [history.value(s, key, code) for s in history.snapshots]
            known = [v for v in values if v is not None]
            change = _delta(key, known[0], known[-1]) if len(known) > 1 else "—"
            label = cell(name) if code is not None else name
            lines.append(f"| {label} | " + " | ".join(_shown(key, v) for v in values) + f" | {change} |")
        lines.append("")
    if len(history.snapshots) > 1:
        lines += [f"### 与上一快照（{dates[-2]}）相比变化最大的部门", "", "| 指标 | 进步最多 | 退步最多 |", "|---|---|---|"]
        for key, title in trend_keys(history):
            improved, slipped = history.movers(key)
            listed = ["、".join(f"{cell(m.label)} {_delta(key, m.old, m.new)}" for m in moves) or "—"
                      for moves in (improved, slipped)]
            lines.append(f"| {title} | {listed[0]} | {listed[1]} |")
        lines.append("")
    return "\n".join(lines)


# --- `govcat report`: the same figures as JSON or Markdown -----------------------------------------

def _metrics_dict(m: Metrics) -> dict[str, Any]:
    return {
        "resources": m.resources, "items": m.items,
        "rates": {d.key: {"title": d.title, "numerator": m.ratio(d.key).numerator,
                          "denominator": m.ratio(d.key).denominator,
                          "rate": None if m.ratio(d.key).rate is None else round(m.ratio(d.key).rate or 0, 4)}
                  for d in RATES},
        "findings": {s: m.findings(s) for s in SEVERITIES},
        "rules": dict(sorted(m.rules.items())),
    }


QUALITY_TITLE = "数据质量"
QUALITY_DEFINITION = ("各信息资源最近一次 `govcat data check --record` 的质量得分（GB/T 36344 各维度比率的平均）"
                      "的平均值；未检查数据的部门显示“—”")


def as_dict(board: Dashboard) -> dict[str, Any]:
    def quality(value: float | None) -> dict[str, Any]:
        return {"data_quality": None if value is None else round(value, 4)} if board.quality else {}

    return {
        "as_of": board.as_of.isoformat(),
        "definitions": {d.key: {"title": d.title, "numerator": d.numerator, "denominator": d.denominator}
                        for d in RATES},
        "departments": [{"code": d.code, "name": d.name, "short_name": d.short_name, "registered": d.registered,
                         **_metrics_dict(d.metrics), **quality(d.quality)} for d in board.departments],
        "total": {**_metrics_dict(board.total), **quality(board.quality.total if board.quality else None)},
    }


def _percent(ratio: Ratio) -> str:
    return "—" if ratio.rate is None else f"{ratio.rate:.1%}"


def score(value: float | None) -> str:
    """A data-quality score as a percentage, like the rates."""
    return "—" if value is None else f"{value:.1%}"


def cell(value: object) -> str:
    """A Markdown table cell from catalog text (department names): the table stays intact."""
    return str(value).replace("|", "\\|").replace("\n", " ")


def as_markdown(board: Dashboard) -> str:
    with_quality = board.quality is not None
    head = ["部门", "信息资源", "信息项", *(d.title for d in RATES), *([QUALITY_TITLE] if with_quality else []),
            "错误", "警告", "提示"]
    lines = [f"# 目录合规报告（判定日期 {board.as_of.isoformat()}）", "", "| " + " | ".join(head) + " |",
             "|" + "---|" * len(head)]
    rows = [(cell(d.name), d.metrics, d.quality) for d in board.departments]
    rows.append(("**合计**", board.total, board.quality.total if board.quality else None))
    for name, m, quality in rows:
        values = [name, m.resources, m.items, *(_percent(m.ratio(d.key)) for d in RATES),
                  *([score(quality)] if with_quality else []), *(m.findings(s) for s in SEVERITIES)]
        lines.append("| " + " | ".join(str(v) for v in values) + " |")
    lines += ["", "## 指标定义", ""]
    lines += [f"- **{d.title}** = {d.numerator} ÷ {d.denominator}" for d in RATES]
    if with_quality:
        lines.append(f"- **{QUALITY_TITLE}** = {QUALITY_DEFINITION}")
    return "\n".join(lines) + "\n"
