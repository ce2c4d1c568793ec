"""The two YAML paths agree: a file read by the fast path (yaml-rs) gets exactly the findings the
precise path (libyaml events + our typing) gives it; where YAML 1.2 typed a scalar differently and
it matters, conformance sends the file back to the precise path."""

from __future__ import annotations

from pathlib import Path

import pytest

from govcat.checking import conformance
from govcat.reading import loader
from govcat.standard import load as load_standard
from tests.cases import load_cases
from tests.conftest import REPO

SCALARS = ["010100", "0x1F", "0o17", "0b101", "1_000", "1.", ".5", "-.5", "+1", "-0", "0", "00", "1.0", "1.10",
           "1e5", "1E+05", "1e400", ".inf", "-.Inf", ".NaN", "yes", "No", "on", "TRUE", "True", "false", "~", "null",
           "Null", "", "2025-03-01", "2025-02-30", "2025-03-01T10:00:00", "12:30", "1:2", "'quoted'", '"dq"',
           "中文", "a b", "- x", "[1, 2]", "{a: 1}", "'010100'", "'1.0'", "!!str 010", "3.14159265358979",
           "123456789012345678901234567890", "11330100MB0000012X", "113301000000000001", "307001001/000001"]


def _both(text: str) -> tuple[loader.Document, loader.Document]:
    fast = loader.Document(path=Path("x.yaml"), display="x.yaml", role="catalog")
    precise = loader.Document(path=Path("x.yaml"), display="x.yaml", role="catalog")
    loader.load_yaml_text(text, fast)
    loader.load_yaml_text(text, precise, precise=True)
    return fast, precise


def _texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((REPO / "catalogs").glob("**/*.yaml"))]
    for _, _, case in load_cases():  # rule cases, each change to the base rendered to its text
        texts += [v for v in case["files"].values() if isinstance(v, str)]
    texts += [f"v: {s}\n" for s in SCALARS] + [f"{s}: v\n" for s in SCALARS if s] + [f"- {s}\n" for s in SCALARS]
    return texts


@pytest.mark.parametrize("text", _texts(), ids=range(len(_texts())))
def test_fast_path_gives_the_findings_of_the_precise_path(text: str) -> None:
    fast, precise = _both(text)
    if not fast.fast:
        return
    # what a finding shows: the keyword, the place, and the value when it is a scalar
    errors = [sorted((e.keyword, e.pointer, "" if isinstance(e.value, dict | list) else repr(e.value))
                     for e in conformance.check(doc, load_standard())) for doc in (fast, precise)]
    assert errors[0] == errors[1]
    assert [(p.code, p.span) for p in fast.problems] == [(p.code, p.span) for p in precise.problems]
    if not errors[1]:  # valid for the schema: then the data itself is the same, type for type
        assert fast.data == precise.data
        assert [type(v) for v in _leaves(fast.data)] == [type(v) for v in _leaves(precise.data)]


def test_the_examples_take_the_fast_path() -> None:
    for path in sorted((REPO / "catalogs").glob("*/*.yaml")):
        fast, _ = _both(path.read_text(encoding="utf-8"))
        assert fast.fast, path


def _leaves(data: object) -> list[object]:
    if isinstance(data, dict):
        return [x for k, v in data.items() for x in (k, *_leaves(v))]
    if isinstance(data, list):
        return [x for v in data for x in _leaves(v)]
    return [data]


DEEP = 5000  # far beyond libyaml's own limit (1000 levels), which its scanner reaches reading ahead


@pytest.mark.parametrize(("text", "line", "column"), [
    # the level over 64 opens at the (65 - levels already open)th bracket
    ("standard_version: '1.0'\nresources: " + "[" * DEEP + "]" * DEEP, 2, 12 + 63),
    ("resources:\n  - code: x\n    items:\n      - name: a\n        x: " + "[" * DEEP + "]" * DEEP, 5, 12 + 59),
    ("resources:\n- code: x\n  items:\n  - name: a\n    x: " + "[" * DEEP + "]" * DEEP, 5, 8 + 59),
    ("a: [x, y, " + "[" * DEEP + "]" * DEEP + "]", 1, 11 + 62),
    ("a: {k: v, j: " + "[" * DEEP + "]" * DEEP + "}", 1, 14 + 62),
    ("[" * DEEP + "]" * DEEP, 1, 1 + 64),
    ("- - " + "[" * DEEP + "]" * DEEP, 1, 5 + 62),
    ("a:\n  b: x\n  c: &q " + "[" * DEEP + "]" * DEEP, 3, 9 + 62),
    ("a:\n  b: x\n  c: " + "{a: " * DEEP + "}" * DEEP, 3, 6 + 4 * 62),
    ("a:\n  b: x\n  c:\n    " + "[" * DEEP + "]" * DEEP, 4, 5 + 62),
    ("a:\n  - x\n  -    " + "[" * DEEP + "]" * DEEP, 3, 8 + 62),
    ("a:\n  - {b: [x, " + "[" * DEEP + "]" * DEEP + "]}", 2, 13 + 60),
    ("# 注释\n" * 10 + "a: [x,\n  y,\n  " + "[" * DEEP + "]" * DEEP + "]", 13, 3 + 62),
    ("名称: 婚姻登记\nb: " + "[" * DEEP + "]" * DEEP, 2, 4 + 63),
])
def test_depth_limit_holds_beyond_libyamls_own(text: str, line: int, column: int) -> None:
    """GC004 stands at the 65th level wherever the nesting starts, although libyaml stops at its
    own limit before its events get that deep (the stretch is replayed on PyYAML's pure parser)."""
    doc = loader.Document(path=Path("x.yaml"), display="x.yaml", role="catalog")
    loader.load_yaml_text(text + "\n", doc)
    assert [(p.code, p.args["limit"], p.span.line, p.span.column) for p in doc.problems if p.span] == [
        ("GC004", "depth", line, column)]


def test_depth_replay_is_bounded() -> None:
    """Megabytes between the last event libyaml gave and its error are not replayed in pure Python:
    the finding stays a GC004, where libyaml stopped."""
    doc = loader.Document(path=Path("x.yaml"), display="x.yaml", role="catalog")
    loader.load_yaml_text("a: \n" + "#" * (2 << 20) + "\n  " + "[" * DEEP + "]" * DEEP + "\n", doc)
    assert [(p.code, p.args["limit"], p.span.line) for p in doc.problems if p.span] == [("GC004", "depth", 3)]


ODD_NUMBERS = [".inf", "-.Inf", "+.INF", ".nan", ".NaN", "1e999", "-1E+400", "!!float nan", "!!float -inf",
               "9" * 101, "-" + "1" * 4400, "1." + "0" * 200, "!!int " + "7" * 4400, "0." + "5" * 150]


@pytest.mark.parametrize("scalar", ODD_NUMBERS)
def test_both_paths_keep_numbers_json_cannot_hold_as_text(scalar: str) -> None:
    """No NaN, no infinity, no int of thousands of digits reaches the rules: they stay text, and the
    schema reports the type where a number belongs."""
    for text in (f"length: {scalar}\n", f"- {scalar}\n", f"a: [{scalar}, {{b: {scalar}}}]\n"):
        fast, precise = _both(text)
        assert not fast.fast, "the fast path leaves such files to the precise path"
        for value in _leaves(precise.data):
            assert isinstance(value, str | bool | type(None)) or (
                isinstance(value, int | float) and len(repr(value)) <= 100 and value == value and abs(value) != float("inf"))


def test_foreign_values_of_a_document_become_located_type_errors() -> None:
    """A reader that leaves values JSON cannot hold (a workbook's time and duration cells, NaN) does
    not make the schema check give up: each is a type error at its place, the others still come."""
    from datetime import time, timedelta

    doc = loader.Document(path=Path("x.xlsx"), display="x.xlsx", role="catalog", data={
        "standard_version": "1.0", "provider": {"code": "11330100MB0000012X", "name": time(8, 30)},
        "resources": [{"code": "bad", "items": [{"name": "x", "data_type": "C", "length": float("nan"),
                                                  "description": timedelta(days=1), "precision": 10**5000}],
                       7: "key", True: "key"}]})
    errors = sorted((e.keyword, e.pointer) for e in conformance.check(doc, load_standard()))
    assert ("type", "/provider/name") in errors
    assert ("type", "/resources/0/items/0/length") in errors
    assert ("type", "/resources/0/items/0/description") in errors
    assert ("pattern", "/resources/0/code") in errors  # the rest of the document is still checked
    assert ("type", "/resources/0/items/0/precision") in errors  # 5001 digits: no text Python would write
    assert ("additionalProperties", "/resources/0") in errors  # the keys 7 and True, as text
    assert {"7", "True"} <= set(doc.data["resources"][0])
    assert doc.data["resources"][0]["items"][0]["length"] == "NaN"
