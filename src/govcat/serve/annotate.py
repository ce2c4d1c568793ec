"""The user's own workbook back, annotated: each finding as a comment on its cell, the cell
highlighted by severity, and a `校验结果` sheet listing every finding with a link to its cell.

Everything else stays as the department wrote it: the workbook is opened with openpyxl (formulas
as formulas, styles, drop-downs, hidden sheets) and only the finding cells' comment and fill change.
Text that comes from the catalog (messages quote values) is written as inert text: a value like
`=HYPERLINK(…)` never becomes a formula, and characters XML cannot hold are dropped.
"""

from __future__ import annotations

import io
import re
import warnings
from collections import defaultdict
from pathlib import Path
from typing import Any

from govcat.core.findings import SEVERITY_ORDER, Finding

RESULT_SHEET = "校验结果"
AUTHOR = "govcat"
FILLS = {"error": "FFC7CE", "warning": "FFEB9C", "info": "DDEBF7"}
SEVERITY_LABEL = {"zh": {"error": "错误", "warning": "警告", "info": "提示"},
                  "en": {"error": "error", "warning": "warning", "info": "info"}}
HEADERS = {
    "zh": ("序号", "级别", "规则代码", "规则名称", "消息", "工作表", "单元格", "信息资源代码", "信息资源名称", "规则说明"),
    "en": ("No.", "Severity", "Code", "Rule", "Message", "Sheet", "Cell", "Resource code", "Resource name", "Rule page"),
}
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CELL = re.compile(r"^\$?([A-Z]{1,3})\$?(\d{1,7})$")


def inert(text: Any) -> str:
    return _ILLEGAL.sub("", str(text))


def _put_text(cell: Any, value: Any) -> None:
    """A text cell that stays text, whatever it begins with."""
    cell.value = inert(value)
    cell.data_type = "s"


def annotate(path: Path, findings: list[Finding], lang: str, docs_url: str | None = None) -> bytes:
    """The workbook at ``path`` with ``findings`` (all of one file) on its cells, as .xlsx bytes."""
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.hyperlink import Hyperlink

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about extensions it keeps as they are
        book = openpyxl.load_workbook(path, rich_text=True)
    labels = SEVERITY_LABEL["en" if lang == "en" else "zh"]
    on_cell: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in findings:
        if f.sheet and f.sheet in book.sheetnames and f.cell and _CELL.match(f.cell):
            on_cell[(f.sheet, f.cell)].append(f)
    for (sheet, ref), cell_findings in on_cell.items():
        cell = book[sheet][ref]
        worst = min(cell_findings, key=lambda f: SEVERITY_ORDER.get(f.severity, 9)).severity
        text = "\n".join(f"[{labels.get(f.severity, f.severity)}] {f.code} {inert(f.message)}" for f in cell_findings)
        if cell.comment is not None and cell.comment.text:
            text = f"{cell.comment.text}\n———\n{text}"  # the department's own comment stays first
        comment = Comment(text, AUTHOR)
        comment.width, comment.height = 360, min(60 + 40 * len(cell_findings), 400)
        cell.comment = comment
        cell.fill = PatternFill("solid", start_color=FILLS.get(worst, FILLS["info"]))

    name = RESULT_SHEET
    while name in book.sheetnames:
        name = f"{name}+"
    sheet = book.create_sheet(name)
    for column, title in enumerate(HEADERS["en" if lang == "en" else "zh"], start=1):
        head = sheet.cell(row=1, column=column)
        _put_text(head, title)
        head.font = Font(bold=True)
    ordered = sorted(findings, key=lambda f: (f.sheet or "", _row_of(f.cell), f.cell or "", f.code))
    for row, f in enumerate(ordered, start=2):
        record = f.record or {}
        values: tuple[int | str, ...] = (row - 1, labels.get(f.severity, f.severity), f.code, f.name, f.message, f.sheet or "", f.cell or "",
                  record.get("code") or "", record.get("name") or "", f.url(docs_url) or "")
        for column, value in enumerate(values, start=1):
            target = sheet.cell(row=row, column=column)
            if isinstance(value, int):
                target.value = value
            else:
                _put_text(target, value)
        target = sheet.cell(row=row, column=5)
        target.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.cell(row=row, column=2).fill = PatternFill("solid", start_color=FILLS.get(f.severity, FILLS["info"]))
        if (f.sheet or "", f.cell or "") in on_cell:
            link = sheet.cell(row=row, column=7)
            quoted = (f.sheet or "").replace("'", "''")
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{quoted}'!{f.cell}", display=f.cell)
            link.font = Font(color="0563C1", underline="single")
    for letter, width in zip("ABCDEFGHIJ", (6, 8, 9, 30, 70, 10, 9, 20, 24, 36), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    if ordered:
        sheet.auto_filter.ref = f"A1:J{len(ordered) + 1}"
    book.active = book.sheetnames.index(name)
    for other in book.worksheets:
        other.sheet_view.tabSelected = other is sheet
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _row_of(cell: str | None) -> int:
    match = _CELL.match(cell or "")
    return int(match[2]) if match else 0
