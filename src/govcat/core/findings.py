"""Findings and the report: what a run found, in the shape SPEC §3.3 fixes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from govcat import __version__

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def rule_url(docs_url: str | None, code: str) -> str | None:
    return f"{docs_url.rstrip('/')}/rules/{code}/" if docs_url else None


@dataclass(frozen=True)
class Finding:
    code: str
    name: str
    severity: str
    message: str
    file: str
    line: int | None
    column: int | None
    end_line: int | None
    end_column: int | None
    pointer: str
    sheet: str | None
    cell: str | None
    record: dict[str, Any] | None
    # More keys for the JSON report, after the fixed ones: a data finding's `field`, `count`, `rows`,
    # `samples` (SPEC §6.3).
    extra: dict[str, Any] | None = None

    def url(self, docs_url: str | None) -> str | None:
        """The rule's page on the docs site, when the workspace says where the site is."""
        return rule_url(docs_url, self.code)

    def as_dict(self, docs_url: str | None = None) -> dict[str, Any]:
        return {
            "code": self.code, "name": self.name, "severity": self.severity, "message": self.message,
            "file": self.file, "line": self.line, "column": self.column,
            "end_line": self.end_line, "end_column": self.end_column, "pointer": self.pointer,
            "sheet": self.sheet, "cell": self.cell, "record": self.record, "url": self.url(docs_url),
            **(self.extra or {}),
        }

    def sort_key(self) -> tuple[Any, ...]:
        return (self.file, self.line or 0, self.column or 0, self.code, self.pointer)


@dataclass
class Report:
    standard_version: str
    as_of: str
    lang: str = "zh"
    files: int = 0
    resources: int = 0
    items: int = 0
    findings: list[Finding] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)  # every file validated, clean ones too
    changed_since: dict[str, Any] | None = None  # {"revision", "left_out"} with --changed-since
    context_files: int = 0  # other files of the workspace read for the cross-catalog rules
    docs_url: str | None = None  # the docs site (mkdocs.yml site_url, or docs_url in .govcat.yaml); None: unknown
    rule_summaries: dict[str, str] = field(default_factory=dict)  # code -> one line, for SARIF (not in the JSON)
    registry: str | None = None  # the department registry the run judged registration against; None: none found
    extra: dict[str, Any] = field(default_factory=dict)  # more top-level keys: a data report's `resource`, `engine`, …

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def as_dict(self) -> dict[str, Any]:
        return {
            "tool": {"name": "govcat", "version": __version__},
            "standard": {"version": self.standard_version},
            "as_of": self.as_of,
            "summary": {"files": self.files, "resources": self.resources, "items": self.items,
                        "error": self.count("error"), "warning": self.count("warning"),
                        "info": self.count("info"), "context_files": self.context_files,
                        "registry": self.registry},
            "findings": [f.as_dict(self.docs_url) for f in self.findings],
            **({"changed_since": self.changed_since} if self.changed_since else {}),
            **self.extra,
        }
