"""A read document: plain data, where each value stands (a SourceMap from JSON Pointer to Span),
and what was found while reading it. Made by `govcat.reading`, read by every later stage."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from govcat.core.pointer import parent

# Problems that leave no data to check: the rules see only the problem itself.
FATAL_CODES = frozenset({"GC001", "GC003", "GC004", "GC005", "GC006", "GC009"})


@dataclass(frozen=True, slots=True)
class Span:
    """A 1-based position; for workbooks also the sheet and the cell's name (`F7`)."""

    line: int
    column: int
    end_line: int | None = None
    end_column: int | None = None
    sheet: str | None = None
    cell: str | None = None


class SourceMap(Protocol):
    def span(self, pointer: str) -> Span | None: ...


def resolve(smap: SourceMap | None, pointer: str) -> Span | None:
    """The span of ``pointer`` or of its nearest ancestor that exists."""
    if smap is None:
        return None
    current = pointer
    while True:
        found = smap.span(current)
        if found is not None or not current:
            return found
        current = parent(current)


@dataclass
class Problem:
    """Something found while reading, before any rule sees the data."""

    code: str
    pointer: str
    args: dict[str, Any]
    span: Span | None = None


@dataclass
class Document:
    path: Path
    display: str
    role: str  # "catalog", "registry" or "config"
    data: Any = None
    sourcemap: SourceMap | None = None
    problems: list[Problem] = field(default_factory=list)
    schema_errors: list[Any] = field(default_factory=list)
    # pointer -> source text of every number written as a plain scalar: where the standard wants
    # text (`division: 330100`, `standard_version: 1.0`) the department meant the text it typed.
    numbers: dict[str, str] = field(default_factory=dict)
    text: str | None = None  # the decoded YAML, for positions and a precise re-read
    memo: dict[str, Any] = field(default_factory=dict)  # lists the rules share (see core/access.py)
    fast: bool = False  # read by the fast path: `numbers` was not collected
    # `data` holds JSON values only (text keys, finite numbers): the YAML reader makes sure of it; a
    # workbook's cells may hold times, durations or NaN, which conformance turns into findings.
    plain: bool = False
    summary: bool = False  # `data` is the summary of the file (checking/summary.py), not all of it

    @property
    def loaded(self) -> bool:
        return not any(p.code in FATAL_CODES for p in self.problems)


@dataclass(frozen=True)
class Place:
    """Another place a finding refers to ("first used at …"). A rule names it by document and
    pointer, as it names its own; the engine turns it into `file:line` or `file[sheet!cell]`."""

    doc: Document
    pointer: str

    def describe(self) -> str:
        span = resolve(self.doc.sourcemap, self.pointer)
        if span is None:
            return self.doc.display
        if span.cell:
            return f"{self.doc.display}[{span.sheet}!{span.cell}]"
        return f"{self.doc.display}:{span.line}"
