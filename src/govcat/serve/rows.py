"""The sheet rows a page shows beside the findings (`?include=rows`): for each sheet of a workbook
that has findings on cells, its header row and the rows holding those cells, so the page can mark
the offending cells where the department typed them. Bounded: a few hundred rows, cut cell text."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from govcat.core.findings import Finding

MAX_ROWS = 300
MAX_COLUMNS = 60
MAX_TEXT = 200


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def sheet_rows(path: Path, findings: list[Finding]) -> dict[str, Any]:
    """Sheet name -> {"columns": n, "rows": [{"row": n, "cells": [...]}], "truncated": bool}: row 1 and the
    rows with findings, as the sheet shows them (1-based row numbers, cells from column A)."""
    from openpyxl.utils.cell import coordinate_from_string
    from python_calamine import CalamineWorkbook

    wanted: dict[str, set[int]] = defaultdict(set)
    for f in findings:
        if f.sheet and f.cell:
            try:
                wanted[f.sheet].add(coordinate_from_string(f.cell)[1])
            except ValueError:
                continue
    if not wanted:
        return {}
    out: dict[str, Any] = {}
    book = CalamineWorkbook.from_path(str(path))
    try:
        for sheet, numbers in wanted.items():
            if sheet not in book.sheet_names:
                continue
            chosen = sorted(numbers | {1})  # row 1: the header (the 提供方 sheet's first label)
            rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
            shown = [n for n in chosen if n <= len(rows)][: MAX_ROWS + 1]
            width = min(MAX_COLUMNS, max((len(rows[n - 1]) for n in shown), default=0))
            out[sheet] = {
                "columns": width,
                "rows": [{"row": n, "cells": [_text(v) for v in rows[n - 1][:width]]} for n in shown],
                "truncated": len(chosen) > len(shown),
            }
            del rows
    finally:
        book.close()
    return out
