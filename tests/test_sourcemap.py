"""Positions of a resource found from its own lines equal those found by reading the whole file."""

from __future__ import annotations

import pytest

from govcat.reading.sourcemap import YamlSourceMap, _entries, _yaml_spans
from tests.conftest import REPO

LAYOUTS = {
    "list at column 0, comments between entries, a key after the list": """\
standard_version: "1.0"
resources:
- code: "307001001/000001"
  name: 婚姻登记信息
# a comment at column 0 between entries
- code: "307001001/000002"   # trailing comment
  name: 收养登记信息
  items:
    - {name: 姓名, element: DE00002}
    - {name: 公民身份号码,
       element: DE00001}

provider: {code: "11330100MB0000012X", name: 示范市民政局}
""",
    "block scalars holding dashes, blank lines and colons": """\
provider:
  code: "11330100MB0000012X"
resources:

  - code: "307001001/000001"
    summary: |
      - not an entry
    <SPACES>
      resources:
      - still the summary
    name: >-
      婚姻登记
      信息
  -   code: "307001001/000002"
      name: "多行
        引号"
  -
    code: "307001001/000003"
    related_codes: [
      "307001001/000001",
      "307001001/000002"]
# the end
""",
    "windows line endings": "resources:\r\n  - code: a\r\n    name: b\r\n  - code: c\r\n    items:\r\n      - {x: 1}\r\n",
    "the last entry ends the file without a newline": "resources:\n  - code: a\n  - code: b\n    name: c",
}
LAYOUTS = {name: text.replace("    <SPACES>", "    ") for name, text in LAYOUTS.items()}  # a blank line of spaces


def _compare(text: str) -> int:
    whole = _yaml_spans(text)
    smap = YamlSourceMap(text)
    compared = 0
    for pointer, span in whole.items():
        if pointer.startswith("/resources/"):
            assert smap.span(pointer) == span, pointer
            compared += 1
    assert smap._spans is None  # every answer came from a resource's own lines
    return compared


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_layouts(name: str) -> None:
    text = LAYOUTS[name]
    assert _entries(text) is not None
    assert _compare(text) > 3


def test_the_example_catalogs() -> None:
    paths = sorted((REPO / "catalogs").glob("*/*.yaml"))
    assert len(paths) == 10
    for path in paths:
        assert _compare(path.read_text(encoding="utf-8")) > 50, path


@pytest.mark.parametrize("text", [
    "resources: [{code: a}, {code: b}]\n",  # flow style
    "resources:\n  - code: a\nother:\n  resources:\n    - code: b\n",  # `resources:` twice at column 0? once
    '"resources":\n  - code: a\n',  # a quoted key
    "resources:\n  code: a\n",  # not a list
])
def test_other_layouts_are_read_whole(text: str) -> None:
    smap = YamlSourceMap(text)
    whole = _yaml_spans(text)
    for pointer, span in whole.items():
        assert smap.span(pointer) == span
