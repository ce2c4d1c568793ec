"""Loading: bytes -> Document (plain data + SourceMap), with every problem as data, never an exception.

YAML goes through libyaml (PyYAML's C parser) for the node tree, then a small constructor of our own:
PyYAML's constructors silently keep one of two duplicate keys, turn `2025-02-30` into an exception,
`010100` into the octal 4160 and `yes` into True. Ours reports duplicates (GC002), keeps dates and
zero-padded codes as strings, bounds alias expansion and depth (GC004), and keeps the node tree so
positions are resolved only for the findings that need them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

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

    @property
    def loaded(self) -> bool:
        return not any(p.code in FATAL_CODES for p in self.problems)


FATAL_CODES = frozenset({"GC001", "GC003", "GC004", "GC005", "GC006"})


class _Loader(yaml.CSafeLoader):  # type: ignore[misc]
    """libyaml composer with no implicit typing: every plain scalar arrives as text, we type it."""


_Loader.yaml_implicit_resolvers = {}

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
# YAML 1.2 core schema, except that a leading zero keeps the scalar a string (codes like 010100).
_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_FLOAT = re.compile(r"[-+]?(0|[1-9][0-9]*)?\.[0-9]+([eE][-+]?[0-9]+)?|[-+]?(0|[1-9][0-9]*)[eE][-+]?[0-9]+")
_STR_TAG = "tag:yaml.org,2002:str"

_LIBYAML_HINTS = (
    ("found character '\\t'", "YAML 不允许用 Tab 缩进，请改用空格", "YAML does not allow tabs for indentation"),
    ("mapping values are not allowed", "冒号后缺少空格，或值中含未加引号的冒号", "a value contains an unquoted colon"),
    ("could not find expected ':'", "缺少冒号，或引号未闭合", "a colon is missing or a quote is unclosed"),
    ("found undefined alias", "引用了未定义的锚点（*别名）", "an alias refers to an undefined anchor"),
    ("expected a single document", "一个文件只能包含一个 YAML 文档（去掉多余的 ---）",
     "a file must hold a single YAML document"),
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
        return float(text)
    return text


def _scalar(node: yaml.ScalarNode) -> Any:
    if not node.style and node.tag == _STR_TAG:  # libyaml gives plain scalars style "" (PyYAML: None)
        return _plain_scalar(node.value)
    if node.tag.endswith(":int"):
        try:
            return int(node.value)
        except ValueError:
            return node.value
    if node.tag.endswith(":float"):
        try:
            return float(node.value)
        except ValueError:
            return node.value
    if node.tag.endswith(":bool"):
        return node.value in _TRUE or node.value in ("yes", "on")
    if node.tag.endswith(":null"):
        return None
    return node.value


def _span(node: yaml.Node) -> Span:
    s, e = node.start_mark, node.end_mark
    return Span(s.line + 1, s.column + 1, e.line + 1, e.column + 1)


class _LimitExceeded(Exception):
    def __init__(self, reason: str, node: yaml.Node) -> None:
        super().__init__(reason)
        self.reason = reason
        self.node = node


class _Constructor:
    """Node tree -> plain data. Budget: one constructed node per source character, which a file
    without aliases can never exceed but an alias bomb exceeds at once (bounded time and memory)."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.problems: list[Problem] = []
        self.numbers: dict[str, str] = {}

    def build(self, node: yaml.Node, pointer: str, depth: int) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise _LimitExceeded("alias", node)
        if depth > MAX_DEPTH:
            raise _LimitExceeded("depth", node)
        if isinstance(node, yaml.ScalarNode):
            value = _scalar(node)
            if not node.style and type(value) in (int, float):
                self.numbers[pointer] = node.value
            return value
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child, f"{pointer}/{i}", depth + 1) for i, child in enumerate(node.value)]
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            key = "" if key is None else str(key)
            child = sm.join(pointer, key)
            if key in result:
                self.problems.append(Problem("GC002", child, {"key": key}, _span(key_node)))
                continue  # keep the first value; the finding says the second was dropped
            result[key] = self.build(value_node, child, depth + 1)
        return result


def _decode(raw: bytes) -> tuple[str | None, Problem | None]:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, Problem("GC003", "", {"encoding": "UTF-16", "detail": "UTF-16 (带 BOM)"}, Span(1, 1))
    if b"\x00" in raw[:65536]:
        return None, Problem("GC003", "", {"encoding": "binary", "detail": "二进制内容（含 NUL 字节）"}, Span(1, 1))
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        try:
            raw.decode("gb18030")
            guess = "GBK/GB18030"
        except UnicodeDecodeError:
            guess = "未知"
        return None, Problem("GC003", "", {"encoding": guess, "detail": guess}, Span(line, column))


def load_yaml_text(text: str, doc: Document) -> yaml.Node | None:
    """Parse into ``doc.data``; problems go to ``doc.problems``. Returns the node tree for positions."""
    problems = doc.problems
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = (exc.problem or exc.context or str(exc)).strip()
        hint = L10n("", "")
        for needle, zh, en in _LIBYAML_HINTS:
            if needle in str(exc):
                hint = L10n(f"（{zh}）", f" ({en})")
                break
        span = Span(mark.line + 1, mark.column + 1) if mark else Span(1, 1)
        problems.append(Problem("GC001", "", {"problem": problem, "hint": hint}, span))
        return None
    except yaml.YAMLError as exc:
        problems.append(Problem("GC001", "", {"problem": str(exc)}, Span(1, 1)))
        return None
    except RecursionError:
        problems.append(Problem("GC004", "", {"limit": "depth", "value": MAX_DEPTH}, Span(1, 1)))
        return None
    if root is None:  # empty file or only comments
        doc.data = {}
        return None
    builder = _Constructor(budget=len(text) + 1024)
    try:
        data = builder.build(root, "", 0)
    except _LimitExceeded as exc:
        problems.append(Problem("GC004", "", {"limit": exc.reason, "value": MAX_DEPTH}, _span(exc.node)))
        return None
    problems.extend(builder.problems)
    doc.data, doc.numbers = data, builder.numbers
    return root


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
    doc.sourcemap = sm.YamlSourceMap(load_yaml_text(text, doc))
    return doc
