"""Round-trip editing of YAML catalogs: the new text is spliced into the original at the exact
places libyaml reports, never re-dumped.

`read` turns libyaml's event stream (PyYAML's C parser, the one the validator reads with) into the
plan's tree: every key and scalar with its character span, its quoting style and whether it sits in
a flow collection. `rewrite` replaces the span of each changed key or scalar with the new text in
the same style — plain stays plain unless plain would read as something else, '…' and "…" stay
quoted — so comments, key order, indentation, line endings and every untouched byte stay as they
were. ruamel.yaml's round-trip dump was the alternative; it re-emits the whole document, which
changes flow mappings, long lines and quoting that no migration asked to change.

libyaml's marks count characters (code points) from the start of the decoded text, the BOM
excluded, with CRLF, NEL and the Unicode line separators as line breaks: the same text Python
slices, so a span is `text[start:end]`. Every span is checked against the text before it is used.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import yaml

from govcat.core.document import Span
from govcat.core.i18n import L10n
from govcat.core.pointer import join
from govcat.lifecycle.plan import Map, Node, Seq, Text, texts
from govcat.reading.scalars import mapping_key, scalar

_ANCHORED = L10n("该值带有 YAML 锚点（&）或来自别名（*），改写它会同时改变别处的值",
                 "the value carries a YAML anchor (&) or comes from an alias (*); rewriting it changes other places")
_BLOCK = L10n("该值写成块标量（| 或 >）", "the value is a block scalar (| or >)")
_TAGGED = L10n("该值带有显式标签（!）", "the value carries an explicit tag (!)")
_UNEXPECTED = L10n("无法确定该值在文件中的位置", "its place in the file could not be determined")


@dataclass(frozen=True)
class Slice:
    """Where a key or scalar is written: ``text[start:end]``, its style (None plain, ' or ") and whether
    it stands in a flow collection (where `,[]{}` end a plain scalar)."""

    start: int
    end: int
    style: str | None
    flow: bool


class _Open:
    __slots__ = ("flow", "key", "node")

    def __init__(self, node: Map | Seq, flow: bool) -> None:
        self.node, self.flow = node, flow
        self.key: Text | None = None  # a mapping's pending key


def _fixed(event: Any, text: str, style: str | None) -> L10n | None:
    if event.anchor:
        return _ANCHORED
    if style in ("|", ">"):
        return _BLOCK
    if event.tag not in (None, "!"):
        return _TAGGED
    source = text[event.start_mark.index:event.end_mark.index]
    # A quoted scalar's span starts and ends with its quote; a plain one is its value's first line.
    if style in ("'", '"') and not (len(source) >= 2 and source[0] == source[-1] == style):
        return _UNEXPECTED
    if not style and not source.startswith(event.value.split(" ", 1)[0][:1]):
        return _UNEXPECTED
    return None


def read(text: str) -> Node | None:
    """The tree of a YAML text that the loader read without a fatal problem (so one document,
    bounded depth and aliases); None for an empty document. Raises yaml.YAMLError otherwise."""
    stack: list[_Open] = []
    anchors: dict[str, Node] = {}
    anchored: list[Node] = []
    root: Node | None = None
    event: Any  # libyaml's events (the C ones are untyped)
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        if isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            done = stack.pop().node
            if not stack:
                root = done
            continue
        if not isinstance(event, yaml.ScalarEvent | yaml.AliasEvent | yaml.MappingStartEvent
                          | yaml.SequenceStartEvent):
            continue
        frame = stack[-1] if stack else None
        flow = frame.flow if frame else False
        marks: Any = (event.start_mark, event.end_mark)  # never None for parsed events
        start, end = marks[0].index, marks[1].index
        if frame is not None and isinstance(frame.node, Map) and frame.key is None:
            # A key: a scalar (the loader refuses collection keys), or an alias to one.
            if not isinstance(event, yaml.ScalarEvent | yaml.AliasEvent):
                raise yaml.YAMLError("a collection used as a mapping key")
            if isinstance(event, yaml.AliasEvent):
                target = anchors.get(str(event.anchor))
                name = target.value if isinstance(target, Text) else None
                frame.key = Text("" if name is None else str(name), "", Slice(start, end, None, flow), _ANCHORED)
            else:
                style = event.style or None
                frame.key = Text(mapping_key(event), "", Slice(start, end, style, flow), _fixed(event, text, style))
                if event.anchor:
                    anchors[event.anchor] = frame.key
                    anchored.append(frame.key)
            frame.key.pointer = join(frame.node.pointer, frame.key.value)
            # a decision about the key itself (it cannot be renamed) is reported at the key
            frame.key.span = Span(marks[0].line + 1, marks[0].column + 1, marks[1].line + 1, marks[1].column + 1)
            continue
        pointer = _child_pointer(frame)
        node: Node
        if isinstance(event, yaml.AliasEvent):
            node = anchors[str(event.anchor)]  # the loader refused undefined aliases
        elif isinstance(event, yaml.ScalarEvent):
            style = event.style or None
            node = Text(scalar(event), pointer, Slice(start, end, style, flow), _fixed(event, text, style))
        else:
            node = Map([], pointer) if isinstance(event, yaml.MappingStartEvent) else Seq([], pointer)
        if not isinstance(event, yaml.AliasEvent) and event.anchor:
            anchors[event.anchor] = node
            anchored.append(node)
        if frame is None:
            root = node
        elif isinstance(frame.node, Map):
            assert frame.key is not None
            frame.node.entries.append((frame.key, node))
            frame.key = None
        else:
            frame.node.items.append(node)
        if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            assert isinstance(node, Map | Seq)
            stack.append(_Open(node, flow or bool(event.flow_style)))
    for node in anchored:  # whatever an anchor covers is shared with its aliases: never rewritten
        for found in texts(node):
            found.fixed = found.fixed or _ANCHORED
    return root


def _child_pointer(frame: _Open | None) -> str:
    if frame is None:
        return ""
    if isinstance(frame.node, Map):
        return frame.key.pointer if frame.key is not None else frame.node.pointer
    return join(frame.node.pointer, len(frame.node.items))


# --- writing a value in a style --------------------------------------------------------------------

_INDICATORS = tuple("-?:,[]{}#&*!|>'\"%@`")
_BREAKS = re.compile("[\r\n\x85\u2028\u2029]")
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff]")
# Plain text some YAML reader could take for another type (YAML 1.1 and 1.2 alike, and so
# whatever `reading.scalars` types): numbers, dates, null, booleans. Quoting too often is harmless;
# too rarely changes the value.
_TYPED = re.compile(r"[-+]?\.?[0-9]|[-+]?\.(inf|nan)$|~$|(null|true|false|yes|no|on|off|y|n)$", re.IGNORECASE)


def _plain_ok(value: str, flow: bool) -> bool:
    if not value or value != value.strip() or value.startswith(_INDICATORS) or value.endswith(":"):
        return False
    if ": " in value or " #" in value or "\t" in value or _BREAKS.search(value) or _UNPRINTABLE.search(value):
        return False
    if flow and any(c in value for c in ",[]{}:"):
        return False
    return not _TYPED.match(value)


def _double(value: str) -> str:
    # A JSON string is a YAML double-quoted scalar once DEL, the C1 controls and U+2028/9 are escaped too.
    return re.sub("[\x7f-\x9f\u2028\u2029]", lambda m: f"\\u{ord(m.group()):04x}", json.dumps(value, ensure_ascii=False))


def render(value: str, span: Slice) -> str:
    """``value`` as YAML text in ``span``'s style; plain only where it reads back as this text."""
    if span.style is None and _plain_ok(value, span.flow):
        return value
    if span.style == "'" and not _BREAKS.search(value) and not _UNPRINTABLE.search(value):
        return "'" + value.replace("'", "''") + "'"
    return _double(value)


def rewrite(text: str, root: Node) -> str:
    """``text`` with every changed key and scalar of ``root`` written anew in place."""
    changes = sorted(((t.handle, t.value) for t in texts(root) if t.changed and isinstance(t.handle, Slice)),
                     key=lambda c: c[0].start)
    out: list[str] = []
    at = 0
    for span, value in changes:
        if span.start < at:  # spans never overlap in a tree read from one text
            raise ValueError(f"overlapping edits at {span.start}")
        out += [text[at:span.start], render(str(value), span)]
        at = span.end
    out.append(text[at:])
    return "".join(out)
