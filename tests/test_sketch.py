"""The sketch of a catalog (reading/sketch.py): what the workspace rules read of a file that is only
context, taken from its bytes. Wherever the reader reads a file, the sketch gives the same summary
and index entries or declines (None: the file is then read properly); it declines what it does not
read exactly, and accepts the catalogs departments write."""

from __future__ import annotations

import random
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govcat.checking import index, stage, summary
from govcat.core.access import memo
from govcat.core.document import FATAL_CODES
from govcat.reading import sketch
from govcat.standard import load as load_standard
from tests.conftest import REPO, make_corpus
from tests.test_fuzz import CATALOG_DATA, FUZZ, yaml_files

STD = load_standard()


def read_whole(path: Path) -> tuple[Any, list[index.Entry]] | None:
    """The summary the reader gives (as for any context file), or None when it reads no data."""
    doc = stage.load(path, path.parent, STD)
    if doc.data is None or any(p.code in FATAL_CODES for p in doc.problems):
        return None
    short = summary.of(doc)
    return short.data, memo(short, "index", list)


def read_sketch(path: Path, wanted: sketch.Wanted | None = None) -> tuple[Any, list[index.Entry]] | None:
    found = sketch.read(path.read_bytes(), wanted)
    if found is None:
        return None
    short = summary.sketched(path, path.name, found)
    return short.data, memo(short, "index", list)


def same_or_declined(path: Path) -> tuple[Any, list[index.Entry]] | None:
    sketched, whole = read_sketch(path), read_whole(path)
    if whole is not None and sketched is not None:
        assert sketched == whole, path.read_text(encoding="utf-8", errors="replace")[:2000]
    return sketched


def test_every_example_catalog_is_sketched_as_it_is_read() -> None:
    catalogs = [p for p in sorted((REPO / "catalogs").rglob("*.yaml")) if p.name != "departments.yaml"]
    assert len(catalogs) >= 10
    for path in catalogs:
        assert read_sketch(path) is not None, path  # the examples are written the way the sketch reads
        assert read_sketch(path) == read_whole(path), path


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    make_corpus(out, 8, 12, 9, 0.3)
    return out


def test_the_benchmark_corpus_is_sketched_as_it_is_read(corpus: Path) -> None:
    for path in sorted((corpus / "catalogs").glob("*/*.yaml")):
        assert read_sketch(path) is not None, path
        assert read_sketch(path) == read_whole(path), path


BASE = """\
# 示范市某局：信息资源目录
standard_version: "1.0"
provider:
  code: "11330100MB0000010P"   # 统一社会信用代码
  name: 示范市大数据发展管理局
resources:
  - code: "201010001/000001"
    name: 政务服务事项基本信息
    classification: {class: 主题信息资源, item: 公共服务}
    summary: 一体化政务服务平台的事项清单
    items:
      - {name: 实施编码, element: DE00902, data_type: C, length: 24, is_key: true}
      - {name: 事项名称, element: DE00911, data_type: C, length: 200}
      - {name: 事项类型代码, element: DE00905, data_type: C, length: 2, description: "GB/T 39046, A.1 # 附录"}
      - {name: 机构名称, element: DE00102, data_type: C, length: 200}
      - {name: 统一社会信用代码, element: DE00101, data_type: C, length: 18}
    published_on: 2023-06-15
    related_codes: ["307010001/000001"]
    mount: {kind: 接口, status: 已挂接, endpoint: "https://x.example.org/api?a=1&b=2#frag"}

  - code: "307010001/000001"
    name: 政务服务办件信息
    classification: {class: 部门信息资源, item: 省（自治区、直辖市）及其下各级政务部门}
    items:
      - {name: 办件编号, element: DE00904, data_type: C, length: 50, is_key: true}
    published_on: 2023-06-16
"""

# Written differently, read the same way: each is a variant of BASE the sketch reads exactly.
ACCEPTED = {
    "as is": BASE,
    "block items": BASE.replace(
        "      - {name: 办件编号, element: DE00904, data_type: C, length: 50, is_key: true}\n",
        "      - name: 办件编号\n        element: DE00904  # 办件\n\n        data_type: C\n      - name: 其他\n"),
    "block classification": BASE.replace("    classification: {class: 主题信息资源, item: 公共服务}\n",
                                         "    classification:\n      class: 主题信息资源\n      item: \"公共服务\"\n"),
    "related codes as a block sequence": BASE.replace('    related_codes: ["307010001/000001"]\n',
                                                      '    related_codes:\n      - "307010001/000001"\n      - 307010001/000002\n'),
    "a sequence at its key's column": BASE.replace(
        "    items:\n      - {name: 实施编码", "    items:\n    - {name: 实施编码").replace(
        "\n      - {name: 事项", "\n    - {name: 事项").replace("\n      - {name: 机构", "\n    - {name: 机构").replace(
        "\n      - {name: 统一", "\n    - {name: 统一"),
    "a folded summary": BASE.replace("    summary: 一体化政务服务平台的事项清单\n",
                                     "    summary: >-\n      一体化政务服务平台的事项清单，\n\n      code: 不是键 # 也不是注释\n"),
    "a literal block at the top": BASE.replace("standard_version:", "notes: |\n  - a\n  name: b\nstandard_version:"),
    "comments and blank lines": BASE.replace("    name: 政务服务办件信息\n",
                                             "    # 办件\n\n    name: 政务服务办件信息   # 名称\n  # 缩进不同的注释\n"),
    "a quoted element": BASE.replace("element: DE00904", 'element: "DE00904"'),
    "a duplicate key the sketch does not read": BASE.replace("    summary: 一体", "    summary: 一\n    summary: 一体"),
    "an empty and a null field": BASE.replace("    published_on: 2023-06-16\n", "    published_on:\n    name2: ~\n"),
    "a resource that is not a mapping": BASE + "  - 某个值\n  - [a, b]\n",
    "no resources": "provider: {code: X, name: 某局}\nresources: []\n",
    "only comments": "# 空目录\n",
    "a middle dot and full-width punctuation": BASE.replace("政务服务办件信息", "买买提·艾力（办件），“信息”"),
    "compact top-level sequence": BASE.replace("\n  - code", "\n- code").replace("\n    ", "\n  ").replace(
        "\n      - ", "\n    - ").replace("\n  - {", "\n    - {"),
    "a number and a date where nothing reads them": BASE.replace("data_type: C, length: 2,", "data_type: C, length: 0x1F,"),
}

# Outside what the sketch reads exactly: declined, the file is read properly.
DECLINED = {
    "a tab": BASE.replace("    name: 政务", "\tname: 政务"),
    "single quotes": BASE.replace('"201010001/000001"', "'201010001/000001'"),
    "an anchor": BASE.replace("classification: {class: 主题信息资源, item: 公共服务}", "classification: &c {a: b}"),
    "a flow mapping over two lines": BASE.replace("item: 公共服务}", "\n      item: 公共服务}"),
    "a name that runs on": BASE.replace("    name: 政务服务办件信息\n", "    name: 政务服务办件信息\n      - 续\n"),
    "a code on the next line": BASE.replace('  - code: "307010001/000001"', '  - name0: x\n    code:\n      "307010001/000001"'),
    "a duplicate code": BASE.replace("    name: 政务服务办件信息\n", "    name: 政务服务办件信息\n    code: \"X\"\n"),
    "a code that is a number": BASE.replace('"307010001/000001"\n    name', "307010001\n    name"),
    "a hex-looking code": BASE.replace('"307010001/000001"\n    name', "0x1F\n    name"),
    "a quote inside a plain name": BASE.replace("政务服务办件信息", '关于"十四五"的信息'),
    "a line separator": BASE.replace("办件信息", "办件\u2028信息"),
    "a backslash escape": BASE.replace('"307010001/000001"\n    name', '"307010001\\/000001"\n    name'),
    "a nested sequence": BASE.replace("  - code: \"307", "  - - x\n  - code: \"307"),
    "a quoted key": BASE.replace("    name: 政务服务办件信息", '    "name": 政务服务办件信息'),
    "a complex key": BASE.replace("    name: 政务服务办件信息", "    ? name\n    : 政务服务办件信息"),
    "CRLF line ends": BASE.replace("\n", "\r\n"),
    "a folded name": BASE.replace("    name: 政务服务办件信息\n", "    name: >-\n      政务服务办件信息\n"),
    "GBK": BASE,  # encoded below
    "a top-level sequence": "- a\n- b\n",
    "a number among related codes": BASE.replace('["307010001/000001"]', '["307010001/000001", 999]'),
    "resources in flow style": "resources: [{code: a}]\n",
}


@pytest.mark.parametrize("text", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_variants_are_sketched_as_they_are_read(tmp_path: Path, text: str) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text(text, encoding="utf-8")
    assert read_whole(path) is not None
    assert read_sketch(path) is not None
    assert read_sketch(path) == read_whole(path)


@pytest.mark.parametrize("name", DECLINED.keys())
def test_what_the_sketch_does_not_read_exactly_is_left_to_the_reader(tmp_path: Path, name: str) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_bytes(DECLINED[name].encode("gb18030" if name == "GBK" else "utf-8"))
    assert read_sketch(path) is None


# --- generated catalogs --------------------------------------------------------------------------
# Values with what makes YAML hard: indicators, `: `, ` #`, quotes, brackets, numbers, dates, CJK.
PIECES = ["政务", "信息", "·", "（", "）", "“", "”", "，", " ", "a", "Z", "0", "7", "-", ":", "#", ",", "[", "]", "{",
          "}", '"', "/", ".", "_", "e", "~", "null", "true", "1.5", "0x1F", "2025-01-01", ": ", " #", "- ", ", "]


def _value(pick: Callable[[Sequence[Any]], Any]) -> str:
    return "".join(pick(PIECES) for _ in range(pick([0, 1, 2, 3, 5])))


def _scalar(pick: Callable[[Sequence[Any]], Any], value: str) -> str:
    """``value`` written plain or double-quoted (either may be invalid YAML: then the reader says so)."""
    return f'"{value}"' if pick([True, False]) else value


def catalog_text(pick: Callable[[Sequence[Any]], Any]) -> str:
    """A catalog written with a random choice of styles for each value the sketch reads."""
    pad = " " * pick([2, 4])

    def comment() -> str:
        return str(pick(["", "", "  # 注释", " #x"]))

    lines = [pick(["", "# 目录"]), 'standard_version: "1.0"']
    if pick([True, False]):
        lines += ["provider:", f"{pad}code: {_scalar(pick, pick(['11330100MB0000010P', _value(pick)]))}{comment()}",
                  f"{pad}name: 某局"]
    else:
        lines.append(f"provider: {{code: {pick(['X1', _value(pick)])}, name: 某局}}")
    lines.append("resources:" + pick(["", " []"]) if pick([True, True, False]) else "resources:")
    dash = pick(["", pad])  # the sequence at its key's column, or deeper
    inner = dash + "  "
    for _ in range(pick([0, 1, 2, 3])):
        keys = []
        keys.append(f"code: {_scalar(pick, pick(['201010001/000001', '307010001/000001', _value(pick)]))}{comment()}")
        keys.append(f"name: {_scalar(pick, pick(['政务服务信息', '政务服务 信息', _value(pick)]))}{comment()}")
        item = pick(["公共服务", "人口", _value(pick)])
        keys.append(pick([f"classification: {{class: 主题信息资源, item: {item}}}",
                          f"classification:\n{inner}{pad}class: 主题信息资源\n{inner}{pad}item: {_scalar(pick, item)}"]))
        elements = [pick(["DE00001", "DE00002", "DE00003", "DE00004", "DE00005", "DE00006", _value(pick)])
                    for _ in range(pick([0, 1, 5, 6, 9]))]
        items_dash = pick(["", pad])
        if pick([True, False]):
            entries = [f"{inner}{items_dash}- {{name: 项{i}, element: {_scalar(pick, e)}, data_type: C}}"
                       for i, e in enumerate(elements)]
        else:
            entries = [f"{inner}{items_dash}- name: 项{i}\n{inner}{items_dash}  element: {_scalar(pick, e)}"
                       for i, e in enumerate(elements)]
        keys.append("items:" + ("\n" + "\n".join(entries) if entries else pick(["", " []"])))
        keys.append(f"published_on: {pick(['2023-06-15', '', _value(pick)])}")
        related = [_scalar(pick, pick(["201010001/000001", _value(pick)])) for _ in range(pick([0, 1, 2]))]
        keys.append(pick([f"related_codes: [{', '.join(related)}]",
                          "related_codes:" + "".join(f"\n{inner}{pad}- {r}" for r in related)]))
        keys.append(pick(["summary: 摘要", "summary: >-\n" + f"{inner}{pad}多行\n{inner}{pad}name: 不是键", "keywords: [a, b]"]))
        order = [keys[i] for i in pick([range(len(keys)), reversed(range(len(keys)))])]
        body = "\n".join(f"{inner}{k}" for k in order).lstrip(" ")
        lines.append(f"{dash}- {body}")
        lines.append(pick(["", "  # 下一条"]))
    return "\n".join(lines) + "\n"


@settings(max_examples=300, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_generated_catalogs_are_sketched_as_they_are_read(tmp_path: Path, data: st.DataObject) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text(catalog_text(lambda options: data.draw(st.sampled_from(list(options)))), encoding="utf-8")
    same_or_declined(path)


def test_the_generated_catalogs_are_mostly_sketched(tmp_path: Path) -> None:
    """The property above is not vacuous: of the generated catalogs the reader reads, the sketch
    reads a good share (those written the common ways)."""
    rng = random.Random(7)
    read = sketched = 0
    for i in range(300):
        path = tmp_path / f"c{i}.yaml"
        path.write_text(catalog_text(lambda options: rng.choice(list(options))), encoding="utf-8")
        if read_whole(path) is not None:
            read += 1
            sketched += same_or_declined(path) is not None
    assert read > 100 and sketched > read // 4, (read, sketched)


@FUZZ
@given(catalog=yaml_files(CATALOG_DATA))
def test_the_fuzzed_catalogs_are_sketched_as_they_are_read_or_declined(catalog: str | bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "catalog.yaml"
        path.write_bytes(catalog.encode("utf-8", errors="surrogatepass") if isinstance(catalog, str) else catalog)
        same_or_declined(path)  # and never raises


# --- context kept for the reported files ---------------------------------------------------------
def test_only_what_can_matter_is_kept_of_the_context(corpus: Path) -> None:
    """With what the reported files want (index.wanted), a context file keeps exactly the resources
    whose code or name is theirs, or whose deletion keys meet theirs — and each as the sketch reads it."""
    folders = sorted(p for p in (corpus / "catalogs").iterdir() if p.is_dir())
    kept_somewhere = dropped_somewhere = 0
    for focus in folders:
        docs = [summary.of(stage.load(path, corpus, STD)) for path in sorted(focus.glob("*.yaml"))]
        wanted = index.wanted(docs)
        mine = [e for doc in docs for e in memo(doc, "index", list)]
        related = {c for doc in docs for r in doc.data["resources"] if isinstance(r, dict)
                   for c in (r.get("related_codes") or []) if isinstance(c, str)}
        for other in folders:
            if other == focus:
                continue
            for path in sorted(other.glob("*.yaml")):
                whole, pruned = read_sketch(path), read_sketch(path, wanted)
                assert whole is not None and pruned is not None
                kept = {e.pointer: e for e in pruned[1]}
                for entry in whole[1]:
                    matters = (entry.code in {e.code for e in mine} | related
                               or entry.normalised in {e.normalised for e in mine}
                               or not set(entry.keys).isdisjoint(wanted.keys) or len(entry.elements) > wanted.large)
                    assert (entry.pointer in kept) == bool(matters), (path, entry)
                    if matters:
                        assert kept[entry.pointer] == entry
                kept_somewhere += len(kept)
                dropped_somewhere += len(whole[1]) - len(kept)
    assert kept_somewhere > 0 and dropped_somewhere > kept_somewhere


def test_a_context_set_too_large_for_deletion_keys_alone_is_always_kept(tmp_path: Path) -> None:
    """The index's prefix filter needs every set larger than deletion keys cover, whatever it holds:
    kept even in a file that may match (where the rarest elements are searched first) and holds none of them."""
    def catalog(provider: str, resources: list[tuple[str, list[str]]]) -> str:
        text = f'provider: {{code: "{provider}", name: 某局}}\nresources:\n'
        for code, elements in resources:
            items = "".join(f"      - {{name: 项{i}, element: {e}, data_type: C}}\n" for i, e in enumerate(elements))
            text += (f'  - code: "{code}"\n    name: 资源{code[-3:]}\n    classification: {{class: 主题信息资源, item: 公共服务}}\n'
                     f"    items:\n{items}    published_on: 2023-01-01\n")
        return text

    mine = [f"DE{n:05d}" for n in range(100, 124)]  # 24: deletion keys, and large
    other = [f"DE{n:05d}" for n in range(200, 225)]  # 25 that none of mine is
    (tmp_path / "focus.yaml").write_text(catalog("P1", [("201010001/000001", mine)]), encoding="utf-8")
    (tmp_path / "context.yaml").write_text(catalog("P2", [("201010001/000002", mine[:23]), ("201010001/000003", other),
                                                          ("201010001/000004", other[:9])]), encoding="utf-8")
    wanted = index.wanted([summary.of(stage.load(tmp_path / "focus.yaml", tmp_path, STD))])
    whole, pruned = read_sketch(tmp_path / "context.yaml"), read_sketch(tmp_path / "context.yaml", wanted)
    assert whole is not None and pruned is not None
    assert [e.pointer for e in pruned[1]] == ["/resources/0", "/resources/1"]  # a key shared; large
    assert pruned[1] == whole[1][:2]
