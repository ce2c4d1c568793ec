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
from typing import Any

from govcat.checking.outcome import Outcome
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
class DepartmentMetrics:
    code: str | None  # None: catalogs that declare no provider code
    name: str
    short_name: str | None
    registered: bool
    metrics: Metrics

    @property
    def label(self) -> str:
        return self.short_name or self.name


@dataclass(frozen=True)
class Dashboard:
    as_of: date
    departments: tuple[DepartmentMetrics, ...]
    total: Metrics  # every department, plus findings in files of no department (the registry)


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


def resource_metrics(res: Mapping[str, Any], std: Standard, as_of: date) -> Metrics:
    """The counts one resource contributes."""
    items = [i for i in items_of(res.get("items")) if isinstance(i, dict)]
    mapped = sum(1 for i in items if isinstance(i.get("element"), str) and i["element"] in std.elements)
    late = overdue(std, res.get("update_frequency"), res.get("last_updated_on"), as_of)
    return Metrics(
        resources=1, items=len(items),
        mapping=Ratio(mapped, len(items)),
        mount=Ratio(int(obj(res.get("mount")).get("status") == MOUNTED), 1),
        sharing=Ratio(int(obj(res.get("sharing")).get("type") in SHARED), 1),
        opening=Ratio(int(obj(res.get("opening")).get("type") in OPENED), 1),
        timeliness=Ratio(int(late is False), int(late is not None)),
    )


def finding_metrics(findings: Iterable[Finding]) -> Metrics:
    findings = list(findings)
    return Metrics(severities=dict(Counter(f.severity for f in findings)),
                   rules=dict(Counter(f.code for f in findings)))


def catalog_resources(doc: Document) -> list[dict[str, Any]]:
    return [res for _, res in resources(doc)]


def compute(docs: Sequence[Document], registry: Mapping[str, Mapping[str, Any]] | None,
            findings: Sequence[Finding], std: Standard, as_of: date) -> Dashboard:
    """Per-department and overall metrics. A catalog belongs to the provider it declares; a finding
    to the department of its file. Registered departments without catalogs are listed with zeros."""
    registry = registry or {}
    per: dict[str | None, Metrics] = {code: Metrics() for code in registry}
    owner: dict[str, str | None] = {}
    for doc in docs:
        if doc.role != "catalog":
            continue
        code = provider_code(doc)
        owner[doc.display] = code
        totals = per.get(code, Metrics())
        for res in catalog_resources(doc):
            totals = totals + resource_metrics(res, std, as_of)
        per[code] = totals
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
    for code in [*registry, *unregistered]:
        entry = obj(registry.get(code)) if code is not None else {}
        declared = _declared_name(docs, code)
        name = text(entry.get("name")) or declared or code or "（未声明提供方代码）"
        departments.append(DepartmentMetrics(code, name, text(entry.get("short_name")), code in registry,
                                             per[code]))
    total = sum((d.metrics for d in departments), Metrics()) + finding_metrics(stray)
    return Dashboard(as_of, tuple(departments), total)


def _declared_name(docs: Sequence[Document], code: str | None) -> str | None:
    for doc in docs:
        if doc.role == "catalog" and provider_code(doc) == code:
            name = text(obj(obj(doc.data).get("provider")).get("name"))
            if name:
                return name
    return None


def dashboard(outcome: Outcome, as_of: date) -> Dashboard:
    """The metrics of a validation run that kept its documents (``engine.run(..., keep_documents=True)``)."""
    return compute(outcome.docs, outcome.registry or {}, outcome.report.findings, outcome.std, as_of)


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


def as_dict(board: Dashboard) -> dict[str, Any]:
    return {
        "as_of": board.as_of.isoformat(),
        "definitions": {d.key: {"title": d.title, "numerator": d.numerator, "denominator": d.denominator}
                        for d in RATES},
        "departments": [{"code": d.code, "name": d.name, "short_name": d.short_name, "registered": d.registered,
                         **_metrics_dict(d.metrics)} for d in board.departments],
        "total": _metrics_dict(board.total),
    }


def _percent(ratio: Ratio) -> str:
    return "—" if ratio.rate is None else f"{ratio.rate:.1%}"


def as_markdown(board: Dashboard) -> str:
    def cell(value: object) -> str:  # department names are catalog text: keep the table intact
        return str(value).replace("|", "\\|").replace("\n", " ")

    head = ["部门", "信息资源", "信息项", *(d.title for d in RATES), "错误", "警告", "提示"]
    lines = [f"# 目录合规报告（判定日期 {board.as_of.isoformat()}）", "", "| " + " | ".join(head) + " |",
             "|" + "---|" * len(head)]
    rows = [(cell(d.name), d.metrics) for d in board.departments] + [("**合计**", board.total)]
    for name, m in rows:
        values = [name, m.resources, m.items, *(_percent(m.ratio(d.key)) for d in RATES),
                  *(m.findings(s) for s in SEVERITIES)]
        lines.append("| " + " | ".join(str(v) for v in values) + " |")
    lines += ["", "## 指标定义", ""]
    lines += [f"- **{d.title}** = {d.numerator} ÷ {d.denominator}" for d in RATES]
    return "\n".join(lines) + "\n"
