"""The JSON report, keys as SPEC §3.3 fixes them."""

from __future__ import annotations

import json

from govcat.core.findings import Report


def render(report: Report, color: bool = False) -> str:
    return json.dumps(report.as_dict(), ensure_ascii=False, indent=2) + "\n"
