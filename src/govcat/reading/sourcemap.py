"""Positions in YAML: JSON Pointer -> 1-based source span, resolved lazily and only for findings.

Rules never compute positions; they name a pointer and the engine asks the document's SourceMap
(`core.document.resolve`, which falls back to the nearest ancestor for a missing field).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from govcat.core.document import Span
from govcat.core.pointer import join
from govcat.reading import files
from govcat.reading.scalars import mapping_key
from govcat.reading.text import decode


class YamlSourceMap:
    """Pointer -> span of a YAML text, built on first use by re-reading libyaml's events.

    Valid files never pay for positions: a table is made only when a finding asks for one, and
    for a pointer into a resource only that resource's lines are read again (see `_entries`).
    A value written as nothing (`key:`) is located at its key. Made from a path, it reads the file
    only then (a summary's map, see summary.py).
    """

    def __init__(self, text: str | None = None, path: Path | None = None) -> None:
        self._text, self._path = text, path
        self._spans: dict[str, Span] | None = None  # the whole file's table
        self._resources: list[tuple[int, int]] | None = None  # (start, end) of each resource's lines
        self._resource_spans: dict[int, dict[str, Span] | None] = {}

    def span(self, pointer: str) -> Span | None:
        match = _IN_RESOURCE.match(pointer)
        if match and self._spans is None:
            spans = self._resource(int(match[1]))
            if spans is not None:
                return spans.get(pointer)
        if self._spans is None:
            self._spans = _yaml_spans(self.text)
        return self._spans.get(pointer)

    @property
    def text(self) -> str:
        if self._text is None:
            raw = files.read(self._path, 1 << 30, []) if self._path is not None else None
            self._text = (decode(raw)[0] if raw is not None else None) or ""
        return self._text

    def _resource(self, i: int) -> dict[str, Span] | None:
        """The spans of resource i from its own lines, or None where the layout is not the plain one."""
        if i in self._resource_spans:
            return self._resource_spans[i]
        if self._resources is None:
            self._resources = _entries(self.text) or []
        if i >= len(self._resources):
            return None
        start, end = self._resources[i]
        text = self.text
        line = text.count("\n", 0, start)
        chunk = text[start:end]
        if i + 1 < len(self._resources):  # the next entry's dash, so that the resource ends where it does in the file
            chunk += text[end:text.index("-", end) + 1] + " x\n"
        # Blank lines in front keep libyaml's line numbers those of the file; columns are unchanged.
        parsed = _yaml_spans("\n" * line + chunk)
        prefix = f"/resources/{i}"
        spans = {prefix + pointer[2:]: span for pointer, span in parsed.items() if pointer.startswith("/0")
                 and (len(pointer) == 2 or pointer[2] == "/")}
        found = self._resource_spans[i] = spans if prefix in spans else None
        return found


# A resource list in block style under a top-level `resources:` key — the layout of every catalog
# govcat writes and of the standard's examples — can be cut into entries by their lines alone: in
# block style everything inside an entry is indented deeper than its dash (block scalars, plain
# and quoted continuation lines, flow collections alike) except comments, and the list ends at the
# first other line at or left of the dash. Any other layout is read whole.
_IN_RESOURCE = re.compile(r"/resources/(\d+)(?:/|$)")
_RESOURCES_KEY = re.compile(r"^resources:[ \t]*(?:#[^\n]*)?\r?$", re.M)
_DASH = re.compile(r"^( *)-(?:[ \t]|\r?$)", re.M)
_BLANK_OR_COMMENT = re.compile(r"(?:[ \t]*(?:#[^\n]*)?\r?\n)*")


def _entries(text: str) -> list[tuple[int, int]] | None:
    keys = list(_RESOURCES_KEY.finditer(text))
    if len(keys) != 1:
        return None
    body = text.find("\n", keys[0].end()) + 1
    first = _DASH.search(text, body) if body else None
    between = _BLANK_OR_COMMENT.match(text, body)
    if first is None or between is None or between.end() != first.start():
        return None  # `resources:` is not followed by a block list
    n = len(first[1])
    # The list ends at the first line that is neither blank nor a comment and starts left of the
    # dash (fewer than n spaces, then something), or at the dash's column with something other
    # than an entry.
    left = rf" {{0,{n - 1}}}[^ \t\r\n#]|" if n else ""
    close = re.compile(rf"^(?:{left} {{{n}}}(?:[^ \t\r\n#-]|-[^ \t\r\n]))", re.M)
    end = close.search(text, first.start())
    stop = end.start() if end else len(text)
    entry = re.compile(rf"^ {{{n}}}-(?:[ \t]|\r?$)", re.M)
    starts = [m.start() for m in entry.finditer(text, first.start(), stop)]
    return list(zip(starts, [*starts[1:], stop], strict=True))


def _mark_span(start: Any, end: Any) -> Span:  # libyaml's marks (the C ones are untyped)
    return Span(start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def _yaml_spans(text: str) -> dict[str, Span]:
    spans: dict[str, Span] = {}
    # Open collections: [pointer, is_mapping, next index or pending key, key span, start mark]
    stack: list[list[Any]] = []
    try:
        for event in yaml.parse(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml if built with it
            if isinstance(event, yaml.ScalarEvent | yaml.AliasEvent | yaml.MappingStartEvent
                          | yaml.SequenceStartEvent):
                if stack and stack[-1][1] and stack[-1][2] is None and isinstance(event, yaml.ScalarEvent):
                    stack[-1][2] = mapping_key(event)  # a key: the value follows
                    stack[-1][3] = _mark_span(event.start_mark, event.end_mark)
                    continue
                pointer = _next_pointer(stack)
                if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                    stack.append([pointer, isinstance(event, yaml.MappingStartEvent), None if isinstance(
                        event, yaml.MappingStartEvent) else 0, None, event.start_mark])
                    continue
                empty = isinstance(event, yaml.ScalarEvent) and event.value == "" and not event.style
                key_span = stack[-1][3] if stack and stack[-1][1] else None
                spans.setdefault(pointer, key_span if empty and key_span else
                                 _mark_span(event.start_mark, event.end_mark))
                _advance(stack)
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                pointer, _, _, _, start = stack.pop()
                end: Any = event.end_mark
                span = _mark_span(start, end)
                if end.column == 0 and end.line > start.line:
                    # Block collections end at the start of the next line; report the line before.
                    span = Span(span.line, span.column, end.line, None)
                spans.setdefault(pointer, span)
                _advance(stack)
    except yaml.YAMLError:
        pass  # only files that parsed get here; keep whatever was mapped
    spans.setdefault("", Span(1, 1))  # an empty document is located at its start
    return spans


def _next_pointer(stack: list[list[Any]]) -> str:
    if not stack:
        return ""
    return join(stack[-1][0], stack[-1][2])  # a mapping's pending key, or a sequence's next index


def _advance(stack: list[list[Any]]) -> None:
    if not stack:
        return
    if stack[-1][1]:
        stack[-1][2], stack[-1][3] = None, None
    else:
        stack[-1][2] += 1


def column_letters(col: int) -> str:
    """`A` for 1, `IV` for 256, `XFD` for 16384 (openpyxl's stops there; a damaged file goes further)."""
    letters = ""
    while col > 0:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class SheetSourceMap:
    """Positions in a workbook: pointer -> (sheet, row, column), turned into a Span with its `F7` name
    only when asked. Here, not in workbook.py, so that the cache can rebuild one without importing the
    workbook reader (and with it calamine's wrapper and the package repair) into every run."""

    def __init__(self) -> None:
        self.cells: dict[str, tuple[str, int, int]] = {}

    def span(self, pointer: str) -> Span | None:
        found = self.cells.get(pointer)
        if found is None:
            return None
        sheet, row, column = found
        return Span(row, column, sheet=sheet, cell=f"{column_letters(column)}{row}")
