"""The text report of `govcat data`: one line per finding (`file[列 N 字段]: CODE message`), its samples
indented below, then the rows checked and the GB/T 36344 rates. JSON, SARIF, JUnit and GitHub use the
common reporters (a data finding carries its `field`, `count`, `rows` and `samples` as extra keys)."""

from __future__ import annotations

import click

from govcat.core.findings import Finding, Report
from govcat.reporting.text import clean

_COLORS = {"error": "red", "warning": "yellow", "info": "blue"}


def _where(f: Finding, lang: str) -> str:
    extra = f.extra or {}
    if f.column is None:
        return f.file
    column = f"列{f.column}" if lang != "en" else f"column {f.column}"
    return f"{f.file}[{column} {clean(str(extra.get('field') or ''))}]"


def _sample(s: dict[str, object], lang: str) -> str:
    parts = []
    if s.get("row") is not None:
        parts.append(f"第 {s['row']} 行" if lang != "en" else f"row {s['row']}")
    if s.get("line") is not None:
        parts.append(f"文本第 {s['line']} 行" if lang != "en" else f"line {s['line']}")
    if s.get("cell"):
        parts.append(str(s["cell"]))
    where = ("，" if lang != "en" else ", ").join(parts)
    value = s.get("value")
    shown = "" if value is None else ("：" if lang != "en" else ": ") + repr(clean(str(value)))[1:-1].join("“”")
    other = s.get("other")
    if isinstance(other, dict):  # data compare: the key and the other resource's value
        shown += (f"  键 {s.get('key')}；{other.get('resource')} 第 {other.get('row')} 行：“{clean(str(other.get('value')))}”"
                  if lang != "en" else f"  key {s.get('key')}; {other.get('resource')} row {other.get('row')}: "
                  f"“{clean(str(other.get('value')))}”")
    return f"    {where}{shown}"


def render(report: Report, color: bool = False) -> str:
    lang = report.lang
    lines = []
    for f in report.findings:
        code = click.style(f.code, fg=_COLORS[f.severity], bold=True) if color else f.code
        lines.append(f"{_where(f, lang)}: {code} {clean(f.message)}")
        lines.extend(_sample(s, lang) for s in (f.extra or {}).get("samples") or [])
    extra = report.extra
    e, w, i = report.count("error"), report.count("warning"), report.count("info")
    rates = []
    for m in (extra.get("metrics") or {}).values():
        if m["rate"] is not None:
            name = m["title"] if lang != "en" else next(k for k, v in extra["metrics"].items() if v is m)
            rates.append(f"{name} {m['rate'] * 100:.2f}%")
    resource = extra.get("resource") or {
        "code": " / ".join(r["code"] for r in extra.get("resources", [])), "name": extra.get("key", "")}
    if lang == "en":
        summary = (f"{resource.get('code')} {resource.get('name')}: {report.files} data files, {extra.get('rows', 0):,} rows "
                   f"on {extra.get('engine')}: {e} errors, {w} warnings, {i} info")
    else:
        summary = (f"{resource.get('code')} {resource.get('name')}：共 {report.files} 个数据文件、{extra.get('rows', 0):,} 行"
                   f"（{extra.get('engine')}）：{e} 个错误，{w} 个警告，{i} 个提示")
    if not extra.get("complete", True):
        summary += " (incomplete: some data could not be read)" if lang == "en" else "（不完整：有数据未能读取）"
    lines.append(click.style(summary, bold=True) if color else summary)
    if rates:
        lines.append(("GB/T 36344: " if lang == "en" else "GB/T 36344 质量维度：") + "，".join(rates))
    return "\n".join(lines) + "\n"
