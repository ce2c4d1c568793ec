"""Positions: JSON Pointer -> 1-based source span, resolved lazily and only for findings.

Rules never compute positions; they name a pointer and the engine asks the document's SourceMap.
A pointer that does not resolve (a missing field) falls back to its nearest ancestor.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import yaml


@dataclass(frozen=True, slots=True)
class Span:
    line: int
    column: int
    end_line: int | None = None
    end_column: int | None = None
    sheet: str | None = None
    cell: str | None = None


def escape_token(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def unescape_token(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def join(pointer: str, *tokens: object) -> str:
    return pointer + "".join("/" + escape_token(str(t)) for t in tokens)


def split(pointer: str) -> list[str]:
    if not pointer:
        return []
    return [unescape_token(t) for t in pointer.split("/")[1:]]


def parent(pointer: str) -> str:
    return pointer.rsplit("/", 1)[0] if pointer else ""


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


class YamlSourceMap:
    """Walks the composed YAML node tree (kept from loading) to find a pointer's node."""

    def __init__(self, root: yaml.Node | None) -> None:
        self._root = root

    def _node(self, pointer: str) -> tuple[yaml.Node | None, yaml.Node | None]:
        """(value node, key node) at the pointer, or (None, None)."""
        node, key_node = self._root, None
        for token in split(pointer):
            if isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    if isinstance(k, yaml.ScalarNode) and k.value == token:
                        node, key_node = v, k
                        break
                else:
                    return None, None
            elif isinstance(node, yaml.SequenceNode) and token.isdigit():
                index = int(token)
                if index >= len(node.value):
                    return None, None
                node, key_node = node.value[index], None
            else:
                return None, None
        return node, key_node

    def span(self, pointer: str) -> Span | None:
        node, _ = self._node(pointer)
        if node is None:
            return None
        start, end = node.start_mark, node.end_mark
        if isinstance(node, yaml.ScalarNode) and node.value == "" and not node.style:
            # `key:` with nothing after it: point at the key, the value has no extent.
            _, key = self._node(pointer)
            if key is not None:
                start, end = key.start_mark, key.end_mark
        end_line, end_col = end.line + 1, end.column + 1
        if end_col == 1 and end_line > start.line + 1:
            # Block collections end at the start of the next line; report the previous line's end.
            end_line, end_col = end_line - 1, None
        return Span(start.line + 1, start.column + 1, end_line, end_col)

    def key_span(self, pointer: str) -> Span | None:
        _, key = self._node(pointer)
        if key is None:
            return None
        return Span(key.start_mark.line + 1, key.start_mark.column + 1,
                    key.end_mark.line + 1, key.end_mark.column + 1)


class DictSourceMap:
    """A ready-made pointer -> span table (workbooks, where every cell is known up front)."""

    def __init__(self, spans: dict[str, Span]) -> None:
        self._spans = spans

    def span(self, pointer: str) -> Span | None:
        return self._spans.get(pointer)

    def items(self) -> Iterator[tuple[str, Span]]:
        return iter(self._spans.items())
