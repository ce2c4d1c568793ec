"""YAML text -> plain data, on two paths.

The precise path: libyaml (PyYAML's C parser) for the event stream, then a small builder of our own.
PyYAML's constructors silently keep one of two duplicate keys, turn `2025-02-30` into an exception,
`010100` into the octal 4160 and `yes` into True. Ours reports duplicates (GC002), keeps dates and
zero-padded codes as strings, bounds alias expansion and depth (GC004) and reports control
characters (GC109). The fast path: yaml-rs for files that need none of that (see `_fast_candidate`).
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import yaml
import yaml_rs

from govcat.core.document import FATAL_CODES, Document, Problem, Span
from govcat.core.i18n import L10n
from govcat.core.pointer import join
from govcat.reading.scalars import CONTROL, MAX_DIGITS, control_name, scalar
from govcat.reading.scalars import key as key_text

MAX_DEPTH = 64
# libyaml stops at its own nesting limit (1000 levels in the libyaml that current PyYAML wheels bundle) while
# its scanner looks ahead for a possible `key:` (up to 1024 characters on one line), before the
# events of the first 65 levels reach the builder. The text from the builder's last event to
# libyaml's error is then replayed on PyYAML's pure-Python parser, which has no limit of its own, so
# GC004 stands at the 65th level whatever libyaml build is installed. The replay is bounded: about
# 2 s of pure-Python parsing at most; beyond that the finding stands where libyaml stopped.
REPLAY_LIMIT = 1 << 20

# libyaml when PyYAML was built with it (every wheel on PyPI is); the pure-Python parser otherwise.
_BASE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BASE_LOADER):
    """libyaml's parser; typing of plain scalars is ours (see ``scalars.scalar``)."""

_LIBYAML_HINTS = (
    ("mapping values are not allowed", "冒号后缺少空格，或值中含未加引号的冒号", "a value contains an unquoted colon"),
    ("could not find expected ':'", "缺少冒号，或引号未闭合", "a colon is missing or a quote is unclosed"),
)


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

    __slots__ = ("anchor", "column", "container", "key", "key_event", "pointer", "size", "skip", "start")

    def __init__(self, container: dict[str, Any] | list[Any], pointer: str, start: yaml.CollectionStartEvent) -> None:
        self.container = container
        self.pointer = pointer
        self.anchor = start.anchor
        self.start: Any = start  # libyaml's marks are untyped
        self.key: str | None = None  # a mapping's pending key (None: next scalar is a key)
        self.key_event: yaml.Event | None = None
        self.skip = False  # the pending key repeats an earlier one: drop its value
        self.size = 1
        self.column: int | None = None  # a block mapping's indentation (its first key's), for the depth replay


class _Builder:
    """libyaml's event stream -> plain data, iteratively (libyaml's own composer recurses in C and
    crashes on deeply nested flow collections). Depth is bounded (GC004), duplicate keys reported
    (GC002) and alias expansion budgeted: one node per source character, which a file without
    aliases can never exceed but an alias bomb exceeds at once."""

    def __init__(self, budget: int, *, replay: bool = False) -> None:
        self.budget = budget
        self.problems: list[Problem] = []
        self.numbers: dict[str, str] = {}
        self.anchors: dict[str, tuple[Any, int]] = {}  # anchor -> (value, expanded node count)
        self.replay = replay  # a replay of part of the text: its aliases may name anchors before it
        # Where the builder stands, for a replay after libyaml stopped: the open collections and the last event.
        self.stack: list[_Frame] = []
        self.last: Any = None  # a yaml.Event (libyaml's marks are untyped)

    def run(self, events: Any) -> Any:
        stack = self.stack
        root: Any = None
        documents = 0
        for event in events:
            self.last = event
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise _StructureError("expected a single document in the stream", L10n(
                        "（一个文件只能包含一个 YAML 文档，去掉多余的 ---）", " (a file must hold a single document)"),
                        event)
            elif isinstance(event, yaml.ScalarEvent | yaml.AliasEvent):
                if isinstance(event, yaml.AliasEvent):
                    if self.replay:
                        self.anchors.setdefault(str(event.anchor), (None, 1))
                    if event.anchor not in self.anchors:
                        raise _StructureError(f"found undefined alias {event.anchor!r}", L10n(
                            "（引用了未定义的锚点）", " (an alias refers to an undefined anchor)"), event)
                    value, size = self.anchors[event.anchor]
                else:
                    value, size = scalar(event), 1
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
                    if frame.column is None:
                        frame.column = int(getattr(event.start_mark, "column", 0))
                    key = key_text(value)
                    frame.key, frame.key_event = key, event
                    frame.skip = key in frame.container
                    if frame.skip:
                        self.problems.append(Problem("GC002", join(frame.pointer, key), {"key": key},
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
                stack.append(_Frame(container, pointer, event))
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
            return join(frame.pointer, frame.key or "")
        return join(frame.pointer, len(frame.container))

    def _add(self, frame: _Frame, value: Any, size: int, event: yaml.Event) -> None:
        frame.size += size
        if isinstance(frame.container, list):
            pointer = join(frame.pointer, len(frame.container))
            frame.container.append(value)
        else:
            pointer = join(frame.pointer, frame.key or "")
            if not frame.skip:
                frame.container[frame.key or ""] = value
            frame.key, frame.skip = None, False
        if isinstance(event, yaml.ScalarEvent) and not event.style and type(value) in (int, float):
            self.numbers[pointer] = event.value


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.split("\n", line + 1)
    return lines[line][column] if line < len(lines) and column < len(lines[line]) else ""


# The fast path (yaml-rs) reads YAML 1.2; ours differs only in typing some plain scalars: it keeps
# `010100`, `0x1F`, `1.`, `.inf` as text. Where that matters — a number or an infinity where the
# standard wants text, a key that is not text — conformance finds it and the file is read again
# on the precise path (see `reread_precisely`). What the fast path must never see:
# - a backslash escape or a raw character libyaml refuses (GC109 and GC001 come from the precise path);
# - a structure that could nest deeper than MAX_DEPTH (GC004): deep indentation, long compact
#   `- - -` runs, directly nested flow collections, a line that only opens one. This also keeps
#   yaml-rs, which recurses, far from the depth at which it overflows its stack.
# Each check is a literal or a short class, so screening a file costs a few memchr-like scans.
_UNSAFE_CHARACTERS = re.compile(r"[\\\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")
# Numbers the precise path keeps as text and yaml-rs would not: infinities and NaN (yaml-rs reads
# `.iNf` too), exponents that may overflow (`1e999`), explicit float and int tags (`!!float nan`)
# — floats that are no JSON numbers — and runs of digits longer than any number a catalog holds
# (scalars.MAX_DIGITS). Two searches, neither case-insensitive, the digits in one pass: together
# about a sixth of yaml-rs's own time (one `(?i)` alternation of it all: half).
_NON_FINITE = re.compile(r"\.(?:[iI][nN][fF]|[nN][aA][nN])")
_ODD_DIGITS = re.compile(f"[0-9](?:[0-9]{{{MAX_DIGITS}}}|[eE]\\+?[0-9]{{3}})")
_BARE_OPENER = re.compile(r"\n[ \t]*[\[{][ \t]*\r?\n")
_NESTING_MARKERS = ("[[", "{{", "[{", "{[", "[ [", "{ {", "[ {", "{ [", "- - - - - - ", "\n" + " " * 48)


def _fast_candidate(text: str) -> bool:
    return (not _UNSAFE_CHARACTERS.search(text) and not _BARE_OPENER.search(text)
            and not any(marker in text for marker in _NESTING_MARKERS)
            and not _NON_FINITE.search(text) and not _ODD_DIGITS.search(text)
            and "!!float" not in text and "!!int" not in text)


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
        except Exception:  # any failure (a complex key raises TypeError): the precise path says what it is
            data = None
        if isinstance(data, dict):
            doc.data, doc.text, doc.fast, doc.plain = data, text, True, True
            return
    doc.fast, doc.plain, doc.data, doc.numbers = False, False, None, {}
    builder = _Builder(budget=len(text) + 1024)
    try:
        data = builder.run(yaml.parse(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if mark is not None and exc.problem == "exceeded maximum nesting depth":  # libyaml's own limit
            doc.problems.append(Problem("GC004", "", {"limit": "depth", "value": MAX_DEPTH},
                                        _deep_level(text, builder, mark)))
            return
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
    doc.numbers, doc.text, doc.plain = builder.numbers, text, True


def _deep_level(text: str, builder: _Builder, mark: Any) -> Span:
    """Where the 65th level opens, when libyaml stopped at its own, deeper limit (see REPLAY_LIMIT).

    Everything before the builder's last event was built; libyaml's scanner had read ahead from
    there to ``mark``. PyYAML's pure-Python parser reads that stretch, after a few lines that open
    the same collections the builder holds (so that depths and columns are those of the file), and
    the builder stops at the level over MAX_DEPTH. Where the replay cannot be set up or does not get
    there, libyaml's own position stands, which is deeper than the limit in any case.
    """
    stopped = Span(mark.line + 1, mark.column + 1)
    last = builder.last
    if last is None or mark.index - last.end_mark.index > REPLAY_LIMIT:
        return stopped
    prefix = _replay_prefix(text, builder.stack, last)
    if prefix is None:
        return stopped
    replay = _Builder(budget=len(text) + 1024, replay=True)
    try:
        replay.run(yaml.parse(prefix + text[last.end_mark.index:mark.index], Loader=yaml.SafeLoader))
    except _LimitExceeded as exc:
        if exc.reason == "depth":
            found = _event_span(exc.event)
            shift = last.end_mark.line - prefix.count("\n")  # the prefix's last line is the line of `last`
            return Span(found.line + shift, found.column)
    except (yaml.YAMLError, _StructureError):
        pass
    return stopped


def _replay_prefix(text: str, stack: list[_Frame], last: Any) -> str | None:
    """Text that leaves a parser where libyaml was after ``last``: inside the same open collections,
    and its last line as long as the text before ``last`` ends on its line, so that the rest of
    the file follows on with its own columns. Block collections above the innermost take the
    smallest indentation that nests them; the innermost keeps its own, which the text after it
    relies on. None where the layout is not one of these (the caller keeps libyaml's position)."""
    lines: list[str] = []
    indent = -1  # of the block collection last opened
    for frame, child in itertools.pairwise(stack):
        mapping = isinstance(frame.container, dict)
        if frame.start.flow_style:
            lines.append(" " * (indent + 1) + ("{_:" if mapping else "["))
            continue
        nested_sequence = mapping and not child.start.flow_style and isinstance(child.container, list)
        indent += 1
        lines.append(" " * indent + ("_:" if mapping else "-"))
        if nested_sequence:
            indent -= 1  # `_:` then `-` at the same indentation
    end, start = last.end_mark, last.start_mark
    column, width = end.column, end.index - start.index
    if not stack:
        return "\n".join([*lines, " " * column])
    frame = stack[-1]
    mapping = isinstance(frame.container, dict)
    if last is frame.start:  # nothing inside it yet: its own opening, or where it starts
        line = " " * start.column + text[start.index:end.index] if start.line == end.line else " " * column
    elif frame.start.flow_style:
        if width and not column:
            return None
        lines.append(" " * (indent + 1) + ("{_:" if mapping and frame.key is None else "{" if mapping else "["))
        line = " " * (column - 1) + "_" if width else " " * column
    elif mapping:
        line, more = _block_mapping_line(frame, column, width)
        lines += more
    else:
        at = _dash_column(text, frame.start)
        if at is None:
            return None
        item = "-" + (" " * (column - at - 2) + "_" if width else " " * (column - at - 1))
        if column - at < (3 if width else 1):
            lines.append(" " * at + ("- _" if width else "-"))
            item = ""
        line = " " * at + item if item else " " * column
    return "\n".join([*lines, line])


def _block_mapping_line(frame: _Frame, column: int, width: int) -> tuple[str, list[str]]:
    """The last line for a block mapping after its key (``frame.key`` pending) or after a value."""
    at = frame.column if frame.column is not None else 0
    if frame.key is not None:  # the key `_`, then spaces up to where the key ended
        return (" " * at + "_" + " " * (column - at - 1), []) if column > at else (" " * column, [])
    need = 4 if width else 2  # `_: _` or `_:` (an empty value)
    if column - at >= need:
        return " " * at + "_:" + (" " * (column - at - 3) + "_" if width else " " * (column - at - 2)), []
    return " " * column, [" " * at + ("_: _" if width else "_:")]


def _dash_column(text: str, start: Any) -> int | None:
    """The column of a block sequence's first `-`: libyaml's start event ends at it, or just after it."""
    end = start.end_mark
    if text[end.index:end.index + 1] == "-":
        return int(end.column)
    if end.index and text[end.index - 1] == "-":
        return int(end.column) - 1
    return None


def reread_precisely(doc: Document) -> None:
    """Parse a fast-read document again on the precise path (number texts collected, every problem found)."""
    if doc.text is not None and doc.fast:
        doc.problems = [p for p in doc.problems if p.code in FATAL_CODES]
        load_yaml_text(doc.text, doc, precise=True)
