"""The report as CSV (`?format=csv`): one row per finding, UTF-8 with a byte-order mark so that
Excel and WPS open the Chinese correctly. A field that a spreadsheet would run as a formula
(starting with = + - @ or a tab) is prefixed with an apostrophe, as OWASP advises."""

from __future__ import annotations

import csv
import io

from govcat.core.findings import Report

COLUMNS = ("file", "sheet", "cell", "line", "column", "severity", "code", "name", "message",
           "record_code", "record_name", "pointer", "url")
_ACTIVE = ("=", "+", "-", "@", "\t", "\r")


def _inert(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_ACTIVE) else text


def render(report: Report, color: bool = False) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for f in report.findings:
        record = f.record or {}
        writer.writerow([_inert(v) for v in (f.file, f.sheet, f.cell, f.line, f.column, f.severity, f.code, f.name,
                                             f.message, record.get("code"), record.get("name"), f.pointer, f.url(report.docs_url))])
    return "\ufeff" + out.getvalue()
