"""Loading: bytes -> Document (plain data + SourceMap), with every problem as data, never an exception.

YAML goes through libyaml (PyYAML's C parser) for the node tree, then a small constructor of our own:
PyYAML's constructors silently keep one of two duplicate keys, turn `2025-02-30` into an exception,
`010100` into the octal 4160 and `yes` into True. Ours reports duplicates (GC002), keeps dates and
zero-padded codes as strings, bounds alias expansion and depth (GC004), and keeps the node tree so
positions are resolved only for the findings that need them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
import yaml_rs

from govcat import sourcemap as sm
from govcat.i18n import L10n
from govcat.sourcemap import Span

MAX_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 64
YAML_SUFFIXES = (".yaml", ".yml")
WORKBOOK_SUFFIXES = (".xlsx",)


@dataclass
class Problem:
    """Something found while loading, before any rule sees the data."""

    code: str
    pointer: str
    args: dict[str, Any]
    span: Span | None = None


@dataclass
class Document:
    path: Path
    display: str
    role: str  # "catalog" or "registry"
    data: Any = None
    sourcemap: sm.SourceMap | None = None
    problems: list[Problem] = field(default_factory=list)
    schema_errors: list[Any] = field(default_factory=list)
    # pointer -> source text of every number written as a plain scalar: where the standard wants
    # text (`division: 330100`, `standard_version: 1.0`) the department meant the text it typed.
    numbers: dict[str, str] = field(default_factory=dict)
    text: str | None = None  # the decoded YAML, for positions and a precise re-read
    memo: dict[str, Any] = field(default_factory=dict)  # lists the rules share (see access.py)
    fast: bool = False  # read by the fast path: `numbers` was not collected
    summary: bool = False  # `data` is the summary of the file (summary.py), not all of it

    def reread_precisely(self) -> None:
        """Parse the text again on the precise path (number texts collected, every problem found)."""
        if self.text is not None and self.fast:
            self.problems = [p for p in self.problems if p.code in FATAL_CODES]
            load_yaml_text(self.text, self, precise=True)

    @property
    def loaded(self) -> bool:
        return not any(p.code in FATAL_CODES for p in self.problems)


FATAL_CODES = frozenset({"GC001", "GC003", "GC004", "GC005", "GC006"})


class _Loader(yaml.CSafeLoader):  # type: ignore[misc]
    """libyaml's parser; typing of plain scalars is ours (see ``_plain_scalar``)."""

# C0 controls and DEL, except tab and line breaks: invisible, and refused by databases (NUL).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def control_name(text: str) -> str:
    found = CONTROL.search(text)
    return f"U+{ord(found.group()):04X}" if found else ""


_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
# YAML 1.2 core schema, except that a leading zero keeps the scalar a string (codes like 010100).
_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_FLOAT = re.compile(r"[-+]?(0|[1-9][0-9]*)?\.[0-9]+([eE][-+]?[0-9]+)?|[-+]?(0|[1-9][0-9]*)[eE][-+]?[0-9]+")

_LIBYAML_HINTS = (
    ("mapping values are not allowed", "冒号后缺少空格，或值中含未加引号的冒号", "a value contains an unquoted colon"),
    ("could not find expected ':'", "缺少冒号，或引号未闭合", "a colon is missing or a quote is unclosed"),
)


def _plain_scalar(text: str) -> Any:
    if text in _NULLS:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        number = float(text)
        return number if math.isfinite(number) else text  # 1e400 is not a number a catalog can hold
    return text


def _scalar(event: yaml.ScalarEvent) -> Any:
    tag = event.tag
    if tag is None or tag == "!":
        return _plain_scalar(event.value) if not event.style else event.value
    if tag.endswith(":int"):
        try:
            return int(event.value)
        except ValueError:
            return event.value
    if tag.endswith(":float"):
        try:
            return float(event.value)
        except ValueError:
            return event.value
    if tag.endswith(":bool"):
        return event.value in _TRUE or event.value in ("yes", "on")
    if tag.endswith(":null"):
        return None
    return event.value


def _key(value: Any) -> str:
    """A mapping key as text: `1:` is "1", `~:` and `null:` are ""."""
    return "" if value is None else str(value)


def mapping_key(event: yaml.ScalarEvent) -> str:
    """The key a scalar event stands for, exactly as the loader files it (the sourcemap agrees)."""
    return _key(_scalar(event))


def _event_span(event: yaml.Event) -> Span:
    s: Any = event.start_mark
    e: Any = event.end_mark
    return Span(s.line + 1, s.column + 1, e.line + 1, e.column + 1)


class _StructureError(Exception):
    """A problem libyaml's parser accepts but a catalog file cannot have (GC001 at the event)."""

    def __init__(self, problem: str, hint: L10n, event: yaml.Event) -> None:
        super().__init__(problem)
        self.problem, self.hint, self.event = problem, hint, event


class _LimitExceeded(Exception):
    def __init__(self, reason: str, event: yaml.Event) -> None:
        super().__init__(reason)
        self.reason = reason
        self.event = event


class _Frame:
    """An open collection while events stream in."""

    __slots__ = ("anchor", "container", "key", "key_event", "pointer", "size", "skip")

    def __init__(self, container: dict[str, Any] | list[Any], pointer: str, anchor: str | None) -> None:
        self.container = container
        self.pointer = pointer
        self.anchor = anchor
        self.key: str | None = None  # a mapping's pending key (None: next scalar is a key)
        self.key_event: yaml.Event | None = None
        self.skip = False  # the pending key repeats an earlier one: drop its value
        self.size = 1


class _Builder:
    """libyaml's event stream -> plain data, iteratively (libyaml's own composer recurses in C and
    crashes on deeply nested flow collections). Depth is bounded (GC004), duplicate keys reported
    (GC002) and alias expansion budgeted: one node per source character, which a file without
    aliases can never exceed but an alias bomb exceeds at once."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.problems: list[Problem] = []
        self.numbers: dict[str, str] = {}
        self.anchors: dict[str, tuple[Any, int]] = {}  # anchor -> (value, expanded node count)

    def run(self, events: Any) -> Any:
        stack: list[_Frame] = []
        root: Any = None
        documents = 0
        for event in events:
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise _StructureError("expected a single document in the stream", L10n(
                        "（一个文件只能包含一个 YAML 文档，去掉多余的 ---）", " (a file must hold a single document)"),
                        event)
            elif isinstance(event, yaml.ScalarEvent | yaml.AliasEvent):
                if isinstance(event, yaml.AliasEvent):
                    if event.anchor not in self.anchors:
                        raise _StructureError(f"found undefined alias {event.anchor!r}", L10n(
                            "（引用了未定义的锚点）", " (an alias refers to an undefined anchor)"), event)
                    value, size = self.anchors[event.anchor]
                else:
                    value, size = _scalar(event), 1
                    if event.style == '"' and CONTROL.search(event.value):  # only escapes can write them
                        self.problems.append(Problem("GC109", self._pointer_of_value(stack), {
                            "char": control_name(event.value)}, _event_span(event)))
                    if event.anchor:
                        self.anchors[event.anchor] = (value, 1)
                self.budget -= size
                if self.budget < 0:
                    raise _LimitExceeded("alias", event)
                if not stack:
                    root = value
                    continue
                frame = stack[-1]
                if isinstance(frame.container, dict) and frame.key is None:
                    key = _key(value)
                    frame.key, frame.key_event = key, event
                    frame.skip = key in frame.container
                    if frame.skip:
                        self.problems.append(Problem("GC002", _join(frame.pointer, key), {"key": key},
                                                     _event_span(event)))
                    continue
                self._add(frame, value, size, event)
            elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                if len(stack) >= MAX_DEPTH:
                    raise _LimitExceeded("depth", event)
                container: dict[str, Any] | list[Any] = {} if isinstance(event, yaml.MappingStartEvent) else []
                pointer = self._child_pointer(stack[-1]) if stack else ""
                if stack and isinstance(stack[-1].container, dict) and stack[-1].key is None:
                    raise _StructureError("found a collection used as a mapping key", L10n(
                        "（映射的键必须是简单的值）", " (a mapping key must be a plain value)"), event)
                stack.append(_Frame(container, pointer, event.anchor))
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                frame = stack.pop()
                if frame.anchor:
                    self.anchors[frame.anchor] = (frame.container, frame.size)
                if not stack:
                    root = frame.container
                else:
                    self._add(stack[-1], frame.container, frame.size, event)
        return root

    @staticmethod
    def _pointer_of_value(stack: list[_Frame]) -> str:
        if not stack:
            return ""
        frame = stack[-1]
        if isinstance(frame.container, dict) and frame.key is None:
            return frame.pointer  # a key itself
        return _Builder._child_pointer(frame)

    @staticmethod
    def _child_pointer(frame: _Frame) -> str:
        if isinstance(frame.container, dict):
            return _join(frame.pointer, frame.key or "")
        return _join(frame.pointer, len(frame.container))

    def _add(self, frame: _Frame, value: Any, size: int, event: yaml.Event) -> None:
        frame.size += size
        if isinstance(frame.container, list):
            pointer = _join(frame.pointer, len(frame.container))
            frame.container.append(value)
        else:
            pointer = _join(frame.pointer, frame.key or "")
            if not frame.skip:
                frame.container[frame.key or ""] = value
            frame.key, frame.skip = None, False
        if isinstance(event, yaml.ScalarEvent) and not event.style and type(value) in (int, float):
            self.numbers[pointer] = event.value


def _join(pointer: str, token: object) -> str:
    return f"{pointer}/{str(token).replace('~', '~0').replace('/', '~1')}"


_CONVERT = L10n("；请另存为 UTF-8，例如 `iconv -f GB18030 -t UTF-8 原文件 > 新文件`，或在 WPS/记事本“另存为”时选择 UTF-8",
               "; save it as UTF-8, e.g. `iconv -f GB18030 -t UTF-8 in > out`")


def _decode(raw: bytes) -> tuple[str | None, Problem | None]:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, Problem("GC003", "", {"detail": "UTF-16", "hint": _CONVERT}, Span(1, 1))
    if b"\x00" in raw[:65536]:
        return None, Problem("GC003", "", {"detail": L10n("二进制内容，不是文本文件", "binary content, not text"),
                                           "hint": L10n("；请确认提交的是目录文件本身", "; check that this is the catalog file")},
                             Span(1, 1))
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        column = len(raw[line_start:exc.start].decode("utf-8", errors="replace")) + 1
        try:
            raw.decode("gb18030")
            guess = "GBK/GB18030"
        except UnicodeDecodeError:
            guess = "未知编码"
        return None, Problem("GC003", "", {"detail": guess, "hint": _CONVERT}, Span(line, column))


def read_text(path: Path) -> str | None:
    """The file's text as the loader decoded it (None if it could not)."""
    try:
        return _decode(path.read_bytes())[0]
    except OSError:
        return None


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.split("\n", line + 1)
    return lines[line][column] if line < len(lines) and column < len(lines[line]) else ""


# The fast path (yaml-rs) reads YAML 1.2; ours differs only in typing some plain scalars: it keeps
# `010100`, `0x1F`, `1.`, `.inf` as text. Where that matters — a number or an infinity where the
# standard wants text, a key that is not text — conformance finds it and the file is read again
# on the precise path (see `Document.reread_precisely`). What the fast path must never see:
# - a backslash escape or a raw character libyaml refuses (GC109 and GC001 come from the precise path);
# - a structure that could nest deeper than MAX_DEPTH (GC004): deep indentation, long compact
#   `- - -` runs, directly nested flow collections, a line that only opens one. This also keeps
#   yaml-rs, which recurses, far from the depth at which it overflows its stack.
# Each check is a literal or a short class, so screening a file costs a few memchr-like scans.
_UNSAFE_CHARACTERS = re.compile(r"[\\\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")
_BARE_OPENER = re.compile(r"\n[ \t]*[\[{][ \t]*\r?\n")
_NESTING_MARKERS = ("[[", "{{", "[{", "{[", "[ [", "{ {", "[ {", "{ [", "- - - - - - ", "\n" + " " * 48)


def _fast_candidate(text: str) -> bool:
    return (not _UNSAFE_CHARACTERS.search(text) and not _BARE_OPENER.search(text)
            and not any(marker in text for marker in _NESTING_MARKERS))


def load_yaml_text(text: str, doc: Document, *, precise: bool = False) -> None:
    """Parse into ``doc.data``; problems go to ``doc.problems``.

    Valid files take the fast path: yaml-rs (Rust) builds the data, refusing duplicate keys and
    bounding aliases and depth. Anything it refuses, or any construct where its YAML 1.2 typing
    differs from ours, is parsed again by the precise path below, which finds every problem with
    its position. Both give the same data for every file the fast path accepts.
    """
    if not precise and _fast_candidate(text):
        try:
            data = yaml_rs.loads(text, parse_datetime=False, duplicate_key_policy=yaml_rs.DuplicateKeyPolicy.Error,
                                 alias_limits=yaml_rs.AliasLimits(max_total_replayed_events=len(text) + 1024,
                                                                  max_replay_stack_depth=MAX_DEPTH))
        except (yaml_rs.YAMLDecodeError, ValueError, RecursionError):
            data = None
        if isinstance(data, dict):
            doc.data, doc.text, doc.fast = data, text, True
            return
    doc.fast, doc.data, doc.numbers = False, None, {}
    builder = _Builder(budget=len(text) + 1024)
    try:
        data = builder.run(yaml.parse(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = (exc.problem or exc.context or str(exc)).strip()
        hint = L10n("", "")
        if mark is not None and _char_at(text, mark.line, mark.column) == "\t":
            hint = L10n("（YAML 不允许用 Tab 缩进，请改用空格）", " (YAML does not allow tabs for indentation)")
        for needle, zh, en in _LIBYAML_HINTS:
            if needle in str(exc):
                hint = L10n(f"（{zh}）", f" ({en})")
                break
        span = Span(mark.line + 1, mark.column + 1) if mark else Span(1, 1)
        doc.problems.append(Problem("GC001", "", {"problem": problem, "hint": hint}, span))
        return
    except yaml.reader.ReaderError as exc:  # a control character libyaml refuses
        # libyaml reports a UTF-8 byte offset; YAML also breaks lines at NEL, LS and PS.
        before = text.encode("utf-8")[: exc.position].decode("utf-8", errors="ignore")
        lines = re.split("\r\n|[\r\n\x85\u2028\u2029]", before)
        span = Span(len(lines), len(lines[-1]) + 1)
        character = f"U+{exc.character:04X}" if isinstance(exc.character, int) else repr(exc.character)
        doc.problems.append(Problem("GC001", "", {"problem": f"不可打印的控制字符 {character}", "hint": L10n(
            "（请删除该字符，常见于从网页或 Word 复制的文本）", " (remove it; it often comes from pasted text)")}, span))
        return
    except _StructureError as exc:
        doc.problems.append(Problem("GC001", "", {"problem": exc.problem, "hint": exc.hint}, _event_span(exc.event)))
        return
    except yaml.YAMLError as exc:
        doc.problems.append(Problem("GC001", "", {"problem": str(exc), "hint": L10n("", "")}, Span(1, 1)))
        return
    except _LimitExceeded as exc:
        doc.problems.append(Problem("GC004", "", {"limit": exc.reason, "value": MAX_DEPTH},
                                    _event_span(exc.event)))
        return
    doc.problems.extend(builder.problems)
    doc.data = {} if data is None else data  # an empty file (or only comments) is an empty catalog
    doc.numbers, doc.text = builder.numbers, text


def load(path: Path, display: str, role: str = "catalog") -> Document:
    doc = Document(path=path, display=display, role=role)
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        from govcat import workbook  # openpyxl is imported only when a workbook is validated

        return workbook.load(doc)
    if suffix not in YAML_SUFFIXES:
        doc.problems.append(Problem("GC005", "", {"suffix": path.suffix or "（无）"}, Span(1, 1)))
        return doc
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            doc.problems.append(
                Problem("GC004", "", {"limit": "size", "value": f"{size / 2**20:.0f} MiB"}, Span(1, 1))
            )
            return doc
        raw = path.read_bytes()
    except OSError as exc:
        doc.problems.append(Problem("GC001", "", {"problem": exc.strerror or str(exc)}, Span(1, 1)))
        return doc
    text, problem = _decode(raw)
    if problem is not None:
        doc.problems.append(problem)
        return doc
    assert text is not None
    load_yaml_text(text, doc)
    if doc.data is not None:
        doc.sourcemap = sm.YamlSourceMap(text)
    return doc
