"""A sketch of a YAML catalog: the few values the workspace rules read of a file they do not check,
taken from the bytes without building the document (issue 15).

Why by hand: validating one department's folder reads every other catalog of the workspace as
context, tens of megabytes for a province, and a YAML library builds every node of them (yaml-rs:
1.8 s of CPU for 300 departments) while the cross-catalog rules read six values of each resource.
No maintained library reads selected keys of a YAML text, so this does, with a few searches over
the bytes, for the YAML catalogs are written in: block mappings and sequences, plain and
double-quoted scalars on one line, flow collections on one line, block scalars it does not read.

It is a screen, not a parser: a text with anything else — a construct outside that subset, anything
that could let a value it reads run over several lines or change its type (a backslash, a quote
that is not a whole scalar, an anchor, a tag, a tab, a control character, a flow collection over
several lines, a line after a value it reads that would continue it, a duplicate key where it
reads, a value that is not certainly text) — gives None, and the caller reads the file properly
(checking/stage.py). For valid YAML that it accepts, the values are those the reader gives;
tests/test_sketch.py compares them on the examples, the benchmark corpus and generated texts.
Syntax errors are the reader's to report: the screen refuses the common ones (tabs, quotes or flow
collections left open, lines that are no key and no entry), and leaves the rest to the file's own run.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any, NamedTuple

from govcat.core.access import text
from govcat.reading.scalars import plain_scalar
from govcat.reading.text import decode


class Resource(NamedTuple):
    """What the workspace rules read of one resource mapping."""

    fields: dict[str, Any]  # those of `code`, `name`, `related_codes` it holds (summary.py keeps them)
    item: Any  # classification.item
    elements: frozenset[str]  # the items' elements that are text
    published_on: Any


class Sketch(NamedTuple):
    provider_code: Any
    resources: list[Resource | None]  # None: an entry that is not a mapping
    items: int  # the entries of every resource's items


class Wanted(NamedTuple):
    """What of a file read as context can matter to the files a run reports (checking/index.py makes
    it): resources holding one of these codes or (normalised) names, holding more elements than
    ``large``, or sharing a deletion key (``keys_of``) with one of theirs. ``sets``: each of their
    element sets with a deletion key, and how many of its elements a set sharing one holds at least."""

    codes: frozenset[str]
    names: frozenset[str]
    keys: frozenset[int]
    items: frozenset[str | None]  # the 项 of the sets with deletion keys
    sets: tuple[tuple[frozenset[str], int], ...]
    large: int
    normalise: Callable[[str], str]
    keys_of: Callable[[Any, frozenset[str]], tuple[int, ...]]

    def digest_parts(self) -> tuple[str, ...]:
        """What decides which resources are kept, as text: the cache keeps the summaries under it."""
        return ("wanted", *sorted(self.codes), "|", *sorted(self.names), "|", *map(str, sorted(self.keys)), "|",
                *sorted(map(str, self.items)))


class _Refused(Exception):
    """The text is outside what the sketch reads: the caller parses it."""


# Refused as single bytes (a translate pass finds them all): anywhere, C0 controls but the line feed,
# DEL and a backslash (escapes); outside quoted scalars, the indicators of constructs the sketch does
# not read — single quotes, anchors and aliases, tags, block scalars (but those blanked first),
# directives, reserved characters, complex keys. Conservative: a `?` in a comment or a plain scalar
# sends the file to the reader too.
_CONTROLS = bytes([*range(0x0A), *range(0x0B, 0x20), 0x7F]) + b"\\"
_INDICATORS = b"'&*!|>%@`?"
_REFUSED_BYTES = _CONTROLS + _INDICATORS
_C1 = re.compile(rb"\xc2[\x80-\x9f]")
_QUOTED = re.compile(rb'"[^"\n]*"')
_VALUE_START = re.compile(rb" *(?:- )?(?:[A-Za-z_][A-Za-z0-9_]*: +)?")
# Flow collections close on their line and do not nest: with everything but the brackets and line
# breaks taken out, each opening bracket is followed by its closing one. (Syntax errors are the
# reader's: lines of other shapes are left to the file's own run, unless they stand where the
# sketch reads.)
_ALL_BUT_BRACKETS = bytes(b for b in range(256) if b not in b"{}[]\n")
_UNPAIRED = re.compile(rb"\{(?!\})|(?<!\{)\}|\[(?!\])|(?<!\[)\]")
_ALL_BUT_ITEM_STRUCTURE = bytes(b for b in range(256) if b not in b"{}[\n")
_TOP_LINE = re.compile(rb"\n((?!- )[^ \n#][^\n]*)")
_KEY_LINE = re.compile(rb"([A-Za-z_][A-Za-z0-9_]*):(?= |$)(.*)", re.S)
_KEY_START = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*:[ \n]")
_FIRST_CONTENT = re.compile(rb"\n( *+)([^\n#])")
# The keys of a resource the workspace rules read (summary.py, index.py), and the keys below them.
_RESOURCE_KEYS = (b"code", b"name", b"related_codes", b"classification", b"items", b"published_on")
_READ_KEYS = frozenset({*_RESOURCE_KEYS, b"provider", b"resources", b"item", b"element"})
# A block scalar's header (`summary: >-`); an explicit indentation indicator is left to the reader.
_BLOCK_SCALAR = re.compile(rb"\n( *+)(- )?([A-Za-z_][A-Za-z0-9_]*): +([|>][-+]?)(?: +#[^\n]*)?(?=\n)")
# An `element` key anywhere, however it is written: the values a file's items may hold.
_ANY_ELEMENT = re.compile(rb"element *:(?: +([^,}\n]*+)|(?=[,}\n]))")
_NUMBERISH = re.compile(r"[-+.0-9]")
_NUMBER_LIKE = re.compile(r"[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?"
                          r"|[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)|0[xXoObB][0-9a-fA-F_]+")


def read(raw: bytes, wanted: Wanted | None = None) -> Sketch | None:
    """The sketch of a catalog's bytes, or None when the file must be read properly. With
    ``wanted``, the resources that cannot matter to it are None, and the item count is not kept."""
    decoded, problem = decode(raw)
    if problem is not None or decoded is None:  # not UTF-8: the reader says what it is
        return None
    # C1 controls and NEL, line and paragraph separators, a BOM inside the text, noncharacters:
    # searched in the text (one character each) and, for C1, in the bytes only when they hold \xc2.
    if any(character in decoded for character in "\u2028\u2029\ufeff\ufffe\uffff") \
            or (b"\xc2" in raw and _C1.search(raw)):
        return None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return _read(b"\n" + raw + b"\n", wanted)
    except _Refused:
        return None


def _read(raw: bytes, wanted: Wanted | None) -> Sketch:
    screened = _blank_block_scalars(raw) if b"|" in raw or b">" in raw else raw
    masked = _mask(screened)
    if len(screened.translate(None, _REFUSED_BYTES)) != len(screened) and (
            len(screened.translate(None, _CONTROLS)) != len(screened)
            or len(masked.translate(None, _INDICATORS)) != len(masked)):
        raise _Refused  # (indicators inside a quoted scalar, as in a URL's `?` and `&`, are text)
    if _UNPAIRED.search(masked.translate(None, _ALL_BUT_BRACKETS)):
        raise _Refused
    first = _FIRST_CONTENT.search(masked)
    if first is not None and not first[1] and masked.startswith(b"- ", first.start(2)):
        raise _Refused  # a top-level sequence: not a catalog the sketch reads
    text = _Text(raw, masked, wanted)
    # Top-level keys: (where the inline value starts, the inline value, where the block ends); the
    # reader keeps the first of two equal keys, the sketch refuses two of the keys it reads.
    top: dict[bytes, tuple[int, bytes, int]] = {}
    lines = list(_TOP_LINE.finditer(masked))
    for i, line in enumerate(lines):
        key_line = _KEY_LINE.fullmatch(line[1])
        if key_line is None:  # a top-level sequence or scalar: not a catalog the sketch reads
            raise _Refused
        if key_line[1] in top and key_line[1] in _READ_KEYS:
            raise _Refused
        end = lines[i + 1].start() if i + 1 < len(lines) else len(masked) - 1
        top.setdefault(key_line[1], (line.start(1) + key_line.start(2), key_line[2], end))
    provider_code = None
    if b"provider" in top:
        provider = text.value(*top[b"provider"], 0)
        provider_code = _sure(provider.get("code")) if isinstance(provider, dict) else None
    resources, items = text.resources(*top[b"resources"]) if b"resources" in top else ([], 0)
    return Sketch(provider_code, resources, items)
def _blank_block_scalars(raw: bytes) -> bytes:
    """The text with every block scalar's indicator and lines turned into spaces (same length): a
    summary written as `>-` over several lines is common and holds nothing the sketch reads."""
    out = bytearray(raw)
    for header in _BLOCK_SCALAR.finditer(raw):
        if header[2] or header[3] in _READ_KEYS:
            raise _Refused
        column = len(header[1])  # the key's; the scalar's lines stand deeper, or are blank
        out[header.start(4):header.end(4)] = b" " * len(header[4])
        at = header.end() + 1
        while at < len(raw):
            line_end = raw.index(b"\n", at)
            line = raw[at:line_end]
            content = line.lstrip(b" ")
            if content and len(line) - len(content) <= column:
                break
            out[at:line_end] = b" " * (line_end - at)
            at = line_end + 1
    return bytes(out)


def _mask(raw: bytes) -> bytes:
    """The text with the inside of every double-quoted scalar blanked out (same length), so that
    what it holds (`#`, `: `, `,`) is not taken for structure; refused when a quote is not a whole
    scalar at a value's place (a quote inside a plain scalar or a comment, one left open)."""
    count = 0

    def blank(found: re.Match[bytes]) -> bytes:
        nonlocal count
        start, end = found.span()
        # A whole value: after `key: ` (`: ` is never inside a valid plain scalar), after `- `,
        # `key: ` at the start of a line, or an entry of a flow collection that is a whole value.
        if raw[start - 2:start] != b": ":
            line = raw.rfind(b"\n", 0, start) + 1
            found_value = _VALUE_START.match(raw, line, start)
            value = found_value.end() if found_value else line
            if value != start:
                lead = start - 1
                while raw[lead] == 0x20:
                    lead -= 1
                if raw[value] not in b"[{" or raw[lead] not in b"[{,:":
                    raise _Refused
        after = raw[end]
        if after not in b",]}\n" and not _quoted_end(raw, end):
            raise _Refused  # `"a" b`, or a quoted key
        count += 1
        return b'"' + b"_" * (end - start - 2) + b'"'

    masked = _QUOTED.sub(blank, raw)
    if masked.count(b'"') != 2 * count:
        raise _Refused  # a quote left open
    return masked


def _quoted_end(raw: bytes, end: int) -> bool:
    """After a quoted scalar: spaces, then the end of the line, a comment or a flow indicator."""
    rest = raw[end:raw.index(b"\n", end)]
    stripped = rest.lstrip(b" ")
    return stripped == b"" or (stripped[:1] == b"#" and len(stripped) < len(rest)) or stripped[:1] in (b",", b"]", b"}")


class _Text:
    """The text (for values) and its masked copy (for structure), with the same offsets."""

    def __init__(self, raw: bytes, masked: bytes, wanted: Wanted | None = None) -> None:
        self.raw, self.masked, self.wanted = raw, masked, wanted
        self.qualifies = False  # with ``wanted``: the file may hold a resource whose elements match one of theirs
        self.markers: re.Pattern[bytes] | None = None  # then, the elements such a resource holds one of

    def line_end(self, at: int) -> int:
        return self.masked.index(b"\n", at)

    def value(self, at: int, inline: bytes, end: int, indent: int) -> Any:
        """The value whose inline part starts at ``at`` (after a colon or a dash) and whose block
        ends at ``end``; ``indent``: the column of the key or dash that owns it."""
        line_end = self.line_end(at)
        stripped, offset = _inline(inline)
        first = _FIRST_CONTENT.search(self.masked, line_end, end)
        if stripped:
            if first is not None:
                raise _Refused  # a deeper line after a value on its key's line: it continues it
            return self.inline(at + offset, stripped)
        if first is None:
            return None
        column = len(first[1])
        if self.masked.startswith(b"- ", first.start(2)):
            if column < indent:
                raise _Refused
            return [self.entry(start, stop, column) for start, stop in self.entries(first.start(), end, column)]
        if column <= indent or not _KEY_START.match(self.masked, first.start(2)):
            raise _Refused  # a value on the next line (`key:` then `  "x"`): left to the reader
        return {key.decode(): self.value(a, line, stop, column) for key, a, line, stop in self.keys(first.start(), end, column)}

    def inline(self, at: int, text: bytes) -> Any:
        """A value written on its key's line: a scalar, or a flow collection of scalars."""
        if text[:1] not in (b"[", b"{"):
            return self.scalar(at, text)
        if b'"' not in text:  # the same few classifications and keyword lists recur: typed once each
            value = _unquoted_flow(text)
            return list(value) if isinstance(value, list) else dict(value)
        return _flow(text, lambda o, part: self.scalar(at + o, part, flow=True))

    def scalar(self, at: int, text: bytes, flow: bool = False) -> Any:
        if text[:1] == b'"':
            if len(text) < 2 or text[-1:] != b'"':
                raise _Refused
            return self.raw[at + 1:at + len(text) - 1].decode()
        return _plain(self.raw[at:at + len(text)], flow)

    def keys(self, start: int, end: int, indent: int, first: tuple[bytes, int, bytes] | None = None
             ) -> list[tuple[bytes, int, bytes, int]]:
        """The keys at ``indent`` between ``start`` (a line break) and ``end``, after ``first`` (a
        key on a dash's line) when given: (key, where its inline value starts, the inline value,
        where its block ends)."""
        found = [(line[1], line.start(2), line[2], line.start())
                 for line in _key_lines(indent).finditer(self.masked, start, end)]
        if first is not None:
            found.insert(0, (*first, start))
        if len({key for key, *_ in found}) != len(found):
            raise _Refused  # the reader keeps the first of two equal keys; not worth following here
        return [(key, at, inline, found[i + 1][3] if i + 1 < len(found) else end)
                for i, (key, at, inline, _) in enumerate(found)]

    def entries(self, start: int, end: int, indent: int) -> list[tuple[int, int]]:
        """(start, end) of each entry of the block sequence at ``indent`` between ``start`` and
        ``end`` (a line at the dashes' column without one, or left of it, is a syntax error: the
        reader's to report)."""
        dash = b"\n" + b" " * indent + b"- "
        starts = []
        at = self.masked.find(dash, start, end)
        while at != -1:
            starts.append(at)
            at = self.masked.find(dash, at + 1, end)
        if not starts or any(self.masked[at + indent + 3] in b" -" for at in starts):
            raise _Refused  # an entry indented past its dash (`-  key`), or a nested sequence (`- - `)
        return list(zip(starts, [*starts[1:], end], strict=True))

    def entry(self, start: int, end: int, indent: int) -> Any:
        """A sequence entry whose line break is at ``start``: a mapping whose first key shares
        the dash's line, or any other value."""
        body = start + 1 + indent + 2
        line_end = self.line_end(body)
        key_line = _KEY_LINE.fullmatch(self.masked, body, line_end)
        if key_line is None:
            return self.value(body, self.masked[body:line_end], end, indent)
        keys = self.keys(line_end, end, indent + 2, (key_line[1], key_line.start(2), key_line[2]))
        return {key.decode(): self.value(a, line, stop, indent + 2) for key, a, line, stop in keys}

    def resources(self, at: int, inline: bytes, end: int) -> tuple[list[Resource | None], int]:
        stripped, _ = _inline(inline)
        first = _FIRST_CONTENT.search(self.masked, self.line_end(at), end)
        if stripped:
            if stripped == b"[]" and first is None:
                return [], 0
            raise _Refused  # resources as one flow collection, or a scalar: left to the reader
        if first is None:
            return [], 0
        if not self.masked.startswith(b"- ", first.start(2)):
            if _KEY_START.match(self.masked, first.start(2)):
                return [], 0  # a mapping: no list of resources
            raise _Refused
        indent = len(first[1])
        entries = self.entries(first.start(), end, indent)
        if self.wanted is not None:
            self.qualifies = self.may_match_elements(first.start(), end)
            if not self.qualifies and not self.may_match_code_or_name(first.start(), end, indent, entries):
                return [None] * len(entries), 0  # nothing of this file can matter: no resource read
        listed = [self.resource(start, stop, indent) for start, stop in entries]
        return [resource for resource, _ in listed], sum(count for _, count in listed)

    def may_match_elements(self, start: int, end: int) -> bool:
        """Whether the resources between ``start`` and ``end`` may hold an element set that shares a
        deletion key with a wanted one. A set that does holds all but ⌊n / 9⌋ of the wanted set's n
        elements (index.py): so the file holds them too, and the resource holds at least one of any
        ⌊n / 9⌋ + 1 of them. Those of each wanted set that fewest items of the file hold become the
        markers (`self.markers`) a resource is then searched for before its items are read."""
        assert self.wanted is not None
        found = _ANY_ELEMENT.findall(self.masked, start, end)
        written = set(found)
        if any(value[:1] == b'"' for value in written):
            return True  # a quoted element: not worth unmasking here; every resource is read
        spelled: dict[str, list[bytes]] = {}
        for value in written:
            element = _element_text(value)
            if isinstance(element, str):
                spelled.setdefault(element, []).append(value)
        held = spelled.keys()
        qualifying = [(elements, least) for elements, least in self.wanted.sets if len(held & elements) >= least]
        if not qualifying:
            return False
        times = Counter(found)  # how many items hold each element: the rarest are the markers
        held_by = {element: sum(times[v] for v in values) for element, values in spelled.items()}
        markers: set[str] = set()
        for elements, least in qualifying:
            markers.update(sorted(elements, key=lambda e: (held_by.get(e, 0), e))[:len(elements) - least + 1])
        values = tuple(sorted(v for marker in markers for v in spelled.get(marker, ()) if v))
        if not values:
            return False  # no item of the file holds a marker
        self.markers = _elements_written(values)
        return True

    def may_match_code_or_name(self, start: int, end: int, indent: int, entries: list[tuple[int, int]]) -> bool:
        """Whether a resource of the sequence at ``indent`` between ``start`` and ``end`` may hold a
        wanted code or name, or more elements than ``large``, from all their lines at once: every
        value of a `code` or `name` key of a resource (a duplicate too, so more than the reader
        keeps), unless one is not on its key's line or may run on; every resource's `element` count."""
        wanted = self.wanted
        assert wanted is not None
        if _code_or_name_continued(indent).search(self.masked, start, end):
            return True  # read resource by resource, where it is refused or read exactly
        lines = _code_or_name_lines(indent).findall(self.raw, start, end)
        codes = _quoted_codes(indent).findall(self.raw, start, end)  # the common form, compared at once
        if len(codes) == sum(1 for key, _ in lines if key == b"code"):
            if not _encoded(wanted.codes).isdisjoint(codes):
                return True
            lines = [line for line in lines if line[0] == b"name"]
        for key, rest in lines:
            value = _line_value(rest)
            if value is _UNSURE or value is _ELSEWHERE:
                return True
            found = text(value)
            if found is not None and (found in wanted.codes if key == b"code" else wanted.normalise(found) in wanted.names):
                return True
        # More than ``large`` elements take more `element` keys than that (any text "element" counts).
        return any(self.masked.count(b"element", a, b) > wanted.large for a, b in entries)

    def resource(self, start: int, end: int, indent: int) -> tuple[Resource | None, int]:
        """One resource (None when it is not a mapping) and the number of its items. Only the keys
        it reads are looked at: a resource has twenty, and this runs for every resource of a province."""
        masked = self.masked
        body = start + indent + 3
        line_end = masked.index(b"\n", body)
        key_line = _KEY_LINE.fullmatch(masked, body, line_end)
        if key_line is None:
            if isinstance(self.value(body, masked[body:line_end], end, indent), dict):
                raise _Refused  # a resource in flow style: left to the reader
            return None, 0
        column = indent + 2
        found = [(line[1], line.start(2), line[2], line.end()) for line in _read_key_lines(column).finditer(masked, line_end, end)]
        if key_line[1] in _RESOURCE_KEYS:
            found.insert(0, (key_line[1], key_line.start(2), key_line[2], line_end))
        if len({key for key, *_ in found}) != len(found):
            raise _Refused  # the reader keeps the first of two equal keys; not worth following here
        if self.wanted is not None and not self.relevant(found, end, column):
            return None, 0
        fields: dict[str, Any] = {}
        item, elements, published_on, count = None, frozenset[str](), None, 0
        for key, at, inline, after in found:
            if key == b"items":
                elements, count = self.items(at, inline, after, end, column)
                continue
            value = self.field(at, inline, after, end, column)
            if key == b"classification":
                item = _sure(value.get("item")) if isinstance(value, dict) else None
            elif key == b"published_on":
                published_on = _sure(value)
            else:
                fields[key.decode()] = _sure(value)
        return Resource(fields, item, elements, published_on), count

    def field(self, at: int, inline: bytes, after: int, end: int, column: int) -> Any:
        """The value of a key of a resource (at ``column``) whose line ends at ``after``."""
        stripped, offset = _inline(inline)
        if stripped:  # on the key's line (the common case): the next line must not continue it
            masked = self.masked
            if masked[after + 1:after + 2] == b"\n" or masked.startswith(b" " * (column + 1), after + 1):
                following = _FIRST_CONTENT.search(masked, after, end)
                if following is not None and len(following[1]) > column:
                    raise _Refused
            return self.inline(at + offset, stripped)
        return self.value(at, inline, self.block_end(after, end, column), column)

    def block_end(self, after: int, end: int, column: int) -> int:
        following = _key_lines(column).search(self.masked, after, end)
        return following.start() if following else end

    def relevant(self, found: list[tuple[bytes, int, bytes, int]], end: int, column: int) -> bool:
        """Whether a resource may matter to the files the run reports (``self.wanted``): its code
        or name is theirs, it holds more elements than ``large``, or — in a file that may hold one
        of their element sets — its deletion keys meet theirs."""
        wanted = self.wanted
        assert wanted is not None
        fields = {key.decode(): _sure(self.field(at, inline, after, end, column))
                  for key, at, inline, after in found if key in (b"code", b"name")}
        if self.qualifies_by_name_or_code(fields):
            return True
        tokens = {key: (at, inline, after) for key, at, inline, after in found}
        if b"items" not in tokens:
            return False
        at, inline, after = tokens[b"items"]
        if not self.qualifies:
            lines = self.masked.count(b"\n", after, self.block_end(after, end, column))
            return lines > wanted.large or bool(_inline(inline)[0])  # items written inline: read them
        block_end = self.block_end(after, end, column)
        if bool(_inline(inline)[0]) or self.masked.count(b"\n", after, block_end) > wanted.large:
            return True  # items written inline, or more lines of them than a set with deletion keys: read whole
        item = None
        if b"classification" in tokens:
            classification = self.field(*tokens[b"classification"], end, column)
            item = _sure(classification.get("item")) if isinstance(classification, dict) else None
        if text(item) not in wanted.items:  # a deletion key holds the 项: no key of theirs can match
            return False
        if self.markers is not None and not self.markers.search(self.masked, after, block_end):
            return False  # none of the rarest elements of a wanted set: no key of theirs can match
        elements, _ = self.items(at, inline, after, end, column)
        return len(elements) > wanted.large or not wanted.keys.isdisjoint(wanted.keys_of(item, elements))

    def qualifies_by_name_or_code(self, fields: dict[str, Any]) -> bool:
        assert self.wanted is not None
        code, name = text(fields.get("code")), text(fields.get("name"))
        return (code is not None and code in self.wanted.codes) or (
            name is not None and self.wanted.normalise(name) in self.wanted.names)

    def items(self, at: int, inline: bytes, line_end: int, end: int, column: int) -> tuple[frozenset[str], int]:
        """The elements of a resource's items that are text, and the number of items. The common
        case — one flow mapping a line, nothing else — is read with one search over the block."""
        if _inline(inline)[0]:
            value = self.field(at, inline, line_end, end, column)
            return (frozenset(), 0) if not isinstance(value, list) else self.listed_items(value)
        end = self.block_end(line_end, end, column)
        first = _FIRST_CONTENT.search(self.masked, line_end, end)
        if first is not None and self.masked.startswith(b"- {", first.start(2)) and len(first[1]) >= column:
            dashes = len(first[1])
            block = self.masked[line_end:end].rstrip(b" \n")
            count = block.count(b"\n" + b" " * dashes + b"- {")
            # Every line an item (no blank, comment or deeper line) that is one flow mapping closed
            # at its end, without nested collections; `element:` only as a key, once per item, unquoted.
            if block.translate(None, _ALL_BUT_ITEM_STRUCTURE) == b"\n{}" * count and b'element: "' not in block:
                values = _first_element(dashes).findall(block)
                if len(values) == block.count(b"element:"):
                    return _elements(values), count
        value = self.value(at, inline, end, column)
        return (frozenset(), 0) if not isinstance(value, list) else self.listed_items(value)

    @staticmethod
    def listed_items(value: list[Any]) -> tuple[frozenset[str], int]:
        found = [_sure(v["element"]) for v in value if isinstance(v, dict) and "element" in v]
        return frozenset(e for e in found if isinstance(e, str)), len(value)


def _elements(values: list[bytes]) -> frozenset[str]:
    """The distinct values of `element` keys that are text (a province has a few hundred: each is
    typed once)."""
    return frozenset(e for e in map(_element_text, set(values)) if isinstance(e, str))


def _element_text(value: bytes) -> Any:
    element = _ELEMENT_TEXT.get(value, _UNSEEN)
    if element is _UNSEEN:
        element = _ELEMENT_TEXT[value] = _sure(_plain(value.rstrip(b" "), True))
    return element


_UNSEEN = object()
_ELEMENT_TEXT: dict[bytes, Any] = {}


@cache
def _key_lines(indent: int) -> re.Pattern[bytes]:
    return re.compile(rb"\n" + b" " * indent + rb"([A-Za-z_][A-Za-z0-9_]*):(?= |\n)([^\n]*)")


@cache
def _read_key_lines(indent: int) -> re.Pattern[bytes]:
    keys = b"|".join(_RESOURCE_KEYS)
    return re.compile(rb"\n" + b" " * indent + rb"(" + keys + rb"):(?= |\n)([^\n]*)")


@cache
def _first_element(column: int) -> re.Pattern[bytes]:
    """The value of the first `element` key of each flow-mapping item line (the reader keeps the
    first of two); an item line has no other `element:` when the counts agree (see `items`)."""
    return re.compile(rb"\n" + b" " * column + rb"- \{(?:[^,\n]*+, )*?element:(?: +([^,}\n]*+)|(?=[,}]))")


def _flow(text: bytes, quoted: Callable[[int, bytes], Any] | None = None) -> Any:
    """A flow collection of scalars on one line; ``quoted`` reads a quoted entry from the text
    (given when the collection holds one: then it is not cached)."""
    def entry(offset: int, part: bytes) -> Any:
        if part[:1] == b'"' and quoted is not None:
            return quoted(offset, part)
        return _plain(part, True)

    if text[:1] == b"[":
        return [entry(o, part) for o, part in _flow_parts(text)]
    mapping: dict[str, Any] = {}
    for o, part in _flow_parts(text):
        pair = _KEY_LINE.fullmatch(part)
        if pair is None or pair[1].decode() in mapping:
            raise _Refused
        stripped, offset = _inline(pair[2])
        mapping[pair[1].decode()] = entry(o + pair.start(2) + offset, stripped) if stripped else None
    return mapping


_unquoted_flow = lru_cache(maxsize=4096)(_flow)


def _line_value(rest: bytes) -> Any:
    """The value on a key's line, from the text after its colon (a quoted scalar is whole there:
    `_mask` checked it), or _ELSEWHERE."""
    rest = rest.lstrip(b" ")
    if rest[:1] == b'"':
        return rest[1:rest.index(b'"', 1)].decode()
    stripped, _ = _inline(rest)
    if not stripped or stripped[:1] in (b"[", b"{"):
        return _ELSEWHERE
    return _plain(stripped)


@lru_cache(maxsize=1024)
def _elements_written(values: tuple[bytes, ...]) -> re.Pattern[bytes]:
    """An `element` key holding one of ``values`` as `_ANY_ELEMENT` read them."""
    return re.compile(rb"element *: +(?:" + b"|".join(map(re.escape, values)) + rb")(?=[,}\n])")


@lru_cache(maxsize=4)
def _encoded(codes: frozenset[str]) -> frozenset[bytes]:
    """``codes`` as UTF-8, made once for the run's wanted codes (every file compares against them)."""
    return frozenset(code.encode() for code in codes)


@cache
def _quoted_codes(indent: int) -> re.Pattern[bytes]:
    """A `code` of a resource written as a quoted scalar with no space at either end, alone on its line."""
    return re.compile(rb'\n(?: {%d}- | {%d})code: +"([^" \n](?:[^"\n]*[^" \n])?)" *(?:#[^\n]*)?(?=\n)'
                      % (indent, indent + 2))


@cache
def _code_or_name_lines(indent: int) -> re.Pattern[bytes]:
    return re.compile(rb"\n(?: {%d}- | {%d})(code|name):(?= |\n)([^\n]*)" % (indent, indent + 2))


@cache
def _code_or_name_continued(indent: int) -> re.Pattern[bytes]:
    """A `code` or `name` line followed by a deeper line (after blank and comment lines)."""
    return re.compile(rb"\n(?: {%d}- | {%d})(?:code|name):[^\n]*\n(?: *+(?:#[^\n]*)?\n)*+ {%d}"
                      % (indent, indent + 2, indent + 3))


def _inline(inline: bytes) -> tuple[bytes, int]:
    """A key's inline value without its comment and surrounding spaces, and its offset."""
    comment = inline.find(b" #")
    body = inline if comment == -1 else inline[:comment]
    stripped = body.strip(b" ")
    if stripped[:1] == b"#":
        return b"", 0
    return stripped, len(body) - len(body.lstrip(b" "))


def _flow_parts(text: bytes) -> list[tuple[int, bytes]]:
    """The entries of a flow collection on one line, with their offsets; nested ones refused."""
    if text[-1:] != (b"]" if text[:1] == b"[" else b"}"):
        raise _Refused
    inner = text[1:-1]
    if any(c in inner for c in (b"[", b"]", b"{", b"}", b"#")):
        raise _Refused
    parts: list[tuple[int, bytes]] = []
    offset = 1
    pieces = inner.split(b",")
    for i, piece in enumerate(pieces):
        stripped = piece.strip(b" ")
        if not stripped:
            if (i == len(pieces) - 1 and i > 0) or len(pieces) == 1:
                break  # a trailing comma, or an empty collection
            raise _Refused
        parts.append((offset + len(piece) - len(piece.lstrip(b" ")), stripped))
        offset += len(piece) + 1
    return parts


class _Unsure:
    """A scalar the sketch does not type with certainty (a number, a boolean, a text one of the
    reader's two paths takes for a number): harmless where nothing reads it, refused where something does."""


_UNSURE = _Unsure()
_ELSEWHERE = _Unsure()  # a value not on its key's line


@lru_cache(maxsize=65536)
def _plain(text: bytes, flow: bool = False) -> Any:
    """A plain scalar as the reader types it; refused where YAML would not read it as one scalar."""
    value = text.decode()
    if not value:
        return None
    if text[0] >= 0x80:  # a name in Chinese, most often: no indicator, no number; only what may follow
        if ": " in value or " #" in value or value.endswith(":") or (flow and any(c in value for c in ",[]{}")):
            raise _Refused
        return value
    if value[0] in "-?:" and (flow or len(value) == 1 or value[1] == " "):
        raise _Refused  # (libyaml, the precise reader, takes `:x` in a flow collection for an error)
    if value[0] in ",[]{}#&*!|>'\"%@`" or ": " in value or value.endswith(":") or " #" in value:
        raise _Refused
    if flow and any(c in value for c in ",[]{}"):
        raise _Refused
    typed = plain_scalar(value)
    if typed is not None and (not isinstance(typed, str) or (_NUMBERISH.match(value) and _NUMBER_LIKE.fullmatch(value))):
        return _UNSURE  # `18`, `true`; `0x1F`, `1.`, `.inf`, which the fast reader types otherwise
    return typed


def _sure(value: Any) -> Any:
    """``value``, when every scalar in it is typed with certainty."""
    if value is _UNSURE:
        raise _Refused
    if isinstance(value, list):
        for entry in value:
            _sure(entry)
    elif isinstance(value, dict):
        for entry in value.values():
            _sure(entry)
    return value
