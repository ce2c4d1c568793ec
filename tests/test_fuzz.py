"""Structure-aware fuzzing of everything govcat reads (SPEC §5 "Bad input"), with hypothesis.

Four targets, each a mutation of something valid so that the inputs get deep into the readers:
YAML catalogs, the department registry, the workspace configuration (`.govcat.yaml` and
`[tool.govcat]` in pyproject.toml) and workbooks (written by openpyxl with odd cells in odd places,
then corrupted as raw zip bytes). Each input runs through the real CLI in this process (click's
CliRunner: `govcat validate catalogs --format json`), and must keep the invariants:

- no internal error, no traceback, no Rust panic and no reader failure naming a Python exception;
- exit code 0 or 1, or 2 for a configuration problem only, with the configuration file named;
- with exit 0 or 1, a JSON report on stdout whose every finding has a position, well-formed JUnit
  XML and a text report without raw control characters;
- bounded time and memory for every input.

The suite runs a small, fixed set of examples (derandomized). The long campaign:

    (ulimit -v 6000000; GOVCAT_FUZZ_EXAMPLES=20000 PYTHONPATH=src pytest -p no:cacheprovider tests/test_fuzz.py -x)

(random exploration: about 2 minutes per 5000 YAML or configuration inputs and 10 per 5000
workbooks on one core; `ulimit -v` so that a memory blow-up fails instead of swapping, and a
reader that aborts the process shows as "Fatal Python error"). A failure prints the smallest
input hypothesis found, to be pinned as a regression test where it belongs.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import re
import resource
import tempfile
import time
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from govcat.cli import main
from govcat.core.document import Document
from govcat.reading.yamlread import load_yaml_text
from tests.conftest import TEST_REGISTRY, write_workspace
from tests.test_bad_input import CATALOG

# Hypothesis keeps caches (and, were it on, its example database) in ./.hypothesis; tests never write
# into the checkout.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "govcat-hypothesis")
LONG = int(os.environ.get("GOVCAT_FUZZ_EXAMPLES", "0"))
FUZZ = settings(
    max_examples=LONG or 40, derandomize=not LONG, deadline=None, database=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
MAX_SECONDS = 60  # per input, whatever the machine's load; inputs here take well under a second
MAX_RSS = 4 << 30  # the process's high-water mark: a reader that read without bound would pass it
# A reader failure caught by the workbook guard names the exception: these are bugs, not damaged files.
OUR_BUGS = re.compile(r"\b(?:TypeError|AttributeError|KeyError|IndexError|NameError|UnboundLocalError|"
                      r"AssertionError|RecursionError|OverflowError|ZeroDivisionError|UnicodeError|"
                      r"PanicException|MemoryError)\b")


def _plain(text: str) -> Any:
    """A catalog as govcat reads it (dates stay text), the base of the mutations."""
    doc = Document(path=Path("x.yaml"), display="x.yaml", role="catalog")
    load_yaml_text(text, doc, precise=True)
    return doc.data


CATALOG_DATA = _plain(CATALOG)
REGISTRY_DATA = _plain(TEST_REGISTRY)


# --- checking one input ---------------------------------------------------------------------

def check(files: dict[str, Any], *, config: bool = False) -> None:
    """Validate a workspace of these files in-process and assert the invariants."""
    runner = CliRunner()
    with tempfile.TemporaryDirectory() as folder, contextlib.chdir(folder):
        root = Path(folder)
        write_workspace(root, files)
        started = time.monotonic()
        outputs = {fmt: runner.invoke(main, ["validate", "catalogs", "--format", fmt, "--as-of", "2026-11-22",
                                             "--jobs", "1"], catch_exceptions=False) for fmt in ("json", "junit", "text")}
        elapsed = time.monotonic() - started
    result = outputs["json"]
    assert elapsed < MAX_SECONDS, f"{elapsed:.1f} s"
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 < MAX_RSS
    stderr = result.stderr
    assert "Traceback" not in stderr and "internal error" not in stderr and "panicked" not in stderr, stderr
    if result.exit_code == 2:
        assert config, f"exit 2 without a configuration problem: {stderr}"
        assert "配置文件" in stderr or "pyproject.toml" in stderr, stderr
        return
    assert result.exit_code in (0, 1), (result.exit_code, stderr)
    assert all(out.exit_code == result.exit_code for out in outputs.values())
    ElementTree.fromstring(outputs["junit"].stdout.encode("utf-8"))  # well-formed, whatever the catalog holds
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", outputs["text"].stdout), "a raw control character in text"
    report = json.loads(result.stdout)
    for finding in report["findings"]:
        assert isinstance(finding["line"], int) and finding["line"] >= 1, finding
        assert isinstance(finding["column"], int) and finding["column"] >= 1, finding
        assert not OUR_BUGS.search(finding["message"]), finding["message"]


# --- YAML: a tree of the catalog, mutated, written, then its text mutated ------------------------

@dataclass(frozen=True)
class Raw:
    """Text written into the YAML as it is (a number of 5000 digits, `.inf`, `[[[[`, a key `{a: [b]}`…);
    not a str subclass, which hypothesis would take for one of its own choices."""

    text: str


RAW_SCALARS = [
    ".inf", "-.Inf", ".NaN", "1e999", "-1E+400", "9" * 5000, "-" + "1" * 4400, "1" * 120, "0x1F", "0o17", "010",
    "1_000", "1.", "+1", "yes", "No", "on", "~", "null", "2025-02-30", "9999-12-31", "0001-01-01", "2025-03-01T10:00",
    "08:30", "12:30:45", "!!float nan", "!!float -inf", "!!int 12", "!!int 0x10", "!!binary aGVsbG8=", "!!str 010",
    "!!timestamp 2025-03-01", "!custom x", "&anchor x", "*undefined", '"a\\u0000b"', '"\\x07bell"', '"\\ud800"',
    "'it''s'", "|\n  literal\n", ">-\n  folded\n", "[" * 63 + "]" * 63, "[" * 64 + "]" * 64, "[" * 2000 + "]" * 2000,
    "{a: " * 70 + "}" * 70, "[a, [b, [c]]]", "{? [a]: b}", "? a\n", "- x", "a: b: c", "@x", "`x`", "%x", "#",
    "- - - - x", "[1, 2", "{a", '"unclosed', "'", "\t", "\x85", "\u2028", "\ufeff", "\x00", "\x7f",
    "{? {a: [b]}: c}", "{1: a, ~: b}", "&x [*x]", "!!set {a, b}", "!!omap [{a: 1}]", "!!python/none ''",
]
ODD_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40) | st.sampled_from(
    ["", " ", "\t", "婚姻登记信息", "每天", "有条件", "DE1", "307001001/000001", "x" * 5000, "中" * 1001, "a\nb",
     " 每日 ", "0" * 18, "11330100MB0000012X", "\\", "${x}", "<script>", "a\x00b", "\u202e", "🙂"])
ODD_KEYS = st.sampled_from(["", "~", "/", "~1", "a/b", "1", "null", "<<", "? ", "name ", "名称", "x" * 1100, "\x07",
                            "resources", "items", "code", "provider", "departments", "-", "[a]", "{a}", "a: b"]) | ODD_TEXT \
    | st.sampled_from(["{a: [b]}", "[a, [b]]", "[a]", "{a: 1}", "1", "~", "1.5", "true", "2025-03-01", "? x", "&k key",
                       "*k", "!!str 1", "9" * 5000, ".nan"]).map(Raw)  # keys written as they are

LEAVES = (ODD_TEXT | st.integers() | st.integers(min_value=-(10**300), max_value=10**300)
          | st.floats(allow_nan=True, allow_infinity=True) | st.booleans() | st.none()
          | st.dates(date(1, 1, 1), date(9999, 12, 31)) | st.sampled_from(RAW_SCALARS).map(Raw))
VALUES = st.recursive(LEAVES, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ODD_KEYS, inner, max_size=4),
                      max_leaves=12)


# Values at the edges of what each field takes, so that mutations reach the rules behind the schema.
DATES = [date(9999, 12, 31), date(9999, 12, 30), date(1, 1, 1), date(2026, 11, 22), date(2026, 11, 23), "2025-02-30",
         "99999-01-01", "2025-3-1", "2025/03/01", "2025-03-01T00:00:00", Raw("9999-12-31"), Raw("2025-02-30"), ""]
NUMBERS = [0, -1, 1, 2**63, 2**64 + 1, 1.0, 1.5, True, "18", Raw("9" * 5000), Raw(".inf"), Raw("1e999"), Raw("0x12"), None]
FIELD_VALUES: dict[str, list[Any]] = {
    "published_on": DATES, "last_updated_on": DATES, "expires": DATES,
    "length": NUMBERS, "precision": NUMBERS, "grace_days": NUMBERS,
    "update_frequency": ["实时", "每日", "每周", "每月", "每季度", "每半年", "每年", "不定期", "其他", "每天", "按月", " 每日 ", "每 日",
                         "", 1, Raw("~")],
    "code": ["307001001/000001", "307001001/00000", "101001001/000001", "1/1", "３０７００１００１/０００００１", "",
             "11330100MB0000012X", "113301000000000051", Raw("113301000000000051"), Raw("307001001")],
    "element": ["DE00001", "DE99999", "de00001", "DE0000１", "DE00104", "", 1],
    "data_type": [*"CNYDTLMGBIF", "日期型", "c", "", "CC"],
    "standard_version": ["1.0", "2.0", "1", "1.0.0", "", Raw("1.0"), Raw("1.10"), 1.0, 1],
    "division": [Raw("010100"), 330100, "330100", "999999", "33010", ""],
    "type": ["无条件共享", "有条件共享", "不予共享", "无条件开放", "有条件开放", "不予开放", "数据库", "KingbaseES", "有条件", ""],
    "method": ["共享平台", "邮件", "介质", ""], "method_type": ["数据库", "接口", "文件", ""],
    "security_level": ["一般数据", "重要数据", "核心数据", "机密", ""],
    "class": ["基础信息资源", "主题信息资源", "部门信息资源", "x"], "item": ["电子证照", "人口", "x", ""],
    "related_codes": [["307001001/000001"], ["307001001/999999"], "307001001/000001", [None], []],
    "keywords": [[], ["a"], "a;b", [1], [None]],
    "is_key": [True, False, "是", "否", 1, Raw("yes")], "sensitive": [True, False, "是", 0],
    "level": ["省级", "市级", "县级", "村级"], "parent": ["11330100MB0000012X", "x", ""],
    "name": ["婚姻登记信息", "", "a", "x" * 101, "示范市民政局", "婚姻 登记信息", "婚姻登记信息。", 1],
    "rule": ["GC408", "GC504", "GC999", ["GC408"], 408],
}


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _paths(value, (*path, i))
    return found


def _at(node: Any, path: tuple[Any, ...]) -> Any:
    for token in path:
        node = node[token]
    return node


def _deep(depth: int, leaf: Any) -> Any:
    for i in range(depth):
        leaf = [leaf] if i % 2 else {"k": leaf}
    return leaf


@st.composite
def mutated_tree(draw: st.DrawFn, base: Any) -> Any:
    data = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(_paths(data)))
        if not path:
            if draw(st.booleans()):
                data = draw(VALUES)  # the whole document something else
            continue
        parent, key = _at(data, path[:-1]), path[-1]
        op = draw(st.sampled_from(["replace", "field", "field", "delete", "add", "duplicate", "deep", "alias"]))
        if op == "field" and key in FIELD_VALUES:
            parent[key] = copy.deepcopy(draw(st.sampled_from(FIELD_VALUES[key])))
        elif op in ("replace", "field"):
            parent[key] = draw(VALUES)
        elif op == "delete":
            del parent[key]
        elif op == "add" and isinstance(parent, dict):
            parent[draw(ODD_KEYS)] = draw(VALUES)
        elif op == "duplicate" and isinstance(parent, list):
            parent.insert(key, copy.deepcopy(parent[key]))
        elif op == "deep":
            parent[key] = _deep(draw(st.sampled_from([3, 30, 62, 63, 64, 70])), parent[key])
        elif op == "alias":  # the same object twice: PyYAML writes an anchor and an alias
            parent[key] = [parent[key]] * draw(st.integers(2, 12))
    return data


def _dump(data: Any, flow: bool | None) -> str:
    """YAML written by PyYAML (dates as timestamps, shared objects as anchors and aliases), with each
    Raw text put in afterwards where a placeholder stands."""
    raws: list[str] = []

    def raw(dumper: yaml.SafeDumper, value: Raw) -> yaml.Node:
        raws.append(value.text)
        return dumper.represent_scalar("tag:yaml.org,2002:str", f"RAW{len(raws) - 1}RAW")

    def integer(dumper: yaml.SafeDumper, value: int) -> yaml.Node:  # PyYAML's str() refuses 4300+ digits
        return raw(dumper, Raw(f"{value:d}" if abs(value) < 10**4000 else "9" * 4301))

    dumper: Any = type("Dumper", (yaml.SafeDumper,), {})
    dumper.add_representer(Raw, raw)
    dumper.add_representer(int, integer)
    text = yaml.dump(data, Dumper=dumper, allow_unicode=True, sort_keys=False, default_flow_style=flow, width=10**6)
    return re.sub(r"RAW(\d+)RAW", lambda m: raws[int(m[1])], text)


JUNK_LINES = ["? [a]", ": b", "- - -", "[[[[", "{", "&a", "*a", "%YAML 1.1", "---", "...", "key: [1, 2", "\t- x",
              "<<: *a", "!!map", "resources: &r []", "x: *r", ":", "- ", "# comment", "a: 'b", "😀: 1",
              "? a: [b]\n: c", "? {a: 1}\n: x", "? [a, [b]]\n: y", "{[a]: b}: c", "1: one", "~: none", "1.5: x",
              "true: t", "2025-03-01: d"]


@st.composite
def mutated_text(draw: st.DrawFn, text: str) -> str | bytes:
    lines = text.split("\n")
    for _ in range(draw(st.integers(0, 3))):
        lines = lines or [""]
        at = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["duplicate", "delete", "tab", "junk", "indent", "control"]))
        if op == "duplicate":
            lines.insert(at, lines[at])  # a repeated key, most of the time
        elif op == "delete":
            del lines[at]
        elif op == "tab":
            lines[at] = "\t" + lines[at].lstrip(" ")
        elif op == "junk":
            lines.insert(at, draw(st.sampled_from(JUNK_LINES)))
        elif op == "indent":
            lines[at] = " " * draw(st.integers(1, 3)) + lines[at]
        elif op == "control":
            column = draw(st.integers(0, len(lines[at])))
            lines[at] = lines[at][:column] + draw(st.sampled_from(["\x00", "\x07", "\x1b", "\x85", "\u2028", "\ufeff",
                                                                   "\ufffe", "\r", "\x7f"])) + lines[at][column:]
    text = draw(st.sampled_from(["\n", "\r\n"])).join(lines)
    if draw(st.integers(0, 9)) == 0:
        text = text[: draw(st.integers(0, len(text)))]  # cut short
    encoding = draw(st.sampled_from(["utf-8"] * 6 + ["utf-8-sig", "gb18030", "utf-16", "latin-1"]))
    try:
        return text if encoding == "utf-8" else text.encode(encoding)
    except UnicodeEncodeError:
        return text.encode("utf-8", errors="surrogatepass")


@st.composite
def yaml_files(draw: st.DrawFn, base: Any) -> str | bytes:
    return draw(mutated_text(_dump(draw(mutated_tree(base)), draw(st.sampled_from([False, None, True])))))


@FUZZ
@given(catalog=yaml_files(CATALOG_DATA))
def test_fuzz_catalogs(catalog: str | bytes) -> None:
    check({"catalog.yaml": catalog})


@FUZZ
@given(registry=yaml_files(REGISTRY_DATA))
def test_fuzz_registry(registry: str | bytes) -> None:
    check({"catalogs/departments.yaml": registry, "catalog.yaml": CATALOG})


# --- configuration: right and wrong shapes, in YAML and in TOML ------------------------------------

RULE_CODES = st.sampled_from(["GC408", "GC504", "GC999", "GC4", "gc408", "408", "", "G"])
CONFIG_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 10**6) | st.floats(allow_nan=True) | RULE_CODES
    | st.sampled_from(["error", "off", "fatal", "每日", "每天", "2027-06-30", "2026-13-01", "catalogs/**", "*"])
    | st.dates(date(1, 1, 1), date(9999, 12, 31)) | ODD_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["rule", "resource", "path", "reason", "approved_by", "expires", "rules", "min_frequency",
                         "grace_days", "standard", "GC408", "基础信息资源", "部门信息资源", "x"]) | ODD_KEYS,
        inner, max_size=4),
    max_leaves=10)
GOOD_CONFIG: dict[str, Any] = {
    "severity": {"GC408": "error"},
    "ignore": [{"path": "catalogs/**", "rules": ["GC504"]}],
    "waivers": [{"rule": "GC504", "resource": "307001001/000001", "reason": "r", "approved_by": "a",
                 "expires": date(2027, 6, 30)}],
    "policy": {"min_frequency": {"基础信息资源": "每月"}, "grace_days": 3},
    "owners": {"standard": ["@a"]},
}


def _toml(value: Any) -> str:
    """TOML for a tree (tomllib reads, nothing in the standard library writes): inline forms only."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k), ensure_ascii=False)} = {_toml(v)}" for k, v in value.items()
                               if v is not None) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value if v is not None) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value != value:
        return "nan"
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return "inf" if value > 0 else "-inf"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()
    return json.dumps(str(value), ensure_ascii=False)


@st.composite
def configurations(draw: st.DrawFn) -> dict[str, Any]:
    tree: Any = draw(mutated_tree(GOOD_CONFIG))
    if draw(st.booleans()) and isinstance(tree, dict):
        tree[draw(st.sampled_from([*GOOD_CONFIG, "x"]))] = draw(CONFIG_VALUES)
    if draw(st.booleans()):
        return {".govcat.yaml": draw(mutated_text(_dump(tree, None)))}
    body = "\n".join(f"{json.dumps(str(k), ensure_ascii=False)} = {_toml(v)}" for k, v in tree.items()
                     if v is not None) if isinstance(tree, dict) else f"x = {_toml(tree)}"
    head = draw(st.sampled_from(["[tool.govcat]\n", "[tool.govcat]\n", "[tool]\ngovcat = 5\n", "tool = 5\n# [tool.govcat\n",
                                 '[project]\nname = "x"\n\n[tool.govcat]\n']))
    text = head + body + "\n"
    if draw(st.integers(0, 5)) == 0:
        text = text[: draw(st.integers(0, len(text)))]
    return {"pyproject.toml": text}


@FUZZ
@given(config=configurations())
def test_fuzz_configuration(config: dict[str, Any]) -> None:
    check({"catalog.yaml": CATALOG, **config}, config=True)


# --- workbooks: openpyxl-written with odd cells in odd places, then corrupted as a zip -------------

TITLES = ["信息资源代码", "信息资源名称", "资源分类（类）", "资源分类（项）", "信息资源摘要", "格式分类", "格式类型", "共享类型",
          "共享条件", "共享方式", "共享方式类型", "开放类型", "更新周期", "发布日期", "最近更新日期", "数据分级", "关键字",
          "关联资源代码", "信息项名称", "关联数据元", "数据类型", "数据长度", "小数位数", "是否主键", "敏感属性", "说明",
          "提供方代码", "提供方名称", "标准版本", "未知列"]
ROW = ["307001001/000001", "婚姻登记信息", "部门信息资源", "省（自治区、直辖市）及其下各级政务部门",
       "本市办理结婚登记、离婚登记的当事人及登记结果信息。", "数据库", "KingbaseES", "有条件共享", "仅用于核验", "共享平台", "接口",
       "不予开放", "每日", date(2025, 3, 1), date(2026, 11, 20), "重要数据"]
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # openpyxl refuses these in cells
CELLS = (ODD_TEXT.map(lambda s: _ILLEGAL.sub("", s)) | st.integers(-(10**20), 10**20)
         | st.floats(allow_nan=False, allow_infinity=False) | st.booleans() | st.none()
         | st.dates(date(1900, 3, 1), date(9999, 12, 31)) | st.datetimes(datetime(1900, 3, 1), datetime(9999, 12, 31))
         | st.times() | st.timedeltas(timedelta(0), timedelta(days=10**5))
         | st.sampled_from(["=1+1", "=A1", "=SUM(A1:A3)", "是", "否", "1.0", "0x1F", "2025年3月1日", "2025/3/1", "C", "DE00001",
                            "每天", "307001001/000001;307001001/000002", 1.14501e17, 18, 0]))


@st.composite
def workbook_sheets(draw: st.DrawFn) -> dict[str, list[list[Any]]]:
    names = draw(st.lists(st.sampled_from(["提供方", "信息资源", "信息项", "填写说明", "信息资源 ", "Sheet1"]), min_size=0,
                          max_size=4, unique=True) | st.just(["提供方", "信息资源", "信息项"]))
    sheets = {}
    for name in names:
        header = draw(st.permutations(TITLES).map(lambda t: t[: draw(st.integers(1, 18))]))
        rows = [list(header)]
        for _ in range(draw(st.integers(0, 4))):
            rows.append([draw(CELLS) if draw(st.integers(0, 3)) == 0 else v for v in ROW] if draw(st.booleans())
                        else draw(st.lists(CELLS, max_size=8)))
        sheets[name] = rows
    return sheets


ODD_CELL_XML = [
    b'<c r="XFD1048576"><v>1</v></c>', b'<c r="A99999999"><v>1</v></c>', b'<c r="IW1"><v>1</v></c>',
    b'<c r="$A$1"><v>1</v></c>', b'<c r="a1" t="zz"><v>1</v></c>', b'<c t="s"><v>999</v></c>', b'<c t="s"><v>x</v></c>',
    b'<c t="e"><v>bogus</v></c>', b'<c t="b"><v>7</v></c>', b'<c><v>1e999</v></c>', b'<c><v>NaN</v></c>',
    b'<c s="1"><v>1e300</v></c>', b'<c><f>1+1</f></c>', b'<c r="B2" r="XFD2"><v>1</v></c>', b'<c r="C3"><is><t>x',
    b'<c r="D4" t="d"><v>99999-99-99</v></c>', b'<c r="E5"><v>\xe5\x8d\x81\xe5\x85\xab</v></c>', b"<c/>",
    b'<c r="F6" t="inlineStr"><is><r><t>a</t></r><r><t>b</t></r></is></c>',
]


@st.composite
def corrupted(draw: st.DrawFn, raw: bytes) -> bytes:
    op = draw(st.sampled_from(["none", "none", "truncate", "flip", "drop", "junk", "cells", "rels", "dimension",
                               "prefix", "styles", "many"]))
    # Positions are drawn as fractions: openpyxl stamps the time of saving, so lengths vary by a byte.
    if op == "truncate":
        return raw[: len(raw) * draw(st.integers(0, 1000)) // 1000]
    if op == "flip":
        data = bytearray(raw)
        for _ in range(draw(st.integers(1, 8))):
            data[(len(data) - 1) * draw(st.integers(0, 1000)) // 1000] ^= draw(st.integers(1, 255))
        return bytes(data)
    with zipfile.ZipFile(io.BytesIO(raw)) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    names = sorted(parts)
    if op == "drop":
        del parts[draw(st.sampled_from(names))]
    elif op == "junk":
        name = draw(st.sampled_from(names))
        parts[name] = draw(st.sampled_from([b"", b"<", b"not xml", parts[name][: len(parts[name]) // 2],
                                            b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaa'>]><x>&a;</x>"]))
    elif op == "cells":
        sheets = [n for n in names if n.startswith("xl/worksheets/")]
        if sheets:
            name = draw(st.sampled_from(sheets))
            cells = b"".join(draw(st.lists(st.sampled_from(ODD_CELL_XML), min_size=1, max_size=4)))
            row = draw(st.sampled_from([b'<row r="2">', b"<row>", b'<row r="1048577">', b'<row r="x">']))
            parts[name] = parts[name].replace(b"</sheetData>", row + cells + b"</row></sheetData>", 1)
    elif op == "rels" and "xl/_rels/workbook.xml.rels" in parts:
        parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
            b"/xl/worksheets/", draw(st.sampled_from([b"worksheets/", b"../xl/worksheets/", b"\\xl\\worksheets\\",
                                                      b"/nowhere/", b""])))
    elif op == "dimension":
        for name in names:
            if name.startswith("xl/worksheets/"):
                parts[name] = re.sub(rb"<dimension [^>]*/>", b'<dimension ref="A1:XFD1048576"/>', parts[name])
    elif op == "prefix":
        for name in names:
            if name.startswith("xl/worksheets/"):
                parts[name] = parts[name].replace(b"<row", b"<x:row").replace(b"</row", b"</x:row").replace(
                    b"<worksheet ", b'<worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ')
    elif op == "styles" and "xl/styles.xml" in parts:
        parts["xl/styles.xml"] = parts["xl/styles.xml"].replace(
            b"</cellXfs>", b'<xf numFmtId="14"/><xf numFmtId="46"/><xf numFmtId="200"/></cellXfs>')
    elif op == "many":
        for i in range(draw(st.integers(1, 50))):
            parts[f"xl/media/{i}.bin"] = b"x"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", draw(st.sampled_from([zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED]))) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return out.getvalue()


@st.composite
def workbooks(draw: st.DrawFn) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in draw(workbook_sheets()).items():
        sheet = book.create_sheet(name[:31])
        for row in rows:
            sheet.append(row)
        for _ in range(draw(st.integers(0, 2))):  # a cell far away
            sheet.cell(row=draw(st.integers(1, 1_048_576)), column=draw(st.integers(1, 16_384)), value=draw(CELLS))
        if draw(st.integers(0, 3)) == 0:  # merged cells, last: openpyxl refuses values in them
            sheet.merge_cells(start_row=2, start_column=1, end_row=draw(st.integers(2, 5)), end_column=2)
    if not book.sheetnames:
        book.create_sheet("Sheet1")  # openpyxl writes no workbook without a sheet
    if draw(st.booleans()):
        book.epoch = datetime(1904, 1, 1)  # the 1904 date system
    out = io.BytesIO()
    book.save(out)
    return draw(corrupted(out.getvalue()))


@FUZZ
@given(workbook=workbooks())
def test_fuzz_workbooks(workbook: bytes) -> None:
    check({"catalog.xlsx": workbook})


def test_the_fuzz_runs_in_the_suite_with_a_fixed_budget() -> None:
    """The suite's budget is small and the same on every run; a longer campaign is an environment
    variable away (see the module's docstring)."""
    assert LONG or (FUZZ.max_examples == 40 and FUZZ.derandomize)

