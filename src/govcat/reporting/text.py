"""`file:line:col: CODE message` (workbooks: `file[信息资源!F7]: CODE message`), then a summary."""

from __future__ import annotations

import click

from govcat.core.findings import Finding, Report

_COLORS = {"error": "red", "warning": "yellow", "info": "blue"}
# Catalog text reaches messages; one finding stays one line, and no escape sequence reaches a terminal.
_CONTROL = {**{c: f"\\x{c:02x}" for c in (*range(0x20), 0x7F)}, 0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t"}


def clean(text: str) -> str:
    return text.translate(_CONTROL)


def location(f: Finding) -> str:
    if f.cell:
        return f"{f.file}[{f.sheet}!{f.cell}]"
    if f.line is None:
        return f.file
    return f"{f.file}:{f.line}:{f.column}"


def _record(f: Finding) -> str:
    if not f.record:
        return ""
    parts = [p for p in (f.record.get("code"), f.record.get("name")) if p]
    return f" [{clean(' '.join(parts))}]" if parts else ""


def render(report: Report, color: bool = False) -> str:
    lines = []
    for f in report.findings:
        code = click.style(f.code, fg=_COLORS[f.severity], bold=True) if color else f.code
        lines.append(f"{clean(location(f))}: {code} {clean(f.message)}{_record(f)}")  # file names too
    e, w, i = report.count("error"), report.count("warning"), report.count("info")
    if report.lang == "en":
        summary = (f"{report.files} files, {report.resources} resources, {report.items} items: "
                   f"{e} errors, {w} warnings, {i} info")
    else:
        summary = (f"共 {report.files} 个文件、{report.resources} 条信息资源、{report.items} 个信息项："
                   f"{e} 个错误，{w} 个警告，{i} 个提示")
    if report.context_files:
        summary += (f" (with {report.context_files} other files of the workspace read for context)"
                    if report.lang == "en" else f"（另读取工作区其余 {report.context_files} 个文件作为上下文）")
    if report.changed_since:
        left, rev = report.changed_since["left_out"], report.changed_since["revision"]
        summary += (f" (changes since {rev}; {left} findings on unchanged records left out)" if report.lang == "en"
                    else f"（仅报告 {rev} 以来改动的记录；另有 {left} 个发现位于未改动的记录上，已略去）")
    elif not report.findings:
        summary += "  ✓" if report.lang == "en" else "，全部通过 ✓"
    lines.append(click.style(summary, bold=True) if color else summary)
    if report.registry is None and report.files:
        lines.append("Provider registration was not checked: no department registry was found (give one with "
                     "--registry FILE or `registry:` in .govcat.yaml)" if report.lang == "en" else
                     "未检查提供方登记：没有找到提供方名录（可用 --registry 文件 或 .govcat.yaml 中的 registry 指定）")
    lines.extend(report.extra.get("notes", []))  # e.g. an older copy of the registry stood in for its URL
    return "\n".join(lines) + "\n"
