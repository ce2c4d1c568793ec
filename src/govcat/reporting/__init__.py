"""Reporters: a registry keyed by format name; each is a pure ``render(report, color) -> str``."""

from __future__ import annotations

from collections.abc import Callable

from govcat.core.findings import Report
from govcat.reporting import github, json_format, junit, sarif, text

Render = Callable[[Report, bool], str]

REPORTERS: dict[str, Render] = {
    "text": text.render,
    "json": json_format.render,
    "github": github.render,
    "sarif": sarif.render,
    "junit": junit.render,
}
