"""GitHub Actions workflow commands: one annotation per finding, grouped per file."""

from __future__ import annotations

from itertools import groupby

from govcat.core.findings import Report

_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def render(report: Report, color: bool = False) -> str:
    lines = []
    for file, findings in groupby(report.findings, key=lambda f: f.file):
        lines.append(f"::group::{_escape_data(file)}")
        for f in findings:
            props = [f"file={_escape_property(f.file)}"]
            if f.line is not None:
                props += [f"line={f.line}", f"col={f.column}"]
                if f.end_line is not None:
                    props.append(f"endLine={f.end_line}")
            props.append(f"title={_escape_property(f.code + ' ' + f.name)}")
            where = f"[{f.sheet}!{f.cell}] " if f.cell else ""
            lines.append(f"::{_LEVEL[f.severity]} {','.join(props)}::{_escape_data(where + f.message)}")
        lines.append("::endgroup::")
    e, w, i = report.count("error"), report.count("warning"), report.count("info")
    lines.append(f"govcat: {report.files} files, {e} errors, {w} warnings, {i} info")
    return "\n".join(lines) + "\n"
