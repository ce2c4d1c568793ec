"""Round-trip editing of YAML (govcat.lifecycle.yamledit): keys and scalars rewritten in place, in
their own style, every other byte as it was, and the result reading back as the data meant."""

from __future__ import annotations

import json
from typing import Any

import pytest

from govcat.core.document import Document
from govcat.lifecycle.plan import Map, Node, Seq, Text, plain, texts
from govcat.lifecycle.yamledit import Slice, read, render, rewrite
from govcat.reading.yamlread import load_yaml_text


def _load(text: str) -> Any:
    doc = Document(path=None, display="-", role="catalog")  # type: ignore[arg-type]
    load_yaml_text(text, doc, precise=True)
    assert doc.loaded, doc.problems
    return doc.data


def _edit(text: str, keys: dict[str, str] | None = None, values: dict[str, str] | None = None) -> tuple[str, Node]:
    """Rename every key named in ``keys`` and replace every scalar value named in ``values``."""
    root = read(text)
    assert root is not None
    for t in texts(root):
        if t.handle is None:
            continue
        is_key = any(t is k for node in _maps(root) for k, _ in node.entries)
        table = keys if is_key else values
        if table and isinstance(t.value, str) and t.value in table:
            t.value = table[t.value]
    return rewrite(text, root), root


def _maps(node: Node) -> list[Map]:
    out, stack = [], [node]
    while stack:
        n = stack.pop()
        if isinstance(n, Map):
            out.append(n)
            stack.extend(v for _, v in n.entries)
        elif isinstance(n, Seq):
            stack.extend(n.items)
    return out


def _same_except(old: str, new: str, changed: set[int]) -> None:
    """Every line but those numbered in ``changed`` (1-based) is byte for byte the old one."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    assert len(a) == len(b)
    assert {i + 1 for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y} == changed


def test_keys_and_values_in_flow_and_block_with_comments() -> None:
    text = (
        "# 目录：示例  \n"
        "standard_version: \"1.0\"   # 版本\n"
        "resources:\n"
        "  - code: \"307001001/000001\"\n"
        "    source_system: 婚姻系统   # 来源\n"
        "    'internal_department': '社会事务处'\n"
        "    format: {category: 电子文件, type: wps}   # 格式\n"
        "    sharing: {\n"
        "      type: 无条件共享,\n"
        "      method: \"介质\" }\n"
        "    items:\n"
        "      - {name: 护照号码, element: DE00015, data_type: C, length: 20}\n"
        "      -   name: 姓名\n"
        "          element:   DE00002\n"
    )
    new, root = _edit(text, keys={"source_system": "system", "internal_department": "department_unit"},
                      values={"1.0": "2.0", "wps": "WPS", "介质": "共享平台", "DE00015": "DE00001"})
    assert new == (
        "# 目录：示例  \n"
        "standard_version: \"2.0\"   # 版本\n"
        "resources:\n"
        "  - code: \"307001001/000001\"\n"
        "    system: 婚姻系统   # 来源\n"
        "    'department_unit': '社会事务处'\n"
        "    format: {category: 电子文件, type: WPS}   # 格式\n"
        "    sharing: {\n"
        "      type: 无条件共享,\n"
        "      method: \"共享平台\" }\n"
        "    items:\n"
        "      - {name: 护照号码, element: DE00001, data_type: C, length: 20}\n"
        "      -   name: 姓名\n"
        "          element:   DE00002\n"
    )
    _same_except(text, new, {2, 5, 6, 7, 10, 12})
    assert json.dumps(_load(new), ensure_ascii=False) == json.dumps(plain(root), ensure_ascii=False)


def test_crlf_lines_and_characters_beyond_the_basic_plane_keep_their_places() -> None:
    text = "a: 😀婚姻\r\nsource_system: x # 😀\r\nb: {t: wps}\r\n"
    new, _ = _edit(text, keys={"source_system": "system"}, values={"wps": "WPS"})
    assert new == "a: 😀婚姻\r\nsystem: x # 😀\r\nb: {t: WPS}\r\n"


def test_a_plain_value_is_quoted_where_plain_would_read_otherwise() -> None:
    text = "a: x\nb: {c: y, d: z}\ne: 'q'\n"
    new, root = _edit(text, values={"x": "2.0", "y": "a, b", "z": "yes", "q": "it's"})
    assert new == "a: \"2.0\"\nb: {c: \"a, b\", d: \"yes\"}\ne: 'it''s'\n"
    assert _load(new) == {"a": "2.0", "b": {"c": "a, b", "d": "yes"}, "e": "it's"}
    assert plain(root) == _load(new)


@pytest.mark.parametrize("value", ["2.0", "1", "-1", ".5", "null", "~", "true", "No", "2025-03-01", "a: b", "#x",
                                   "- x", "x #y", "[a]", "{a}", "a,b", "\"q\"", "'q'", "line\nbreak", " pad ", "",
                                   "tab\there", "\u2028", "\x85", "婚姻登记", "WPS", "@x", "`x", "%x", "!x", "&x", "*x",
                                   "|x", ">x", "?x", ":x", "x:"])
@pytest.mark.parametrize("style", [None, "'", '"'])
@pytest.mark.parametrize("flow", [False, True])
def test_render_reads_back_as_the_text(value: str, style: str | None, flow: bool) -> None:
    written = render(value, Slice(0, 0, style, flow))
    text = f"k: {{v: {written}}}\n" if flow else f"k:\n  v: {written}\n"
    assert _load(text) == {"k": {"v": value}}
    if style == '"':
        assert written.startswith('"')  # a quoted value stays quoted in its own quotes
    if style == "'" and "\n" not in value and value.isprintable():
        assert written.startswith("'")


def test_anchors_aliases_block_scalars_and_tags_are_never_rewritten() -> None:
    text = "a: &x wps\nb: *x\nc: |\n  wps\nd: !!str wps\ne: {f: wps}\n"
    root = read(text)
    assert isinstance(root, Map)
    found = {t.pointer: t for t in texts(root) if t.value in ("wps", "wps\n")}
    assert found["/a"].fixed is not None and found["/c"].fixed is not None and found["/d"].fixed is not None
    assert found["/e/f"].fixed is None
    found["/e/f"].value = "WPS"
    assert rewrite(text, root) == text.replace("{f: wps}", "{f: WPS}")


def test_an_empty_document_and_a_document_that_is_a_list() -> None:
    assert read("# nothing\n") is None
    root = read("- a\n- b\n")
    assert isinstance(root, Seq) and [t.value for t in root.items if isinstance(t, Text)] == ["a", "b"]


def test_every_span_is_the_text_of_its_scalar() -> None:
    text = ("k1: 'a''b'\nk2: \"c\\\"d\"\nk3: plain text\n  continued\nk4: [x, 'y', \"z\"]\n"
            "? k5\n: v5\nk6: {a: 1, b: 2.5, c: null, d: true, e: 010100}\n")
    root = read(text)
    assert root is not None
    for t in texts(root):
        span = t.handle
        source = text[span.start:span.end]
        if span.style in ("'", '"'):
            assert source[0] == source[-1] == span.style
        # the span alone, read as a YAML value, is the scalar it belongs to
        assert _load(f"v: [{source}]")["v"] == [t.value], (t.pointer, source)
    assert plain(root) == _load(text)
